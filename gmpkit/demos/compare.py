"""One comparison table for processes, threads and coroutines, measured on this machine.

Each chapter adds its own rows (``measure_process``, ``measure_thread``, ``measure_coroutine``,
``measure_simulated_goroutine``) and shows :func:`comparison_table`; chapter 4 builds the row for
real Go goroutines from a Go program's output, and the last chapter reuses all of them. Every row
has the same three costs:

- ``create_us``: microseconds to create one unit, start it, and see it finish;
- ``memory_kib``: KiB of memory one idle unit holds (how it is measured differs per unit and is
  written in the ``how`` column: private memory of a child, resident-memory growth per thread,
  Python heap per suspended task);
- ``switch_us``: microseconds for one hand-over from one unit to another (ping-pong).

The numbers are medians of short runs: good for "how many times bigger", not for a benchmark.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import pandas as pd
import plotly.graph_objects as go

import gmpkit as gk
from gmpkit.demos import coroutines, processes, threads

#: The columns of the comparison table, in order.
COLUMNS = ("create_us", "memory_kib", "switch_us", "how")


@dataclass(frozen=True)
class Row:
    """One kind of concurrent unit and what it costs here."""

    unit: str
    create_us: float
    memory_kib: float | None
    switch_us: float
    how: str


def measure_process(method: str = "spawn", quick: bool = True) -> Row:
    """Costs of one child process started with ``method`` (``fork``, ``spawn``, ``forkserver``)."""
    n = (3 if method == "spawn" else 10) if quick else (10 if method == "spawn" else 50)
    create = statistics.median(processes.creation_times(method, n))
    mem = [m for m in processes.child_private_memory(method, 2) if m is not None]
    switch = processes.pingpong_seconds(method, 500 if quick else 5000)
    return Row(
        unit=f"process ({method})",
        create_us=create * 1e6,
        memory_kib=statistics.median(mem) / 1024 if mem else None,
        switch_us=switch * 1e6,
        how="start+join a child; its private memory (USS); pipe ping-pong on one CPU",
    )


def measure_thread(quick: bool = True) -> Row:
    """Costs of one OS thread."""
    create = statistics.median(threads.creation_times(200 if quick else 2000))
    many = threads.start_many_threads(500 if quick else 1000)
    switch = threads.pingpong_seconds(2000 if quick else 20_000)
    rss = many["rss_per_thread"]
    return Row(
        unit="thread",
        create_us=create * 1e6,
        memory_kib=None if rss is None else rss / 1024,
        switch_us=switch * 1e6,
        how="start+join a thread; resident memory growth per idle thread; queue ping-pong",
    )


async def _coroutine_costs(quick: bool) -> tuple[dict[str, float], float]:
    costs = await coroutines.task_costs(20_000 if quick else 100_000)
    switch = await coroutines.pingpong_seconds(5_000 if quick else 50_000)
    return costs, switch


def measure_coroutine(quick: bool = True) -> Row:
    """Costs of one asyncio task (a coroutine the event loop schedules).

    Runs on a helper thread with its own event loop, so it also works inside a notebook; in a
    notebook you can await :func:`measure_coroutine_async` instead.
    """
    return coroutines.run_sync(measure_coroutine_async, quick)


async def measure_coroutine_async(quick: bool = True) -> Row:
    """The same as :func:`measure_coroutine`, awaited in the running event loop."""
    costs, switch = await _coroutine_costs(quick)
    return Row(
        unit="coroutine (asyncio task)",
        create_us=(costs["create_s"] + costs["first_run_s"] + costs["finish_s"]) * 1e6,
        memory_kib=costs["bytes_per_task"] / 1024,
        switch_us=switch * 1e6,
        how="create+run+finish a task; Python heap per suspended task; sleep(0) ping-pong",
    )


async def _finish(wg: gk.WaitGroup) -> None:
    wg.done()


async def _park(block: gk.Chan, wg: gk.WaitGroup) -> None:
    wg.done()
    await block.recv()


async def _spawn(n: int, parked: bool, held: dict[str, int]) -> None:
    block, wg = gk.Chan(), gk.WaitGroup()
    wg.add(n)
    for _ in range(n):
        if parked:
            gk.go(_park, block, wg)
        else:
            gk.go(_finish, wg)
    await wg.wait()  # parked: all n are now blocked on `block`
    if tracemalloc.is_tracing():
        held["bytes"] = tracemalloc.get_traced_memory()[0]


def simulated_goroutine_costs(n: int = 100_000, gomaxprocs: int = 4) -> dict[str, float]:
    """What one goroutine costs the *simulator* (Python on this machine), for ``n`` goroutines.

    ``create_s``: host seconds per goroutine to create it (``gk.go``), run it and see it finish,
    with the recorder off. ``park_s``: the same for goroutines that stay parked on a channel.
    ``bytes_per_goroutine``: Python heap (tracemalloc) per parked goroutine, measured in a
    separate run because tracing slows allocation.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    held: dict[str, int] = {}
    t0 = time.perf_counter()
    gk.run(_spawn, n, False, held, gomaxprocs=gomaxprocs, record=False)
    t1 = time.perf_counter()
    gk.run(_spawn, n, True, held, gomaxprocs=gomaxprocs, record=False)
    t2 = time.perf_counter()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        gk.run(_spawn, n, True, held, gomaxprocs=gomaxprocs, record=False)
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return {
        "goroutines": n,
        "create_s": (t1 - t0) / n,
        "park_s": (t2 - t1) / n,
        "bytes_per_goroutine": (held["bytes"] - base) / n,
    }


