"""`go` of a nil func value: `fatal error: go of nil func value`, exit status 2."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
SPEC = "§4.1 step 1, §12"


async def main():
    gk.println("start")

    async def forever():
        await gk.select()

    gk.go(forever)
    await gk.sleep(ms=1)
    gk.go(None)
    gk.println("not reached")
