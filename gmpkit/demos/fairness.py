"""Chapter 7's experiments: preemption and fairness.

Each function runs a small program in the model and returns what it measured; each mechanism
is run with its teaching switch on (Go's behaviour) and off:

| function | switch | measures |
|---|---|---|
| :func:`slices` | ``preemption`` | the time slices two CPU-bound goroutines on one P alternate in |
| :func:`gosched_under_spinner` | ``preemption``, ``asyncpreemptoff`` | how long main waits for the P while a loop spins |
| :func:`pingpong_wait` | ``inherit_time`` | how long a goroutine waits behind a ping-pong pair |
| :func:`respawn_wait` / :func:`check_phases` | ``global_check``, ``runnext`` | how long a goroutine waits in the global queue behind goroutines that respawn each other; why 61 |
| :func:`gosched_order` | — | Gosched sends a goroutine to the global queue, and they take turns |
| :func:`mutex_waits` | ``mutex_starvation`` | how long a goroutine waits for a mutex a greedy one keeps taking |
| :func:`timeout_seen` | — | a timeout in a select against a channel that is always ready |

The real-Go side (:func:`go_fairness`, :func:`go_spinners_trace`) runs the same programs in Go
where a toolchain is installed and otherwise returns runs recorded with the package
(``gmpkit/data/recorded_go_fairness.json``, ``gmpkit/data/gotrace_ch07_spinners_p1.txt.gz``),
labelled as recorded.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

import gmpkit as gk
from gmpkit import golang
from gmpkit.demos import gofacts
from gmpkit.demos.gofacts import GoFacts, live_or_recorded
from gmpkit.runtime2 import GLOBAL_CHECK_TICKS

__all__ = [
    "two_spinners", "slices", "slice_summary", "slice_sentence", "gosched_under_spinner", "pingpong_wait",
    "pingpong_gosched", "respawn_wait", "respawn_table", "check_phases", "gosched_order",
    "start_sources",
    "mutex_waits", "timeout_seen", "GLOBAL_CHECK_TICKS", "FAIRNESS_GO", "SPINNERS_GO",
    "go_fairness", "go_spinners_trace", "RECORDED_PATH", "SPINNERS_TRACE_PATH", "record_all",
]

# ---------------------------------------------------------------------------------------------
# Time slices
# ---------------------------------------------------------------------------------------------


async def _compute(ms: float, calls: bool, wg: gk.WaitGroup) -> None:
    await gk.work(ms=ms, calls=calls)
    wg.done()


async def two_spinners(ms: float = 100, calls: bool = True) -> None:
    """main starts two goroutines that each compute for ``ms`` (``calls=False``: a loop with
    no function calls in it) and waits for both."""
    wg = gk.WaitGroup()
    wg.add(2)
    gk.go(_compute, ms, calls, wg)
    gk.go(_compute, ms, calls, wg)
    await wg.wait()


def slices(trace: Any) -> pd.DataFrame:
    """The running stretches of a run's goroutines other than main, in order: which goroutine,
    when it started (ms), how long it ran (ms) and why it stopped. Works on the model's traces
    and on real Go's (:class:`gmpkit.gotrace.GoTrace`)."""
    sp = trace.spans
    user = set(int(g) for g in trace.goroutines.g) - {1}
    run = sp[(sp.kind == "run") & sp.g.isin(user)]
    return pd.DataFrame({"goroutine": [f"G{int(g)}" for g in run.g],
                         "started (ms)": (run.start / 1e6).round(3).to_numpy(),
                         "ran (ms)": ((run.end - run.start) / 1e6).round(3).to_numpy(),
                         "stopped": run.end_reason.to_numpy()})


def slice_summary(table: pd.DataFrame) -> dict[str, Any]:
    """From :func:`slices`: the first turn, and the *full* turns after it (those that ended
    because sysmon preempted the goroutine, not because its work was done) with their median,
    smallest and largest (None when there was none), and how many turns there were."""
    lengths = list(table["ran (ms)"])
    full = [float(x) for i, (x, why) in enumerate(zip(lengths, table["stopped"]))
            if i > 0 and str(why).startswith("preempted")]
    return {"first": lengths[0] if lengths else None, "count": len(lengths),
            "median": statistics.median(full) if full else None,
            "smallest": min(full) if full else None,
            "largest": max(full) if full else None, "full": full}


