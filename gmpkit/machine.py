"""The simulation machinery that Go does not have: virtual time, the event queue, costs, options.

Real Go runs its threads in parallel on real CPUs. The model runs everything in one Python thread,
in virtual nanoseconds, and needs a few things of its own to do so; they live here, apart from the
runtime's structures (``runtime2.py``) and operations (``sched.py``), so that those read like Go:

* :class:`EventQueue` -- the moments at which some M, sysmon, the poller or a system call wants
  attention, ordered by ``(time, sequence)``: ties run in the order they were scheduled, which is
  what makes a run deterministic by construction.
* :class:`Costs` -- how much virtual time each operation takes. Costs decide *when* things happen,
  never *which order* the scheduler chooses (that comes from the algorithm).
* :class:`Godebug`, :data:`SWITCHES` and the option checks -- the GODEBUG settings the model
  understands, the teaching switches, and the defaults every entry point shares.
* :class:`Result` and :class:`ProgramExit` -- how a program ended, and the internal exception that
  unwinds the loop when it does.
"""

from __future__ import annotations

import heapq
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Final

from .errors import UsageTypeError, UsageValueError
from .runtime2 import MAX_GOMAXPROCS

# ---------------------------------------------------------------------------------------------
# Defaults shared by gk.run, gk.Sim and the core Sim
# ---------------------------------------------------------------------------------------------

#: GOMAXPROCS of a run: the reference machine's CPU count (2), not the learner's, so that a run
#: reproduces on every machine. Go's own default is the CPU count (``runtime.NumCPU``).
DEFAULT_GOMAXPROCS = 2
#: Seed of the one random source (steal order, select order).
DEFAULT_SEED = 0
#: Safety limit on virtual time: a program still running after a minute of virtual time is
#: almost always one that never ends (a goroutine spinning forever).
DEFAULT_UNTIL_MS: float = 60_000
#: Safety limit on scheduler events: about half a minute of CPU time on a laptop.
DEFAULT_MAX_STEPS = 50_000_000
#: A program links package os, as every program that uses fmt (what gk.println stands for) does:
#: os's init starts the finalizer goroutine, so the first user goroutine is 7, not 6.
DEFAULT_LINKS_OS = True
#: Fewest threads a program can have: m0, sysmon, and one for a spinning M.
MIN_THREADS: Final = 3
#: Virtual nanoseconds per millisecond (the options speak milliseconds, the model nanoseconds).
NS_PER_MS: Final = 1_000_000


# ---------------------------------------------------------------------------------------------
# The event queue
# ---------------------------------------------------------------------------------------------

#: One scheduled event: (time, sequence, function, argument); it runs as ``fn(arg, seq)``.
Entry = tuple[int, int, Callable[[Any, int], None], Any]


class EventQueue:
    """The moments at which something wants attention, in ``(time, sequence)`` order.

    A heap, plus ``nxt``: one entry known to come before everything in the heap. Most events are
    "this M goes on a little later", which the fast lane serves without touching the heap; the
    order is exactly the heap's. Each M (and sysmon) has at most one live event: it remembers
    the sequence number of the one it expects (``evseq``) and ignores any other, so replacing
    that number -- with :meth:`token`, for example -- cancels the pending event.
    """

    __slots__ = ("heap", "nxt", "seq")

    def __init__(self) -> None:
        self.heap: list[Entry] = []
        self.nxt: Entry | None = None
        self.seq = 0  # the last sequence number handed out

    def at(self, t: int, fn: Callable[[Any, int], None], arg: Any) -> int:
        """Schedule ``fn(arg, seq)`` at virtual time ``t``; returns the event's sequence number.
        Events at the same time run in the order they were scheduled."""
        self.seq = seq = self.seq + 1
        e = (t, seq, fn, arg)
        n = self.nxt
        if n is None:
            h = self.heap
            if not h or t < h[0][0]:
                self.nxt = e
            else:
                heapq.heappush(h, e)
        elif t < n[0]:
            heapq.heappush(self.heap, n)
            self.nxt = e
        else:
            heapq.heappush(self.heap, e)
        return seq

    def token(self) -> int:
        """A sequence number no scheduled event carries: an M that expects it ignores whatever
        it had pending, and sleeps until someone schedules it again."""
        self.seq += 1
        return self.seq

    def next_time(self) -> int | None:
        """When the next event happens (None: nothing is scheduled)."""
        if self.nxt is not None:
            return self.nxt[0]
        return self.heap[0][0] if self.heap else None

    def pop(self) -> Entry | None:
        """Take the earliest event (None: nothing is scheduled)."""
        e = self.nxt
        if e is not None:
            self.nxt = None
            return e
        if self.heap:
            return heapq.heappop(self.heap)
        return None

    def push_back(self, e: Entry) -> None:
        """Put back an event taken by :meth:`pop` but not performed (a run paused before it)."""
        heapq.heappush(self.heap, e)

    def __len__(self) -> int:
        return len(self.heap) + (self.nxt is not None)


