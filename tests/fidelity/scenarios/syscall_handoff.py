"""Syscall handoff: a 100 ms syscall and 100 ms of CPU overlap on one P (sysmon retake)."""

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 1
GO_RUNS = 20
SEEDS = (0, 1)
SPEC = "§7.3, §8, §14 B9"
# Without the retake both would finish at ~200 ms; with it, both at ~100 ms. BOUNDS are the
# range of the 60 recorded Go runs (up to 122 ms when the machine's load delays Go).
BOUNDS = {"cpu": (100, 119), "sys": (100, 122), "total": (100, 122)}


def observe(stdout, stderr, exit_code):
    if exit_code != 0:
        return {"exit": exit_code}
    return {k: int(v) for k, v in (kv.split("=") for kv in stdout.split())}


async def main():
    start = gk.now()
    wg = gk.WaitGroup()
    done = {}

    async def cpu():
        await gk.work(ms=100)
        done["cpu"] = gk.now() - start
        wg.done()

    async def sys():
        await gk.syscall(ms=100)
        done["sys"] = gk.now() - start
        wg.done()

    wg.add(2)
    gk.go(cpu)
    gk.go(sys)  # created last, so it runs first (runnext)
    await wg.wait()
    ms = {k: v // 1_000_000 for k, v in done.items()}
    gk.println(f"cpu={ms['cpu']} sys={ms['sys']} total={(gk.now() - start) // 1_000_000}")
