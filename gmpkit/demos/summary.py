"""Chapter 8's experiments: the usual comparison table against this machine's measurements, three
claims of that table put to the test, and one program in the model and in real Go, compared.

Every figure comes from :func:`gmpkit.demos.compare.measurements` (one pass per kernel) or from a
run made when the function is called; nothing here is a stored number, except a real-Go trace
recorded for machines without Go, which says so in its label.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import gmpkit as gk
from gmpkit import golang, gotrace, scenarios
from gmpkit.demos import coroutines
from gmpkit.demos.compare import QUALITIES, Measurements, Row
from gmpkit.demos.measure import fmt, sig, times_text

#: What the usual comparison table (the course's source notes) says, in English. Keys: aspect,
#: then the first word of a row's unit.
USUAL: dict[str, dict[str, str]] = {
    "isolation 资源隔离": {"process": "completely isolated", "thread": "shares the process",
                       "coroutine": "shares its thread", "goroutine": "shares its thread"},
    "scheduled by 调度方式": {"process": "the OS", "thread": "the OS",
                          "coroutine": "user space", "goroutine": "the Go runtime"},
    "creation cost 创建开销": {"process": "large", "thread": "medium", "coroutine": "small",
                           "goroutine": "very small"},
    "communication 通信方式": {"process": "IPC (pipes, shared memory...)",
                           "thread": "shared memory", "coroutine": "shared memory",
                           "goroutine": "channels"},
    "concurrency 并发能力": {"process": "low", "thread": "medium", "coroutine": "high",
                         "goroutine": "very high"},
    "typical use 典型应用": {"process": "standalone programs", "thread": "multithreaded servers",
                         "coroutine": "async programs, crawlers",
                         "goroutine": "concurrent Go programs"},
}

#: The usual table's order of cost and capacity: process, thread, coroutine, goroutine.
_RANK = {"process": 0, "thread": 1, "coroutine": 2, "goroutine": 3}

#: What the course found about the descriptive rows (not measured in this chapter).
_NOTES: dict[str, dict[str, str]] = {
    "isolation 资源隔离": {
        "process": "holds, except that processes can share memory when they ask to",
        "thread": "holds",
        "coroutine": "holds; and they still interleave at every await that suspends",
        "goroutine": "too simple: goroutines share the whole process and run on many threads",
    },
    "scheduled by 调度方式": {
        "process": "holds", "thread": "holds (in CPython, the GIL too)",
        "coroutine": "holds: the event loop, switching only where a task awaits",
        "goroutine": "holds: M:N onto threads, with preemption",
    },
    "communication 通信方式": {
        "process": "holds", "thread": "holds, with locks",
        "coroutine": "holds; races across an await are still possible",
        "goroutine": "too simple: channels avoid races only if nothing else is shared",
    },
    "typical use 典型应用": {k: "a matter of design, not measured" for k in _RANK},
}


def _kind(unit: str) -> str:
    return unit.split()[0]


def _order_verdict(rows: list[Row], value: dict[str, float], more_is: str) -> dict[str, str]:
    """For each row: the rows whose measured order against it is the reverse of the usual
    table's (which ranks process, thread, coroutine, goroutine). ``more_is`` says what a later
    rank means: ``"less"`` (cost: later is cheaper) or ``"more"`` (capacity: later holds more)."""
    sign = -1 if more_is == "less" else 1
    out = {}
    for r in rows:
        k = _RANK[_kind(r.unit)]
        clash = [o.unit for o in rows
                 if _RANK[_kind(o.unit)] != k
                 and sign * (_RANK[_kind(o.unit)] - k) * (value[o.unit] - value[r.unit]) < 0]
        out[r.unit] = "holds" if not clash else "reversed beside " + ", ".join(clash)
    return out


def usual_vs_measured(m: Measurements, goroutines: bool = True) -> pd.DataFrame:
    """The usual table's claims, one row per (aspect, unit), beside what this machine measured
    (creation cost with the spread of its runs, and how many idle units fit in 1 GiB) or what the
    course showed, and a verdict. The measured verdicts compare the usual table's order (process
    dearest, goroutine cheapest) with this run's figures."""
    rows = m.rows(goroutines)
    create = {r.unit: r.create.best for r in rows}
    fits = {r.unit: (2**30 / (r.memory_kib * 1024) if r.memory_kib else 0.0) for r in rows}
    create_v = _order_verdict(rows, create, "less")
    fits_v = _order_verdict(rows, fits, "more")
    out = []
    for aspect, claims in USUAL.items():
        for r in rows:
            k = _kind(r.unit)
            if aspect.startswith("creation"):
                t = r.create
                seen = (f"{fmt(t.best)} (runs {fmt(t.best)}–{fmt(t.worst)}, "
                        f"spread ×{t.spread:.1f})")
                verdict = create_v[r.unit]
            elif aspect.startswith("concurrency"):
                seen = (f"about {sig(fits[r.unit], 2):,.0f} idle ones fit in 1 GiB"
                        if fits[r.unit] else "n/a")
                verdict = fits_v[r.unit]
            else:
                seen = QUALITIES[k].get(aspect, "")
                verdict = _NOTES[aspect][k]
            out.append({"aspect": aspect, "unit": r.unit, "the usual table says": claims[k],
                        "this course found": seen, "verdict": verdict})
    return pd.DataFrame(out).set_index(["aspect", "unit"])


