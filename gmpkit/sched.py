"""The G/M/P scheduler of Go 1.27.3, modelled in virtual time (``runtime/proc.go``, ``runtime2.go``).

What this models
================
Go runs goroutines (**G**) on operating-system threads (**M**). A thread may only run Go code while it
holds a **P** ("processor"): a scheduling context with a local run queue of 256 slots plus one
``runnext`` slot. There are exactly GOMAXPROCS Ps, so at most GOMAXPROCS goroutines run at once, but
there may be many more Ms: a thread blocked in a system call keeps its goroutine and gives its P away.

The hard problem ``proc.go`` solves is *when to park and wake threads*. Waking a thread for every new
goroutine wastes CPU; never waking one leaves Ps idle while work waits. Go's answer, which this module
follows step by step:

* A new or newly-woken goroutine goes to ``runnext`` of the P that made it runnable
  (``runqput(next=true)``), pushing the previous occupant to the tail of the local queue. It runs next
  and *inherits the time slice* — a producer/consumer pair ping-pongs through runnext without touching
  the queues.
* When something becomes runnable, ``wakep`` starts **one spinning M** (if no M is spinning and a P is
  idle). A spinning M looks for work: the global queue, the netpoller, then it *steals half* of another
  P's local queue. The spinner that finds work calls ``wakep`` again, so threads come up one at a time,
  only as long as there is work to take.
* ``find_runnable`` checks sources in a fixed order: timers, 1 in 61 schedule ticks the global queue
  (so Gs there cannot starve), runnext, the local queue, a batch from the global queue, the netpoller,
  then 4 rounds of stealing, and finally gives the P up.
* **sysmon**, a thread without a P, preempts a goroutine that has held its P for 10 ms and takes Ps
  away from threads stuck in system calls (``retake``, ``handoffp``) — see ``sysmon.py``.

How the model runs
==================
Everything happens in one Python thread, in virtual nanoseconds. Each M is a small state machine; the
event queue (a heap ordered by ``(time, sequence)``) holds the next moment each M, sysmon, the poller or
a system call wants attention. ``Sim.step`` pops one event and performs it: that is the whole loop. A
goroutine is a Python coroutine; ``coro.send`` runs it until its next ``await`` on a gmpkit operation
(an :class:`Op`), which the scheduler then performs at the current virtual time. Same program and seed
give the same sequence of events, because the only randomness is one seeded ``random.Random``.

Simplifications (``go-scheduler.md`` §15 allows each; each is repeated where it happens):

* No real parallelism: every atomic/CAS is one atomic step; the "delicate dance" rechecks of
  ``findRunnable`` after dropping a P are reduced to the global-queue and local-queue rechecks.
* No garbage collector, trace reader, finalizers, cgo, LockOSThread or template thread. The runtime's
  own goroutines that park forever (force gc, sweeper, scavenger, GOMAXPROCS updater) *are* created at
  start-up, as Go does, so goroutine ids and the first scheduling decisions look like Go's.
* Preemption lands at the goroutine's next step (async preemption), or, with ``asyncpreemptoff=1``,
  only in ``work(..., calls=True)`` segments and at the next gmpkit operation.
* A spinning M's search is instantaneous; what costs virtual time is waking or creating the thread
  (``Costs.thread_wake_ns`` / ``thread_start_ns``), which is when it shows as spinning.
"""

from __future__ import annotations

import functools
import heapq
import inspect
import math
import random
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Any

from .errors import (
    GoFatal,
    GoPanic,
    PanicError,
    SimulationLimit,
    UsageError,
    UsageTypeError,
    UsageValueError,
)

# ---------------------------------------------------------------------------------------------
# Constants (go-scheduler.md §1). Each carries its reason.
# ---------------------------------------------------------------------------------------------

#: Local run queue capacity (``len(p.runq)``): a fixed ring so runqput/runqget need no lock.
LOCAL_RUNQ_SIZE = 256
#: ``runqputslow`` moves half of a full local queue (plus the new G) to the global queue.
RUNQ_OVERFLOW_BATCH = LOCAL_RUNQ_SIZE // 2
#: Every 61st schedule tick takes one G from the global queue first, so two goroutines that
#: keep respawning each other in runnext cannot starve the global queue. 61 is prime so the
#: check does not fall into step with other periodic behaviour.
GLOBAL_CHECK_TICKS = 61
#: ``globrunqgetbatch`` is called with half the local queue: never take more than fits.
GLOBAL_BATCH_MAX = LOCAL_RUNQ_SIZE // 2
#: ``stealWork`` makes 4 passes over all Ps; runnext and timers are only taken in the last.
STEAL_TRIES = 4
#: sysmon preempts a G whose P has not scheduled for this long (``forcePreemptNS``).
FORCE_PREEMPT_NS = 10_000_000
#: Each P reserves goroutine ids in batches of 16 (``_GoidCacheBatch``) to avoid contention.
GOID_BATCH = 16
#: Default thread limit (``sched.maxmcount``; ``debug.SetMaxThreads``).
MAX_THREADS = 10_000
#: Per-P free list of dead Gs: spill half to the global list at 64, refill 32 (gfput, gfget).
GFREE_MAX = 64
GFREE_BATCH = 32
#: Initial goroutine stack (``fixedStack`` on linux), for the dumps and memory estimates.
STACK_MIN = 2048


class GStatus(IntEnum):
    """Goroutine states, numbered as ``runtime2.go`` numbers them (scheddetail prints the number).

    IDLE:     just allocated, not yet initialised.
    RUNNABLE: on exactly one run queue (a P's runnext or local queue, or the global queue); no M.
    RUNNING:  executing user code; has an M, and that M has a P.
    SYSCALL:  in a system call; has an M; its P may be taken away by sysmon meanwhile.
    WAITING:  blocked (``waitreason`` says on what); on some wait structure, on no run queue.
    DEAD:     exited.
    """

    IDLE = 0
    RUNNABLE = 1
    RUNNING = 2
    SYSCALL = 3
    WAITING = 4
    DEAD = 6


# Hot paths compare statuses by identity with these module constants (cheaper than enum lookup).
_RUNNABLE = GStatus.RUNNABLE
_RUNNING = GStatus.RUNNING
_WAITING = GStatus.WAITING

#: Dump strings for non-waiting states (``traceback.go: gStatusStrings``).
GSTATUS_STRINGS = {
    GStatus.IDLE: "idle",
    GStatus.RUNNABLE: "runnable",
    GStatus.RUNNING: "running",
    GStatus.SYSCALL: "syscall",
    GStatus.WAITING: "waiting",
    GStatus.DEAD: "dead",
}


class PStatus(IntEnum):
    """P states as ``runtime2.go`` numbers them. There is no syscall state (Go 1.27: slot 2 unused):
    a P whose G is in a system call stays RUNNING and wired to its M until sysmon retakes it.

    IDLE:    on the idle list (its local queue is empty) or in transition; no M.
    RUNNING: owned by an M (also while that M's G is in a system call).
    GCSTOP:  halted for stop-the-world (and the initial state of a new P).
    DEAD:    id >= GOMAXPROCS after a shrink; kept for reuse.
    """

    IDLE = 0
    RUNNING = 1
    GCSTOP = 3
    DEAD = 4


# Wait reasons, verbatim from runtime2.go's waitReasonStrings (the ones the model uses).
WAIT_CHAN_RECEIVE = "chan receive"
WAIT_CHAN_SEND = "chan send"
WAIT_CHAN_RECEIVE_NIL = "chan receive (nil chan)"
WAIT_CHAN_SEND_NIL = "chan send (nil chan)"
WAIT_SELECT = "select"
WAIT_SELECT_NO_CASES = "select (no cases)"
WAIT_SLEEP = "sleep"
WAIT_SEMACQUIRE = "semacquire"
WAIT_MUTEX = "sync.Mutex.Lock"
WAIT_WAITGROUP = "sync.WaitGroup.Wait"
WAIT_COND = "sync.Cond.Wait"
WAIT_IO = "IO wait"
WAIT_FORCEGC = "force gc (idle)"
WAIT_SWEEP = "GC sweep wait"
WAIT_SCAVENGE = "GC scavenge wait"
WAIT_GOMAXPROCS_UPDATER = "GOMAXPROCS updater (idle)"


# ---------------------------------------------------------------------------------------------
# Configuration: costs, switches, GODEBUG
# ---------------------------------------------------------------------------------------------


@dataclass
class Costs:
    """Virtual costs in nanoseconds. Defaults are round figures of the order real Go shows on a
    current x86-64 machine; they decide *when* things happen, never *which order* the scheduler
    chooses (that comes from the algorithm)."""

    step_ns: int = 20  #: Python code between two awaits of a goroutine
    go_ns: int = 200  #: a ``go`` statement (newproc)
    chan_ns: int = 60  #: a channel operation that does not block
    switch_ns: int = 150  #: gopark/schedule/execute: switching the M to another goroutine
    gosched_ns: int = 100  #: runtime.Gosched before the switch
    sync_ns: int = 30  #: an uncontended Mutex/WaitGroup operation
    syscall_ns: int = 300  #: entering plus leaving a system call (on top of its duration)
    thread_start_ns: int = 25_000  #: creating an OS thread (newm)
    thread_wake_ns: int = 5_000  #: waking a parked OS thread (notewakeup on m.park)
    steal_backoff_ns: int = 3_000  #: usleep(3) before stealing a running P's runnext
    stw_ns: int = 10_000  #: stopping and starting the world (GOMAXPROCS change)
    runtime_init_ns: int = 50_000  #: runtime.main's package initialisation before main.main
    print_ns: int = 1_000  #: gk.println

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
)


@dataclass
class Godebug:
    """The GODEBUG settings the model understands."""

    schedtrace: int = 0  #: print a SCHED line every N ms of virtual time (0: off)
    scheddetail: bool = False  #: print per-P, per-M and per-G lines too
    asyncpreemptoff: bool = False  #: no signal-based preemption: call-free work cannot be preempted

    @classmethod
    def parse(cls, text: str) -> Godebug:
        out = cls()
        for item in filter(None, (s.strip() for s in (text or "").split(","))):
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
# G, M, P
# ---------------------------------------------------------------------------------------------


