"""runtime.Goexit: deferred calls run, the goroutine ends; main's Goexit ends in a deadlock."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
SPEC = "§12.1 step 4"


async def worker():
    try:
        (lambda: gk.goexit())()  # from a nested call, as in Go
        gk.println("worker not reached")
    finally:
        gk.println("worker deferred")


async def other():
    await gk.sleep(ms=10)
    gk.println("other done")


async def main():
    gk.println("start")
    gk.go(worker)
    gk.go(other)
    try:
        gk.goexit()
        gk.println("main not reached")
    finally:
        gk.println("main deferred")
