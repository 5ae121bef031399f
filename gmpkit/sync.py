"""``sync.Mutex``, ``sync.WaitGroup`` and ``sync.Cond`` on the runtime's semaphores (``sema.go``).

Waiters queue FIFO per semaphore and are woken with ``goready`` -- into runnext of the waker's P --
so the woken goroutine runs as soon as the waker gives up its P. The wait reasons are the ones Go
1.27 prints in dumps: ``sync.Mutex.Lock``, ``sync.WaitGroup.Wait``, ``sync.Cond.Wait``.

Mutex follows ``internal/sync/mutex.go`` in outline. In normal mode ``Unlock`` releases the lock and
wakes the oldest waiter, which must compete for it again (a newcomer may win; a loser re-queues at
the *head*). A waiter that has waited more than 1 ms switches the mutex to starvation mode: the lock
is then handed straight to the oldest waiter. Simplifications: no active spinning (it lasts
nanoseconds), and in starvation mode the unlocker does not ``goyield`` (it cannot: ``Unlock`` is not
awaited in the model), so it keeps its P until its next blocking point.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from .errors import PanicError, UsageTypeError
from .ops import ParkingOp, current_sched
from .runtime2 import WAIT_COND, WAIT_MUTEX, WAIT_WAITGROUP

if TYPE_CHECKING:  # type names only
    from .runtime2 import G
    from .sched import Sched

STARVATION_THRESHOLD_NS = 1_000_000  #: starvationThresholdNs: 1 ms


class _SemaWait(ParkingOp):
    """Park on a semaphore queue (``semacquire1``); ``lifo`` queues at the head."""

    __slots__ = ("queue", "reason", "lifo")

    def __init__(self, queue: deque[Any], reason: str, lifo: bool = False):
        self.queue = queue
        self.reason = reason
        self.lifo = lifo

    def apply(self, sched: Sched, g: G) -> None:
        if self.lifo:
            self.queue.appendleft(g)
        else:
            self.queue.append(g)
        sched.park(g, self.reason)


class _MutexTry(ParkingOp):
    """The fast path of Lock: take a free mutex, or queue and park."""

    __slots__ = ("mu", "lifo")

    def __init__(self, mu: Mutex, lifo: bool):
        self.mu = mu
        self.lifo = lifo

    def apply(self, sched: Sched, g: G) -> None:
        mu = self.mu
        if not mu.locked:
            mu.locked = True
            sched.cont(g, sched.costs.sync_ns, True)
            return
        if self.lifo:
            mu.waiters.appendleft(g)
        else:
            mu.waiters.append(g)
        sched.park(g, WAIT_MUTEX)


class Mutex:
    """``sync.Mutex``: ``await mu.lock()``, ``mu.unlock()``."""

    __slots__ = ("locked", "waiters", "wait_start", "starving")

    def __init__(self) -> None:
        self.locked = False
        self.waiters: deque[G] = deque()
        self.wait_start: dict[int, int] = {}
        self.starving = False

    def __repr__(self) -> str:
        return f"Mutex(locked={self.locked}, waiters={len(self.waiters)})"

    async def lock(self) -> None:
        """``Lock``: blocks with ``sync.Mutex.Lock`` while another goroutine holds it."""
        sched = current_sched("Mutex.lock")
        g = sched.curg()
        lifo = False
        while True:
            got = await _MutexTry(self, lifo)
            if got:
                self.wait_start.pop(g.goid, None)
                return
            # Woken: in starvation mode ownership was handed to us (resume value True).
            if g.sema_ticket:
                g.sema_ticket = False
                self.wait_start.pop(g.goid, None)
                return
            lifo = True  # a waiter that lost the race re-queues at the head

    def try_lock(self) -> bool:
        """``TryLock``."""
        current_sched("Mutex.try_lock")
        if self.locked:
            return False
        self.locked = True
        return True

    def unlock(self) -> None:
        """``Unlock``: never blocks. Wakes the oldest waiter (normal mode) or hands it the lock
        (starvation mode, once it has waited over 1 ms)."""
        sched = current_sched("Mutex.unlock")
        if not self.locked:
            sched.fatal("fatal error: sync: unlock of unlocked mutex", gp=sched.curg())
        g = sched.curg()
        g.debt += sched.costs.sync_ns
        if not self.waiters:
            self.locked = False
            return
        w = self.waiters.popleft()
        started = self.wait_start.setdefault(w.goid, w.wait_since)
        if sched.sw_mutex_starvation and sched.now - started > STARVATION_THRESHOLD_NS:
            w.sema_ticket = True  # handoff: the lock stays locked, owned by w
            w.resume_val = False
        else:
            self.locked = False
            w.resume_val = False
        sched.ready(w, g)


class WaitGroup:
    """``sync.WaitGroup``: ``wg.add(n)``, ``wg.done()``, ``await wg.wait()``."""

    __slots__ = ("count", "waiters")

    def __init__(self) -> None:
        self.count = 0
        self.waiters: deque[G] = deque()

    def __repr__(self) -> str:
        return f"WaitGroup(count={self.count}, waiters={len(self.waiters)})"

    def add(self, delta: Any) -> None:  # Any: checked below, with a message
        """``Add``: when the counter reaches zero every waiter is released, oldest first."""
        if isinstance(delta, bool) or not isinstance(delta, int):
            raise UsageTypeError(f"WaitGroup.add needs an int, got {delta!r}")
        sched = current_sched("WaitGroup.add")
        self.count += delta
        if self.count < 0:
            raise PanicError("sync: negative WaitGroup counter")
        g = sched.curg()
        g.debt += sched.costs.sync_ns
        if self.count == 0 and self.waiters:
            ws = list(self.waiters)
            self.waiters.clear()
            for w in ws:
                sched.ready(w, g)

    def done(self) -> None:
        """``Done`` = ``Add(-1)``."""
        self.add(-1)

    async def wait(self) -> None:
        """``Wait``: blocks with ``sync.WaitGroup.Wait`` until the counter is zero."""
        current_sched("WaitGroup.wait")
        if self.count == 0:
            return
        await _SemaWait(self.waiters, WAIT_WAITGROUP)


class Cond:
    """``sync.Cond`` with its Locker: ``await c.wait()``, ``c.signal()``, ``c.broadcast()``."""

    __slots__ = ("L", "waiters")

    def __init__(self, lock: Any):
        if not isinstance(lock, Mutex):
            raise UsageTypeError(f"gk.Cond needs the gk.Mutex it pairs with: gk.Cond(mu), got {lock!r}")
        self.L: Mutex = lock
        self.waiters: deque[G] = deque()

    async def wait(self) -> None:
        """``Wait``: unlock L, park with ``sync.Cond.Wait`` until signalled, lock L again."""
        current_sched("Cond.wait")
        self.L.unlock()
        await _SemaWait(self.waiters, WAIT_COND)
        await self.L.lock()

    def signal(self) -> None:
        """``Signal``: wake the goroutine that has waited longest."""
        sched = current_sched("Cond.signal")
        if self.waiters:
            sched.ready(self.waiters.popleft(), sched.curg())

    def broadcast(self) -> None:
        """``Broadcast``: wake all waiters, oldest first."""
        sched = current_sched("Cond.broadcast")
        ws = list(self.waiters)
        self.waiters.clear()
        for w in ws:
            sched.ready(w, sched.curg())