class G:
    """A goroutine (``runtime2.go: type g``)."""

    __slots__ = (
        "goid",  # goroutine id, from the creating P's batch of 16
        "status",  # GStatus; change only through Sched.casgstatus
        "waitreason",  # why it waits; like Go, not cleared on wake-up (scheddetail shows it stale)
        "m",  # the M running it (RUNNING / SYSCALL), else None
        "coro",  # the Python coroutine that is the goroutine's code
        "name",  # Go-style function name for dumps, e.g. "main.worker"
        "parent",  # goid of the creator (None for runtime.main)
        "system",  # a runtime goroutine (excluded from deadlock counting and dumps)
        "resume_val",  # value the next coro.send delivers (result of the pending await)
        "resume_exc",  # exception to throw into the coroutine instead (panics like "send on closed")
        "preempt",  # sysmon asked it to stop (gp.preempt)
        "work_end",  # virtual time its current work() segment ends (0: not in work)
        "work_left",  # ns of work() still to do after a preemption
        "work_calls",  # the current work segment makes calls (cooperatively preemptible)
        "debt",  # ns of synchronous gmpkit calls (go, close, ...) made since the last await
        "created_at",  # virtual time of creation
        "last_p",  # id of the P it last ran on
        "wait_since",  # virtual time it last parked
        "sema_ticket",  # mutex starvation handoff: ownership was handed over
        "timer_seq",  # sequence of its pending sleep timer (to cancel a stale one)
    )

    def __init__(self, goid: int, coro: Any, name: str, parent: int | None, system: bool, t: int):
        """Set every field for a new goroutine: a fresh G, or (as ``reinit``) a dead one that
        gfget hands out again."""
        self.goid = goid
        self.status = GStatus.IDLE
        self.waitreason = ""
        self.m: M | None = None
        self.coro = coro
        self.name = name
        self.parent = parent
        self.system = system
        self.resume_val: Any = _START
        self.resume_exc: BaseException | None = None
        self.preempt = False
        self.work_end = 0
        self.work_left = 0
        self.work_calls = True
        self.debt = 0
        self.created_at = t
        self.last_p = -1
        self.wait_since = 0
        self.sema_ticket = False
        self.timer_seq = 0

    reinit = __init__

    def __repr__(self) -> str:
        where = ""
        if self.status == GStatus.WAITING:
            return f"G{self.goid} waiting ({self.waitreason})"
        if self.m is not None:
            where = f" on M{self.m.id}"
        return f"G{self.goid} {GSTATUS_STRINGS[self.status]}{where}"


class M:
    """An OS thread (``runtime2.go: type m``). Never destroyed once created (§8.4)."""

    __slots__ = (
        "id",  # m0 = 0, sysmon = 1, then in order of creation
        "p",  # the P it holds, or None
        "nextp",  # the P to acquire when woken (startm)
        "oldp",  # the P held when its syscall began
        "curg",  # the goroutine it runs (or is in a syscall with)
        "spinning",  # looking for work without having found any
        "parked",  # asleep on the idle list (midle) -- Go's m.blocked for notesleep
        "in_netpoll",  # blocked in netpoll waiting for I/O or a timer
        "poll_until",  # deadline of that netpoll block (0: forever)
        "evseq",  # sequence number of its one pending event; a stale event is ignored
        "syscalltick",  # p.syscalltick when the syscall began
        "syscall_end",  # when its blocking syscall returns
        "system",  # sysmon's thread (nmsys)
    )

    def __init__(self, mid: int, system: bool = False):
        self.id = mid
        self.p: P | None = None
        self.nextp: P | None = None
        self.oldp: P | None = None
        self.curg: G | None = None
        self.spinning = False
        self.parked = False
        self.in_netpoll = False
        self.poll_until = 0
        self.evseq = 0
        self.syscalltick = 0
        self.syscall_end = 0
        self.system = system

    def __repr__(self) -> str:
        if self.system:
            return f"M{self.id} sysmon"
        state = "idle" if self.parked else "netpoll" if self.in_netpoll else ""
        if self.curg is not None:
            state = ("syscall " if self.curg.status == GStatus.SYSCALL else "running ") + (
                f"G{self.curg.goid}"
            )
        elif self.spinning:
            state = "spinning"
        p = f" P{self.p.id}" if self.p is not None else ""
        return f"M{self.id}{p} {state}".rstrip()


class P:
    """A processor (``runtime2.go: type p``): the right to run Go code, with its run queues."""

    __slots__ = (
        "id",  # 0 .. GOMAXPROCS-1
        "status",  # PStatus
        "m",  # owning M or None
        "oldm",  # the last M that owned it (procresize gives it back to that M first)
        "runq",  # local run queue, at most LOCAL_RUNQ_SIZE Gs, oldest at the left
        "runnext",  # the G to run next, ahead of runq; inherits the time slice
        "schedtick",  # incremented when a G starts a fresh time slice (not for runnext)
        "syscalltick",  # incremented on syscall exit and when retaken from a syscall
        "sysmon_schedtick",  # sysmontick.schedtick: what sysmon saw last time
        "sysmon_schedwhen",  # sysmontick.schedwhen: when it saw it change
        "sysmon_syscalltick",  # sysmontick.syscalltick
        "sysmon_syscallwhen",  # sysmontick.syscallwhen
        "timers",  # this P's timer heap: [when, seq, g] entries
        "goidcache",  # next goroutine id of this P's batch
        "goidcacheend",  # end of the batch (exclusive)
        "gfree",  # dead Gs kept for reuse by the next newproc on this P (gFree)
    )

    def __init__(self, pid: int):
        self.id = pid
        self.status = PStatus.GCSTOP
        self.m: M | None = None
        self.oldm: M | None = None
        self.runq: deque[G] = deque()
        self.runnext: G | None = None
        self.schedtick = 0
        self.syscalltick = 0
        self.sysmon_schedtick = 0
        self.sysmon_schedwhen = 0
        self.sysmon_syscalltick = 0
        self.sysmon_syscallwhen = 0
        self.timers: list[list[Any]] = []
        self.goidcache = 0
        self.goidcacheend = 0
        self.gfree: list[G] = []

    @property
    def gfreecnt(self) -> int:
        return len(self.gfree)

    def __repr__(self) -> str:
        m = f"M{self.m.id}" if self.m is not None else "no M"
        nxt = f" runnext=G{self.runnext.goid}" if self.runnext is not None else ""
        return f"P{self.id} {self.status.name.lower()} {m} runq={len(self.runq)}{nxt}"


# ---------------------------------------------------------------------------------------------
# Observer events
# ---------------------------------------------------------------------------------------------


class Event:
    """One scheduler decision, as observers receive it. Ids, not objects, so it can be kept.

    kind (what happened; g/m/p say to whom):
      GoCreate (extra = parent goid) · GoStart (source: runnext, local, global, global-61,
      steal:Pk, netpoll, exitsyscall) · GoBlock (reason = wait reason) · GoUnblock (g readied by the
      running goroutine or the runtime; source = where it was queued: runnext, local, global) ·
      GoSched · GoPreempt · GoEnd · GoSysCall · GoSysExit (reason: fast, oldp, idlep, global) ·
      PreemptRequest · Steal (p = thief, extra = (victim, n)) · RunqOverflow (extra = n moved) ·
      Retake (p taken from a syscall) · Handoff (reason = which handoffp rule) · PAcquire · PRelease ·
      MCreate · MWake · MSpin · MSpinStop · MIdle · MNetpoll · TimerFire · NetpollReady ·
      GOMAXPROCS (extra = (old, new)) · Sysmon (extra = next delay ns) · Schedtrace (extra = text) ·
      Exit (extra = exit code)
    """

    __slots__ = ("t", "kind", "g", "m", "p", "reason", "source", "extra")

    def __init__(self, t: int, kind: str, g: int | None, m: int | None, p: int | None,
                 reason: str | None, source: str | None, extra: Any):
        self.t = t
        self.kind = kind
        self.g = g
        self.m = m
        self.p = p
        self.reason = reason
        self.source = source
        self.extra = extra

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.t, self.kind, self.g, self.m, self.p, self.reason, self.source, self.extra)

    def __repr__(self) -> str:
        parts = [f"{self.t}ns {self.kind}"]
        for k in ("g", "m", "p"):
            v = getattr(self, k)
            if v is not None:
                parts.append(f"{k.upper()}{v}")
        for k in ("reason", "source", "extra"):
            v = getattr(self, k)
            if v is not None:
                parts.append(f"{k}={v!r}")
        return "<" + " ".join(parts) + ">"


class Observer:
    """Base class for observers. ``attach`` is called once with the scheduler (read its state
    there or in ``event``; never change it); ``event`` for every decision."""

    def attach(self, sched: Sched) -> None:  # pragma: no cover - default does nothing
        pass

    def event(self, ev: Event) -> None:  # pragma: no cover - default does nothing
        pass


# ---------------------------------------------------------------------------------------------
# Operations: what a goroutine awaits
# ---------------------------------------------------------------------------------------------

_current: Sched | None = None  # the scheduler whose goroutine is executing right now


def current_sched(what: str) -> Sched:
    """The running simulation, or a UsageError saying ``what`` needs one."""
    s = _current
    if s is None:
        raise UsageError(
            f"{what} can only be used inside a goroutine of a running simulation: put it in an "
            "`async def` function and run that with gk.run(main) (or start it with gk.go inside one)"
        )
    return s


_START = object()  # resume value of a goroutine that has not run yet: send(None) starts it
_NONE = object()  # stands for None on the way into an Op (a bare None would restart the await)


class Op:
    """Something a goroutine awaits. ``apply`` performs it on the running G at the current time
    and either continues the G (``sched.cont``) or parks it (``sched.park``).

    Awaiting an Op yields the Op itself to the scheduler through a small generator, and the
    value the scheduler sends back is the await's result."""

    __slots__ = ()

    def __await__(self) -> Any:
        if _current is None:
            current_sched(f"awaiting {type(self).__name__}")
        v = yield self
        return None if v is _NONE else v

    def apply(self, sched: Sched, g: G) -> None:
        raise NotImplementedError


