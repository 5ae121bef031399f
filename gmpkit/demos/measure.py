"""Measurements that hold on any machine, and the tables and charts made from them.

A single timing on a laptop that is also compiling something, or in a Binder pod with a CPU quota,
can be off by a factor of two. So every figure in chapters 1–4 comes from :func:`repeat`:

- several runs, and the **best** run is the figure quoted (what the machine can do when nothing
  gets in the way); the **median** and **worst** run are shown beside it, so the spread is visible;
- **CPU time** beside wall-clock time: wall time includes waiting for a CPU that another program
  holds; CPU time (this process and the children it has waited for, ``os.times``) does not, and
  CPU time divided by wall time says how many CPUs were busy at once.

Tables round to three significant figures and put the unit in the column name. Sentences that
depend on a measurement (the GIL verdict) are generated from it, so the text says what *this* run
showed, whichever way it went.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from gmpkit.demos import cpus as cpus_module
from gmpkit.demos import processes, threads
from gmpkit.demos.threads import RaceResult
from gmpkit.renderer import use_html_renderer

use_html_renderer()

#: Units a duration table can be shown in, with seconds per unit.
UNITS = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}


def cpu_seconds() -> float:
    """CPU time used so far by this process (all its threads, ``time.process_time``) and by
    the children it has waited for (``getrusage(RUSAGE_CHILDREN)``, microsecond resolution;
    ``os.times`` where that is missing): user + system."""
    try:
        import resource

        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = ru.ru_utime + ru.ru_stime
    except (ImportError, AttributeError, OSError):
        t = os.times()
        children = t.children_user + t.children_system
    return time.process_time() + children


@dataclass(frozen=True)
class Timing:
    """Several runs of one measurement, in seconds per operation.

    ``wall[i]`` and ``cpu[i]`` are run ``i``'s wall-clock and CPU seconds per operation (``cpu``
    is None when it cannot be measured, e.g. inside another process).
    """

    what: str
    wall: tuple[float, ...]
    cpu: tuple[float | None, ...]

    def __post_init__(self) -> None:
        if not self.wall:
            raise ValueError(f"no runs for {self.what!r}")
        if len(self.cpu) != len(self.wall):
            raise ValueError("wall and cpu need one value per run")

    @property
    def runs(self) -> int:
        return len(self.wall)

    @property
    def best(self) -> float:
        """The fastest run: the figure quoted."""
        return min(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def worst(self) -> float:
        return max(self.wall)

    @property
    def best_cpu(self) -> float | None:
        """CPU seconds per operation in the fastest run."""
        return self.cpu[self.wall.index(self.best)]

    @property
    def spread(self) -> float:
        """Worst run / best run (1.0: every run the same)."""
        return self.worst / self.best if self.best > 0 else math.inf

    def __str__(self) -> str:
        unit = pick_unit([self.best])
        return (f"{self.what}: {fmt(self.best, unit)} (best of {self.runs}; median "
                f"{fmt(self.median, unit)}, worst {fmt(self.worst, unit)})")


def repeat(fn: Callable[[], Any], runs: int = 5, *, per: int = 1, what: str = "") -> Timing:
    """Call ``fn()`` ``runs`` times; time each call (wall and CPU) and divide by ``per``.

    If ``fn`` returns a number, that is the run's wall time in seconds, measured inside (for a
    measurement that must leave set-up out, or runs in another process); if it returns a pair,
    that is (wall, cpu). Otherwise the whole call is timed.
    """
    if runs < 1 or per < 1:
        raise ValueError("runs and per must be at least 1")
    walls: list[float] = []
    cpus: list[float | None] = []
    for _ in range(runs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        result = fn()
        t1, c1 = time.perf_counter(), cpu_seconds()
        if isinstance(result, tuple):
            wall, cpu = result
        elif isinstance(result, (int, float)) and not isinstance(result, bool):
            wall, cpu = float(result), None
        else:
            wall, cpu = t1 - t0, c1 - c0
        walls.append(wall / per)
        cpus.append(None if cpu is None else cpu / per)
    return Timing(what or getattr(fn, "__name__", "run"), tuple(walls), tuple(cpus))


def from_samples(what: str, samples: Sequence[float], cpu: Sequence[float | None] | None = None
                 ) -> Timing:
    """A :class:`Timing` from durations measured elsewhere (seconds per operation)."""
    return Timing(what, tuple(samples), tuple(cpu) if cpu is not None else (None,) * len(samples))


def pick_unit(seconds: Iterable[float]) -> str:
    """The unit in which the smallest of ``seconds`` reads between 1 and 1000."""
    values = [s for s in seconds if s and s > 0 and math.isfinite(s)]
    if not values:
        return "s"
    low = min(values)
    for unit in ("ns", "µs", "ms"):
        if low < 999.5 * UNITS[unit]:  # what rounds to 1000 reads better in the next unit
            return unit
    return "s"


def sig(x: float, digits: int = 3) -> float:
    """``x`` rounded to ``digits`` significant figures (tables show no more than they know)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def fmt(seconds: float, unit: str | None = None) -> str:
    """A duration as text with its unit, three significant figures: ``'12.3 µs'``."""
    unit = unit or pick_unit([seconds])
    value = sig(seconds / UNITS[unit])
    text = f"{value:,.{max(0, 2 - int(math.floor(math.log10(abs(value))))) if value else 0}f}"
    return f"{text} {unit}"


