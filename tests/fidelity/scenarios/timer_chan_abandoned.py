"""A select's abandoned time.After timer leaves the heap: main's next block is a deadlock at once."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
SPEC = "§10, §12.1"


async def main():
    c = gk.Chan()

    async def sender():
        await gk.sleep(ms=1)
        await c.send(1)

    gk.go(sender)
    i, v, _ = await gk.select(gk.recv(c), gk.recv(gk.after(ms=50)))
    gk.println("got", v) if i == 0 else gk.println("timeout")
    await c.recv()
