"""The network poller (``runtime/netpoll.go``), modelled as an abstract source of ready goroutines.

In Go a goroutine that reads from a socket with no data parks with wait reason ``IO wait``; its
thread is *not* blocked. The OS (epoll) later reports the descriptor ready, and whoever polls -- a
thread in ``findRunnable`` (non-blocking), a thread with nothing else to do (blocking, until the next
timer), or sysmon every 10 ms -- makes the goroutine runnable again through ``injectglist``.

The model keeps that structure exactly, but instead of descriptors each waiter says *when* its data
will arrive (``gk.netwait(ms=...)``). A poll returns the waiters whose time has come, in the order
they became ready. With the ``netpoller`` switch off, a network wait blocks its thread like a system
call -- the world before netpollers, where every connection pinned a thread.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from .sched import WAIT_IO, ParkingOp

if TYPE_CHECKING:
    from .sched import G, Sched


class Netpoller:
    """Waiters in ``IO wait`` and when each becomes ready."""

    __slots__ = ("sched", "heap", "seq", "lastpoll")

    def __init__(self, sched: Sched):
        self.sched = sched
        self.heap: list[list[Any]] = []  # [ready_at, seq, g]
        self.seq = 0
        self.lastpoll = 0  # sched.lastpoll: when a poll last happened (sysmon polls after 10 ms)

    @property
    def waiters(self) -> int:
        """``netpollAnyWaiters``: goroutines parked in IO wait."""
        return len(self.heap)

    def register(self, g: G, ready_at: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, [ready_at, self.seq, g])
        self.sched.netpoll_rearm()

    def next_ready(self) -> int:
        return self.heap[0][0] if self.heap else 0

    def poll(self, now: int) -> list[G]:
        """``netpoll(0)``: the goroutines whose I/O is ready by ``now``, oldest readiness first."""
        out = []
        h = self.heap
        while h and h[0][0] <= now:
            out.append(heapq.heappop(h)[2])
        return out


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
