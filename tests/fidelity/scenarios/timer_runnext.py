"""Timers: a sleeper whose timer expires during X runs next (runnext), before Y."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§10, §14 B6"


async def main():
    await gk.gosched()
    out, wg = [], gk.WaitGroup()
    wg.add(4)

    async def s():
        out.append("S-sleeps")
        await gk.sleep(ms=1)
        out.append("S-woke")
        wg.done()

    async def busy(name):
        await gk.work(ms=3)
        out.append(name)
        wg.done()

    gk.go(s)
    for name in ("X", "Y", "Z"):
        gk.go(busy, name)
    await wg.wait()
    gk.println(" ".join(out))
