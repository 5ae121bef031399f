"""gmpkit's scheduling against real Go's execution traces, event by event (docs/fidelity.md,
"Event level"; tests/fidelity/event_level.py says what is compared and how).

Without Go: recorded Go traces and observations are compared with the model. With Go (marker
``golive``) the programs are also traced live, so a stale recording cannot hide a change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fidelity"))

import event_level as el  # noqa: E402
import harness  # noqa: E402

from gmpkit import golang  # noqa: E402
from gmpkit import gotrace as gt  # noqa: E402

DATA = el.load_data()
REQUIRE_GO = os.environ.get("GMPKIT_REQUIRE_GO", "") not in ("", "0")
needs_go = pytest.mark.skipif(
    not golang.go_available() and not REQUIRE_GO,
    reason="no Go toolchain; install one with pip install 'gmpkit[go]'")


def test_every_pair_is_compared_or_says_why_not():
    keys = set(el.ONE_P) | {k for k in el.MULTI if not k.startswith("scenario:")}
    assert keys.isdisjoint(el.NOT_TRACED)
    assert keys | set(el.NOT_TRACED) == set(harness.names())
    assert DATA["go_version"] == golang.MODELED_GO_VERSION
    for key in [*el.ONE_P, *el.MULTI]:
        assert el.trace_path(key).is_file(), f"{key}: no recorded trace; run event_level.py"


# ----- one P: the same events in the same order -----------------------------------------------


@pytest.mark.parametrize("name", list(el.ONE_P))
def test_recorded_trace_gives_the_recorded_observation(name):
    """The committed trace, read back through the parser, says what was recorded."""
    rec = DATA["one_p"][name]
    obs = el.one_p_observation(el.recorded_trace(name), rec["last"])
    assert {k: obs[k] for k in ("starts", "events", "syscalls")} in [
        {k: o[k] for k in ("starts", "events", "syscalls")} for o in rec["observations"]]
    assert sum(o["count"] for o in rec["observations"]) == rec["runs"] == el.RUNS_ONE_P


@pytest.mark.parametrize("name", list(el.ONE_P))
def test_goroutines_start_in_gos_order_and_every_event_matches(name):
    rec = DATA["one_p"][name]
    gos = [o for o in rec["observations"] if not el.preempted(o)]
    assert gos, f"{name}: every recorded Go run was preempted; re-record"
    assert len({o["starts"] for o in gos}) == 1, "Go's start order varied between runs"
    p = el.program(name)
    for seed in p.seeds():
        sim = el.one_p_observation(p.model(seed), rec["last"])
        assert sim["starts"] == gos[0]["starts"], f"seed {seed}: start order differs"
        assert sim["events"] == gos[0]["events"], f"seed {seed}: event sequence differs"


@pytest.mark.parametrize("name", list(el.ONE_P))
def test_the_only_other_difference_is_printing_as_a_syscall(name):
    """docs/fidelity.md: Go's fmt.Println is a write(2) on main; gk.println is no syscall."""
    rec = DATA["one_p"][name]
    assert {o["syscalls"] for o in rec["observations"]} == {" ".join(el.PRINT_SYSCALL)}
    p = el.program(name)
    assert el.one_p_observation(p.model(p.seeds()[0]), rec["last"])["syscalls"] == ""


def test_start_order_tells_a_wrong_order_apart():
    """The comparison is not blind: swapping two goroutines' creation order shows."""
    rec = DATA["one_p"]["runnext_order"]["observations"][0]
    tr = el.recorded_trace("runnext_order")
    labels = gt.goroutine_labels(tr)
    swapped = {g: ({"g1": "g2", "g2": "g1"}.get(lab, lab)) for g, lab in labels.items()}
    ev = tr.events
    starts = [swapped[int(g)] for g in ev[ev.event == "GoStart"].g if int(g) in swapped]
    assert " ".join(starts[-11:]) != rec["starts"]


# ----- several Ps: within Go's recorded range -------------------------------------------------


def _multi_cases():
    for key in el.MULTI:
        for metric in el.METRICS:
            why = el.DIFFERENCES.get((key, metric))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            yield pytest.param(key, metric, marks=marks, id=f"{key}-{metric}")


@pytest.fixture(scope="module")
def model_metrics():
    cache: dict[str, list[dict[str, int]]] = {}

    def get(key: str) -> list[dict[str, int]]:
        if key not in cache:
            p = el.program(key)
            cache[key] = [el.stable_metrics(p.model(seed)) for seed in p.seeds()]
        return cache[key]

    return get


