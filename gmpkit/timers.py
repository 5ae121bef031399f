"""Timers and ``time.Sleep`` (``runtime/time.go``).

Each P owns a min-heap of timers ordered by when they fire (Go uses a 4-ary heap; any min-heap
gives the same order -- ties fire in insertion order here, unspecified in Go). ``time.Sleep(d)``
parks the goroutine with wait reason ``sleep`` and puts its timer into the heap of the P it was
running on. Timers are run, in order:

* at the top of every ``findRunnable`` on the P's own thread;
* by a thief in the last round of stealing (the victim's expired timers run on the thief's P);
* by the thread that wakes from blocking in the poller at the earliest timer.

A timer readies its goroutine with ``goready``, i.e. into ``runnext`` of *the P that ran the
timer*, so a sleeper that just woke runs before older work in the local queue (go-scheduler.md
§14 B6). The heap helpers live in ``sched.py`` (``add_timer``, ``run_timers``) next to the code that
calls them; this module holds the operation goroutines await.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .chan import Chan
from .sched import WAIT_SLEEP, ParkingOp, current_sched

if TYPE_CHECKING:
    from .sched import G, Sched


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


class _ChanTimer:
    """The timer behind ``time.After``: when it fires it sends the time on its channel without
    blocking (Go 1.23+ timer channels; the model keeps the timer in the heap from creation,
    where Go adds it only while a goroutine waits on the channel)."""

    __slots__ = ("ch",)

    def __init__(self, ch: Chan):
        self.ch = ch

    def fire(self, sched: Sched, when: int) -> None:
        ch = self.ch
        if ch.recvq or len(ch.buf) < ch.cap:
            ch._try_send(sched, None, when)  # type: ignore[arg-type]


def after(ns: int) -> Chan:
    """``time.After(d)``: a channel that receives the virtual time (ns) once ``ns`` has passed.
    The timer goes into the current P's heap like a sleeper's."""
    sched = current_sched("gk.after")
    g = sched.curg()
    p = g.m.p if g.m is not None else None
    assert p is not None
    ch = Chan(1)
    sched.add_timer(p, sched.now + g.debt + ns, _ChanTimer(ch))
    return ch


__all__: list[Any] = ["Sleep", "after"]
