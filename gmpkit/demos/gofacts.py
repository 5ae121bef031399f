"""Claims about goroutines checked in real Go: costs, GOMAXPROCS, stack growth, threads over time.

Each experiment is a small Go program (its source is a constant here: print it to read it) and a
function that builds and runs it with :mod:`gmpkit.golang` and returns the figures. Where no Go
toolchain is installed, the same function returns the figures **recorded** from a real run
(``gmpkit/data/recorded_go.json``, written by ``python -m gmpkit.demos.gofacts --record``), and
says so: every result has ``live`` and ``label``.

| function | program | shows |
|---|---|---|
| :func:`goroutine_costs` | :data:`GOROUTINE_COSTS` | creating 100 000 goroutines: time, CPU time, stack and memory per goroutine; a channel ping-pong |
| :func:`gomaxprocs_now` | :data:`PROCS` | ``runtime.NumCPU()`` and ``runtime.GOMAXPROCS(0)`` |
| :func:`gomaxprocs_follows_affinity` | :data:`PROCS` | Go (1.25+) lowering GOMAXPROCS while running when the CPUs it may use shrink |
| :func:`stack_growth` | :data:`STACK_GROWTH` | a goroutine's stack growing under recursion (``MemStats.StackInuse``) |
| :func:`thread_migration` | :data:`MIGRATION` | which thread (M) ran each goroutine over time, from ``runtime/trace`` |
| :func:`cpu_bound_schedtrace` | :data:`CPU_BOUND` | ``GODEBUG=schedtrace=1`` of the model's ``cpu_bound`` scenario |
| :func:`puzzle` | :data:`PUZZLE` | ten ``go`` statements on one P print ``9 0 1 … 8`` |
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gmpkit import golang

__all__ = [
    "GoFacts", "GOROUTINE_COSTS", "PROCS", "STACK_GROWTH", "MIGRATION", "goroutine_costs",
    "gomaxprocs_now", "gomaxprocs_follows_affinity", "stack_growth", "thread_migration",
    "CPU_BOUND", "cpu_bound_schedtrace", "PUZZLE", "puzzle", "recorded", "record_all", "RECORDED_PATH",
    "live_or_recorded", "machine", "write_recording", "keep_median_trace",
]

RECORDED_PATH = Path(__file__).resolve().parent.parent / "data" / "recorded_go.json"

GOROUTINE_COSTS = """\
package main

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// cpu is the CPU time this process has used so far (user + system).
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	const n = 100_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	block := make(chan struct{}) // nobody sends: every goroutine waits here
	var started sync.WaitGroup
	started.Add(n)
	c0, t0 := cpu(), time.Now()
	for i := 0; i < n; i++ {
		go func() { started.Done(); <-block }()
	}
	started.Wait() // all n have started and are parked, or about to
	wall, used := time.Since(t0), cpu()-c0
	runtime.ReadMemStats(&after)
	fmt.Println("goroutines", runtime.NumGoroutine()-1)
	fmt.Println("create_ns", wall.Nanoseconds()/n)
	fmt.Println("create_cpu_ns", used.Nanoseconds()/n)
	fmt.Println("stack_bytes", (after.StackInuse-before.StackInuse)/n)
	fmt.Println("sys_bytes", (after.Sys-before.Sys)/n)
	close(block)

	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	c1, t1 := cpu(), time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	fmt.Println("switch_ns", time.Since(t1).Nanoseconds()/(2*n))
	fmt.Println("switch_cpu_ns", (cpu()-c1).Nanoseconds()/(2*n))
}
"""

PROCS = """\
// gmpkit builds single-file programs outside a module, where Go keeps the GODEBUG defaults of
// Go 1.20: these two lines ask for Go 1.25's cgroup-aware, self-updating GOMAXPROCS, the
// default of any program whose go.mod says go 1.25 or later.
//go:debug containermaxprocs=1
//go:debug updatemaxprocs=1
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

