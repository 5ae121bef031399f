"""G, M and P: the scheduler's three structures, their states and constants (``runtime/runtime2.go``).

Go's runtime keeps the scheduler's data in ``runtime2.go`` and its operations in ``proc.go``; this
module is the first half, ``sched.py`` the second. Nothing here makes a decision: these are the
records the scheduler reads and writes, each field commented, each state documented by what is true
while a G or P is in it.

* **G** (goroutine): a coroutine plus its scheduling state. It is in exactly one place at a time:
  running on an M, on one run queue (a P's ``runnext`` or local queue, or the global queue), parked
  on some wait structure (a channel's queue, a timer, the poller), or dead on a free list.
* **M** (machine): an operating-system thread. It runs Go code only while it holds a P. Ms are
  created on demand and never destroyed (go-scheduler.md §8.4).
* **P** (processor): the right to run Go code, with a local run queue of 256 slots and a ``runnext``
  slot. There are exactly GOMAXPROCS of them.

Status changes go through one guarded function each (``Sched.casgstatus`` for Gs, ``Sched.casp`` for
Ps), which checks the old status, as ``proc.go: casgstatus`` does.
"""

from __future__ import annotations

from collections import deque
from enum import IntEnum
from typing import Any, Final

# ---------------------------------------------------------------------------------------------
# Constants (go-scheduler.md §1). Each carries its reason.
# ---------------------------------------------------------------------------------------------

#: Local run queue capacity (``len(p.runq)``): a fixed ring so runqput/runqget need no lock.
LOCAL_RUNQ_SIZE: Final = 256
#: ``runqputslow`` moves half of a full local queue (plus the new G) to the global queue.
RUNQ_OVERFLOW_BATCH: Final = LOCAL_RUNQ_SIZE // 2
#: Every 61st schedule tick takes one G from the global queue first, so two goroutines that
#: keep respawning each other in runnext cannot starve the global queue. 61 is prime so the
#: check does not fall into step with other periodic behaviour.
GLOBAL_CHECK_TICKS: Final = 61
#: ``globrunqgetbatch`` is called with half the local queue: never take more than fits.
GLOBAL_BATCH_MAX: Final = LOCAL_RUNQ_SIZE // 2
#: ``stealWork`` makes 4 passes over all Ps; runnext and timers are only taken in the last.
STEAL_TRIES: Final = 4
#: sysmon preempts a G whose P has not scheduled for this long (``forcePreemptNS``).
FORCE_PREEMPT_NS: Final = 10_000_000
#: Each P reserves goroutine ids in batches of 16 (``_GoidCacheBatch``) to avoid contention.
GOID_BATCH: Final = 16
#: Default thread limit (``sched.maxmcount``; ``debug.SetMaxThreads``).
MAX_THREADS: Final = 10_000
#: Per-P free list of dead Gs: spill half to the global list at 64, refill 32 (gfput, gfget).
GFREE_MAX: Final = 64
GFREE_BATCH: Final = 32
#: Initial goroutine stack (``fixedStack`` on linux), for the dumps and memory estimates.
STACK_MIN: Final = 2048
#: The model's own ceiling on GOMAXPROCS. Go has none (the limit went away in Go 1.10), but
#: every P costs the model memory and a scan in several loops; a thousand Ps is far beyond
#: anything the course shows, and a typo such as gomaxprocs=40000 gets a clear error.
MAX_GOMAXPROCS: Final = 1024


class GStatus(IntEnum):
    """Goroutine states, numbered as ``runtime2.go`` numbers them (scheddetail prints the number).

    IDLE:     just allocated, not yet initialised.
    RUNNABLE: on exactly one run queue (a P's runnext or local queue, or the global queue); no M.
    RUNNING:  executing user code; has an M, and that M has a P.
    SYSCALL:  in a system call; has an M; its P may be taken away by sysmon meanwhile.
    WAITING:  blocked (``waitreason`` says on what); on some wait structure, on no run queue.
    DEAD:     exited; on a P's (or the global) free list, waiting to be reused by ``gfget``.
    """

    IDLE = 0
    RUNNABLE = 1
    RUNNING = 2
    SYSCALL = 3
    WAITING = 4
    DEAD = 6


