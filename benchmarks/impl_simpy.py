"""SimPy 4: goroutines are processes (generators) in one ``simpy.Environment``; all at time 0.

``simpy-rendezvous``: the same unbuffered channel as asyncio's, built on ``env.event()``: a parked
partner gets the value directly through ``event.succeed(v)``. ``simpy-store1``:
``simpy.Store(capacity=1)``, SimPy's own channel (a buffer of one). Channel operations are
generators used with ``yield from``, so a send to a parked receiver does not stop the sender.
"""

from __future__ import annotations

import simpy


class Chan:
    """Unbuffered channel (wait queues are lists: short here, and far smaller than deques)."""

    __slots__ = ("_env", "_recvq", "_sendq")

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._recvq: list = []
        self._sendq: list = []

    def send(self, v):
        if self._recvq:  # a receiver is parked: hand the value over and go on
            self._recvq.pop(0).succeed(v)
            return
        ev = self._env.event()
        self._sendq.append((v, ev))
        yield ev  # until a receiver takes v

    def recv(self):
        if self._sendq:  # a sender is parked: take its value and wake it
            v, ev = self._sendq.pop(0)
            ev.succeed()
            return v
        ev = self._env.event()
        self._recvq.append(ev)
        return (yield ev)


class StoreChan:
    """``simpy.Store(capacity=1)`` behind the same two methods: SimPy's own buffered channel."""

    __slots__ = ("_store",)

    def __init__(self, env: simpy.Environment) -> None:
        self._store = simpy.Store(env, capacity=1)

    def send(self, v):
        yield self._store.put(v)

    def recv(self):
        return (yield self._store.get())


class WaitGroup:
    __slots__ = ("_env", "_n", "_ev")

    def __init__(self, env: simpy.Environment) -> None:
        self._env, self._n, self._ev = env, 0, None

    def add(self, k: int) -> None:
        self._n += k

    def done(self) -> None:
        self._n -= 1
        if self._n == 0 and self._ev is not None:
            self._ev.succeed()

    def wait(self):
        if self._n:
            self._ev = self._env.event()
            yield self._ev


class Impl:
    def __init__(self, chan: str = "rendezvous") -> None:
        self.name = f"simpy-{chan}"
        self.Chan = Chan if chan == "rendezvous" else StoreChan

    def w1(self, n: int) -> int:
        env = simpy.Environment()
        slots = [0] * n

        def worker(i, wg):
            slots[i] = i * i
            wg.done()
            return
            yield  # a process must be a generator

        def main():
            wg = WaitGroup(env)
            wg.add(n)
            for i in range(n):
                env.process(worker(i, wg))
            yield from wg.wait()

        env.run(env.process(main()))
        return sum(slots)

    def w2(self, p: int, k: int) -> int:
        env = simpy.Environment()
        out = [0] * (2 * p)

        def a(i, ping, pong, wg):
            v = i
            for _ in range(k):
                yield from ping.send(v)
                v = yield from pong.recv()
            out[2 * i] = v
            wg.done()

        def b(i, ping, pong, wg):
            total = 0
            for _ in range(k):
                v = yield from ping.recv()
                total += v
                yield from pong.send(v + 1)
            out[2 * i + 1] = total
            wg.done()

        def main():
            wg = WaitGroup(env)
            wg.add(2 * p)
            for i in range(p):
                ping, pong = self.Chan(env), self.Chan(env)
                env.process(a(i, ping, pong, wg))
                env.process(b(i, ping, pong, wg))
            yield from wg.wait()

        env.run(env.process(main()))
        return sum(out)

    def w3(self, s: int, m: int, w: int) -> int:
        env = simpy.Environment()

        def source(out):
            for i in range(m):
                yield from out.send(i)
            for _ in range(w):
                yield from out.send(None)

        def relay(inp, out):
            ends = 0
            while ends < w:
                v = yield from inp.recv()
                if v is None:
                    ends += 1
                    yield from out.send(None)
                else:
                    yield from out.send(v + 1)

        def worker(inp, out):
            while True:
                v = yield from inp.recv()
                if v is None:
                    yield from out.send(None)
                    return
                yield from out.send(v * v)

        def main():
            chans = [self.Chan(env) for _ in range(s + 1)]
            fanin = self.Chan(env)
            env.process(source(chans[0]))
            for j in range(s):
                env.process(relay(chans[j], chans[j + 1]))
            for _ in range(w):
                env.process(worker(chans[s], fanin))
            total, ends = 0, 0  # main is the sink
            while ends < w:
                v = yield from fanin.recv()
                if v is None:
                    ends += 1
                else:
                    total += v
            return total

        return env.run(env.process(main()))

    def w4(self, n: int, on_parked) -> int:
        env = simpy.Environment()
        state = [0, 0]  # processes parked, sum of received values

        def parked(ch, wg):
            state[0] += 1
            v = yield from ch.recv()  # no yield point between the count and the park
            state[1] += v
            wg.done()

        def main():
            chans = [self.Chan(env) for _ in range(n)]
            wg = WaitGroup(env)
            wg.add(n)
            for ch in chans:
                env.process(parked(ch, wg))
            while state[0] < n:
                yield env.timeout(0)
            on_parked()
            for i, ch in enumerate(chans):
                yield from ch.send(i)
            yield from wg.wait()

        env.run(env.process(main()))
        return state[1]