@pytest.mark.parametrize("key, metric", list(_multi_cases()))
def test_model_is_within_gos_recorded_range(key, metric, model_metrics):
    lo, hi = el.bounds(DATA["multi"][key]["runs"])[metric]
    values = [m[metric] for m in model_metrics(key)]
    assert all(lo <= v <= hi for v in values), f"Go {lo}..{hi}, model {values}"


@pytest.mark.parametrize("key", list(el.MULTI))
def test_recorded_sample_trace_is_one_of_the_recorded_runs(key):
    assert el.stable_metrics(el.recorded_trace(key)) in DATA["multi"][key]["runs"]
    assert len(DATA["multi"][key]["runs"]) == el.RUNS_MULTI


@pytest.mark.parametrize("key", [k for k, m in el.DIFFERENCES if m == "max_threads"])
def test_the_extra_thread_is_the_tracers_timer(key):
    """Given the timer Go's trace advancer keeps pending, the model uses Go's thread count."""
    lo, hi = el.bounds(DATA["multi"][key]["runs"])["max_threads"]
    p = el.program(key)
    with_timer = [gt.max_threads(p.model(seed, tracer_timer=True)) for seed in p.seeds()]
    assert all(lo <= v <= hi for v in with_timer), (lo, hi, with_timer)


def test_docs_section_is_current():
    assert el.report_section() in harness.REPORT.read_text(), (
        "docs/fidelity.md's event-level section is stale: python tests/fidelity/event_level.py "
        "--report")


# ----- live Go --------------------------------------------------------------------------------


@pytest.mark.golive
@needs_go
@pytest.mark.parametrize("name", list(el.ONE_P))
def test_live_go_trace_still_matches(name):
    rec = DATA["one_p"][name]
    recorded = {o["events"] for o in rec["observations"]}
    for _attempt in range(3):  # a run preempted by sysmon (a slow, shared machine) is retried
        obs = el.one_p_observation(el.program(name).go(), rec["last"])
        if not el.preempted(obs):
            break
    else:
        pytest.fail(f"{name}: sysmon preempted a goroutine in 3 live runs out of 3")
    assert obs["events"] in recorded, (
        f"live Go's event sequence is not the recorded one; re-record with python "
        f"tests/fidelity/event_level.py {name}")


LIVE_MULTI_RUNS = 2


@pytest.mark.golive
@needs_go
@pytest.mark.parametrize("key", list(el.MULTI))
def test_live_go_is_within_the_recorded_range(key):
    """Each quantity of live Go lands within the recorded range, widened by a quarter (at least
    1), in at least one of LIVE_MULTI_RUNS runs: real Go's timing strays on a loaded machine,
    a changed runtime strays in every run."""
    bnd = {m: (lo - max(1, (hi - lo) // 4), hi + max(1, (hi - lo) // 4))
           for m, (lo, hi) in el.bounds(DATA["multi"][key]["runs"]).items()}
    runs = [el.stable_metrics(el.program(key).go()) for _ in range(LIVE_MULTI_RUNS)]
    strays = {m for m in el.METRICS if all(el.outside(r, bnd).get(m) is not None for r in runs)}
    assert not strays, f"live Go out of the recorded range in every run: {runs}; bounds {bnd}"


@pytest.mark.golive
@needs_go
def test_live_deadlock_hangs_under_the_tracer_and_is_stopped_with_a_hint():
    sc = harness.load("deadlock")
    with pytest.raises(golang.GoTraceError, match="most likely a deadlock") as exc:
        golang.trace_go(sc.go_file, gomaxprocs=sc.gomaxprocs, timeout=2)
    assert exc.value.result.timed_out and "SIGQUIT" in exc.value.result.stderr
    assert golang.run_go(sc.go_file, gomaxprocs=2).stderr.startswith(
        "fatal error: all goroutines are asleep - deadlock!")


@pytest.mark.golive
@needs_go
def test_live_fatal_error_leaves_no_trace_and_says_why():
    sc = harness.load("thread_limit")
    with pytest.raises(golang.GoTraceEmpty, match="thread exhaustion") as exc:
        golang.trace_go(sc.go_file, gomaxprocs=sc.gomaxprocs, args=sc.go_args)
    assert exc.value.result.exit_code == 2
