"""The GMP chapter in a real JupyterLab and Chromium: run every cell, move the GOMAXPROCS slider,
and watch the per-P timeline follow it.

This is what nbval cannot see: that the widget's front end talks to the kernel, that the slider's
callback re-runs the simulation and that the redrawn plotly chart reaches the page. Phase timings
are written to ``artifacts/browser_timings.json`` (reported, not asserted) and a screenshot of the
playground to ``artifacts/gmp_playground.png``. (Every notebook's *Run All* is checked by
``test_notebooks_browser.py``; this test is about the widget.)
"""

from __future__ import annotations

import re
import time

import pytest
from labdriver import ERROR_BOX, open_notebook, record_timing, run_all, shutdown_kernel, wait_for

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/05_gmp_scheduler.ipynb"
# CSS classes the playground puts on its parts (gmpkit.widgets.Playground).
SLIDER = ".gmpkit-gomaxprocs"
TIMELINE = ".gmpkit-timeline"
PLAYGROUND = ".gmpkit-playground"

LANES_JS = """(sel) => {
  const plot = document.querySelector(sel + ' .js-plotly-plot');
  if (!plot) return null;
  const labels = [...plot.querySelectorAll('.ytick text')].map(t => t.textContent.trim());
  return labels.filter(t => /^P\\d+$/.test(t)).length;
}"""


def _readout(page) -> int | None:
    """The slider's value as the page shows it (None while the readout is still empty)."""
    text = page.locator(f"{SLIDER} .widget-readout").first.inner_text()
    found = re.search(r"\d+", text)
    return int(found.group()) if found else None


def _lanes(page) -> int | None:
    return page.evaluate(LANES_JS, TIMELINE)


def test_gomaxprocs_slider_redraws_the_timeline(browser, lab, page, artifacts):
    # `browser` first: without Chromium the test skips (or fails) before a server starts.
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    timings["open_and_kernel_s"] = open_notebook(page, lab, NOTEBOOK)

    t1 = time.monotonic()
    _, cells = run_all(page)
    assert cells["errors"] == [], "\n".join(cells["errors"])
    page.locator(PLAYGROUND).first.scroll_into_view_if_needed()
    lanes_before = wait_for(page, "the timeline chart", lambda: _lanes(page))
    timings["run_all_and_render_s"] = time.monotonic() - t1

    before = wait_for(page, "the slider's readout", lambda: _readout(page))
    assert lanes_before == before, "one timeline lane per P, as many Ps as GOMAXPROCS"
    assert page.locator(ERROR_BOX).all_inner_texts() in ([], [""])

    t2 = time.monotonic()
    handle = page.locator(f"{SLIDER} .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    after = before + 2
    wait_for(page, "the slider readout to move", lambda: _readout(page) == after, timeout_s=15)
    lanes_after = wait_for(page, f"{after} P lanes", lambda: _lanes(page) == after and after)
    timings["slider_redraw_s"] = time.monotonic() - t2
    assert lanes_after == after

    page.locator(PLAYGROUND).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # let plotly finish its transition before the picture
    page.screenshot(path=str(artifacts / "gmp_playground.png"))
    timings["total_s"] = time.monotonic() - t0
    record_timing(artifacts, "slider", timings)
    shutdown_kernel(page)
    print("browser timings:", {k: round(v, 2) for k, v in timings.items()})
