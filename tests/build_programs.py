"""The programs both builds run for tests/test_builds.py, printed as one JSON document.

Run as a script in a fresh interpreter, once per build: ``python -P tests/build_programs.py``,
with the build to test first on PYTHONPATH (``-P`` keeps the current directory, which holds the
pure ``gmpkit/``, from coming first). For each program it prints what a learner sees (exit code,
stdout, stderr with its goroutine dumps, virtual time, steps), every scheduler event as observers
receive it, and the recorder's event table.
"""

from __future__ import annotations

import json
import sys

import gmpkit as gk
import gmpkit.scenarios as sc


class Events(gk.Observer):
    """Every scheduler decision, as plain values (an interpreted subclass of the core's
    Observer, which the compiled build must allow)."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def event(self, ev: gk.Event) -> None:
        self.rows.append([repr(v) for v in ev.as_tuple()])


async def _worker(i, mu, wg, ch):
    await mu.lock()
    await gk.work(us=30 + 7 * i)
    mu.unlock()
    if i % 3 == 0:
        await gk.syscall(us=200)
    elif i % 3 == 1:
        await gk.netwait(us=150)
    await ch.send(i * i)
    wg.done()


async def mixed():
    """Mutex, WaitGroup, channels, select with a timer, a syscall, the poller, GOMAXPROCS."""
    mu, wg, ch = gk.Mutex(), gk.WaitGroup(), gk.Chan(2)
    for i in range(9):
        wg.add(1)
        gk.go(_worker, i, mu, wg, ch)
    got = []
    t = gk.after(ms=5)
    while len(got) < 9:
        i, v, ok = await gk.select(gk.recv(ch), gk.recv(t))
        if i == 0:
            got.append(v)
    await gk.set_gomaxprocs(2)
    await wg.wait()
    gk.println(sorted(got), gk.num_goroutine())


async def _inner(ch):
    await ch.recv()


async def _leaf(ch):
    await _inner(ch)  # a dump shows the innermost frame of the program's own code


async def panics():
    """A panic with every goroutine's dump: headers, wait reasons, file:line, created by."""
    ch = gk.Chan()
    for _ in range(3):
        gk.go(_leaf, ch)
    await gk.sleep(ms=1)
    gk.panic("boom")


async def closed_send():
    """A runtime panic raised inside the core (send on a closed channel): the dump's file:line
    is the program's line, not one of the core's frames, which the compiled build names by a
    relative path."""
    ch = gk.Chan(1)
    ch.close()
    await ch.send(1)


async def deadlock():
    """All goroutines asleep: checkdead's fatal error and the dump."""
    await gk.Chan().recv()


def programs():
    """(name, main, run options) of every program compared."""
    out = []
    for name in sc.names():
        for procs in (1, 2, 4):
            s = sc.get(name, seed=procs)
            out.append((f"{name}-P{procs}", s.main, s.run_options(gomaxprocs=procs)))
    out.append(("mixed", mixed, dict(gomaxprocs=4, seed=7, godebug="schedtrace=1")))
    out.append(("panics", panics, dict(gomaxprocs=2, gotraceback="all")))
    out.append(("panics-system", panics, dict(gomaxprocs=2, gotraceback="system")))
    out.append(("closed_send", closed_send, dict(gomaxprocs=1)))
    out.append(("deadlock", deadlock, dict(gomaxprocs=1)))
    return out


def run_all() -> dict:
    out: dict = {"compiled": gk.COMPILED, "programs": {}}
    for name, main, options in programs():
        ev = Events()
        trace = gk.run(main, observers=[ev], check=False, **options)
        out["programs"][name] = {
            "exit_code": trace.exit_code,
            "stdout": trace.stdout,
            "stderr": trace.stderr,
            "now_ns": trace.now_ns,
            "steps": trace.steps,
            "events": ev.rows,
            "table": trace.events.to_csv(index=False),
        }
    return out


if __name__ == "__main__":
    json.dump(run_all(), sys.stdout)
