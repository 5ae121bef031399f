"""The playground target: one GOMAXPROCS slider change (simulate + rebuild figures) in ms."""

from __future__ import annotations


def measure_playground(quick: bool = False) -> dict:
    row = {"case": "playground", "workload": "playground", "args": [], "op": "slider change",
           "ops": 1, "impl": "gmpkit+rec", "expected": None, "status": "ERROR",
           "error": "gmpkit has no playground yet"}
    return row
