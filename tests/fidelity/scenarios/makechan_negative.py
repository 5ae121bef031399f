"""makechan with a negative size: a recoverable runtime panic, `makechan: size out of range`."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
SPEC = "§9"


def mk(n):
    try:
        gk.Chan(n)
    except gk.PanicError as e:  # recover()
        return e
    return None


async def main():
    n = -1
    gk.println("recovered:", mk(n))
    gk.Chan(n)
