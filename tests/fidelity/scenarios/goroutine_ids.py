"""Goroutine ids: per-P batches of 16; system goroutines take the first ids."""

import gmpkit as gk

KIND = "oneof"
GOMAXPROCS = 2
GO_RUNS = 30
SPEC = "§3, §4.1"


async def main():
    ids = [""] * 20
    wg = gk.WaitGroup()
    wg.add(20)

    async def g(i):
        ids[i] = str(gk.goid())
        wg.done()

    for i in range(20):
        gk.go(g, i)
    await wg.wait()
    gk.println(f"main={gk.goid()} " + " ".join(ids))
