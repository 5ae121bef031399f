"""The stepper: one scheduling decision at a time, back by replay, predictions scored.

Expected orders come from Go's observed behaviour (go-scheduler.md §14 B1: the newest goroutine
runs first from runnext, the others from the local queue in order) and from the spec's rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import gmpkit as gk
from gmpkit import scenarios as sc
from gmpkit.errors import UsageError
from gmpkit.stepper import PLACES, Stepper, place_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
from programs import ten  # noqa: E402


def at_main_block(st: Stepper) -> Stepper:
    return st.until(lambda d: d.kind == "GoBlock" and d.g == 1
                    and d.reason == "sync.WaitGroup.Wait")


def test_forward_then_back_passes_through_exactly_the_same_states():
    st = Stepper("cpu_bound", n=12, gomaxprocs=4, seed=3)  # 4 Ps: the seed picks victims
    seen = []
    while not st.done:
        st.forward()
        seen.append((st.decision.key(), st.snapshot))
    assert len(seen) > 50 and st.decision.kind == "Exit"
    for i in range(len(seen) - 2, len(seen) - 40, -1):
        st.back()
        assert st.position == i
        assert (st.decision.key(), st.snapshot) == seen[i]
    for i in (3, 50, 7, len(seen) - 1, 0):
        st.goto(i)
        assert (st.decision.key(), st.snapshot) == seen[i]
    st.reset()
    assert st.decision is None and st.position == -1
    st.forward(10)
    assert (st.decision.key(), st.snapshot) == seen[9]


def test_the_picture_shows_each_decision_after_it_took_effect():
    """A go statement is reported before its goroutine is queued; the picture after it must
    show the goroutine in runnext, and the previous one pushed to the local queue's tail."""
    st = Stepper(ten, gomaxprocs=1, seed=0)
    st.until(lambda d: d.kind == "GoCreate" and d.g == 7)  # record(0): the runtime's are 2-6
    prev = None
    while st.decision.kind == "GoCreate" or st.decision.g != 1:
        d, p0 = st.decision, st.snapshot.ps[0]
        if d.kind == "GoCreate":
            assert p0.runnext == d.g
            if prev is not None:
                assert p0.runq[-1] == prev
            prev = d.g
        st.forward()
    assert st.decision.kind == "GoBlock" and st.snapshot.ps[0].curg is None
    assert st.snapshot.ps[0].runnext == 16 and st.snapshot.ps[0].runq[-9:] == tuple(range(7, 16))


def test_gosched_picture_has_the_goroutine_on_the_global_queue():
    async def yielder():
        await gk.gosched()

    async def main():
        gk.go(yielder)
        await gk.sleep(ms=1)

    st = Stepper(main, gomaxprocs=1).until(lambda d: d.kind == "GoSched")
    assert st.snapshot.grq[-1] == st.decision.g


def test_next_on_a_p_and_run_to_a_time():
    st = Stepper("cpu_bound", n=8, gomaxprocs=2, seed=1)
    st.next_on("P1")
    first = st.decision
    assert first.p == 1
    st.reset()
    while st.decision is None or st.decision.number < first.number:
        st.forward()
        if st.decision.number < first.number:
            assert st.decision.p != 1
    st.run_to(5.0)
    d = st.decision
    assert d.t <= 5_000_000
    nxt = st.forward().decision
    assert nxt.t > 5_000_000
    st.next_start(p=1)
    assert st.decision.kind == "GoStart" and st.decision.p == 1


def test_predict_scores_what_go_does_after_main_blocks():
    """B1: G16 (record 9, the newest) runs first, from P0's runnext; then the local queue in
    order: the runtime's GOMAXPROCS updater G5 and the finalizer goroutine G6 (queued just
    before main.main began, §14 B2: runtime goroutines can hold queue slots), then G7
    (record 0)."""
    st = at_main_block(Stepper(ten, gomaxprocs=1, seed=0))
    g = st.predict(16, 0, "runnext")
    assert g.correct and (g.points, g.asked) == (3, 3)
    g = st.predict("G7", "P0", "runnext")  # wrong goroutine, wrong place
    assert (g.right, g.actual.g, g.actual.place) == (
        {"g": False, "p": True, "place": False}, 5, "local")
    assert "you said G7, it was G5" in g.message()
    g = st.predict(g=6)
    assert g.correct and g.asked == 1
    assert st.score == (5, 7)


def test_predict_a_steal_in_cpu_bound():
    st = at_main_block(Stepper("cpu_bound", n=8, gomaxprocs=2, seed=1))
    first = st.next_start(p=1).decision
    assert first.place == "steal" and first.rule == "steal"
    st.reset()
    at_main_block(st)
    st.next_start(p=0)  # P0 runs its runnext first
    g = st.predict(p=1, place="stolen")
    assert g.correct and g.actual.g == first.g


def test_predict_rejects_answers_it_cannot_read():
    st = Stepper(ten, gomaxprocs=1)
    with pytest.raises(ValueError, match="runnext, local, global, steal, netpoll"):
        st.predict(place="sideways")
    with pytest.raises(ValueError, match="an id like 7 or 'G7'"):
        st.predict(g="seven")
    with pytest.raises(ValueError, match="no P 5"):
        st.predict(p=5)
    with pytest.raises(ValueError, match="at least one of"):
        st.predict()
    st.forward(10_000)
    with pytest.raises(UsageError, match="no goroutine starts any more"):
        st.predict(g=1)