// Prints NumCPU and GOMAXPROCS; with an argument S, watches GOMAXPROCS for S seconds and
// prints every change.
func main() {
	fmt.Println("NumCPU", runtime.NumCPU(), "GOMAXPROCS", runtime.GOMAXPROCS(0))
	if len(os.Args) < 2 {
		return
	}
	seconds, _ := strconv.ParseFloat(os.Args[1], 64)
	start, last := time.Now(), runtime.GOMAXPROCS(0)
	for time.Since(start).Seconds() < seconds {
		time.Sleep(20 * time.Millisecond)
		if p := runtime.GOMAXPROCS(0); p != last {
			fmt.Println("change", time.Since(start).Milliseconds(), last, p, runtime.NumCPU())
			last = p
		}
	}
	fmt.Println("end", runtime.GOMAXPROCS(0))
}
"""

STACK_GROWTH = """\
package main

import (
	"fmt"
	"runtime"
)

// down recurses depth times; every frame holds 128 bytes of locals. At the bottom it reports
// how much memory all goroutine stacks use, while this one is still deep.
//
//go:noinline
func down(depth int, report func()) int64 {
	var pad [16]int64
	pad[depth%16] = int64(depth)
	if depth == 0 {
		report()
		return pad[0]
	}
	return down(depth-1, report) + pad[depth%16]
}

func main() {
	var ms runtime.MemStats
	for _, depth := range []int{0, 10, 100, 1_000, 10_000, 100_000} {
		done := make(chan uint64)
		go func() {
			down(depth, func() {
				runtime.ReadMemStats(&ms)
				done <- ms.StackInuse
			})
		}()
		fmt.Println(depth, <-done)
	}
}
"""

MIGRATION = """\
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// spin keeps a CPU busy for d.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// Four goroutines alternate 200 µs of work and 100 µs of sleep, five times, under
// runtime/trace: the trace says which thread (M) ran each goroutine each time.
func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	trace.Start(f)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				spin(200 * time.Microsecond)
				time.Sleep(100 * time.Microsecond)
			}
		}()
	}
	wg.Wait()
	trace.Stop()
	f.Close()
}
"""


CPU_BOUND = """\
package main

import (
	"sync"
	"time"
)

// The cpu_bound scenario of gmpkit in real Go: 8 goroutines that each keep a CPU busy for about
// 3 ms. Run with GOMAXPROCS=2 GODEBUG=schedtrace=1.
func main() {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := time.Now(); time.Since(start) < 3*time.Millisecond; {
			}
		}()
	}
	wg.Wait()
	time.Sleep(3 * time.Millisecond) // let sysmon print a last line
}
"""


PUZZLE = """\
package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Ten go statements on one P (run with GOMAXPROCS=1); each goroutine records its number.
func main() {
	runtime.Gosched() // let the runtime's own goroutines, queued at start-up, run first
	var out []string
	var wg sync.WaitGroup
	wg.Add(10)
	for i := 0; i < 10; i++ {
		go func() { out = append(out, strconv.Itoa(i)); wg.Done() }()
	}
	wg.Wait()
	fmt.Println(strings.Join(out, " "))
}
"""


@dataclass
class GoFacts:
    """What one experiment found, and where it came from: a live run or a recorded one."""

    name: str
    values: Any
    live: bool
    go_version: str
    machine: str  # e.g. "linux/amd64, 2 CPUs"
    recorded_on: str = ""  # date of the recorded run (empty when live)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``'real Go (go1.27.3, live)'`` or ``'real Go (go1.27.3), recorded on ...'``."""
        if self.live:
            return f"real Go ({self.go_version}, live on this machine)"
        return (f"real Go ({self.go_version}), RECORDED on {self.recorded_on} ({self.machine}): "
                "no Go toolchain here")


def machine() -> str:
    """This machine, as a recording names it: ``linux/x86_64, 2 CPUs``."""
    import platform

    return f"{sys.platform}/{platform.machine()}, {os.cpu_count()} CPUs"


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GOMAXPROCS", None)  # a user setting would switch Go's automatic updates off
    env.pop("GODEBUG", None)
    return env


