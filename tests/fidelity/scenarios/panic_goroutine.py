"""Panic in a goroutine: `panic: boom`, only that goroutine dumped, exit status 2."""

import gmpkit as gk

KIND = "oneof"
GOMAXPROCS = 2
GO_RUNS = 20
SPEC = "§12.3, §14 B13"


async def main():
    gk.println("start")

    async def g():
        gk.panic("boom")

    gk.go(g)
    await gk.sleep(ms=1000)
