"""Deadlock: checkdead's message, the dump headers with wait reasons, exit status 2."""

import gmpkit as gk

KIND = "oneof"
GOMAXPROCS = 2
GO_RUNS = 20
SPEC = "§12.1, §12.2, §14 B11"


async def main():
    gk.println("start")
    ch, nilch = gk.Chan(), gk.Chan.nil()

    async def g():
        await nilch.recv()

    gk.go(g)
    await ch.recv()