def test_places_cover_every_start_rule():
    from gmpkit.hooks import RULES

    starts = [code for code, r in RULES.items() if "GoStart" in r.kinds]
    assert {place_of(code) for code in starts} == set(PLACES)


def test_a_program_that_does_not_replay_is_reported():
    calls = []

    async def main():
        calls.append(1)
        for _ in range(len(calls)):  # one more goroutine on every run: not the seed's doing
            gk.go(gk_noop)
        await gk.sleep(ms=1)

    async def gk_noop():
        pass

    st = Stepper(main, gomaxprocs=1).forward(30)
    with pytest.raises(UsageError, match="replaying the program gave a different decision"):
        st.back()


def test_programs_it_accepts_and_refuses():
    assert "cpu_bound(n=4" in Stepper("cpu_bound", n=4).options_text()
    assert "sleepers" in Stepper(sc.get("sleepers", n=2)).options_text()
    with pytest.raises(ValueError, match="unknown scenario 'cpu'"):
        Stepper("cpu")
    with pytest.raises(TypeError, match="an async def main"):
        Stepper(print)


# ----- the widget, without a browser ----------------------------------------------------------


def _title(w) -> str:
    return w.diagram.outputs[0]["data"]["application/vnd.plotly.v1+json"]["layout"]["title"][
        "text"]


def _ringed(w) -> list:
    spec = w.diagram.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    return next(t for t in spec["data"] if t["name"] == "decision")["x"]


def test_the_widget_buttons_move_and_redraw():
    pytest.importorskip("ipywidgets")
    st = Stepper("cpu_bound", n=8, gomaxprocs=2, seed=1)
    box = st.widget
    w = st._widget
    assert "gmpkit-stepper" in box._dom_classes
    assert "before the first decision" in w.reason.value and w.back_b.disabled
    w.next_b.click()
    assert st.position == 0 and "#0 at 0.000 ms" in w.reason.value and not w.back_b.disabled
    w.start_b.click()
    assert st.decision.kind == "GoStart" and "[runnext" in w.reason.value
    assert _title(w).startswith(st.decision.headline()) and _ringed(w)
    before = w.reason.value
    w.on_p.value = "P1"
    w.on_b.click()
    assert st.decision.p == 1 and w.reason.value != before
    w.back_b.click()
    assert st.decision.p != 1 or st.decision.number >= 0
    w.to_ms.value = 3.0
    w.to_b.click()
    assert st.decision.t <= 3_000_000 and f"({st.position + 1})" in w.history.value
    w.reset_b.click()
    assert st.position == -1


def test_the_widget_predict_row_scores_a_guess():
    pytest.importorskip("ipywidgets")
    st = at_main_block(Stepper(ten, gomaxprocs=1, seed=0))
    _ = st.widget
    w = st._widget
    assert w.guess_row.layout.display == "none"
    w.predict_t.value = True
    assert w.guess_row.layout.display is None
    assert dict((v, k) for k, v in w.guess_g.options)[16] == "G16 in P0.runnext"
    w.guess_g.value, w.guess_p.value, w.guess_place.value = 16, "P0", "runnext"
    w.reveal_b.click()
    assert "3/3" in w.score_h.value and st.decision.g == 16


def test_the_widget_shows_a_failing_program_instead_of_raising():
    pytest.importorskip("ipywidgets")
    import asyncio

    async def main():
        await asyncio.sleep(0)  # not a gmpkit operation

    st = Stepper(main, gomaxprocs=1)
    _ = st.widget
    st._widget.to_ms.value = 1000
    st._widget.to_b.click()
    assert "asyncio" in st._widget.error.value and st._widget.error.layout.display is None


def test_a_poller_batch_is_pictured_once_it_is_queued():
    """injectglist reports every goroutine of a batch, then queues them all: each one's
    picture shows it queued (never runnext: go-scheduler.md §5.4)."""
    st = Stepper("network_io", n=20, gomaxprocs=2, seed=1)
    seen = 0
    while not st.done:
        st.until(lambda d: d.kind == "NetpollReady")
        d, snap = st.decision, st.snapshot
        if d.kind != "NetpollReady":
            break
        local = [g for p in snap.ps for g in p.runq]
        assert d.g in local or d.g in snap.grq, d
        assert d.g not in [p.runnext for p in snap.ps]
        seen += 1
    assert seen >= 4


def test_what_chapter_5s_stepper_question_answers_holds():
    """gmpkit/lessons/ch05.py, predict 3.1: after main blocks, P0 runs the newest worker from
    runnext; P1's first goroutine is stolen from P0 in the first round, ceil(half) of its
    queue, the last one taken."""
    st = at_main_block(Stepper("cpu_bound", n=8, seed=1, gomaxprocs=2))
    newest = max(g for g in [st.snapshot.ps[0].runnext, *st.snapshot.ps[0].runq])
    on_p0 = st.next_start(p=0).decision
    assert (on_p0.g, on_p0.rule) == (newest, "runnext")
    st.reset()
    at_main_block(st)
    on_p1 = st.next_start(p=1).decision
    victim, n, had, rnd = on_p1.args
    assert on_p1.rule == "steal" and victim == 0 and rnd == 1 and n == had - had // 2
