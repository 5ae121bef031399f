"""close(): receivers r1..r4 are readied LIFO through runnext and run r1 r4 r3 r2."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§9.3, §14 B5b"


async def main():
    await gk.gosched()
    out, wg, ch = [], gk.WaitGroup(), gk.Chan()

    async def receiver(name):
        _, ok = await ch.recv2()
        out.append(f"{name}(ok={'true' if ok else 'false'})")
        wg.done()

    for name in ("r1", "r2", "r3", "r4"):
        wg.add(1)
        gk.go(receiver, name)
        await gk.gosched()
    ch.close()
    out.append("closer-continues")
    await wg.wait()
    gk.println(" ".join(out))
