"""Chapter 7's experiments (gmpkit.demos.fairness) show what the chapter says they show.

Each test names the rule it checks and asserts what Go 1.27.3 does (go-scheduler.md §5.2, §7,
§9.5, §14 B3, B7, B8): sysmon's slices, safe points, runnext's shared slice, the 1-in-61 check,
Gosched's round robin, mutex starvation mode, select's random choice; each teaching switch
changes the measured figure. The real-Go recordings are checked for their shape, and with a Go
toolchain the experiments run live.
"""

from __future__ import annotations

import os

import pytest

import gmpkit as gk
from gmpkit import golang
from gmpkit.demos import fairness
from gmpkit.lessons import ch07

REQUIRE_GO = os.environ.get("GMPKIT_REQUIRE_GO", "") not in ("", "0")
needs_go = pytest.mark.skipif(not golang.go_available() and not REQUIRE_GO,
                              reason="no Go toolchain (GMPKIT_REQUIRE_GO=1 makes this fail)")


def test_two_spinners_alternate_in_sysmon_slices() -> None:
    """§1: the first slice ends at sysmon's first look ≥ 10 ms after it began (sooner than a
    steady slice: sysmon still wakes often); the steady slices are two of its 10 ms sleeps
    (each a little longer: the timer slack)."""
    t = fairness.slices(gk.run(fairness.two_spinners, gomaxprocs=1))
    s = fairness.slice_summary(t)
    assert 10 < s["first"] < s["smallest"]
    assert s["smallest"] == pytest.approx(20, abs=0.3) and s["largest"] == pytest.approx(20,
                                                                                         abs=0.3)
    assert len(set(t.goroutine)) == 2
    gs = list(t.goroutine)
    assert all(a != b for a, b in zip(gs[:-2], gs[1:-1]))  # they take turns
    assert t["stopped"].iloc[0].startswith("preempted by sysmon")


def test_without_preemption_each_runs_to_the_end() -> None:
    t = fairness.slices(gk.run(fairness.two_spinners, gomaxprocs=1, preemption=False))
    assert list(t["ran (ms)"].round(1)) == [100.0, 100.0]
    assert ch07.ex1.check(float(t["started (ms)"].iloc[1])) and not ch07.ex1.check(11.2)


def test_the_stepper_stops_at_sysmons_preemption_request() -> None:
    st = gk.Stepper(fairness.two_spinners, gomaxprocs=1)
    st.until(lambda d: d.kind == "PreemptRequest")
    assert st.decision.rule == "preempt" and 10 < st.decision.t / 1e6 < 20
    since, tick, signal = st.decision.args
    assert st.decision.t - since >= 10_000_000 and signal is True


def test_safe_points_async_and_cooperative() -> None:
    """§1.2 (go-scheduler.md §14 B7): a Gosched under a spinner comes back after a slice with
    async preemption, or with asyncpreemptoff if the loop makes calls; never with a call-free
    loop and asyncpreemptoff, nor without sysmon's preemption."""
    t = fairness.gosched_under_spinner(times=3, limit_ms=100)
    col = t.columns[0]
    rows = list(t[col])
    for waits in rows[:2]:
        assert [float(x) for x in waits.split()] == pytest.approx([20, 20, 20], abs=0.3)
    for never in rows[2:]:
        assert never.startswith("never")


def test_inherited_slice_lets_sysmon_break_a_pingpong_pair() -> None:
    """§2: with inheritance the goroutine behind the pair waits one (first) slice; without,
    schedtick moves at every hand-off, sysmon never preempts, it waits forever."""
    on = fairness.pingpong_wait(inherit=True, limit_ms=20)
    assert on["waited_ms"] is not None and 10 < on["waited_ms"] < 20 and on["exchanges"] > 1000
    off = fairness.pingpong_wait(inherit=False, limit_ms=20)
    assert off["waited_ms"] is None and off["exchanges"] > on["exchanges"]


def test_pingpong_gosched_waits_a_slice() -> None:
    """go-scheduler.md §14 B8: main's Gosched under a ping-pong pair waits about a slice; with
    fresh slices the 1-in-61 check lets it back within a few exchanges."""
    with_inherit = fairness.pingpong_gosched(times=2)
    assert all(ms > 10 and n > 10_000 for ms, n in with_inherit)
    assert with_inherit[1][0] == pytest.approx(20, abs=0.3)
    fresh = fairness.pingpong_gosched(times=2, inherit=False)
    assert all(ms < 0.1 and n <= fairness.GLOBAL_CHECK_TICKS for ms, n in fresh)