def slice_sentence(summary: dict[str, Any], who: str = "") -> str:
    """:func:`slice_summary` as a sentence (what was measured, whatever it was)."""
    head = f"{who}: " if who else ""
    if summary["first"] is None:
        return head + "no turns at all"
    text = f"{head}{summary['count']} turns; the first lasted {summary['first']:.2f} ms"
    if summary["median"] is None:
        return text + ", and no later turn was cut short by sysmon"
    return (text + f"; the {len(summary['full'])} full turns after it "
            f"{summary['smallest']:.2f}–{summary['largest']:.2f} ms (median "
            f"{summary['median']:.2f} ms)")


async def _spin_forever(calls: bool) -> None:
    await gk.work(ms=1_000_000, calls=calls)  # a loop that never ends within the run


async def _gosched_timer(times: int, calls: bool, out: list[float]) -> None:
    """main: start a spinning goroutine, then time ``times`` calls of Gosched."""
    gk.go(_spin_forever, calls)
    await gk.sleep(ms=1)
    for _ in range(times):
        t = gk.now()
        await gk.gosched()
        out.append((gk.now() - t) / 1e6)


def gosched_under_spinner(times: int = 5, limit_ms: float = 200) -> pd.DataFrame:
    """One P: a goroutine spins in a loop; main calls ``Gosched`` ``times`` times and measures
    how long each call takes to come back (it must wait for the P). Four settings: Go's
    (asynchronous preemption), ``asyncpreemptoff=1`` with a loop that makes calls,
    ``asyncpreemptoff=1`` with a call-free loop (Go before 1.14), and sysmon's preemption
    switched off. A run that never gives main the P is stopped at ``limit_ms``."""
    rows = []
    for label, calls, godebug, preemption in (
            ("Go 1.27: async preemption", False, "", True),
            ("asyncpreemptoff=1, the loop makes calls", True, "asyncpreemptoff=1", True),
            ("asyncpreemptoff=1, a call-free loop (Go before 1.14)", False,
             "asyncpreemptoff=1", True),
            ("preemption switched off", True, "", False)):
        out: list[float] = []
        try:
            gk.run(_gosched_timer, times, calls, out, gomaxprocs=1, godebug=godebug,
                   preemption=preemption, until_ms=limit_ms, record=False)
            waits = " ".join(f"{x:.2f}" for x in out)
        except gk.SimulationLimit:
            waits = f"never: still waiting when the run was stopped at {limit_ms:g} ms"
        rows.append({"setting": label, "each Gosched came back after (ms)": waits})
    return pd.DataFrame(rows).set_index("setting")


# ---------------------------------------------------------------------------------------------
# runnext's inherited time slice
# ---------------------------------------------------------------------------------------------


async def _pinger(a: gk.Chan, b: gk.Chan, n: list[int]) -> None:
    while True:
        await a.send(1)
        await b.recv()
        n[0] += 1


async def _ponger(a: gk.Chan, b: gk.Chan) -> None:
    while True:
        await a.recv()
        await b.send(1)


async def _other(done: gk.Chan) -> None:
    await done.send(gk.now())


async def _pair_and_other(limit_ms: float, out: dict[str, Any]) -> None:
    """main, on one P: ponger, then another goroutine, then pinger (each ``go`` puts the new
    one in runnext and moves the previous one to the local queue); main waits for the other
    goroutine to run, at most ``limit_ms``."""
    a, b, done, n = gk.Chan(), gk.Chan(), gk.Chan(1), [0]
    gk.go(_ponger, a, b)
    gk.go(_other, done)
    gk.go(_pinger, a, b, n)
    t0 = gk.now()
    i, v, _ = await gk.select(gk.recv(done), gk.recv(gk.after(ms=limit_ms)))
    out["waited_ms"] = (v - t0) / 1e6 if i == 0 else None
    out["exchanges"] = n[0]


def pingpong_wait(inherit: bool = True, limit_ms: float = 30) -> dict[str, Any]:
    """One P: a pair of goroutines ping-pong through runnext while another goroutine waits in
    the local queue. ``waited_ms``: how long it waited for the P (None: still waiting after
    ``limit_ms``), ``exchanges``: how many the pair made meanwhile. ``inherit`` is the
    ``inherit_time`` switch."""
    out: dict[str, Any] = {}
    gk.run(_pair_and_other, limit_ms, out, gomaxprocs=1, inherit_time=inherit, record=False)
    return out


