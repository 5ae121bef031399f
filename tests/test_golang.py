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
