"""Gosched: three goroutines yielding three times each go round the GRQ in turn."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§7.1, §14 B3a"


async def main():
    await gk.gosched()
    out, wg = [], gk.WaitGroup()
    wg.add(3)

    async def g(i):
        for j in range(3):
            out.append(f"g{i}.{j}")
            await gk.gosched()
        wg.done()

    for i in range(3):
        gk.go(g, i)
    await wg.wait()
    gk.println(" ".join(out))