async def _echo(ping: gk.Chan, pong: gk.Chan) -> None:
    while True:
        v, ok = await ping.recv2()
        if not ok:
            return
        await pong.send(v)


async def _pingpong(rounds: int) -> None:
    ping, pong = gk.Chan(), gk.Chan()
    gk.go(_echo, ping, pong)
    for i in range(rounds):
        await ping.send(i)
        await pong.recv()
    ping.close()


def simulated_pingpong_seconds(rounds: int = 20_000) -> float:
    """Host seconds per hand-over when two simulated goroutines ping-pong on unbuffered channels
    (GOMAXPROCS=1, recorder off)."""
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    t0 = time.perf_counter()
    gk.run(_pingpong, rounds, gomaxprocs=1, record=False)
    return (time.perf_counter() - t0) / (2 * rounds)


def measure_simulated_goroutine(quick: bool = True) -> Row:
    """Costs of one goroutine in gmpkit's simulator: what it costs *Python* to model it."""
    costs = simulated_goroutine_costs(20_000 if quick else 100_000)
    switch = simulated_pingpong_seconds(5_000 if quick else 50_000)
    return Row(
        unit="goroutine (gmpkit model)",
        create_us=costs["create_s"] * 1e6,
        memory_kib=costs["bytes_per_goroutine"] / 1024,
        switch_us=switch * 1e6,
        how="simulator's host cost: go+run+finish; Python heap per parked G; channel ping-pong",
    )


def measure_all(quick: bool = True) -> list[Row]:
    """Rows for every start method this platform has, a thread, and an asyncio task."""
    rows = [measure_process(m, quick) for m in processes.demo_methods()]
    rows.append(measure_thread(quick))
    rows.append(measure_coroutine(quick))
    return rows


def comparison_table(rows: Iterable[Row] | None = None) -> pd.DataFrame:
    """The comparison table, one row per unit, plus each cost relative to the cheapest row.

    With ``rows=None`` everything is measured now (a few seconds).
    """
    rows = measure_all() if rows is None else list(rows)
    if not rows:
        raise ValueError("no rows to compare")
    frame = pd.DataFrame([asdict(r) for r in rows]).set_index("unit")
    for col in ("create_us", "switch_us"):
        frame[col.replace("_us", "_x")] = frame[col] / frame[col].min()
    return frame[["create_us", "create_x", "memory_kib", "switch_us", "switch_x", "how"]]


