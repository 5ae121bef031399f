"""Goroutine ids with fmt/os linked: the finalizer goroutine is 6, main's first goroutine 7."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 20
SPEC = "§3, §4.1, §14 B13"
# gk.println stands for fmt.Println, so a gmpkit program links os by default (links_os=True).
# With one P main never leaves P0's goid batch (1-16), so the id is the same in every run.


async def main():
    gk.println("start")

    async def boom():
        gk.panic("boom")

    gk.go(boom)
    await gk.sleep(ms=1000)
