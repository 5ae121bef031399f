"""The benchmark suite's smoke run: every implementation does the same work.

Runs ``python -m benchmarks --quick`` in a subprocess and checks, for every workload, that each
implementation (gmpkit with and without the recorder, asyncio with both channels, SimPy with both
channels, the minimal scheduler) returned the checksum computed from the workload's parameters.
A correctness check of the benchmarks, never a timing assertion.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("simpy")


def test_quick_run_gives_the_same_checksum_everywhere(tmp_path):
    out = tmp_path / "quick.json"
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out),
           "--workload", "W1", "--workload", "W2", "--workload", "W3", "--workload", "W4"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    from benchmarks.impls import IMPLS
    from benchmarks.workloads import QUICK

    rows = json.loads(out.read_text())["rows"]
    by_case: dict[str, dict[str, dict]] = {}
    for r in rows:
        by_case.setdefault(r["case"], {})[r["impl"]] = r
    assert set(by_case) == {c.key for c in QUICK}
    for case in QUICK:
        runs = by_case[case.key]
        assert set(runs) == set(IMPLS), f"{case.key}: missing {set(IMPLS) - set(runs)}"
        for name, r in runs.items():
            assert r["status"] == "ok", f"{case.key} {name}: {r.get('error', r['status'])}"
            assert r["checksum"] == case.expected, f"{case.key} {name}: wrong checksum"
