"""Buffered channel (cap 2): a receiver on a full buffer moves the blocked sender's value in."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§9.2, §14 B4b"


async def main():
    await gk.gosched()
    out, ch, done = [], gk.Chan(2), gk.Chan()

    async def consumer():
        while True:
            v, ok = await ch.recv2()
            if not ok:
                break
            out.append(f"recv{v}")
        await done.send(True)

    gk.go(consumer)
    for i in range(5):
        out.append(f"send{i}")
        await ch.send(i)
    ch.close()
    await done.recv()
    gk.println(" ".join(out))