def times_text(ratio: float) -> str:
    """A ratio as the notebooks say it: ``'3.2×'``, ``'41×'``."""
    return f"{sig(ratio, 2):g}×" if ratio < 10 else f"{ratio:,.0f}×"


def timing_table(timings: Sequence[Timing] | Mapping[str, Sequence[float]],
                 unit: str | None = None) -> pd.DataFrame:
    """One row per measurement: best, median and worst run, and CPU time in the best run.

    Accepts :class:`Timing` objects or, for durations measured elsewhere, a mapping from a label
    to samples in seconds. One unit for the whole table (chosen from the smallest best figure,
    or given as ``unit``: ``ns``, ``µs``, ``ms``, ``s``), named in every column header.
    """
    items = ([from_samples(k, v) for k, v in timings.items()] if isinstance(timings, Mapping)
             else list(timings))
    if not items:
        raise ValueError("no timings to show")
    unit = unit or pick_unit(t.best for t in items)
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}")
    scale = UNITS[unit]
    rows = []
    for t in items:
        cpu = t.best_cpu
        rows.append({
            "what": t.what,
            f"best ({unit})": sig(t.best / scale),
            f"median ({unit})": sig(t.median / scale),
            f"worst ({unit})": sig(t.worst / scale),
            f"CPU in best run ({unit})": None if cpu is None else sig(cpu / scale),
            "runs": t.runs,
        })
    table = pd.DataFrame(rows).set_index("what")
    if table[f"CPU in best run ({unit})"].isna().all():
        table = table.drop(columns=[f"CPU in best run ({unit})"])
    table.attrs["unit"] = unit
    return table


def bar_chart(table: pd.DataFrame, column: str, title: str, log: bool = False) -> go.Figure:
    """A bar per row of ``table`` showing ``column``; a ``best (unit)`` column gets error bars
    up to the table's ``worst (unit)`` column, so the spread of the runs shows."""
    if column not in table.columns:
        raise ValueError(f"{column!r} is not a column; choose one of {list(table.columns)}")
    bar: dict[str, Any] = {"x": [str(i) for i in table.index], "y": list(table[column]),
                           "name": column}
    worst = column.replace("best", "worst")
    if column.startswith("best") and worst in table.columns:
        bar["error_y"] = {"type": "data", "symmetric": False,
                          "array": list(table[worst] - table[column]),
                          "arrayminus": [0] * len(table)}
    fig = go.Figure(go.Bar(**bar))
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


def calibrate_work(target_seconds: float = 0.25) -> int:
    """An ``n`` for :func:`~gmpkit.demos.processes.cpu_work` that takes about ``target_seconds``
    of CPU time (CPU, not wall: a busy machine does not make the job smaller)."""
    if target_seconds <= 0:
        raise ValueError("target_seconds must be positive")
    n = 100_000
    while True:
        c0 = time.process_time()
        processes.cpu_work(n)
        took = time.process_time() - c0
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


# --------------------------------------------------------------------------------------------
# The GIL: the same CPU-bound jobs one after another, in threads, in processes


