"""Preemption: a spinning goroutine is preempted by sysmon after 10-20 ms; main waits that long."""

import statistics

from common import floats

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 1
GO_RUNS = 5
SEEDS = (0, 1)
SPEC = "§7.2–§7.4, §14 B7a"
# Each Gosched returns only after sysmon preempts the spinner: at least one 10 ms forcePreemptNS
# window (typically 20 ms: two sysmon observations 10 ms apart). The upper bounds are loose
# because a loaded machine delays real Go's sysmon (seen: 84 ms under a parallel test run).
BOUNDS = {"min_ms": (5.0, 25.0), "median_ms": (9.0, 60.0), "max_ms": (9.0, 250.0)}


def observe(stdout, stderr, exit_code):
    xs = floats(stdout)
    if len(xs) != 5 or exit_code != 0:
        return {"exit": exit_code}
    return {"min_ms": min(xs), "median_ms": statistics.median(xs), "max_ms": max(xs)}


async def main():
    await gk.gosched()

    async def spinner():
        while True:
            await gk.work(ms=1000)

    gk.go(spinner)
    out = []
    for _ in range(5):
        t0 = gk.now()
        await gk.gosched()
        out.append(f"{(gk.now() - t0) / 1e6:.1f}")
    gk.println(" ".join(out))