# ---------------------------------------------------------------------------------------------
# Costs, switches, GODEBUG
# ---------------------------------------------------------------------------------------------


#: A cost in Costs: a whole number of nanoseconds. Typed Any so that ``__post_init__`` answers a
#: wrong value with its own message (the compiled build would refuse a non-int first, tersely).
Ns = Any


@dataclass
class Costs:
    """Virtual costs in nanoseconds. Defaults are round figures of the order real Go shows on a
    current x86-64 machine; they decide *when* things happen, never *which order* the scheduler
    chooses (that comes from the algorithm)."""

    step_ns: Ns = 20  #: Python code between two awaits of a goroutine
    go_ns: Ns = 200  #: a ``go`` statement (newproc)
    chan_ns: Ns = 60  #: a channel operation that does not block
    switch_ns: Ns = 150  #: gopark/schedule/execute: switching the M to another goroutine
    gosched_ns: Ns = 100  #: runtime.Gosched before the switch
    sync_ns: Ns = 30  #: an uncontended Mutex/WaitGroup operation
    syscall_ns: Ns = 300  #: entering plus leaving a system call (on top of its duration)
    thread_start_ns: Ns = 25_000  #: creating an OS thread (newm)
    thread_wake_ns: Ns = 5_000  #: waking a parked OS thread (notewakeup on m.park)
    steal_backoff_ns: Ns = 3_000  #: usleep(3) before stealing a running P's runnext
    stw_ns: Ns = 10_000  #: stopping and starting the world (GOMAXPROCS change)
    runtime_init_ns: Ns = 50_000  #: runtime.main's package initialisation before main.main
    print_ns: Ns = 1_000  #: gk.println

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise UsageValueError(
                    f"Costs.{f.name} must be a non-negative integer number of nanoseconds, got {v!r}"
                )


#: Teaching switches: each mechanism can be turned off to show what goes wrong without it.
SWITCHES = (
    "runnext",  # newly readied Gs go to runnext (off: to the local tail)
    "stealing",  # idle Ms steal from other Ps' local queues
    "spinning",  # wakep starts a spinning M to look for work
    "handoff",  # sysmon retakes Ps from threads blocked in system calls
    "preemption",  # sysmon preempts a G that ran 10 ms
    "global_check",  # 1 in 61 schedule ticks, look at the global queue first
    "netpoller",  # network waits park on the poller (off: they block the thread like a syscall)
    "inherit_time",  # a G taken from runnext inherits the time slice (off: a fresh slice each)
    "mutex_starvation",  # sync.Mutex hands off to a waiter of > 1 ms (off: Go before 1.9)
)


