"""Chapter 6's experiments: work stealing, spinning threads, syscall handoff, the netpoller.

Every function here runs a small program in the model (or reads a run the notebook made) and
returns a table or a figure; the notebook shows them and the prose quotes what they measured.
Each mechanism is run with its teaching switch on (Go's behaviour) and off, so the difference
is measured, not described:

| function | switch | measures |
|---|---|---|
| :func:`steal_table` | — | every steal of a run: thief, victim, how many of how many, round |
| :func:`runnext_steal` | — | runnext is stolen only in the last round, after a short wait |
| :func:`first_victims` / :func:`visit_orders` | — | the seeded order in which a thief visits the Ps |
| :func:`completion_times` | ``stealing`` | how long a program takes against GOMAXPROCS |
| :func:`spinning_tradeoff` | ``spinning`` | how soon new work starts; CPU time spent spinning |
| :func:`spin_decisions` | — | each decision to spin, with the bound it was checked against |
| :func:`syscall_story` / :func:`handoff_rules` | — | one blocking syscall: retake, handoffp's rule, the new thread |
| :func:`exit_paths` | — | which way ``exitsyscall`` goes for short and long syscalls |
| :func:`handoff_throughput` | ``handoff`` | CPU work done while other goroutines sit in syscalls |
| :func:`threads_for_waits` | ``netpoller`` | threads for 1,000 waits on the network or in syscalls |
| :func:`thread_limit` | — | Go's ``thread exhaustion`` error at a thread limit |

The real-Go experiments of the chapter (threads under blocking syscalls, the netpoller, the
thread limit, schedtrace) are :func:`go_threads` and :func:`go_syscall_trace`; without a Go
toolchain they return runs recorded with the package (``gmpkit/data/recorded_go_stealing.json``,
``gmpkit/data/gotrace_ch06_syscalls_p2.txt.gz``), labelled as recorded.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

import gmpkit as gk
from gmpkit import golang, scenarios
from gmpkit.demos import gofacts
from gmpkit.demos.gofacts import GoFacts, live_or_recorded

__all__ = [
    "steal_table", "first_worker_steal", "runnext_steal", "first_victims", "visit_orders", "completion_times",
    "completion_chart", "spinning_tradeoff", "spin_decisions", "syscall_story", "handoff_rules",
    "exit_paths", "handoff_throughput", "threads_for_waits", "thread_limit", "spin_bound",
    "first_steal", "exits_after", "handoff_rule_for", "midway", "THREADS_GO", "go_threads",
    "go_threads_table", "range_text",
    "go_syscall_trace", "RECORDED_PATH", "SYSCALL_TRACE_PATH", "record_all",
]

Main = Callable[..., Coroutine[Any, Any, None]]

# ---------------------------------------------------------------------------------------------
# Reading steals off a run
# ---------------------------------------------------------------------------------------------


def steal_table(trace: Any) -> pd.DataFrame:
    """One row per steal of a recorded run: when, the thief (P and M), the victim, how many
    goroutines it took of how many were queued, in which of the 4 rounds, from the local queue
    or runnext, the goroutine the thief then runs (the last one taken), and whose it is: the
    program's or one of the runtime's own (those are stolen at start-up)."""
    ev = trace.events
    program = set(int(g) for g in trace.goroutines.g)
    rows = []
    kinds = ev["event"].tolist()
    for i in ev.index[ev["event"] == "Steal"]:
        e = ev.loc[i]
        args = dict(zip(("victim_p", "n", "had", "round") if e.rule == "runqsteal"
                        else ("victim_p", "round"), e.args))
        runs = m = None
        for j in range(i + 1, min(i + 12, len(ev))):
            if kinds[j] == "GoStart" and ev.at[j, "p"] == e.p:
                runs, m = int(ev.at[j, "g"]), int(ev.at[j, "m"])
                break
        runnext = e.rule == "runqsteal-runnext"
        rows.append({"at (ms)": round(float(e.time_ms), 5), "thief": f"P{int(e.p)}",
                     "M": f"M{m}" if m is not None else "",
                     "victim": f"P{args['victim_p']}",
                     "took": 1 if runnext else args["n"],
                     "of": "runnext" if runnext else args["had"],
                     "round": f"{args['round']} of 4",
                     "from": "runnext" if runnext else "local queue",
                     "then runs": f"G{runs}" if runs is not None else "",
                     "whose": "program" if runs in program else "runtime"})
    return pd.DataFrame(rows)


def first_worker_steal(trace: Any) -> dict[str, Any]:
    """The first steal from a local queue that took goroutines of the program (not one of the
    runtime's own, which are stolen at start-up): a row of :func:`steal_table`."""
    table = steal_table(trace)
    rows = table[(table["from"] == "local queue") & (table["whose"] == "program")]
    if rows.empty:
        raise ValueError("the run has no steal of the program's goroutines from a local queue")
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in rows.iloc[0].items()}


