"""Gosched: A yields once to the GRQ tail and returns after B, C, D have run locally."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§7.1, §14 B3b"


async def main():
    await gk.gosched()
    out, wg = [], gk.WaitGroup()
    wg.add(4)

    async def a():
        out.append("A1")
        await gk.gosched()
        out.append("A2")
        wg.done()

    async def rec(name):
        out.append(name)
        wg.done()

    gk.go(a)
    for name in ("B", "C", "D"):
        gk.go(rec, name)
    await wg.wait()
    gk.println(" ".join(out))
