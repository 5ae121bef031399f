"""One comparison table for processes, threads, coroutines and goroutines, measured on this machine.

This module is the single source of the course's comparison table: chapters 1–4 each add their
rows, and the last chapter reuses all of them. Every row has the same three costs:

- **create**: time to create one unit, start it, and see it finish;
- **memory**: KiB one idle unit holds (how it is measured differs per unit and is written in the
  ``how`` column: private memory of a child, resident-memory growth per thread, Python heap per
  suspended task, ``MemStats.Sys`` growth per parked goroutine);
- **switch**: time for one hand-over from one unit to another (ping-pong).

Creation and switch costs are :class:`~gmpkit.demos.measure.Timing` objects: several runs, the best
quoted, the worst shown beside it, CPU time measured too. A chapter measures each row once
(``measure_process`` ...) and builds every table and chart of the page from those rows, so the same
quantity never shows two values on one page.

Chapters 3, 4 and 8 take their rows from :func:`measurements`: one :class:`Measurements` per
kernel (per Python process), each row measured the first time it is asked for and reused after,
so a chapter that shows the table in two places, or a reader who runs a cell twice, sees the same
figures, and the last chapter's summary is the same measurement pass as its table.

What it costs the *simulator* to model a goroutine (:func:`simulator_costs`) is a property of
gmpkit, not of goroutines: it has its own table and never enters this one.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

import gmpkit as gk
from gmpkit.demos import coroutines, measure, processes, threads
from gmpkit.demos.measure import Timing, fmt, from_samples, repeat, sig
from gmpkit.renderer import use_html_renderer

use_html_renderer()

#: The numeric columns of :func:`comparison_table`, in order.
COLUMNS = ("create_us", "create_worst_us", "memory_kib", "switch_us", "switch_worst_us",
           "create_x", "switch_x", "how")


@dataclass(frozen=True)
class Row:
    """One kind of concurrent unit and what it costs here (seconds per operation)."""

    unit: str
    create: Timing
    memory_kib: float | None
    switch: Timing | None
    how: str
    source: str = "measured now"  # or e.g. "recorded: real Go, 2026-12-04, linux/x86_64"

    @property
    def create_us(self) -> float:
        return self.create.best * 1e6

    @property
    def switch_us(self) -> float | None:
        return None if self.switch is None else self.switch.best * 1e6


def measure_process(method: str = "spawn", quick: bool = True) -> Row:
    """Costs of one child process started with ``method`` (``fork``, ``spawn``, ``forkserver``):
    best of several runs for creation and switch."""
    per = (2 if quick else 5) if method == "spawn" else (5 if quick else 20)
    runs = 3 if method == "spawn" else 5

    def children() -> None:
        for _ in range(per):
            processes.start_and_join(method)

    create = repeat(children, runs, per=per, what=f"create a process ({method})")
    mem = [m for m in processes.child_private_memory(method, 2) if m is not None]
    switch = repeat(lambda: processes.pingpong_times(method, 500 if quick else 5000), 3,
                    what=f"process hand-over ({method})")
    return Row(
        unit=f"process ({method})",
        create=create,
        memory_kib=statistics.median(mem) / 1024 if mem else None,
        switch=switch,
        how="start+join a child; its private memory (USS); pipe ping-pong on one CPU",
    )


def measure_thread(quick: bool = True) -> Row:
    """Costs of one OS thread: best of five runs for creation and switch."""
    per = 100 if quick else 1000

    def one_by_one() -> None:
        for _ in range(per):
            threads.start_and_join()

    create = repeat(one_by_one, 5, per=per, what="create a thread")
    many = threads.start_many_threads(500 if quick else 1000)
    switch = repeat(lambda: threads.pingpong_times(2000 if quick else 20_000), 5,
                    what="thread hand-over")
    rss = many["rss_per_thread"]
    return Row(
        unit="thread",
        create=create,
        memory_kib=None if rss is None else rss / 1024,
        switch=switch,
        how="start+join a thread; resident memory growth per idle thread; queue ping-pong",
    )


def measure_coroutine(quick: bool = True) -> Row:
    """Costs of one asyncio task (a coroutine the event loop schedules).

    Runs on a helper thread with its own event loop, so it also works inside a notebook; in a
    notebook you can await :func:`measure_coroutine_async` instead.
    """
    return coroutines.run_sync(measure_coroutine_async, quick)


async def measure_coroutine_async(quick: bool = True, runs: int = 5) -> Row:
    """The same as :func:`measure_coroutine`, awaited in the running event loop."""
    n = 20_000 if quick else 100_000
    walls, cpus, memory = [], [], []
    for _ in range(runs):
        c = await coroutines.task_costs(n)
        walls.append(c["create_s"] + c["first_run_s"] + c["finish_s"])
        cpus.append(c["cpu_s"])
        memory.append(c["bytes_per_task"])
    switches = [await coroutines.pingpong_times(5_000 if quick else 50_000) for _ in range(runs)]
    return Row(
        unit="coroutine (asyncio task)",
        create=from_samples("create an asyncio task", walls, cpus),
        memory_kib=statistics.median(memory) / 1024,
        switch=from_samples("task switch", [w for w, _ in switches], [c for _, c in switches]),
        how="create+run+finish a task; Python heap per suspended task; sleep(0) ping-pong",
    )


def real_goroutine_row(facts: object) -> Row:
    """The row for real Go goroutines from :func:`gmpkit.demos.gofacts.goroutine_costs` (live or
    recorded; a recorded row says so in ``source`` and in its name)."""
    from gmpkit.demos.gofacts import GoFacts

    if not isinstance(facts, GoFacts):
        raise TypeError("pass the result of gofacts.goroutine_costs()")
    runs = list(facts.values)
    unit = "goroutine (real Go)" if facts.live else "goroutine (real Go, recorded)"
    return Row(
        unit=unit,
        create=from_samples("create a goroutine", [r["create_ns"] * 1e-9 for r in runs],
                            [r["create_cpu_ns"] * 1e-9 for r in runs]),
        memory_kib=statistics.median(r["sys_bytes"] for r in runs) / 1024,
        switch=from_samples("goroutine hand-over", [r["switch_ns"] * 1e-9 for r in runs],
                            [r["switch_cpu_ns"] * 1e-9 for r in runs]),
        how="go + start 100 000 goroutines; MemStats.Sys growth per parked one; channel ping-pong",
        source=facts.label,
    )


def versus(a: Row, b: Row, cost: str = "create") -> str:
    """One sentence comparing the best runs of two rows' ``cost`` (``"create"`` or
    ``"switch"``), the right way round whichever was faster in this run."""
    if cost not in ("create", "switch"):
        raise ValueError("cost must be 'create' or 'switch'")
    ta, tb = getattr(a, cost), getattr(b, cost)
    if ta is None or tb is None:
        raise ValueError(f"both rows need a {cost} measurement")
    what = "to create" if cost == "create" else "per hand-over"
    x, y = ta.best, tb.best
    head = f"{a.unit[0].upper()}{a.unit[1:]}: {fmt(x)} {what}; {b.unit}: {fmt(y)}"
    ratio = max(x, y) / min(x, y)
    if ratio < 1.2:
        return f"{head}. About the same (within 20%) in this run."
    slower = a.unit if x > y else b.unit
    return f"{head}. The {slower} took {measure.times_text(ratio)} as long (best runs)."


def measure_all(quick: bool = True) -> list[Row]:
    """Rows for every start method this platform has, a thread, and an asyncio task."""
    rows = [measure_process(m, quick) for m in processes.demo_methods()]
    rows.append(measure_thread(quick))
    rows.append(measure_coroutine(quick))
    return rows


class Measurements:
    """One measurement pass of the comparison table, kept: every row is measured the first time
    it is asked for and never again (``measured`` counts the passes of each, for the tests).

    ``processes`` (one row per start method of :func:`processes.demo_methods`), ``thread``,
    ``coroutine`` and ``goroutine`` (real Go: live when a toolchain is here, else the recorded
    run, which says so in its ``source``) are :class:`Row` objects; ``go_facts`` is the
    :class:`~gmpkit.demos.gofacts.GoFacts` the goroutine row comes from. ``table()`` is
    :func:`comparison_table` of the rows, built once per choice of rows.
    """

    def __init__(self, quick: bool = True, go_runs: int = 3) -> None:
        self.quick = quick
        self.go_runs = go_runs
        self._rows: dict[str, Row] = {}
        self._go: object | None = None
        self._tables: dict[tuple[str, ...], pd.DataFrame] = {}
        self.measured: dict[str, int] = {}

    def __repr__(self) -> str:
        done = ", ".join(self._rows) or "nothing yet"
        return f"<Measurements quick={self.quick}: measured {done}>"

    def _row(self, key: str, measure_it: Callable[[], Row]) -> Row:
        if key not in self._rows:
            self._rows[key] = measure_it()
            self.measured[key] = self.measured.get(key, 0) + 1
        return self._rows[key]

    def process(self, method: str) -> Row:
        """The row of a process started with ``method``."""
        return self._row(f"process ({method})", lambda: measure_process(method, self.quick))

    @property
    def processes(self) -> dict[str, Row]:
        """Start method -> row, for every method this platform has (``fork``, ``spawn`` ...)."""
        return {m: self.process(m) for m in processes.demo_methods()}

    @property
    def thread(self) -> Row:
        return self._row("thread", lambda: measure_thread(self.quick))

    @property
    def coroutine(self) -> Row:
        """The asyncio task's row, measured on a helper thread's event loop (in a notebook,
        ``await m.coroutine_async()`` measures it in the notebook's own loop instead)."""
        return self._row("coroutine", lambda: measure_coroutine(self.quick))

    async def coroutine_async(self) -> Row:
        """:attr:`coroutine`, measured (the first time) in the running event loop."""
        if "coroutine" not in self._rows:
            row = await measure_coroutine_async(self.quick)
            self._row("coroutine", lambda: row)
        return self._rows["coroutine"]

    @property
    def go_facts(self) -> Any:
        """Real Go's goroutine costs (:func:`gofacts.goroutine_costs`), live or recorded."""
        if self._go is None:
            from gmpkit.demos import gofacts

            self._go = gofacts.goroutine_costs(runs=self.go_runs)
            self.measured["goroutine"] = self.measured.get("goroutine", 0) + 1
        return self._go

    @property
    def goroutine(self) -> Row:
        return self._row("goroutine (real Go)", lambda: real_goroutine_row(self.go_facts))

    def rows(self, goroutines: bool = False) -> list[Row]:
        """Every process row, the thread, the asyncio task and, with ``goroutines``, real Go."""
        rows = [*self.processes.values(), self.thread, self.coroutine]
        return rows + [self.goroutine] if goroutines else rows

    def table(self, goroutines: bool = False) -> pd.DataFrame:
        """:func:`comparison_table` of :meth:`rows` (the same frame each time it is asked for)."""
        rows = self.rows(goroutines)
        key = tuple(r.unit for r in rows)
        if key not in self._tables:
            self._tables[key] = comparison_table(rows)
        return self._tables[key]


_MEASURED: dict[bool, Measurements] = {}


def measurements(quick: bool = True, *, refresh: bool = False) -> Measurements:
    """This kernel's :class:`Measurements` (one per ``quick``), created on the first call and
    returned by every later one; ``refresh=True`` starts a new pass."""
    if refresh or quick not in _MEASURED:
        _MEASURED[quick] = Measurements(quick)
    return _MEASURED[quick]


def comparison_table(rows: Iterable[Row] | None = None) -> pd.DataFrame:
    """The comparison table as numbers: best and worst run of each cost, memory, and each cost
    relative to the cheapest row (``create_x``, ``switch_x``). With ``rows=None`` the rows of
    :func:`measurements` (measured now the first time, about ten seconds)."""
    rows = measurements().rows() if rows is None else list(rows)
    if not rows:
        raise ValueError("no rows to compare")
    frame = pd.DataFrame([{
        "unit": r.unit,
        "create_us": r.create.best * 1e6,
        "create_worst_us": r.create.worst * 1e6,
        "memory_kib": r.memory_kib,
        "switch_us": None if r.switch is None else r.switch.best * 1e6,
        "switch_worst_us": None if r.switch is None else r.switch.worst * 1e6,
        "how": r.how,
        "source": r.source,
    } for r in rows]).set_index("unit")
    for col in ("create_us", "switch_us"):
        frame[col.replace("_us", "_x")] = frame[col] / frame[col].min()
    frame.attrs["rows"] = rows
    return frame[[*COLUMNS, "source"]]


def _kib(kib: float | None) -> str:
    if kib is None or pd.isna(kib):
        return "n/a"
    return f"{sig(kib / 1024):g} MiB" if kib >= 1024 else f"{sig(kib):g} KiB"


def show(table: pd.DataFrame) -> pd.DataFrame:
    """The table for reading: every figure rounded, with its unit, the worst run beside the best,
    and the ratio to the cheapest row."""
    out = pd.DataFrame(index=table.index)

    def cost(best: float, worst: float) -> str:
        if pd.isna(best):
            return "n/a"
        return f"{fmt(best * 1e-6)} (worst {fmt(worst * 1e-6)})"

    out["create one"] = [cost(b, w) for b, w in zip(table.create_us, table.create_worst_us)]
    out["create ×"] = [measure.times_text(x) for x in table.create_x]
    out["memory per idle one"] = [_kib(k) for k in table.memory_kib]
    out["one hand-over"] = [cost(b, w) for b, w in zip(table.switch_us, table.switch_worst_us)]
    out["hand-over ×"] = ["n/a" if pd.isna(x) else measure.times_text(x) for x in table.switch_x]
    out["how"] = table.how
    if (table.source != "measured now").any():
        out["source"] = table.source
    return out


def comparison_chart(table: pd.DataFrame) -> go.Figure:
    """Three panels, one per cost, each with its own unit and log scale; a bar is the best run
    and its whisker reaches the worst."""
    from plotly.subplots import make_subplots

    panels = [("create one (µs)", "create_us", "create_worst_us"),
              ("memory per idle one (KiB)", "memory_kib", None),
              ("one hand-over (µs)", "switch_us", "switch_worst_us")]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[p[0] for p in panels])
    names = [str(i) for i in table.index]
    for col, (title, best, worst) in enumerate(panels, start=1):
        bar: dict = {"x": names, "y": list(table[best]), "name": title, "showlegend": False}
        if worst is not None:
            bar["error_y"] = {"type": "data", "symmetric": False, "arrayminus": [0] * len(names),
                              "array": list(table[worst] - table[best])}
        fig.add_trace(go.Bar(**bar), row=1, col=col)
        fig.update_yaxes(type="log", title_text=title.split("(")[1].rstrip(")"), row=1, col=col)
    fig.update_layout(title="What one unit costs on this machine (best run; whisker: worst run)",
                      height=420, margin={"t": 80, "b": 40})
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
    by ``memory_kib`` (rounded to two figures: it is an estimate). The other rows are the
    descriptions in :data:`QUALITIES` (extend them with ``qualities``, keyed by the first word of
    the unit's name).
    """
    known = {**QUALITIES, **(qualities or {})}
    columns = {}
    for unit in table.index:
        kind = str(unit).split()[0]
        words = known.get(kind, {})
        create = table.loc[unit, "create_us"]
        mem = table.loc[unit, "memory_kib"]
        if pd.isna(mem) or mem <= 0:
            fits = "n/a"
        else:
            fits = f"about {sig(2**30 / (mem * 1024), 2):,.0f} fit in 1 GiB"
        columns[str(unit)] = [
            words.get(ASPECTS[0], "?"),
            words.get(ASPECTS[1], "?"),
            fmt(create * 1e-6),
            words.get(ASPECTS[3], "?"),
            fits,
            words.get(ASPECTS[5], "?"),
        ]
    return pd.DataFrame(columns, index=list(ASPECTS))


# --------------------------------------------------------------------------------------------
# What the simulator costs (a property of gmpkit, kept apart from the table above)


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


def simulator_costs(n: int = 100_000, runs: int = 3) -> pd.DataFrame:
    """What gmpkit's simulator costs, in Python on this machine, per *simulated* goroutine: best
    of ``runs`` runs with ``n`` goroutines, and the heap of a parked one. These are the limits of
    the model (how big a program a notebook can simulate), not costs of goroutines."""
    samples = [simulated_goroutine_costs(n) for _ in range(runs)]
    switch = [simulated_pingpong_seconds(max(1, n // 10)) for _ in range(runs)]
    timings: Sequence[Timing] = [
        from_samples("gk.go + run + finish", [s["create_s"] for s in samples]),
        from_samples("gk.go + park on a channel", [s["park_s"] for s in samples]),
        from_samples("one channel hand-over", switch),
    ]
    table = measure.timing_table(timings)
    table["Python heap per parked goroutine"] = [
        "", f"{sig(statistics.median(s['bytes_per_goroutine'] for s in samples)):g} bytes", ""]
    table.attrs["goroutines"] = n
    return table
