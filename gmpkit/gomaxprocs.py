"""GOMAXPROCS: stop the world, resize the set of Ps, start the world (``proc.go: procresize``,
``stopTheWorldWithSema``, ``startTheWorldWithSema``; ``debug.go: GOMAXPROCS``).

``runtime.GOMAXPROCS(n)`` with a new n stops every P, makes ``allp`` hold exactly n Ps and starts
again. What learners see: goroutines on destroyed Ps move to the *head* of the global queue
(runnext first, then the local queue in order); goroutines preempted for the stop resume from their
own P's runnext; the current thread keeps its P if it survives, else takes P0; the idle list is
rebuilt in ascending id order, so the highest id is handed out first. ``procresize`` also builds the
first Ps at start-up (``schedinit``).

Status changes: a new P starts GCSTOP (``p.init``); stop-the-world moves every P to GCSTOP;
``procresize`` moves survivors to IDLE (or RUNNING for the caller's) and the others to DEAD.

Simplification: Go stops the world by preempting every running goroutine and waiting for each P to
stop, re-sending the request every 100 µs; the model stops every P in one atomic step and charges
``Costs.stw_ns`` for the whole stop and start.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from .errors import UsageTypeError, UsageValueError
from .ops import Op
from .runtime2 import MAX_GOMAXPROCS, RUNNING, G, GStatus, P, PStatus

if TYPE_CHECKING:  # type names only
    from .runtime2 import M
    from .sched import Sched


class SetGomaxprocs(Op):
    """``runtime.GOMAXPROCS(n)`` (await it): the previous value is the result."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        self.n = n

    def apply(self, sched: Sched, g: G) -> None:
        set_gomaxprocs(sched, g, self.n)


def procresize(s: Sched, nprocs: int, m: M) -> list[P]:
    """``procresize``: make allp hold n Ps; destroy extra Ps (their queues go to the global
    queue's head as [runnext, local..., old global...]); the current M keeps its P if it
    survives, else takes P0; idle Ps go on the idle list in ascending id order. Returns
    the Ps with local work, which ``start_the_world`` gives Ms. Called at start-up (every P
    new) and with the world stopped (every P GCSTOP)."""
    old = len(s.allp)
    while len(s.allp_all) < nprocs:
        s.allp_all.append(P(len(s.allp_all)))  # p.init: a new P is GCSTOP
    for p in s.allp_all[old:nprocs]:
        if p.status is PStatus.DEAD:
            s.casp(p, PStatus.DEAD, PStatus.GCSTOP)  # a dead P comes back: p.init
    for p in s.allp[nprocs:]:
        # destroy: local queue to the global head (order kept), runnext to the very head.
        while p.runq:
            s.runq.appendleft(p.runq.pop())
        if p.runnext is not None:
            s.runq.appendleft(p.runnext)
            p.runnext = None
        if p.timers:
            tp = s.allp_all[0] if m.p is None or m.p.id >= nprocs else m.p
            for e in p.timers:
                heapq.heappush(tp.timers, e)
                if not isinstance(e[2], G):
                    e[2].moved(tp)  # a channel timer remembers its heap (timers.ChanTimer)
            p.timers = []
        s.casp(p, PStatus.GCSTOP, PStatus.DEAD)
        p.m = None
    s.allp = s.allp_all[:nprocs]
    s.gomaxprocs = nprocs
    s.pidle = []
    if m.p is not None and m.p.id < nprocs:
        s.casp(m.p, PStatus.GCSTOP, PStatus.RUNNING)  # keep using the current P
    else:
        if m.p is not None:
            m.p.m = None
            m.p = None
        p0 = s.allp[0]
        s.casp(p0, PStatus.GCSTOP, PStatus.IDLE)
        p0.m = None
        s.acquirep(m, p0, "acquirep-procresize")
    runnable: list[P] = []
    for p in reversed(s.allp):
        if p is m.p:
            continue
        s.casp(p, PStatus.GCSTOP, PStatus.IDLE)
        p.m = None
        if p.runq or p.runnext is not None:
            runnable.append(p)
    idle = [p for p in s.allp if p is not m.p and p not in runnable]
    for p in idle:  # ascending ids: the top of the stack is the highest id
        s.pidle.append(p)
    return runnable  # like Go's procresize: the Ps with local work, for startTheWorld


