"""A time.After channel polled with select-default: the poll itself runs the due timer."""

import re

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 1
GO_RUNS = 40
SEEDS = (0, 1)
SPEC = "§10"
# Go 1.23+ keeps a timer channel's timer out of every heap while no goroutine is blocked on the
# channel; a receive attempt (chanrecv, selectgo) runs it when it is due (maybeRunChan). The busy
# poller therefore sees the value at its first poll after 1 ms. A model that kept the timer in the
# P's heap would show it only when the poller next enters the scheduler: sysmon's preemption at
# 10-20 ms. BOUNDS: the range of the recorded Go runs, widened a little for load.
BOUNDS = {"seen_ms": (1.0, 1.1), "polls": (30, 50)}


def observe(stdout, stderr, exit_code):
    m = re.match(r"seen_ms=([\d.]+) polls=(\d+)", stdout)
    if exit_code != 0 or m is None:
        return {"exit": exit_code}
    return {"seen_ms": float(m.group(1)), "polls": int(m.group(2))}


async def main():
    start = gk.now()
    t = gk.after(ms=1)
    polls = 0
    while True:
        i, _, _ = await gk.select(gk.recv(t), default=True)
        if i == 0:
            gk.println(f"seen_ms={(gk.now() - start) // 1000 / 1000:.3f} polls={polls}")
            return
        polls += 1
        await gk.work(us=20)
