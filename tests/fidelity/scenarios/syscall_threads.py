"""Threads grow under blocking syscalls (one M per blocked goroutine) and never shrink."""

import gmpkit as gk
from gmpkit.golang import parse_schedtrace

KIND = "statistical"
GOMAXPROCS = 2
GODEBUG = "schedtrace=10"
GO_RUNS = 20
SEEDS = (0, 1)
SPEC = "§8.4, §13, §14 B10"
# 20 blocked Ms + up to GOMAXPROCS running/idle Ms + sysmon: 22 threads while blocked. Both reach
# 23 at the release: main becomes runnable (Go: it writes the pipes; here: its 100 ms sleep ends)
# while the readers' Ms are still in their syscalls, so its wakep finds no idle M and makes one.
# All stay as idle Ms afterwards. BOUNDS are the range of the 60 recorded Go runs.
BOUNDS = {"max_threads": (23, 23), "final_threads": (23, 23), "final_idlethreads": (20, 21),
          "released": (20, 20)}


def observe(stdout, stderr, exit_code):
    df = parse_schedtrace(stderr)
    if df.empty or exit_code != 0:
        return {"exit": exit_code}
    last = df.iloc[-1]
    released = int(stdout.split()[-1]) if stdout.startswith("released") else -1
    return {"max_threads": int(df.threads.max()), "final_threads": int(last.threads),
            "final_idlethreads": int(last.idlethreads), "released": released}


async def main():
    n = 20
    wg = gk.WaitGroup()

    async def reader():
        await gk.syscall(ms=100)  # a read(2) that returns when main writes, 100 ms later
        wg.done()

    for _ in range(n):
        wg.add(1)
        gk.go(reader)
    await gk.sleep(ms=100)
    await wg.wait()
    await gk.sleep(ms=50)
    gk.println("released", n)
