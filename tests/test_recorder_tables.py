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


def _runs():
    """name -> a function returning a finished Recorder."""
    runs = {}
    for name in sc.names():
        for procs in (1, 2, 3):
            def run(name=name, procs=procs):
                rec = Recorder()
                gk.Sim(sc.get(name, n=12, seed=procs).main, gomaxprocs=procs, seed=1,
                       observers=[rec]).run()
                return rec
            runs[f"{name}/P{procs}"] = run

    def reuse():
        rec = Recorder()
        gk.Sim(_reuse, [], gomaxprocs=1, observers=[rec]).run()
        return rec

    def schedtrace():
        rec = Recorder()
        gk.Sim(_fanin, gomaxprocs=2, godebug="schedtrace=1,scheddetail=1",
               observers=[rec]).run()
        return rec

    def few_snapshots():
        rec = Recorder(max_snapshots=8)
        gk.Sim(sc.get("goroutine_storm", n=200).main, gomaxprocs=2, observers=[rec]).run()
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


if __name__ == "__main__" and "--write" in sys.argv:
    DIGESTS.write_text(json.dumps({n: digest(r()) for n, r in sorted(RUNS.items())},
                                  indent=1) + "\n")
    print(f"wrote {DIGESTS}")
