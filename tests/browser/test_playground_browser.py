"""The GMP chapter in a real JupyterLab and Chromium: run every cell, move the GOMAXPROCS slider,
and watch the per-P timeline follow it.

This is what nbval cannot see: that the widget's front end talks to the kernel, that the slider's
callback re-runs the simulation and that the redrawn plotly chart reaches the page. Phase timings
are written to ``artifacts/browser_timings.json`` (reported, not asserted) and a screenshot of the
playground to ``artifacts/gmp_playground.png``.
"""

from __future__ import annotations

import json
import re
import time

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/05_gmp_scheduler.ipynb"
# CSS classes the playground puts on its parts (gmpkit.widgets.Playground).
SLIDER = ".gmpkit-gomaxprocs"
TIMELINE = ".gmpkit-timeline"
PLAYGROUND = ".gmpkit-playground"
ERROR_BOX = ".gmpkit-error"

KERNEL_STATUS_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const s = w && w.sessionContext && w.sessionContext.session;
  return s && s.kernel ? s.kernel.status : null;
}"""

CELL_ERRORS_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.model.cells;
  const errors = [];
  let unexecuted = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i).toJSON();
    if (c.cell_type !== 'code') continue;
    if (c.execution_count === null) unexecuted++;
    for (const o of c.outputs || []) {
      if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  }
  return {errors, unexecuted};
}"""

LANES_JS = """(sel) => {
  const plot = document.querySelector(sel + ' .js-plotly-plot');
  if (!plot) return null;
  const labels = [...plot.querySelectorAll('.ytick text')].map(t => t.textContent.trim());
  return labels.filter(t => /^P\\d+$/.test(t)).length;
}"""


def _readout(page) -> int:
    # A cell scrolled back into view is laid out a moment after it is attached: until then
    # the readout's text is empty.
    readout = page.locator(f"{SLIDER} .widget-readout").first
    text = _wait_for(page, "the slider readout", lambda: re.search(r"\d+", readout.inner_text()),
                     timeout_s=15)
    return int(text.group())


def _lanes(page) -> int | None:
    return page.evaluate(LANES_JS, TIMELINE)


def _wait_kernel_idle(page, timeout_s: float) -> None:
    """Wait for an idle kernel, accepting the 'Select Kernel' dialog a fresh server may show."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        if page.evaluate(KERNEL_STATUS_JS) == "idle":
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"kernel not idle after {timeout_s} s (status "
                         f"{page.evaluate(KERNEL_STATUS_JS)!r})")


def _wait_for(page, what: str, predicate, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(200)
    errors = page.locator(ERROR_BOX).all_inner_texts()
    raise AssertionError(f"timed out waiting for {what} (last: {value!r}; widget errors: {errors})")


def test_gomaxprocs_slider_redraws_the_timeline(browser, lab, page, artifacts):
    # `browser` first: without Chromium the test skips (or fails) before a server starts.
    timings: dict[str, float] = {}
    t0 = time.monotonic()

    page.goto(lab.tree_url(NOTEBOOK))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext")
    _wait_kernel_idle(page, timeout_s=90)
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # more room for the charts
    timings["open_and_kernel_s"] = time.monotonic() - t0

    t1 = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    _wait_for(page, "all cells to run",
              lambda: page.evaluate(KERNEL_STATUS_JS) == "idle"
              and page.evaluate(CELL_ERRORS_JS)["unexecuted"] == 0, timeout_s=300)
    result = page.evaluate(CELL_ERRORS_JS)
    assert result["errors"] == [], "\n".join(result["errors"])
    page.locator(PLAYGROUND).first.scroll_into_view_if_needed()
    lanes_before = _wait_for(page, "the timeline chart", lambda: _lanes(page))
    timings["run_all_and_render_s"] = time.monotonic() - t1

    before = _readout(page)
    assert lanes_before == before, "one timeline lane per P, as many Ps as GOMAXPROCS"
    assert page.locator(ERROR_BOX).all_inner_texts() in ([], [""])

    t2 = time.monotonic()
    handle = page.locator(f"{SLIDER} .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    after = before + 2
    _wait_for(page, "the slider readout to move", lambda: _readout(page) == after, timeout_s=15)
    lanes_after = _wait_for(page, f"{after} P lanes", lambda: _lanes(page) == after and after)
    timings["slider_redraw_s"] = time.monotonic() - t2
    assert lanes_after == after

    page.locator(PLAYGROUND).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # let plotly finish its transition before the picture
    page.screenshot(path=str(artifacts / "gmp_playground.png"))
    timings["total_s"] = time.monotonic() - t0
    timings = {k: round(v, 2) for k, v in timings.items()}
    (artifacts / "browser_timings.json").write_text(json.dumps(timings, indent=1) + "\n")
    print("browser timings:", timings)
