"""runnext: ten `go` statements on one P run as 9 0 1 … 8."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§4.2, §14 B1"


async def main():
    await gk.gosched()  # as the Go side: let anything queued at start-up run first
    out, wg = [], gk.WaitGroup()
    wg.add(10)

    async def g(i):
        out.append(str(i))
        wg.done()

    for i in range(10):
        gk.go(g, i)
    await wg.wait()
    gk.println(" ".join(out))
