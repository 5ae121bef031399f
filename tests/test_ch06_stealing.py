"""Chapter 6's experiments (gmpkit.demos.stealing) show what the chapter says they show.

Each test names the mechanism it checks and asserts what Go does (go-scheduler.md §5.3, §5.4,
§8): a steal takes ceil(half) from the head, runnext only in the last round after the backoff,
the victim order follows the seed; stealing, spinning, handoff and the netpoller each change
the measured figure when switched off. The real-Go recordings are checked for their shape, and
with a Go toolchain the experiment runs live.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

import gmpkit as gk
from gmpkit import golang, scenarios
from gmpkit.demos import stealing
from gmpkit.lessons import ch06

REQUIRE_GO = os.environ.get("GMPKIT_REQUIRE_GO", "") not in ("", "0")
needs_go = pytest.mark.skipif(not golang.go_available() and not REQUIRE_GO,
                              reason="no Go toolchain (GMPKIT_REQUIRE_GO=1 makes this fail)")


def _cpu8() -> gk.Trace:
    return scenarios.get("cpu_bound", n=8, seed=1).run(gomaxprocs=2)


# -- stealing --------------------------------------------------------------------------------


@pytest.mark.parametrize("queued, took", [(7, 4), (9, 5), (1, 1), (16, 8)])
def test_a_steal_takes_half_rounded_up(queued: int, took: int) -> None:
    """runqgrab takes n - n/2 of the victim's local queue, in the first round."""
    s = stealing.first_steal(queued)
    assert (s["took"], s["of"], s["round"], s["victim"], s["thief"]) == (
        took, queued, "1 of 4", "P0", "P1")


def test_the_thief_takes_the_oldest_and_runs_the_last_taken() -> None:
    """§1 and §1.1: P1 takes P0's 4 oldest goroutines, runs the 4th, queues the other 3 in
    order; P0 keeps the 3 newest, and runs the one that was in its runnext."""
    trace = _cpu8()
    first = stealing.first_worker_steal(trace)
    assert (first["took"], first["of"], first["round"]) == (4, 7, "1 of 4")
    table = stealing.steal_table(trace)
    assert set(table.whose) == {"program", "runtime"}  # the runtime's start-up ones are marked
    st = gk.Stepper("cpu_bound", n=8, seed=1, gomaxprocs=2)
    st.until(lambda d: d.kind == "GoBlock" and d.g == 1 and d.reason == "sync.WaitGroup.Wait")
    before = list(st.snapshot.ps[0].runq)
    runnext = st.snapshot.ps[0].runnext
    st.until(lambda d: d.kind == "Steal" and d.rule == "runqsteal" and d.args[2] == 7)
    after = st.snapshot
    assert list(after.ps[1].runq) == before[:3]
    assert list(after.ps[0].runq) == before[4:]
    assert after.ps[0].runnext is None and after.ps[0].curg == runnext
    assert first["then runs"] == f"G{before[3]}"
    st.next_start(1)
    assert st.decision.g == before[3] and st.decision.rule == "steal"
    assert st.decisions[-2].rule == "spin-found"  # resetspinning, before the start


def test_runnext_is_stolen_in_the_last_round_after_the_backoff() -> None:
    """runqgrab: the victim's runnext only when stealing runnext is allowed (round 4), and
    after usleep(3) since the victim P is running; the goroutine starts that much later."""
    r = stealing.runnext_steal()
    assert r["round"] == 4 and (r["victim"], r["thief"]) == ("P0", "P1")
    costs = gk.Costs()
    assert r["wait_us"] == pytest.approx((costs.steal_backoff_ns + costs.switch_ns) / 1e3)
    assert r["backoff_us"] == costs.steal_backoff_ns / 1e3


def test_the_victim_order_follows_the_seed() -> None:
    """Same seed, same steals; across seeds the thieves rob different victims."""
    a = stealing.first_victims(seeds=range(6))
    assert a.equals(stealing.first_victims(seeds=range(6)))
    sequences = set(a.iloc[:, 0])
    assert len(sequences) >= 3
    victims = {s.split("←")[1] for seq in sequences for s in seq.split()}
    assert len(victims) >= 3  # several Ps had queues, and each was robbed in some run


@pytest.mark.parametrize("n, count", [(1, 1), (2, 2), (4, 8), (5, 20), (6, 12), (8, 32)])
def test_visit_orders_are_start_and_coprime_stride(n: int, count: int) -> None:
    orders = stealing.visit_orders(n)
    assert len(orders) == count == len({tuple(o) for o in orders})
    assert all(sorted(o) == list(range(n)) for o in orders)


