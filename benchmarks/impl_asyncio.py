"""asyncio, in two flavours of channel.

``asyncio-rendezvous``: an unbuffered channel built on futures, with Go's semantics: a send
completes only when a receiver has taken the value; a parked partner gets the value directly.
``asyncio-queue1``: ``asyncio.Queue(maxsize=1)``, the channel most asyncio code reaches for
(a buffer of one, so a send may complete before anyone receives).

Goroutines are tasks (``loop.create_task``); the WaitGroup is a counter and a future. Cancellation
is not handled: no workload cancels anything.
"""

from __future__ import annotations

import asyncio


class RendezvousChan:
    """Unbuffered channel: parked receivers (futures), or parked senders (value, future).

    The wait queues are lists: they stay a few entries long here, and an empty list costs 56
    bytes where a deque costs over 600 (W4 makes a million channels).
    """

    __slots__ = ("_loop", "_recvq", "_sendq")

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._recvq: list = []
        self._sendq: list = []

    async def send(self, v) -> None:
        if self._recvq:  # a receiver is parked: hand the value over and go on
            self._recvq.pop(0).set_result(v)
            return
        fut = self._loop.create_future()
        self._sendq.append((v, fut))
        await fut  # until a receiver takes v

    async def recv(self):
        if self._sendq:  # a sender is parked: take its value and wake it
            v, fut = self._sendq.pop(0)
            fut.set_result(None)
            return v
        fut = self._loop.create_future()
        self._recvq.append(fut)
        return await fut


class QueueChan:
    """``asyncio.Queue(maxsize=1)`` behind the same two methods."""

    __slots__ = ("send", "recv")

    def __init__(self) -> None:
        q: asyncio.Queue = asyncio.Queue(maxsize=1)
        self.send, self.recv = q.put, q.get


class WaitGroup:
    __slots__ = ("_n", "_fut")

    def __init__(self) -> None:
        self._n, self._fut = 0, None

    def add(self, k: int) -> None:
        self._n += k

    def done(self) -> None:
        self._n -= 1
        if self._n == 0 and self._fut is not None:
            self._fut.set_result(None)

    async def wait(self) -> None:
        if self._n:
            self._fut = asyncio.get_running_loop().create_future()
            await self._fut


class Impl:
    def __init__(self, chan: str = "rendezvous") -> None:
        self.name = f"asyncio-{chan}"
        self.Chan = RendezvousChan if chan == "rendezvous" else QueueChan

    def w1(self, n: int) -> int:
        slots = [0] * n

        async def worker(i, wg):
            slots[i] = i * i
            wg.done()

        async def main():
            go = asyncio.get_running_loop().create_task
            wg = WaitGroup()
            wg.add(n)
            for i in range(n):
                go(worker(i, wg))
            await wg.wait()

        asyncio.run(main())
        return sum(slots)

    def w2(self, p: int, k: int) -> int:
        out = [0] * (2 * p)

        async def a(i, ping, pong, wg):
            v = i
            for _ in range(k):
                await ping.send(v)
                v = await pong.recv()
            out[2 * i] = v
            wg.done()

        async def b(i, ping, pong, wg):
            total = 0
            for _ in range(k):
                v = await ping.recv()
                total += v
                await pong.send(v + 1)
            out[2 * i + 1] = total
            wg.done()

        async def main():
            go = asyncio.get_running_loop().create_task
            wg = WaitGroup()
            wg.add(2 * p)
            for i in range(p):
                ping, pong = self.Chan(), self.Chan()
                go(a(i, ping, pong, wg))
                go(b(i, ping, pong, wg))
            await wg.wait()

        asyncio.run(main())
        return sum(out)

    def w3(self, s: int, m: int, w: int) -> int:
        async def source(out):
            for i in range(m):
                await out.send(i)
            for _ in range(w):
                await out.send(None)

        async def relay(inp, out):
            ends = 0
            while ends < w:
                v = await inp.recv()
                if v is None:
                    ends += 1
                    await out.send(None)
                else:
                    await out.send(v + 1)

        async def worker(inp, out):
            while True:
                v = await inp.recv()
                if v is None:
                    await out.send(None)
                    return
                await out.send(v * v)

        async def main():
            go = asyncio.get_running_loop().create_task
            chans = [self.Chan() for _ in range(s + 1)]
            fanin = self.Chan()
            go(source(chans[0]))
            for j in range(s):
                go(relay(chans[j], chans[j + 1]))
            for _ in range(w):
                go(worker(chans[s], fanin))
            total, ends = 0, 0  # main is the sink
            while ends < w:
                v = await fanin.recv()
                if v is None:
                    ends += 1
                else:
                    total += v
            return total

        return asyncio.run(main())

    def w4(self, n: int, on_parked) -> int:
        state = [0, 0]  # tasks parked, sum of received values

        async def parked(ch, wg):
            state[0] += 1
            v = await ch.recv()  # no yield point between the count and the park
            state[1] += v
            wg.done()

        async def main():
            go = asyncio.get_running_loop().create_task
            chans = [self.Chan() for _ in range(n)]
            wg = WaitGroup()
            wg.add(n)
            for ch in chans:
                go(parked(ch, wg))
            while state[0] < n:
                await asyncio.sleep(0)
            on_parked()
            for i, ch in enumerate(chans):
                await ch.send(i)
            await wg.wait()

        asyncio.run(main())
        return state[1]
