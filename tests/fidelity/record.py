"""Re-record real Go's outputs for the fidelity scenarios and rewrite docs/fidelity.md.

    python tests/fidelity/record.py                 # record every scenario, then the report
    python tests/fidelity/record.py overflow_300     # only some scenarios (report: all)
    python tests/fidelity/record.py --report-only   # no Go needed: just rebuild the report
    python tests/fidelity/record.py --runs 20       # override each scenario's GO_RUNS
    python tests/fidelity/record.py --append x      # add runs to x's recording (more coverage)

Recording needs a Go toolchain (``pip install 'gmpkit[go]'``); the report needs only gmpkit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import harness  # noqa: E402


def record(names: list[str], runs: int | None, append: bool = False) -> None:
    from gmpkit import golang

    tc = golang.find_go()
    print(f"recording with {tc.version} ({tc.go})", file=sys.stderr)
    for name in names:
        sc = harness.load(name)
        t0 = time.monotonic()
        raws = sc.run_go(runs)
        if append and sc.expected_path.exists():
            raws = [raw for raw, n in sc.recorded() for _ in range(n)] + raws
        sc.write_expected(raws, tc.version)
        distinct = len({r.key() for r in raws})
        obs = harness.go_set(sc, [(r, 1) for r in raws])
        print(f"{name}: {len(raws)} runs, {distinct} distinct raw outputs, {len(obs)} distinct "
              f"observations, {time.monotonic() - t0:.1f} s", file=sys.stderr)


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", "<br>")
    return f"`{text}`" if "<br>" not in text and text else text


def build_report() -> tuple[str, int, int]:
    rows = []
    n_ok = n_all = 0
    for sc in harness.load_all():
        n_all += 1
        recorded = sc.recorded() if sc.expected_path.exists() else []
        try:
            sims = [sc.run_sim(seed) for seed in sc.seeds]
            v = harness.judge(sc, recorded, sims)
        except Exception as exc:  # an unfinished model must show up in the report, not abort it
            v = harness.Verdict(False, " | ".join(harness.go_set(sc, recorded)),
                                f"gmpkit error: {type(exc).__name__}: {exc}")
        if v.match:
            n_ok += 1
            status = "✅ match"
        elif sc.simplification:
            status = "⚠️ simplification"
        else:
            status = "❌ mismatch"
        why = "; ".join(x for x in (sc.simplification, sc.note, v.detail) if x)
        runs = sum(n for _, n in recorded)
        rows.append(
            f"| `{sc.name}` | {sc.kind} | {sc.spec} | {_cell(v.go)} ({runs} runs) | "
            f"{_cell(v.sim)} | {status} | {_cell(why) if why else ''} |"
        )
    version = "go1.27.3"
    for sc in harness.load_all():
        if sc.expected_path.exists():
            version = sc.load_expected().get("go_version", version)
            break
    head = f"""# Fidelity: gmpkit against real Go

Each row is one scenario in `tests/fidelity/scenarios/`: a Go program (`NAME.go`) and the same
program for gmpkit (`NAME.py`). Real Go's outputs ({version}, linux/amd64, 2 CPUs) were
recorded several times and are stored next to the programs (`NAME.expected.json`), so this table
and `tests/test_fidelity.py` need no Go toolchain. With Go installed (`pip install 'gmpkit[go]'`)
the tests also run every Go program live and check the recording is still current.

What is compared is the scenario's *observation*, computed by the same function from both sides'
stdout, stderr and exit status: by default stdout, the lines of a failure report a model can
reproduce (`panic:`, `fatal error:`, `runtime:`, `goroutine N [status]:`) and the exit status.

- **exact**: Go printed the same thing in every recorded run; gmpkit must print it for every seed.
- **oneof**: Go's output varies between runs (goroutine ids); gmpkit's must be one of Go's.
- **statistical**: timings and frequencies; Go's runs and gmpkit's must all fall within the
  stated bounds (shown in the scenario file), which are the range Go's recorded runs covered.
  Live, most of the runs (3 of 5) must fall within them: a loaded machine delays real Go's
  sysmon now and then, a changed runtime would move most runs.

