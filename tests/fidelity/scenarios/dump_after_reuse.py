"""A dump after G reuse: c takes a's dead G; b is still `created by main.a in goroutine 7`."""

from common import observe_with_creators as observe  # noqa: F401

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 20
SPEC = "§4.1 step 2, §6, §12.2"

block = None


async def a():
    gk.go(b)


async def b():
    await block.recv()


async def c():
    await block.recv()


async def main():
    global block
    block = gk.Chan()
    gk.println("start")
    gk.go(a)
    await gk.sleep(ms=1)
    gk.go(c)
    await block.recv()