def comparison_chart(
    table: pd.DataFrame, columns: Sequence[str] = ("create_us", "switch_us", "memory_kib")
) -> go.Figure:
    """Grouped bars on a log scale: each cost for each unit."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the table")
    fig = go.Figure([go.Bar(name=c, x=[str(i) for i in table.index], y=table[c]) for c in columns])
    fig.update_layout(
        barmode="group",
        title="What one unit costs on this machine (log scale)",
        yaxis_title="µs or KiB",
        height=400,
    )
    fig.update_yaxes(type="log")
    return fig


#: What the usual comparison table says about each kind of unit, as this course found it.
#: Keys are the first word of a row's ``unit``.
QUALITIES: dict[str, dict[str, str]] = {
    "process": {
        "isolation 资源隔离": "own memory (ch. 1 §2); sharing only on request (§5.3)",
        "scheduled by 调度方式": "the OS",
        "communication 通信方式": "IPC: pipe, queue, shared memory (ch. 1 §5)",
        "typical use 典型应用": "isolation; CPU-bound work on all cores",
    },
    "thread": {
        "isolation 资源隔离": "shares the process's memory (ch. 2 §1)",
        "scheduled by 调度方式": "the OS (and, in CPython, the GIL)",
        "communication 通信方式": "shared memory + locks (ch. 2 §2)",
        "typical use 典型应用": "blocking I/O; parallel work outside the GIL",
    },
    "coroutine": {
        "isolation 资源隔离": "shares its thread's memory",
        "scheduled by 调度方式": "a user-space scheduler (ch. 3 §2, the event loop)",
        "communication 通信方式": "shared memory; races across await (ch. 3 §5); queues",
        "typical use 典型应用": "many concurrent waits: network clients, servers, crawlers",
    },
    "goroutine": {
        "isolation 资源隔离": "shares the process's memory; races are possible (ch. 4 §8)",
        "scheduled by 调度方式": "the Go runtime: M:N onto OS threads, with preemption (ch. 4 §5)",
        "communication 通信方式": "channels, and shared memory + sync.Mutex (ch. 4 §2, §8)",
        "typical use 典型应用": "servers and pipelines with very many concurrent tasks",
    },
}

#: The rows of :func:`summary_table`, in order (two of them measured, the rest from QUALITIES).
ASPECTS = (
    "isolation 资源隔离",
    "scheduled by 调度方式",
    "creation cost 创建开销",
    "communication 通信方式",
    "concurrency 并发能力",
    "typical use 典型应用",
)


def summary_table(
    table: pd.DataFrame, qualities: dict[str, dict[str, str]] | None = None
) -> pd.DataFrame:
    """The usual side-by-side table, one column per unit of ``table``, with measured figures.

    "creation cost" comes from ``create_us``; "concurrency" is how many idle units fit in 1 GiB
    by ``memory_kib``. The other rows are the descriptions in :data:`QUALITIES` (extend them with
    ``qualities``, keyed by the first word of the unit's name).
    """
    known = {**QUALITIES, **(qualities or {})}
    columns = {}
    for unit in table.index:
        kind = str(unit).split()[0]
        words = known.get(kind, {})
        create = table.loc[unit, "create_us"]
        mem = table.loc[unit, "memory_kib"]
        fits = "n/a" if pd.isna(mem) or mem <= 0 else f"{2**30 / (mem * 1024):,.0f} fit in 1 GiB"
        columns[str(unit)] = [
            words.get(ASPECTS[0], "?"),
            words.get(ASPECTS[1], "?"),
            f"{create:,.1f} µs" if create < 1000 else f"{create / 1000:,.1f} ms",
            words.get(ASPECTS[3], "?"),
            fits,
            words.get(ASPECTS[5], "?"),
        ]
    return pd.DataFrame(columns, index=list(ASPECTS))
