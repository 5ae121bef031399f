"""The playground targets: one GOMAXPROCS slider change (simulate + rebuild figures), in ms.

Builds ``gmpkit.widgets.Playground()`` on its default scenario (no browser needed: the widget
models live in the kernel), then moves the slider through 1..4 and back, timing each change
from the assignment to the redrawn charts. Reports the median change (and the slowest).

Two rows: the scenario's own goroutine count (target ≤ 250 ms), and 1,000 goroutines (target
≤ 100 ms). The goroutines slider stops at ``MAX_GOROUTINES`` (500), so for the second row its
maximum is raised first and the count set, untimed, before the slider changes are timed.
"""

from __future__ import annotations

import statistics
import time


def measure_playground(quick: bool = False, goroutines: int | None = None) -> dict:
    row = {"case": "playground" + (f" n={goroutines}" if goroutines else ""),
           "workload": "playground", "args": [goroutines] if goroutines else [],
           "op": "slider change", "ops": 1, "impl": "gmpkit+rec", "expected": None,
           "checksum": None, "goroutines": goroutines, "limit_ms": 100 if goroutines else 250}
    try:
        import gmpkit
        from gmpkit.widgets import Playground

        row["compiled"] = gmpkit.COMPILED
        pg = Playground()
        if goroutines:
            pg.goroutines.max = max(pg.goroutines.max, goroutines)
            pg.goroutines.value = goroutines  # one untimed redraw at the new count
            if pg.goroutines.value != goroutines:
                raise RuntimeError(f"the goroutines slider holds {pg.goroutines.value}")
        values = [1, 2, 3, 4, 3, 2] if not quick else [1, 2]
        walls, cpus, parts = [], [], []
        for v in values:
            if pg.gomaxprocs.value == v:
                continue
            c0, w0 = time.process_time(), time.perf_counter()
            pg.gomaxprocs.value = v  # what moving the slider does
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            parts.append(dict(pg.timings))
            if pg.error:
                raise RuntimeError(pg.error)
    except Exception as e:  # reported in the table, never fatal to the suite
        row.update(status="ERROR", error=f"{type(e).__name__}: {e}")
        return row
    i = walls.index(statistics.median_high(walls))
    row.update(status="ok", wall=walls[i], cpu=cpus[i], max_wall=max(walls),
               changes=len(walls), timings=parts[i], scenario=pg.scenario.value)
    return row


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.playground [--quick] [--goroutines N]``: one row as JSON (the
    suite runs it this way on the compiled build)."""
    import argparse
    import json
    import sys

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--goroutines", type=int, default=None)
    args = ap.parse_args(argv)
    row = measure_playground(quick=args.quick, goroutines=args.goroutines)
    print(json.dumps(row), file=sys.stdout)


if __name__ == "__main__":
    main()
