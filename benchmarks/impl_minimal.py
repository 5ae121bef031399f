"""A minimal round-robin scheduler over generators: the floor for any pure-Python scheduler.

Goroutines are generators that yield a request (send, receive, wait, gosched). One FIFO run queue; an
unbuffered channel hands the value directly to a waiting partner, readies it, and lets the current
goroutine go on running (as Go's ``chansend`` does with ``goready``). No time, no Ps, no fairness
beyond FIFO: everything a real scheduler model adds is cost above this line.
"""

from __future__ import annotations

from collections import deque

SEND, RECV, WAIT, GOSCHED = 0, 1, 2, 3
_ready: deque = deque()  # the run queue: (generator, value to resume it with)


class Chan:
    """Unbuffered channel: parked receivers, or parked senders with their values.

    Lists, not deques: the wait queues stay short, and an empty deque costs over 600 bytes.
    """

    __slots__ = ("recvq", "sendq")

    def __init__(self) -> None:
        self.recvq: list = []
        self.sendq: list = []


class WaitGroup:
    __slots__ = ("n", "waiters")

    def __init__(self) -> None:
        self.n, self.waiters = 0, []

    def add(self, k: int) -> None:
        self.n += k

    def done(self) -> None:
        self.n -= 1
        if self.n == 0:
            _ready.extend((g, None) for g in self.waiters)
            self.waiters.clear()


def go(gen) -> None:
    _ready.append((gen, None))


def run(main) -> None:
    """The whole scheduler: resume goroutines from the run queue until it is empty."""
    go(main)
    pop, push = _ready.popleft, _ready.append
    while _ready:
        g, val = pop()
        while True:  # run g until it blocks or ends
            try:
                req = g.send(val)
            except StopIteration:
                break
            op, ch = req[0], req[1]
            val = None
            if op == SEND:
                if ch.recvq:  # a receiver is parked: hand the value over, wake it, go on
                    push((ch.recvq.pop(0), req[2]))
                    continue
                ch.sendq.append((g, req[2]))
                break
            if op == RECV:
                if ch.sendq:  # a sender is parked: take its value, wake it, go on
                    s, val = ch.sendq.pop(0)
                    push((s, None))
                    continue
                ch.recvq.append(g)
                break
            if op == WAIT:
                if ch.n == 0:
                    continue
                ch.waiters.append(g)
                break
            push((g, None))  # GOSCHED: to the back of the run queue
            break


# ---------------------------------------------------------------- the workloads


class Impl:
    name = "minimal"

    def w1(self, n: int) -> int:
        slots = [0] * n
        wg = WaitGroup()

        def worker(i):
            slots[i] = i * i
            wg.done()
            return
            yield  # a generator that never blocks

        def main():
            wg.add(n)
            for i in range(n):
                go(worker(i))
            yield WAIT, wg

        run(main())
        return sum(slots)

    def w2(self, p: int, k: int) -> int:
        out = [0] * (2 * p)
        wg = WaitGroup()

        def a(i, ping, pong):
            v = i
            for _ in range(k):
                yield SEND, ping, v
                v = yield RECV, pong
            out[2 * i] = v
            wg.done()

        def b(i, ping, pong):
            total = 0
            for _ in range(k):
                v = yield RECV, ping
                total += v
                yield SEND, pong, v + 1
            out[2 * i + 1] = total
            wg.done()

        def main():
            wg.add(2 * p)
            for i in range(p):
                ping, pong = Chan(), Chan()
                go(a(i, ping, pong))
                go(b(i, ping, pong))
            yield WAIT, wg

        run(main())
        return sum(out)

    def w3(self, s: int, m: int, w: int) -> int:
        result = [0]

        def source(out):
            for i in range(m):
                yield SEND, out, i
            for _ in range(w):
                yield SEND, out, None

        def relay(inp, out):
            ends = 0
            while ends < w:
                v = yield RECV, inp
                if v is None:
                    ends += 1
                    yield SEND, out, None
                else:
                    yield SEND, out, v + 1

        def worker(inp, out):
            while True:
                v = yield RECV, inp
                if v is None:
                    yield SEND, out, None
                    return
                yield SEND, out, v * v

        def main():
            chans = [Chan() for _ in range(s + 1)]
            fanin = Chan()
            go(source(chans[0]))
            for j in range(s):
                go(relay(chans[j], chans[j + 1]))
            for _ in range(w):
                go(worker(chans[s], fanin))
            total, ends = 0, 0  # main is the sink
            while ends < w:
                v = yield RECV, fanin
                if v is None:
                    ends += 1
                else:
                    total += v
            result[0] = total

        run(main())
        return result[0]

    def w4(self, n: int, on_parked) -> int:
        state = [0, 0]  # goroutines parked, sum of received values
        wg = WaitGroup()

        def parked(ch):
            state[0] += 1
            v = yield RECV, ch  # no yield point between the count and the park
            state[1] += v
            wg.done()

        def main():
            chans = [Chan() for _ in range(n)]
            wg.add(n)
            for ch in chans:
                go(parked(ch))
            while state[0] < n:
                yield GOSCHED, None
            on_parked()
            for i, ch in enumerate(chans):
                yield SEND, ch, i
            yield WAIT, wg

        run(main())
        return state[1]
