"""Why each decision was taken: every event carries the rule of proc.go that produced it.

Each test checks a rule's code and arguments against the state the scheduler was in, read from
the recorded events and queues (or from the spec's formula), never against the sentence the
model prints for it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import gmpkit as gk
from gmpkit import scenarios as sc
from gmpkit.__main__ import main as cli
from gmpkit.hooks import _WAKEP_CALLERS, EVENT_KINDS, RULES, Event
from gmpkit.runtime2 import FORCE_PREEMPT_NS, GLOBAL_BATCH_MAX, GLOBAL_CHECK_TICKS, STEAL_TRIES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from programs import ten  # noqa: E402

MS = 1_000_000


def events(trace) -> list[Event]:
    """The recorded events as Event objects (rule, args and why included)."""
    return trace.recorder.event_objects()


def queued_after(trace, index: int) -> int:
    """Local queue + runnext of the P named by event ``index``, right after it (recorded)."""
    _grq, lrq, runnext = trace.recorder.queues_after(index)
    return lrq + int(runnext)


@pytest.mark.parametrize("name", sc.names())
@pytest.mark.parametrize("gomaxprocs", [1, 2, 4])
def test_every_decision_names_a_rule_for_its_kind(name, gomaxprocs):
    trace = sc.get(name).run(gomaxprocs=gomaxprocs, check=False, godebug="schedtrace=2")
    kinds = set()
    for ev in events(trace):
        rule = RULES.get(ev.rule)
        assert rule is not None, f"{ev!r} has no known rule"
        assert ev.kind in rule.kinds, f"{ev.rule} does not explain {ev.kind}"
        assert len(ev.args) == len(rule.params), f"{ev!r}: args for {rule.params}"
        assert ev.why and ev.why != EVENT_KINDS[ev.kind]
        kinds.add(ev.kind)
    assert {"GoStart", "GoCreate", "GoEnd", "Sysmon"} <= kinds


def test_the_events_table_has_rule_args_and_why_columns():
    ev = sc.get("cpu_bound").run(gomaxprocs=2).events
    assert list(ev.columns[-3:]) == ["rule", "args", "why"]
    steal = ev[ev.rule == "steal"].iloc[0]
    victim, n, had, rnd = steal.args
    assert f"took {n} of the {had} goroutines in P{victim}'s local queue" in steal.why
    assert f"round {rnd} of 4" in steal.why


def test_runnext_kicks_and_the_run_order_they_explain():
    """B1: each go statement kicks the previous new goroutine out of runnext; the last one runs
    from runnext, the others from the local queue, oldest first."""
    trace = gk.run(ten, gomaxprocs=1)
    assert trace.stdout == "[9 0 1 2 3 4 5 6 7 8]\n"
    evs = events(trace)
    creates = [e for e in evs if e.kind == "GoCreate" and e.args[0] == 1 and e.g >= 7]
    assert len(creates) == 10 and all(e.rule == "newproc" and e.args[2] for e in creates)
    assert [e.args[1] for e in creates[1:]] == [e.g for e in creates[:-1]]
    workers = {e.g for e in creates}
    starts = [e for e in evs if e.kind == "GoStart" and e.g in workers]
    assert [(e.g, e.rule) for e in starts] == (
        [(creates[-1].g, "runnext")] + [(e.g, "local") for e in creates[:-1]])


def test_runnext_switched_off_queues_the_new_goroutine_locally():
    trace = gk.run(ten, gomaxprocs=1, runnext=False)
    creates = [e for e in events(trace) if e.kind == "GoCreate" and e.g >= 7]
    assert creates and all(e.args[1:] == (None, False) for e in creates)
    assert "local queue, not runnext" in creates[0].why


def test_a_steal_says_how_many_of_how_many_in_which_round():
    """The thief took ceil(half) of the victim's queue, as the Steal event before it says."""
    trace = sc.get("cpu_bound", n=8).run(gomaxprocs=2)
    evs = events(trace)
    seen = 0
    for i, e in enumerate(evs):
        if e.kind != "GoStart" or not e.rule.startswith("steal"):
            continue
        steal = evs[i - 2]  # Steal, MSpinStop (resetspinning), GoStart
        assert steal.kind == "Steal" and steal.p == e.p and evs[i - 1].kind == "MSpinStop"
        if e.rule == "steal":
            victim, n, had, rnd = e.args
            assert n == had - had // 2 and steal.extra == (victim, n)
            assert steal.cause == ("runqsteal", victim, n, had, rnd)
            assert 1 <= rnd <= STEAL_TRIES
        else:
            victim, rnd = e.args
            assert steal.extra == (victim, 1) and rnd == STEAL_TRIES  # runnext: last round only
        assert e.source == f"steal:P{victim}"
        seen += 1
    assert seen >= 2