async def _work(us: int, wg: gk.WaitGroup) -> None:
    await gk.work(us=us)
    wg.done()


async def _burst(n: int, us: int, then_us: int) -> None:
    """main: start ``n`` workers of ``us`` µs in one burst, compute ``then_us`` µs itself, wait."""
    wg = gk.WaitGroup()
    wg.add(n)
    for _ in range(n):
        gk.go(_work, us, wg)
    if then_us:
        await gk.work(us=then_us)
    await wg.wait()


def first_steal(queued: int, *, gomaxprocs: int = 2, seed: int = 1) -> dict[str, Any]:
    """``main`` starts ``queued + 1`` goroutines (one ends in runnext, ``queued`` in the local
    queue) and keeps computing; an idle P's thread steals. Returns the first steal from a local
    queue (``took``, ``of``, ``round``) from the run."""
    trace = gk.run(_burst, queued + 1, 500, 2_000, gomaxprocs=gomaxprocs, seed=seed)
    return first_worker_steal(trace)


async def _record_start(starts: list[int], wg: gk.WaitGroup) -> None:
    starts.append(gk.now())
    await gk.work(us=200)
    wg.done()


async def _one_then_compute(starts: list[int]) -> None:
    """main: one ``go`` (the new goroutine sits in runnext, the local queue stays empty), then
    main computes for 1 ms without blocking."""
    wg = gk.WaitGroup()
    wg.add(1)
    gk.go(_record_start, starts, wg)
    await gk.work(ms=1)
    await wg.wait()


def runnext_steal(seed: int = 1) -> dict[str, Any]:
    """The only goroutine P0 has waiting is in its runnext slot, while main keeps P0 busy. P1's
    spinning thread finds P0's local queue empty in rounds 1-3 and takes runnext in round 4,
    after waiting ``Costs.steal_backoff_ns`` (Go: ``usleep(3)``) for P0 to run it itself.

    Returns ``round``, ``steal_ms`` (when it was taken), ``started_ms`` (when the goroutine's
    first statement ran), ``wait_us`` (the difference: the backoff plus one switch) and
    ``switch_us`` (a switch alone, for comparison)."""
    starts: list[int] = []
    trace = gk.run(_one_then_compute, starts, gomaxprocs=2, seed=seed)
    table = steal_table(trace)
    mine = table[(table["from"] == "runnext") & (table["whose"] == "program")]
    if mine.empty or not starts:
        raise RuntimeError("the runnext steal did not happen as expected")
    r = mine.iloc[0]
    at_ns = round(float(r["at (ms)"]) * 1e6)
    return {"round": int(r["round"].split()[0]), "steal_ms": float(r["at (ms)"]),
            "started_ms": starts[0] / 1e6, "wait_us": (starts[0] - at_ns) / 1e3,
            "victim": r.victim, "thief": r.thief,
            "backoff_us": trace.sched.costs.steal_backoff_ns / 1e3,
            "switch_us": trace.sched.costs.switch_ns / 1e3}


async def _spawner(workers: int, us: int, wg: gk.WaitGroup) -> None:
    inner = gk.WaitGroup()
    inner.add(workers)
    for _ in range(workers):
        gk.go(_work, us, inner)
    await inner.wait()
    wg.done()