def set_gomaxprocs(s: Sched, g: G, n: int) -> None:
    """``runtime.GOMAXPROCS(n)`` called by the running g: the old value is the await's
    result; n <= 0 only asks, and an unchanged n needs no stop-the-world."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise UsageTypeError(f"GOMAXPROCS needs an int, got {n!r}")
    prev = s.gomaxprocs
    if n <= 0 or n == prev:
        s.cont(g, s.costs.sync_ns, prev)
        return
    if n > MAX_GOMAXPROCS:
        raise UsageValueError(
            f"GOMAXPROCS={n} is more than the model allows ({MAX_GOMAXPROCS})"
        )
    m = g.m
    assert m is not None
    stop_the_world(s, m)
    if s.observers:
        s.emit("GOMAXPROCS", g, m, m.p, extra=(prev, n), cause=("gomaxprocs", prev, n))
    start_the_world(s, procresize(s, n, m))
    s.cont(g, s.costs.stw_ns, prev)


def stop_the_world(s: Sched, m: M) -> None:
    """``stopTheWorldWithSema``, in one atomic step (Go preempts and waits): m (the caller)
    keeps its P, marked GCSTOP; every other P stops. Running goroutines are preempted into
    their own P's runnext (the preempt-for-STW exception of ``gopreempt_m``); Ps are taken
    from system calls (the M keeps its G and will exit slowly); idle Ps leave the idle
    list; every other M gives up its P and stops (``gcstopm`` -> ``stopm``). An M blocked
    in the poller holds no P and stays blocked."""
    assert m.p is not None
    s.casp(m.p, PStatus.RUNNING, PStatus.GCSTOP)
    for p in s.pidle:
        s.casp(p, PStatus.IDLE, PStatus.GCSTOP)
    s.pidle = []
    stopping: list[M] = []
    for p in s.allp:
        om = p.m
        if p is m.p:
            continue
        if om is None:
            # On its way to an M (startm chose it; the M has not run acquirep yet).
            s.casp(p, (PStatus.IDLE, PStatus.GCSTOP), PStatus.GCSTOP)
            continue
        og = om.curg
        if og is not None and og.status is GStatus.SYSCALL:
            s.take_syscall_p(p, PStatus.GCSTOP)
            continue
        if og is not None and og.status is RUNNING:
            if og.work_end > s.now:
                og.work_left = og.work_end - s.now
                og.work_end = 0
            s.casgstatus(og, GStatus.RUNNING, GStatus.RUNNABLE)
            og.m = None
            om.curg = None
            # gopreempt_m during a stop-the-world: runqput(own P, g, next=true), which
            # kicks the old runnext to the local tail.
            old = p.runnext
            p.runnext = og
            if old is not None:
                s.runqput(p, old, False)
        s.casp(p, PStatus.RUNNING, PStatus.GCSTOP)
        om.p = None
        p.m = None
        stopping.append(om)
    for om in s.allm:
        if om.nextp is not None:
            # A thread on its way to a P (startm): it stops instead; procresize hands the
            # P out again.
            om.nextp = None
            stopping.append(om)
    for om in stopping:
        om.evseq = s.queue.token()  # cancels whatever it was about to do
        om.spinning = False
        s.stopm(om, "stopm-stw")
    for om in s.allm:
        om.spinning = False
    s.nmspinning = 0


def start_the_world(s: Sched, runnable: list[P]) -> None:
    """``startTheWorldWithSema``: wake an M for each P with local work (the P's old M if it
    is idle, else any), then ``wakep`` for the rest."""
    for p in runnable:
        om = p.oldm
        if om is not None and om.parked and om in s.midle:
            s.midle.remove(om)
            om.parked = False
            om.spinning = False
            om.nextp = p
            om.evseq = s.at(s.now + s.costs.stw_ns, s._ev_mstart, om)
        else:
            s.startm(p, False, "starttheworld")
    s.wakep("starttheworld")