@dataclass
class Godebug:
    """The GODEBUG settings the model understands."""

    schedtrace: int = 0  #: print a SCHED line every N ms of virtual time (0: off)
    scheddetail: bool = False  #: print per-P, per-M and per-G lines too
    asyncpreemptoff: bool = False  #: no signal-based preemption: call-free work cannot be preempted

    @classmethod
    def parse(cls, text: Any) -> Godebug:
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise UsageTypeError(
                f"godebug must be a string like 'schedtrace=10,scheddetail=1', got {text!r}"
            )
        out = cls()
        for item in filter(None, (s.strip() for s in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not value.strip().isdigit():
                raise UsageValueError(
                    f"bad GODEBUG item {item!r}: write key=number, e.g. 'schedtrace=10,scheddetail=1'"
                )
            n = int(value)
            if key == "schedtrace":
                out.schedtrace = n
            elif key == "scheddetail":
                out.scheddetail = n == 1
            elif key == "asyncpreemptoff":
                out.asyncpreemptoff = n == 1
            else:
                raise UsageValueError(
                    f"GODEBUG key {key!r} is not modelled; known: schedtrace, scheddetail, "
                    "asyncpreemptoff"
                )
        return out


# ---------------------------------------------------------------------------------------------
# Checking the options of a run
# ---------------------------------------------------------------------------------------------


def check_gomaxprocs(n: Any) -> int:
    """A GOMAXPROCS given to a run: a whole number of Ps from 1 to MAX_GOMAXPROCS."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise UsageTypeError(
            f"gomaxprocs must be a whole number of Ps (an int >= 1), got {n!r} of type "
            f"{type(n).__name__}"
        )
    if n < 1:
        raise UsageValueError(
            f"gomaxprocs must be at least 1 (it is the number of Ps), got {n}; "
            "try gomaxprocs=1 for one P or gomaxprocs=4 for four"
        )
    if n > MAX_GOMAXPROCS:
        raise UsageValueError(
            f"gomaxprocs={n} is more than the model allows ({MAX_GOMAXPROCS})"
        )
    return n


def check_switches(switches: dict[str, Any]) -> dict[str, bool]:
    """Every teaching switch, True (Go's behaviour) unless turned off by name."""
    sw = {name: True for name in SWITCHES}
    for k, v in switches.items():
        if k not in sw:
            raise UsageTypeError(
                f"unknown option {k!r}; scheduler switches are: {', '.join(SWITCHES)}"
            )
        if not isinstance(v, bool):
            raise UsageTypeError(f"switch {k} must be True or False, got {v!r}")
        sw[k] = v
    return sw


def check_limits(seed: Any, max_threads: Any, until_ms: Any, max_steps: Any) -> None:
    """The seed and the safety limits of a run."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageTypeError(f"seed must be an int, got {seed!r}")
    if isinstance(max_threads, bool) or not isinstance(max_threads, int) or (
            max_threads < MIN_THREADS):
        raise UsageValueError(
            f"max_threads must be an int >= {MIN_THREADS}, got {max_threads!r}"
        )
    if until_ms is not None:
        if isinstance(until_ms, bool) or not isinstance(until_ms, (int, float)) or (
                not math.isfinite(until_ms)):
            raise UsageValueError(f"until_ms must be a finite number of ms or None, got {until_ms!r}")
        if until_ms <= 0:
            raise UsageValueError(f"until_ms must be positive, got {until_ms}")
    if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int)):
        raise UsageTypeError(f"max_steps must be an int or None, got {max_steps!r}")


def check_async(fn: Any, what: str) -> None:
    """``fn`` must be an ``async def`` function (or an object whose ``__call__`` is one)."""
    if not callable(fn):
        raise UsageTypeError(f"{what} needs an `async def` function, got {fn!r}")
    code = getattr(fn, "__code__", None)
    if code is not None and code.co_flags & inspect.CO_COROUTINE:
        return  # the common case, checked without inspect's slower unwrapping
    if not inspect.iscoroutinefunction(fn) and not inspect.iscoroutinefunction(
        type(fn).__dict__.get("__call__")
    ):
        name = getattr(fn, "__name__", repr(fn))
        raise UsageTypeError(
            f"{what} needs an `async def` function, but {name} is a plain function: "
            f"write `async def {name}(...)` so the goroutine can await gmpkit operations"
        )


# ---------------------------------------------------------------------------------------------
# How a program ended
# ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    """How a program ended."""

    exit_code: int = 0
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    schedtrace_lines: list[str] = field(default_factory=list)
    error: BaseException | None = None  # GoExit to raise at the end (check=True)
    ended: bool = False


class ProgramExit(BaseException):
    """Internal: unwinds the loop when the program ends (main returned, panic, fatal error).
    A BaseException, so that a goroutine's ``except Exception`` cannot swallow it."""
