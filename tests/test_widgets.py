"""The playground: controls re-run the simulation and redraw; errors show in the widget."""

import pytest

from gmpkit.widgets import SWITCH_LABELS, Playground


@pytest.fixture
def pg():
    return Playground("cpu_bound", gomaxprocs=2)


def test_lanes_follow_the_gomaxprocs_slider(pg):
    assert pg.lanes() == ["P0", "P1"]
    runs = pg.runs
    pg.gomaxprocs.value = 5
    assert pg.lanes() == [f"P{i}" for i in range(5)]
    assert pg.runs == runs + 1
    assert pg.trace.options["gomaxprocs"] == 5
    assert "GOMAXPROCS=5" in pg.status.value


def test_every_chart_is_sent_as_a_plotly_output(pg):
    for name, out in pg.outputs.items():
        (item,) = out.outputs
        assert "application/vnd.plotly.v1+json" in item["data"], name
    assert "gmpkit-timeline" in pg.outputs["timeline"]._dom_classes
    assert "gmpkit-gomaxprocs" in pg.gomaxprocs._dom_classes


def test_switches_reach_the_simulation(pg):
    pg.switches["runnext"].value = False
    assert pg.trace.options["runnext"] is False
    assert SWITCH_LABELS["runnext"] in pg.status.value
    starts = pg.trace.events.query("event == 'GoStart'")
    assert "runnext" not in set(starts["source"][starts["g"] != 1])


def test_scenario_change_resets_the_goroutine_count_with_one_run(pg):
    runs = pg.runs
    pg.scenario.value = "goroutine_storm"
    assert pg.goroutines.value == 300
    assert pg.runs == runs + 1
    assert len(pg.trace.goroutines) == 301


def test_a_failing_program_is_shown_in_the_widget(pg, monkeypatch):
    import gmpkit.scenarios as sc

    def broken(n=3, seed=1):
        async def main():
            raise RuntimeError("boom")
        return sc.Scenario("broken", "Broken", "panics", main, {"n": n, "seed": seed})

    monkeypatch.setitem(sc.SCENARIOS, "cpu_bound", broken)
    pg.seed.value = 7
    assert "panic" in pg.error and "boom" in pg.error
    assert "boom" in pg.error_box.value
    assert pg.error_box.layout.display is None  # visible


def test_a_usage_error_is_shown_not_raised(pg, monkeypatch):
    import gmpkit.scenarios as sc

    def bad(n=3, seed=1):
        def main():  # not async: a usage error
            return None
        return sc.Scenario("bad", "Bad", "not async", main, {"n": n, "seed": seed})

    monkeypatch.setitem(sc.SCENARIOS, "cpu_bound", bad)
    pg.seed.value = 8
    assert "async def" in pg.error
    assert pg.error_box.layout.display is None
    assert pg.lanes() == ["P0", "P1"]  # the last good charts stay


def test_errors_clear_on_the_next_good_run(pg, monkeypatch):
    pg.error = "old"
    pg.gomaxprocs.value = 3
    assert pg.error == "" and pg.error_box.layout.display == "none"


def test_bad_arguments_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="cpu_bound"):
        Playground("nope")
    with pytest.raises(ValueError, match="runnext"):
        Playground(spinach=False)
