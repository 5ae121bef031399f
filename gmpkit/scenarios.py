"""Named, seeded workloads: the programs the notebooks, the playground, the tests and the
benchmarks all run.

Each scenario is a small Go-like program written with gmpkit: a factory takes the knobs a learner
may turn (how many goroutines, a seed for the workload's own variety) and returns a
:class:`Scenario`, which holds the program's ``async def main`` and the run options it is best
watched with. ``scenario.run(gomaxprocs=4)`` runs it; any ``gk.run`` option may be overridden.

>>> import gmpkit.scenarios as sc
>>> s = sc.get("cpu_bound", n=6, seed=3)
>>> trace = s.run(gomaxprocs=2)                         # doctest: +SKIP

The seed plays two parts, both deterministic: it draws the workload's sizes (how long each
goroutine computes, sleeps or waits) here, and it is passed on as ``gk.run(seed=...)`` to drive the
scheduler's own random choices (steal order, select order).

| name | what it shows |
|---|---|
| ``cpu_bound`` | pure computation: Ps share the work, stealing spreads it, sysmon preempts long runs |
| ``blocking_syscalls`` | syscalls block their M; sysmon hands the P to another M, threads grow |
| ``network_io`` | goroutines park in the netpoller (``IO wait``) and need no thread while waiting |
| ``channel_pipeline`` | producer → workers → consumer over channels: runnext hand-offs |
| ``goroutine_storm`` | many tiny goroutines: the 256-slot local queue overflows to the global one |
| ``sleepers`` | timers: sleeping goroutines woken onto their P's runnext |
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Scenario", "SCENARIOS", "DEFAULT", "get", "names", "describe"]

Main = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Scenario:
    """A runnable workload: ``main`` plus the options it is meant to be run with."""

    name: str
    title: str
    description: str
    main: Main
    params: dict[str, Any]  # the knobs the factory was called with (n, seed, ...)
    options: dict[str, Any] = field(default_factory=dict)  # gk.run keyword defaults
    # The workload the seed drew (sizes in µs), so the same workload can run elsewhere: the Go
    # versions of the scenarios (gmpkit.golang.trace_scenario) read it.
    plan: dict[str, Any] = field(default_factory=dict)

    def run_options(self, **overrides: Any) -> dict[str, Any]:
        opts = {"seed": self.params.get("seed", 0), **self.options}
        opts.update(overrides)
        return opts

    def run(self, **overrides: Any):
        """Run the program with ``gk.run``; keyword arguments override the scenario's options."""
        return _gk().run(self.main, **self.run_options(**overrides))

    def sim(self, **overrides: Any):
        """The same program as a ``gk.Sim`` to step one scheduling decision at a time."""
        return _gk().Sim(self.main, **self.run_options(**overrides))

    def __repr__(self) -> str:
        knobs = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<Scenario {self.name}({knobs})>"


def _gk():
    # Imported on use so that listing scenarios never needs the simulator loaded.
    import gmpkit

    return gmpkit


def _named(fn, name: str):
    """Give a nested worker a plain name, so dumps say ``main.worker`` like Go would."""
    fn.__qualname__ = fn.__name__ = name
    return fn


def _us(rng: random.Random, lo_us: int, hi_us: int) -> int:
    return rng.randint(lo_us, hi_us)


def _spawn_all(worker: Callable[..., Coroutine[Any, Any, None]], items: list[Any]) -> Main:
    """A ``main`` that starts ``worker(item, wg)`` for every item in one burst and waits for
    all of them with a WaitGroup."""

    async def main():
        gk = _gk()
        wg = gk.WaitGroup()
        for item in items:
            wg.add(1)
            gk.go(worker, item, wg)
        await wg.wait()

    return main


def _compute_all(sizes: list[int], name: str) -> Main:
    """A ``main`` that starts one goroutine per size in one burst (each computes that many µs)
    and waits for all of them with a WaitGroup."""

    @functools.partial(_named, name=name)
    async def worker(us, wg):
        await _gk().work(us=us)
        wg.done()

    return _spawn_all(worker, sizes)


