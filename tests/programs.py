"""Small gmpkit programs several test modules share."""

from __future__ import annotations

import gmpkit as gk


async def record(i, out, wg):
    out.append(i)
    wg.done()


async def ten():
    """go-scheduler.md §14 B1: ten goroutines record their number; main prints the order."""
    out, wg = [], gk.WaitGroup()
    for i in range(10):
        wg.add(1)
        gk.go(record, i, out, wg)
    await wg.wait()
    gk.println(out)
