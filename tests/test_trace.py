"""The standard recorder: event table, spans, series, Go-format text, Perfetto export."""

import json

import pandas as pd
import pytest

import gmpkit as gk
import gmpkit.scenarios as sc
from gmpkit.golang import parse_schedtrace
from gmpkit.sched import GStatus, Observer
from gmpkit.trace import Recorder


async def _record(i, out, wg):
    out.append(i)
    wg.done()


async def ten():
    out, wg = [], gk.WaitGroup()
    for i in range(10):
        wg.add(1)
        gk.go(_record, i, out, wg)
    await wg.wait()
    gk.println(out)


def test_event_table_says_where_each_goroutine_came_from():
    """With one P: main, then the last-created goroutine from runnext, the rest from the local
    queue in creation order (the 9 0 1 ... 8 order). The program links os (gk.println is
    fmt.Println), so the runtime's goroutines are 2-6 and the user's start at 7."""
    trace = gk.run(ten, gomaxprocs=1)
    ev = trace.events
    assert list(ev.columns[:9]) == ["time_ns", "time_ms", "event", "g", "m", "p", "reason",
                                    "source", "extra"]
    user = ev[(ev["event"] == "GoStart") & (ev["g"] >= 7)]
    assert list(user["g"]) == [16, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    assert list(user["source"]) == ["runnext"] + ["local"] * 9
    assert trace.stdout == "[9 0 1 2 3 4 5 6 7 8]\n"


def test_steals_name_the_victim():
    ev = sc.get("cpu_bound").run(gomaxprocs=2).events
    stolen = ev[(ev["event"] == "GoStart") & ev["source"].str.startswith("stolen", na=False)]
    assert set(stolen["source"]) == {"stolen from P0"}
    steals = ev[ev["event"] == "Steal"]
    assert steals["reason"].str.match(r"took \d+ from P0's (local queue|runnext)$").all()


def test_spans_cover_each_goroutines_cpu_time_once():
    """Every worker's run spans add up to its work (plus small fixed costs), on one lane at a
    time, and no two spans overlap on a P."""
    trace = sc.get("cpu_bound", n=6, seed=5).run(gomaxprocs=3)
    spans = trace.spans
    assert set(spans["kind"]) == {"run"}
    assert (spans["end"] >= spans["start"]).all()
    for _, lane in spans.groupby("p"):
        lane = lane.sort_values("start")
        assert (lane["start"].iloc[1:].to_numpy() >= lane["end"].iloc[:-1].to_numpy()).all()
    per_g = trace.goroutines.set_index("g")
    workers = per_g.drop(index=1)
    assert (workers["cpu_ms"] >= 1.5 - 1e-9).all()  # work_ms=3 ± 50 %


def test_syscall_spans_are_hatched_and_end_when_the_p_is_retaken():
    trace = sc.get("blocking_syscalls", n=6).run(gomaxprocs=2)
    sys = trace.spans[trace.spans["kind"] == "syscall"]
    assert len(sys) >= 1
    assert sys["end_reason"].str.contains("system call|retaken").all()


class Recount(Observer):
    """Reads the whole scheduler state the slow way after every event: every P's queues, every
    goroutine's state, every thread. What the recorder's series must agree with."""

    def __init__(self):
        self.queues, self.counts = [], []

    def attach(self, sched):
        self.sched = sched

    def event(self, ev):
        s = self.sched
        q = (len(s.runq), tuple(len(p.runq) for p in s.allp),
             tuple(int(p.runnext is not None) for p in s.allp))
        if not self.queues or self.queues[-1][1:] != q:
            self.queues.append((ev.t, *q))
        gs = [g.status for g in s.allg if not g.system]
        ms = [m for m in s.allm if not m.system]
        in_syscall = [m for m in ms if m.curg is not None and m.curg.status == GStatus.SYSCALL]
        spinning = [m for m in ms if m.curg is None and m.spinning]
        idle = [m for m in ms if m.curg is None and not m.spinning and (m.parked or m.in_netpoll)]
        row = (ev.t, gs.count(GStatus.RUNNING), gs.count(GStatus.RUNNABLE),
               gs.count(GStatus.SYSCALL), gs.count(GStatus.WAITING),
               len(ms) - len(in_syscall) - len(spinning) - len(idle), len(spinning),
               len(in_syscall), len(idle), len(s.pidle))
        self.counts.append(row)


def _recount_tables(obs):
    queues = pd.DataFrame({"t": [r[0] for r in obs.queues], "global": [r[1] for r in obs.queues]})
    n = max(len(r[2]) for r in obs.queues)
    for i in range(n):
        queues[f"P{i}"] = [r[2][i] if i < len(r[2]) else None for r in obs.queues]
    for i in range(n):
        queues[f"P{i}.runnext"] = [r[3][i] if i < len(r[3]) else None for r in obs.queues]
    # One row per instant: the state once all of that instant's events are reported.
    counts = pd.DataFrame(obs.counts, columns=["t", "g_running", "g_runnable", "g_syscall",
                                               "g_waiting", "m_running", "m_spinning",
                                               "m_syscall", "m_idle", "p_idle"])
    return queues, counts.drop_duplicates("t", keep="last").reset_index(drop=True)


@pytest.mark.parametrize("name", sc.names())
@pytest.mark.parametrize("procs", [1, 2, 3])
def test_series_match_a_full_recount_at_every_event(name, procs):
    """The recorder reads only what each event can have changed and builds its series later;
    they equal a full recount of the scheduler after every event: the queue series row for
    row, the counts at the end of every instant at which they changed (within an instant, a
    netpoll batch is readied before it is reported)."""
    rec, truth = Recorder(), Recount()
    gk.Sim(sc.get(name, n=12, seed=procs).main, gomaxprocs=procs, seed=1,
           observers=[truth, rec]).run()
    queues, counts = _recount_tables(truth)
    got = rec.queues.drop(columns="t_ms")
    pd.testing.assert_frame_equal(got, queues, check_dtype=False)
    got = rec.counts.set_index("t").drop(columns="t_ms")
    assert got.index.is_unique
    want = counts.set_index("t").loc[got.index]
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    # ... and every instant at which the recount changed has a row.
    moved = counts.drop(columns="t").diff().abs().sum(axis=1) > 0
    assert set(counts["t"][moved]) <= set(got.index)


def test_queue_series_never_exceeds_go_limits_and_running_never_exceeds_gomaxprocs():
    trace = sc.get("goroutine_storm", n=400).run(gomaxprocs=2)
    q = trace.queues
    assert q[["P0", "P1"]].max().max() <= 256
    assert set(q["P0.runnext"].dropna()) <= {0, 1}
    assert trace.counts["g_running"].max() <= 2
    assert trace.counts["g_running"].max() == 2


def test_schedtrace_text_is_gos_format_field_for_field():
    """SCHED lines have Go's fields in Go's order and spacing, and parse like real Go's."""
    trace = sc.get("cpu_bound").run(gomaxprocs=2, godebug="schedtrace=1")
    lines = trace.recorder.schedtrace_lines()
    assert lines and lines == trace.schedtrace_lines
    real_go = ("SCHED 24ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=1 "
               "idlethreads=1 runqueue=2 [ 1 3 ] schedticks=[ 3 6 ]")
    import re

    shape = re.compile(r"^SCHED \d+ms: gomaxprocs=\d+ idleprocs=\d+ threads=\d+ "
                       r"spinningthreads=\d+ needspinning=[01] idlethreads=\d+ runqueue=\d+ "
                       r"\[( \d+)+ \] schedticks=\[ (\d+ )+\]$")
    assert shape.match(real_go)
    assert all(shape.match(line) for line in lines), lines
    table = trace.schedtrace_table
    assert list(table.columns) == list(parse_schedtrace([real_go]).columns)
    assert table["gomaxprocs"].eq(2).all() and len(table) == len(lines)
    assert trace.recorder.schedtrace_text().endswith("\n")


def test_scheddetail_lines_follow_go():
    trace = sc.get("cpu_bound").run(gomaxprocs=2, godebug="schedtrace=1,scheddetail=1")
    lines = trace.recorder.schedtrace_lines()
    assert lines[0].endswith("gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false")
    assert lines[1].startswith("  P0: status=1 schedtick=")
    ms = [ln for ln in lines if ln.startswith("  M")]
    assert ms and all("mallocing=0 throwing=0 preemptoff= locks=0 dying=0" in ln for ln in ms)
    table = trace.schedtrace_table
    assert table["ps"].iloc[0][0]["id"] == 0


def test_goroutine_dump_is_gos_header_format():
    async def stuck():
        await gk.Chan().recv()

    trace = gk.run(stuck, check=False)
    dump = trace.recorder.goroutine_dump()
    assert dump.startswith("goroutine 1 [chan receive]:\nmain.main(")


def test_snapshots_show_runnext_and_local_queue():
    trace = gk.run(ten, gomaxprocs=1)
    ev = trace.events
    block = ev[(ev["event"] == "GoBlock") & (ev["reason"] == "sync.WaitGroup.Wait")].index[0]
    p0 = trace.snapshot_after(block).ps[0]
    assert p0.runnext == 16  # user goroutines are 7-16 (the program links os: see above)
    assert p0.runq[-9:] == tuple(range(7, 16))
    assert p0.runq_len == len(p0.runq)


def test_snapshots_stay_bounded_on_long_runs():
    rec = Recorder(max_snapshots=50)
    gk.Sim(sc.get("goroutine_storm", n=200).main, observers=[rec]).run()
    snaps = rec.snapshots()
    assert 25 <= len(snaps) <= 51
    assert [s.index for s in snaps] == sorted(s.index for s in snaps)


def test_perfetto_export_is_trace_event_json(tmp_path):
    """The export is valid JSON in the Trace Event Format: named P rows, complete events for
    every span, counters for the queues."""
    trace = sc.get("cpu_bound").run(gomaxprocs=2)
    path = trace.recorder.save_perfetto(str(tmp_path / "run.json"))
    data = json.loads(open(path).read())
    evs = data["traceEvents"]
    names = {e["args"]["name"] for e in evs if e.get("name") == "thread_name"}
    assert names == {"P0", "P1"}
    complete = [e for e in evs if e["ph"] == "X"]
    assert len(complete) == len(trace.spans)
    assert all(e["dur"] >= 0 and "ts" in e for e in complete)
    assert any(e["ph"] == "C" and e["name"] == "run queues" for e in evs)


def test_tables_are_built_once_per_recorded_length():
    trace = sc.get("cpu_bound").run()
    assert trace.events is trace.events
    assert trace.spans is trace.spans


def test_states_use_real_go_numbers():
    assert GStatus.RUNNABLE == 1 and GStatus.WAITING == 4