def gil_table(workers: int | None = None, n: int | None = None, method: str | None = None,
              runs: int = 3) -> pd.DataFrame:
    """``workers`` CPU-bound jobs (``cpu_work(n)``) run one after another, in threads, and in
    processes, each way ``runs`` times.

    Columns: the best run's wall time, the CPU time in that run, **CPUs busy** (CPU time / wall
    time: how many CPUs worked at once) and the **speed-up** (best one-after-another time / best
    time of this way). ``workers`` defaults to the CPUs this process may use (cgroup-aware), at
    least 2. Process times include starting the processes (``fork`` where available, else
    ``spawn``). ``table.attrs`` holds the inputs and the :class:`~gmpkit.demos.cpus.CPUs` found.
    """
    info = cpus_module.cpu_info()
    workers = workers or max(2, info.usable)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    n = n or calibrate_work()
    method = method or processes.demo_methods()[0]

    def serial() -> None:
        for _ in range(workers):
            processes.cpu_work(n)

    ways = [
        ("one after another", serial),
        (f"{workers} threads", lambda: threads.run_in_threads(processes.cpu_work, (n,), workers)),
        (f"{workers} processes ({method})", lambda: _run_in_processes(n, workers, method)),
    ]
    timings = []
    for label, fn in ways:
        def timed(fn: Callable[[], Any] = fn) -> None:
            fn()  # time the whole call, so wall and CPU cover the same interval
        timings.append(repeat(timed, runs, what=label))
    serial_best = timings[0].best
    rows = []
    for t in timings:
        cpu = t.best_cpu or 0.0
        rows.append({
            "how": t.what,
            "wall, best (s)": sig(t.best),
            "wall, worst (s)": sig(t.worst),
            "CPU in best run (s)": sig(cpu),
            "CPUs busy": round(cpu / t.best, 2),
            "speed-up": round(serial_best / t.best, 2),
        })
    table = pd.DataFrame(rows).set_index("how")
    table.attrs.update({"workers": workers, "n": n, "runs": runs, "method": method,
                        "cpus": info, "load": _load()})
    return table


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def gil_verdict(table: pd.DataFrame, gil_enabled: bool = True) -> str:
    """What this run of :func:`gil_table` showed, in sentences that follow the numbers."""
    info: cpus_module.CPUs = table.attrs["cpus"]
    workers = table.attrs["workers"]
    thread_row, proc_row = table.iloc[1], table.iloc[2]
    t_busy, p_busy = thread_row["CPUs busy"], proc_row["CPUs busy"]
    t_speed, p_speed = thread_row["speed-up"], proc_row["speed-up"]
    out = []
    if gil_enabled:
        if t_busy <= 1.2:
            out.append(f"The {workers} threads kept at most {t_busy:.2f} CPUs busy, so they "
                       f"finished {times_text(t_speed)} as fast as one after another: with the "
                       f"GIL, only one thread at a time runs Python code.")
        else:
            out.append(f"Surprise: the threads kept {t_busy:.2f} CPUs busy. With the GIL on, "
                       "pure-Python threads should stay near 1; something in the job released "
                       "the GIL.")
    else:
        out.append(f"The GIL is off in this Python: the threads kept {t_busy:.2f} CPUs busy and "
                   f"finished {times_text(t_speed)} as fast as one after another.")
    if info.usable < 2:
        out.append(f"This notebook may use only {info.usable} CPU ({info.describe()}), so the "
                   f"processes could not run at the same time either ({p_busy:.2f} CPUs busy, "
                   f"speed-up {times_text(p_speed)}). On a machine with free cores they would.")
    elif p_busy >= 1.5 and p_speed >= 1.3:
        out.append(f"The {workers} processes kept {p_busy:.2f} CPUs busy and finished "
                   f"{times_text(p_speed)} as fast: each process has its own interpreter and "
                   "its own GIL.")
    else:
        load = table.attrs.get("load")
        busy = f" (load average {load:.1f} on {info.usable} usable CPUs)" if load is not None else ""
        out.append(f"The processes kept only {p_busy:.2f} CPUs busy (speed-up "
                   f"{times_text(p_speed)}): other programs held the CPUs during this run"
                   f"{busy}. Each process has its own GIL, so on an idle machine they approach "
                   f"{min(workers, info.usable)}×; run the cell again later to see it.")
    return " ".join(out)


def limits_table(limits: Mapping[str, Any]) -> pd.DataFrame:
    """A two-column table (limit, value) from :func:`~gmpkit.demos.threads.thread_limits`."""
    return pd.DataFrame(
        [
            {"limit": k, "value": "unreadable here" if v is None else f"{v:,}"
             if isinstance(v, int) else str(v)}
            for k, v in limits.items()
        ]
    ).set_index("limit")