async def _pair_then_gosched(times: int, out: list[tuple[float, int]]) -> None:
    a, b, n = gk.Chan(), gk.Chan(), [0]
    gk.go(_ponger, a, b)
    gk.go(_pinger, a, b, n)
    await gk.sleep(ms=5)
    for _ in range(times):
        t, before = gk.now(), n[0]
        await gk.gosched()
        out.append(((gk.now() - t) / 1e6, n[0] - before))


def pingpong_gosched(times: int = 3, inherit: bool = True) -> list[tuple[float, int]]:
    """The ping-pong pair on one P while main calls ``Gosched`` ``times`` times (go-scheduler.md
    §14 B8): for each call, how long main waited in the global queue (ms) and how many
    exchanges the pair made meanwhile."""
    out: list[tuple[float, int]] = []
    gk.run(_pair_then_gosched, times, out, gomaxprocs=1, inherit_time=inherit, record=False)
    return out


# ---------------------------------------------------------------------------------------------
# The 1-in-61 global-queue check
# ---------------------------------------------------------------------------------------------


async def _link(stop: list[bool]) -> None:
    """One link of a chain: compute 5 µs, start the next link, end."""
    if stop[0]:
        return
    await gk.work(us=5)
    gk.go(_link, stop)


async def _chains_then_gosched(out: dict[str, Any]) -> None:
    """main, on one P: start two chains of goroutines that respawn each other; after 100 µs go
    to the global queue with Gosched and measure how long it takes to get the P back."""
    stop = [False]
    gk.go(_link, stop)
    gk.go(_link, stop)
    await gk.sleep(us=100)
    t = gk.now()
    await gk.gosched()
    out["waited_ms"] = (gk.now() - t) / 1e6
    stop[0] = True


def respawn_wait(*, global_check: bool = True, runnext: bool = True, inherit_time: bool = True,
                 limit_ms: float = 100) -> dict[str, Any]:
    """:func:`_chains_then_gosched` with the given switches: ``waited_ms`` (None: main was
    still waiting when the run was stopped at ``limit_ms``), ``starts`` (goroutines started on
    the P while main waited), ``preempted`` (sysmon's preemptions meanwhile)."""
    out: dict[str, Any] = {"waited_ms": None}
    try:
        t = gk.run(_chains_then_gosched, out, gomaxprocs=1, global_check=global_check,
                   runnext=runnext, inherit_time=inherit_time, until_ms=limit_ms)
    except gk.SimulationLimit as e:
        t = e.trace
    ev = t.events
    sched = ev[(ev.event == "GoSched") & (ev.g == 1)]
    after = ev[ev.index > sched.index[0]] if len(sched) else ev.iloc[0:0]
    back = after[(after.event == "GoStart") & (after.g == 1)]
    window = after[after.index < back.index[0]] if len(back) else after
    out["starts"] = int((window.event == "GoStart").sum())
    out["preempted"] = int((window.event == "GoPreempt").sum())
    out["back by"] = (str(back.rule.iloc[0]) if len(back) else "")
    return out


_BACK_BY = {"global": "a global-queue batch", "global-61": "the 1-in-61 check",
            "global-recheck": "a global-queue batch", "": "—"}


def respawn_table(limit_ms: float = 100) -> pd.DataFrame:
    """:func:`respawn_wait` under the five settings the chapter compares."""
    rows = []
    for label, kw in (
            ("Go 1.27 (runnext, inherited slice)", {}),
            ("... with the 1-in-61 check off", {"global_check": False}),
            ("every start a fresh slice (inherit_time off)", {"inherit_time": False}),
            ("... with the 1-in-61 check off", {"inherit_time": False, "global_check": False}),
            ("no runnext (Go before 1.5)", {"runnext": False}),
            ("... with the 1-in-61 check off", {"runnext": False, "global_check": False})):
        r = respawn_wait(limit_ms=limit_ms, **kw)
        waited = (f"{r['waited_ms']:.3f}" if r["waited_ms"] is not None
                  else f"still waiting at {limit_ms:g} ms")
        rows.append({"setting": label, "main waited (ms)": waited,
                     "goroutines started meanwhile": r["starts"],
                     "sysmon preemptions": r["preempted"],
                     "main came back by": _BACK_BY.get(r["back by"], r["back by"])})
    return pd.DataFrame(rows).set_index("setting")


