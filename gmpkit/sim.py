"""One simulated Go program and the event loop that runs it (``Sim``).

Go has no loop like this: its threads run at once on real CPUs. The model has one, in virtual
time, and this is it. ``Sim`` builds the scheduler (``sched.py``) for a program, starts it the way
Go's runtime starts (``Sched.start``: m0, P0, ``runtime.main`` in P0's runnext) and then performs
events one at a time:

1. take the earliest event from the queue -- time first, then the order events were scheduled;
2. stop short if it lies past a pause point or the run's virtual-time limit;
3. advance virtual time to it and perform it: an M continues its goroutine, finishes a system
   call, wakes up and schedules, sysmon ticks, or the poller wakes.

``step()`` performs one event, ``run()`` performs them until the program ends (or pauses at a
virtual time); both are the same loop, :meth:`Sim._loop`. A program ends when ``main`` returns,
on an unrecovered panic or a fatal error (deadlock, thread exhaustion), or when a safety limit
(``until_ms``, ``max_steps``) is reached.

This is the core's ``Sim``: observers only, nothing recorded unless an observer records it.
``gk.Sim`` (``api.py``) is the same machine with the standard recorder attached and a ``Trace``.
"""

from __future__ import annotations

import gc
import heapq
from typing import Any, Final

from ._mypyc import mypyc_attr
from .dump import DEFAULT_GOTRACEBACK, check_gotraceback
from .errors import SimulationLimit, UsageTypeError
from .machine import (
    DEFAULT_GOMAXPROCS,
    DEFAULT_LINKS_OS,
    DEFAULT_MAX_STEPS,
    DEFAULT_SEED,
    DEFAULT_UNTIL_MS,
    NS_PER_MS,
    Costs,
    Godebug,
    ProgramExit,
    check_async,
    check_gomaxprocs,
    check_limits,
    check_switches,
)
from .ops import current
from .runtime2 import MAX_THREADS
from .sched import Sched

#: Stands for "no limit" in the loop's comparisons (far beyond any virtual time or step count).
_FOREVER = 1 << 62

#: The cyclic garbage collector's first threshold while ``Sim.run`` runs (Python's default is
#: 700 allocations). A run allocates frames, coroutines and (recorded) event tuples by the
#: hundred thousand; with the default, collections took about a quarter of the CPU time of a
#: 300,000-goroutine spawn and about 15% of a recorded ping-pong. The learner's setting is put
#: back when ``run`` returns or raises.
RUN_GC_THRESHOLD: Final = 10_000


