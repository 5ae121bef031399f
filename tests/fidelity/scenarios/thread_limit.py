"""Thread limit: more blocked syscalls than SetMaxThreads(10) allows is a fatal error."""

from harness import stderr_summary

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 2
RUN_OPTIONS = {"max_threads": 10}  # debug.SetMaxThreads(10) in the Go program
SPEC = "§8.4, §14 B10"


def observe(stdout, stderr, exit_code):
    lines = [ln for ln in stderr_summary(stderr) if not ln.startswith("goroutine ")]
    return "\n".join([*lines, f"exit {exit_code}"])


async def main():
    n = 20
    wg = gk.WaitGroup()

    async def reader():
        await gk.syscall(ms=10_000)  # never written to
        wg.done()

    for _ in range(n):
        wg.add(1)
        gk.go(reader)
    await wg.wait()
