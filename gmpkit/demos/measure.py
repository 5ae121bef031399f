"""Measurement helpers for chapters 1–3: timings become pandas tables and plotly charts.

Timings on a real machine are noisy, so the helpers report medians (and the spread) and the
notebooks compare them loosely ("about 10x") rather than asserting exact figures.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from gmpkit.demos import processes, threads
from gmpkit.demos.threads import RaceResult


def timing_table(samples: Mapping[str, Sequence[float]], unit: str = "us") -> pd.DataFrame:
    """One row per label: how many samples, and their median, min and max in ``unit``.

    ``samples`` maps a label to a list of durations in seconds. ``unit`` is ``"us"`` or ``"ms"``.
    """
    scale = {"us": 1e6, "ms": 1e3}.get(unit)
    if scale is None:
        raise ValueError("unit must be 'us' or 'ms'")
    rows = []
    for label, values in samples.items():
        if not values:
            raise ValueError(f"no samples for {label!r}")
        rows.append(
            {
                "what": label,
                "samples": len(values),
                f"median_{unit}": statistics.median(values) * scale,
                f"min_{unit}": min(values) * scale,
                f"max_{unit}": max(values) * scale,
            }
        )
    return pd.DataFrame(rows).set_index("what")


def bar_chart(table: pd.DataFrame, column: str, title: str, log: bool = False) -> go.Figure:
    """A bar per row of ``table`` showing ``column`` (log scale on request)."""
    if column not in table.columns:
        raise ValueError(f"{column!r} is not a column; choose one of {list(table.columns)}")
    fig = go.Figure(go.Bar(x=[str(i) for i in table.index], y=table[column], name=column))
    fig.update_layout(title=title, yaxis_title=column, height=360, margin={"t": 50, "b": 40})
    if log:
        fig.update_yaxes(type="log")
    return fig


def race_table(results: Iterable[RaceResult]) -> pd.DataFrame:
    """Lost-update experiments side by side: expected, final and lost counts."""
    return pd.DataFrame(
        [
            {
                "experiment": r.kind,
                "workers": r.workers,
                "per_worker": r.per_worker,
                "expected": r.expected,
                "final": r.final,
                "lost": r.lost,
            }
            for r in results
        ]
    ).set_index("experiment")


def calibrate_work(target_seconds: float = 0.4) -> int:
    """An ``n`` for :func:`~gmpkit.demos.processes.cpu_work` that takes about ``target_seconds``."""
    if target_seconds <= 0:
        raise ValueError("target_seconds must be positive")
    n = 100_000
    while True:
        t0 = time.perf_counter()
        processes.cpu_work(n)
        took = time.perf_counter() - t0
        if took > 0.05:
            return max(1, int(n * target_seconds / took))
        n *= 4


def _run_in_processes(n: int, workers: int, method: str) -> float:
    ctx = processes.context(method)
    procs = [ctx.Process(target=processes.cpu_work, args=(n,)) for _ in range(workers)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        processes.join_or_kill(p)
    return time.perf_counter() - t0


def gil_table(
    workers: int | None = None, n: int | None = None, method: str | None = None
) -> pd.DataFrame:
    """The same CPU-bound jobs run one after another, in threads, and in processes.

    ``workers`` jobs (default: the CPUs this process may use, at least 2) each run
    ``cpu_work(n)``. The speed-up is the one-after-another time divided by each way's time: with
    the GIL, threads stay near 1x; processes approach ``workers``x when there are that many cores.
    Process times include starting the processes (``fork`` where available, else ``spawn``).
    """
    workers = workers or max(2, threads.usable_cpus())
    if workers < 1:
        raise ValueError("workers must be at least 1")
    n = n or calibrate_work(0.4)
    method = method or processes.demo_methods()[0]
    t0 = time.perf_counter()
    for _ in range(workers):
        processes.cpu_work(n)
    serial = time.perf_counter() - t0
    in_threads = threads.run_in_threads(processes.cpu_work, (n,), workers)
    in_procs = _run_in_processes(n, workers, method)
    rows = [
        ("one after another", serial),
        (f"{workers} threads", in_threads),
        (f"{workers} processes ({method})", in_procs),
    ]
    table = pd.DataFrame(rows, columns=["how", "seconds"]).set_index("how")
    table["speedup"] = serial / table["seconds"]
    table.attrs.update({"workers": workers, "n": n, "cpus": threads.usable_cpus()})
    return table


def limits_table(limits: Mapping[str, Any]) -> pd.DataFrame:
    """A two-column table (limit, value) from :func:`~gmpkit.demos.threads.thread_limits`."""
    return pd.DataFrame(
        [
            {"limit": k, "value": "unreadable here" if v is None else str(v)}
            for k, v in limits.items()
        ]
    ).set_index("limit")
