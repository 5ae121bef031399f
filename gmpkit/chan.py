"""Channels and select (``runtime/chan.go``, ``runtime/select.go``).

A channel has a ring buffer of ``cap`` slots and two FIFO queues of waiting goroutines, ``recvq``
and ``sendq`` (each waiter is a *sudog*). The rules the model follows, as Go does:

* **Direct handoff.** A send that finds a receiver waiting copies the value straight to it and
  readies it into runnext of the sender's P (``goready``); the sender keeps running. The buffer
  is bypassed even when it has room.
* A receive that finds a sender waiting on a *full buffer* takes the buffer's head and moves the
  sender's value into the freed tail slot, then readies the sender.
* **close** wakes every receiver (zero value, ok=false), then every sender (which will panic
  ``send on closed channel``), readying them through a LIFO list: for receivers r1..rk the last
  readied, r1, ends up in runnext and rk..r2 in the local queue (go-scheduler.md §9.3, §14 B5).
* A nil channel blocks forever (``chan send (nil chan)`` / ``chan receive (nil chan)``);
  closing it panics ``close of nil channel``; closing twice ``close of closed channel``.
* **select** polls its cases in a uniformly random order (Fisher-Yates driven by the seeded random
  source), takes the first ready one, else ``default`` if there is one, else waits on *every*
  channel at once; the first waker wins and the other registrations are withdrawn.
* A **timer channel** (``gk.after``, Go's ``time.After``) is receive-only for the program; every
  receive attempt on it first runs its timer if due, and blocking on it puts the timer into a heap
  (``timers.ChanTimer``); its ``len`` is 0, as in Go 1.23+.

Channel values are Python objects; the zero value of every channel type is ``None``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Final

from .errors import PanicError, UsageTypeError, UsageValueError
from .ops import Op, ParkingOp, current, current_sched
from .runtime2 import (
    WAIT_CHAN_RECEIVE,
    WAIT_CHAN_RECEIVE_NIL,
    WAIT_CHAN_SEND,
    WAIT_CHAN_SEND_NIL,
    WAIT_SELECT,
    WAIT_SELECT_NO_CASES,
)

if TYPE_CHECKING:  # type names only
    from .runtime2 import G
    from .sched import Sched
    from .timers import ChanTimer

_chan_ids = itertools.count(1)

# How a waiting receiver wants its result delivered.
_PLAIN: Final = 0  # v = await ch.recv()
_WITH_OK: Final = 1  # v, ok = await ch.recv2()
_SELECT: Final = 2  # i, v, ok = await gk.select(...)


class Sudog:
    """A goroutine waiting on a channel (``runtime2.go: sudog``)."""

    __slots__ = ("g", "elem", "mode", "case", "group")

    def __init__(self, g: G, elem: Any, mode: int, case: int = -1, group: Any = None):
        self.g = g
        self.elem = elem  # the value to send, for a sender
        self.mode = mode
        self.case = case  # select case index
        self.group = group  # all sudogs of one select: [(chan, sudog, is_send), ...]


def _deliver(sched: Sched, sd: Sudog, value: Any, ok: bool, waker: G | None) -> None:
    """Complete a waiting receiver or sender and ``goready`` it."""
    g = sd.g
    if sd.mode == _SELECT:
        _withdraw(sd)
        g.resume_val = (sd.case, value, ok)
    elif sd.mode == _WITH_OK:
        g.resume_val = (value, ok)
    else:
        g.resume_val = value
    sched.ready(g, waker)


def _enqueue(ch: Chan, is_send: bool, sd: Sudog) -> None:
    """Append a waiter to the channel's sendq or recvq (a list is made on first use)."""
    q = ch.sendq if is_send else ch.recvq
    if q:
        q.append(sd)
    elif is_send:
        ch.sendq = [sd]
    else:
        ch.recvq = [sd]


def _withdraw(sd: Sudog) -> None:
    """select's pass 3: remove the winner's other registrations from their channels."""
    for ch, other, is_send in sd.group:
        if other is sd:
            continue
        q = ch.sendq if is_send else ch.recvq
        if other in q:
            q.remove(other)
            if ch.timer is not None:
                ch.timer.unblock()


