"""The network poller (``runtime/netpoll.go``), modelled as an abstract source of ready goroutines.

In Go a goroutine that reads from a socket with no data parks with wait reason ``IO wait``; its
thread is *not* blocked. The OS (epoll) later reports the descriptor ready, and whoever polls -- a
thread in ``findRunnable`` (non-blocking), a thread with nothing else to do (blocking, until the next
timer), or sysmon every 10 ms -- makes the goroutine runnable again through ``injectglist``.

The model keeps that structure exactly, but instead of descriptors each waiter says *when* its data
will arrive (``gk.netwait(ms=...)``). A poll returns the waiters whose time has come, in the order
they became ready. With the ``netpoller`` switch off, a network wait blocks its thread like a system
call -- the world before netpollers, where every connection pinned a thread.

At most one M blocks in the poller at a time (Go: the M that wins ``sched.lastpoll.Swap(0)``); it
holds no P. It wakes when the first waiter's data arrives or at the earliest timer, whichever is
first, or earlier when a new timer or waiter needs it (``netpollBreak``).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from .ops import ParkingOp
from .runtime2 import WAIT_IO, GStatus

if TYPE_CHECKING:  # type names only
    from .runtime2 import G, M
    from .sched import Sched


class Netpoller:
    """Waiters in ``IO wait``, when each becomes ready, and the M blocked in the poller."""

    __slots__ = ("sched", "heap", "seq", "lastpoll", "blocked_m")

    def __init__(self, sched: Sched):
        self.sched = sched
        self.heap: list[list[Any]] = []  # [ready_at, seq, g]
        self.seq = 0
        self.lastpoll = 0  # sched.lastpoll: when a poll last happened (sysmon polls after 10 ms)
        self.blocked_m: M | None = None  # the M blocked in netpoll, if any (Go: lastpoll == 0)

    @property
    def waiters(self) -> int:
        """``netpollAnyWaiters``: goroutines parked in IO wait."""
        return len(self.heap)

    def register(self, g: G, ready_at: int) -> None:
        """A goroutine starts waiting for data that arrives at ``ready_at``."""
        self.seq += 1
        heapq.heappush(self.heap, [ready_at, self.seq, g])
        m = self.blocked_m
        if m is not None:
            self._arm(m)  # a blocked poller may need to wake earlier

    def next_ready(self) -> int:
        return self.heap[0][0] if self.heap else 0

    def poll(self, now: int) -> list[G]:
        """``netpoll(0)``: the goroutines whose I/O is ready by ``now``, oldest readiness first."""
        out = []
        h = self.heap
        while h and h[0][0] <= now:
            out.append(heapq.heappop(h)[2])
        return out

    # ----- blocking in the poller (findRunnable step 13) --------------------------------------

    def block(self, m: M, poll_until: int) -> None:
        """``netpoll(delay)`` with blocking: M (holding no P) sleeps in the poller until I/O is
        ready or ``poll_until`` (0: no timer). Only when no other M is blocked here."""
        assert self.blocked_m is None, "netpoll: two Ms blocked in the poller"
        s = self.sched
        m.in_netpoll = True
        m.poll_until = poll_until
        self.blocked_m = m
        if s.observers:
            s.emit("MNetpoll", m=m, extra=poll_until,
                   cause=("netpoll-block", poll_until or None, self.waiters))
        self._arm(m)

    def wake_by(self, when: int) -> None:
        """``netpollBreak``: a timer at ``when`` needs the blocked poller awake by then."""
        m = self.blocked_m
        assert m is not None
        m.poll_until = when
        self._arm(m)

    def _arm(self, m: M) -> None:
        """(Re)schedule the blocked M's wake-up: first data or its deadline, whichever is first."""
        s = self.sched
        wake = m.poll_until
        ready_at = self.next_ready()
        if ready_at and (wake == 0 or ready_at < wake):
            wake = ready_at
        if wake:
            m.evseq = s.at(max(wake, s.now), self._ev_wake, m)
        else:
            m.evseq = s.queue.token()  # sleep until something arms it again (a registration)

    def _ev_wake(self, m: M, seq: int) -> None:
        """Back from a blocking netpoll: take an idle P; run the first ready G and inject the
        rest, or (timer expiry) run the expired timers and go back to the top of findRunnable;
        with no idle P, inject everything to the global queue and stop the M."""
        if seq != m.evseq:
            return
        s = self.sched
        m.in_netpoll = False
        m.poll_until = 0
        self.blocked_m = None
        ready = self.poll(s.now)
        self.lastpoll = s.now
        p = s.pidleget()
        if p is None:
            s.injectglist(ready, None)
            s.stopm(m, "stopm-netpoll")
            return
        s.acquirep(m, p, "acquirep-netpoll")
        if ready:
            g = ready.pop(0)
            s.casgstatus(g, GStatus.WAITING, GStatus.RUNNABLE)
            s.injectglist(ready, p)
            s.execute(m, g, False, "netpoll", ("netpoll-wake", len(ready) + 1))
            return
        # Woken for a timer: the polling M runs every expired timer onto its new P.
        for tp in s.allp:
            if tp.timers and tp.timers[0][0] <= s.now:
                s.run_timers(tp, p)
        s.schedule(m)


class NetWait(ParkingOp):
    """``gk.netwait``: a network read that becomes ready after ``ns`` (``IO wait``)."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = ns

    def apply(self, sched: Sched, g: G) -> None:
        if not sched.sw_netpoller:
            # Without a netpoller the read blocks the thread, exactly like a system call.
            sched.entersyscall(g, self.ns)
            return
        sched.netpoll.register(g, sched.now + g.debt + self.ns)
        sched.park(g, WAIT_IO)
