"""gmpkit: goroutines are ``async def`` functions run by the simulated G/M/P scheduler.

``gmpkit`` runs with ``record=False`` (no observer attached, the fastest mode); ``gmpkit+rec``
with the standard recorder (``record=True``), as the notebooks and the playground use it.
GOMAXPROCS is 1 by default: the other implementations run everything on one thread, so one P
compares like with like (``--gomaxprocs 2`` measures the two-P machine, stealing and spinning
included). The safety limits are raised far above what any workload needs.
"""

from __future__ import annotations

import gmpkit as gk

UNTIL_MS = 10**12  # virtual milliseconds: never the limit here
MAX_STEPS = 10**12


class Impl:
    name = "gmpkit"

    def __init__(self, record: bool = False, gomaxprocs: int = 1, seed: int = 1) -> None:
        self.record, self.gomaxprocs, self.seed = record, gomaxprocs, seed
        self.trace = None  # the last run's Trace (kept for inspection, dropped by the next run)

    def _run(self, main) -> None:
        self.trace = None
        self.trace = gk.run(
            main,
            gomaxprocs=self.gomaxprocs,
            seed=self.seed,
            record=self.record,
            until_ms=UNTIL_MS,
            max_steps=MAX_STEPS,
        )

    def w1(self, n: int) -> int:
        slots = [0] * n

        async def worker(i, wg):
            slots[i] = i * i
            wg.done()

        async def main():
            wg = gk.WaitGroup()
            wg.add(n)
            for i in range(n):
                gk.go(worker, i, wg)
            await wg.wait()

        self._run(main)
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
            wg = gk.WaitGroup()
            wg.add(2 * p)
            for i in range(p):
                ping, pong = gk.Chan(), gk.Chan()
                gk.go(a, i, ping, pong, wg)
                gk.go(b, i, ping, pong, wg)
            await wg.wait()

        self._run(main)
        return sum(out)

    def w3(self, s: int, m: int, w: int) -> int:
        result = [0]

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
            chans = [gk.Chan() for _ in range(s + 1)]
            fanin = gk.Chan()
            gk.go(source, chans[0])
            for j in range(s):
                gk.go(relay, chans[j], chans[j + 1])
            for _ in range(w):
                gk.go(worker, chans[s], fanin)
            total, ends = 0, 0  # main is the sink
            while ends < w:
                v = await fanin.recv()
                if v is None:
                    ends += 1
                else:
                    total += v
            result[0] = total

        self._run(main)
        return result[0]

    def w4(self, n: int, on_parked) -> int:
        state = [0, 0]  # goroutines parked, sum of received values

        async def parked(ch, wg):
            state[0] += 1
            v = await ch.recv()  # no await between the count and the park
            state[1] += v
            wg.done()

        async def main():
            chans = [gk.Chan() for _ in range(n)]
            wg = gk.WaitGroup()
            wg.add(n)
            for ch in chans:
                gk.go(parked, ch, wg)
            while state[0] < n:
                await gk.gosched()
            on_parked()
            for i, ch in enumerate(chans):
                await ch.send(i)
            await wg.wait()

        self._run(main)
        return state[1]
