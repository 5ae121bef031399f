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

``time.After``'s channel follows Go 1.23+'s timer channels: its timer sits in a heap only while a
goroutine is blocked receiving on the channel (``blockTimerChan`` puts it into the heap of that
goroutine's P; when the last waiter stops waiting, ``unblockTimerChan`` takes it out again), and
every receive attempt -- a plain receive or a select, blocking or not -- first runs the timer if it
is due (``maybeRunChan``). So a busy goroutine polling with select-default sees the value as soon
as it is due, an unreceived or abandoned ``time.After`` keeps no timer pending (a later block is a
deadlock at once), and ``len`` of a timer channel is 0.
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


def add_timer(sched: Sched, p: P, when: int, what: Any) -> list[Any]:
    """Insert a timer into p's heap (``resetForSleep`` for a sleeping G, ``time.After``'s channel
    timer otherwise); if it is p's new earliest, ``wakeNetPoller``. The caller runs on p."""
    sched.timer_seq += 1
    if isinstance(what, G):
        what.timer_seq = sched.timer_seq  # a later sleep of the same G makes this entry stale
    entry = [when, sched.timer_seq, what]
    heapq.heappush(p.timers, entry)
    if p.timers[0] is entry:
        sched.wake_netpoller(when)
    return entry


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
            # A channel timer (time.After) whose channel has a waiter: a non-blocking send of
            # the time it was due; the receiver is readied into onto's runnext like a sleeper.
            what.entry = what.p = None
            what.run(sched, None)
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
    """The timer behind ``time.After`` (a Go 1.23+ timer channel, ``isChan``), one-shot.

    It is in a heap (``entry`` is its heap entry, ``p`` the heap's P) only while ``blocked`` > 0
    goroutines wait on its channel (``needsAdd``). Where the model differs from Go 1.27.3: when
    the last waiter leaves, Go marks the timer a zombie that the next ``timers.check`` or
    ``adjust`` of that heap removes; the model removes it at once, which no program can tell apart
    (a zombie never fires and ``checkdead`` runs after the checks that clean it). Go also counts
    a woken waiter out (``unblockTimerChan``) when that goroutine runs again; the model does it
    when the goroutine is woken, so a timer whose last waiter was woken by another channel cannot
    still fire in between (its value would only sit in the channel's buffer slot).
    """

    __slots__ = ("ch", "when", "blocked", "p", "entry")

    def __init__(self, ch: Chan, when: int):
        self.ch = ch
        self.when = when  # 0 once it has run
        self.blocked = 0  # goroutines waiting on ch
        self.p: P | None = None
        self.entry: list[Any] | None = None

    def __repr__(self) -> str:
        where = f"in P{self.p.id}'s heap" if self.p is not None else "in no heap"
        return f"ChanTimer(when={self.when}, blocked={self.blocked}, {where})"

    def run(self, sched: Sched, g: G | None) -> None:
        """``unlockAndRun`` with ``sendTime``: a non-blocking send of the time it was due; a
        waiting receiver is readied (and no longer counts as blocked on the timer)."""
        when = self.when
        self.when = 0
        ch = self.ch
        if ch.recvq:
            self.blocked -= 1
        if ch.recvq or len(ch.buf) < ch.cap:
            ch._try_send(sched, g, when)

    def maybe_run(self, sched: Sched, g: G) -> None:
        """``maybeRunChan``: a receive attempt runs the timer if it is not in a heap and due at
        the receiver's current time."""
        if self.entry is None and self.when and self.when <= sched.now + g.debt:
            self.run(sched, g)

    def block(self, sched: Sched, g: G) -> None:
        """``blockTimerChan``: g is about to wait on the channel; a pending timer not yet in a
        heap goes into the heap of g's P."""
        self.blocked += 1
        if self.entry is None and self.when:
            p = g.m.p if g.m is not None else None
            assert p is not None
            self.p = p
            self.entry = add_timer(sched, p, self.when, self)

    def unblock(self) -> None:
        """``unblockTimerChan``: a waiter stopped waiting; after the last one the timer leaves
        its heap (see the class docstring for Go's lazy removal)."""
        self.blocked -= 1
        if self.blocked == 0 and self.entry is not None and self.p is not None:
            heap = self.p.timers
            heap.remove(self.entry)
            heapq.heapify(heap)
            self.entry = self.p = None

    def moved(self, p: P) -> None:
        """``moveTimers``: the heap entry now lives in p's heap (GOMAXPROCS shrank)."""
        self.p = p


def after(ns: int) -> Chan:
    """``time.After(d)``: a channel that receives the virtual time (ns) at which ``d`` was up.
    Its timer joins the heap of the P of a goroutine that blocks on it (see ``ChanTimer``)."""
    sched = current_sched("gk.after")
    g = sched.curg()
    ch = Chan(1)
    ch.timer = ChanTimer(ch, sched.now + g.debt + ns)
    return ch


__all__ = ["ChanTimer", "Sleep", "add_timer", "after", "check", "earliest"]
