"""An unreceived time.After channel is in no timer heap: main's select {} is a deadlock at once."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
SPEC = "§10, §12.1"


async def main():
    gk.after(ms=1)
    gk.println("blocking")
    await gk.select()
