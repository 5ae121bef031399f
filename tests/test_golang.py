"""gmpkit.golang: toolchain discovery, running real Go, and the one schedtrace parser."""

from __future__ import annotations

import os
import sys

import pytest

from gmpkit import golang
from gmpkit.golang import DETAIL_COLUMNS, SCHED_COLUMNS, parse_schedtrace

# Real lines from Go 1.27.3 (spec §13).
PLAIN = """\
SCHED 0ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=1 idlethreads=1 runqueue=0 [ 3 4 ] schedticks=[ 1 5 ]
some output of the program itself
SCHED 24ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=1 idlethreads=1 runqueue=2 [ 1 3 ] schedticks=[ 3 6 ]
SCHED 59ms: gomaxprocs=2 idleprocs=2 threads=22 spinningthreads=0 needspinning=0 idlethreads=0 runqueue=0 [ 0 0 ] schedticks=[ 11 15 ]
"""

DETAIL = """\
SCHED 40ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=1 idlethreads=1 runqueue=3 gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false
  P0: status=1 schedtick=2 syscalltick=0 m=0 runqsize=3 gfreecnt=0 timerslen=0
  P1: status=1 schedtick=7 syscalltick=1 m=2 runqsize=1 gfreecnt=4 timerslen=1
  M2: p=1 curg=7 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil
  M1: p=nil curg=nil mallocing=0 throwing=0 preemptoff= locks=2 dying=0 spinning=false blocked=false lockedg=nil
  G1: status=4(sync.WaitGroup.Wait) m=nil lockedm=nil
  G6: status=1() m=nil lockedm=nil
"""

# GMPKIT_REQUIRE_GO=1 (set by .ci/run, which installs Go) makes a missing toolchain fail these
# tests (GoNotFound) instead of skipping them.
REQUIRE_GO = os.environ.get("GMPKIT_REQUIRE_GO", "") not in ("", "0")
needs_go = pytest.mark.skipif(
    not golang.go_available() and not REQUIRE_GO,
    reason="no Go toolchain; install one with pip install 'gmpkit[go]'"
)


def test_plain_lines_become_rows_with_go_values():
    df = parse_schedtrace(PLAIN)
    assert list(df.columns) == SCHED_COLUMNS + DETAIL_COLUMNS
    assert df.time_ms.tolist() == [0, 24, 59]
    assert df.threads.tolist() == [4, 4, 22]
    assert df.needspinning.tolist() == [1, 1, 0]
    assert df.runqueue.tolist() == [0, 2, 0]
    assert df.local_runq.tolist() == [(3, 4), (1, 3), (0, 0)]
    assert df.schedticks.tolist() == [(1, 5), (3, 6), (11, 15)]
    assert df.gcwaiting.isna().all()
    assert str(df.threads.dtype) == "int64"


def test_detail_lines_fill_queues_from_the_p_lines():
    df = parse_schedtrace(DETAIL)
    (row,) = df.itertuples()
    assert row.runqueue == 3 and row.gcwaiting is False and row.sysmonwait is False
    assert row.local_runq == (3, 1)
    assert row.schedticks == (2, 7)
    assert [p["m"] for p in row.ps] == [0, 2]
    assert row.ps[1]["gfreecnt"] == 4
    assert [m["id"] for m in row.ms] == [2, 1]  # allm order, newest first
    assert row.ms[1]["p"] is None and row.ms[0]["preemptoff"] == ""
    assert row.ms[0]["spinning"] is False
    assert row.gs[0] == {"id": 1, "status": 4, "waitreason": "sync.WaitGroup.Wait", "m": None,
                         "lockedm": None}
    assert row.gs[1]["waitreason"] == ""


def test_parser_accepts_a_list_and_skips_foreign_lines():
    lines = ["hello", *PLAIN.splitlines(), "goroutine 1 [running]:"]
    assert len(parse_schedtrace(lines)) == 3


def test_empty_input_still_has_the_columns():
    df = parse_schedtrace("no schedtrace here\n")
    assert df.empty and list(df.columns) == SCHED_COLUMNS + DETAIL_COLUMNS


def test_a_sched_line_cut_by_program_output_is_skipped_and_reported():
    # Real interleaving seen with scheddetail: the program's write landed inside a SCHED line.
    text = "SCHED to stderr\n59ms: gomaxprocs=2 idleprocs=1\n" + DETAIL.replace("SCHED 40", "SCHED 50")
    cut = DETAIL.splitlines()
    text = cut[0][:20] + "\n" + "\n".join(cut[1:]) + "\n" + text
    df = parse_schedtrace(text)
    assert df.time_ms.tolist() == [50]  # the P/M/G lines under a broken header are not misfiled
    assert len(df.ps.iloc[0]) == 2
    assert df.attrs["malformed"] == [cut[0][:20], "SCHED to stderr"]
    with pytest.raises(ValueError, match="unrecognised schedtrace line"):
        parse_schedtrace(text, strict=True)


