"""The compiled build behaves exactly like the pure one: same events, same output, same dumps.

``make test-builds`` compiles the core (``make compiled``) and runs this module with
``GMPKIT_COMPILED_DIR`` naming the build. Each build runs tests/build_programs.py in a fresh
interpreter; everything a learner or an observer can see must be equal, event for event. Pure
Python is the reference (README, "Compiled build"). Without the variable the module is skipped:
``make test`` checks the pure build only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPILED_DIR = os.environ.get("GMPKIT_COMPILED_DIR")

pytestmark = pytest.mark.skipif(
    not COMPILED_DIR, reason="set GMPKIT_COMPILED_DIR to a compiled build (make test-builds)")


def _run(pythonpath: str) -> dict:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    out = subprocess.run([sys.executable, "-P", str(ROOT / "tests" / "build_programs.py")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def builds() -> tuple[dict, dict]:
    assert COMPILED_DIR is not None
    compiled_dir = str((ROOT / COMPILED_DIR).resolve())
    return _run(str(ROOT)), _run(compiled_dir + os.pathsep + str(ROOT))


def test_each_run_used_the_build_it_names(builds):
    """The pure run imported the source, the compiled run the compiled core (gk.COMPILED)."""
    pure, compiled = builds
    assert pure["compiled"] is False
    assert compiled["compiled"] is True


def _names() -> list[str]:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import build_programs
        return [name for name, _, _ in build_programs.programs()]
    finally:
        sys.path.pop(0)


@pytest.mark.parametrize("name", _names())
def test_both_builds_produce_the_same_run(builds, name):
    """Exit code, stdout, stderr (goroutine dumps with file:line included), virtual time, step
    count, every observer event and the recorder's event table are identical."""
    pure, compiled = (b["programs"][name] for b in builds)
    assert pure["events"], "the program made no events"
    for key in ("exit_code", "stdout", "stderr", "now_ns", "steps"):
        assert compiled[key] == pure[key], f"{name}: {key} differs"
    assert len(compiled["events"]) == len(pure["events"])
    for i, (a, b) in enumerate(zip(pure["events"], compiled["events"])):
        assert a == b, f"{name}: event {i} differs: pure {a}, compiled {b}"
    assert compiled["table"] == pure["table"]
