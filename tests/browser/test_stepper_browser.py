"""The stepper of chapter 5 in a real JupyterLab and Chromium: run the chapter, click through the
cpu_bound run one decision at a time, and see the diagram and the reason change; go back and
see the earlier state again; predict a start and see it scored.

What nbval cannot see: that each click reaches the kernel, that the stepper's redraw (a plotly
spec in an Output widget, an HTML reason line) reaches the page, and that the predict row's
dropdowns and reveal button work with a mouse. A screenshot goes to ``artifacts/stepper.png``.
"""

from __future__ import annotations

import time

import pytest
from labdriver import ERROR_BOX as PLAYGROUND_ERRORS
from labdriver import open_notebook, record_timing, run_all, shutdown_kernel, wait_for

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/05_gmp_scheduler.ipynb"
STEPPER = ".gmpkit-stepper"
REASON = ".gmpkit-stepper-reason"
DIAGRAM = ".gmpkit-stepper-diagram"
ERROR_BOX = ".gmpkit-stepper-error"

# The diagram's title (the decision shown) and how many points the red "decision" ring has.
DIAGRAM_JS = """(sel) => {
  const plot = document.querySelector(sel + ' .js-plotly-plot');
  if (!plot || !plot.data) return null;
  const ring = plot.data.find(t => t.name === 'decision');
  const title = plot.layout && plot.layout.title ? plot.layout.title.text : '';
  return {title, ringed: ring ? ring.x.length : -1};
}"""


def _reason(page) -> str:
    return page.locator(REASON).first.inner_text().strip()


def _diagram(page):
    return page.evaluate(DIAGRAM_JS, DIAGRAM)


def _click(page, css: str) -> None:
    page.locator(f"{STEPPER} {css}").first.click()


def _state(page):
    return (_reason(page), (_diagram(page) or {}).get("title"))


def _after_click(page, css: str, before):
    """Click, then wait until both the reason and the diagram differ from ``before``."""
    _click(page, css)
    return wait_for(page, f"the stepper to move after {css}",
                    lambda: (s := _state(page))[0] != before[0] and s[1] != before[1] and s)


def test_stepping_changes_the_diagram_and_the_reason(browser, lab, page, artifacts):
    # `browser` first: without Chromium the test skips (or fails) before a server starts.
    t0 = time.monotonic()
    timings = {"open_and_kernel_s": open_notebook(page, lab, NOTEBOOK)}
    timings["run_all_s"], cells = run_all(page)
    assert cells["errors"] == [], "\n".join(cells["errors"])

    page.locator(STEPPER).first.scroll_into_view_if_needed()
    # The notebook moved the stepper to main's wg.Wait(): that decision is shown and ringed.
    wait_for(page, "the reason of main's block", lambda: "GoBlock G1" in _reason(page))
    assert "[gopark" in _reason(page)
    start = wait_for(page, "the diagram of main's block",
                     lambda: (d := _diagram(page)) and "GoBlock G1" in d["title"] and d)
    assert start["ringed"] >= 1

    s0 = _state(page)
    s1 = _after_click(page, ".gmpkit-stepper-next", s0)
    assert "GoStart" in s1[0] and "[runnext" in s1[0]  # the newest worker, from runnext
    s2 = _after_click(page, ".gmpkit-stepper-next", s1)
    s3 = _after_click(page, ".gmpkit-stepper-back", s2)
    assert s3 == s1, "back (a replay from the seed) shows the same decision as before"
    s4 = _after_click(page, ".gmpkit-stepper-start", s3)
    assert "GoStart" in s4[0] and "P1" in s4[0] and "[steal" in s4[0]  # P1's thread steals
    s5 = _after_click(page, ".gmpkit-stepper-back", s4)
    assert "GoStart" not in s5[0]

    # Predict the first start on P1 once main blocked: stolen from P0.
    _click(page, ".gmpkit-stepper-predict")
    row = page.locator(f"{STEPPER} .gmpkit-stepper-reveal").first
    row.wait_for(state="visible")
    selects = page.locator(f"{STEPPER} .widget-dropdown select")
    # the dropdowns in order: next-on-P, goroutine, on, from
    selects.nth(2).select_option("P1")
    selects.nth(3).select_option("steal")
    before = _state(page)
    row.click()
    score = page.locator(f"{STEPPER} .gmpkit-stepper-score").first
    wait_for(page, "the guess to be scored", lambda: "/3" in score.inner_text() and score)
    after = wait_for(page, "the revealed start", lambda: (s := _state(page))[0] != before[0] and s)
    assert "GoStart" in after[0]
    for box in (ERROR_BOX, PLAYGROUND_ERRORS):
        assert page.locator(box).all_inner_texts() in ([], [""]), box

    page.wait_for_timeout(400)
    page.locator(STEPPER).first.screenshot(path=str(artifacts / "stepper.png"))
    timings["total_s"] = time.monotonic() - t0
    record_timing(artifacts, "stepper", timings)
    shutdown_kernel(page)
