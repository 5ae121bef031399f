"""The G/M/P scheduler of Go 1.27.3, modelled in virtual time: the operations of ``runtime/proc.go``.

What this models
================
Go runs goroutines (**G**) on operating-system threads (**M**). A thread may only run Go code while it
holds a **P** ("processor"): a scheduling context with a local run queue of 256 slots plus one
``runnext`` slot. There are exactly GOMAXPROCS Ps, so at most GOMAXPROCS goroutines run at once, but
there may be many more Ms: a thread blocked in a system call keeps its goroutine and gives its P away.
The structures themselves (G, M, P, their states and constants) are in ``runtime2.py``, as Go keeps
them in ``runtime2.go``; this module holds what ``proc.go`` does with them.

The hard problem: parking and waking threads
--------------------------------------------
There must be enough running threads to use every P, and no more, or they burn CPU finding nothing.
Two things make that hard. The scheduler's state is spread out on purpose (every P has its own
queue), so no fast path can see the whole picture; and the right decision depends on the future
(do not park a thread if a goroutine will be readied a moment later). ``proc.go`` explains three
designs it rejected:

1. *One central scheduler state* under one lock: simple, but every goroutine switch on every
   thread would contend for it -- it does not scale with cores.
2. *Direct handoff*: when a goroutine becomes ready and a P is idle, wake a thread and give it the
   P and the goroutine together. Threads would thrash between sleeping and running (the waker
   may itself run out of work a moment later), goroutines that talk to each other would be pulled
   apart onto different threads, and every wake-up would add latency.
3. *Wake a thread, without handoff, whenever a goroutine becomes ready and a P is idle*: the new
   threads would mostly find nothing (the waker often runs the goroutine itself) and park again at
   once: a storm of wake-ups and parks.

What Go does instead, and this module follows step by step:

* A new or newly-woken goroutine goes to ``runnext`` of the P that made it runnable
  (``runqput(next=true)``), pushing the previous occupant to the tail of the local queue. It runs next
  and *inherits the time slice* -- a producer/consumer pair ping-pongs through runnext without touching
  the queues.
* When something becomes runnable, ``wakep`` starts **one spinning M** -- only if no M is spinning
  already and a P is idle. A spinning M looks for work: the global queue, the netpoller, then it
  *steals half* of another P's local queue. The spinner that finds work calls ``wakep`` again, so
  threads come up one at a time, only as long as each finds work to take; one that finds nothing
  stops spinning, rechecks, and parks. At most about half the busy Ps' worth of Ms spin at once.
* ``find_runnable`` checks sources in a fixed order: timers, 1 in 61 schedule ticks the global queue
  (so Gs there cannot starve), runnext, the local queue, a batch from the global queue, the netpoller,
  then 4 rounds of stealing, and finally gives the P up.
* **sysmon**, a thread without a P, preempts a goroutine that has held its P for 10 ms and takes Ps
  away from threads stuck in system calls (``retake``, ``handoffp``) -- see ``sysmon.py``.

How the model runs
==================
Everything happens in one Python thread, in virtual nanoseconds. Each M is a small state machine;
the event queue (``machine.EventQueue``) holds the next moment each M, sysmon, the poller or a
system call wants attention, and ``Sim.step`` (``sim.py``) performs one event: that is the whole
loop. A goroutine is a Python coroutine; ``coro.send`` runs it to its next ``await`` on a gmpkit
operation (an ``ops.Op``), performed at the current virtual time. Same program and seed, same
events: the only randomness is one seeded ``random.Random``.

Every function below names the ``proc.go`` function it mirrors and says who may call it. "The
running goroutine" is the one whose Python code is executing (``Sched.curg``); an operation
``apply``-ed for it runs on its M, holding that M's P, unless the docstring says otherwise. Status
changes go through ``casgstatus`` (Gs) and ``casp`` (Ps), which check the old status.

Simplifications (``go-scheduler.md`` §15 allows each; each is repeated where it happens, and listed
in docs/model.md):

* No real parallelism: every atomic/CAS is one atomic step; the "delicate dance" rechecks of
  ``findRunnable`` after dropping a P are reduced to the global-queue and local-queue rechecks.
* No garbage collector, trace reader, finalizers, cgo, LockOSThread or template thread. The runtime's
  own goroutines that park forever (force gc, sweeper, scavenger, GOMAXPROCS updater, and the
  finalizer goroutine of a program that links os) *are* created at start-up, as Go does, so
  goroutine ids and the first scheduling decisions look like Go's.
* Preemption lands at the goroutine's next step (async preemption), or, with ``asyncpreemptoff=1``,
  only in ``work(..., calls=True)`` segments and at the next gmpkit operation.
* A spinning M's search is instantaneous; what costs virtual time is waking or creating the thread
  (``Costs.thread_wake_ns`` / ``thread_start_ns``), which is when it shows as spinning.
* Stop-the-world (for ``runtime.GOMAXPROCS``) happens in one atomic step: every P stops at once.
"""

from __future__ import annotations

import functools
import math
import random
from collections import deque
from collections.abc import Callable
from typing import Any, Final, NoReturn

from . import ops, timers
from .chan import Chan
from .dump import CHECKDEAD_STACK, fatal_text, panic_text
from .errors import GoexitUnwind, GoFatal, GoPanic, UsageError
from .gomaxprocs import procresize
from .hooks import Event, Observer
from .machine import Costs, EventQueue, Godebug, ProgramExit, Result
from .netpoll import Netpoller
from .ops import NONE, Work, asyncio_error, bad_await_error, current, raised_in_asyncio
from .runtime2 import (
    GFREE_BATCH,
    GFREE_MAX,
    GLOBAL_BATCH_MAX,
    GLOBAL_CHECK_TICKS,
    GOID_BATCH,
    LOCAL_RUNQ_SIZE,
    RUNNABLE,
    RUNNING,
    RUNQ_OVERFLOW_BATCH,
    START,
    STEAL_TRIES,
    WAIT_FINALIZER,
    WAIT_FORCEGC,
    WAIT_GOMAXPROCS_UPDATER,
    WAIT_SCAVENGE,
    WAIT_SWEEP,
    WAITING,
    G,
    GStatus,
    M,
    P,
    PStatus,
)
from .sysmon import Sysmon

