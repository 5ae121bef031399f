"""Unbuffered ping-pong between two goroutines."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§14 B4c"


async def main():
    await gk.gosched()
    out = []
    ping, pong, done = gk.Chan(), gk.Chan(), gk.Chan()

    async def b():
        for _ in range(3):
            v = await ping.recv()
            out.append(f"B{v}")
            await pong.send(v)
        await done.send(True)

    async def a():
        for i in range(3):
            out.append(f"A{i}")
            await ping.send(i)
            await pong.recv()
        await done.send(True)

    gk.go(b)
    gk.go(a)
    await done.recv()
    await done.recv()
    gk.println(" ".join(out))
