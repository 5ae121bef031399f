"""GOMAXPROCS changes: return values, no-op when unchanged, runnext order after shrinking to 1."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 2
SPEC = "§11"


async def main():
    out = [f"start={gk.gomaxprocs()}"]
    out.append(f"set4-prev={await gk.set_gomaxprocs(4)}")
    out.append(f"now={gk.gomaxprocs()}")
    out.append(f"set4-again-prev={await gk.set_gomaxprocs(4)}")
    out.append(f"set1-prev={await gk.set_gomaxprocs(1)}")
    out.append(f"now={gk.gomaxprocs()}")
    await gk.gosched()
    order, wg = [], gk.WaitGroup()
    wg.add(5)

    async def g(i):
        order.append(str(i))
        wg.done()

    for i in range(5):
        gk.go(g, i)
    await wg.wait()
    out.append("order=" + ",".join(order))
    gk.println(" ".join(out))
