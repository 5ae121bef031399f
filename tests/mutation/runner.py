"""Apply each mutation to a temporary copy of the repository, run the tests there, record who caught it.

For each mutation: copy the repository's files (those git knows, plus new ones not ignored) into
a temporary folder, apply the edit, and run pytest in that folder with the venv's Python (the
copy's ``gmpkit`` comes first on ``sys.path``, ahead of the editable install). First the tests
the mutation names (``Mutation.tests``), then, if none of them failed, the whole suite; both stop
at the first failure (``-x``), so a caught mutant costs seconds. The report records the first
failing test and whether its docstring names the rule the mutation breaks.

What runs: everything except the notebooks under nbval, the browser test and the live Go
comparisons. Every mutation is in the simulator core, and those three only add slow ways of
running the same core: the notebooks print the model's own output (an oracle the model wrote
itself), the browser test drives the notebooks' widgets, and live Go checks the recordings, not
the model. The recorded-Go fidelity tests do run.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .catalog import Mutation

REPO = Path(__file__).resolve().parents[2]
PYTEST_ARGS = [
    "-x", "-q", "-p", "no:cacheprovider", "-m", "not browser and not golive",
    "--ignore=tests/test_notebooks.py", "--ignore=tests/browser", "--ignore=tests/mutation",
    "--hypothesis-seed=0", "-o", "addopts=", "-rfE", "--no-header",
]
_FAILED = re.compile(r"^(FAILED|ERROR) (\S+)")


@dataclass
class Outcome:
    mutation: Mutation
    caught_by: str | None  # node id of the first failing test
    names_rule: bool  # that test's docstring names the mutation's rule
    seconds: float
    detail: str = ""  # why nothing was caught, or the harness's own trouble

    @property
    def caught(self) -> bool:
        return self.caught_by is not None


def repo_files() -> list[str]:
    """The files of the working tree that git tracks or would track (not ignored)."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if f and (REPO / f).is_file()]


def make_copy(dest: Path, files: list[str], src: Path = REPO) -> None:
    for f in files:
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / f, target)


def apply(root: Path, m: Mutation) -> None:
    """Apply the mutation's edits to the copy; every ``old`` must occur exactly once."""
    path = root / m.file
    text = path.read_text()
    for old, new in m.edits:
        n = text.count(old)
        if n != 1:
            raise ValueError(f"{m.name}: {m.file} contains the text to replace {n} times, not once")
        text = text.replace(old, new)
    path.write_text(text)


def _pytest(root: Path, targets: list[str], timeout: float) -> tuple[str | None, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env.pop("GMPKIT_REQUIRE_GO", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_ARGS, *targets], cwd=root,
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    for line in proc.stdout.splitlines():
        hit = _FAILED.match(line)
        if hit:
            return hit.group(2), ""
    if proc.returncode not in (0, 5):  # 5: no tests collected
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        return None, "pytest failed without a failing test: " + " / ".join(tail)
    return None, ""


def run_one(m: Mutation, files: list[str], timeout: float, src: Path,
            named_only: bool = False) -> Outcome:
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"gmpkit-mut-{m.name}-") as tmp:
        root = Path(tmp)
        make_copy(root, files, src)
        try:
            apply(root, m)
        except ValueError as e:
            return Outcome(m, None, False, 0.0, f"harness: {e}")
        caught, detail = (None, "")
        if m.tests:
            caught, detail = _pytest(root, list(m.tests), timeout)
        if caught is None and not detail and not named_only:
            caught, detail = _pytest(root, ["tests"], timeout)
    return Outcome(m, caught, caught is not None and names_rule(caught, m.rule, src),
                   time.monotonic() - t0, detail)


def run_baseline(files: list[str], timeout: float, src: Path) -> str | None:
    """The unmutated copy must pass, or every mutant would look caught."""
    with tempfile.TemporaryDirectory(prefix="gmpkit-mut-baseline-") as tmp:
        root = Path(tmp)
        make_copy(root, files, src)
        failed, detail = _pytest(root, ["tests"], timeout)
    if failed or detail:
        return failed or detail
    return None


def docstring(node_id: str, src: Path = REPO) -> str:
    """The docstring of the test a pytest node id names (parametrisation dropped)."""
    path, _, name = node_id.partition("::")
    name = name.split("[", 1)[0].split("::")[-1]
    try:
        tree = ast.parse((src / path).read_text())
    except (OSError, SyntaxError):
        return ""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return ast.get_docstring(node) or ""
    return ""


def names_rule(node_id: str, rule: str, src: Path = REPO) -> bool:
    """Does the test's docstring name the rule (case and line breaks ignored)?"""
    return " ".join(rule.lower().split()) in " ".join(docstring(node_id, src).lower().split())


def snapshot(dest: Path) -> list[str]:
    """Freeze the working tree into ``dest`` (edits made while the harness runs do not leak
    into later mutants); returns the file list."""
    files = repo_files()
    make_copy(dest, files)
    return files


def run_all(mutations: list[Mutation], workers: int, timeout: float,
            src: Path, files: list[str], named_only: bool = False) -> list[Outcome]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, m, files, timeout, src, named_only) for m in mutations]
        out = []
        for f in futures:
            o = f.result()
            verdict = (f"caught by {o.caught_by}" if o.caught else f"SURVIVED {o.detail}").strip()
            print(f"{o.mutation.name:42} {o.seconds:6.1f} s  {verdict}", file=sys.stderr,
                  flush=True)
            out.append(o)
    return out


def _first_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 140 else line[:137] + "..."


def report(outcomes: list[Outcome], command: str, seconds: float, src: Path = REPO) -> str:
    caught = sum(o.caught for o in outcomes)
    named = sum(o.caught and o.names_rule for o in outcomes)
    n = len(outcomes)
    areas = sorted({o.mutation.area for o in outcomes})
    head = [
        "# Mutation report",
        "",
        "Each row is one deliberate bug in the simulator (`tests/mutation/catalog.py`), applied",
        "alone to a copy of the repository; the row says which test failed first. \"Names the",
        "rule\" means that test's docstring names the rule the bug breaks. Made by",
        f"`{command}` in {seconds / 60:.1f} min (the test run skips the notebooks, the browser",
        "test and live Go: see `tests/mutation/runner.py`).",
        "",
        f"**{caught} of {n} mutations caught; {named} of {n} by a test whose docstring names "
        f"the rule.** Areas: {', '.join(areas)}.",
        "",
        "| mutation | area | rule | the bug | caught by | names the rule |",
        "|---|---|---|---|---|---|",
    ]
    rows = []
    for o in outcomes:
        m = o.mutation
        by = f"`{o.caught_by}`" if o.caught else f"**survived** {o.detail}".strip()
        mark = "yes" if o.names_rule else ("no" if o.caught else "")
        rows.append(f"| `{m.name}` | {m.area} | {m.rule} | {m.what} | {by} | {mark} |")
    tail = ["", "## The catching tests' docstrings", ""]
    seen = set()
    for o in outcomes:
        if o.caught and o.caught_by not in seen:
            seen.add(o.caught_by)
            tail.append(f"- `{o.caught_by}`: {_first_line(docstring(o.caught_by, src))}")
    return "\n".join(head + rows + tail) + "\n"
