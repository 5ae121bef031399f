"""Unlock of an unlocked Mutex: `fatal error: sync: unlock of unlocked mutex`, one goroutine."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
SPEC = "§9.5, §12"


async def main():
    gk.println("start")

    async def forever():
        await gk.select()

    gk.go(forever)
    await gk.sleep(ms=1)
    mu = gk.Mutex()
    mu.unlock()