class ParkingOp(Op):
    """An Op that usually parks its goroutine (a receive, a select, a sleep...).

    It is its own awaitable iterator, with no generator behind it: awaiting hands the Op itself
    to the scheduler (``__next__``), and ``send(value)`` finishes the await with that value.
    A parked goroutine then holds only its coroutine and the Op (under a kilobyte in all).
    Resuming costs a little more than a generator, so Ops that rarely park keep the generator."""

    __slots__ = ()

    def __await__(self) -> Any:
        if _current is None:
            current_sched(f"awaiting {type(self).__name__}")
        return self

    def __next__(self) -> Op:
        return self

    def send(self, value: Any) -> Any:
        raise StopIteration(None if value is _NONE else value)

    def apply(self, sched: Sched, g: G) -> None:
        raise NotImplementedError


class Work(Op):
    """``gk.work``: burn CPU time on the current M (``calls``: the code makes function calls,
    so it has cooperative safe points even with ``asyncpreemptoff=1``)."""

    __slots__ = ("ns", "calls")

    def __init__(self, ns: int, calls: bool = True):
        self.ns = ns
        self.calls = calls

    def apply(self, sched: Sched, g: G) -> None:
        sched.start_work(g, self.ns, self.calls)


class Gosched(Op):
    """``runtime.Gosched`` (``goschedImpl(preempted=false)``): to the global queue tail."""

    __slots__ = ()

    def apply(self, sched: Sched, g: G) -> None:
        g.debt += sched.costs.gosched_ns
        sched.gosched(g, preempted=False)


class Syscall(Op):
    """A blocking system call of ``ns`` virtual nanoseconds (``entersyscall`` ... ``exitsyscall``)."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = ns

    def apply(self, sched: Sched, g: G) -> None:
        sched.entersyscall(g, self.ns)


class Park(ParkingOp):
    """Block forever with a reason (``select {}``, nil channel operations)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def apply(self, sched: Sched, g: G) -> None:
        sched.park(g, self.reason)


class SetGomaxprocs(Op):
    """``runtime.GOMAXPROCS(n)``: stop the world, ``procresize``, start the world."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        self.n = n

    def apply(self, sched: Sched, g: G) -> None:
        sched.set_gomaxprocs(g, self.n)


class _Runtime:
    """The runtime's own start-up goroutines (``proc.go: main``, ``gcenable``, ...)."""

    @staticmethod
    async def forcegchelper() -> None:
        await Park(WAIT_FORCEGC)

    @staticmethod
    async def bg_worker(c: Any, reason: str) -> None:
        await c.send(1)
        await Park(reason)

    @staticmethod
    async def updater() -> None:
        await Park(WAIT_GOMAXPROCS_UPDATER)


# ---------------------------------------------------------------------------------------------
# The scheduler
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


class _ProgramExit(BaseException):
    """Internal: unwinds the loop when the program ends (main returned, panic, fatal error)."""


