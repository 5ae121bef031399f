"""The benchmark suite's smoke run: every implementation does the same work.

Runs ``python -m benchmarks --quick`` in a subprocess and checks, for every workload, that each
implementation (gmpkit with and without the recorder, on the pure and on the compiled build,
asyncio with both channels, SimPy with both channels, the minimal scheduler) returned the
checksum computed from the workload's parameters. The compiled columns run only where a compiled
build exists (``make compiled``; ``GMPKIT_COMPILED_DIR`` or ``build/compiled``); without one they
must say so and the run must still succeed, which is checked whether or not a build exists.
A correctness check of the benchmarks, never a timing assertion.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.compiled import COMPILED_IMPLS, NOT_BUILT, compiled_dir, is_built
from benchmarks.impls import BASELINE, IMPLS
from benchmarks.workloads import QUICK

ROOT = Path(__file__).resolve().parent.parent
BUILD = compiled_dir()  # $GMPKIT_COMPILED_DIR, else build/compiled

pytest.importorskip("simpy")


def _quick(tmp_path: Path, *args: str) -> tuple[dict, str]:
    out = tmp_path / "quick.json"
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out), *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(out.read_text()), proc.stdout


def _by_case(rows: list[dict]) -> dict[str, dict[str, dict]]:
    by_case: dict[str, dict[str, dict]] = {}
    for r in rows:
        by_case.setdefault(r["case"], {})[r["impl"]] = r
    return by_case


def test_quick_run_gives_the_same_checksum_everywhere(tmp_path):
    data, _ = _quick(tmp_path, "--workload", "W1", "--workload", "W2", "--workload", "W3",
                     "--workload", "W4")
    built = is_built(BUILD)
    assert (data["machine"]["compiled build"] == NOT_BUILT) is not built
    by_case = _by_case(data["rows"])
    assert set(by_case) == {c.key for c in QUICK}
    for case in QUICK:
        runs = by_case[case.key]
        assert set(runs) == set(IMPLS), f"{case.key}: missing {set(IMPLS) - set(runs)}"
        for name, r in runs.items():
            if name in COMPILED_IMPLS and not built:
                assert r["status"] == NOT_BUILT, f"{case.key} {name}: {r['status']}"
                continue
            assert r["status"] == "ok", f"{case.key} {name}: {r.get('error', r['status'])}"
            assert r["checksum"] == case.expected, f"{case.key} {name}: wrong checksum"


@pytest.mark.parametrize("where", ["missing", "pure source only"])
def test_without_a_compiled_build_the_columns_say_so(tmp_path, where):
    """No build there (or only the pure source, which is not one): the compiled columns and
    their targets say "not built (make compiled)", every other column runs, the exit status is 0."""
    path = tmp_path / "build"
    if where == "pure source only":
        shutil.copytree(ROOT / "gmpkit", path / "gmpkit",
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
    data, stdout = _quick(tmp_path, "--compiled-dir", str(path), *[
        a for n in COMPILED_IMPLS for a in ("--impl", n)],
        "--workload", "W1", "--workload", "W4", "--workload", "playground")
    assert data["machine"]["compiled build"] == NOT_BUILT
    rows = data["rows"]
    assert {r["impl"] for r in rows} == {*COMPILED_IMPLS, BASELINE}
    for r in rows:
        if r["impl"] == BASELINE:
            assert r["status"] == "ok" and r["checksum"] == r["expected"], r
        else:
            assert r["status"] == NOT_BUILT, r
    assert sum(r["workload"] == "playground" for r in rows) == 2
    targets = stdout.split("### Targets", 1)[1]
    for name in COMPILED_IMPLS:
        assert f"{name} ≤ 1 KB per parked goroutine | {NOT_BUILT}" in targets
    assert f"gmpkit-compiled ≤ 0.5× asyncio | {NOT_BUILT}" in targets


@pytest.mark.skipif(not is_built(BUILD), reason=f"no compiled build in {BUILD} (make compiled)")
def test_the_compiled_columns_run_the_compiled_core(tmp_path):
    """With a build, both compiled columns give every checksum; W4 and the playground report
    gmpkit.COMPILED from the process that measured them; the pure column stays pure."""
    data, stdout = _quick(tmp_path, "--compiled-dir", str(BUILD), "--impl", "gmpkit", *[
        a for n in COMPILED_IMPLS for a in ("--impl", n)],
        "--workload", "W2", "--workload", "W4", "--workload", "playground")
    assert data["machine"]["gmpkit build in this process"] == "pure"
    by_case = _by_case(data["rows"])
    for case in (c for c in QUICK if c.workload in ("W2", "W4")):
        for name in ("gmpkit", *COMPILED_IMPLS):
            r = by_case[case.key][name]
            assert r["status"] == "ok", f"{case.key} {name}: {r.get('error', r['status'])}"
            assert r["checksum"] == case.expected, f"{case.key} {name}: wrong checksum"
            if case.workload == "W4":
                assert r["compiled"] is (name in COMPILED_IMPLS)
    play = [r for r in data["rows"] if r["workload"] == "playground"]
    assert len(play) == 4  # two rows per build
    try:
        import ipywidgets  # noqa: F401  (the playground needs it)
    except ImportError:
        return
    assert {(r["impl"], r["compiled"]) for r in play if r["status"] == "ok"} == {
        ("gmpkit+rec", False), ("gmpkit-compiled+rec", True)}
    assert "gmpkit-compiled ≤ 0.5× asyncio-rendezvous | W2" in stdout