class Chan:
    """A Go channel. ``Chan()`` is unbuffered, ``Chan(n)`` has n buffer slots, ``Chan.nil()``
    is the nil channel (``var c chan T``)."""

    __slots__ = ("cap", "buf", "recvq", "sendq", "closed", "is_nil", "id", "timer")

    def __init__(self, cap: Any = 0):  # Any: checked below, with a message
        if isinstance(cap, bool) or not isinstance(cap, int):
            raise UsageTypeError(f"Chan(cap) needs an int capacity, got {cap!r}")
        if cap < 0:
            if current.sched is not None:  # make(chan T, n) at run time: a runtime panic
                raise PanicError("makechan: size out of range",
                                 hint=f"a channel's capacity must be >= 0, got {cap}")
            raise UsageValueError(f"makechan: size out of range (Chan capacity {cap} < 0)")
        self.cap: int = cap
        # Lists, not deques (an empty deque costs ~600 bytes and most channels hold few
        # waiters), and the shared empty tuple until first used: a channel with nobody waiting
        # costs no list at all.
        self.buf: Any = ()  # list[Any] once used
        self.recvq: Any = ()  # list[Sudog] once used
        self.sendq: Any = ()  # list[Sudog] once used
        self.closed = False
        self.is_nil = False
        self.id = next(_chan_ids)  # stands in for the address: select's lock order
        self.timer: ChanTimer | None = None  # the timer feeding a gk.after channel

    @classmethod
    def nil(cls) -> Chan:
        c = cls(0)
        c.is_nil = True
        return c

    def __len__(self) -> int:
        # A timer channel's buffered value is invisible, as in Go 1.23+ (chanlen).
        return 0 if self.timer is not None else len(self.buf)

    def _receive_only(self, what: str) -> UsageTypeError:
        return UsageTypeError(f"{what} on a gk.after channel: it is receive-only (Go's time.After "
                              "returns a <-chan Time); send on a channel made with gk.Chan()")

    def __repr__(self) -> str:
        if self.is_nil:
            return "Chan(nil)"
        state = " closed" if self.closed else ""
        if self.timer is not None:
            return f"Chan(timer={self.timer!r}, recvq={len(self.recvq)})"
        return (f"Chan(cap={self.cap}, len={len(self.buf)}, recvq={len(self.recvq)}, "
                f"sendq={len(self.sendq)}{state})")

    def send(self, value: Any) -> _Send:
        """``ch <- value`` (await it)."""
        if self.timer is not None:
            raise self._receive_only("send")
        op = _Send()
        op.ch = self
        op.value = value
        return op

    def recv(self) -> _Recv:
        """``<-ch`` (await it): the value, or None once the channel is closed and drained."""
        op = _Recv()
        op.ch = self
        op.mode = _PLAIN
        return op

    def recv2(self) -> _Recv:
        """``v, ok := <-ch`` (await it): ok is False once closed and drained."""
        op = _Recv()
        op.ch = self
        op.mode = _WITH_OK
        return op

    def close(self) -> None:
        """``close(ch)``: never blocks; wakes every waiter (``closechan``)."""
        sched = current_sched("Chan.close")
        if self.timer is not None:
            raise self._receive_only("close")
        if self.is_nil:
            raise PanicError("close of nil channel", hint="this channel is nil (gk.Chan.nil()); "
                             "make a real one with gk.Chan() or gk.Chan(n) before closing it")
        if self.closed:
            raise PanicError("close of closed channel", hint="a channel can be closed once; "
                             "let only its sender close it, exactly once")
        self.closed = True
        woken: list[tuple[Sudog, bool]] = []
        while self.recvq:
            woken.append((self.recvq.pop(0), False))
        while self.sendq:
            woken.append((self.sendq.pop(0), True))
        g = sched.curg()
        g.debt += sched.costs.chan_ns
        # closechan collects the waiters on a list and readies them from its head: LIFO.
        for sd, is_send in reversed(woken):
            if is_send:
                if sd.mode == _SELECT:
                    _withdraw(sd)
                sd.g.resume_exc = PanicError("send on closed channel")
                sched.ready(sd.g, g)
            else:
                _deliver(sched, sd, None, False, g)

    # -- the operations proper, used by _Send/_Recv and select ------------------------------

    def _try_send(self, sched: Sched, g: G | None, value: Any) -> bool:
        """Pass 1 of a send: panic if closed, hand to a waiting receiver, or buffer it."""
        if self.closed:
            raise PanicError("send on closed channel")
        if self.recvq:
            sd = self.recvq.pop(0)
            if sd.mode == _PLAIN:  # _deliver's common case, inlined
                sd.g.resume_val = value
                sched.ready(sd.g, g)
            else:
                _deliver(sched, sd, value, True, g)
            return True
        if len(self.buf) < self.cap:
            if self.buf:
                self.buf.append(value)
            else:
                self.buf = [value]
            return True
        return False

    def _try_recv(self, sched: Sched, g: G) -> tuple[bool, Any, bool]:
        """Pass 1 of a receive: from a waiting sender, the buffer, or a closed channel."""
        if self.sendq:
            sd = self.sendq.pop(0)
            if self.cap == 0:
                value = sd.elem
            else:
                # The buffer is full: take its head, the sender's value goes into the tail.
                value = self.buf.pop(0)
                self.buf.append(sd.elem)
            sg = sd.g
            if sd.mode == _SELECT:
                _withdraw(sd)
                sg.resume_val = (sd.case, None, True)
            else:
                sg.resume_val = None
            sched.ready(sg, g)
            return True, value, True
        if self.buf:
            return True, self.buf.pop(0), True
        if self.closed:
            return True, None, False
        return False, None, False