def test_stealing_off_leaves_all_the_work_on_one_p() -> None:
    """§2: with stealing off every GOMAXPROCS takes as long as one P; with it on, each
    doubling of the Ps makes the program faster."""
    t = stealing.completion_times(procs=(1, 2, 4, 8))
    on = t[t.stealing == "on"].set_index("GOMAXPROCS")["took (ms)"]
    off = t[t.stealing == "off"].set_index("GOMAXPROCS")
    assert (off["took (ms)"] == on[1]).all() and (off["Ps that ran workers"] == 1).all()
    assert list(on) == sorted(on, reverse=True) and on[8] < on[1] / 4
    ex = ch06.stealing_off_factor(t)
    assert ex.check(float(off.loc[8, "took (ms)"] / on[8]))
    assert not ex.check(1.0)


# -- spinning --------------------------------------------------------------------------------


def test_spinning_buys_latency_and_costs_thread_time() -> None:
    """§3: with spinning a new goroutine starts within microseconds, without it waits for
    main; spinning costs thread time and wake-ups, none without."""
    t = stealing.spinning_tradeoff(procs=(2, 8)).set_index(["GOMAXPROCS", "spinning"])
    for p in (2, 8):
        on, off = t.loc[(p, "on")], t.loc[(p, "off")]
        assert on["wait mean (µs)"] * 50 < off["wait mean (µs)"]
        assert on["spinning (thread µs)"] > 0 and on["threads woken"] > 0
        assert off["spinning (thread µs)"] == 0 and off["threads woken"] == 0
        assert off["spins that found nothing"] == 0
    assert t.loc[(8, "on"), "spinning (thread µs)"] > t.loc[(2, "on"), "spinning (thread µs)"]


@pytest.mark.parametrize("busy, most", [(1, 1), (2, 1), (3, 2), (4, 2), (7, 4), (8, 4)])
def test_spin_bound_is_half_the_busy_ps_rounded_up(busy: int, most: int) -> None:
    assert stealing.spin_bound(busy) == most


def test_every_spin_decision_respects_the_bound() -> None:
    t = gk.run(stealing.trickle, gomaxprocs=8, seed=1)
    d = stealing.spin_decisions(t)
    assert len(d) > 10
    assert (2 * d["already spinning"] < d["busy Ps"]).all()
    busy = (t.counts.m_running + t.counts.m_spinning).clip(lower=1)
    assert (t.counts.m_spinning <= [stealing.spin_bound(int(b)) for b in busy]).all()


# -- syscalls and handoff ----------------------------------------------------------------------


def test_a_blocking_syscall_is_retaken_and_handed_off() -> None:
    """§4: entersyscall, sysmon's retake with its rule, handoffp's rule, a new thread for the
    P, exitsyscall; threads end above GOMAXPROCS."""
    t = scenarios.get("blocking_syscalls", n=6, seed=1).run(gomaxprocs=2)
    story = stealing.syscall_story(t)
    assert list(story.event) == ["GoSysCall", "Retake", "Handoff", "MCreate", "GoSysExit"]
    assert story.rule.iloc[1].startswith("retake-") and story.rule.iloc[2] == "handoff-work"
    assert story.rule.iloc[4].startswith("exitsyscall-")
    assert len(t.sched.allm) > 2 + 1  # more than GOMAXPROCS plus sysmon
    assert set(stealing.handoff_rules(t)) <= {"work", "spin", "last", "idle"}
    with pytest.raises(ValueError, match="no blocking syscall"):
        stealing.syscall_story(_cpu8())


def test_short_syscalls_take_the_fast_path_long_ones_the_slow_paths() -> None:
    """§4.1: sysmon never retakes on its first look (20 µs apart at best)."""
    table = stealing.exit_paths(durations_us=(1, 1000))
    short, long_ = table.loc[1], table.loc[1000]
    assert short["fast: own P still there"] == 80 and short["retakes"] == 0
    assert long_["fast: own P still there"] == 0 and long_["retakes"] > 0
    assert long_["threads"] > short["threads"]
    assert stealing.exits_after(2) == {"fast": 80, "oldp": 0, "idlep": 0, "global": 0}


@pytest.mark.parametrize("queued, rule", [(3, "work"), (0, "work")])
def test_handoff_rule_with_queued_work(queued: int, rule: str) -> None:
    """With goroutines waiting (main's three, or the runtime's own in runnext) rule 1 fires."""
    assert stealing.handoff_rule_for(queued) == rule