class Sched:
    """The scheduler state (``runtime2.go: schedt`` plus ``allp``, ``allm``, ``allgs``) and every
    operation of ``proc.go`` the model performs. Only ``Sim`` drives it."""

    def __init__(self, gomaxprocs: int, seed: int, costs: Costs, switches: dict[str, bool],
                 godebug: Godebug, max_threads: int, observers: list[Any]):
        self.costs = costs
        self.sw_runnext = switches["runnext"]
        self.sw_stealing = switches["stealing"]
        self.sw_spinning = switches["spinning"]
        self.sw_handoff = switches["handoff"]
        self.sw_preemption = switches["preemption"]
        self.sw_global_check = switches["global_check"]
        self.sw_netpoller = switches["netpoller"]
        self.godebug = godebug
        self.rand = random.Random(seed)  # the one random source: steal order, select order
        self.observers = observers
        self.now = 0  # virtual time, ns
        self.seq = 0  # tie-breaker for events at the same time: order of scheduling
        # The event queue: a heap ordered by (time, seq), plus ``nxt``, one entry known to come
        # before everything in the heap. Most events are "this M goes on a little later", which
        # the fast lane serves without touching the heap; the order is exactly the heap's.
        self.events: list[tuple[int, int, Callable[[Any, int], None], Any]] = []
        self.nxt: tuple[int, int, Callable[[Any, int], None], Any] | None = None
        self.steps = 0
        self.result = Result()

        self.gomaxprocs = gomaxprocs
        self.allp: list[P] = []
        self.allp_all: list[P] = []  # every P ever made, including dead ones (procresize reuse)
        self.allm: list[M] = []  # in order of creation (Go's allm list is newest first)
        self.allg: list[G] = []
        self.pidle: list[P] = []  # idle Ps, LIFO: the top of the stack is the last element
        self.midle: list[M] = []  # idle Ms, LIFO
        self.runq: deque[G] = deque()  # the global run queue
        self.nmspinning = 0
        self.needspinning = 0
        self.nmsys = 0
        self.goidgen = 0
        self.gfree: list[G] = []  # sched.gFree: dead Gs spilled from the Ps
        self.max_threads = max_threads
        self.main_started = False
        self.main_g: G | None = None
        self.ngoroutines = 0  # live user goroutines
        self.stopwait = 0
        self.gcwaiting = False

        # Timers and the netpoller (timers.py, netpoll.py) and sysmon (sysmon.py) hang off here.
        from .netpoll import Netpoller
        from .sysmon import Sysmon

        self.netpoll = Netpoller(self)
        self.sysmon = Sysmon(self)
        self.timer_seq = 0
        self.netpoll_m: M | None = None  # the M blocked in netpoll, if any (lastpoll == 0)

    # ----- events ---------------------------------------------------------------------------

    def at(self, t: int, fn: Callable[[Any, int], None], arg: Any) -> int:
        """Schedule ``fn(arg, seq)`` at virtual time ``t``; returns the event's sequence number.
        Events at the same time run in the order they were scheduled."""
        self.seq = seq = self.seq + 1
        e = (t, seq, fn, arg)
        n = self.nxt
        if n is None:
            h = self.events
            if not h or t < h[0][0]:
                self.nxt = e
            else:
                heapq.heappush(h, e)
        elif t < n[0]:
            heapq.heappush(self.events, n)
            self.nxt = e
        else:
            heapq.heappush(self.events, e)
        return seq

    def next_event_time(self) -> int | None:
        """When the next event happens (None: nothing is scheduled)."""
        if self.nxt is not None:
            return self.nxt[0]
        return self.events[0][0] if self.events else None

    def pop_event(self) -> tuple[int, int, Callable[[Any, int], None], Any] | None:
        e = self.nxt
        if e is not None:
            self.nxt = None
            return e
        if self.events:
            return heapq.heappop(self.events)
        return None

    def emit(self, kind: str, g: G | None = None, m: M | None = None, p: P | None = None,
             reason: str | None = None, source: str | None = None, extra: Any = None) -> None:
        """Tell observers. Call sites guard with ``if self.observers`` so this costs nothing
        when nobody listens."""
        ev = Event(self.now, kind, g.goid if g is not None else None,
                   m.id if m is not None else None, p.id if p is not None else None,
                   reason, source, extra)
        for o in self.observers:
            o.event(ev)

    # ----- status changes (casgstatus) ------------------------------------------------------

    def casgstatus(self, g: G, old: GStatus, new: GStatus) -> None:
        """Every goroutine state change goes through here and checks the old state, like
        ``proc.go: casgstatus``. A wrong old state is a bug in the model, never in the program."""
        if g.status != old:
            raise AssertionError(
                f"casgstatus: G{g.goid} is {g.status.name}, expected {old.name} -> {new.name}"
            )
        g.status = new

    # ----- start-up (schedinit, procresize, runtime.main) -----------------------------------

    def start(self, main_fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """``schedinit`` + ``newproc(runtime.main)`` + ``mstart``: m0 holds P0, runtime.main is
        G1 in P0's runnext, and m0 schedules it."""
        m0 = self.newm_struct()
        self.procresize(self.gomaxprocs, m0)
        rt_main = self._runtime_main(main_fn, args)
        g1 = self.newg(rt_main, "runtime.main", None, system=False, p=self.allp[0])
        self.main_g = g1
        self.runqput(self.allp[0], g1, True)  # no wakep: mainStarted is false
        self.at(0, self._ev_schedule, m0)
        m0.evseq = self.seq

    async def _runtime_main(self, main_fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """``proc.go: main``: start sysmon, the runtime's helper goroutines, then ``main.main``."""
        from .chan import Chan

        self.main_started = True
        self.sysmon.start()
        self.newproc(_Runtime.forcegchelper(), "runtime.forcegchelper", system=True)
        # gcenable: start the sweeper and scavenger and wait until both have started.
        c = Chan(2)
        self.newproc(_Runtime.bg_worker(c, WAIT_SWEEP), "runtime.bgsweep", system=True)
        self.newproc(_Runtime.bg_worker(c, WAIT_SCAVENGE), "runtime.bgscavenge", system=True)
        await c.recv()
        await c.recv()
        self.newproc(_Runtime.updater(), "runtime.updateMaxProcsGoroutine", system=True)
        # Package initialisation (doInit) takes a while in real Go; meanwhile the thread that
        # wakep started steals and runs the updater, so main.main usually starts with empty
        # queues (go-scheduler.md §14 B2: runtime goroutines only sometimes hold queue slots).
        await Work(self.costs.runtime_init_ns)
        g = self.curg()
        g.name = "main.main"
        await main_fn(*args)
        self.exit(0)

    # ----- goroutine creation (newproc) -----------------------------------------------------

    def newg(self, coro: Any, name: str, parent: int | None, system: bool, p: P) -> G:
        """``newproc1``: a G with an id from ``p``'s batch, status RUNNABLE."""
        if p.goidcache == p.goidcacheend:
            p.goidcache = self.goidgen + 1
            self.goidgen += GOID_BATCH
            p.goidcacheend = p.goidcache + GOID_BATCH
        goid = p.goidcache
        p.goidcache += 1
        g = self.gfget(p) if p.gfree or self.gfree else None
        if g is not None:
            g.reinit(goid, coro, name, parent, system, self.now)
        else:
            g = G(goid, coro, name, parent, system, self.now)
            self.allg.append(g)  # allgs: every G struct ever made, reused ones keep their place
        g.status = _RUNNABLE  # _Gidle -> _Grunnable
        if not system:
            self.ngoroutines += 1
        return g

    def gfget(self, p: P) -> G | None:
        """``gfget``: a dead G from p's free list, refilled from the global list first."""
        if not p.gfree and self.gfree:
            n = min(GFREE_BATCH, len(self.gfree))
            p.gfree.extend(self.gfree[-n:])
            del self.gfree[-n:]
        return p.gfree.pop() if p.gfree else None

    def gfput(self, p: P, g: G) -> None:
        """``gfput``: keep a dead G for reuse; at 64 spill half to the global list."""
        g.coro = None  # the finished coroutine can go
        p.gfree.append(g)
        if len(p.gfree) >= GFREE_MAX:
            self.gfree.extend(p.gfree[GFREE_BATCH:])
            del p.gfree[GFREE_BATCH:]

    def newproc(self, coro: Any, name: str, system: bool = False) -> G:
        """``newproc``: create a G on the current P, put it in runnext, ``wakep``. Never yields."""
        cur = self.curg()
        p = cur.m.p  # type: ignore[union-attr]
        assert p is not None
        g = self.newg(coro, name, cur.goid, system, p)
        cur.debt += self.costs.go_ns
        if self.observers:
            self.emit("GoCreate", g, cur.m, p, extra=cur.goid)
        self.runqput(p, g, True)
        if self.main_started:
            self.wakep()
        return g

    def curg(self) -> G:
        """The goroutine whose code is executing right now."""
        g = self._running
        if g is None:
            raise UsageError("no goroutine is running: gmpkit calls must happen inside one")
        return g

    _running: G | None = None

    # ----- run queues (runqput, runqputslow, runqget, globrunqget) -------------------------

    def runqput(self, p: P, g: G, nxt: bool) -> None:
        """``runqput``: with ``nxt`` put g in runnext and kick the old runnext to the local tail;
        a full local queue spills half of itself plus the G to the global queue (runqputslow)."""
        if nxt and self.sw_runnext:
            old = p.runnext
            p.runnext = g
            if old is None:
                return
            g = old
        if len(p.runq) < LOCAL_RUNQ_SIZE:
            p.runq.append(g)
            return
        self.runqputslow(p, g)

    def runqputslow(self, p: P, g: G) -> None:
        """``runqputslow``: move the oldest 128 Gs of the full local queue, then ``g``, to the
        global queue tail in that order (Go shuffles the batch only under -race)."""
        batch = [p.runq.popleft() for _ in range(RUNQ_OVERFLOW_BATCH)]
        batch.append(g)
        self.runq.extend(batch)
        if self.observers:
            self.emit("RunqOverflow", p=p, extra=len(batch))

    def runqget(self, p: P) -> tuple[G | None, bool]:
        """``runqget``: runnext first (inherits the time slice), else the local queue head."""
        g = p.runnext
        if g is not None:
            p.runnext = None
            return g, True
        if p.runq:
            return p.runq.popleft(), False
        return None, False

    def globrunqget(self) -> G | None:
        """Pop one G from the global queue head (the 1-in-61 fairness check)."""
        return self.runq.popleft() if self.runq else None

    def globrunqgetbatch(self, p: P) -> G | None:
        """``globrunqgetbatch(128)``: n = min(128, size, size/GOMAXPROCS + 1); run the first,
        move the next n-1 to the local queue in order."""
        size = len(self.runq)
        if size == 0:
            return None
        n = min(GLOBAL_BATCH_MAX, size, size // self.gomaxprocs + 1)
        g = self.runq.popleft()
        for _ in range(n - 1):
            self.runqput(p, self.runq.popleft(), False)
        return g

    def globrunqput(self, g: G) -> None:
        self.runq.append(g)

    # ----- idle lists (pidleput/pidleget, mput/mget) ----------------------------------------

    @property
    def npidle(self) -> int:
        return len(self.pidle)

    @property
    def nmidle(self) -> int:
        return len(self.midle)

    def pidleput(self, p: P) -> None:
        """``pidleput``: P must have an empty local queue; push on the idle stack."""
        assert not p.runq and p.runnext is None, f"pidleput: P{p.id} has work"
        p.status = PStatus.IDLE
        p.m = None
        self.pidle.append(p)
        if self.observers:
            self.emit("PRelease", p=p)

    def pidleget(self) -> P | None:
        """``pidleget``: pop the idle stack (LIFO)."""
        return self.pidle.pop() if self.pidle else None

    def mput(self, m: M) -> None:
        """``mput``: park the M on the idle stack, then ``checkdead``."""
        m.parked = True
        self.midle.append(m)
        if self.observers:
            self.emit("MIdle", m=m)
        self.checkdead()

    def mget(self) -> M | None:
        m = self.midle.pop() if self.midle else None
        if m is not None:
            m.parked = False
        return m

    # ----- P ownership (acquirep/releasep) --------------------------------------------------

    def acquirep(self, m: M, p: P) -> None:
        """``acquirep``/``wirep``: P must be idle and unowned."""
        assert p.m is None and p.status == PStatus.IDLE, f"acquirep: {p!r}"
        m.p = p
        p.m = m
        p.status = PStatus.RUNNING
        p.oldm = m
        if self.observers:
            self.emit("PAcquire", m=m, p=p)

    def releasep(self, m: M) -> P:
        p = m.p
        assert p is not None
        m.p = None
        p.m = None
        p.status = PStatus.IDLE
        return p

    # ----- threads (newm, startm, stopm, wakep, handoffp) -----------------------------------

    def newm_struct(self, system: bool = False) -> M:
        """``mReserveID`` + ``allocm``: a new M, checking the thread limit (``checkmcount``)."""
        if len(self.allm) >= self.max_threads:
            self.fatal(
                f"runtime: program exceeds {self.max_threads}-thread limit\n"
                "fatal error: thread exhaustion",
                dump=False,
            )
        m = M(len(self.allm), system)
        self.allm.append(m)
        if system:
            self.nmsys += 1
        return m

    def startm(self, p: P | None, spinning: bool, reason: str = "") -> bool:
        """``startm``: run ``p`` (or an idle P) on an idle M, or on a new one."""
        if p is None:
            p = self.pidleget()
            if p is None:
                if spinning:
                    self.nmspinning -= 1  # the caller counted this M as spinning
                return False
        m = self.mget()
        if m is None:
            m = self.newm_struct()
            delay = self.costs.thread_start_ns
            if self.observers:
                self.emit("MCreate", m=m, p=p, reason=reason)
        else:
            delay = self.costs.thread_wake_ns
            if self.observers:
                self.emit("MWake", m=m, p=p, reason=reason)
        m.spinning = spinning
        # The P is off the idle list but stays _Pidle with no M until the woken thread runs
        # acquirep, as in Go (scheddetail shows it so meanwhile).
        m.nextp = p
        if spinning and self.observers:
            self.emit("MSpin", m=m, p=p)
        m.evseq = self.at(self.now + delay, self._ev_mstart, m)
        return True

    def _ev_mstart(self, m: M, seq: int) -> None:
        """The woken or new thread runs: acquire nextp, then ``schedule``."""
        if seq != m.evseq:
            return
        p = m.nextp
        m.nextp = None
        assert p is not None
        self.acquirep(m, p)
        self.schedule(m)

    def wakep(self) -> None:
        """``wakep``: if no M is spinning and a P is idle, start one spinning M."""
        if not self.sw_spinning or self.nmspinning != 0 or not self.pidle:
            if self.sw_spinning and self.nmspinning == 0 and not self.pidle:
                self.needspinning = 1
            return
        self.nmspinning += 1
        p = self.pidleget()
        assert p is not None
        self.startm(p, True, "wakep")

    def stopm(self, m: M) -> None:
        """``stopm``: the M has no P and no work: park it on the idle list."""
        assert m.p is None and not m.spinning
        m.curg = None
        self.mput(m)

    def handoffp(self, p: P) -> None:
        """``handoffp``: a P left a syscall (or was retaken): start an M for it if it has work
        or someone must spin; otherwise put it on the idle list. Rules in §5.4 order."""
        if p.runq or p.runnext is not None or self.runq:
            self.startm(p, False, "handoff:work")
            return
        if self.sw_spinning and self.nmspinning + self.npidle == 0:
            self.nmspinning += 1
            self.startm(p, True, "handoff:spin")
            return
        if self.npidle == self.gomaxprocs - 1 and self.netpoll_m is None:
            # The last running P and nobody polls the network: keep an M for the poller.
            self.startm(p, False, "handoff:last")
            return
        self.pidleput(p)
        if p.timers:
            self.wake_netpoller(p.timers[0][0])

    # ----- the scheduling loop (schedule, findRunnable, execute) ----------------------------

    def _ev_schedule(self, m: M, seq: int) -> None:
        if seq != m.evseq:
            return
        self.schedule(m)

    def schedule(self, m: M) -> None:
        """``schedule``: find a runnable G and execute it, or park the M."""
        p = m.p
        g = p.runnext  # type: ignore[union-attr]
        if g is not None and (
            not p.timers or p.timers[0][0] > self.now  # type: ignore[union-attr]
        ) and (p.schedtick % GLOBAL_CHECK_TICKS or not self.runq  # type: ignore[union-attr]
               or not self.sw_global_check):
            # Fast path: nothing that findRunnable checks before runnext applies (no expired
            # timer, no 1-in-61 turn), so it would return runnext with inheritTime (step 6).
            # (A spinning M never has a runnext.)
            p.runnext = None  # type: ignore[union-attr]
            self.execute(m, g, True, "runnext")
            return
        found = self.find_runnable(m)
        if found is None:
            self._switch_delay = 0
            return  # the M parked (idle list or netpoll)
        g, inherit, source = found
        if m.spinning:
            self.resetspinning(m)
        self.execute(m, g, inherit, source)

    def resetspinning(self, m: M) -> None:
        """``resetspinning``: the spinner found work; start another spinner if needed."""
        m.spinning = False
        self.nmspinning -= 1
        if self.observers:
            self.emit("MSpinStop", m=m, p=m.p)
        self.wakep()

    def execute(self, m: M, g: G, inherit: bool, source: str) -> None:
        """``execute``: switch m to g; a fresh time slice (not inherited) bumps schedtick."""
        p = m.p
        assert p is not None
        if g.status is not _RUNNABLE:
            self.casgstatus(g, GStatus.RUNNABLE, GStatus.RUNNING)
        g.status = _RUNNING
        g.m = m
        m.curg = g
        g.preempt = False
        if not inherit:
            p.schedtick += 1
        g.last_p = p.id
        if self.observers:
            self.emit("GoStart", g, m, p, source=source)
        d = self.costs.switch_ns
        if self._switch_delay:
            d += self._switch_delay
            self._switch_delay = 0
        m.evseq = self.at(self.now + d, self._ev_run, m)

    def find_runnable(self, m: M) -> tuple[G, bool, str] | None:
        """``findRunnable``: the sources in Go's exact order (go-scheduler.md §5.2)."""
        for _ in range(1000):  # "goto top" a bounded number of times: a loop is a model bug
            p = m.p
            assert p is not None
            # 2. Run this P's expired timers: woken sleepers land in its runnext.
            if p.timers and p.timers[0][0] <= self.now:
                self.run_timers(p, p)
            # 4. Fairness: every 61st tick, one G from the global queue first.
            if self.sw_global_check and p.schedtick % GLOBAL_CHECK_TICKS == 0 and self.runq:
                g = self.globrunqget()
                assert g is not None
                return g, False, "global-61"
            # 6. Local: runnext (inherits the slice), then the local queue.
            g, inherit = self.runqget(p)
            if g is not None:
                return g, inherit, "runnext" if inherit else "local"
            # 7. Global: a batch.
            if self.runq:
                g = self.globrunqgetbatch(p)
                assert g is not None
                return g, False, "global"
            # 8. Netpoll, non-blocking, if nobody is blocked in it.
            if self.netpoll.waiters and self.netpoll_m is None:
                ready = self.netpoll.poll(self.now)
                if ready:
                    g = ready.pop(0)
                    self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
                    self.injectglist(ready, p)
                    return g, False, "netpoll"
            # 9. Steal, if spinning or spinners are at most half the busy Ps. (With the
            # `stealing` switch off, only other Ps' expired timers are still taken.)
            if m.spinning or 2 * self.nmspinning < self.gomaxprocs - self.npidle:
                if not m.spinning:
                    m.spinning = True
                    self.nmspinning += 1
                    if self.observers:
                        self.emit("MSpin", m=m, p=p)
                self.needspinning = 0
                got = self.steal_work(m, p)
                if got is not None:
                    return got
            # 11. Give up the P. Recheck the global queue under the lock first.
            if self.runq:
                g = self.globrunqgetbatch(p)
                assert g is not None
                return g, False, "global"
            if not m.spinning and self.needspinning == 1 and self.sw_spinning:
                m.spinning = True
                self.nmspinning += 1
                self.needspinning = 0
                continue
            self.releasep(m)
            self.pidleput(p)
            # 12. Drop spinning, then recheck (the "delicate dance", reduced: single-threaded,
            # nothing can have changed except what we check here).
            if m.spinning:
                m.spinning = False
                self.nmspinning -= 1
                if self.observers:
                    self.emit("MSpinStop", m=m)
                if self.runq or (self.sw_stealing and self.any_local_work()):
                    p2 = self.pidleget()
                    if p2 is not None:
                        self.acquirep(m, p2)
                        m.spinning = True
                        self.nmspinning += 1
                        continue
            # 13. Block in netpoll if there is I/O or a timer to wait for and no one else is.
            poll_until = self.earliest_timer()
            if self.netpoll_m is None and (self.netpoll.waiters or poll_until):
                self.block_in_netpoll(m, poll_until)
                return None
            # 14. stopm.
            self.stopm(m)
            return None
        raise AssertionError(f"find_runnable: M{m.id} made no progress at t={self.now}ns")

    def any_local_work(self) -> bool:
        """``checkRunqsNoP``: does any non-idle P have local work?"""
        for p in self.allp:
            if p.status != PStatus.IDLE and (p.runq or p.runnext is not None):
                return True
        return False

    def steal_work(self, m: M, p: P) -> tuple[G, bool, str] | None:
        """``stealWork``: 4 rounds over all Ps in a random coprime-stride order; timers and
        runnext are only taken in the last round."""
        n = len(self.allp)
        if n == 1:
            return None
        coprimes = self._coprimes
        for i in range(STEAL_TRIES):
            last = i == STEAL_TRIES - 1
            r = self.rand.getrandbits(32)
            pos = r % n
            inc = coprimes[(r // n) % len(coprimes)]
            for _ in range(n):
                victim = self.allp[pos]
                pos = (pos + inc) % n
                if victim is p:
                    continue
                if last and victim.timers and victim.timers[0][0] <= self.now:
                    if self.run_timers(victim, p):
                        g, inherit = self.runqget(p)
                        if g is not None:
                            return g, inherit, "runnext" if inherit else "local"
                if victim.status == PStatus.IDLE or not self.sw_stealing:
                    continue  # never steal from idle Ps (idlepMask)
                g = self.runqsteal(p, victim, last)
                if g is not None:
                    return g, False, f"steal:P{victim.id}"
        return None

    def runqsteal(self, p: P, victim: P, steal_runnext: bool) -> G | None:
        """``runqsteal``/``runqgrab``: take ceil(half) of the victim's local queue from its head;
        if empty and allowed, its runnext. The thief runs the last G taken, queues the rest."""
        k = len(victim.runq)
        n = k - k // 2
        if n == 0:
            if not steal_runnext or victim.runnext is None:
                return None
            vm = victim.m
            if victim.status == PStatus.RUNNING and vm is not None and (
                vm.curg is None or vm.curg.status != GStatus.SYSCALL
            ):
                # Go sleeps 3 us first to let the owner run its runnext; in one atomic step the
                # owner cannot, so the model only charges the time (Costs.steal_backoff_ns).
                self._switch_delay = self.costs.steal_backoff_ns
            g = victim.runnext
            victim.runnext = None
            assert g is not None
            if self.observers:
                self.emit("Steal", p=p, source="runnext", extra=(victim.id, 1))
            return g
        stolen = [victim.runq.popleft() for _ in range(n)]
        g = stolen.pop()
        p.runq.extend(stolen)
        if self.observers:
            self.emit("Steal", p=p, source="runq", extra=(victim.id, n))
        return g

    # Extra time before the M's next goroutine starts: the steal backoff, or the CPU time a
    # goroutine spent on synchronous calls (go, close...) just before it parked. Consumed by
    # execute; dropped if the M finds nothing to run.
    _switch_delay = 0

    @property
    def _coprimes(self) -> list[int]:
        """``randomOrder.reset``: the numbers in [1, n] coprime with n (for the steal order)."""
        return _coprimes(len(self.allp))

    # ----- running a goroutine --------------------------------------------------------------

    def _ev_run(self, m: M, seq: int) -> None:
        """The M's goroutine continues: finish an interrupted work segment, honour a pending
        preemption request, or run the coroutine to its next await."""
        if seq != m.evseq:
            return
        g = m.curg
        assert g is not None and g.status is _RUNNING
        if g.work_end:
            g.work_end = 0
        if g.preempt:
            # A preemption request reaches a safe point (the next step of the goroutine); an
            # interrupted work() segment keeps its remainder in work_left for later.
            self.gosched(g, preempted=True)
            return
        if g.work_left:
            left, g.work_left = g.work_left, 0
            self.start_work(g, left, g.work_calls)
            return
        # Run g's Python code until its next await, then perform the awaited operation.
        global _current
        self._running = g
        _current = self
        try:
            exc = g.resume_exc
            if exc is not None:
                g.resume_exc = None
                op = g.coro.throw(exc)
            else:
                val = g.resume_val
                g.resume_val = None
                op = g.coro.send(None if val is _START else _NONE if val is None else val)
        except StopIteration:
            _current = None
            self._running = None
            self.goexit(m, g)
            return
        except _ProgramExit:
            _current = None
            self._running = None
            raise
        except (KeyboardInterrupt, SystemExit):
            _current = None
            self._running = None
            raise
        except UsageError as e:
            _current = None
            self._running = None
            raise e
        except BaseException as e:  # an escaping exception is an unrecovered panic
            _current = None
            self._running = None
            if _raised_in_asyncio(e):
                err = UsageTypeError(
                    f"goroutine {g.goid} ({g.name}) used asyncio ({type(e).__name__}: {e}): "
                    "asyncio objects (asyncio.sleep, tasks, futures) cannot run inside a "
                    "simulated goroutine; use gk.sleep / gk.work / gk.Chan instead"
                )
                raise err from e
            self.panic(g, e)
            return
        _current = None
        self._running = None
        g.debt += self.costs.step_ns
        try:
            apply = op.apply
        except AttributeError:
            self.bad_await(g, op)
            return
        apply(self, g)

    def bad_await(self, g: G, obj: Any) -> None:
        what = type(obj).__module__ + "." + type(obj).__qualname__
        if obj is None:
            what = "a bare yield (asyncio.sleep(0)?)"
        hint = (
            "asyncio objects (asyncio.sleep, tasks, futures) cannot run inside a simulated "
            "goroutine: use gk.sleep / gk.work / gk.Chan instead"
            if "asyncio" in what or "Future" in what or obj is None
            else "only gmpkit operations (gk.work, gk.sleep, channel send/recv, ...) can be "
            "awaited inside a goroutine"
        )
        err = UsageTypeError(f"goroutine {g.goid} ({g.name}) awaited {what}: {hint}")
        g.coro.close()
        raise err

    def cont(self, g: G, cost: int, value: Any = None) -> None:
        """The running g goes on after ``cost`` ns (plus the cost of its synchronous calls)."""
        g.resume_val = value
        m = g.m
        assert m is not None
        d = cost + g.debt
        g.debt = 0
        m.evseq = self.at(self.now + d, self._ev_run, m)

    def start_work(self, g: G, ns: int, calls: bool) -> None:
        """Begin a CPU segment; sysmon's preemption may cut it short (``preemptone``)."""
        m = g.m
        assert m is not None
        d = ns + g.debt
        g.debt = 0
        g.work_end = self.now + d
        g.work_calls = calls
        m.evseq = self.at(g.work_end, self._ev_run, m)

    def park(self, g: G, reason: str, timer_when: int = 0) -> None:
        """``gopark``: RUNNING -> WAITING with a reason; the M schedules another G.
        The P stays with the M. ``timer_when``: a sleep, whose timer goes into the P's heap
        after parking and before scheduling (``resetForSleep`` as gopark's unlock function)."""
        m = g.m
        assert m is not None
        if g.status is not _RUNNING:
            self.casgstatus(g, GStatus.RUNNING, GStatus.WAITING)
        g.status = _WAITING
        g.waitreason = reason
        g.wait_since = self.now
        g.m = None
        m.curg = None
        if g.debt:
            # The parking goroutine still used its P for its last synchronous calls (e.g. a
            # burst of `go` statements): the next goroutine on this M starts that much later.
            # (It is marked waiting at once, so a waker in that window finds it parked.)
            self._switch_delay += g.debt
            g.debt = 0
        if self.observers:
            self.emit("GoBlock", g, m, m.p, reason=reason)
        if timer_when:
            assert m.p is not None
            self.add_timer(m.p, timer_when, g)
        self.schedule(m)

    def ready(self, g: G, source_g: G | None = None, nxt: bool = True) -> None:
        """``goready``/``ready``: WAITING -> RUNNABLE into runnext of the *current* P (the
        waker's), then ``wakep``. The waker keeps running."""
        if g.status is not _WAITING:
            self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
        g.status = _RUNNABLE
        cur = self._running if source_g is None else source_g
        cm = cur.m if cur is not None else None
        p = cm.p if cm is not None else None
        if p is None:
            p = self._ready_p
            assert p is not None, "ready: no current P"
        if nxt and self.sw_runnext:  # runqput(p, g, next=true), inlined: the common case
            old = p.runnext
            p.runnext = g
            if old is not None:
                self.runqput(p, old, False)
        else:
            self.runqput(p, g, False)
        if self.observers:
            self.emit("GoUnblock", g, p.m, p, source="runnext" if nxt else "local",
                      extra=cur.goid if cur is not None else None)
        if not self.nmspinning:  # wakep's first checks, inlined
            if self.pidle:
                self.wakep()
            elif self.sw_spinning:
                self.needspinning = 1

    _ready_p: P | None = None  # the P of the M that runs timers outside a goroutine

    def gosched(self, g: G, preempted: bool) -> None:
        """``goschedImpl``: RUNNING -> RUNNABLE, to the global queue *tail*; ``wakep``."""
        m = g.m
        assert m is not None
        self.casgstatus(g, GStatus.RUNNING, GStatus.RUNNABLE)
        g.m = None
        m.curg = None
        if self.observers:
            self.emit("GoPreempt" if preempted else "GoSched", g, m, m.p)
        self.globrunqput(g)
        if self.main_started:
            self.wakep()
        # The switch happens after the Gosched call's own cost.
        d, g.debt = g.debt, 0
        self.schedule_after(m, d)

    def goexit(self, m: M, g: G) -> None:
        """``goexit0``: RUNNING -> DEAD, the G struct goes to the P's free list."""
        self.casgstatus(g, GStatus.RUNNING, GStatus.DEAD)
        g.m = None
        m.curg = None
        if not g.system:
            self.ngoroutines -= 1
        p = m.p
        assert p is not None
        if self.observers:
            self.emit("GoEnd", g, m, p)
        self.gfput(p, g)
        if g is self.main_g:
            return  # runtime.main has already called exit()
        d, g.debt = g.debt, 0
        self.schedule_after(m, d)

    def schedule_after(self, m: M, d: int) -> None:
        """``schedule`` now, or ``d`` ns from now when the goroutine that left the M still had
        that much CPU time to account for."""
        if d:
            m.evseq = self.at(self.now + d, self._ev_schedule, m)
        else:
            self.schedule(m)

    # ----- preemption (preemptone) ------------------------------------------------------------

    def preemptone(self, p: P) -> bool:
        """``preemptone``: ask the G running on p to stop. With async preemption it stops at
        once (the signal lands); otherwise at its next safe point."""
        m = p.m
        if m is None or m.system:
            return False
        g = m.curg
        if g is None or g.status != GStatus.RUNNING:
            return False
        g.preempt = True
        if self.observers:
            self.emit("PreemptRequest", g, m, p)
        if g.work_end > self.now and (not self.godebug.asyncpreemptoff or g.work_calls):
            # The request lands in the middle of a work() segment: keep the rest for later.
            g.work_left = g.work_end - self.now
            g.work_end = 0
            m.evseq = self.at(self.now, self._ev_run, m)
        return True

    # ----- system calls (entersyscall, exitsyscall) -----------------------------------------

    def entersyscall(self, g: G, ns: int) -> None:
        """``entersyscall``: the G keeps its M *and* its P (still RUNNING) while in the kernel.
        Only sysmon's ``retake`` takes the P away."""
        m = g.m
        assert m is not None and m.p is not None
        p = m.p
        m.syscalltick = p.syscalltick
        m.oldp = p
        self.casgstatus(g, GStatus.RUNNING, GStatus.SYSCALL)
        if self.observers:
            self.emit("GoSysCall", g, m, p)
        self.sysmon.wake()  # sysmon in deep sleep must be able to retake this P
        d = ns + g.debt + self.costs.syscall_ns
        g.debt = 0
        m.syscall_end = self.now + d
        m.evseq = self.at(m.syscall_end, self._ev_exitsyscall, m)

    def _ev_exitsyscall(self, m: M, seq: int) -> None:
        if seq != m.evseq:
            return
        self.exitsyscall(m)

    def exitsyscall(self, m: M) -> None:
        """``exitsyscall``: keep the P if nobody took it (fast path); else take the old P back
        if another M holds it in a syscall, or any idle P (slow path); else queue the G on the
        global queue and park the M (slowest path)."""
        g = m.curg
        assert g is not None
        oldp = m.oldp
        m.oldp = None
        self.casgstatus(g, GStatus.SYSCALL, GStatus.RUNNING)
        if m.p is not None:  # fast path
            m.p.syscalltick += 1
            if self.observers:
                self.emit("GoSysExit", g, m, m.p, reason="fast")
            self.cont(g, 0)
            return
        p = None
        how = ""
        if oldp is not None and oldp.status == PStatus.RUNNING and oldp.m is not None:
            om = oldp.m
            if om.curg is not None and om.curg.status == GStatus.SYSCALL and om.p is oldp:
                # Steal the old P back from an M that is itself in a syscall.
                om.p = None
                oldp.m = None
                oldp.status = PStatus.IDLE
                oldp.syscalltick += 1
                p = oldp
                how = "oldp"
        if p is None:
            p = self.pidleget()
            how = "idlep"
            if p is not None:
                self.sysmon.wake()
        if p is not None:
            self.acquirep(m, p)
            p.syscalltick += 1
            if self.observers:
                self.emit("GoSysExit", g, m, p, reason=how)
            self.cont(g, 0)
            return
        # Slowest path (exitsyscallNoP): the G waits on the global queue, the M parks.
        self.casgstatus(g, GStatus.RUNNING, GStatus.RUNNABLE)
        g.m = None
        m.curg = None
        if self.observers:
            self.emit("GoSysExit", g, m, None, reason="global")
        self.globrunqput(g)
        self.stopm(m)

    # ----- timers (timers.go check) ---------------------------------------------------------

    def add_timer(self, p: P, when: int, g: Any) -> None:
        """Insert a timer into p's heap (``resetForSleep`` for a sleeping G; ``time.After``'s
        channel timer otherwise); if it is p's new earliest, ``wakeNetPoller``."""
        self.timer_seq += 1
        if isinstance(g, G):
            g.timer_seq = self.timer_seq
        entry = [when, self.timer_seq, g]
        heapq.heappush(p.timers, entry)
        if p.timers[0] is entry:
            self.wake_netpoller(when)

    def run_timers(self, tp: P, onto: P) -> int:
        """``timers.check``: run tp's expired timers on P ``onto``; each wakes its sleeper into
        onto's runnext (``goroutineReady`` -> ``goready``). Returns how many ran."""
        n = 0
        prev = self._ready_p
        self._ready_p = onto
        saved = self._running
        self._running = None
        try:
            while tp.timers and tp.timers[0][0] <= self.now:
                when, tseq, g = heapq.heappop(tp.timers)
                if not isinstance(g, G):
                    # A channel timer (time.After): a non-blocking send of the time it fired;
                    # a waiting receiver is readied into onto's runnext like a sleeper.
                    g.fire(self, when)
                    n += 1
                    continue
                if g.timer_seq != tseq or g.status != GStatus.WAITING:
                    continue
                if self.observers:
                    self.emit("TimerFire", g, onto.m, onto)
                self.ready(g)
                n += 1
        finally:
            self._ready_p = prev
            self._running = saved
        return n

    def earliest_timer(self) -> int:
        """``checkTimersNoP``: the earliest timer over all Ps (0: none)."""
        w = 0
        for p in self.allp:
            if p.timers and (w == 0 or p.timers[0][0] < w):
                w = p.timers[0][0]
        return w

    def wake_netpoller(self, when: int) -> None:
        """``wakeNetPoller``: a blocked poller with a later deadline is woken early; if nobody
        is polling, ``wakep`` so some M notices the timer."""
        nm = self.netpoll_m
        if nm is not None:
            if nm.poll_until == 0 or when < nm.poll_until:
                self.netpoll_break(nm, when)
        else:
            self.wakep()

    # ----- netpoll blocking (findRunnable step 13) ------------------------------------------

    def block_in_netpoll(self, m: M, poll_until: int) -> None:
        """The M sleeps in the poller until I/O is ready or the earliest timer (no P)."""
        m.in_netpoll = True
        m.poll_until = poll_until
        self.netpoll_m = m
        if self.observers:
            self.emit("MNetpoll", m=m, extra=poll_until)
        self._arm_netpoll(m)

    def _arm_netpoll(self, m: M) -> None:
        wake = m.poll_until
        ready_at = self.netpoll.next_ready()
        if ready_at and (wake == 0 or ready_at < wake):
            wake = ready_at
        if wake:
            m.evseq = self.at(max(wake, self.now), self._ev_netpoll_wake, m)
        else:
            self.seq += 1  # sleep until something arms it again (an I/O registration)
            m.evseq = self.seq

    def netpoll_break(self, m: M, when: int) -> None:
        """``netpollBreak``: shorten the blocked poller's sleep."""
        m.poll_until = when
        self._arm_netpoll(m)

    def netpoll_rearm(self) -> None:
        """A new I/O waiter was registered: a blocked poller may need to wake earlier."""
        m = self.netpoll_m
        if m is not None:
            self._arm_netpoll(m)

    def _ev_netpoll_wake(self, m: M, seq: int) -> None:
        """Back from a blocking netpoll: take an idle P; run the first ready G and inject the
        rest, or (timer expiry) go back to the top of findRunnable."""
        if seq != m.evseq:
            return
        m.in_netpoll = False
        m.poll_until = 0
        self.netpoll_m = None
        ready = self.netpoll.poll(self.now)
        self.netpoll.lastpoll = self.now
        p = self.pidleget()
        if p is None:
            self.injectglist(ready, None)
            self.stopm(m)
            return
        self.acquirep(m, p)
        if ready:
            g = ready.pop(0)
            self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
            self.injectglist(ready, p)
            self.execute(m, g, False, "netpoll")
            return
        # Woken for a timer: the polling M runs every expired timer onto its new P.
        for tp in self.allp:
            if tp.timers and tp.timers[0][0] <= self.now:
                self.run_timers(tp, p)
        self.schedule(m)

    def injectglist(self, gs: list[G], p: P | None) -> None:
        """``injectglist``: make a batch of waiting Gs runnable (WAITING -> RUNNABLE):
        without a P, all to the global queue and start Ms on idle Ps; with a P, one per idle P
        to the global queue (starting an M each), the rest to p's local queue. Never runnext."""
        if not gs:
            return
        for g in gs:
            self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
            if self.observers:
                self.emit("NetpollReady", g, source="global" if p is None else "local")
        if p is None:
            self.runq.extend(gs)
            n = len(gs)
            while n and self.pidle:
                self.startm(None, False, "injectglist")
                n -= 1
            return
        i = 0
        while i < len(gs) and self.pidle:
            self.globrunqput(gs[i])
            self.startm(None, False, "injectglist")
            i += 1
        for g in gs[i:]:
            self.runqput(p, g, False)
        self.wakep()

    # ----- GOMAXPROCS (procresize) ----------------------------------------------------------

    def procresize(self, nprocs: int, m: M) -> list[P]:
        """``procresize``: make allp hold n Ps; destroy extra Ps (their queues go to the global
        queue's head as [runnext, local..., old global...]); the current M keeps its P if it
        survives, else takes P0; idle Ps go on the idle list in ascending id order."""
        old = len(self.allp)
        while len(self.allp_all) < nprocs:
            self.allp_all.append(P(len(self.allp_all)))
        for p in self.allp_all[old:nprocs]:
            p.status = PStatus.GCSTOP
        for p in self.allp[nprocs:]:
            # destroy: local queue to the global head (order kept), runnext to the very head.
            while p.runq:
                self.runq.appendleft(p.runq.pop())
            if p.runnext is not None:
                self.runq.appendleft(p.runnext)
                p.runnext = None
            if p.timers:
                tp = self.allp_all[0] if m.p is None or m.p.id >= nprocs else m.p
                for e in p.timers:
                    heapq.heappush(tp.timers, e)
                p.timers = []
            p.status = PStatus.DEAD
            p.m = None
        self.allp = self.allp_all[:nprocs]
        self.gomaxprocs = nprocs
        self.pidle = []
        if m.p is not None and m.p.id < nprocs:
            m.p.status = PStatus.RUNNING
        else:
            if m.p is not None:
                m.p.m = None
                m.p = None
            p0 = self.allp[0]
            p0.status = PStatus.IDLE
            p0.m = None
            self.acquirep(m, p0)
        runnable: list[P] = []
        for p in reversed(self.allp):
            if p is m.p:
                continue
            p.status = PStatus.IDLE
            p.m = None
            if p.runq or p.runnext is not None:
                runnable.append(p)
        idle = [p for p in self.allp if p is not m.p and p not in runnable]
        for p in idle:  # ascending ids: the top of the stack is the highest id
            self.pidle.append(p)
        return runnable  # like Go's procresize: the Ps with local work, for startTheWorld

    def set_gomaxprocs(self, g: G, n: int) -> None:
        """``runtime.GOMAXPROCS(n)``: returns the old value; equal n needs no stop-the-world."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise UsageTypeError(f"GOMAXPROCS needs an int, got {n!r}")
        prev = self.gomaxprocs
        if n <= 0 or n == prev:
            self.cont(g, self.costs.sync_ns, prev)
            return
        if n > 1024:
            raise UsageValueError(f"GOMAXPROCS={n} is more than the model allows (1024)")
        m = g.m
        assert m is not None
        # Stop the world: every other running G is preempted into its own P's runnext (the
        # preempt-for-STW exception of gopreempt_m); Ms lose their Ps and park.
        for p in list(self.allp):
            om = p.m
            if p is m.p or om is None:
                continue
            og = om.curg
            if og is not None and og.status == GStatus.RUNNING:
                if og.work_end > self.now:
                    og.work_left = og.work_end - self.now
                    og.work_end = 0
                self.casgstatus(og, GStatus.RUNNING, GStatus.RUNNABLE)
                og.m = None
                om.curg = None
                # gopreempt_m during a stop-the-world: runqput(own P, g, next=true), which
                # kicks the old runnext to the local tail.
                old = p.runnext
                p.runnext = og
                if old is not None:
                    self.runqput(p, old, False)
            if om.curg is not None and om.curg.status == GStatus.SYSCALL:
                # The P is taken from the syscall; the M keeps its G and will exit slowly.
                om.p = None
                p.syscalltick += 1
            else:
                om.p = None
                om.spinning = False
                om.nextp = None
                self.seq += 1
                om.evseq = self.seq  # cancels whatever it was about to do
                om.curg = None
                self.midle.append(om)
                om.parked = True
            p.m = None
        for om in self.allm:
            if om.nextp is not None:
                # A thread on its way to a P (startm): it parks instead; procresize hands the
                # P out again.
                om.nextp = None
                self.seq += 1
                om.evseq = self.seq
                self.midle.append(om)
                om.parked = True
            om.spinning = False
        self.nmspinning = 0
        # A netpoll-blocked M stays blocked: it has no P.
        if self.observers:
            self.emit("GOMAXPROCS", g, m, m.p, extra=(prev, n))
        runnable = self.procresize(n, m)
        # startTheWorld: wake an M for each P with work (its old M first), then wakep.
        for p in runnable:
            om = p.oldm
            if om is not None and om.parked and om in self.midle:
                self.midle.remove(om)
                om.parked = False
                om.spinning = False
                om.nextp = p
                om.evseq = self.at(self.now + self.costs.stw_ns, self._ev_mstart, om)
            else:
                self.startm(p, False, "starttheworld")
        self.wakep()
        self.cont(g, self.costs.stw_ns, prev)

    # ----- program end: exit, panic, checkdead ----------------------------------------------

    def exit(self, code: int) -> None:
        self.result.exit_code = code
        self.result.ended = True
        if self.observers:
            self.emit("Exit", extra=code)
        raise _ProgramExit()

    def panic(self, g: G, e: BaseException) -> None:
        """An exception escaped goroutine g: Go prints ``panic: <value>``, a blank line and
        the panicking goroutine's stack only, and exits with status 2."""
        hint = ""
        if isinstance(e, PanicError):
            value = _panic_value_text(e.value)
            hint = e.hint
        else:
            value = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        text = f"panic: {value}\n\ngoroutine {g.goid} [running]:\n" + self._frames(g, e)
        self.result.stderr.append(text)
        self.result.exit_code = 2
        err = GoPanic(text, 2, hint=hint)
        err.__cause__ = e
        self.result.error = err
        self.result.ended = True
        if self.observers:
            self.emit("Exit", g, extra=2, reason="panic")
        raise _ProgramExit()

    def fatal(self, message: str, dump: bool = True) -> None:
        """``throw``/``fatal``: ``fatal error: ...`` then (for deadlocks) every user goroutine."""
        text = message + "\n"
        if dump:
            text += "\n" + self.goroutine_dump()
        self.result.stderr.append(text)
        self.result.exit_code = 2
        self.result.error = GoFatal(text, 2)
        self.result.ended = True
        if self.observers:
            self.emit("Exit", extra=2, reason="fatal")
        raise _ProgramExit()

    def checkdead(self) -> None:
        """``checkdead``: if no M is running (Ms in syscalls or netpoll count as running), no
        user goroutine can run and no timer is pending, the program is deadlocked."""
        run = len(self.allm) - len(self.midle) - self.nmsys
        if run > 0:
            return
        if self.ngoroutines == 0 and not self.result.ended:
            self.fatal("fatal error: no goroutines (main called runtime.Goexit) - deadlock!")
        for p in self.allp:
            if p.timers:
                return
        self.fatal("fatal error: all goroutines are asleep - deadlock!")

    def goroutine_dump(self, include_system: bool = False) -> str:
        """Go-format dump (``traceback.go``): ``goroutine N [status]:``, frames, ``created by``."""
        parts = []
        for g in self.allg:
            if g.status == GStatus.DEAD or (g.system and not include_system):
                continue
            parts.append(self.goroutine_header(g) + "\n" + self._frames(g))
        return "\n".join(parts)

    def goroutine_header(self, g: G) -> str:
        if g.status == GStatus.WAITING and g.waitreason:
            status = g.waitreason
        else:
            status = GSTATUS_STRINGS[g.status]
        minutes = (self.now - g.wait_since) // 60_000_000_000 if g.status == GStatus.WAITING else 0
        if minutes >= 1:
            status += f", {minutes} minutes"
        return f"goroutine {g.goid} [{status}]:"

    def _frames(self, g: G, exc: BaseException | None = None) -> str:
        """The goroutine's 'stack': its function and where its Python code stands, then who
        created it (Go prints file:line +pc offsets; the model prints the Python file:line)."""
        loc = ""
        if exc is not None:
            tb = exc.__traceback__
            while tb is not None:  # the innermost frame outside gmpkit is where it panicked
                fn = tb.tb_frame.f_code.co_filename
                if _PKG_DIR not in fn:
                    loc = f"\t{fn}:{tb.tb_lineno}"
                tb = tb.tb_next
        else:
            coro = g.coro
            frame = getattr(coro, "cr_frame", None)
            while frame is not None:
                if _PKG_DIR not in frame.f_code.co_filename:
                    loc = f"\t{frame.f_code.co_filename}:{frame.f_lineno}"
                coro = getattr(coro, "cr_await", None)
                frame = getattr(coro, "cr_frame", None)
        out = f"{_go_name(g.name)}()\n" + (loc + "\n" if loc else "")
        if g.parent is not None and g is not self.main_g:
            out += f"created by {self._parent_name(g.parent)} in goroutine {g.parent}\n"
        return out

    def _parent_name(self, goid: int) -> str:
        for g in self.allg:
            if g.goid == goid:
                return _go_name(g.name)
        return "main.main"

    def close_all(self) -> None:
        """After the program ended: close every unfinished coroutine (no Python warnings)."""
        global _current
        for g in self.allg:
            if g.status != GStatus.DEAD and g.coro is not None:
                try:
                    g.coro.close()
                except BaseException:  # a finally block that awaited: nothing left to run it
                    pass
        _current = None
        self._running = None

    # ----- schedtrace (proc.go: schedtrace) -------------------------------------------------

    def schedtrace_text(self, ms: int, detailed: bool) -> str:
        """One ``schedtrace`` block in Go's exact format (go-scheduler.md §13)."""
        nm = len(self.allm)
        head = (
            f"SCHED {ms}ms: gomaxprocs={self.gomaxprocs} idleprocs={self.npidle} threads={nm} "
            f"spinningthreads={self.nmspinning} needspinning={self.needspinning} "
            f"idlethreads={self.nmidle} runqueue={len(self.runq)}"
        )
        if not detailed:
            runqs = "".join(f" {len(p.runq)}" for p in self.allp)
            ticks = "".join(f"{p.schedtick} " for p in self.allp)
            return f"{head} [{runqs} ] schedticks=[ {ticks}]"
        lines = [
            f"{head} gcwaiting={str(self.gcwaiting).lower()} nmidlelocked=0 "
            f"stopwait={self.stopwait} sysmonwait={str(self.sysmon.deep_sleep).lower()}"
        ]
        for p in self.allp:
            mid = str(p.m.id) if p.m is not None else "nil"
            lines.append(
                f"  P{p.id}: status={int(p.status)} schedtick={p.schedtick} "
                f"syscalltick={p.syscalltick} m={mid} runqsize={len(p.runq)} "
                f"gfreecnt={p.gfreecnt} timerslen={len(p.timers)}"
            )
        for m in reversed(self.allm):  # allm is newest first in Go
            pid = str(m.p.id) if m.p is not None else "nil"
            cg = str(m.curg.goid) if m.curg is not None else "nil"
            lines.append(
                f"  M{m.id}: p={pid} curg={cg} mallocing=0 throwing=0 preemptoff= locks=0 "
                f"dying=0 spinning={str(m.spinning).lower()} blocked={str(m.parked).lower()} "
                "lockedg=nil"
            )
        for g in self.allg:
            mid = str(g.m.id) if g.m is not None else "nil"
            lines.append(f"  G{g.goid}: status={int(g.status)}({g.waitreason}) m={mid} lockedm=nil")
        return "\n".join(lines)


_PKG_DIR = __file__.rsplit("/", 1)[0].rsplit("\\", 1)[0] + "/"


@functools.cache
def _coprimes(n: int) -> list[int]:
    return [i for i in range(1, n + 1) if math.gcd(i, n) == 1]


def _raised_in_asyncio(e: BaseException) -> bool:
    """Did the exception come out of asyncio's own code (e.g. 'no running event loop')?"""
    tb = e.__traceback__
    while tb is not None:
        fn = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if "/asyncio/" in fn:
            return True
        tb = tb.tb_next
    return False


def _go_name(name: str) -> str:
    """Go-style function name for dumps: ``main.worker`` for a Python function ``worker``."""
    if name.startswith(("main.", "runtime.")):
        return name
    return "main." + name.rsplit(".", 1)[-1]


def _panic_value_text(v: Any) -> str:
    """How Go prints a panic value: strings as-is, errors by Error(), others with their type."""
    if isinstance(v, str):
        return v
    if isinstance(v, BaseException):
        return str(v)
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, int):
        return f"{v}"
    return repr(v)


# ---------------------------------------------------------------------------------------------
# The simulation: the loop, step() and run()
# ---------------------------------------------------------------------------------------------


def _check_gomaxprocs(n: Any) -> int:
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
    if n > 1024:
        raise UsageValueError(f"gomaxprocs={n} is more than the model allows (1024)")
    return n


def check_async(fn: Any, what: str) -> None:
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


class Sim:
    """One simulated Go program. ``step()`` performs one scheduler event; ``run()`` loops.

    The loop (``step``), in labelled phases:
      1. pop the earliest event (time, then sequence number: ties in scheduling order);
      2. advance virtual time to it;
      3. perform it: an M continues its goroutine, finishes a syscall, wakes up and schedules,
         sysmon ticks, or the poller wakes.
    """

    def __init__(self, main: Callable[..., Coroutine[Any, Any, Any]], *args: Any,
                 gomaxprocs: int = 2, seed: int = 0, godebug: str = "",
                 costs: Costs | None = None, max_threads: int = MAX_THREADS,
                 until_ms: float | None = 60_000, max_steps: int | None = 50_000_000,
                 observers: list[Any] | tuple[Any, ...] = (), record: bool = False,
                 **switches: bool):
        check_async(main, "gk.run")
        _check_gomaxprocs(gomaxprocs)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise UsageTypeError(f"seed must be an int, got {seed!r}")
        sw = {name: True for name in SWITCHES}
        for k, v in switches.items():
            if k not in sw:
                raise UsageTypeError(
                    f"unknown option {k!r}; scheduler switches are: {', '.join(SWITCHES)}"
                )
            if not isinstance(v, bool):
                raise UsageTypeError(f"switch {k} must be True or False, got {v!r}")
            sw[k] = v
        if not isinstance(max_threads, int) or max_threads < 3:
            raise UsageValueError(f"max_threads must be an int >= 3, got {max_threads!r}")
        if until_ms is not None and until_ms <= 0:
            raise UsageValueError(f"until_ms must be positive, got {until_ms}")
        self.options = dict(gomaxprocs=gomaxprocs, seed=seed, godebug=godebug, **sw)
        observers = list(observers)
        self.recorder: Any = None
        if record:  # the standard recorder (gmpkit.trace; pandas only when tables are asked for)
            from .trace import Recorder

            self.recorder = Recorder()
            observers.append(self.recorder)
        self._trace: Any = None
        self.until_ns = int(until_ms * 1_000_000) if until_ms is not None else None
        self.max_steps = max_steps
        self.sched = Sched(gomaxprocs, seed, costs or Costs(), sw, Godebug.parse(godebug),
                           max_threads, list(observers))
        for o in self.sched.observers:
            attach = getattr(o, "attach", None)
            if attach is not None:
                attach(self.sched)
        self.sched.start(main, args)
        self.done = False
        self.error: BaseException | None = None

    @property
    def now(self) -> int:
        return self.sched.now

    def __del__(self) -> None:
        # A Sim dropped before its program ended: close the coroutines quietly (no
        # "coroutine was never awaited" warnings at interpreter exit).
        sched = getattr(self, "sched", None)
        if sched is not None and not self.done:
            sched.close_all()

    @property
    def trace(self) -> Any:
        """The run's Trace (exit code, stdout, stderr, SCHED lines; tables if recording)."""
        if self._trace is None:
            from .api import Trace

            self._trace = Trace(self, self.recorder)
        return self._trace

    def step(self) -> bool:
        """Perform one scheduler event. Returns False once the program has ended."""
        if self.done:
            return False
        s = self.sched
        e = s.pop_event()
        if e is None:
            # Nothing can ever happen again but the program has not ended: every M is idle.
            self._finish_fatal_idle()
            return False
        t, seq, fn, arg = e
        if self.until_ns is not None and t > self.until_ns:
            heapq.heappush(s.events, e)
            self._limit(f"the run reached its virtual-time limit until_ms={self.until_ns / 1e6:g} "
                        "without main returning; raise until_ms or make main return sooner")
            return False
        s.now = t
        s.steps += 1
        global _current
        try:
            fn(arg, seq)
        except _ProgramExit:
            self.done = True
            s.close_all()
            return False
        except BaseException:
            _current = None
            s._running = None
            self.done = True
            s.close_all()
            raise
        if self.max_steps is not None and s.steps >= self.max_steps:
            self._limit(f"the run reached its step limit max_steps={self.max_steps} "
                        "without main returning; raise max_steps or shorten the program")
            return False
        return True

    def _limit(self, msg: str) -> None:
        self.done = True
        self.error = SimulationLimit(msg)
        self.sched.close_all()

    def _finish_fatal_idle(self) -> None:
        # Unreachable with a correct model (checkdead fires first); say so clearly if it happens.
        self.done = True
        self.error = SimulationLimit("no events left but the program has not ended")

    def run(self, until_ms: float | None = None) -> Sim:
        """Run to the end (or to ``until_ms`` of virtual time, pausing there)."""
        stop = None if until_ms is None else int(until_ms * 1_000_000)
        s = self.sched
        if stop is None and not self.done:
            self._run_to_end()
            return self
        while not self.done:
            nt = s.next_event_time()
            if stop is not None and nt is not None and nt > stop:
                s.now = max(s.now, stop)
                break
            if not self.step():
                break
        return self

    def _run_to_end(self) -> None:
        """``step()`` in a loop, with the loop's invariants hoisted (the hot loop of a run)."""
        s = self.sched
        heap = s.events
        pop = heapq.heappop
        until = self.until_ns if self.until_ns is not None else 1 << 62
        max_steps = self.max_steps if self.max_steps is not None else 1 << 62
        steps = s.steps
        try:
            while True:
                e = s.nxt
                if e is not None:
                    s.nxt = None
                elif heap:
                    e = pop(heap)
                else:
                    s.steps = steps
                    self._finish_fatal_idle()
                    return
                t = e[0]
                if t > until:
                    heapq.heappush(heap, e)
                    s.steps = steps
                    self.step()  # reports the time limit
                    return
                s.now = t
                steps += 1
                e[2](e[3], e[1])
                if steps >= max_steps:
                    s.steps = steps
                    self._limit(f"the run reached its step limit max_steps={self.max_steps} "
                                "without main returning; raise max_steps or shorten the program")
                    return
        except _ProgramExit:
            s.steps = steps
            self.done = True
            s.close_all()
        except BaseException:
            global _current
            s.steps = steps
            _current = None
            s._running = None
            self.done = True
            s.close_all()
            raise
