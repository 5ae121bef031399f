"""Every course notebook runs top to bottom under nbval, and is committed clean.

How the notebooks are checked:

- Each notebook runs in its own ``python -m pytest --nbval-lax`` subprocess, with a kernel from
  this same environment (``--nbval-current-env``). In lax mode a cell's stored output is compared
  only when the cell says ``# NBVAL_CHECK_OUTPUT``: those are the cells whose text is deterministic
  (orderings, schedtrace lines, tables). Every other cell must merely run without error, and the
  notebooks' own ``assert`` cells make that meaningful.
- Hygiene: a committed notebook carries no widget state (``metadata.widgets`` holds the whole
  plotly.js bundle once a FigureWidget has been executed), no rich outputs (plotly, widgets, images,
  HTML), and stored text only on ``NBVAL_CHECK_OUTPUT`` cells, each small. The course chapters
  carry no stored output at all: an output would show a learner the result of an experiment
  before they have predicted it.
- Answers stay hidden: no answer, hint, solution or expected value from ``gmpkit.lessons`` appears
  in a notebook's source; no exercise is built in a notebook; every reveal call (``.answer(``,
  ``.hint(``, ``.solution(``) is a comment, so *Run All* reveals nothing; every section asks its
  predict-then-run question, with a reveal cell after it.

To refresh a notebook's checked outputs after changing it::

    python tests/test_notebooks.py --execute notebooks/05_gmp_scheduler.ipynb

which executes it, keeps the outputs of ``NBVAL_CHECK_OUTPUT`` cells only and strips the rest.
``--strip`` strips without executing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = ROOT / "tests" / "notebooks_sanitize.cfg"

CHECK_MARK = "NBVAL_CHECK_OUTPUT"
# Largest stored output of one checked cell, in characters of JSON: room for a dozen schedtrace
# lines or a small table, not for a chart.
MAX_CELL_OUTPUT = 8_000
MAX_NOTEBOOK_BYTES = 200_000
TEXT_MIMES = {"text/plain"}
CELL_TIMEOUT_S = 600


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _is_checked(cell: dict) -> bool:
    return CHECK_MARK in "".join(cell.get("source", ""))


def test_the_course_has_notebooks():
    """The GMP chapter and an index exist, so the checks below cannot pass vacuously."""
    names = {p.name for p in NOTEBOOKS}
    assert "05_gmp_scheduler.ipynb" in names
    assert "00_index.ipynb" in names or (ROOT / "notebooks" / "README.md").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_under_nbval(path: Path, tmp_path: Path):
    """The notebook runs without error; its NBVAL_CHECK_OUTPUT cells print exactly what is stored."""
    env = dict(os.environ)
    # Keep the user's Jupyter and IPython settings out of the run.
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        MPLBACKEND="Agg",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval-lax",
        "--nbval-current-env",
        f"--nbval-cell-timeout={CELL_TIMEOUT_S}",
        f"--nbval-sanitize-with={SANITIZE}",
        str(path.relative_to(ROOT)),
    ]
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CELL_TIMEOUT_S * 3
    )
    if proc.returncode != 0:
        pytest.fail(
            f"nbval failed on {path.name} (exit {proc.returncode}):\n"
            f"{proc.stdout[-12000:]}\n{proc.stderr[-4000:]}",
            pytrace=False,
        )


def hygiene_problems(nb: dict) -> list[str]:
    """What is wrong with a notebook as committed (empty list: nothing)."""
    problems = []
    if nb.get("nbformat") != 4:
        problems.append(f"nbformat {nb.get('nbformat')} (want 4)")
    if "widgets" in nb.get("metadata", {}):
        problems.append("metadata.widgets is present (executed widget state; strip it)")
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("metadata", {}).get("widgets"):
            problems.append(f"cell {i}: widget state in cell metadata")
        outputs = cell.get("outputs", [])
        if not outputs:
            continue
        if not _is_checked(cell):
            problems.append(f"cell {i}: stored output on a cell without # {CHECK_MARK}")
        size = len(json.dumps(outputs))
        if size > MAX_CELL_OUTPUT:
            problems.append(f"cell {i}: stored output is {size} chars (limit {MAX_CELL_OUTPUT})")
        for out in outputs:
            rich = set(out.get("data", {})) - TEXT_MIMES
            if rich:
                problems.append(f"cell {i}: rich output {sorted(rich)} (charts and widgets are "
                                "not stored)")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_clean(path: Path):
    """No widget state, no rich or bulky outputs; stored text only where nbval checks it."""
    size = path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, f"{path.name} is {size} bytes"
    assert hygiene_problems(_load(path)) == []


def test_hygiene_check_catches_executed_widget_notebooks():
    """The hygiene check is not vacuous: an executed notebook with widget state is rejected."""
    executed = {
        "nbformat": 4,
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}}},
        "cells": [
            {
                "cell_type": "code",
                "source": "fig",
                "metadata": {},
                "outputs": [{"output_type": "display_data",
                             "data": {"application/vnd.plotly.v1+json": {}, "text/plain": "x"}}],
            },
            {
                "cell_type": "code",
                "source": "print(1)",
                "metadata": {},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
            },
        ],
    }
    problems = hygiene_problems(executed)
    assert any("metadata.widgets" in p for p in problems)
    assert any("rich output" in p for p in problems)
    assert any("without # NBVAL_CHECK_OUTPUT" in p for p in problems)
    assert hygiene_problems(strip(executed)) == []


def strip(nb: dict) -> dict:
    """Return the notebook without widget state and with outputs kept on checked cells only."""
    nb = json.loads(json.dumps(nb))
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("widgets", None)
        cell.get("metadata", {}).pop("execution", None)
        if cell.get("cell_type") != "code":
            continue
        if _is_checked(cell):
            kept = []
            for out in cell.get("outputs", []):
                if "data" in out:
                    out["data"] = {k: v for k, v in out["data"].items() if k in TEXT_MIMES}
                    if not out["data"]:
                        continue
                    out["metadata"] = {}
                kept.append(out)
            cell["outputs"] = kept
            if not kept:
                cell["execution_count"] = None
        else:
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def _write(path: Path, nb: dict) -> None:
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _execute(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # store_widget_state=False hangs with Output widgets in nbclient 0.11; strip() drops it instead.
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return json.loads(nbformat.writes(nb))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("--strip", "--execute"):
        print(__doc__)
        print("usage: python tests/test_notebooks.py --strip|--execute NOTEBOOK...")
        return 2
    for name in argv[1:]:
        path = Path(name)
        nb = _execute(path) if argv[0] == "--execute" else _load(path)
        _write(path, strip(nb))
        print(f"{path}: {'executed and ' if argv[0] == '--execute' else ''}stripped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# -- answers stay hidden ---------------------------------------------------------------------------

import re  # noqa: E402

from gmpkit.lessons import all_lessons  # noqa: E402

LESSONS = all_lessons()
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"0[1-9]_", p.name)]
REVEAL = re.compile(r"\.(answer|answers|hint|solution)\(")
SENTENCE = re.compile(r"(?<=[.!?:;])\s+")
MIN_FRAGMENT = 24  # shorter pieces ("`0`", "True") are too common to mean anything


def _source(nb: dict, kind: str | None = None) -> str:
    return "\n".join("".join(c.get("source", "")) for c in nb["cells"]
                     if kind is None or c["cell_type"] == kind)


def _norm(text: str) -> str:
    """Whitespace collapsed, and comment markers at line starts dropped (an answer hidden in a
    comment is still in the source)."""
    text = re.sub(r"^[ \t]*#+[ \t]?", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def _fragments(text: str) -> list[str]:
    """The whole text and each of its sentences, whitespace-normalised, long enough to count."""
    parts = [_norm(text)] + [_norm(p) for p in SENTENCE.split(text)]
    return [p for p in dict.fromkeys(parts) if len(p) >= MIN_FRAGMENT]


def leaked_answers(source: str, texts: list[str]) -> list[str]:
    """The pieces of ``texts`` (answers, hints, solutions) that occur in ``source``."""
    flat = _norm(source)
    return [f for t in texts for f in _fragments(t) if f in flat]


def test_the_leak_check_is_not_vacuous() -> None:
    answer = "The parent still has `[1, 2, 3]` and `COUNTER` 0. The child changed its own copy."
    assert leaked_answers("print(1)\n# The child changed its own copy.", [answer])
    assert leaked_answers("x = 1  # The parent still has `[1, 2, 3]` and\n# `COUNTER` 0.",
                          [answer])
    assert not leaked_answers("print('The child')", [answer])


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_no_answer_hint_or_solution_in_the_notebook(path: Path) -> None:
    """Everything the learner should work out lives in gmpkit/lessons, not in the notebook."""
    source = _source(_load(path))
    texts = [t for lesson in LESSONS.values() for t in lesson.revealable_texts()]
    assert leaked_answers(source, texts) == []
    for built_here in ("Exercise(", "expected=", "solution=", "hints=", "<details"):
        assert built_here not in source, f"{path.name} builds an answer itself: {built_here!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_run_all_reveals_nothing(path: Path) -> None:
    """Every reveal call is commented out, and no chapter stores an output."""
    nb = _load(path)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            code = line.split("#", 1)[0]
            assert not REVEAL.search(code), f"{path.name} cell {i} reveals on Run All: {line!r}"
        assert not cell.get("outputs"), f"{path.name} cell {i} has a stored output"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_every_section_asks_and_can_reveal(path: Path) -> None:
    """Each numbered section asks its lesson's question, and a reveal cell follows the ask; the
    lesson has no question the notebook never asks; the check cells hold no answer."""
    name = "ch" + path.name[:2]
    lesson = LESSONS[name]
    nb = _load(path)
    asked: list[str] = []
    section = None
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for m in re.finditer(r"^##+ (\d+(?:\.\d+)?)\. ", text, re.M):
                if m.group(0).startswith("## "):
                    section = m.group(1)
            continue
        for m in re.finditer(rf'{name}\.ask\("([\d.]+)"\)', text):
            asked.append(m.group(1))
        if ".check(" in text:
            for line in text.splitlines():
                if line.startswith("answer =") :
                    assert re.match(r"answer = None\b", line), f"{path.name}: {line!r}"
    sections = re.findall(r"^## (\d+)\. ", _source(nb, "markdown"), re.M)
    assert sections and set(sections) <= set(asked), (
        f"{path.name}: sections without a question: {sorted(set(sections) - set(asked))}")
    assert sorted(asked) == sorted(lesson.predictions), (
        f"{path.name} asks {asked}; {name} has {sorted(lesson.predictions)}")
    code = _source(nb, "code")
    for section in asked:
        assert f'# {name}.answer("{section}")' in code
    assert "Further reading" in _source(nb, "markdown")
    assert f"{name}.quiz" in code
    for key in [*lesson.exercises, *lesson.factories, *lesson.open_exercises]:
        assert re.search(rf"\b{key}\b", code), f"{path.name} never shows {name}.{key}"


def test_charts_carry_html_for_static_exports() -> None:
    """With gmpkit's renderer a figure's bundle has plotly's mimetype (JupyterLab) and text/html
    (nbconvert); outside a kernel the renderer leaves plotly alone."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from gmpkit import renderer

    before = pio.renderers.default
    assert renderer.use_html_renderer() is False  # not in a Jupyter kernel: untouched
    try:
        assert renderer.use_html_renderer(force=True)
        bundle = pio.renderers._build_mime_bundle(go.Figure(go.Bar(y=[1, 2])).to_dict())
        assert {"application/vnd.plotly.v1+json", "text/html"} <= set(bundle)
        assert "cdn.plot.ly" in bundle["text/html"]
    finally:
        pio.renderers.default = before
        renderer._done = False