@pytest.mark.parametrize("n, gomaxprocs", [(300, 1), (1000, 3)])
def test_global_checks_and_batches_follow_the_tick_and_the_formula(n, gomaxprocs):
    trace = sc.get("goroutine_storm", n=n).run(gomaxprocs=gomaxprocs)
    starts = [e for e in events(trace) if e.kind == "GoStart"]
    fair = [e for e in starts if e.rule == "global-61"]
    assert fair and all(e.args[0] % GLOBAL_CHECK_TICKS == 0 and e.args[1] >= 1 for e in fair)
    assert all(e.source == "global-61" for e in fair)
    batches = [e for e in starts if e.rule in ("global", "global-recheck")]
    assert batches
    sizes = set()
    for e in batches:
        taken, left = e.args
        queued = taken + left
        assert taken == min(GLOBAL_BATCH_MAX, queued, queued // gomaxprocs + 1)
        sizes.add(taken)
    assert len(sizes) >= (3 if gomaxprocs > 1 else 1)  # the n/GOMAXPROCS+1 term bites


def test_a_timer_start_follows_the_timer_that_readied_it():
    trace = sc.get("sleepers", n=6).run(gomaxprocs=2)
    evs = events(trace)
    timer_starts = [i for i, e in enumerate(evs) if e.kind == "GoStart" and e.rule == "timer"]
    assert timer_starts
    for i in timer_starts:
        e = evs[i]
        fired = [f for f in evs[:i] if f.kind == "TimerFire" and f.t == e.t and f.g == e.g]
        assert fired and fired[-1].p == e.p and fired[-1].cause[2] == e.p


async def spinner():
    while True:
        await gk.work(ms=1)


async def hog_then_wait():
    gk.go(spinner)
    await gk.sleep(ms=45)


@pytest.mark.parametrize("godebug, signal", [("", True), ("asyncpreemptoff=1", False)])
def test_sysmon_preempts_after_a_whole_slice_seen_twice(godebug, signal):
    trace = gk.run(hog_then_wait, gomaxprocs=1, godebug=godebug)
    evs = events(trace)
    ticks = {e.t for e in evs if e.kind == "Sysmon"}
    requests = [i for i, e in enumerate(evs) if e.kind == "PreemptRequest"]
    assert len(requests) >= 2
    for i in requests:
        e = evs[i]
        since, tick, sig = e.args
        assert e.t - since >= FORCE_PREEMPT_NS  # held the P for a whole slice...
        assert since in ticks or since == 0  # ...as sysmon saw at an earlier observation
        assert sig is signal and e.rule == "preempt"
        nxt = next(x for x in evs[i + 1:] if x.g == e.g)
        assert nxt.kind == "GoPreempt" and nxt.rule == "gopreempt"


async def long_syscall():
    await gk.syscall(ms=30)


def test_a_lone_syscall_is_retaken_when_the_grace_runs_out():
    """Nothing queued and an idle P: sysmon waits up to 10 ms, then retakes; handoffp keeps
    an M on the last P."""
    trace = gk.run(long_syscall, gomaxprocs=2)
    evs = events(trace)
    retakes = [e for e in evs if e.kind == "Retake"]
    assert [e.rule for e in retakes] == ["retake-grace"]
    since, second, queued = retakes[0].args
    assert retakes[0].t - since >= 10 * MS and second and queued == 0
    handoffs = [e for e in evs if e.kind == "Handoff"]
    assert [(e.rule, e.reason) for e in handoffs] == [("handoff-last", "last")]


@pytest.mark.parametrize("gomaxprocs", [1, 2])
def test_retake_and_handoff_rules_match_the_state(gomaxprocs):
    trace = sc.get("blocking_syscalls", n=6).run(gomaxprocs=gomaxprocs)
    evs = events(trace)
    ticks = {e.t for e in evs if e.kind == "Sysmon"}
    rules = set()
    for i, e in enumerate(evs):
        if e.kind == "Retake":
            since, second, queued = e.args
            assert queued == queued_after(trace, i)
            assert (e.rule == "retake-work") == (queued > 0)
            if second:  # (since 0: sysmon's record is still the zero it started with)
                assert since < e.t and (since in ticks or since == 0)
            if e.rule == "retake-grace":
                assert e.t - since >= 10 * MS
            rules.add(e.rule)
        elif e.kind == "Handoff":
            local, runnext, glob = e.args
            assert e.rule == "handoff-" + e.reason
            assert (e.reason == "work") == (local > 0 or runnext is not None or glob > 0)
    assert "retake-work" in rules


def test_each_thread_start_names_what_asked_for_it():
    """wakep's caller is the event just before the thread starts: the go statement, the
    wake-up, the Gosched or the spinner that found work."""
    before = {"newproc": ("GoCreate", "RunqOverflow"), "goready": ("GoUnblock",),
              "gosched": ("GoSched", "GoPreempt"), "resetspinning": ("MSpinStop",)}
    seen = set()
    for name in ("cpu_bound", "channel_pipeline", "blocking_syscalls", "network_io"):
        evs = events(sc.get(name).run(gomaxprocs=4))
        for i, e in enumerate(evs):
            if e.kind not in ("MCreate", "MWake"):
                continue
            if e.reason == "sysmon":
                assert e.rule == "newm-sysmon"
                continue
            assert e.rule == "startm"
            assert e.reason in ("wakep", "injectglist", "starttheworld") or (
                e.reason.startswith("handoff:"))
            if e.reason == "wakep":
                caller = e.args[0]
                assert caller in _WAKEP_CALLERS
                if caller in before:
                    assert evs[i - 1].kind in before[caller], (caller, evs[i - 1])
                seen.add(caller)
    assert {"newproc", "goready", "resetspinning"} <= seen


def test_spinning_and_parking_say_why():
    evs = events(sc.get("cpu_bound", n=8).run(gomaxprocs=4))
    spins = [e for e in evs if e.kind == "MSpin"]
    assert {e.rule for e in spins} == {"spin-start", "spin-steal"}
    for e in spins:
        if e.rule == "spin-steal":
            nmspinning, busy = e.args
            assert 2 * nmspinning < busy  # the spinning bound of findRunnable step 9
    stops = {e.rule for e in evs if e.kind == "MSpinStop"}
    assert stops == {"spin-found", "spin-none"}
    parks = [e for e in evs if e.kind == "MIdle"]
    assert parks and {e.rule for e in parks} == {"stopm-idle"}
    drops = [e for e in evs if e.kind == "PRelease"]
    assert drops and all(e.args[0] is not None for e in drops)  # an M that found nothing


def test_nothing_is_built_when_nobody_observes(monkeypatch):
    """Every emit site is guarded by `if self.observers`."""
    from gmpkit.sched import Sched

    def boom(*args, **kwargs):
        raise AssertionError("emit called without observers")

    monkeypatch.setattr(Sched, "emit", boom)
    for name in sc.names():
        sc.get(name).run(gomaxprocs=2, record=False, check=False)


# ----- the command line ---------------------------------------------------------------------


def test_cli_why_prints_each_decision_with_its_rule(capsys):
    assert cli(["cpu_bound", "--why"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("# gmpkit: scenario=cpu_bound ") and "--why" in lines[0]
    assert not any(ln.startswith("SCHED") for ln in lines)
    body = lines[1:]
    assert body and all(" ms  " in ln and " [" in ln for ln in body)
    assert any("[steal]" in ln and "GoStart" in ln for ln in body)
    assert not any(" Sysmon " in ln for ln in body)


def test_cli_why_kinds_filters_and_rejects_unknown_kinds(capsys):
    assert cli(["cpu_bound", "--why", "--kinds", "GoStart"]) == 0
    body = capsys.readouterr().out.splitlines()[1:]
    assert body and all(" GoStart " in ln for ln in body)
    assert cli(["cpu_bound", "--why", "--kinds", "GoStrat"]) == 2
    assert "unknown event kind(s) GoStrat" in capsys.readouterr().err


def test_docs_list_every_rule():
    api = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
    missing = [code for code in RULES if f"| `{code}` |" not in api]
    assert missing == [], f"docs/api.md's rule table lacks {missing}"
