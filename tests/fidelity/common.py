"""Helpers shared by the gmpkit side of the fidelity scenarios (mirrors of the Go helpers)."""

from __future__ import annotations

import re

import gmpkit as gk


def compress(xs: list[int]) -> str:
    """`0 1 2 5 7 8` -> `0-2 5 7-8`, as the Go programs print it."""
    parts = []
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[j] + 1:
            j += 1
        parts.append(str(xs[i]) if i == j else f"{xs[i]}-{xs[j]}")
        i = j + 1
    return " ".join(parts)


async def align_schedtick() -> None:
    """Leave this P's schedtick at 1 modulo 61 (GOMAXPROCS must be 1), as the Go side does.

    main parks on the GRQ behind 61 fresh goroutines, so the 1-in-61 check picks it within them;
    how many ran first tells the phase, and padding goroutines finish the alignment.
    """
    await gk.gosched()
    ran = [0]
    wg = gk.WaitGroup()
    wg.add(61)

    async def filler() -> None:
        ran[0] += 1
        wg.done()

    for _ in range(61):
        gk.go(filler)
    await gk.gosched()  # main -> GRQ tail; resumes with schedtick == 1 (mod 61)
    r = ran[0]
    await wg.wait()
    fresh = 60 if r == 0 else 61 - r
    pad = (-fresh) % 61
    if pad:
        wg.add(pad + 1)

        async def padder() -> None:
            wg.done()

        for _ in range(pad + 1):
            gk.go(padder)
        await wg.wait()


def floats(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


async def overflow_main(n: int) -> None:
    """N goroutines on one P after aligning the schedtick phase; prints the run order."""
    await align_schedtick()
    out: list[int] = []
    wg = gk.WaitGroup()
    wg.add(n)

    async def g(i: int) -> None:
        out.append(i)
        wg.done()

    for i in range(n):
        gk.go(g, i)
    await wg.wait()
    gk.println(compress(out))


_HEADER = re.compile(r"^goroutine \d+ (?:gp=0x[0-9a-f]+ m=\S+ (?:mp=0x[0-9a-f]+ )?)?\[")
_ADDR = re.compile(r"\b(gp|mp)=0x[0-9a-f]+")
_KEEP = re.compile(r"^(panic: |fatal error: |runtime: |created by |runtime stack:$)")


def observe_with_creators(stdout: str, stderr: str, exit_code: int) -> str:
    """The default observation plus what identifies each dumped goroutine: every header (also
    GOTRACEBACK=system's ``goroutine N gp=… m=… [status]:``, addresses replaced by ``ADDR``),
    its ``created by <function> in goroutine N`` line, and the ``runtime stack:`` marker."""
    lines = [_ADDR.sub(r"\1=ADDR", ln.split(" +0x")[0].rstrip()) for ln in stderr.splitlines()
             if _HEADER.match(ln) or _KEEP.match(ln)]
    parts = [stdout.rstrip("\n"), *lines, f"exit {exit_code}"]
    return "\n".join(p for p in parts if p != "")


def gotraceback_program():
    """The GOTRACEBACK scenarios' program: a goroutine blocked on a channel, a 10 ms sleep (the
    runtime's goroutines park meanwhile), then a goroutine that panics while main waits."""

    async def waiter(block: gk.Chan) -> None:
        await block.recv()

    async def boom() -> None:
        gk.panic("boom")

    async def main() -> None:  # named main: `created by main.main`, as in Go
        block = gk.Chan()
        gk.println("start")
        gk.go(waiter, block)
        await gk.sleep(ms=10)
        gk.go(boom)
        await block.recv()

    return main


gotraceback_main = gotraceback_program()
