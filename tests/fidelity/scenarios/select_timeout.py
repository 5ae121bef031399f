"""select with a timeout (time.After): whichever channel is ready first wins."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 2
SPEC = "§9.4, §10"


async def main():
    await gk.gosched()
    out = []
    ch = gk.Chan()

    async def late():
        await gk.sleep(ms=20)
        await ch.send("late")

    gk.go(late)
    i, v, _ = await gk.select(gk.recv(ch), gk.recv(gk.after(ms=5)))
    out.append(f"got {v}" if i == 0 else "timeout")
    i, v, _ = await gk.select(gk.recv(ch), gk.recv(gk.after(ms=200)))
    out.append(f"got {v}" if i == 0 else "timeout")
    done = gk.Chan()

    async def finish():
        await done.send(True)

    gk.go(finish)
    i, _, _ = await gk.select(gk.recv(done), gk.recv(gk.after(ms=1000)))
    out.append("done" if i == 0 else "timeout")
    gk.println(" ".join(out))