def check_phases(period: int, cycle: int, checks: int = 50) -> list[int]:
    """Goroutines take turns in a cycle of ``cycle`` slices; a check runs every ``period``-th
    slice. Which positions of the cycle do the first ``checks`` checks land on? With a period
    that shares a factor with the cycle they keep landing on the same few; with 61, a prime,
    on every one (for any cycle shorter than 61)."""
    return sorted({(k * period) % cycle for k in range(1, checks + 1)})


# ---------------------------------------------------------------------------------------------
# Gosched, mutex starvation, timers
# ---------------------------------------------------------------------------------------------


async def _taking_turns(i: int, rounds: int, yields: bool, out: list[str]) -> None:
    for j in range(rounds):
        out.append(f"g{i}.{j}")
        if yields:
            await gk.gosched()


async def _yielders(goroutines: int, rounds: int, yields: bool) -> None:
    out: list[str] = []
    done = gk.WaitGroup()
    for i in range(goroutines):
        done.add(1)

        async def one(i: int = i) -> None:
            await _taking_turns(i, rounds, yields, out)
            done.done()

        gk.go(one)
    await done.wait()
    gk.println(" ".join(out))


def gosched_order(rounds: int = 3, yields: bool = True,
                  goroutines: int = 3) -> tuple[list[str], gk.Trace]:
    """One P: ``goroutines`` goroutines each record ``g<i>.<j>`` ``rounds`` times, calling
    Gosched after each (``yields``) or not (go-scheduler.md §14 B3a). Returns the recorded order
    and the run."""
    t = gk.run(_yielders, goroutines, rounds, yields, gomaxprocs=1)
    return t.stdout.split(), t


def start_sources(trace: Any) -> list[tuple[str, str]]:
    """For a run of :func:`gosched_order`: every start of the recording goroutines, in order,
    as (``g<i>``, where the scheduler took it from: the rule's code, e.g. ``runnext``,
    ``local``, ``global``). ``g<i>`` is the i-th goroutine main started."""
    gs = trace.goroutines
    user = [int(g) for g in gs.sort_values("created_ms", kind="stable").g if int(g) != 1]
    label = {g: f"g{i}" for i, g in enumerate(user)}
    ev = trace.events
    starts = ev[(ev.event == "GoStart") & ev.g.isin(set(user))]
    return [(label[int(g)], str(rule)) for g, rule in zip(starts.g, starts.rule)]


async def _greedy(mu: gk.Mutex, hold_us: int, stop: list[bool]) -> None:
    while not stop[0]:
        await mu.lock()
        await gk.work(us=hold_us)
        mu.unlock()


async def _waiter(rounds: int, hold_us: int, limit_ms: float, out: list[float]) -> None:
    """main: a greedy goroutine holds the mutex ``hold_us`` at a time and takes it again at
    once; main takes it ``rounds`` times, 200 µs apart, recording each wait (ms)."""
    mu, stop = gk.Mutex(), [False]
    gk.go(_greedy, mu, hold_us, stop)
    await gk.sleep(ms=1)
    deadline = gk.now() + int(limit_ms * 1e6)
    for _ in range(rounds):
        t = gk.now()
        await mu.lock()
        out.append((gk.now() - t) / 1e6)
        mu.unlock()
        if gk.now() > deadline:
            break
        await gk.sleep(us=200)
    stop[0] = True


def mutex_waits(starvation: bool = True, rounds: int = 10, *, hold_us: int = 100,
                gomaxprocs: int = 2, limit_ms: float = 100) -> list[float] | None:
    """How long each of main's ``Lock`` calls waited (ms) against :func:`_greedy`, with the
    ``mutex_starvation`` switch on (Go since 1.9) or off. None: main never got the mutex
    before the run was stopped at ``limit_ms``."""
    out: list[float] = []
    try:
        gk.run(_waiter, rounds, hold_us, limit_ms, out, gomaxprocs=gomaxprocs,
               mutex_starvation=starvation, until_ms=limit_ms, record=False)
    except gk.SimulationLimit:
        return out or None
    return out


