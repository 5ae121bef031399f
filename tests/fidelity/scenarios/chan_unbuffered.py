"""Unbuffered channel: direct handoff; the woken receiver waits in runnext."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
SPEC = "§9.1, §9.2, §14 B4a"


async def main():
    await gk.gosched()
    out, ch, done = [], gk.Chan(), gk.Chan()

    async def consumer():
        while True:
            v, ok = await ch.recv2()
            if not ok:
                break
            out.append(f"recv{v}")
        await done.send(True)

    gk.go(consumer)
    for i in range(3):
        out.append(f"send{i}")
        await ch.send(i)
        out.append(f"sent{i}")
    ch.close()
    await done.recv()
    gk.println(" ".join(out))
