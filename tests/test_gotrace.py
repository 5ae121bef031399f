"""gmpkit.gotrace: Go's execution trace (``go tool trace -d=parsed`` text) read into the tables
the model's recorder gives. No Go needed: committed output of the tool and hand-made traces."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import gmpkit as gk
from gmpkit import gotrace as gt
from gmpkit import viz
from gmpkit.gotrace import GoTrace, GoTraceEmpty, GoTraceParseError, NotInGoTrace

SAMPLES = Path(__file__).resolve().parent / "gotrace_samples"
# Real output of `go tool trace -d=parsed` (Go 1.27.3), stacks and all: the runnext program of
# tests/fidelity/scenarios/runnext_order.go at GOMAXPROCS=1, and four goroutines that compute,
# sleep 3 ms in nanosleep(2) and compute again at GOMAXPROCS=2.
RUNNEXT = (SAMPLES / "runnext_order.parsed.txt").read_text()
SYSCALLS = (SAMPLES / "syscalls_p2.parsed.txt").read_text()

sys.path.insert(0, str(Path(__file__).resolve().parent / "fidelity"))
import harness  # noqa: E402


def transitions(text: str, old: str, new: str) -> list[re.Match]:
    return list(re.finditer(rf"^M=(-?\d+) P=(-?\d+) G=(-?\d+) StateTransition Time=\d+ "
                            rf"GoID=(\d+) {old}->{new} ", text, re.M))


# ----- the real sample, against the model's tables --------------------------------------------


def test_runnext_sample_gives_go_start_order_9_0_1_to_8():
    tr = GoTrace.from_text(RUNNEXT, exit_code=0)
    assert tr.start_order() == ["g10", *[f"g{i}" for i in range(1, 10)], "main"]
    users = tr.goroutines
    assert len(users) == 11 and users.name.tolist()[1:] == ["main.main.func1"] * 10
    assert (users.status[1:] == "dead").all()


def test_tables_have_the_model_recorders_columns_and_units():
    sc = harness.load("runnext_order")
    model = gk.run(sc.module.main, gomaxprocs=1)
    go = GoTrace.from_text(RUNNEXT, exit_code=0)
    for table in ("events", "spans", "counts", "goroutines", "procs"):
        missing = set(getattr(model, table).columns) - set(getattr(go, table).columns)
        assert not missing, f"{table} lacks the model's {missing}"
    ev = go.events
    assert (ev.time_ms == ev.time_ns / 1e6).all()
    assert ev.time_ns.is_monotonic_increasing and ev.time_ns.iloc[0] >= 0
    assert ev.event.iloc[-1] == "Exit" and ev.extra.iloc[-1] == 0
    # What Go's trace cannot say is missing, not made up.
    assert ev[ev.event == "GoStart"].source.isna().all()
    assert ev.rule.isna().all() and ev.why.isna().all()
    assert go.counts.m_spinning.isna().all()
    assert go.goroutines.stolen.isna().all() and go.procs.from_local.isna().all()
    with pytest.raises(NotInGoTrace, match="run-queue"):
        go.queues  # noqa: B018
    with pytest.raises(NotInGoTrace):
        go.snapshots()


def test_every_goroutine_transition_becomes_one_event():
    go = GoTrace.from_text(RUNNEXT)
    ev = go.events
    pairs = {("NotExist", "Runnable"): "GoCreate", ("Running", "NotExist"): "GoEnd",
             ("Running", "Waiting"): "GoBlock", ("Waiting", "Runnable"): "GoUnblock",
             ("Runnable", "Running"): "GoStart", ("Running", "Syscall"): "GoSysCall"}
    for (old, new), kind in pairs.items():
        assert len(transitions(RUNNEXT, old, new)) == (ev.event == kind).sum(), kind
    blocks = ev[ev.event == "GoBlock"]
    assert blocks[blocks.g == 1].reason.tolist() == ["sync"]  # wg.Wait, as Go's tracer says
    assert ev[(ev.event == "GoSched") & (ev.g == 1)].reason.tolist() == ["runtime.Gosched"]


def test_tracer_and_runtime_goroutines_are_not_the_programs():
    go = GoTrace.from_text(RUNNEXT)
    kinds = {g: go.goroutine_kind(g) for g in go._built.gs}
    tracer = [g for g, k in kinds.items() if k == "tracer"]
    assert len(tracer) == 3  # CPU-sample reader, generation advancer, runtime/trace writer
    assert {g for g, k in kinds.items() if k == "user"} == set(go.user_goroutines())
    # Counts cover the program's goroutines only: at most main + 10 alive at once.
    c = go.counts
    assert (c[["g_running", "g_runnable", "g_syscall", "g_waiting"]].sum(axis=1) <= 11).all()
    assert c.g_runnable.max() == 10
    sp = go.spans
    assert set(sp[sp.g.isin(tracer)].g_kind) == {"tracer"}


def test_syscall_sample_threads_retakes_and_syscall_spans():
    go = GoTrace.from_text(SYSCALLS, exit_code=0)
    ev, sp = go.events, go.spans
    users = set(go.user_goroutines())
    calls = [m for m in transitions(SYSCALLS, "Running", "Syscall") if int(m[4]) in users]
    assert ((ev.event == "GoSysCall") & ev.g.isin(users)).sum() == len(calls) >= 4
    # sysmon's steals of Ps held by syscalls: Running->Idle by a thread with no P and no G.
    steals = re.findall(r"^M=(\d+) P=-1 G=-1 StateTransition Time=\d+ ProcID=\d+ Running->Idle",
                        SYSCALLS, re.M)
    assert (ev.event == "Retake").sum() == len(steals) >= 1
    assert go.threads.sysmon.sum() == 1
    assert str(go.threads[go.threads.sysmon].thread.iloc[0]) == steals[0]
    assert (sp.kind == "syscall").sum() >= 4
    assert sp[sp.kind == "syscall"].end_reason.str.contains("retaken|returned|taken by").all()
    # Threads seen, sysmon not counted: never more than the syscalls + the Ps.
    assert go.counts.threads.max() == len(go.threads) - 1
    assert gt.max_threads(go) >= 4


# ----- hand-made traces for each rule ---------------------------------------------------------


def ev(t: int, m: int, p: int, g: int, rest: str) -> str:
    return f"M={m} P={p} G={g} StateTransition Time={t} {rest}"


def create(t: int, m: int, p: int, parent: int, g: int, fn: str = "main.main.func1") -> str:
    return (ev(t, m, p, parent, f'GoID={g} NotExist->Runnable Reason=""')
            + f"\nTransitionStack=\n\t{fn} @ 0x4a1b20\n\t\tmain.go:9\n")


HEAD = [
    "M=-1 P=-1 G=-1 Sync Time=1000 N=1",
    ev(1100, 10, -1, -1, 'ProcID=0 Undetermined->Running Reason=""'),
    ev(1100, 11, -1, -1, 'ProcID=1 Undetermined->Idle Reason=""'),
    ev(1200, 10, 0, -1, 'GoID=1 Undetermined->Running Reason=""'),
    'M=10 P=0 G=1 Metric Time=1250 Name="/sched/gomaxprocs:threads" Value=Value{Uint64(2)}',
]


def build(*lines: str) -> GoTrace:
    return GoTrace.from_text("\n".join([*HEAD, *lines]) + "\n", exit_code=0)


def test_stop_reasons_name_the_event():
    tr = build(
        create(2000, 10, 0, 1, 5),
        ev(2100, 10, 0, 1, 'GoID=1 Running->Runnable Reason="runtime.Gosched"'),
        ev(2200, 10, 0, -1, 'GoID=5 Runnable->Running Reason=""'),
        ev(2300, 10, 0, 5, 'GoID=5 Running->Runnable Reason="preempted"'),
        ev(2400, 10, 0, -1, 'GoID=1 Runnable->Running Reason=""'),
        ev(2500, 10, 0, 1, 'GoID=1 Running->Runnable Reason="unspecified"'),
    )
    e = tr.events
    assert e[e.g == 1].event.tolist() == ["GoSched", "GoStart", "GoStop"]
    assert e[e.g == 5].event.tolist() == ["GoCreate", "GoStart", "GoPreempt"]
    assert tr.goroutines.set_index("g").preempted[5] == 1
    sp = tr.spans
    assert sp[sp.g == 5].end_reason.iloc[0].startswith("preempted")


def test_gomaxprocs_change_is_an_event_and_widens_the_lanes():
    tr = build('M=10 P=0 G=1 Metric Time=3000 Name="/sched/gomaxprocs:threads" '
               'Value=Value{Uint64(4)}',
               ev(3100, 12, -1, -1, 'ProcID=3 NotExist->Idle Reason=""'))
    e = tr.events
    assert e[e.event == "GOMAXPROCS"].extra.tolist() == [(2, 4)]
    assert tr.max_procs() == 4 and tr.gomaxprocs_at_end() == 4


def test_syscall_exits_fast_oldp_idlep_and_global():
    tr = build(
        create(2000, 10, 0, 1, 5), create(2010, 10, 0, 1, 6), create(2020, 10, 0, 1, 7),
        ev(2030, 10, 0, 1, 'GoID=1 Running->Waiting Reason="sync"'),
        # G5 on P0 enters a syscall and comes back with its P (fast path).
        ev(2100, 10, 0, -1, 'GoID=5 Runnable->Running Reason=""'),
        ev(2200, 10, 0, 5, 'GoID=5 Running->Syscall Reason=""'),
        ev(2300, 10, 0, 5, 'GoID=5 Syscall->Running Reason=""'),
        ev(2400, 10, 0, 5, 'GoID=5 Running->Syscall Reason=""'),
        # sysmon (thread 99, no P, no G) takes P0 from the syscall.
        ev(2500, 99, -1, -1, 'ProcID=0 Running->Idle Reason=""'),
        ev(2600, 12, -1, -1, 'ProcID=0 Idle->Running Reason=""'),
        ev(2610, 12, 0, -1, 'GoID=6 Runnable->Running Reason=""'),
        ev(2620, 12, 0, 6, 'GoID=6 Running->Syscall Reason=""'),
        # G5 is back: it takes its old P0 from thread 12 (in a syscall), runs at once there.
        ev(2700, 10, -1, 5, 'ProcID=0 Running->Idle Reason=""'),
        ev(2710, 10, -1, 5, 'ProcID=0 Idle->Running Reason=""'),
        ev(2720, 10, 0, 5, 'GoID=5 Syscall->Runnable Reason=""'),
        ev(2730, 10, 0, -1, 'GoID=5 Runnable->Running Reason=""'),
        # G6 is back with no P to get: to the global queue; later P1 runs it.
        ev(2800, 12, -1, 6, 'GoID=6 Syscall->Runnable Reason=""'),
        ev(2900, 11, -1, -1, 'ProcID=1 Idle->Running Reason=""'),
        ev(2910, 11, 1, -1, 'GoID=6 Runnable->Running Reason=""'),
    )
    e = tr.events
    exits = e[e.event == "GoSysExit"]
    assert list(zip(exits.g, exits.reason, exits.p.fillna(-1))) == [
        (5, "fast", 0), (5, "oldp", 0), (6, "global", -1)]
    starts = e[e.event == "GoStart"]
    assert starts.g.tolist() == [5, 6, 6]  # G5's return to P0 is its GoSysExit, not a start
    assert e[e.event == "Retake"][["g", "p"]].values.tolist() == [[5, 0]]
    assert tr.threads.set_index("thread").sysmon.to_dict() == {10: False, 11: False, 99: True,
                                                               12: False}
    sp = tr.spans
    kinds = sp[sp.g == 5][["kind", "end_reason"]].values.tolist()
    assert kinds[:4] == [["run", "entered a system call"],
                         ["syscall", "returned from the system call"],
                         ["run", "entered a system call"],
                         ["syscall", "P retaken by sysmon while the goroutine stays in the "
                                     "syscall"]]
    assert sp[(sp.g == 5)].source.tolist()[-1] == "exitsyscall"
    c = tr.counts
    assert c.g_syscall.max() == 2 and c.m_syscall.max() == 2
    assert c.threads.max() == 3  # threads 10, 11, 12; sysmon not counted


def test_moves_are_starts_on_another_p_than_the_one_that_readied():
    tr = build(
        create(2000, 10, 0, 1, 5), create(2010, 10, 0, 1, 6),
        ev(2020, 10, 0, 1, 'GoID=1 Running->Waiting Reason="sync"'),
        ev(2030, 11, -1, -1, 'ProcID=1 Idle->Running Reason=""'),
        ev(2040, 11, 1, -1, 'GoID=5 Runnable->Running Reason=""'),   # created on P0: moved
        ev(2050, 11, 1, 5, 'GoID=5 Running->Runnable Reason="runtime.Gosched"'),
        ev(2060, 10, 0, -1, 'GoID=5 Runnable->Running Reason=""'),   # via the global queue
        ev(2070, 10, 0, 5, 'GoID=5 Running->Waiting Reason="network"'),
        ev(2080, 11, 1, -1, 'GoID=6 Runnable->Running Reason=""'),   # created on P0: moved
        ev(2090, 11, 1, 6, 'GoID=5 Waiting->Runnable Reason=""'),
        ev(2100, 10, 0, -1, 'GoID=5 Runnable->Running Reason=""'),   # netpoller: unknown
    )
    assert gt.moves(tr) == 2
    assert tr.goroutines.set_index("g").moved.to_dict() == {1: 0, 5: 1, 6: 1}
    assert tr.procs.moved_in.tolist() == [0, 2]


def test_goroutine_kinds_follow_the_start_function():
    tr = build(create(2000, 10, 0, 1, 5, "runtime.bgsweep"),
               create(2010, 10, 0, 1, 6, "runtime/trace.(*traceMultiplexer).startLocked.func1"),
               create(2020, 10, 0, 1, 7, "net/http.(*Server).Serve"),
               create(2030, 10, 0, 1, 8, "runtime.traceStartReadCPU.func1"))
    assert [tr.goroutine_kind(g) for g in (1, 5, 6, 7, 8)] == [
        "user", "runtime", "tracer", "user", "tracer"]
    assert tr.user_goroutines() == [1, 7]


def test_the_tracers_shutdown_is_cut_off():
    tr = build(create(2000, 10, 0, 1, 5),
               'M=10 P=0 G=1 RangeBegin Time=5000 Name="stop-the-world (stop trace)" '
               'Scope=Goroutine(1)',
               ev(6000, 13, -1, -1, 'ProcID=1 Idle->Running Reason=""'))
    assert tr.end_ns() == 5000 - 1100
    assert 13 not in set(tr.threads.thread)


# ----- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, line, words", [
    ("", None, "no goroutine events"),
    ("hello world\n", 1, "not an event line"),
    ("\n".join(HEAD) + "\nthis is not a trace line\n", 6, "unrecognised line"),
    ("\n".join(HEAD[:3]) + "\n" + ev(1, 10, 0, 1, 'GoID=5 Running->Flying Reason=""'), 4,
     "unknown goroutine state"),
    (ev(1, 10, 0, 1, "GoID=5 Runnable->Running"), 1, "without `GoID=N"),
    ("M=1 P=0 G=1 Bogus Time=5\n", 1, "unknown event kind"),
    ("M=1 P=0 G=1 StateTransition Time=abc\n", 1, "not an event line"),
])
def test_malformed_text_gets_a_clear_error(text, line, words):
    err = GoTraceEmpty if line is None else GoTraceParseError
    with pytest.raises(err, match=re.escape(words)) as exc:
        GoTrace.from_text(text)
    if line is not None:
        assert exc.value.line_no == line and f"line {line}:" in str(exc.value)
        assert "go tool trace -d=parsed" in str(exc.value)


def test_a_binary_trace_is_recognised():
    with pytest.raises(GoTraceParseError, match="binary execution trace"):
        gt.parse_events("go 1.27 trace\x00\x00\x00\x01\x02")
    with pytest.raises(GoTraceParseError, match="binary trace file"):
        gt.parse_events(b"go 1.27 trace\x00")  # type: ignore[arg-type]


def test_a_trace_with_only_p_events_is_empty():
    with pytest.raises(GoTraceEmpty, match="no goroutine events"):
        GoTrace.from_text("\n".join(HEAD[:3]))


# ----- compact form, save and load ------------------------------------------------------------


def test_compact_text_keeps_every_table_and_is_smaller():
    full = GoTrace.from_text(SYSCALLS)
    small_text = gt.compact_text(SYSCALLS)
    small = GoTrace.from_text(small_text)
    assert len(small_text) < len(SYSCALLS) / 2
    for table in ("events", "spans", "counts", "goroutines", "procs"):
        assert getattr(full, table).equals(getattr(small, table)), table


def test_stacks_on_request():
    evs = gt.parse_events(RUNNEXT, stacks=True)
    created = [e for e in evs if e.old == "NotExist"]
    assert created[-1].tstack[0][0] == "main.main.func1"
    assert created[-1].stack[0][0] == "main.main"  # where the go statement is
    assert not any(e.stack for e in gt.parse_events(RUNNEXT))


def test_save_and_load_round_trip(tmp_path):
    tr = GoTrace.from_text(RUNNEXT, stdout="9 0 1 2 3 4 5 6 7 8\n", exit_code=0, gomaxprocs=1,
                           go_version="go1.27.3", program="runnext_order.go")
    path = tr.save(tmp_path / "t.txt.gz")
    back = GoTrace.load(path)
    assert back.recorded and back.label == "real Go (recorded)"
    assert (back.stdout, back.exit_code, back.go_version, back.program) == (
        tr.stdout, 0, "go1.27.3", "runnext_order.go")
    assert back.events.equals(tr.events)


# ----- comparing with the model ---------------------------------------------------------------


def test_labels_and_start_order_of_a_model_trace():
    sc = harness.load("runnext_order")
    model = gk.run(sc.module.main, gomaxprocs=1)
    assert gt.start_order(model) == GoTrace.from_text(RUNNEXT).start_order()
    labels = gt.goroutine_labels(model)
    assert labels[1] == "main" and sorted(labels.values())[-1] == "main"
    assert len(gt.goroutine_labels(model, last=3)) == 4


def test_trace_reason_maps_the_models_wait_reasons():
    assert gt.trace_reason("sync.WaitGroup.Wait") == "sync"
    assert gt.trace_reason("IO wait") == "network"
    assert gt.trace_reason("select (no cases)") == "forever"
    assert gt.trace_reason("chan receive") == "chan receive"


# ----- charts ---------------------------------------------------------------------------------


def test_single_charts_draw_a_go_trace():
    tr = GoTrace.from_text(SYSCALLS, exit_code=0)
    fig = viz.timeline(tr)
    assert len(fig.data) == 2  # one bar trace per P lane
    hover = " ".join(h for d in fig.data for h in d.hovertext)
    assert "not recorded by Go's execution trace" in hover
    assert "the execution tracer's own goroutine" in hover
    names = [d.name for d in viz.threads_chart(tr).data]
    assert "M spinning" not in names and "M syscall" in names  # spinning: not in Go's trace
    assert len(viz.goroutine_states(tr).data) == 4
    with pytest.raises(NotInGoTrace):
        viz.queue_chart(tr)


def test_side_by_side_shares_the_time_axis_and_the_colours():
    import gmpkit.scenarios as scn

    s = scn.get("cpu_bound")
    model = s.run(gomaxprocs=2)
    from gmpkit import golang

    go = golang.recorded_scenario_trace("cpu_bound")
    spec = viz.side_by_side_spec(model, go)
    layout = spec["layout"]
    axes = sorted(k for k in layout if k.startswith("yaxis"))
    assert len(axes) == 6
    assert all(d["xaxis"] == "x" for d in spec["data"])
    assert layout["xaxis"]["range"][1] == pytest.approx(
        max(model.recorder.end_ns(), go.end_ns()) / 1e6)
    # The first goroutine main created has one colour in both timelines, whatever its id.
    colours = []
    for trace, axis in ((model, "y"), (go, "y2")):
        first = gt.goroutine_labels(trace)
        g1 = next(g for g, lab in first.items() if lab == "g1")
        bars = [d for d in spec["data"] if d["yaxis"] == axis]
        colours.append({c for d in bars for c, t in zip(d["marker"]["color"], d["text"])
                        if t == f"G{g1}"})
    assert colours[0] == colours[1] and len(colours[0]) == 1
    assert layout["yaxis4"]["matches"] == "y3"  # states: one scale for both sides
    with pytest.raises(ValueError, match="charts must name"):
        viz.side_by_side_spec(model, go, charts=("queues",))
    assert len(viz.side_by_side(model, go, charts=("timeline",)).data) >= 2