def ratio_sentences(m: Measurements) -> list[str]:
    """How much dearer each row's creation is than the cheapest, in words (best runs)."""
    rows = m.rows(goroutines=True)
    cheapest = min(rows, key=lambda r: r.create.best)
    return [f"{r.unit}: {times_text(r.create.best / cheapest.create.best)} the {cheapest.unit}"
            for r in rows if r is not cheapest]


# ---------------------------------------------------------------------------------------------
# Three claims put to the test
# ---------------------------------------------------------------------------------------------


async def _blocked(ms: float, wg: gk.WaitGroup) -> None:
    await gk.syscall(ms=ms)
    wg.done()


async def _blocking(n: int, ms: float) -> None:
    wg = gk.WaitGroup()
    wg.add(n)
    for _ in range(n):
        gk.go(_blocked, ms, wg)
    await wg.wait()


def threads_vs_procs(n: int = 12, ms: float = 5, gomaxprocs: int = 2) -> dict[str, int]:
    """``n`` goroutines each in a ``ms`` blocking system call, at ``gomaxprocs``: the Ps, and the
    most threads (Ms) in use at once, from the model's trace."""
    tr = gk.run(_blocking, n, ms, gomaxprocs=gomaxprocs)
    return {"goroutines": n, "Ps": len(tr.sched.allp), "threads": gotrace.max_threads(tr)}


async def _talker(tokens: gk.Chan, state: dict[str, int], n: int, wg: gk.WaitGroup) -> None:
    for _ in range(n):
        await tokens.send(1)        # communicating by a channel ...
        x = state["counter"]        # ... and sharing memory as well
        await gk.gosched()
        state["counter"] = x + 1
    wg.done()


async def _channel_and_shared(n: int, out: dict[str, int]) -> None:
    tokens, wg = gk.Chan(100), gk.WaitGroup()
    state = {"counter": 0}
    wg.add(2)
    gk.go(_talker, tokens, state, n, wg)
    gk.go(_talker, tokens, state, n, wg)
    received = 0
    for _ in range(2 * n):
        received += await tokens.recv()
    await wg.wait()
    out.update(received=received, counter=state["counter"])


def channel_race(n: int = 500, gomaxprocs: int = 2) -> dict[str, int]:
    """Two goroutines each send ``n`` tokens on a channel and also add 1 to a shared counter
    (read, Gosched, write): every token arrives, but updates of the counter are lost."""
    out: dict[str, int] = {}
    gk.run(_channel_and_shared, n, out, gomaxprocs=gomaxprocs)
    return {"expected": 2 * n, **out}