# Hot paths compare statuses by identity with these module constants (cheaper than enum lookup).
RUNNABLE: Final = GStatus.RUNNABLE
RUNNING: Final = GStatus.RUNNING
WAITING: Final = GStatus.WAITING

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

    IDLE:    on the idle list with an empty local queue, or in transition to an M (``startm`` has
             chosen it; the M's ``acquirep`` will take it); no M.
    RUNNING: owned by an M (also while that M's G is in a system call).
    GCSTOP:  halted for stop-the-world (and the initial state of a new P).
    DEAD:    id >= GOMAXPROCS after a shrink; kept for reuse; its queues are empty.
    """

    IDLE = 0
    RUNNING = 1
    GCSTOP = 3
    DEAD = 4


# Wait reasons, verbatim from runtime2.go's waitReasonStrings (the ones the model uses).
WAIT_CHAN_RECEIVE: Final = "chan receive"
WAIT_CHAN_SEND: Final = "chan send"
WAIT_CHAN_RECEIVE_NIL: Final = "chan receive (nil chan)"
WAIT_CHAN_SEND_NIL: Final = "chan send (nil chan)"
WAIT_SELECT: Final = "select"
WAIT_SELECT_NO_CASES: Final = "select (no cases)"
WAIT_SLEEP: Final = "sleep"
WAIT_SEMACQUIRE: Final = "semacquire"
WAIT_MUTEX: Final = "sync.Mutex.Lock"
WAIT_WAITGROUP: Final = "sync.WaitGroup.Wait"
WAIT_COND: Final = "sync.Cond.Wait"
WAIT_IO: Final = "IO wait"
WAIT_FORCEGC: Final = "force gc (idle)"
WAIT_SWEEP: Final = "GC sweep wait"
WAIT_SCAVENGE: Final = "GC scavenge wait"
WAIT_GOMAXPROCS_UPDATER: Final = "GOMAXPROCS updater (idle)"
WAIT_FINALIZER: Final = "finalizer wait"

#: The resume value of a goroutine that has not run yet: its first ``coro.send(None)`` starts it.
START = object()


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
        "parent",  # goid of the creator (None for runtime.main): Go's parentGoid
        "gopc",  # what executed the go statement (gp.gopc): a code object, or a runtime name
        "system",  # a runtime goroutine (excluded from deadlock counting and dumps)
        "resume_val",  # value the next coro.send delivers (result of the pending await)
        "resume_exc",  # exception to throw into the coroutine instead (panics like "send on closed")
        "preempt",  # sysmon asked it to stop (gp.preempt)
        "work_end",  # virtual time its current work() segment ends (0: not in work)
        "work_left",  # ns of work() still to do after a preemption
        "work_calls",  # the current work segment makes calls (cooperatively preemptible)
        "debt",  # ns of synchronous gmpkit calls (go, close, ...) made since the last await
        "created_at",  # virtual time of creation
        "wait_since",  # virtual time it last parked
        "sema_ticket",  # mutex starvation handoff: ownership was handed over
        "timer_seq",  # sequence of its pending sleep timer (to cancel a stale one)
    )

    def __init__(self, goid: int, coro: Any, name: str, parent: int | None, system: bool, t: int,
                 gopc: Any = None):
        """Set every field for a new goroutine: a fresh G, or a dead one that gfget hands out
        again (``newproc`` then calls ``G.__init__`` on it)."""
        self.goid = goid
        self.status = GStatus.IDLE
        self.waitreason = ""
        self.m: M | None = None
        self.coro = coro
        self.name = name
        self.parent = parent
        self.gopc = gopc
        self.system = system
        self.resume_val: Any = START
        self.resume_exc: BaseException | None = None
        self.preempt = False
        self.work_end = 0
        self.work_left = 0
        self.work_calls = True
        self.debt = 0
        self.created_at = t
        self.wait_since = 0
        self.sema_ticket = False
        self.timer_seq = 0

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
        "status",  # PStatus; change only through Sched.casp
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
        "timers",  # this P's timer heap: [when, seq, g] entries (timers.py)
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
