"""Send on a closed channel: `panic: send on closed channel` in goroutine 1, exit status 2."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 2
SPEC = "§9.1, §12.3, §14 B12a"


async def main():
    c = gk.Chan(1)
    c.close()
    await c.send(1)