async def fork_join(spawners: int = 2, workers: int = 8, us: int = 300) -> None:
    """main starts ``spawners`` goroutines, each of which starts ``workers`` workers of ``us``
    µs and waits for them: several Ps end up with queues, so a thief has a choice of victims."""
    wg = gk.WaitGroup()
    wg.add(spawners)
    for _ in range(spawners):
        gk.go(_spawner, workers, us, wg)
    await wg.wait()


def first_victims(seeds: Iterable[int] = range(6), *, gomaxprocs: int = 4,
                  steals: int = 6) -> pd.DataFrame:
    """For each seed: the :func:`fork_join` program with ``gomaxprocs`` Ps, and its first
    ``steals`` steals from local queues, in order, as ``thief←victim`` (the thief's P, the
    victim's). The program is the same for every seed; only the scheduler's random choices
    change, and with them which P each thief visits first."""
    rows = []
    for seed in seeds:
        trace = gk.run(fork_join, gomaxprocs=gomaxprocs, seed=seed)
        table = steal_table(trace)
        local = table[table["from"] == "local queue"].head(steals)
        rows.append({"seed": seed,
                     "steals in order (thief←victim)": "  ".join(
                         f"{r.thief}←{r.victim}" for r in local.itertuples())})
    return pd.DataFrame(rows).set_index("seed")


def visit_orders(n: int) -> list[list[int]]:
    """Every order in which a thief may visit ``n`` Ps: start at ``r % n`` and step by a number
    coprime with ``n`` (``proc.go: randomOrder.start``, ``randomEnum``); Go draws ``r`` from
    ``cheaprand`` each round, the model from its seeded random source. Not every permutation is
    possible: for 4 Ps, 8 orders of the 24."""
    coprimes = [i for i in range(1, n + 1) if math.gcd(i, n) == 1]
    orders = []
    for stride in coprimes:
        for start in range(n):
            orders.append([(start + k * stride) % n for k in range(n)])
    return orders


# ---------------------------------------------------------------------------------------------
# Stealing on and off
# ---------------------------------------------------------------------------------------------


def completion_times(procs: Iterable[int] = (1, 2, 4, 8), *, n: int = 16,
                     seed: int = 1) -> pd.DataFrame:
    """The ``cpu_bound`` scenario with ``n`` goroutines at each GOMAXPROCS, with stealing on and
    off: how long it took (virtual ms) and how many Ps ran goroutines."""
    sc = scenarios.get("cpu_bound", n=n, seed=seed)
    rows = []
    for p in procs:
        for on in (True, False):
            t = sc.run(gomaxprocs=p, stealing=on)
            run = t.spans[(t.spans.kind == "run") & t.spans.g.isin(set(t.goroutines.g) - {1})]
            rows.append({"GOMAXPROCS": p, "stealing": "on" if on else "off",
                         "took (ms)": round(t.now_ns / 1e6, 3),
                         "Ps that ran workers": run.p.nunique()})
    return pd.DataFrame(rows)