def test_no_go_gives_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(golang, "_FOUND", None)
    monkeypatch.setenv("GMPKIT_GO", str(tmp_path / "missing-go"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(golang.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(golang.GoNotFound, match=r"pip install 'gmpkit\[go\]'"):
        golang.find_go(refresh=True)
    assert golang._FOUND is None  # a failed search caches nothing
    assert golang.go_available() is False


def test_gmpkit_go_none_hides_an_installed_toolchain(monkeypatch):
    """GMPKIT_GO=none: find_go raises and go_available is False even with Go installed (or
    cached), and every live-or-recorded helper takes its recorded path; unsetting it brings the
    toolchain back at once."""
    from gmpkit.demos import gofacts

    found = golang._FOUND
    monkeypatch.setenv("GMPKIT_GO", "None")
    assert golang.go_switched_off()
    with pytest.raises(golang.GoNotFound, match="GMPKIT_GO=none"):
        golang.find_go()
    with pytest.raises(golang.GoNotFound, match="GMPKIT_GO=none"):
        golang.find_go(refresh=True)
    assert golang.go_available() is False
    assert golang._FOUND is found  # the switch does not forget a toolchain found before
    facts = gofacts.goroutine_costs()
    assert not facts.live and "RECORDED" in facts.label
    tr = golang.trace_scenario("cpu_bound")
    assert tr.recorded and tr.label == "real Go (recorded)"
    with pytest.raises(golang.GoNotFound, match="GMPKIT_GO=none"):
        golang.run_go("package main\nfunc main() {}\n")
    monkeypatch.delenv("GMPKIT_GO")
    assert not golang.go_switched_off()
    if found is not None:
        assert golang.go_available() is True


def test_source_text_or_path(tmp_path):
    src = "package main\n\nfunc main() {}\n"
    p = tmp_path / "x.go"
    p.write_text(src)
    assert golang._source_text(src) == src
    assert golang._source_text(p) == src
    assert golang._source_text(str(p)) == src
    with pytest.raises(FileNotFoundError):
        golang._source_text(str(tmp_path / "nope.go"))


HELLO = """\
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	fmt.Println("procs", runtime.GOMAXPROCS(0))
	if len(os.Args) > 1 && os.Args[1] == "busy" {
		t0 := time.Now()
		for time.Since(t0) < 60*time.Millisecond {
		}
	}
	if len(os.Args) > 1 && os.Args[1] == "hang" {
		for {
			time.Sleep(time.Millisecond)
		}
	}
	fmt.Fprintln(os.Stderr, "to stderr")
	os.Exit(3)
}
"""


@pytest.mark.golive
@needs_go
def test_run_go_reports_stdout_stderr_and_exit_status():
    r = golang.run_go(HELLO, gomaxprocs=3)
    assert r.stdout == "procs 3\n"
    assert r.stderr == "to stderr\n"
    assert r.exit_code == 3 and not r.timed_out and not r.ok


@pytest.mark.golive
@needs_go
def test_run_go_parses_real_schedtrace():
    r = golang.run_go(HELLO, gomaxprocs=2, godebug="schedtrace=10", args=["busy"])
    df = r.sched
    assert len(df) >= 3, r.stderr
    assert set(df.gomaxprocs) == {2}
    assert all(len(t) == 2 for t in df.local_runq)
    assert df.time_ms.is_monotonic_increasing
    assert r.schedtrace_lines[0].startswith("SCHED 0ms: gomaxprocs=2 ")


@pytest.mark.golive
@needs_go
def test_run_go_scheddetail():
    r = golang.run_go(HELLO, gomaxprocs=2, godebug="schedtrace=10,scheddetail=1", args=["busy"])
    df = r.sched
    assert len(df) >= 2, r.stderr
    assert df.gcwaiting.notna().all()
    assert all(len(ps) == 2 for ps in df.ps)
    assert any(g["id"] == 1 for g in df.gs.iloc[0])


@pytest.mark.golive
@needs_go
def test_run_go_times_out():
    r = golang.run_go(HELLO, gomaxprocs=1, args=["hang"], timeout=1.0)
    assert r.timed_out and r.exit_code == 124


@pytest.mark.golive
@needs_go
def test_go_version_and_build_errors():
    assert golang.find_go().version == golang.MODELED_GO_VERSION
    with pytest.raises(golang.GoBuildError, match="undefined"):
        golang.build_go("package main\n\nfunc main() { nope() }\n")


# ----- execution traces (gmpkit.gotrace's tables from a live run) ------------------------------

SPAWN = """\
package main

import (
	"fmt"
	"os"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
	fmt.Println("done")
	switch os.Args[1] {
	case "exit3":
		os.Exit(3)
	case "panic":
		panic("boom")
	case "fatal":
		var mu sync.Mutex
		mu.Unlock()
	}
}
"""


@pytest.mark.golive
@needs_go
@pytest.mark.parametrize("how, code", [("return", 0), ("exit3", 3), ("panic", 2)])
def test_trace_go_traces_every_ordinary_exit(how, code):
    """main returning and os.Exit run the runtime's exit hook; a panic flushes the trace itself."""
    tr = golang.trace_go(SPAWN, gomaxprocs=1, args=[how])
    assert tr.exit_code == code and tr.stdout == "done\n"
    assert len(tr.goroutines) == 6 and tr.goroutines.status.iloc[1:].eq("dead").all()
    assert tr.start_order()[:5] == ["g5", "g1", "g2", "g3", "g4"]
    assert tr.go_version == golang.MODELED_GO_VERSION and tr.label == "real Go"
    if how == "panic":
        assert tr.stderr.startswith("panic: boom")


@pytest.mark.golive
@needs_go
def test_trace_go_reports_what_it_cannot_trace():
    with pytest.raises(golang.GoTraceEmpty, match="sync: unlock of unlocked mutex"):
        golang.trace_go(SPAWN, gomaxprocs=1, args=["fatal"])
    with pytest.raises(golang.GoBuildError, match="undefined"):
        golang.trace_go("package main\n\nfunc main() { nope() }\n")
    with pytest.raises(FileNotFoundError, match="not Go source"):
        golang.trace_go("/no/such/program")


@pytest.mark.golive
@needs_go
def test_trace_go_builds_a_folder_with_a_module_and_keeps_the_raw_trace(tmp_path):
    prog = tmp_path / "prog"
    (prog / "work").mkdir(parents=True)
    (prog / "go.mod").write_text("module example.com/prog\n\ngo 1.27\n")
    (prog / "main.go").write_text('package main\n\nimport "example.com/prog/work"\n\n'
                                  "func main() { work.Spawn(3) }\n")
    (prog / "work" / "work.go").write_text(
        'package work\n\nimport "sync"\n\nfunc Spawn(n int) {\n\tvar wg sync.WaitGroup\n'
        "\tfor i := 0; i < n; i++ {\n\t\twg.Add(1)\n\t\tgo wg.Done()\n\t}\n\twg.Wait()\n}\n")
    raw = tmp_path / "trace.out"
    tr = golang.trace_go(prog, gomaxprocs=2, save_raw=raw)
    assert tr.ok and len(tr.goroutines) == 4 and tr.program == "prog/"
    again = golang.read_trace(raw, exit_code=0)
    assert again.events.equals(tr.events)
    with pytest.raises(golang.GoBuildError, match="no package main"):
        golang.trace_go(prog / "work")


@pytest.mark.golive
@needs_go
def test_trace_scenario_runs_the_same_workload_in_go():
    import gmpkit.scenarios as scn

    s = scn.get("blocking_syscalls", n=3, seed=2)
    tr = golang.trace_scenario(s, gomaxprocs=2)
    assert tr.ok and tr.program == "scenario blocking_syscalls(n=3, seed=2, syscall_ms=4.0)"
    users = tr.goroutines
    assert len(users) == 4 and set(users.name[1:]) == {"main.spawnAll.func1"}
    ev = tr.events
    assert ((ev.event == "GoSysCall") & ev.g.isin(users.g[1:])).sum() >= 3
    # Each goroutine computed at least its plan's before+after time (µs -> ms).
    cpu = users.cpu_ms.iloc[1:].sort_values().tolist()
    want = sorted((b + a) / 1000 for b, _, a in s.plan["plans"])
    assert all(c >= w * 0.9 for c, w in zip(cpu, want))


def test_scenarios_fall_back_to_their_recordings_without_go(monkeypatch):
    import gmpkit.scenarios as scn

    monkeypatch.setattr(golang, "go_available", lambda: False)
    for name in scn.names():
        tr = golang.trace_scenario(name)
        assert tr.recorded and tr.label == "real Go (recorded)" and tr.exit_code == 0
        assert tr.program == golang._scenario_label(scn.get(name)), (
            f"{name}: the recording is of other parameters; re-record: python -m gmpkit.golang")
        # The Go version has the model's goroutines (main, workers, producer, closer...).
        assert len(tr.goroutines) == len(scn.get(name).run(gomaxprocs=2).goroutines)
    with pytest.raises(golang.GoNotFound, match="no recorded real-Go trace"):
        golang.trace_scenario("cpu_bound", n=3)
    with pytest.raises(golang.GoNotFound, match="GOMAXPROCS=4"):
        golang.trace_scenario("cpu_bound", gomaxprocs=4)


def test_every_scenario_has_a_go_version_reading_its_plan():
    import gmpkit.scenarios as scn

    for name in scn.names():
        files = golang.scenario_go_source(name)
        assert "plan(&p)" in files["main.go"] and "func plan(" in files["ops.go"]
        assert scn.get(name).plan, f"{name}: the Scenario carries no plan"
    with pytest.raises(ValueError, match="unknown scenario"):
        golang.scenario_go_source("nope")