async def _ready_or_timeout(priority: bool, timeout_ms: float, limit_ms: float,
                            out: dict[str, Any]) -> None:
    """A loop receives from a channel that is always ready (closed) until a ``timeout_ms``
    ``time.After`` fires. ``priority``: it first tries the ready channel alone (a select with
    default), and waits on both only if that fails: the ready channel always wins."""
    ready = gk.Chan()
    ready.close()
    start = gk.now()
    timeout = gk.after(ms=timeout_ms)
    n = 0
    while gk.now() - start < limit_ms * 1e6:
        if priority:
            i, _, _ = await gk.select(gk.recv(ready), default=True)
            if i == 0:
                n += 1
                await gk.work(us=5)
                continue
        i, _, _ = await gk.select(gk.recv(ready), gk.recv(timeout))
        if i == 1:
            out.update(seen_ms=(gk.now() - start) / 1e6, iterations=n)
            return
        n += 1
        await gk.work(us=5)
    out.update(seen_ms=None, iterations=n)


def timeout_seen(priority: bool = False, *, timeout_ms: float = 1, limit_ms: float = 50,
                 gomaxprocs: int = 2, seed: int = 1) -> dict[str, Any]:
    """:func:`_ready_or_timeout` in the model: ``seen_ms`` (when the loop took the timeout;
    None: never, by ``limit_ms``) and ``iterations`` (how often it took the ready channel)."""
    out: dict[str, Any] = {}
    gk.run(_ready_or_timeout, priority, timeout_ms, limit_ms, out, gomaxprocs=gomaxprocs,
           seed=seed, record=False)
    return out


# ---------------------------------------------------------------------------------------------
# Real Go
# ---------------------------------------------------------------------------------------------

RECORDED_PATH = Path(__file__).resolve().parent.parent / "data" / "recorded_go_fairness.json"
SPINNERS_TRACE_PATH = (Path(__file__).resolve().parent.parent / "data"
                       / "gotrace_ch07_spinners_p1.txt.gz")

FAIRNESS_GO = """\
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

var sink int

// spin keeps a CPU busy for d; time.Since is a call, a cooperative preemption point.
func spin(d time.Duration) {
	for s := time.Now(); time.Since(s) < d; {
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64)
}

// gosched: a goroutine spins in a loop without calls; main times runtime.Gosched.
func gosched() {
	go func() {
		for {
			sink++
		}
	}()
	time.Sleep(time.Millisecond)
	for i := 0; i < 5; i++ {
		t := time.Now()
		runtime.Gosched()
		fmt.Println("gosched", ms(time.Since(t)))
	}
}

// pingpong: two goroutines exchange a token forever; main times runtime.Gosched and counts
// the exchanges meanwhile.
func pingpong() {
	a, b := make(chan int), make(chan int)
	var n int64
	go func() {
		for {
			b <- <-a
		}
	}()
	go func() {
		for {
			a <- 1
			<-b
			n++
		}
	}()
	time.Sleep(5 * time.Millisecond)
	for i := 0; i < 3; i++ {
		t, before := time.Now(), n
		runtime.Gosched()
		fmt.Println("pingpong", ms(time.Since(t)), n-before)
	}
}

// mutex: a goroutine holds a mutex 100 µs at a time and takes it again at once; main takes it
// 10 times, 200 µs apart, and prints how long each Lock waited.
func mutex() {
	var mu sync.Mutex
	stop := false
	go func() {
		for {
			mu.Lock()
			if stop {
				mu.Unlock()
				return
			}
			spin(100 * time.Microsecond)
			mu.Unlock()
		}
	}()
	time.Sleep(time.Millisecond)
	for i := 0; i < 10; i++ {
		t := time.Now()
		mu.Lock()
		w := time.Since(t)
		if i == 9 {
			stop = true
		}
		mu.Unlock()
		fmt.Println("mutex", ms(w))
		time.Sleep(200 * time.Microsecond)
	}
}

// timer: a loop receives from a channel that is always ready until a 1 ms time.After fires;
// with priority it tries the ready channel alone first. Gives up after 50 ms.
func timer(priority bool) {
	ready := make(chan int)
	close(ready)
	start := time.Now()
	timeout := time.After(time.Millisecond)
	n := 0
	for time.Since(start) < 50*time.Millisecond {
		if priority {
			select {
			case <-ready:
				n++
				spin(5 * time.Microsecond)
				continue
			default:
			}
		}
		select {
		case <-ready:
			n++
			spin(5 * time.Microsecond)
		case <-timeout:
			fmt.Println("timeout", ms(time.Since(start)), n)
			return
		}
	}
	fmt.Println("never", ms(time.Since(start)), n)
}

func main() {
	switch os.Args[1] {
	case "gosched":
		gosched()
	case "pingpong":
		pingpong()
	case "mutex":
		mutex()
	case "timer":
		timer(false)
	case "timer-priority":
		timer(true)
	}
}
"""