# The structures and the observer interface, importable from here too (``gmpkit.sched.G``...).
__all__ = ["Event", "G", "GStatus", "M", "Observer", "P", "PStatus", "Sched"]

#: ``findRunnable`` goes back to its top ("goto top") when something changed under it. In the
#: model each turn makes progress, so it never needs more than a few; this bound turns a model
#: bug (an endless loop) into a clear error.
FIND_RUNNABLE_MAX_ROUNDS: Final = 1000


# ---------------------------------------------------------------------------------------------
# The scheduler
# ---------------------------------------------------------------------------------------------


class Sched:
    """The scheduler state (``runtime2.go: schedt`` plus ``allp``, ``allm``, ``allgs``) and every
    operation of ``proc.go`` the model performs. Only ``Sim`` (``sim.py``) drives it: every
    method runs inside one event of the loop, at virtual time ``now``."""

    def __init__(self, gomaxprocs: int, seed: int, costs: Costs, switches: dict[str, bool],
                 godebug: Godebug, max_threads: int, observers: list[Any], links_os: bool = True,
                 gotraceback: str = "single"):
        self.costs = costs
        self.links_os = links_os  # package os is linked: its init starts the finalizer goroutine
        self.gotraceback = gotraceback  # GOTRACEBACK: what a panic or fatal error dumps
        self.sw_runnext = switches["runnext"]
        self.sw_stealing = switches["stealing"]
        self.sw_spinning = switches["spinning"]
        self.sw_handoff = switches["handoff"]
        self.sw_preemption = switches["preemption"]
        self.sw_global_check = switches["global_check"]
        self.sw_netpoller = switches["netpoller"]
        self.sw_inherit_time = switches["inherit_time"]
        self.sw_mutex_starvation = switches["mutex_starvation"]
        self.godebug = godebug
        self.rand = random.Random(seed)  # the one random source: steal order, select order
        self.observers = observers  # read-only listeners (hooks.Observer); empty: no events built
        self.listeners = observers  # those that take Event objects (a recorder takes the objects:)
        self.record: Callable[..., None] | None = None  # its entry (recording.py), emit's arguments
        self.now = 0  # virtual time, ns; set by the loop before each event
        self.queue = EventQueue()  # what happens next (machine.py)
        self.at: Callable[[int, Callable[[Any, int], None], Any], int] = self.queue.at
        self.steps = 0  # events performed so far
        self.result = Result()  # exit code, stdout, stderr, SCHED lines

        self.gomaxprocs = gomaxprocs
        self.allp: list[P] = []  # the GOMAXPROCS live Ps, by id
        self.allp_all: list[P] = []  # every P ever made, including dead ones (procresize reuse)
        self.allm: list[M] = []  # in order of creation (Go's allm list is newest first)
        self.allg: list[G] = []  # allgs: every G struct ever made; reused ones keep their place
        self.pidle: list[P] = []  # idle Ps, LIFO: the top of the stack is the last element
        self.midle: list[M] = []  # idle Ms, LIFO
        self.runq: deque[G] = deque()  # the global run queue
        self.nmspinning = 0  # Ms spinning (looking for work)
        self.needspinning = 0  # someone wanted a spinner but there was no idle P
        self.nmsys = 0  # system Ms (sysmon), left out of deadlock counting
        self.goidgen = 0  # last goroutine id handed out in a batch
        self.gfree: list[G] = []  # sched.gFree: dead Gs spilled from the Ps
        self.max_threads = max_threads  # sched.maxmcount
        self.main_started = False  # runtime.main has begun: newproc and gosched call wakep
        self.main_g: G | None = None  # G1, runtime.main (which becomes main.main)
        self.main_coro: Any = None  # main.main's coroutine, which G1's dumps start from
        self.ngoroutines = 0  # live user goroutines (runtime.NumGoroutine)
        self.stopwait = 0  # Ps still to stop for a stop-the-world (always 0 between events)
        self.gcwaiting = False  # a stop-the-world is pending (never true between events)
        self.timer_seq = 0  # sequence of the last timer added (timers.py)
        self.netpoll = Netpoller(self)  # waiters in IO wait; the M blocked in the poller
        self.sysmon = Sysmon(self)
        # The goroutine whose Python code is executing right now (None between resumes).
        self._running: G | None = None
        # The P that goready uses while timers run outside any goroutine (timers.check).
        self._ready_p: P | None = None
        # Extra time before the M's next goroutine starts: the steal backoff, or the CPU time a
        # goroutine spent on synchronous calls (go, close...) just before it parked. Consumed by
        # execute; dropped if the M finds nothing to run.
        self._switch_delay = 0

    # ----- observers ------------------------------------------------------------------------

    def emit(self, kind: str, g: G | None = None, m: M | None = None, p: P | None = None,
             reason: str | None = None, source: str | None = None, extra: Any = None,
             cause: tuple[Any, ...] = (None,)) -> None:
        """Tell observers of a decision (``hooks.EVENT_KINDS``) and its ``cause`` (``hooks.RULES``).
        Call sites guard with ``if self.observers``: nobody listening costs nothing."""
        if self.record is not None:
            self.record(kind, g, m, p, reason, source, extra, cause)
        if self.listeners:
            ev = Event(self.now, kind, g.goid if g is not None else None,
                       m.id if m is not None else None, p.id if p is not None else None,
                       reason, source, extra, cause)
            for o in self.listeners:
                o.event(ev)

    # ----- status changes (casgstatus, and the same guard for Ps) ---------------------------

    def casgstatus(self, g: G, old: GStatus, new: GStatus) -> None:
        """Every goroutine state change goes through here and checks the old state, like
        ``proc.go: casgstatus``. (Hot paths test the old state inline and call this only when
        it is wrong, to raise.) A wrong old state is a bug in the model, never in the program."""
        if g.status != old:
            raise AssertionError(
                f"casgstatus: G{g.goid} is {g.status.name}, expected {old.name} -> {new.name}"
            )
        g.status = new

    def casp(self, p: P, old: PStatus | tuple[PStatus, ...], new: PStatus) -> None:
        """Every P status change goes through here and checks the old status (Go writes
        ``pp.status`` directly, each under the lock or ownership that makes it safe; the model
        checks instead). ``old`` may be a tuple of the statuses allowed."""
        ok = p.status in old if isinstance(old, tuple) else p.status is old
        if not ok:
            want = "/".join(s.name for s in old) if isinstance(old, tuple) else old.name
            raise AssertionError(
                f"casp: P{p.id} is {p.status.name}, expected {want} -> {new.name}"
            )
        p.status = new

    # ----- start-up (schedinit, procresize, runtime.main) -----------------------------------

    def start(self, main_fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """``schedinit`` + ``newproc(runtime.main)`` + ``mstart``: m0 holds P0, runtime.main is
        G1 in P0's runnext, and m0 schedules it. Called once, by Sim, before the first event."""
        m0 = self.newm_struct()
        procresize(self, self.gomaxprocs, m0)
        rt_main = self._runtime_main(main_fn, args)
        g1 = self.newg(rt_main, "runtime.main", None, system=False, p=self.allp[0])
        self.main_g = g1
        self.runqput(self.allp[0], g1, True)  # no wakep: mainStarted is false
        m0.evseq = self.at(0, self._ev_schedule, m0)

    async def _runtime_main(self, main_fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """``proc.go: main``: start sysmon, the runtime's helper goroutines, then ``main.main``."""
        self.main_started = True
        self.sysmon.start()
        helper, bg_worker = ops.runtime_helper, ops.runtime_bg_worker
        self.newproc(helper(WAIT_FORCEGC), "runtime.forcegchelper", True, "runtime.init.7")
        # gcenable: start the sweeper and scavenger and wait until both have started.
        c = Chan(2)
        self.newproc(bg_worker(c, WAIT_SWEEP), "runtime.bgsweep", True, "runtime.gcenable")
        self.newproc(bg_worker(c, WAIT_SCAVENGE), "runtime.bgscavenge", True, "runtime.gcenable")
        await c.recv(), await c.recv()
        self.newproc(helper(WAIT_GOMAXPROCS_UPDATER), "runtime.updateMaxProcsGoroutine", True,
                     "runtime.defaultGOMAXPROCSUpdateEnable")
        if self.links_os:  # os's init calls SetFinalizer, which starts the finalizer goroutine
            self.newproc(helper(WAIT_FINALIZER), "runtime.runFinalizers", True,
                         "runtime.createfing")
        # Package initialisation (doInit) takes a while in real Go; meanwhile the thread that
        # wakep started steals and runs the updater, so main.main usually starts with empty
        # queues (go-scheduler.md §14 B2: runtime goroutines only sometimes hold queue slots).
        await Work(self.costs.runtime_init_ns)
        g = self.curg()
        g.name = "main.main"
        self.main_coro = main_fn(*args)
        await self.main_coro
        self.exit(0)

    # ----- goroutine creation (newproc) -----------------------------------------------------

    def newg(self, coro: Any, name: str, parent: int | None, system: bool, p: P,
             gopc: Any = None) -> G:
        """``newproc1``: a RUNNABLE G with an id from the batch of ``p``, the creator's P;
        ``gopc`` is what ran the go statement. The caller queues the G."""
        if p.goidcache == p.goidcacheend:
            p.goidcache = self.goidgen + 1
            self.goidgen += GOID_BATCH
            p.goidcacheend = p.goidcache + GOID_BATCH
        goid = p.goidcache
        p.goidcache += 1
        g = self.gfget(p) if p.gfree or self.gfree else None
        if g is not None:
            G.__init__(g, goid, coro, name, parent, system, self.now, gopc)  # reinitialised in place
        else:
            g = G(goid, coro, name, parent, system, self.now, gopc)
            self.allg.append(g)  # allgs: every G struct ever made, reused ones keep their place
        g.status = RUNNABLE  # _Gidle -> _Grunnable: a fresh (or just reinitialised) G
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
        """``gfput``: keep a dead G for reuse; at 64 spill half to the global list. ``p`` is the
        P of the M the goroutine exited on."""
        g.coro = None  # the finished coroutine can go
        p.gfree.append(g)
        if len(p.gfree) >= GFREE_MAX:
            self.gfree.extend(p.gfree[GFREE_BATCH:])
            del p.gfree[GFREE_BATCH:]

    def newproc(self, coro: Any, name: str, system: bool = False, gopc: Any = None) -> G:
        """``newproc``: create a G on the current P, put it in runnext, ``wakep``. Never yields.
        Called by the running goroutine (``gk.go``), which pays ``Costs.go_ns``; ``gopc`` is
        the function that executed the go statement (a code object or a runtime name)."""
        cur = self.curg()
        m = cur.m
        assert m is not None and m.p is not None
        p = m.p
        g = self.newg(coro, name, cur.goid, system, p, gopc)
        cur.debt += self.costs.go_ns
        if self.observers:
            kick = p.runnext.goid if p.runnext is not None and self.sw_runnext else None
            self.emit("GoCreate", g, m, p, extra=cur.goid,
                      cause=("newproc", cur.goid, kick, self.sw_runnext))
        self.runqput(p, g, True)
        if self.main_started:
            self.wakep("newproc")
        return g

    def curg(self) -> G:
        """The goroutine whose code is executing right now (``getg().m.curg``)."""
        g = self._running
        if g is None:
            raise UsageError("no goroutine is running: gmpkit calls must happen inside one")
        return g

    # ----- run queues (runqput, runqputslow, runqget, globrunqget) -------------------------

    def runqput(self, p: P, g: G, nxt: bool) -> None:
        """``runqput``: with ``nxt`` put g in runnext and kick the old runnext to the local tail;
        a full local queue spills half of itself plus the G to the global queue (runqputslow).
        Called by p's owner (or with p stopped); g is RUNNABLE and on no queue."""
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
            self.emit("RunqOverflow", p=p, extra=len(batch),
                      cause=("runqputslow", len(batch), g.goid))

    def runqget(self, p: P) -> tuple[G | None, bool]:
        """``runqget``: runnext first (inherits the time slice), else the local queue head.
        Called by p's owner."""
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
        move the next n-1 to p's local queue in order. Called by p's owner."""
        size = len(self.runq)
        if size == 0:
            return None
        n = min(GLOBAL_BATCH_MAX, size, size // self.gomaxprocs + 1)
        g = self.runq.popleft()
        for _ in range(n - 1):
            self.runqput(p, self.runq.popleft(), False)
        return g

    def globrunqput(self, g: G) -> None:
        """``globrunqput``: g (RUNNABLE, on no queue) to the global queue tail."""
        self.runq.append(g)

    # ----- idle lists (pidleput/pidleget, mput/mget) ----------------------------------------

    @property
    def npidle(self) -> int:
        return len(self.pidle)

    @property
    def nmidle(self) -> int:
        return len(self.midle)

    def pidleput(self, p: P, by: M | None = None) -> None:
        """``pidleput``: push an idle P on the idle stack. p is IDLE (released by M ``by``, or
        taken from a syscall), has no M, and an empty local queue."""
        assert not p.runq and p.runnext is None, f"pidleput: P{p.id} has work"
        self.casp(p, PStatus.IDLE, PStatus.IDLE)
        p.m = None
        self.pidle.append(p)
        if self.observers:
            self.emit("PRelease", p=p, cause=("pidleput", by.id if by else None))

    def pidleget(self) -> P | None:
        """``pidleget``: pop the idle stack (LIFO). The P stays IDLE until an acquirep."""
        return self.pidle.pop() if self.pidle else None

    def mput(self, m: M, rule: str = "stopm-idle") -> None:
        """``mput``: park the M on the idle stack, then ``checkdead``. m holds no P."""
        m.parked = True
        self.midle.append(m)
        if self.observers:
            self.emit("MIdle", m=m, cause=(rule,))
        self.checkdead()

    def mget(self) -> M | None:
        """``mget``: pop the idle M stack (LIFO); the caller gives it a P and wakes it."""
        m = self.midle.pop() if self.midle else None
        if m is not None:
            m.parked = False
        return m

    # ----- P ownership (acquirep/releasep) --------------------------------------------------

    def acquirep(self, m: M, p: P, rule: str = "acquirep-start") -> None:
        """``acquirep``/``wirep``: m (holding no P) takes p, which must be IDLE and unowned."""
        assert p.m is None and m.p is None, f"acquirep: M{m.id} -> {p!r}"
        self.casp(p, PStatus.IDLE, PStatus.RUNNING)
        m.p = p
        p.m = m
        p.oldm = m
        if self.observers:
            self.emit("PAcquire", m=m, p=p, cause=(rule,))

    def releasep(self, m: M) -> P:
        """``releasep``: m gives up its P (RUNNING -> IDLE); the caller puts it somewhere."""
        p = m.p
        assert p is not None
        self.casp(p, PStatus.RUNNING, PStatus.IDLE)
        m.p = None
        p.m = None
        return p

    def take_syscall_p(self, p: P, to: PStatus = PStatus.IDLE) -> None:
        """Take p from the M blocked in a system call with it (Go's ``setBlockOnExitSyscall``
        and the status change that follows): the M keeps its goroutine, and its ``exitsyscall``
        will find its P gone and take a slow path. Used by sysmon's ``retake``, by
        ``exitsyscall`` stealing its old P back, and by stop-the-world (``to=GCSTOP``)."""
        m = p.m
        assert m is not None and m.p is p and m.curg is not None and (
            m.curg.status is GStatus.SYSCALL), f"take_syscall_p: {p!r} is not in a syscall"
        m.p = None
        p.m = None
        self.casp(p, PStatus.RUNNING, to)
        p.syscalltick += 1

    # ----- threads (newm, startm, stopm, wakep, handoffp) -----------------------------------

    def newm_struct(self, system: bool = False) -> M:
        """``mReserveID`` + ``allocm``: a new M, checking the thread limit (``checkmcount``)."""
        if len(self.allm) >= self.max_threads:
            self.fatal(f"runtime: program exceeds {self.max_threads}-thread limit\n"
                       "fatal error: thread exhaustion", throw=True,
                       stack=("runtime.throw", "runtime.checkmcount", "runtime.mReserveID"))
        m = M(len(self.allm), system)
        self.allm.append(m)
        if system:
            self.nmsys += 1
        return m

    def startm(self, p: P | None, spinning: bool, reason: str = "", caller: str = "") -> bool:
        """``startm``: run ``p`` (or an idle P) on an idle M, or on a new one. ``p`` is off the
        idle list and IDLE. With ``spinning`` the caller has already counted the M in
        nmspinning (and this undoes it if no P can be found). Returns whether an M was started."""
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
                self.emit("MCreate", m=m, p=p, reason=reason, cause=("startm", caller))
        else:
            delay = self.costs.thread_wake_ns
            if self.observers:
                self.emit("MWake", m=m, p=p, reason=reason, cause=("startm", caller))
        m.spinning = spinning
        # The P is off the idle list but stays _Pidle with no M until the woken thread runs
        # acquirep, as in Go (scheddetail shows it so meanwhile).
        m.nextp = p
        if spinning and self.observers:
            self.emit("MSpin", m=m, p=p, cause=("spin-start", reason))
        m.evseq = self.at(self.now + delay, self._ev_mstart, m)
        return True

    def _ev_mstart(self, m: M, seq: int) -> None:
        """The woken or new thread runs (``mstart1`` / return from ``stopm``): acquire nextp,
        then ``schedule``."""
        if seq != m.evseq:
            return
        p = m.nextp
        m.nextp = None
        assert p is not None
        self.acquirep(m, p)
        self.schedule(m)

    def wakep(self, caller: str = "") -> None:
        """``wakep``: if no M is spinning and a P is idle, start one spinning M. Called when
        work appears (``caller``: newproc, goready, gosched, injectglist, timer...)."""
        if not self.sw_spinning or self.nmspinning != 0 or not self.pidle:
            if self.sw_spinning and self.nmspinning == 0 and not self.pidle:
                self.needspinning = 1
            return
        self.nmspinning += 1
        p = self.pidleget()
        assert p is not None
        self.startm(p, True, "wakep", caller)

    def stopm(self, m: M, rule: str = "stopm-idle") -> None:
        """``stopm``: the M has no P, is not spinning and has no work: park it on the idle list
        (it sleeps until ``startm`` gives it a P)."""
        assert m.p is None and not m.spinning, f"stopm: {m!r}"
        m.curg = None
        self.mput(m, rule)

    def handoffp(self, p: P) -> None:
        """``handoffp``: p was taken from a thread in a system call (``retake``): start an M for
        it if findRunnable would find something to run there or someone must spin; otherwise put
        it on the idle list. Rules in §5.4 order; the ``Handoff`` event names the one that
        fired. p is IDLE with no M."""
        if p.runq or p.runnext is not None or self.runq:
            self._handoff(p, "work")  # local or global work: run it
            self.startm(p, False, "handoff:work")
            return
        if self.sw_spinning and self.nmspinning + self.npidle == 0:
            self._handoff(p, "spin")  # no spinner and no idle P: this P must look for work
            self.nmspinning += 1
            self.startm(p, True, "handoff:spin")
            return
        if self.npidle == self.gomaxprocs - 1 and self.netpoll.blocked_m is None:
            # The last running P and nobody polls the network: keep an M for the poller.
            self._handoff(p, "last")
            self.startm(p, False, "handoff:last")
            return
        self._handoff(p, "idle")
        self.pidleput(p, None)
        if p.timers:
            self.wake_netpoller(p.timers[0][0])

    def _handoff(self, p: P, rule: str) -> None:
        """Report which ``handoffp`` rule fired for p (for ``work``: what work it has)."""
        if self.observers:
            self.emit("Handoff", p=p, reason=rule, cause=(
                "handoff-" + rule, len(p.runq), p.runnext and p.runnext.goid, len(self.runq)))

    # ----- the scheduling loop (schedule, findRunnable, execute) ----------------------------

    def _ev_schedule(self, m: M, seq: int) -> None:
        """m's delayed ``schedule`` (after the CPU time its last goroutine still owed)."""
        if seq != m.evseq:
            return
        self.schedule(m)

    def schedule(self, m: M) -> None:
        """``schedule``: find a runnable G and execute it, or park the M. m holds a P and runs
        no goroutine (the previous one parked, yielded, exited or was preempted)."""
        p: P = m.p  # type: ignore[assignment]  # (no assert: the hottest path of a run)
        g = p.runnext
        if g is not None and (not p.timers or p.timers[0][0] > self.now) and (
                p.schedtick % GLOBAL_CHECK_TICKS or not self.runq or not self.sw_global_check):
            # Fast path: nothing that findRunnable checks before runnext applies (no expired
            # timer, no 1-in-61 turn), so it would return runnext with inheritTime (step 6).
            # (A spinning M never has a runnext.)
            p.runnext = None
            self.execute(m, g, True, "runnext")
            return
        found = self.find_runnable(m)
        if found is None:
            self._switch_delay = 0
            return  # the M parked (idle list or netpoll)
        g, inherit, source, cause = found
        if m.spinning:
            self.resetspinning(m)
        self.execute(m, g, inherit, source, cause)

    def resetspinning(self, m: M) -> None:
        """``resetspinning``: the spinner found work; start another spinner if needed."""
        m.spinning = False
        self.nmspinning -= 1
        if self.observers:
            self.emit("MSpinStop", m=m, p=m.p, cause=("spin-found",))
        self.wakep("resetspinning")

    def execute(self, m: M, g: G, inherit: bool, source: str,
                cause: tuple[Any, ...] = ("runnext",)) -> None:
        """``execute``: switch m to g (RUNNABLE, taken off its queue); a fresh time slice (not
        inherited) bumps schedtick. ``source``, ``cause``: where g was found, and by which rule."""
        p = m.p
        assert p is not None
        if g.status is not RUNNABLE:
            self.casgstatus(g, GStatus.RUNNABLE, GStatus.RUNNING)
        g.status = RUNNING
        g.m = m
        m.curg = g
        g.preempt = False
        if not inherit or not self.sw_inherit_time:
            # A fresh slice. (Teaching switch inherit_time off: Go has no such mode; every
            # runnext start then counts as a new slice, so sysmon never sees a ping-pong pair
            # sharing one and cannot preempt it.)
            p.schedtick += 1
        if self.observers:
            self.emit("GoStart", g, m, p, source=source, cause=cause)
        d = self.costs.switch_ns
        if self._switch_delay:
            d += self._switch_delay
            self._switch_delay = 0
        m.evseq = self.at(self.now + d, self._ev_run, m)

    def find_runnable(self, m: M) -> tuple[G, bool, str, tuple[Any, ...]] | None:
        """``findRunnable``: the sources in Go's exact order (go-scheduler.md §5.2). m holds a P.
        Returns (g, inherit the time slice, where it was found, cause: ``hooks.RULES``), or None
        when the M has given up its P and parked (on the idle list, or in the poller)."""
        for _ in range(FIND_RUNNABLE_MAX_ROUNDS):  # each round is one "goto top"
            p = m.p
            assert p is not None
            # 2. Run this P's expired timers: woken sleepers land in its runnext.
            woke = None  # the last sleeper readied (observers call its start "timer")
            if p.timers and p.timers[0][0] <= self.now and self.run_timers(p, p):
                woke = p.runnext
            # 4. Fairness: every 61st tick, one G from the global queue first.
            if self.sw_global_check and p.schedtick % GLOBAL_CHECK_TICKS == 0 and self.runq:
                g = self.globrunqget()
                assert g is not None
                return g, False, "global-61", ("global-61", p.schedtick, len(self.runq) + 1)
            # 6. Local: runnext (inherits the slice), then the local queue.
            g, inherit = self.runqget(p)
            if g is not None:
                cause = ("local",) if not inherit else ("timer",) if g is woke else ("runnext",)
                return g, inherit, "runnext" if inherit else "local", cause
            # 7. Global: a batch (the local queue is empty: it ends up holding the batch's rest).
            if self.runq:
                g = self.globrunqgetbatch(p)
                assert g is not None
                return g, False, "global", ("global", len(p.runq) + 1, len(self.runq))
            # 8. Netpoll, non-blocking, if nobody is blocked in it.
            if self.netpoll.waiters and self.netpoll.blocked_m is None:
                ready = self.netpoll.poll(self.now)
                if ready:
                    g = ready.pop(0)
                    self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
                    self.injectglist(ready, p)
                    return g, False, "netpoll", ("netpoll", len(ready) + 1)
            # 9. Steal, if spinning or spinners are at most half the busy Ps. (With the
            # `stealing` switch off, only other Ps' expired timers are still taken.)
            if m.spinning or 2 * self.nmspinning < self.gomaxprocs - self.npidle:
                if not m.spinning:
                    m.spinning = True
                    self.nmspinning += 1
                    if self.observers:
                        self.emit("MSpin", m=m, p=p, cause=(
                            "spin-steal", self.nmspinning - 1, self.gomaxprocs - self.npidle))
                self.needspinning = 0
                got = self.steal_work(m, p)
                if got is not None:
                    return got
            # 11. Give up the P. Recheck the global queue under the lock first.
            if self.runq:
                g = self.globrunqgetbatch(p)
                assert g is not None
                return g, False, "global", ("global-recheck", len(p.runq) + 1, len(self.runq))
            if not m.spinning and self.needspinning == 1 and self.sw_spinning:
                m.spinning = True
                self.nmspinning += 1
                self.needspinning = 0
                continue
            self.releasep(m)
            self.pidleput(p, m)
            # 12. Drop spinning, then recheck (the "delicate dance", reduced: single-threaded,
            # nothing can have changed except what we check here).
            if m.spinning:
                m.spinning = False
                self.nmspinning -= 1
                if self.observers:
                    self.emit("MSpinStop", m=m, cause=("spin-none",))
                if self.runq or (self.sw_stealing and self.any_local_work()):
                    p2 = self.pidleget()
                    if p2 is not None:
                        self.acquirep(m, p2, "acquirep-recheck")
                        m.spinning = True
                        self.nmspinning += 1
                        continue
            # 13. Block in netpoll if there is I/O or a timer to wait for and no one else is.
            poll_until = timers.earliest(self.allp)
            if self.netpoll.blocked_m is None and (self.netpoll.waiters or poll_until):
                self.netpoll.block(m, poll_until)
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

    def steal_work(self, m: M, p: P) -> tuple[G, bool, str, tuple[Any, ...]] | None:
        """``stealWork``: 4 rounds over all Ps in a random coprime-stride order; timers and
        runnext are only taken in the last round. m is spinning and holds p."""
        n = len(self.allp)
        if n == 1:
            return None
        coprimes = _coprimes(n)
        for i in range(STEAL_TRIES):
            last = i == STEAL_TRIES - 1
            r = self.rand.getrandbits(32)  # cheaprand(): a random uint32
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
                            return (g, inherit, "runnext" if inherit else "local",
                                    ("steal-timer", victim.id))
                if victim.status == PStatus.IDLE or not self.sw_stealing:
                    continue  # never steal from idle Ps (idlepMask)
                had = len(victim.runq)
                g = self.runqsteal(p, victim, last, i + 1)
                if g is not None:
                    return g, False, f"steal:P{victim.id}", (
                        ("steal", victim.id, had - len(victim.runq), had, i + 1) if had
                        else ("steal-runnext", victim.id, i + 1))
        return None

    def runqsteal(self, p: P, victim: P, steal_runnext: bool, rnd: int = 0) -> G | None:
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
                self.emit("Steal", p=p, source="runnext", extra=(victim.id, 1),
                          cause=("runqsteal-runnext", victim.id, rnd))
            return g
        stolen = [victim.runq.popleft() for _ in range(n)]
        g = stolen.pop()
        p.runq.extend(stolen)
        if self.observers:
            self.emit("Steal", p=p, source="runq", extra=(victim.id, n),
                      cause=("runqsteal", victim.id, n, k, rnd))
        return g

    # ----- running a goroutine --------------------------------------------------------------

    def _ev_run(self, m: M, seq: int) -> None:
        """The M's goroutine continues: finish an interrupted work segment, honour a pending
        preemption request, or run the coroutine to its next await."""
        if seq != m.evseq:
            return
        g = m.curg
        assert g is not None and g.status is RUNNING
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
        cur = current
        self._running = g
        cur.sched = self
        try:
            exc = g.resume_exc
            if exc is not None:
                g.resume_exc = None
                op = g.coro.throw(exc)
            else:
                val = g.resume_val
                g.resume_val = None
                op = g.coro.send(None if val is START else NONE if val is None else val)
        except (StopIteration, GoexitUnwind):  # returned, or Goexit ran its deferred calls
            cur.sched = None
            self._running = None
            self.goexit(m, g)
            return
        except ProgramExit:
            cur.sched = None
            self._running = None
            raise
        except (KeyboardInterrupt, SystemExit):
            cur.sched = None
            self._running = None
            raise
        except UsageError as e:
            cur.sched = None
            self._running = None
            raise e
        except BaseException as e:  # an escaping exception is an unrecovered panic
            cur.sched = None
            self._running = None
            if raised_in_asyncio(e):
                raise asyncio_error(g, e) from e
            self.panic(g, e)
            return
        cur.sched = None
        self._running = None
        g.debt += self.costs.step_ns
        try:
            apply = op.apply
        except AttributeError:
            g.coro.close()
            raise bad_await_error(g, op) from None
        apply(self, g)

    def cont(self, g: G, cost: int, value: Any = None) -> None:
        """The running g goes on after ``cost`` ns (plus the cost of its synchronous calls);
        ``value`` is the result of its await. Called by an Op that did not block."""
        g.resume_val = value
        m = g.m
        assert m is not None
        d = cost + g.debt
        g.debt = 0
        m.evseq = self.at(self.now + d, self._ev_run, m)

    def start_work(self, g: G, ns: int, calls: bool) -> None:
        """Begin a CPU segment of the running g; sysmon's preemption may cut it short
        (``preemptone``)."""
        m = g.m
        assert m is not None
        d = ns + g.debt
        g.debt = 0
        g.work_end = self.now + d
        g.work_calls = calls
        m.evseq = self.at(g.work_end, self._ev_run, m)

    def park(self, g: G, reason: str, timer_when: int = 0) -> None:
        """``gopark``: RUNNING -> WAITING with a reason; the M schedules another G. Called by
        an Op of the running goroutine g, after it has put g on some wait structure (a
        channel's queue, the poller...) from which a waker will ``ready`` it. The P stays with
        the M. ``timer_when``: a sleep, whose timer goes into the P's heap
        after parking and before scheduling (``resetForSleep`` as gopark's unlock function)."""
        m = g.m
        assert m is not None
        if g.status is not RUNNING:
            self.casgstatus(g, GStatus.RUNNING, GStatus.WAITING)
        g.status = WAITING
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
            self.emit("GoBlock", g, m, m.p, reason=reason, cause=("gopark", timer_when or None))
        if timer_when:
            assert m.p is not None
            timers.add_timer(self, m.p, timer_when, g)
        self.schedule(m)

    def ready(self, g: G, source_g: G | None = None, nxt: bool = True) -> None:
        """``goready``/``ready``: WAITING -> RUNNABLE into runnext of the *current* P (the
        waker's: ``source_g``'s, else the running goroutine's, else the P running timers),
        then ``wakep``. The waker keeps running. g must have been taken off its wait
        structure by the caller."""
        if g.status is not WAITING:
            self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
        g.status = RUNNABLE
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
            old = None
            self.runqput(p, g, False)
        if self.observers:
            waker = cur.goid if cur is not None else None
            self.emit("GoUnblock", g, p.m, p, source="runnext" if nxt else "local", extra=waker,
                      cause=("goready", waker, g.waitreason, old and old.goid, p.runnext is g))
        if not self.nmspinning:  # wakep's first checks, inlined
            if self.pidle:
                self.wakep("goready")
            elif self.sw_spinning:
                self.needspinning = 1

    def gosched(self, g: G, preempted: bool) -> None:
        """``goschedImpl``: the running g (RUNNING -> RUNNABLE) goes to the global queue
        *tail*; ``wakep``; its M schedules. ``preempted``: sysmon's request landed
        (``gopreempt_m``), else ``runtime.Gosched``."""
        m = g.m
        assert m is not None
        self.casgstatus(g, GStatus.RUNNING, GStatus.RUNNABLE)
        g.m = None
        m.curg = None
        if self.observers:
            self.emit("GoPreempt" if preempted else "GoSched", g, m, m.p,
                      cause=("gopreempt" if preempted else "gosched",))
        self.globrunqput(g)
        if self.main_started:
            self.wakep("gosched")
        # The switch happens after the Gosched call's own cost.
        d, g.debt = g.debt, 0
        self.schedule_after(m, d)

    def goexit(self, m: M, g: G) -> None:
        """``goexit0``: g's coroutine returned (or ``runtime.Goexit`` unwound it): RUNNING ->
        DEAD, the G struct goes to the free list of m's P, and m schedules."""
        self.casgstatus(g, GStatus.RUNNING, GStatus.DEAD)
        g.m = None
        m.curg = None
        if not g.system:
            self.ngoroutines -= 1
        p = m.p
        assert p is not None
        if self.observers:
            self.emit("GoEnd", g, m, p, cause=("goexit",))
        self.gfput(p, g)  # (main ends here only by runtime.Goexit: the program goes on)
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
        """``preemptone`` (sysmon): ask p's G to stop, at once with async preemption (the signal
        lands), else at its next safe point. Returns whether a request was made."""
        m = p.m
        if m is None or m.system:
            return False
        g = m.curg
        if g is None or g.status != GStatus.RUNNING:
            return False
        g.preempt = True
        if self.observers:
            self.emit("PreemptRequest", g, m, p, cause=(
                "preempt", p.sysmon_schedwhen, p.schedtick, not self.godebug.asyncpreemptoff))
        if g.work_end > self.now and (not self.godebug.asyncpreemptoff or g.work_calls):
            # The request lands in the middle of a work() segment: keep the rest for later.
            g.work_left = g.work_end - self.now
            g.work_end = 0
            m.evseq = self.at(self.now, self._ev_run, m)
        return True

    # ----- system calls (entersyscall, exitsyscall) -----------------------------------------

    def entersyscall(self, g: G, ns: int) -> None:
        """``entersyscall``: the running g blocks in the kernel for ``ns``; it keeps its M *and*
        its P (still RUNNING) meanwhile. Only sysmon's ``retake`` takes the P away."""
        m = g.m
        assert m is not None and m.p is not None
        p = m.p
        m.oldp = p
        self.casgstatus(g, GStatus.RUNNING, GStatus.SYSCALL)
        if self.observers:
            self.emit("GoSysCall", g, m, p, cause=("entersyscall",))
        self.sysmon.wake()  # sysmon in deep sleep must be able to retake this P
        d = ns + g.debt + self.costs.syscall_ns
        g.debt = 0
        m.syscall_end = self.now + d
        m.evseq = self.at(m.syscall_end, self._ev_exitsyscall, m)

    def _ev_exitsyscall(self, m: M, seq: int) -> None:
        """m's system call returns."""
        if seq != m.evseq:
            return
        self.exitsyscall(m)

    def exitsyscall(self, m: M) -> None:
        """``exitsyscall``: m's goroutine is back from the kernel. Keep the P if nobody took it
        (fast path); else take the old P back if another M holds it in a syscall, or any idle P
        (slow path); else queue the G on the global queue and park the M (slowest path)."""
        g = m.curg
        assert g is not None
        oldp = m.oldp
        m.oldp = None
        self.casgstatus(g, GStatus.SYSCALL, GStatus.RUNNING)
        if m.p is not None:  # fast path
            m.p.syscalltick += 1
            if self.observers:
                self.emit("GoSysExit", g, m, m.p, reason="fast", cause=("exitsyscall-fast",))
            self.cont(g, 0)
            return
        p = None
        how = ""
        if oldp is not None and oldp.status == PStatus.RUNNING and oldp.m is not None:
            om = oldp.m
            if om.curg is not None and om.curg.status == GStatus.SYSCALL and om.p is oldp:
                # Steal the old P back from an M that is itself in a syscall.
                self.take_syscall_p(oldp)
                p = oldp
                how = "oldp"
        if p is None:
            p = self.pidleget()
            how = "idlep"
            if p is not None:
                self.sysmon.wake()
        if p is not None:
            self.acquirep(m, p, "acquirep-exitsyscall")
            p.syscalltick += 1
            if self.observers:
                self.emit("GoSysExit", g, m, p, reason=how, cause=("exitsyscall-" + how,))
            self.cont(g, 0)
            return
        # Slowest path (exitsyscallNoP): the G waits on the global queue, the M parks.
        self.casgstatus(g, GStatus.RUNNING, GStatus.RUNNABLE)
        g.m = None
        m.curg = None
        if self.observers:
            self.emit("GoSysExit", g, m, None, reason="global", cause=("exitsyscall-global",))
        self.globrunqput(g)
        self.stopm(m, "stopm-exitsyscall")

    # ----- timers and the poller (time.go check, wakeNetPoller, injectglist) ------------------

    def run_timers(self, tp: P, onto: P) -> int:
        """``timers.check``: run tp's expired timers as the M holding P ``onto`` (its own P, a
        thief's P, or the P a thread took on waking from the poller); each woken sleeper lands
        in onto's runnext (``goroutineReady`` -> ``goready``). Returns how many ran."""
        prev = self._ready_p
        self._ready_p = onto
        saved = self._running
        self._running = None
        try:
            return timers.check(self, tp, onto)
        finally:
            self._ready_p = prev
            self._running = saved

    def wake_netpoller(self, when: int) -> None:
        """``wakeNetPoller``: a timer at ``when`` became some P's earliest. A blocked poller with
        a later deadline is woken early; if nobody is polling, ``wakep`` so some M notices it."""
        nm = self.netpoll.blocked_m
        if nm is not None:
            if nm.poll_until == 0 or when < nm.poll_until:
                self.netpoll.wake_by(when)
        else:
            self.wakep("timer")

    def injectglist(self, gs: list[G], p: P | None) -> None:
        """``injectglist``: make a batch of waiting Gs runnable (WAITING -> RUNNABLE):
        without a P, all to the global queue and start Ms on idle Ps; with a P (the caller's),
        one per idle P to the global queue (starting an M each), the rest to p's local queue.
        Never runnext."""
        if not gs:
            return
        for g in gs:
            self.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
            if self.observers:
                self.emit("NetpollReady", g, source="global" if p is None else "local",
                          cause=("injectglist-global" if p is None else "injectglist-local",))
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
        self.wakep("injectglist")

    # ----- program end: exit, panic, checkdead ----------------------------------------------

    def exit(self, code: int) -> None:
        """``exit(code)``: the program ends now (main returned); nothing else runs."""
        self.result.exit_code = code
        self.result.ended = True
        if self.observers:
            self.emit("Exit", extra=code, cause=("exit", code))
        raise ProgramExit()

    def panic(self, g: G, e: BaseException) -> None:
        """An exception escaped goroutine g: Go prints ``panic: <value>``, a blank line and
        the panicking goroutine's stack only, and exits with status 2."""
        text, hint = panic_text(self, g, e)
        self.result.stderr.append(text)
        self.result.exit_code = 2
        err = GoPanic(text, 2, hint=hint)
        err.__cause__ = e
        self.result.error = err
        self.result.ended = True
        if self.observers:
            self.emit("Exit", g, extra=2, reason="panic", cause=("panic",))
        raise ProgramExit()

    def fatal(self, message: str, gp: G | None = None, throw: bool = False,
              stack: tuple[str, ...] = CHECKDEAD_STACK) -> NoReturn:
        """``fatal``/``throw``: ``fatal error: ...`` then the goroutines GOTRACEBACK asks for;
        exit status 2. ``message`` is the whole first line(s), ``fatal error:`` included; ``gp``
        the goroutine that failed, None if the runtime failed on its own ``stack`` (checkdead,
        newproc's system stack); ``throw``: a runtime error, always dumped in full."""
        text = fatal_text(self, message, gp, self._running, throw, stack)
        self.result.stderr.append(text)
        self.result.exit_code = 2
        self.result.error = GoFatal(text, 2)
        self.result.ended = True
        if self.observers:
            self.emit("Exit", extra=2, reason="fatal", cause=("fatal",))
        raise ProgramExit()

    def checkdead(self) -> None:
        """``checkdead``, called when an M goes idle: if no M is running (Ms in syscalls or
        netpoll count as running), no user goroutine can run and no timer is pending, the
        program is deadlocked."""
        run = len(self.allm) - len(self.midle) - self.nmsys
        if run > 0:
            return
        if self.ngoroutines == 0 and not self.result.ended:
            self.fatal("fatal error: no goroutines (main called runtime.Goexit) - deadlock!")
        for p in self.allp:
            if p.timers:
                return
        self.fatal("fatal error: all goroutines are asleep - deadlock!")

    def close_all(self) -> None:
        """After the program ended: close every unfinished coroutine (no Python warnings).
        Also called by the garbage collector for an abandoned Sim, possibly while another
        simulation runs: only this simulation's own state is cleared."""
        for g in self.allg:
            if g.status != GStatus.DEAD and g.coro is not None:
                try:
                    g.coro.close()
                except BaseException:  # a finally block that awaited: nothing left to run it
                    pass
        if current.sched is self:
            current.sched = None
        self._running = None


@functools.cache
def _coprimes(n: int) -> list[int]:
    """``randomOrder.reset``: the numbers in [1, n] coprime with n (the steal order's strides)."""
    return [i for i in range(1, n + 1) if math.gcd(i, n) == 1]
