"""Sim.run collects garbage less often while it runs (sim.RUN_GC_THRESHOLD), and puts the
learner's setting back afterwards: when the program ends, panics, is interrupted, or the run
pauses."""

from __future__ import annotations

import gc

import pytest

import gmpkit as gk
from gmpkit.sim import RUN_GC_THRESHOLD

LEARNER = (500, 7, 3)  # below the run's threshold, and recognisable


@pytest.fixture
def learner_setting():
    saved = gc.get_threshold()
    gc.set_threshold(*LEARNER)
    yield
    gc.set_threshold(*saved)


def _seen_inside(box):
    async def main():
        box.append(gc.get_threshold())
        await gk.sleep(ms=1)
        box.append(gc.get_threshold())
    return main


def test_raised_during_the_run_and_restored_after(learner_setting):
    seen = []
    gk.Sim(_seen_inside(seen)).run()
    assert seen == [(RUN_GC_THRESHOLD, 7, 3)] * 2
    assert gc.get_threshold() == LEARNER


def test_restored_after_a_pause_and_only_raised_by_run(learner_setting):
    seen = []
    sim = gk.Sim(_seen_inside(seen))
    sim.run(until_ms=0.5)
    assert gc.get_threshold() == LEARNER
    while sim.step():
        pass
    assert seen == [(RUN_GC_THRESHOLD, 7, 3), LEARNER]  # the second read came during step()
    assert gc.get_threshold() == LEARNER


def test_restored_after_a_panic(learner_setting):
    async def main():
        raise ValueError("boom")

    trace = gk.run(main, check=False)
    assert trace.exit_code == 2
    assert gc.get_threshold() == LEARNER


def test_restored_after_an_interrupt(learner_setting):
    async def main():
        await gk.work(ms=1)
        raise KeyboardInterrupt  # as if the learner pressed Interrupt Kernel mid-run

    with pytest.raises(KeyboardInterrupt):
        gk.Sim(main).run()
    assert gc.get_threshold() == LEARNER


def test_a_higher_setting_or_collection_turned_off_is_left_alone():
    saved = gc.get_threshold()
    try:
        for setting in ((50_000, 10, 10), (0, 10, 10)):
            gc.set_threshold(*setting)
            seen = []
            gk.Sim(_seen_inside(seen)).run()
            assert seen == [setting] * 2 and gc.get_threshold() == setting
    finally:
        gc.set_threshold(*saved)
