"""Goroutine ids without os: no finalizer goroutine, so main's first goroutine is 6."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 20
SPEC = "§3, §4.1, §14 B13"
RUN_OPTIONS = {"links_os": False}


async def main():
    async def boom():
        gk.panic("boom")

    gk.go(boom)
    await gk.sleep(ms=1000)