def claims_tested() -> pd.DataFrame:
    """The three claims of the usual notes that this course found wrong or too simple, each
    beside an experiment run now (two in the model, one in asyncio)."""
    t = threads_vs_procs()
    c = channel_race()
    race = coroutines.run_sync(coroutines.async_race, 10, 10)
    return pd.DataFrame([
        {"claim": "the number of Ms (threads) is set with GOMAXPROCS",
         "experiment": f"{t['goroutines']} goroutines in blocking syscalls, GOMAXPROCS={t['Ps']}",
         "seen": f"{t['Ps']} Ps, up to {t['threads']} threads at once"},
        {"claim": "goroutines talk by channels, so they avoid races",
         "experiment": "two goroutines send on a channel and also update one shared counter",
         "seen": f"{c['received']} of {c['expected']} tokens arrived; the counter reached "
                 f"{c['counter']} of {c['expected']}"},
        {"claim": "coroutines are single-threaded, so they avoid races",
         "experiment": f"{race.workers} asyncio tasks, read, await, write, on one thread",
         "seen": f"the counter reached {race.final} of {race.expected}"},
    ]).set_index("claim")


# ---------------------------------------------------------------------------------------------
# One program in the model and in real Go
# ---------------------------------------------------------------------------------------------

#: The scenario chapter 8 runs in both (its default parameters were recorded for no-Go machines).
SCENARIO = "blocking_syscalls"


def model_and_go(name: str = SCENARIO, gomaxprocs: int = 2) -> tuple[Any, Any]:
    """The built-in scenario ``name`` (default parameters) run in the model and traced in real Go
    (live when Go is installed, else the recorded trace, labelled ``real Go (recorded)``)."""
    sc = scenarios.get(name)
    return sc.run(gomaxprocs=gomaxprocs), golang.trace_scenario(sc, gomaxprocs=gomaxprocs)


def _end_ms(trace: Any) -> float:
    end = trace.end_ns() if hasattr(trace, "end_ns") else trace.now_ns
    return float(end) / 1e6


def differences(model: Any, real: Any) -> pd.DataFrame:
    """What the two runs of one program show, side by side, and the deliberate difference of the
    model (docs/model.md) that explains each gap."""
    def measures(tr: Any) -> dict[str, Any]:
        ev = tr.events
        users = set(gotrace._user_ids(tr))
        return {
            "user goroutines": len(users),
            "Ps that ran a user goroutine": len(gotrace.p_goroutines(tr)),
            "most threads at once (sysmon apart)": gotrace.max_threads(tr),
            "goroutines that changed P (inferred steals)": gotrace.moves(tr),
            "system calls by user goroutines": int(((ev.event == "GoSysCall")
                                                    & ev.g.isin(users)).sum()),
            "run time (ms)": round(_end_ms(tr), 2),
        }
    a, b = measures(model), measures(real)
    why = {
        "user goroutines": "the same program: main and the same workers",
        "Ps that ran a user goroutine": "the same GOMAXPROCS",
        "most threads at once (sysmon apart)":
            "under the tracer an idle M waits in the netpoller for the trace advancer's timer "
            "instead of parking, so the next wake-up starts a new thread (docs/fidelity.md); Go "
            "also has GC workers, which the model leaves out",
        "goroutines that changed P (inferred steals)":
            "Go's Ms run in parallel and race for work; the model's steps are one at a time, so "
            "who steals first can differ",
        "system calls by user goroutines":
            "in Go, printing (fmt.Println) is a write(2) system call too; gk.println is not",
        "run time (ms)":
            "the model's time is virtual (gk.Costs); Go's is wall-clock time, with the tracer's "
            "own cost and the machine's other work in it",
    }
    return pd.DataFrame({"model": pd.Series(a, dtype=object),
                         real.label: pd.Series(b, dtype=object),
                         "why they may differ": pd.Series(why)})
