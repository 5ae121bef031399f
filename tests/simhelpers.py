"""Helpers for tests that look at the scheduler's own state while a program runs (as a learner
would stop a real runtime in a debugger), shared by the mechanism test files."""

from __future__ import annotations

import gmpkit as gk

MS = 1_000_000
US = 1_000


class Box:
    """Holds the Sim so the simulated program can look at its own scheduler."""

    sim = None

    @property
    def sched(self):
        return self.sim.sched


def simulate(main, *args, **options):
    """Build a Sim for `main(box, *args)`, run it to the end, return (sim, box)."""
    box = Box()
    box.sim = gk.Sim(main, box, *args, **options)
    box.sim.run()
    return box.sim, box


def me(sched):
    """(G, M, P) of the goroutine executing this Python code."""
    gid = gk.goid()
    for m in sched.allm:
        if m.curg is not None and m.curg.goid == gid:
            return m.curg, m, m.p
    raise AssertionError(f"goroutine {gid} is not running on any M")


def ids(gs):
    return [g.goid for g in gs]


class Events:
    """Observer that keeps (t, kind, g, m, p, reason, source, extra) of every event."""

    def __init__(self):
        self.rows = []

    def event(self, ev):
        self.rows.append((ev.t, ev.kind, ev.g, ev.m, ev.p, ev.reason, ev.source, ev.extra))

    def of(self, *kinds):
        return [r for r in self.rows if r[1] in kinds]
