"""The playground target: one GOMAXPROCS slider change (simulate + rebuild figures), in ms.

Builds ``gmpkit.widgets.Playground()`` on its default scenario (no browser needed: the widget
models live in the kernel), then moves the slider through 1..4 and back, timing each change
from the assignment to the redrawn charts. Reports the median change (and the slowest).
"""

from __future__ import annotations

import statistics
import time


def measure_playground(quick: bool = False) -> dict:
    row = {"case": "playground", "workload": "playground", "args": [], "op": "slider change",
           "ops": 1, "impl": "gmpkit+rec", "expected": None, "checksum": None}
    try:
        from gmpkit.widgets import Playground

        pg = Playground()
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