SPINNERS_GO = """\
package main

import (
	"sync"
	"time"
)

// spinCPU keeps the CPU busy until this goroutine has run for d, as gk.work does: it adds up
// the short steps of its loop and leaves out longer gaps, the time it was not running.
func spinCPU(d time.Duration) {
	last := time.Now()
	for done := time.Duration(0); done < d; {
		now := time.Now()
		if step := now.Sub(last); step < 500*time.Microsecond {
			done += step
		}
		last = now
	}
}

// Two goroutines each compute for 100 ms; run with GOMAXPROCS=1 they share one P in time
// slices.
func main() {
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spinCPU(100 * time.Millisecond)
		}()
	}
	wg.Wait()
}
"""


def _fairness_runs(prog: golang.GoProgram, mode: str, runs: int, gomaxprocs: int,
                   godebug: str = "", timeout: float = 10) -> list[dict[str, Any]]:
    out = []
    for _ in range(runs):
        r = prog.run(gomaxprocs=gomaxprocs, godebug=godebug, args=[mode], timeout=timeout)
        lines = [ln.split() for ln in r.stdout.splitlines() if ln.strip()]
        out.append({"timed_out": r.timed_out, "exit_code": r.exit_code,
                    "lines": [[float(x) for x in parts[1:]] for parts in lines],
                    "first_word": lines[0][0] if lines else ""})
    return out


def go_fairness(runs: int = 3, prefer_recorded: bool = False) -> GoFacts:
    """:data:`FAIRNESS_GO` in real Go, ``runs`` times per experiment: ``values`` maps
    ``gosched`` (one P, a call-free spinner: each Gosched's wait, ms), ``gosched_asyncoff``
    (the same with ``asyncpreemptoff=1``: stopped after 2 s), ``pingpong`` (one P: wait ms and
    exchanges per Gosched), ``mutex`` (two Ps: each Lock's wait, ms), ``timer`` and
    ``timer_priority`` (two Ps: when the timeout was seen, or never, and the iterations) to a
    list of runs, each ``{"lines": [[numbers]...], "timed_out", "exit_code", "first_word"}``."""
    def run() -> dict[str, Any]:
        prog = golang.build_go(FAIRNESS_GO)
        return {
            "gosched": _fairness_runs(prog, "gosched", runs, 1),
            "gosched_asyncoff": _fairness_runs(prog, "gosched", 1, 1, "asyncpreemptoff=1",
                                               timeout=2),
            "pingpong": _fairness_runs(prog, "pingpong", runs, 1),
            "mutex": _fairness_runs(prog, "mutex", runs, 2),
            "timer": _fairness_runs(prog, "timer", runs, 2),
            "timer_priority": _fairness_runs(prog, "timer-priority", 1, 2),
        }

    return live_or_recorded("fairness", run, prefer_recorded, RECORDED_PATH)


def go_spinners_trace(prefer_recorded: bool = False) -> Any:
    """:data:`SPINNERS_GO` in real Go with GOMAXPROCS=1, under the execution tracer: a
    :class:`gmpkit.gotrace.GoTrace` whose :func:`slices` are the time slices. Without Go, the
    run recorded with the package (labelled recorded)."""
    if prefer_recorded or not golang.go_available():
        tr = golang.GoTrace.load(SPINNERS_TRACE_PATH)
        tr.label = "real Go (recorded)"
        return tr
    tr = golang.trace_go(SPINNERS_GO, gomaxprocs=1, label="real Go")
    tr.program = "two goroutines spinning 100 ms each, GOMAXPROCS=1"
    return tr


def best_and_spread(values: Iterable[float]) -> tuple[float, float, float]:
    """(smallest, median, largest) of some measured values."""
    v = sorted(values)
    return v[0], statistics.median(v), v[-1]


def record_all() -> None:
    """Run the chapter's real-Go experiments live and write the recordings (needs Go)."""
    gofacts.write_recording(RECORDED_PATH, {"fairness": go_fairness()},
                            "python -m gmpkit.demos.fairness --record")
    gofacts.keep_median_trace(go_spinners_trace, SPINNERS_TRACE_PATH)

if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["--record"]:
        record_all()
        print(f"recorded {RECORDED_PATH} and {SPINNERS_TRACE_PATH}")
    else:
        print(__doc__)
        print("usage: python -m gmpkit.demos.fairness --record")
