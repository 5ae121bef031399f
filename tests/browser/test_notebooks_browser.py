"""Every notebook of the course, opened in a real JupyterLab in Chromium and run with *Run All*.

This is how a learner meets the course, and it is not what nbval sees: JupyterLab's kernel runs
threads nbval's does not (IPython's history thread), widgets and plotly render in the page, and
Lab stops at the first failing cell. A notebook passes when every code cell ran and none shows an
error output. The seconds each notebook took are written to ``artifacts/browser_timings.json``
(reported for the teacher's guide, never asserted).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from labdriver import ERROR_BOX, open_notebook, record_timing, run_all, shutdown_kernel

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_jupyterlab(browser, lab, page, artifacts, name: str):
    # `browser` first: without Chromium the test skips (or fails) before a server starts.
    t0 = time.monotonic()
    opened = open_notebook(page, lab, f"notebooks/{name}")
    ran, cells = run_all(page)
    try:
        assert cells["code"] > 0
        assert cells["errors"] == [], f"{name}: " + "\n".join(cells["errors"])
        assert cells["unexecuted"] == 0, f"{name}: {cells['unexecuted']} code cells did not run"
        widget_errors = [t for t in page.locator(ERROR_BOX).all_inner_texts() if t.strip()]
        assert widget_errors == [], f"{name}: a widget shows an error: {widget_errors}"
    finally:
        record_timing(artifacts, name, {"open_and_kernel_s": opened, "run_all_s": ran,
                                        "total_s": time.monotonic() - t0})
        shutdown_kernel(page)
    print(f"{name}: opened in {opened:.1f} s, Run All in {ran:.1f} s, {cells['code']} code cells")
