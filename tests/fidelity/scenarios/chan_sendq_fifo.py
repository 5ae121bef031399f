"""Blocked senders are served FIFO (sendq)."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§9.1, §14 B5a"


async def main():
    await gk.gosched()
    out, ch = [], gk.Chan()

    async def sender(name):
        await ch.send(name)

    for name in ("s1", "s2", "s3"):
        gk.go(sender, name)
        await gk.gosched()
    for _ in range(3):
        out.append(await ch.recv())
    gk.println(" ".join(out))
