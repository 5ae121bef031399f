"""The recorder's public tables, digested, on fixed runs: a change to how events are recorded
(what is read live, what is derived later) must leave every table, column and value as it was.

The digests in ``recorder_digests.json`` were taken from the recorder before it was made
cheaper. A deliberate change to a table's content updates them:
``PYTHONPATH=. python tests/test_recorder_tables.py --write`` (and says why in the commit).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

import gmpkit as gk
import gmpkit.scenarios as sc
from gmpkit.trace import Recorder

DIGESTS = Path(__file__).with_name("recorder_digests.json")


async def _first():
    pass


async def _late():
    await gk.select()


async def _reuse(box):
    """gfget: the second goroutine gets the first one's dead G."""
    box.append(gk.go(_first))
    await gk.sleep(ms=5)
    box.append(gk.go(_late))
    await gk.sleep(ms=1)


async def _worker(ch, i):
    await gk.sleep(ms=i % 3)
    await ch.send(i)


async def _fanin():
    ch = gk.Chan()
    for i in range(20):
        gk.go(_worker, ch, i)
    total = 0
    for _ in range(20):
        total += await ch.recv()
    gk.println(total)


class _Extending(Recorder):
    """A subclass that extends ``event``: the scheduler then builds Event objects for it, and
    the recorder finds the G, M and P again from their ids (``Recorder.event``)."""

    def event(self, ev):
        super().event(ev)


class _Other:
    """Another observer beside the recorder: events are built for it, the recorder keeps its
    direct entry (``Sched.record``) but no longer stands in for ``Sched.emit``."""

    def event(self, ev):
        pass


def _runs(make=Recorder, others=()):
    """name -> a function returning a finished Recorder (made by ``make``, attached after
    ``others``)."""
    runs = {}

    def Recorder(**kw):  # noqa: N802 - stands for the class in the runs below
        return make(**kw)

    for name in sc.names():
        for procs in (1, 2, 3):
            def run(name=name, procs=procs):
                rec = Recorder()
                gk.Sim(sc.get(name, n=12, seed=procs).main, gomaxprocs=procs, seed=1,
                       observers=[*others, rec]).run()
                return rec
            runs[f"{name}/P{procs}"] = run

    def reuse():
        rec = Recorder()
        gk.Sim(_reuse, [], gomaxprocs=1, observers=[*others, rec]).run()
        return rec

    def schedtrace():
        rec = Recorder()
        gk.Sim(_fanin, gomaxprocs=2, godebug="schedtrace=1,scheddetail=1",
               observers=[*others, rec]).run()
        return rec

    def few_snapshots():
        rec = Recorder(max_snapshots=8)
        gk.Sim(sc.get("goroutine_storm", n=200).main, gomaxprocs=2, observers=[*others, rec]).run()
        return rec

    runs.update(reuse=reuse, schedtrace=schedtrace, few_snapshots=few_snapshots)
    return runs


def _frame(df) -> str:
    return repr(list(df.columns)) + repr([str(t) for t in df.dtypes]) + df.to_csv()


def digest(rec: Recorder) -> dict[str, str]:
    parts = {
        "events": _frame(rec.events),
        "spans": _frame(rec.spans),
        "queues": _frame(rec.queues),
        "counts": _frame(rec.counts),
        "goroutines": _frame(rec.goroutines),
        "procs": _frame(rec.procs),
        "snapshots": repr(rec.snapshots()),
        "schedtrace": rec.schedtrace_text(),
        "chrome": json.dumps(rec.chrome_trace(), sort_keys=True),
        "facts": repr((len(rec), rec.end_ns(), rec.max_procs(), rec.gomaxprocs_at_end(),
                       [rec.queues_after(i) for i in range(len(rec))],
                       [(e.t, e.kind, e.g, e.m, e.p, e.reason, e.source, e.extra, e.cause)
                        for e in rec.event_objects()], repr(rec))),
    }
    return {k: hashlib.sha256(v.encode()).hexdigest()[:16] for k, v in parts.items()}


RUNS = _runs()


@pytest.mark.parametrize("name", sorted(RUNS))
def test_recorder_tables_are_unchanged(name):
    want = json.loads(DIGESTS.read_text())[name]
    got = digest(RUNS[name]())
    assert got == want


ENTRIES = {"extending-subclass": _runs(make=_Extending), "beside-another": _runs(others=[_Other()])}


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("name", ["goroutine_storm/P3", "blocking_syscalls/P2", "reuse",
                                  "schedtrace", "few_snapshots", "network_io/P2"])
def test_every_way_into_the_recorder_gives_the_same_tables(entry, name):
    """A plain Recorder alone takes the scheduler's objects and replaces ``Sched.emit``; a
    subclass goes through Event objects; beside another observer it keeps the direct entry.
    All three must record the same tables."""
    want = json.loads(DIGESTS.read_text())[name]
    got = digest(ENTRIES[entry][name]())
    assert got == want


if __name__ == "__main__" and "--write" in sys.argv:
    DIGESTS.write_text(json.dumps({n: digest(r()) for n, r in sorted(RUNS.items())},
                                  indent=1) + "\n")
    print(f"wrote {DIGESTS}")
