"""`created by main.spawn in goroutine 1`: the function that ran `go`, not the goroutine's name."""

from common import observe_with_creators as observe  # noqa: F401

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 20
SPEC = "§4.1 step 3, §12.2"

block = None


async def worker():
    gk.go(leaf)
    await block.recv()


async def leaf():
    await block.recv()


def spawn():
    gk.go(worker)


async def main():
    global block
    block = gk.Chan()
    gk.println("start")
    spawn()
    await block.recv()
