"""Threads grow under blocking syscalls (one M per blocked goroutine) and never shrink."""

import gmpkit as gk
from gmpkit.golang import parse_schedtrace

KIND = "statistical"
GOMAXPROCS = 2
GODEBUG = "schedtrace=10"
GO_RUNS = 5
SEEDS = (0, 1)
SPEC = "§8.4, §13, §14 B10"
# 20 blocked Ms + up to GOMAXPROCS running/idle Ms + sysmon; all stay as idle Ms afterwards.
# While blocked both show 22 threads. Go reaches 23 at the release: main writes the 20 pipes while
# the readers' Ms leave their syscalls, and a wakep finds no idle M yet, so one more is made. Here
# the syscalls end on their own at 100 ms of virtual time, one after another, and an exiting M is
# already idle when the next wakep looks: the count depends on that race, hence ±1.
NOTE = ("gmpkit 22 threads vs Go 23 after release: Go's extra M comes from a race between "
        "main's pipe writes and the readers' exitsyscall; gk.syscall ends on its own, so the "
        "release is not the same event")
BOUNDS = {"max_threads": (22, 24), "final_threads": (22, 24), "final_idlethreads": (19, 22),
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