class _Send(Op):
    """``ch <- value`` (made by :meth:`Chan.send`: a class without ``__init__`` and two slot
    stores, which the hot path finds cheaper than an ``__init__`` call, in both builds)."""

    __slots__ = ("ch", "value")
    ch: Chan
    value: Any

    def apply(self, sched: Sched, g: G) -> None:
        ch = self.ch
        value = self.value
        if ch.is_nil:
            sched.park(g, WAIT_CHAN_SEND_NIL)
            return
        try:
            done = ch._try_send(sched, g, value)
        except PanicError as e:
            g.resume_exc = e
            sched.cont(g, sched.costs.chan_ns)
            return
        if done:
            sched.cont(g, sched.costs.chan_ns)
            return
        _enqueue(ch, True, Sudog(g, value, _PLAIN))
        sched.park(g, WAIT_CHAN_SEND)


class _Recv(ParkingOp):
    """``<-ch`` or ``v, ok := <-ch`` (``mode``), made by :meth:`Chan.recv` like :class:`_Send`."""

    __slots__ = ("ch", "mode")
    ch: Chan
    mode: int

    def apply(self, sched: Sched, g: G) -> None:
        ch = self.ch
        mode = self.mode
        if ch.is_nil:
            sched.park(g, WAIT_CHAN_RECEIVE_NIL)
            return
        timer = ch.timer
        if timer is not None:
            timer.maybe_run(sched, g)  # chanrecv: a due timer sends before the receive looks
        done, value, ok = ch._try_recv(sched, g)
        if done:
            sched.cont(g, sched.costs.chan_ns, (value, ok) if mode == _WITH_OK else value)
            return
        _enqueue(ch, False, Sudog(g, None, mode))
        if timer is not None:
            timer.block(sched, g)
        sched.park(g, WAIT_CHAN_RECEIVE)


class Case:
    """One case of a select: build with ``gk.recv(ch)`` or ``gk.send(ch, value)``."""

    __slots__ = ("ch", "is_send", "value")

    def __init__(self, ch: Any, is_send: bool, value: Any = None):  # ch checked below
        if not isinstance(ch, Chan):
            raise UsageTypeError(f"a select case needs a gk.Chan, got {ch!r}")
        if is_send and ch.timer is not None:
            raise ch._receive_only("a send case")
        self.ch: Chan = ch
        self.is_send = is_send
        self.value = value

    def __repr__(self) -> str:
        return f"send({self.ch!r}, {self.value!r})" if self.is_send else f"recv({self.ch!r})"


def recv(ch: Any) -> Case:
    """A receive case for ``gk.select``: ``case v, ok := <-ch``."""
    return Case(ch, False)


def send(ch: Any, value: Any) -> Case:
    """A send case for ``gk.select``: ``case ch <- value``."""
    return Case(ch, True, value)


class Select(ParkingOp):
    """``select``: returns ``(index, value, ok)``; index -1 means ``default`` was taken."""

    __slots__ = ("cases", "default")

    def __init__(self, cases: tuple[Any, ...], default: Any):
        for c in cases:  # (typed loosely: the compiled build would refuse a non-Case unchecked)
            if not isinstance(c, Case):
                self._awaited = True  # refused, not forgotten: no never-awaited warning
                raise UsageTypeError(
                    f"gk.select takes cases made with gk.recv(ch) or gk.send(ch, v), got {c!r}"
                )
        self.cases: tuple[Case, ...] = cases
        self.default = default

    def apply(self, sched: Sched, g: G) -> None:
        cases = self.cases
        if not cases and not self.default:
            sched.park(g, WAIT_SELECT_NO_CASES)  # select {} blocks forever
            return
        # Poll order: a uniform random permutation of the non-nil cases (inside-out
        # Fisher-Yates with cheaprandn, as selectgo builds pollorder).
        order: list[int] = []
        rand = sched.rand
        for i, c in enumerate(cases):
            if c.ch.is_nil:
                continue
            if c.ch.timer is not None:
                c.ch.timer.maybe_run(sched, g)  # selectgo runs due timers while building the order
            j = rand.randrange(len(order) + 1)
            order.append(i)
            order[-1] = order[j]
            order[j] = i
        cost = sched.costs.chan_ns
        for i in order:
            c = cases[i]
            if c.is_send:
                try:
                    done = c.ch._try_send(sched, g, c.value)
                except PanicError as e:
                    g.resume_exc = e
                    sched.cont(g, cost)
                    return
                if done:
                    sched.cont(g, cost, (i, None, True))
                    return
            else:
                done, value, ok = c.ch._try_recv(sched, g)
                if done:
                    sched.cont(g, cost, (i, value, ok))
                    return
        if self.default:
            sched.cont(g, cost, (-1, None, False))
            return
        # Pass 2: wait on every channel, in lock order (channel "address").
        group: list[tuple[Chan, Sudog, bool]] = []
        for i in sorted(order, key=lambda k: cases[k].ch.id):
            c = cases[i]
            sd = Sudog(g, c.value, _SELECT, i, group)
            group.append((c.ch, sd, c.is_send))
            _enqueue(c.ch, c.is_send, sd)
            if c.ch.timer is not None:
                c.ch.timer.block(sched, g)
        sched.park(g, WAIT_SELECT)