def _live(name: str, values: Any) -> GoFacts:
    return GoFacts(name, values, True, golang.find_go().version, machine())


def recorded(name: str, path: Path = RECORDED_PATH) -> GoFacts:
    """The recorded result of experiment ``name`` in the recording at ``path`` (raises KeyError
    if none was recorded)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = data["experiments"][name]
    return GoFacts(name, entry["values"], False, data["go_version"], data["machine"],
                   data["recorded_on"], list(entry.get("notes", [])))


def live_or_recorded(name: str, run: Any, prefer_recorded: bool,
                     path: Path = RECORDED_PATH) -> GoFacts:
    """``run()`` in real Go when a toolchain is here (and ``prefer_recorded`` is false), else
    experiment ``name`` as recorded at ``path``."""
    if prefer_recorded or not golang.go_available():
        return recorded(name, path)
    return _live(name, run())


def _pairs(stdout: str) -> dict[str, int]:
    return {k: int(v) for k, v in (line.split() for line in stdout.splitlines() if line.strip())}


def _run_costs() -> dict[str, Any]:
    result = golang.run_go(GOROUTINE_COSTS, timeout=120)
    if not result.ok:
        raise RuntimeError(f"the goroutine-costs program failed:\n{result.stderr}")
    return _pairs(result.stdout)


def goroutine_costs(runs: int = 3, prefer_recorded: bool = False) -> GoFacts:
    """``runs`` runs of :data:`GOROUTINE_COSTS`: ``values`` is a list of dicts, one per run, with
    ``goroutines``, ``create_ns``, ``create_cpu_ns``, ``stack_bytes``, ``sys_bytes``,
    ``switch_ns``, ``switch_cpu_ns`` (per goroutine or per hand-over)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    return live_or_recorded("goroutine_costs", lambda: [_run_costs() for _ in range(runs)],
                             prefer_recorded)


def gomaxprocs_now(prefer_recorded: bool = False) -> GoFacts:
    """``values``: ``{"NumCPU": n, "GOMAXPROCS": p}`` as a Go program sees them here (no
    GOMAXPROCS in its environment)."""
    def run() -> dict[str, int]:
        prog = golang.build_go(PROCS)
        out = subprocess.run([str(prog.binary)], capture_output=True, text=True, timeout=60,
                             env=_clean_env()).stdout.split()
        return {out[0]: int(out[1]), out[2]: int(out[3])}

    return live_or_recorded("gomaxprocs_now", run, prefer_recorded)


def _set_affinity_of_all_threads(pid: int, cpus: set[int]) -> int:
    """Set the CPU mask of every thread of process ``pid`` (``taskset -a``); returns how many."""
    count = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(task), cpus)
            count += 1
        except (ProcessLookupError, PermissionError, OSError):
            pass
    return count


def affinity_demo_possible() -> str:
    """Empty when :func:`gomaxprocs_follows_affinity` can run live here, else why not."""
    if not golang.go_available():
        return "no Go toolchain"
    if not (sys.platform.startswith("linux") and hasattr(os, "sched_setaffinity")):
        return "changing a running program's CPU mask needs Linux"
    if len(os.sched_getaffinity(0)) < 2:
        return "this process may use only one CPU, so there is nothing to take away"
    return ""


