"""Charts: one lane per P, colours per goroutine, hover says why, specs are plain JSON."""

import json

import pytest

import gmpkit.scenarios as sc
from gmpkit import viz


@pytest.fixture(scope="module")
def trace():
    return sc.get("cpu_bound").run(gomaxprocs=3)


def test_timeline_has_one_lane_per_p_and_one_bar_trace_per_lane(trace):
    fig = viz.timeline(trace)
    assert list(fig.layout.yaxis.tickvals) == ["P0", "P1", "P2"]
    assert [t.name for t in fig.data] == ["P0", "P1", "P2"]
    bars = sum(len(t.x) for t in fig.data)
    assert bars == len(trace.spans)


def test_timeline_colours_follow_goroutines_and_hover_says_why(trace):
    spec = viz.timeline_spec(trace)
    for tr in spec["data"]:
        for text, color in zip(tr["text"], tr["marker"]["color"]):
            assert color == viz.g_color(int(text[1:]))
    hovers = [h for tr in spec["data"] for h in tr["hovertext"]]
    assert any("stolen from P0" in h for h in hovers)
    assert all("why here:" in h for h in hovers)


def test_idle_ps_still_get_a_lane():
    """GOMAXPROCS=6 with 2 goroutines: 6 lanes, whatever ran."""
    t = sc.get("cpu_bound", n=2).run(gomaxprocs=6)
    assert viz.timeline_spec(t)["layout"]["yaxis"]["tickvals"] == [f"P{i}" for i in range(6)]


def test_specs_are_strict_json(trace):
    for build in viz.SPECS.values():
        json.dumps(build(trace), allow_nan=False)
    json.dumps(viz.gmp_spec(trace, animate=True), allow_nan=False)


def test_queue_chart_draws_local_runnext_and_global(trace):
    names = [t.name for t in viz.queue_chart(trace).data]
    assert names == ["P0 local", "P1 local", "P2 local", "P0 runnext", "P1 runnext",
                     "P2 runnext", "global"]


def test_state_and_thread_charts_stack_their_categories(trace):
    states = viz.goroutine_states(trace)
    assert [t.name for t in states.data] == ["running", "runnable", "syscall", "waiting"]
    threads = viz.threads_chart(trace)
    assert [t.name for t in threads.data] == ["M running", "M spinning", "M syscall", "M idle",
                                              "idle Ps"]


def test_gmp_diagram_shows_runnext_and_the_local_queue():
    import gmpkit as gk

    async def rec(i, wg):
        wg.done()

    async def main():
        wg = gk.WaitGroup()
        for i in range(3):
            wg.add(1)
            gk.go(rec, i, wg)
        await wg.wait()

    t = gk.run(main, gomaxprocs=1)
    ev = t.events
    block = ev[(ev["event"] == "GoBlock") & (ev["g"] == 1)].index[-1]
    spec = viz.gmp_spec(t, at_event=block)
    by_name = {tr["name"]: tr for tr in spec["data"]}
    # The user goroutines are 7, 8, 9 (6 is the finalizer goroutine that os's init starts).
    assert by_name["runnext"]["text"] == ["G9"]
    assert by_name["local"]["text"][-2:] == ["G7", "G8"]


def test_gmp_diagram_animates_with_one_frame_per_instant(trace):
    fig = viz.gmp_diagram(trace, animate=True, max_frames=30)
    assert 2 <= len(fig.frames) <= 31
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    assert all(len(f.data) == len(fig.data) for f in fig.frames)


def test_charts_refuse_an_unrecorded_trace():
    t = sc.get("cpu_bound").run(record=False)
    with pytest.raises(TypeError, match="record=True"):
        viz.timeline(t)