@mypyc_attr(allow_interpreted_subclasses=True)  # gk.Sim (api.py) extends it
class Sim:
    """One simulated Go program. ``step()`` performs one scheduler event; ``run()`` loops.

    Options (all keyword): ``gomaxprocs``, ``seed``, ``godebug``, ``costs``, ``max_threads``,
    ``until_ms``, ``max_steps``, ``observers``, ``links_os``, ``gotraceback`` and the teaching
    switches (``runnext=False``...); docs/api.md describes each. ``sched`` is the live scheduler state, to read, never to change.
    """

    # The options are typed Any because each is checked below, with a message saying how to fix
    # it; the compiled build would otherwise refuse a wrong type first, with a bare TypeError.
    def __init__(self, main: Any, *args: Any,
                 gomaxprocs: Any = DEFAULT_GOMAXPROCS, seed: Any = DEFAULT_SEED,
                 godebug: Any = "", costs: Any = None, max_threads: Any = MAX_THREADS,
                 until_ms: Any = DEFAULT_UNTIL_MS, max_steps: Any = DEFAULT_MAX_STEPS,
                 observers: Any = (), links_os: Any = DEFAULT_LINKS_OS,
                 gotraceback: Any = DEFAULT_GOTRACEBACK, **switches: Any):
        check_async(main, "gk.run")
        check_gomaxprocs(gomaxprocs)
        check_limits(seed, max_threads, until_ms, max_steps)
        sw = check_switches(switches)
        if costs is not None and not isinstance(costs, Costs):
            raise UsageTypeError(f"costs must be a gk.Costs(...), got {costs!r}")
        if not isinstance(links_os, bool):
            raise UsageTypeError(f"links_os must be True or False, got {links_os!r}")
        self.options = dict(gomaxprocs=gomaxprocs, seed=seed, godebug=godebug, links_os=links_os,
                            gotraceback=check_gotraceback(gotraceback), **sw)
        self.until_ns = int(until_ms * NS_PER_MS) if until_ms is not None else None
        self.max_steps = max_steps
        self.sched = Sched(gomaxprocs, seed, costs or Costs(), sw, Godebug.parse(godebug),
                           max_threads, list(observers), links_os, gotraceback)
        for o in self.sched.observers:
            attach = getattr(o, "attach", None)
            if attach is not None:
                attach(self.sched)
        self.sched.start(main, args)
        self.done = False  # the program has ended (or a limit stopped it)
        self.error: BaseException | None = None  # the SimulationLimit that stopped it, if any

    @property
    def now(self) -> int:
        """Virtual time in nanoseconds."""
        return self.sched.now

    def __del__(self) -> None:
        # A Sim dropped before its program ended: close the coroutines quietly (no
        # "coroutine was never awaited" warnings at interpreter exit).
        sched = getattr(self, "sched", None)
        if sched is not None and not getattr(self, "done", True):
            sched.close_all()

    def step(self) -> bool:
        """Perform one scheduler event. Returns False once the program has ended."""
        return self._loop(1, None)

    def run(self, until_ms: float | None = None) -> Sim:
        """Run to the end, or pause once the next event lies after ``until_ms`` of virtual
        time (``now`` is then ``until_ms``; ``run`` or ``step`` go on from there). The garbage
        collector runs less often meanwhile (``RUN_GC_THRESHOLD``)."""
        stop = None if until_ms is None else int(until_ms * NS_PER_MS)
        saved = gc.get_threshold()
        if 0 < saved[0] < RUN_GC_THRESHOLD:  # 0: the learner turned automatic collection off
            gc.set_threshold(RUN_GC_THRESHOLD, *saved[1:])
        try:
            self._loop(_FOREVER, stop)
        finally:
            gc.set_threshold(*saved)
        return self

    def _loop(self, n: int, pause_ns: int | None) -> bool:
        """The event loop: perform up to ``n`` events, stopping early when the program ends,
        a limit is reached, or the next event lies after ``pause_ns``. Returns whether the
        program can go on. ``step`` and ``run`` both come here; the per-event work is one
        comparison of the event's time and one of the step count."""
        if self.done:
            return False
        s = self.sched
        q = s.queue
        heap = q.heap
        pop = heapq.heappop
        until = self.until_ns if self.until_ns is not None else _FOREVER
        pause = pause_ns if pause_ns is not None else _FOREVER
        t_limit = min(until, pause)
        max_steps = self.max_steps if self.max_steps is not None else _FOREVER
        steps = s.steps
        n_limit = min(max_steps, steps + n)
        try:
            while True:
                # 1. The earliest event: the fast lane first, else the heap.
                e = q.nxt
                if e is not None:
                    q.nxt = None
                elif heap:
                    e = pop(heap)
                else:
                    # Nothing can happen again, yet the program has not ended: every M idles.
                    # Unreachable with a correct model (checkdead fires first).
                    self.done = True
                    self.error = SimulationLimit("no events left but the program has not ended")
                    return False
                t = e[0]
                # 2. A pause point or the virtual-time limit comes first?
                if t > t_limit:
                    q.push_back(e)
                    if t > pause:
                        s.now = max(s.now, pause)
                        return True
                    self._limit(f"the run reached its virtual-time limit until_ms="
                                f"{until / NS_PER_MS:g} without main returning; raise until_ms "
                                "or make main return sooner")
                    return False
                # 3. Advance virtual time and perform the event.
                s.now = t
                steps += 1
                e[2](e[3], e[1])
                if steps >= n_limit:
                    if steps >= max_steps:
                        s.steps = steps
                        self._limit(f"the run reached its step limit max_steps={max_steps} "
                                    "without main returning; raise max_steps or shorten the "
                                    "program")
                        return False
                    return True
        except ProgramExit:
            self.done = True
            s.close_all()
            return False
        except BaseException:
            current.sched = None
            s._running = None
            self.done = True
            s.close_all()
            raise
        finally:
            s.steps = steps

    def _limit(self, msg: str) -> None:
        self.done = True
        self.error = SimulationLimit(msg)
        self.sched.close_all()