def test_the_1_in_61_check_is_what_saves_the_global_queue_from_fresh_slices() -> None:
    """§3: with runnext's shared slice sysmon frees main (the check never comes round); with
    fresh slices only the check does, within 61 starts; with it off main starves."""
    go = fairness.respawn_wait()
    assert go["waited_ms"] > 10 and go["preempted"] >= 1
    assert fairness.respawn_wait(global_check=False)["waited_ms"] == go["waited_ms"]
    for kw in ({"runnext": False}, {"inherit_time": False}):
        fresh = fairness.respawn_wait(**kw)
        assert fresh["waited_ms"] < 1 and fresh["starts"] <= fairness.GLOBAL_CHECK_TICKS
        assert fresh["back by"] == "global-61" and fresh["preempted"] == 0
        starved = fairness.respawn_wait(global_check=False, limit_ms=20, **kw)
        assert starved["waited_ms"] is None and starved["starts"] > 1000
    table = fairness.respawn_table(limit_ms=20)
    assert len(table) == 6 and table.iloc[3, 0].startswith("still waiting")


@pytest.mark.parametrize("period, cycle, hits", [(61, 8, 8), (64, 8, 1), (60, 8, 2),
                                                 (61, 60, 50)])
def test_check_phases(period: int, cycle: int, hits: int) -> None:
    assert len(fairness.check_phases(period, cycle)) == hits


def test_gosched_takes_turns_through_the_global_queue() -> None:
    """§4 (go-scheduler.md §14 B3a): the newest first (runnext), then round robin."""
    order, t = fairness.gosched_order(rounds=3)
    assert order == ["g2.0", "g0.0", "g1.0", "g2.1", "g0.1", "g1.1", "g2.2", "g0.2", "g1.2"]
    assert int((t.events.event == "GoSched").sum()) == 9
    assert fairness.start_sources(t)[:4] == [("g2", "runnext"), ("g0", "local"), ("g1", "local"),
                                             ("g2", "global")]
    plain, _ = fairness.gosched_order(rounds=3, yields=False)
    assert plain == ["g2.0", "g2.1", "g2.2", "g0.0", "g0.1", "g0.2", "g1.0", "g1.1", "g1.2"]
    two, _ = fairness.gosched_order(rounds=2, goroutines=2)
    assert ch07.ex3.check(two) and two == ["g1.0", "g0.0", "g1.1", "g0.1"]


def test_mutex_starvation_mode() -> None:
    """§5: a waiter of more than 1 ms gets the mutex handed over; without starvation mode the
    greedy goroutine wins every race."""
    waits = fairness.mutex_waits(True)
    assert waits is not None and len(waits) == 10
    assert all(1.0 <= w < 1.2 for w in waits)
    assert ch07.ex4.check(sorted(waits)[5])
    assert fairness.mutex_waits(False, limit_ms=30) is None


def test_select_picks_at_random_so_the_timeout_is_seen() -> None:
    """§6: Go's select sees a 1 ms timeout within a few receives of its firing; a hand-made
    priority for the ready channel never does."""
    fair = fairness.timeout_seen()
    assert fair["seen_ms"] == pytest.approx(1, abs=0.05)
    assert fairness.timeout_seen(seed=7)["seen_ms"] == pytest.approx(1, abs=0.05)
    prio = fairness.timeout_seen(priority=True, limit_ms=20)
    assert prio["seen_ms"] is None and prio["iterations"] > 1000
    assert ch07.ex5.check("never")


def test_chapter_7_exercise_2_is_the_models_constant() -> None:
    from gmpkit.runtime2 import GLOBAL_CHECK_TICKS

    assert GLOBAL_CHECK_TICKS == 61 and ch07.ex2.check(61)


# -- real Go ---------------------------------------------------------------------------------


def test_recorded_go_fairness_has_the_chapters_shape() -> None:
    facts = fairness.go_fairness(prefer_recorded=True)
    assert not facts.live and "RECORDED" in facts.label
    v = facts.values
    steady = [line[0] for r in v["gosched"] for line in r["lines"][1:]]
    assert 15 < sorted(steady)[len(steady) // 2] < 25
    assert v["gosched_asyncoff"][0]["timed_out"]
    assert all(line[0] > 5 and line[1] > 1000 for r in v["pingpong"] for line in r["lines"])
    waits = sorted(line[0] for r in v["mutex"] for line in r["lines"])
    assert 0.9 < waits[len(waits) // 2] < 1.5
    assert all(r["first_word"] == "timeout" and r["lines"][0][0] < 2 for r in v["timer"])
    assert v["timer_priority"][0]["first_word"] == "never"


def test_recorded_spinner_trace_alternates() -> None:
    tr = fairness.go_spinners_trace(prefer_recorded=True)
    assert tr.label == "real Go (recorded)"
    s = fairness.slice_summary(fairness.slices(tr))
    assert s["count"] >= 6 and 15 < s["median"] < 25


@needs_go
def test_go_spinners_live() -> None:
    tr = fairness.go_spinners_trace()
    s = fairness.slice_summary(fairness.slices(tr))
    assert s["count"] >= 4 and 9 < s["median"] < 40


@needs_go
def test_go_fairness_live() -> None:
    v = fairness.go_fairness(runs=1).values
    assert v["gosched_asyncoff"][0]["timed_out"]
    assert v["timer"][0]["first_word"] == "timeout"
    assert v["timer_priority"][0]["first_word"] == "never"
    assert max(line[0] for line in v["mutex"][0]["lines"]) < 50