def cpu_bound(n: int = 8, seed: int = 1, work_ms: float = 3.0) -> Scenario:
    """``n`` goroutines each compute for about ``work_ms`` (±50 %, drawn from the seed)."""
    rng = random.Random(seed)
    base = int(work_ms * 1000)
    sizes = [_us(rng, base // 2, base * 3 // 2) for _ in range(n)]
    main = _compute_all(sizes, "worker")
    return Scenario("cpu_bound", "CPU-bound goroutines",
                    f"{n} goroutines compute for {base // 2}–{base * 3 // 2} µs each",
                    main, {"n": n, "seed": seed, "work_ms": work_ms}, plan={"work": sizes})


def blocking_syscalls(n: int = 6, seed: int = 1, syscall_ms: float = 4.0) -> Scenario:
    """``n`` goroutines compute a little, make one blocking syscall, compute again."""
    rng = random.Random(seed)
    base = int(syscall_ms * 1000)
    plans = [(_us(rng, 200, 600), _us(rng, base // 2, base * 3 // 2), _us(rng, 200, 600))
             for _ in range(n)]

    @functools.partial(_named, name="worker")
    async def worker(plan, wg):
        gk = _gk()
        before, blocked, after = plan
        await gk.work(us=before)
        await gk.syscall(us=blocked)
        await gk.work(us=after)
        wg.done()

    main = _spawn_all(worker, plans)

    return Scenario("blocking_syscalls", "Blocking system calls",
                    f"{n} goroutines each block their thread in a {base // 2}–{base * 3 // 2} µs "
                    "syscall", main, {"n": n, "seed": seed, "syscall_ms": syscall_ms},
                    plan={"plans": plans})


def network_io(n: int = 8, seed: int = 1, wait_ms: float = 3.0) -> Scenario:
    """``n`` goroutines wait on the network (netpoller) twice, computing briefly in between."""
    rng = random.Random(seed)
    base = int(wait_ms * 1000)
    plans = [(_us(rng, base // 2, base * 3 // 2), _us(rng, 100, 400),
              _us(rng, base // 2, base * 3 // 2), _us(rng, 100, 400)) for _ in range(n)]

    @functools.partial(_named, name="worker")
    async def worker(plan, wg):
        gk = _gk()
        wait1, work1, wait2, work2 = plan
        await gk.netwait(us=wait1)
        await gk.work(us=work1)
        await gk.netwait(us=wait2)
        await gk.work(us=work2)
        wg.done()

    main = _spawn_all(worker, plans)

    return Scenario("network_io", "Network I/O",
                    f"{n} goroutines each wait twice on the network ({base // 2}–{base * 3 // 2} "
                    "µs) and compute briefly", main, {"n": n, "seed": seed, "wait_ms": wait_ms},
                    plan={"plans": plans})


def channel_pipeline(n: int = 12, seed: int = 1, workers: int = 3) -> Scenario:
    """A producer sends ``n`` items through ``workers`` goroutines to a consumer (unbuffered)."""
    rng = random.Random(seed)
    costs = [_us(rng, 100, 900) for _ in range(n)]

    @functools.partial(_named, name="producer")
    async def producer(out):
        for i in range(n):
            await _gk().work(us=50)
            await out.send(i)
        out.close()

    @functools.partial(_named, name="worker")
    async def worker(inp, out, wg):
        gk = _gk()
        while True:
            item, ok = await inp.recv2()
            if not ok:
                break
            await gk.work(us=costs[item])
            await out.send(item)
        wg.done()

    @functools.partial(_named, name="closer")
    async def closer(wg, out):
        await wg.wait()
        out.close()

    async def main():
        gk = _gk()
        jobs, results, wg = gk.Chan(), gk.Chan(), gk.WaitGroup()
        gk.go(producer, jobs)
        for _ in range(workers):
            wg.add(1)
            gk.go(worker, jobs, results, wg)
        gk.go(closer, wg, results)
        done = 0
        while True:
            _, ok = await results.recv2()
            if not ok:
                break
            done += 1
            await gk.work(us=30)

    return Scenario("channel_pipeline", "Channel pipeline",
                    f"producer → {workers} workers → consumer, {n} items over unbuffered channels",
                    main, {"n": n, "seed": seed, "workers": workers},
                    plan={"costs": costs, "workers": workers})


def goroutine_storm(n: int = 300, seed: int = 1, work_us: int = 40) -> Scenario:
    """``main`` starts ``n`` tiny goroutines in one burst; past 256 the local queue overflows."""
    rng = random.Random(seed)
    sizes = [_us(rng, work_us // 2, work_us * 3 // 2) for _ in range(n)]
    main = _compute_all(sizes, "tiny")
    return Scenario("goroutine_storm", "Goroutine storm",
                    f"{n} goroutines of {work_us // 2}–{work_us * 3 // 2} µs started in one burst",
                    main, {"n": n, "seed": seed, "work_us": work_us}, plan={"work": sizes})


def sleepers(n: int = 6, seed: int = 1, sleep_ms: float = 2.0) -> Scenario:
    """``n`` goroutines alternate sleeping and computing three times."""
    rng = random.Random(seed)
    base = int(sleep_ms * 1000)
    plans = [[(_us(rng, base // 2, base * 3 // 2), _us(rng, 200, 800)) for _ in range(3)]
             for _ in range(n)]

    @functools.partial(_named, name="sleeper")
    async def sleeper(plan, wg):
        gk = _gk()
        for nap, busy in plan:
            await gk.sleep(us=nap)
            await gk.work(us=busy)
        wg.done()

    main = _spawn_all(sleeper, plans)

    return Scenario("sleepers", "Sleeping goroutines (timers)",
                    f"{n} goroutines sleep ~{base} µs then compute, three times",
                    main, {"n": n, "seed": seed, "sleep_ms": sleep_ms},
                    plan={"plans": plans})


#: Name → factory. Every factory accepts ``n`` (goroutine count) and ``seed``.
SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "cpu_bound": cpu_bound,
    "blocking_syscalls": blocking_syscalls,
    "network_io": network_io,
    "channel_pipeline": channel_pipeline,
    "goroutine_storm": goroutine_storm,
    "sleepers": sleepers,
}

#: The playground's first scenario: small enough to redraw well within 250 ms.
DEFAULT = "cpu_bound"


def names() -> list[str]:
    return list(SCENARIOS)


def get(name: str, **params: Any) -> Scenario:
    """Build the named scenario; ``params`` are its knobs (``n``, ``seed``, ...)."""
    try:
        factory = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}") \
            from None
    return factory(**params)


def describe() -> str:
    """One line per scenario: its name, title and default description."""
    return "\n".join(f"{name:18} {get(name).title}: {get(name).description}" for name in SCENARIOS)