def completion_chart(table: pd.DataFrame) -> Any:
    """The table of :func:`completion_times` as a chart: time against GOMAXPROCS, one line per
    setting of the switch."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for setting, dash in (("on", "solid"), ("off", "dash")):
        rows = table[table.stealing == setting]
        fig.add_trace(go.Scatter(x=rows["GOMAXPROCS"], y=rows["took (ms)"], mode="lines+markers",
                                 name=f"stealing {setting}", line={"dash": dash}))
    fig.update_layout(title="How long 16 CPU-bound goroutines take", height=340,
                      xaxis={"title": "GOMAXPROCS", "type": "log", "dtick": math.log10(2)},
                      yaxis={"title": "virtual ms", "rangemode": "tozero"},
                      margin={"l": 60, "r": 20, "t": 50, "b": 50})
    return fig


# ---------------------------------------------------------------------------------------------
# Spinning threads
# ---------------------------------------------------------------------------------------------


async def _tiny(us: int, wg: gk.WaitGroup) -> None:
    await gk.work(us=us)
    wg.done()


async def trickle(n: int = 50, every_us: int = 20, us: int = 15) -> None:
    """main keeps computing and starts a short goroutine (``us`` µs) every ``every_us`` µs,
    ``n`` times: work appears on a busy P while the other Ps are idle."""
    wg = gk.WaitGroup()
    for _ in range(n):
        wg.add(1)
        gk.go(_tiny, us, wg)
        await gk.work(us=every_us)
    await wg.wait()


def _spin_cpu_us(counts: pd.DataFrame) -> float:
    """Thread time spent spinning: the number of spinning Ms integrated over virtual time."""
    dt = counts["t"].shift(-1) - counts["t"]
    return float((dt * counts["m_spinning"]).sum()) / 1e3


def spinning_tradeoff(procs: Iterable[int] = (2, 4, 8), *, n: int = 50, every_us: int = 20,
                      us: int = 15, seed: int = 1) -> pd.DataFrame:
    """:func:`trickle` at each GOMAXPROCS with spinning on and off. Columns: how long a new
    goroutine waited before it started (mean and worst, µs), thread time spent spinning (µs),
    idle threads woken, spins that found nothing, and how long the program took (ms)."""
    rows = []
    for p in procs:
        for on in (True, False):
            t = gk.run(trickle, n, every_us, us, gomaxprocs=p, seed=seed, spinning=on)
            ev = t.events
            user = set(t.goroutines.g) - {1}
            created = ev[(ev.event == "GoCreate") & ev.g.isin(user)].groupby("g").time_ns.min()
            started = ev[(ev.event == "GoStart") & ev.g.isin(user)].groupby("g").time_ns.min()
            wait = (started - created.reindex(started.index)) / 1e3
            rules = Counter(ev.rule)
            rows.append({"GOMAXPROCS": p, "spinning": "on" if on else "off",
                         "wait mean (µs)": round(float(wait.mean()), 1),
                         "wait worst (µs)": round(float(wait.max()), 1),
                         "spinning (thread µs)": round(_spin_cpu_us(t.counts), 1),
                         "threads woken": int((ev.event == "MWake").sum()
                                              + (ev.event == "MCreate").sum()) - 1,
                         "spins that found nothing": rules["spin-none"],
                         "took (ms)": round(t.now_ns / 1e6, 3)})
    return pd.DataFrame(rows)


def spin_bound(busy: int) -> int:
    """The most Ms that may spin at once with ``busy`` Ps not idle: an M starts spinning in
    ``findRunnable`` only while ``2 * nmspinning < busy`` (``proc.go``), so at most half the busy
    Ps, rounded up."""
    return sum(1 for k in range(busy) if 2 * k < busy)


def spin_decisions(trace: Any) -> pd.DataFrame:
    """Each time an M that ran out of work decided to spin (rule ``spin-steal``): how many Ms
    were spinning already, how many Ps were busy, and the bound it was checked against."""
    ev = trace.events
    rows = []
    for e in ev[ev.rule == "spin-steal"].itertuples():
        spinning, busy = e.args
        rows.append({"at (ms)": round(float(e.time_ms), 4), "M": f"M{int(e.m)}",
                     "already spinning": spinning, "busy Ps": busy,
                     "allowed while spinning <": busy / 2})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Blocking system calls and handoff
# ---------------------------------------------------------------------------------------------

_STORY = ("GoSysCall", "Retake", "Handoff", "MCreate", "MWake", "GoSysExit")


def syscall_story(trace: Any, g: int | None = None) -> pd.DataFrame:
    """The life of one goroutine's blocking syscall in a run (the first goroutine to make one,
    unless ``g`` is given): it enters, sysmon retakes its P and says why, ``handoffp`` decides
    with one of its rules, a thread is started for the P, and the goroutine leaves the syscall
    one way or another. Each row has the rule and the sentence behind it."""
    ev = trace.events
    calls = ev[ev.event == "GoSysCall"]
    if calls.empty:
        raise ValueError("the run has no blocking syscall")
    g = int(calls.g.iloc[0]) if g is None else g
    first = calls[calls.g == g].index[0]
    exit_ = ev[(ev.event == "GoSysExit") & (ev.g == g) & (ev.index > first)].index[0]
    enter = ev.loc[first]
    rows = [enter]
    retake = ev[(ev.event == "Retake") & (ev.g == g) & (ev.index > first) & (ev.index < exit_)]
    if len(retake):
        i = retake.index[0]
        rows.append(ev.loc[i])
        for j in range(i + 1, min(i + 4, len(ev))):
            if ev.at[j, "event"] in ("Handoff", "MCreate", "MWake"):
                rows.append(ev.loc[j])
    rows.append(ev.loc[exit_])
    table = pd.DataFrame(rows)[["time_ms", "event", "g", "m", "p", "rule", "why"]]
    return table.rename(columns={"time_ms": "at (ms)"}).reset_index(drop=True)


def handoff_rules(trace: Any) -> dict[str, int]:
    """How often each ``handoffp`` rule fired in a run (work, spin, last, idle)."""
    ev = trace.events
    return dict(Counter(ev[ev.event == "Handoff"].reason))


async def _repeat_syscalls(k: int, sys_us: int, work_us: int, wg: gk.WaitGroup) -> None:
    for _ in range(k):
        await gk.syscall(us=sys_us)
        await gk.work(us=work_us)
    wg.done()


async def syscall_loop(goroutines: int = 4, k: int = 20, sys_us: int = 50,
                       work_us: int = 20) -> None:
    """``goroutines`` goroutines each make ``k`` syscalls of ``sys_us`` µs, computing
    ``work_us`` µs after each."""
    wg = gk.WaitGroup()
    wg.add(goroutines)
    for _ in range(goroutines):
        gk.go(_repeat_syscalls, k, sys_us, work_us, wg)
    await wg.wait()


_PATHS = {"exitsyscall-fast": "fast: own P still there", "exitsyscall-oldp": "old P taken back",
          "exitsyscall-idlep": "an idle P", "exitsyscall-global": "no P: global queue"}


def exits_after(sys_us: int, *, gomaxprocs: int = 2, seed: int = 1) -> dict[str, int]:
    """How many of :func:`syscall_loop`'s 80 syscalls of ``sys_us`` µs left by each path of
    ``exitsyscall`` (keys: ``fast``, ``oldp``, ``idlep``, ``global``)."""
    t = gk.run(syscall_loop, 4, 20, sys_us, gomaxprocs=gomaxprocs, seed=seed)
    rules = Counter(t.events[t.events.event == "GoSysExit"].rule)
    return {k.removeprefix("exitsyscall-"): rules.get(k, 0) for k in _PATHS}


def exit_paths(durations_us: Iterable[int] = (1, 10, 100, 1000), *,
               gomaxprocs: int = 2) -> pd.DataFrame:
    """For syscalls of each duration: how many left by each path of ``exitsyscall``, and the
    threads the program ended with."""
    rows = []
    for us in durations_us:
        t = gk.run(syscall_loop, 4, 20, us, gomaxprocs=gomaxprocs, seed=1)
        rules = Counter(t.events[t.events.event == "GoSysExit"].rule)
        row: dict[str, Any] = {"syscall (µs)": us}
        row.update({label: rules.get(rule, 0) for rule, label in _PATHS.items()})
        row["retakes"] = int((t.events.event == "Retake").sum())
        row["threads"] = len(t.sched.allm)
        rows.append(row)
    return pd.DataFrame(rows).set_index("syscall (µs)")


async def _blocked_p0(queued: int) -> None:
    """main: queue ``queued`` goroutines on P0, then block in a 1 ms syscall."""
    wg = gk.WaitGroup()
    wg.add(queued)
    for _ in range(queued):
        gk.go(_work, 100, wg)
    await gk.syscall(ms=1)
    await wg.wait()


def handoff_rule_for(queued: int, gomaxprocs: int = 1) -> str:
    """``main`` queues ``queued`` goroutines on its P and blocks in a 1 ms syscall: the
    ``handoffp`` rule that fires when sysmon retakes the P (``work``, ``spin``, ``last`` or
    ``idle``). (With an idle P and nothing queued, sysmon leaves a syscall alone for 10 ms, so
    a 1 ms one is never retaken.)"""
    t = gk.run(_blocked_p0, queued, gomaxprocs=gomaxprocs, seed=1)
    ev = t.events
    h = ev[ev.event == "Handoff"]
    if h.empty:
        raise RuntimeError("no handoff in the run")
    return str(h.reason.iloc[0])


async def _io_loop(k: int, sys_ms: float, wg: gk.WaitGroup) -> None:
    for _ in range(k):
        await gk.syscall(ms=sys_ms)
        await gk.work(us=50)
    wg.done()


async def _cpu_job(ms: float, done: list[int], wg: gk.WaitGroup) -> None:
    await gk.work(ms=ms)
    done.append(gk.now())
    wg.done()


async def mixed(io: int = 4, k: int = 10, sys_ms: float = 5, cpu: int = 8,
                cpu_ms: float = 2, done: list[int] | None = None) -> None:
    """``io`` goroutines each make ``k`` blocking syscalls of ``sys_ms``; ``cpu`` goroutines
    compute ``cpu_ms`` each (their finishing times go to ``done``)."""
    wg = gk.WaitGroup()
    done = [] if done is None else done
    for _ in range(io):
        wg.add(1)
        gk.go(_io_loop, k, sys_ms, wg)
    for _ in range(cpu):
        wg.add(1)
        gk.go(_cpu_job, cpu_ms, done, wg)
    await wg.wait()


def handoff_throughput(*, gomaxprocs: int = 2, seed: int = 1) -> pd.DataFrame:
    """:func:`mixed` with syscall handoff on and off: when the CPU-bound goroutines were all
    done, how much CPU work per ms the program did until then, and the threads it used."""
    rows = []
    for on in (True, False):
        done: list[int] = []
        t = gk.run(mixed, 4, 10, 5, 8, 2, done, gomaxprocs=gomaxprocs, seed=seed, handoff=on)
        finished = max(done) / 1e6
        rows.append({"handoff": "on" if on else "off",
                     "CPU jobs done at (ms)": round(finished, 2),
                     "CPU ms done per ms": round(8 * 2 / finished, 2),
                     "program took (ms)": round(t.now_ns / 1e6, 2),
                     "threads": len(t.sched.allm),
                     "Ps retaken": int((t.events.event == "Retake").sum())})
    return pd.DataFrame(rows).set_index("handoff")


# ---------------------------------------------------------------------------------------------
# The netpoller, and the thread limit
# ---------------------------------------------------------------------------------------------


async def _wait_one(kind: str, ms: float, wg: gk.WaitGroup) -> None:
    if kind == "network":
        await gk.netwait(ms=ms)
    else:
        await gk.syscall(ms=ms)
    wg.done()


async def waiters(n: int = 1000, kind: str = "network", ms: float = 500) -> None:
    """``n`` goroutines each wait ``ms``: on the network (``gk.netwait``: the netpoller) or in a
    blocking syscall (``gk.syscall``)."""
    wg = gk.WaitGroup()
    wg.add(n)
    for _ in range(n):
        gk.go(_wait_one, kind, ms, wg)
    await wg.wait()


def threads_for_waits(n: int = 1000, ms: float = 500, *, gomaxprocs: int = 2) -> pd.DataFrame:
    """:func:`waiters` three ways: network waits with the netpoller, network waits with the
    ``netpoller`` switch off (each wait then blocks its thread, as a syscall does), and blocking
    syscalls. Threads at the end (Ms are never destroyed), the most goroutines parked in
    ``IO wait`` at once, and how long the program took."""
    rows = []
    for label, kind, on in (("network, netpoller on", "network", True),
                            ("network, netpoller off", "network", False),
                            ("blocking syscalls", "syscall", True)):
        t = gk.run(waiters, n, kind, ms, gomaxprocs=gomaxprocs, netpoller=on, record=False)
        rows.append({"goroutines wait": label, "threads": len(t.sched.allm),
                     "took (ms)": round(t.now_ns / 1e6, 1)})
    return pd.DataFrame(rows).set_index("goroutines wait")


def midway(n: int = 1000, kind: str = "network", ms: float = 500, *,
           gomaxprocs: int = 2) -> dict[str, Any]:
    """:func:`waiters` paused half-way through the wait: how many goroutines are in each state
    (the wait reason for parked ones, as a goroutine dump prints it) and how many threads
    exist at that moment."""
    sim = gk.Sim(waiters, n, kind, ms, gomaxprocs=gomaxprocs, record=False)
    sim.run(until_ms=ms / 2)
    states = Counter(_state_word(g) for g in sim.sched.allg if not g.system and g.goid != 1)
    return {"at_ms": ms / 2, "states": dict(states), "threads": len(sim.sched.allm),
            "gomaxprocs": gomaxprocs}


def _state_word(g: Any) -> str:
    from gmpkit.runtime2 import GStatus

    if g.status == GStatus.WAITING:
        return str(g.waitreason)
    return str(g.status.name.lower())


def thread_limit(n: int = 1000, limit: int = 100, *, gomaxprocs: int = 2) -> gk.Trace:
    """:func:`waiters` with ``n`` blocking syscalls and a thread limit of ``limit``
    (``debug.SetMaxThreads``; Go's default is 10,000): the run ends with Go's fatal error.
    Returns the run (``exit_code`` 2, Go's message in ``stderr``)."""
    return gk.run(waiters, n, "syscall", 500, gomaxprocs=gomaxprocs, max_threads=limit,
                  check=False, record=False)


# ---------------------------------------------------------------------------------------------
# Real Go
# ---------------------------------------------------------------------------------------------

RECORDED_PATH = Path(__file__).resolve().parent.parent / "data" / "recorded_go_stealing.json"
SYSCALL_TRACE_PATH = (Path(__file__).resolve().parent.parent / "data"
                      / "gotrace_ch06_syscalls_p2.txt.gz")

THREADS_GO = """\
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// threads is this process's thread count, from /proc/self/status (Linux).
func threads() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\\n") {
		if strings.HasPrefix(line, "Threads:") {
			n, _ := strconv.Atoi(strings.TrimSpace(line[len("Threads:"):]))
			return n
		}
	}
	return -1
}

// Usage: prog syscall|network N [LIMIT]. N goroutines each wait 500 ms in a blocking syscall
// or on the netpoller; main samples the thread count every 5 ms. LIMIT sets
// debug.SetMaxThreads.
func main() {
	mode := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	if len(os.Args) > 3 {
		limit, _ := strconv.Atoi(os.Args[3])
		debug.SetMaxThreads(limit)
	}
	const waitUs = 500_000
	fmt.Println("gomaxprocs", runtime.GOMAXPROCS(0))
	fmt.Println("before", threads())
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if mode == "syscall" {
				blockingSyscall(waitUs) // nanosleep, as gk.syscall (ops.go)
			} else {
				netwait(waitUs) // a non-blocking timerfd: IO wait, as gk.netwait (ops.go)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	peak := 0
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(5 * time.Millisecond):
			peak = max(peak, threads())
		}
	}
	fmt.Println("peak", peak)
	fmt.Println("after", threads())
}
"""


#: The program's files: main.go above, and the helpers the built-in scenarios' Go versions
#: share (``gmpkit/data/go_ops.go``: ``blockingSyscall``, ``netwait``).
THREADS_FILES = {"main.go": THREADS_GO,
                 "ops.go": golang.scenario_go_source("blocking_syscalls")["ops.go"]}


def _threads_run(prog: golang.GoProgram, mode: str, n: int, limit: int | None,
                 gomaxprocs: int) -> dict[str, Any]:
    args = [mode, str(n)] + ([str(limit)] if limit else [])
    r = prog.run(gomaxprocs=gomaxprocs, args=args, timeout=60)
    out: dict[str, Any] = {k: int(v) for k, v in (ln.split() for ln in r.stdout.splitlines()
                                                   if ln.strip())}
    out["exit_code"] = r.exit_code
    out["stderr"] = "\n".join(r.stderr.splitlines()[:2]) if r.exit_code else ""
    return out


def go_threads(n: int = 1000, limit: int = 100, runs: int = 3, gomaxprocs: int = 2,
               prefer_recorded: bool = False) -> GoFacts:
    """:data:`THREADS_GO` in real Go (Linux: it reads ``/proc/self/status``): ``runs`` runs of
    ``n`` goroutines waiting in blocking syscalls and on the netpoller (threads before, at the
    peak and after), and one run of the syscalls with a thread limit of ``limit`` (Go's fatal
    error). ``values``: ``{"syscall": [runs], "network": [runs], "limit": run}``."""
    def run() -> dict[str, Any]:
        prog = golang.build_go(THREADS_FILES)
        return {"n": n, "gomaxprocs": gomaxprocs,
                "syscall": [_threads_run(prog, "syscall", n, None, gomaxprocs)
                            for _ in range(runs)],
                "network": [_threads_run(prog, "network", n, None, gomaxprocs)
                            for _ in range(runs)],
                "limit": {"limit": limit, **_threads_run(prog, "syscall", n, limit, gomaxprocs)}}

    import sys

    linux = sys.platform.startswith("linux")
    return live_or_recorded("threads", run, prefer_recorded or not linux, RECORDED_PATH)


def range_text(values: Iterable[Any]) -> str:
    """``"4"`` when every value is 4, else ``"4–5"``: the spread of a few runs, for prose."""
    v = sorted(values)
    return f"{v[0]}" if v[0] == v[-1] else f"{v[0]}–{v[-1]}"


def go_threads_table(facts: GoFacts) -> pd.DataFrame:
    """:func:`go_threads`' runs as a table: how the goroutines waited, and the threads before,
    at the peak and after, one row per run."""
    rows = []
    for mode, label in (("network", "network (netpoller)"), ("syscall", "blocking syscalls")):
        for i, r in enumerate(facts.values[mode], start=1):
            rows.append({"goroutines wait": label, "run": i, "threads before": r["before"],
                         "threads at the peak": r["peak"], "threads after": r["after"]})
    return pd.DataFrame(rows).set_index(["goroutines wait", "run"])


def go_syscall_trace(prefer_recorded: bool = False) -> Any:
    """The ``blocking_syscalls`` scenario (6 goroutines, seed 1) in real Go, traced, with
    ``GODEBUG=schedtrace=1``: a :class:`gmpkit.gotrace.GoTrace` whose ``stderr`` holds Go's
    SCHED lines. Without Go, the run recorded with the package (labelled recorded)."""
    if prefer_recorded or not golang.go_available():
        tr = golang.GoTrace.load(SYSCALL_TRACE_PATH)
        tr.label = "real Go (recorded)"
        return tr
    sc = scenarios.get("blocking_syscalls", n=6, seed=1)
    tr = golang.trace_go(golang.scenario_go_source(sc.name), gomaxprocs=2,
                         godebug="schedtrace=1",
                         args=[json.dumps(sc.plan, separators=(",", ":"))], label="real Go")
    tr.program = "scenario blocking_syscalls(n=6, seed=1), GODEBUG=schedtrace=1"
    return tr


def record_all() -> None:
    """Run the chapter's real-Go experiments live and write the recordings (needs Go)."""
    gofacts.write_recording(RECORDED_PATH, {"threads": go_threads()},
                            "python -m gmpkit.demos.stealing --record")
    gofacts.keep_median_trace(go_syscall_trace, SYSCALL_TRACE_PATH)

if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["--record"]:
        record_all()
        print(f"recorded {RECORDED_PATH} and {SYSCALL_TRACE_PATH}")
    else:
        print(__doc__)
        print("usage: python -m gmpkit.demos.stealing --record")
