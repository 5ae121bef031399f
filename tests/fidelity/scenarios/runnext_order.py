"""runnext: ten `go` statements on one P run as 9 0 1 … 8."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1  # in Go's environment: B1 is deterministic only so (see docs/fidelity.md)
SPEC = "§4.2, §14 B1"
# With only runtime.GOMAXPROCS(1) at the top of main, 14 of 100 Go runs printed
# 5 0 1 2 3 4 9 6 7 8: start-up leaves state behind that the environment variable avoids.


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
