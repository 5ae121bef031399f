"""Timers and ``time.Sleep`` (``runtime/time.go``): per-P timer heaps and the operations on them.

Each P owns a min-heap of timers ordered by when they fire (Go uses a 4-ary heap; any min-heap
gives the same order -- ties fire in insertion order here, unspecified in Go). An entry is
``[when, seq, what]``: ``what`` is a sleeping G or a channel timer (``time.After``).

``time.Sleep(d)`` parks the goroutine with wait reason ``sleep`` and puts its timer into the heap
of the P it was running on (``resetForSleep``, run as gopark's unlock function). Timers are run, in
order (``timers.check``):

* at the top of every ``findRunnable`` on the P's own thread;
* by a thief in the last round of stealing (the victim's expired timers run on the thief's P);
* by the thread that wakes from blocking in the poller at the earliest timer.

A sleeper's timer readies its goroutine with ``goready``, i.e. into ``runnext`` of *the P that ran
the timer*, so a sleeper that just woke runs before older work in the local queue (go-scheduler.md
§14 B6). A timer that becomes its P's earliest wakes the poller (``wakeNetPoller``), so a thread
blocked there with a later deadline notices it.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from .chan import Chan
from .ops import ParkingOp, current_sched
from .runtime2 import WAIT_SLEEP, WAITING, G

if TYPE_CHECKING:  # type names only
    from .runtime2 import P
    from .sched import Sched


def add_timer(sched: Sched, p: P, when: int, what: Any) -> None:
    """Insert a timer into p's heap (``resetForSleep`` for a sleeping G, ``time.After``'s channel
    timer otherwise); if it is p's new earliest, ``wakeNetPoller``. The caller runs on p."""
    sched.timer_seq += 1
    if isinstance(what, G):
        what.timer_seq = sched.timer_seq  # a later sleep of the same G makes this entry stale
    entry = [when, sched.timer_seq, what]
    heapq.heappush(p.timers, entry)
    if p.timers[0] is entry:
        sched.wake_netpoller(when)


def check(sched: Sched, tp: P, onto: P) -> int:
    """``timers.check``: run tp's expired timers, in order, as the M that holds P ``onto``; each
    wakes its sleeper with ``goready`` into onto's runnext. Returns how many ran. The caller
    (``Sched.run_timers``) has made ``onto`` the current P."""
    n = 0
    now = sched.now
    timers = tp.timers
    while timers and timers[0][0] <= now:
        when, tseq, what = heapq.heappop(timers)
        if not isinstance(what, G):
            # A channel timer (time.After): a non-blocking send of the time it fired; a
            # waiting receiver is readied into onto's runnext like a sleeper.
            what.fire(sched, when)
            n += 1
            continue
        if what.timer_seq != tseq or what.status is not WAITING:
            continue  # stale: the goroutine slept again, or was woken otherwise
        if sched.observers:
            sched.emit("TimerFire", what, onto.m, onto, cause=("timer-fire", when, tp.id))
        sched.ready(what)
        n += 1
    return n


def earliest(ps: list[P]) -> int:
    """``checkTimersNoP``: the earliest timer over the given Ps (0: none)."""
    w = 0
    for p in ps:
        if p.timers and (w == 0 or p.timers[0][0] < w):
            w = p.timers[0][0]
    return w


class Sleep(ParkingOp):
    """``time.Sleep(ns)``: ns <= 0 returns at once without yielding, like Go."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = ns

    def apply(self, sched: Sched, g: G) -> None:
        if self.ns <= 0:
            sched.cont(g, 0)
            return
        sched.park(g, WAIT_SLEEP, timer_when=sched.now + g.debt + self.ns)


class ChanTimer:
    """The timer behind ``time.After``: when it fires it sends the time on its channel without
    blocking (Go 1.23+ timer channels; the model keeps the timer in the heap from creation,
    where Go adds it only while a goroutine waits on the channel)."""

    __slots__ = ("ch",)

    def __init__(self, ch: Chan):
        self.ch = ch

    def fire(self, sched: Sched, when: int) -> None:
        ch = self.ch
        if ch.recvq or len(ch.buf) < ch.cap:
            ch._try_send(sched, None, when)


def after(ns: int) -> Chan:
    """``time.After(d)``: a channel that receives the virtual time (ns) once ``ns`` has passed.
    The timer goes into the current P's heap like a sleeper's."""
    sched = current_sched("gk.after")
    g = sched.curg()
    p = g.m.p if g.m is not None else None
    assert p is not None
    ch = Chan(1)
    add_timer(sched, p, sched.now + g.debt + ns, ChanTimer(ch))
    return ch


__all__ = ["ChanTimer", "Sleep", "add_timer", "after", "check", "earliest"]
