"""Reading a run for chapters 4 and 5: who ran where, from the model's trace and from real Go's.

Everything here reads the public tables of a recorded run (``trace.events``, ``trace.spans``,
``trace.goroutines``), the same ones a learner can open, and returns small pandas tables:

- :func:`runs_of` — each stretch one goroutine ran: when, on which P and which M, and why there;
- :func:`threads_per_goroutine` / :func:`goroutines_per_thread` — G and M are many-to-many;
- :func:`real_threads_per_goroutine` — the same from real Go's ``runtime/trace`` (see
  :func:`gmpkit.demos.gofacts.thread_migration`);
- :func:`finish_order` — for each goroutine: where and when it started and ended;
- :func:`goroutines_that_ran` — user and runtime goroutines that ran at least once;
- :func:`cpu_time_ms` — the CPU time the goroutines' running stretches add up to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["runs_of", "threads_per_goroutine", "goroutines_per_thread",
           "real_threads_per_goroutine", "finish_order", "goroutines_that_ran", "cpu_time_ms"]


def _starts(trace: Any) -> pd.DataFrame:
    ev = trace.events
    return ev[ev.event == "GoStart"]


def runs_of(trace: Any, g: int) -> pd.DataFrame:
    """Every time goroutine ``g`` started running: virtual time (ms), P, M and the source the
    scheduler took it from."""
    starts = _starts(trace)
    rows = starts[starts.g == g][["time_ms", "p", "m", "source"]]
    return rows.rename(columns={"time_ms": "started at (ms)"}).reset_index(drop=True)


def _names(trace: Any) -> dict[int, str]:
    gs = trace.goroutines
    return dict(zip(gs.g, gs.name))


def threads_per_goroutine(trace: Any, user_only: bool = True) -> pd.DataFrame:
    """For each goroutine: how many times it started, and the Ms (threads) it ran on, in order
    of first use."""
    starts = _starts(trace)
    names = _names(trace)
    rows = []
    for g, group in starts.groupby("g", sort=True):
        if user_only and g not in names:
            continue
        ms = list(dict.fromkeys(int(m) for m in group.m))
        rows.append({"goroutine": f"G{g}", "name": names.get(g, "runtime"),
                     "starts": len(group), "threads (Ms) it ran on": " ".join(f"M{m}" for m in ms),
                     "distinct Ms": len(ms)})
    return pd.DataFrame(rows).set_index("goroutine")


def goroutines_per_thread(trace: Any) -> pd.DataFrame:
    """For each M: the goroutines it ran, in order of first run."""
    starts = _starts(trace)
    rows = []
    for m, group in starts.groupby("m", sort=True):
        gs = list(dict.fromkeys(int(g) for g in group.g))
        rows.append({"thread": f"M{m}", "goroutines it ran": " ".join(f"G{g}" for g in gs),
                     "distinct Gs": len(gs)})
    return pd.DataFrame(rows).set_index("thread")


def real_threads_per_goroutine(running: Iterable[tuple[int, int, int, int]],
                               min_starts: int = 2) -> pd.DataFrame:
    """The same table from real Go: ``running`` is (time ns, goroutine id, M = OS thread id, P)
    per start (:func:`gmpkit.demos.gofacts.parse_running`). Threads are renamed M0, M1 ... in
    order of first appearance (Go's trace names them by OS thread id)."""
    running = list(running)
    alias: dict[int, str] = {}
    for _, _, m, _ in running:
        alias.setdefault(m, f"M{len(alias)}")
    per_g: dict[int, list[str]] = {}
    count: dict[int, int] = {}
    for _, g, m, _ in running:
        per_g.setdefault(g, [])
        if alias[m] not in per_g[g]:
            per_g[g].append(alias[m])
        count[g] = count.get(g, 0) + 1
    rows = [{"goroutine": f"G{g}", "starts": count[g], "threads (Ms) it ran on": " ".join(ms),
             "distinct Ms": len(ms)} for g, ms in sorted(per_g.items()) if count[g] >= min_starts]
    return pd.DataFrame(rows).set_index("goroutine")


def finish_order(trace: Any) -> pd.DataFrame:
    """For each user goroutine other than main: the P and M it first started on, and the
    virtual times (ms) it first started and finished, sorted by finish."""
    spans = trace.spans
    gs = trace.goroutines
    rows = []
    for g, name in zip(gs.g, gs.name):
        if g == 1:
            continue
        mine = spans[spans.g == g]
        if mine.empty:
            continue
        first = mine.iloc[0]
        rows.append({"goroutine": f"G{g}", "name": name, "P": f"P{int(first.p)}",
                     "M": f"M{int(first.m)}", "started (ms)": round(mine.start.min() / 1e6, 3),
                     "finished (ms)": round(mine.end.max() / 1e6, 3)})
    return pd.DataFrame(rows).sort_values("finished (ms)").set_index("goroutine")


def goroutines_that_ran(trace: Any) -> dict[str, int]:
    """How many goroutines ran at least once: ``user`` (main and the program's), ``runtime``
    (the runtime's own helpers: force gc, sweeper, scavenger, GOMAXPROCS updater) and ``all``."""
    ran = set(int(g) for g in _starts(trace).g)
    user = set(int(g) for g in trace.goroutines.g)
    return {"user": len(ran & user), "runtime": len(ran - user), "all": len(ran)}


def cpu_time_ms(trace: Any, user_only: bool = True) -> float:
    """Virtual milliseconds the goroutines spent running, summed over every stretch (main
    included): the CPU time the program used, whichever P it ran on."""
    spans = trace.spans
    spans = spans[spans.kind == "run"]
    if user_only:
        spans = spans[spans.g.isin(set(trace.goroutines.g))]
    return float((spans.end - spans.start).sum()) / 1e6