def gomaxprocs_follows_affinity(after_s: float = 0.5, watch_s: float = 3.0,
                                prefer_recorded: bool = False) -> GoFacts:
    """Start :data:`PROCS` watching GOMAXPROCS; after ``after_s`` take away all CPUs but one
    from every thread of it (what ``taskset -a -p`` does). Go's sysmon re-reads the CPU count
    and cgroup limit about once a second (``sysmonUpdateGOMAXPROCS``) and lowers GOMAXPROCS.

    ``values``: ``{"start": {"NumCPU", "GOMAXPROCS"}, "lowered_at_ms", "changes": [(ms, old,
    new, NumCPU)], "end": p}``.
    """
    reason = affinity_demo_possible()
    if prefer_recorded or reason:
        facts = recorded("gomaxprocs_follows_affinity")
        if reason and golang.go_available():
            facts.notes.append(f"not live here: {reason}")
        return facts
    prog = golang.build_go(PROCS)
    keep = {min(os.sched_getaffinity(0))}
    proc = subprocess.Popen([str(prog.binary), str(watch_s)], stdout=subprocess.PIPE, text=True,
                            env=_clean_env())
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        t0 = time.monotonic()
        time.sleep(after_s)
        _set_affinity_of_all_threads(proc.pid, keep)
        lowered = time.monotonic() - t0
        rest, _ = proc.communicate(timeout=watch_s + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    changes, end = [], None
    for line in rest.splitlines():
        parts = line.split()
        if parts[:1] == ["change"]:
            changes.append(tuple(int(x) for x in parts[1:]))
        elif parts[:1] == ["end"]:
            end = int(parts[1])
    values = {"start": {first[0]: int(first[1]), first[2]: int(first[3])},
              "lowered_at_ms": round(lowered * 1000), "changes": changes, "end": end}
    return _live("gomaxprocs_follows_affinity", values)


def stack_growth(prefer_recorded: bool = False) -> GoFacts:
    """``values``: list of ``(depth, StackInuse bytes)`` while one goroutine is ``depth`` calls
    deep (each frame ~160 bytes: 128 of locals plus the call's own)."""
    def run() -> list[tuple[int, int]]:
        result = golang.run_go(STACK_GROWTH, timeout=120)
        if not result.ok:
            raise RuntimeError(f"the stack program failed:\n{result.stderr}")
        return [(int(a), int(b)) for a, b in (ln.split() for ln in result.stdout.splitlines())]

    return live_or_recorded("stack_growth", run, prefer_recorded)


_RUNNING = re.compile(r"^M=(?P<m>-?\d+) P=(?P<p>-?\d+) G=-?\d+ StateTransition "
                      r"Time=(?P<t>\d+) GoID=(?P<g>\d+) \w+->Running")


def parse_running(parsed_trace: str) -> list[tuple[int, int, int, int]]:
    """(time ns, goroutine, M, P) each time a goroutine started running, from the text of
    ``go tool trace -d=parsed`` (one event per line, stacks indented below)."""
    rows = []
    for line in parsed_trace.splitlines():
        m = _RUNNING.match(line)
        if m:
            rows.append((int(m["t"]), int(m["g"]), int(m["m"]), int(m["p"])))
    t0 = rows[0][0] if rows else 0
    return [(t - t0, g, mm, p) for t, g, mm, p in rows]


def thread_migration(gomaxprocs: int = 2, prefer_recorded: bool = False) -> GoFacts:
    """Run :data:`MIGRATION` under ``runtime/trace`` and read the trace back with ``go tool
    trace -d=parsed``. ``values``: list of (time ns from the first start, goroutine id, M (the
    thread's OS id), P), one per time a goroutine started running."""
    def run() -> list[tuple[int, int, int, int]]:
        tc = golang.find_go()
        prog = golang.build_go(MIGRATION)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "trace.out"
            env = _clean_env()
            env["GOMAXPROCS"] = str(gomaxprocs)
            subprocess.run([str(prog.binary), str(out)], check=True, timeout=60, env=env)
            text = subprocess.run([str(tc.go), "tool", "trace", "-d=parsed", str(out)],
                                  capture_output=True, text=True, timeout=120, env=tc.env(),
                                  check=True).stdout
        return parse_running(text)

    return live_or_recorded("thread_migration", run, prefer_recorded)


def cpu_bound_schedtrace(gomaxprocs: int = 2, prefer_recorded: bool = False) -> GoFacts:
    """:data:`CPU_BOUND` with ``GODEBUG=schedtrace=1``: ``values`` is the list of SCHED lines."""
    def run() -> list[str]:
        # A run on a loaded machine has, once, printed no SCHED line at all: try again, and say
        # what Go printed if it never does.
        for _attempt in range(3):
            result = golang.run_go(CPU_BOUND, gomaxprocs=gomaxprocs, godebug="schedtrace=1",
                                   timeout=120)
            if result.ok and result.schedtrace_lines:
                return result.schedtrace_lines
        raise RuntimeError("the cpu_bound program printed no SCHED lines in 3 runs "
                           f"(exit code {result.exit_code}); its stderr ends:\n"
                           f"{result.stderr[-2000:]}")

    return live_or_recorded("cpu_bound_schedtrace", run, prefer_recorded)


def puzzle(runs: int = 5, prefer_recorded: bool = False) -> GoFacts:
    """:data:`PUZZLE` with GOMAXPROCS=1, ``runs`` times: ``values`` is the list of outputs."""
    def run() -> list[str]:
        prog = golang.build_go(PUZZLE)
        return [prog.run(gomaxprocs=1, timeout=60).stdout.strip() for _ in range(runs)]

    return live_or_recorded("puzzle", run, prefer_recorded)


def costs_table(facts: GoFacts) -> Any:
    """The runs of :func:`goroutine_costs` as a table (one row per run; times in µs or ns,
    memory in bytes), best run first."""
    import pandas as pd

    rows = [{"create + start (µs)": r["create_ns"] / 1000,
             "CPU per create (µs)": r["create_cpu_ns"] / 1000,
             "stack in use (bytes)": r["stack_bytes"],
             "memory from the OS (bytes)": r["sys_bytes"],
             "hand-over (ns)": r["switch_ns"]} for r in facts.values]
    table = pd.DataFrame(rows).sort_values("create + start (µs)").reset_index(drop=True)
    table.index = [f"run {i + 1}" for i in range(len(table))]
    return table


def stack_table(facts: GoFacts) -> Any:
    """:func:`stack_growth` as a table: depth, all goroutine stacks in use (KiB), and the growth
    above the shallow run, i.e. this goroutine's extra stack."""
    import pandas as pd

    base = facts.values[0][1]
    return pd.DataFrame([{"recursion depth": d, "StackInuse (KiB)": b / 1024,
                          "grown by (KiB)": (b - base) / 1024} for d, b in facts.values]
                        ).set_index("recursion depth")


def record_all(path: Path = RECORDED_PATH) -> dict[str, Any]:
    """Run every experiment live and write the results to ``path`` (for machines without Go)."""
    experiments = {
        "goroutine_costs": goroutine_costs(runs=3),
        "gomaxprocs_now": gomaxprocs_now(),
        "gomaxprocs_follows_affinity": gomaxprocs_follows_affinity(),
        "stack_growth": stack_growth(),
        "thread_migration": thread_migration(),
        "cpu_bound_schedtrace": cpu_bound_schedtrace(),
        "puzzle": puzzle(),
    }
    return write_recording(path, experiments, "python -m gmpkit.demos.gofacts --record")


def write_recording(path: Path, experiments: dict[str, GoFacts], how: str) -> dict[str, Any]:
    """Write live ``experiments`` to the recording at ``path`` (``how``: the command that
    records them again). Nothing is written if any of them is not live."""
    not_live = [k for k, v in experiments.items() if not v.live]
    if not_live:
        raise RuntimeError(f"could not run live (nothing written): {not_live}")
    data = {
        "go_version": golang.find_go().version,
        "machine": machine(),
        "recorded_on": time.strftime("%Y-%m-%d"),
        "how": how,
        "experiments": {k: {"values": v.values} for k, v in experiments.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data


def keep_median_trace(run: Any, path: Path, runs: int = 3) -> Path:
    """Trace ``runs`` real-Go runs (``run()`` returns a ``GoTrace``) and save the one of median
    length at ``path``: a machine shared with other work stretches some runs."""
    traces = sorted((run() for _ in range(runs)), key=lambda t: t.end_ns())
    return traces[len(traces) // 2].save(path)

if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        written = record_all()
        print(f"recorded {len(written['experiments'])} experiments to {RECORDED_PATH}")
    else:
        print(__doc__)
        print("usage: python -m gmpkit.demos.gofacts --record")