How the Go programs are built and made deterministic (measured on the reference machine):
- Each program starts with `//go:debug default=go1.27`: it behaves as if built in a module that
  says `go 1.27`, as `go mod init` makes today. (`gmpkit.golang` builds single files in GOPATH
  mode, which alone would give the GODEBUG defaults of Go 1.20: among them
  `updatemaxprocs=0`, so no GOMAXPROCS updater goroutine and every later goroutine id one lower.)
- Goroutines record events in memory; output is printed once at the end.
- GOMAXPROCS is pinned through the environment, and GOTRACEBACK is set (`single` unless the
  scenario says otherwise). Calling `runtime.GOMAXPROCS(1)` first was *not* enough: the
  ten-goroutine runnext program then printed `5 0 1 2 3 4 9 6 7 8` in 14 of 100 runs (main was
  descheduled after the sixth `go`); it is deterministic only with `GOMAXPROCS=1` in the
  environment (and a first `runtime.Gosched()`: `9 0 1 … 8` in 100 of 100).
- Programs start with `runtime.Gosched()`, so runtime goroutines queued at start-up do not take
  local-queue slots (without it, 257 goroutines already overflowed the 256-slot queue).
- Where the 1-in-61 global-queue check matters (`overflow_*`), `alignSchedtick` first brings the
  P's schedtick to 1 modulo 61 whatever it was, using the check itself; the same helper runs on
  the gmpkit side, so the pair compares the mechanism, not the start-up history.
- Goroutine ids: a program that links package os (every program using fmt; gk.println stands
  for fmt.Println) has the finalizer goroutine as goroutine 6, so with one P its first user
  goroutine is 7 (`goid_with_os`); a program that links no os starts at 6 (`goid_without_os`,
  gmpkit's `links_os=False`). With two Ps main may resume on P1's goid batch (17–32) after start-up,
  so ids vary between runs: the two-P dumps (`deadlock`, `panic_goroutine`) compare ids other than
  1 as `G`, and `goroutine_ids` checks bounds and consecutiveness.

Regenerate: `python tests/fidelity/record.py` (re-records Go, then rewrites this page), or
`python tests/fidelity/record.py --report-only`; `--append` adds runs to a recording.

What changed in this version of the table:
- New pairs for what real Go prints about goroutines and failures: `goid_with_os` and
  `goid_without_os` (the finalizer goroutine of a program that links os makes its first user
  goroutine 7, not 6), `created_by_helper` (`created by` names the function that ran `go`),
  `dump_after_reuse` (a dump after a dead G was reused), `gotraceback_none`, `_single`, `_all`,
  `_system` (what each GOTRACEBACK level prints), `goexit`, `go_nil`, `makechan_negative`,
  `unlock_unlocked_mutex`.
- Every program now carries `//go:debug default=go1.27` and every scenario was recorded again:
  the goroutine ids in the recordings are one higher than before (the GOMAXPROCS updater
  goroutine exists), and `goroutine_ids` saw first user ids 7 and 19 only.
- The statistical bounds are the ranges the recorded runs covered (60 runs for the timings and
  select's shares), no longer round guesses, and a live check needs 3 of 5 runs within them.
  `syscall_threads` matches Go's 23 threads exactly, with sysmon's sleeps modelled as Linux makes
  them (50 µs timer slack).

**{n_ok} of {n_all} scenarios match.**

| scenario | kind | spec | Go output | gmpkit output | match | why / detail |
|---|---|---|---|---|---|---|
"""
    return head + "\n".join(rows) + "\n", n_ok, n_all


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("names", nargs="*", help="scenarios to re-record (default: all)")
    ap.add_argument("--runs", type=int, default=None, help="Go runs per scenario")
    ap.add_argument("--append", action="store_true",
                    help="add the new runs to the existing recordings instead of replacing them")
    ap.add_argument("--report-only", action="store_true", help="do not run Go")
    ap.add_argument("--no-report", action="store_true", help="only record")
    args = ap.parse_args(argv)
    if not args.report_only:
        record(args.names or harness.names(), args.runs, args.append)
    if not args.no_report:
        text, ok, total = build_report()
        # Keep the event-level section (written by event_level.py) below the table.
        old = harness.REPORT.read_text() if harness.REPORT.exists() else ""
        marker = "<!-- event-level: generated by tests/fidelity/event_level.py -->"
        if marker in old:
            text += "\n" + old[old.index(marker):]
        harness.REPORT.write_text(text)
        print(f"wrote {harness.REPORT} ({ok}/{total} match)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
