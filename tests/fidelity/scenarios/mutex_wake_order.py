"""sync.Mutex: waiters are woken in FIFO order, each into runnext."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§9.5"


async def main():
    await gk.gosched()
    out, mu, wg = [], gk.Mutex(), gk.WaitGroup()
    await mu.lock()

    async def waiter(name):
        out.append(f"{name}-wait")
        await mu.lock()
        out.append(f"{name}-got")
        mu.unlock()
        wg.done()

    for name in ("w1", "w2", "w3"):
        wg.add(1)
        gk.go(waiter, name)
        await gk.gosched()
    out.append("main-unlock")
    mu.unlock()
    out.append("main-wait")
    await wg.wait()
    gk.println(" ".join(out))
