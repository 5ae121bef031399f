"""sync.WaitGroup: all waiters released at zero, FIFO semreleases through runnext."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§9.5"


async def main():
    await gk.gosched()
    out, gate, all_ = [], gk.WaitGroup(), gk.WaitGroup()
    gate.add(1)

    async def waiter(name):
        await gate.wait()
        out.append(name)
        all_.done()

    for name in ("w1", "w2", "w3"):
        all_.add(1)
        gk.go(waiter, name)
        await gk.gosched()
    out.append("main-done")
    gate.done()
    out.append("main-continues")
    await all_.wait()
    gk.println(" ".join(out))
