"""runnext time slice: a ping-pong pair shares one slice; main waits for sysmon, not 1-in-61."""

import statistics

from common import floats

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 1
GO_RUNS = 5
SEEDS = (0,)
SPEC = "§5.1, §7.3, §14 B8"
# If runnext did not inherit the slice, schedtick would advance on every exchange and the
# 1-in-61 check would return main within microseconds; Go needs sysmon's 10–20 ms preemption.
# Upper bounds are loose: a loaded machine delays real Go's sysmon.
BOUNDS = {"min_ms": (5.0, 45.0), "median_ms": (9.0, 60.0), "max_ms": (9.0, 250.0)}


def observe(stdout, stderr, exit_code):
    xs = floats(stdout)
    if len(xs) != 4 or exit_code != 0:
        return {"exit": exit_code}
    return {"min_ms": min(xs), "median_ms": statistics.median(xs), "max_ms": max(xs)}


async def main():
    await gk.gosched()
    ping, pong = gk.Chan(), gk.Chan()

    async def echo():
        while True:
            v = await ping.recv()
            await pong.send(v + 1)

    async def driver():
        v = 0
        while True:
            await ping.send(v)
            v = await pong.recv()

    gk.go(echo)
    gk.go(driver)
    await gk.sleep(ms=50)
    out = []
    for _ in range(4):
        t0 = gk.now()
        await gk.gosched()
        out.append(f"{(gk.now() - t0) / 1e6:.1f}")
    gk.println(" ".join(out))