def test_handoff_off_collapses_the_cpu_throughput() -> None:
    """§4.2: without handoff the CPU-bound goroutines wait for the syscalls."""
    t = stealing.handoff_throughput()
    assert t.loc["off", "CPU jobs done at (ms)"] > 5 * t.loc["on", "CPU jobs done at (ms)"]
    assert t.loc["off", "Ps retaken"] == 0 < t.loc["on", "Ps retaken"]
    assert t.loc["off", "threads"] < t.loc["on", "threads"]


# -- the netpoller and the thread limit -------------------------------------------------------


def test_network_waits_need_no_threads_syscalls_need_one_each() -> None:
    """§5: 1,000 network waits on 3 threads (m0, sysmon, one for the second P); 1,000 blocking
    syscalls, or network waits without the netpoller, a thread each."""
    t = stealing.threads_for_waits(n=1000)
    assert t.loc["network, netpoller on", "threads"] == 3
    assert t.loc["network, netpoller off", "threads"] >= 1000
    assert t.loc["blocking syscalls", "threads"] >= 1000
    net = stealing.midway(n=1000, kind="network")
    assert net["states"] == {"IO wait": 1000} and net["threads"] == 3
    sys_ = stealing.midway(n=1000, kind="syscall")
    assert sys_["states"] == {"syscall": 1000} and sys_["threads"] >= 1000


def test_the_thread_limit_is_gos_fatal_error() -> None:
    t = stealing.thread_limit(n=1000, limit=100)
    assert t.exit_code == 2
    assert t.stderr.splitlines()[:2] == ["runtime: program exceeds 100-thread limit",
                                        "fatal error: thread exhaustion"]


# -- the lesson's exercises are the model's answers -------------------------------------------


def test_chapter_6_exercises_match_the_model() -> None:
    threads = len(gk.run(stealing.waiters, 1000, "network", 500, gomaxprocs=4,
                         record=False).sched.allm)
    assert threads == 4 + 1  # a thread per P once the data arrives, and sysmon
    assert ch06.ex1.check(5) and ch06.ex2.check(threads)
    assert ch06.ex3.check("fast") and ch06.ex4.check("work")


def test_spinning_section_numbers() -> None:
    """§3's answer: with spinning a new goroutine waits a few microseconds, without about a
    millisecond; more idle Ps do not shorten the wait but cost more searches."""
    t = stealing.spinning_tradeoff(procs=(2, 4, 8)).set_index(["GOMAXPROCS", "spinning"])
    waits = [t.loc[(p, "on"), "wait mean (µs)"] for p in (2, 4, 8)]
    assert max(waits) < 10 and len(set(waits)) == 1
    assert 500 < t.loc[(2, "off"), "wait mean (µs)"] < 2000
    assert t.loc[(8, "on"), "spins that found nothing"] > t.loc[(2, "on"), "spins that found nothing"]


# -- real Go ---------------------------------------------------------------------------------


def test_recorded_go_threads_show_the_same_shape() -> None:
    """The recording (used without Go): network waits on a handful of threads, 1,000 blocking
    syscalls on about 1,000, and Go's fatal error at the limit."""
    facts = stealing.go_threads(prefer_recorded=True)
    assert not facts.live and "RECORDED" in facts.label
    v = facts.values
    assert v["n"] == 1000 and len(v["syscall"]) == len(v["network"]) == 3
    assert all(r["peak"] < 10 for r in v["network"])
    # About one thread per blocked goroutine: on a loaded machine the last threads are created
    # after the first syscalls have returned (and their threads been reused), so a few fewer.
    assert all(0.8 * v["n"] <= r["peak"] <= v["n"] + 10 for r in v["syscall"])
    assert v["limit"]["exit_code"] == 2 and "thread exhaustion" in v["limit"]["stderr"]
    table = stealing.go_threads_table(facts)
    assert isinstance(table, pd.DataFrame) and len(table) == 6


def test_recorded_syscall_trace_has_schedtrace_lines() -> None:
    tr = stealing.go_syscall_trace(prefer_recorded=True)
    assert tr.label == "real Go (recorded)"
    sched = golang.parse_schedtrace(tr.stderr)
    assert len(sched) >= 3 and sched.threads.max() > 2 + 2
    assert len(tr.goroutines) == 7  # main and the six workers


@needs_go
def test_go_threads_live() -> None:
    facts = stealing.go_threads(n=300, runs=1)
    assert facts.live
    v = facts.values
    assert v["network"][0]["peak"] < 12
    assert 0.8 * 300 <= v["syscall"][0]["peak"] <= 300 + 10
    assert "thread exhaustion" in v["limit"]["stderr"]
