"""Driving JupyterLab from Playwright: open a notebook, run all of it, read what the cells say.

Used by the browser tests. Everything goes through the JupyterLab application object the server
exposes (``--expose-app-in-browser``): the toolbar's idle indicator is not a reliable signal, the
session's kernel status is.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

KERNEL_STATUS_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const s = w && w.sessionContext && w.sessionContext.session;
  return s && s.kernel ? s.kernel.status : null;
}"""

# Every code cell's execution count and outputs, as the notebook model holds them.
CELLS_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.model.cells;
  const errors = [];
  let unexecuted = 0, code = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i).toJSON();
    if (c.cell_type !== 'code') continue;
    code++;
    if (c.execution_count === null) unexecuted++;
    for (const o of c.outputs || []) {
      if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  }
  return {errors, unexecuted, code};
}"""

SHUTDOWN_JS = """async () => {
  const w = window.jupyterapp.shell.currentWidget;
  if (w && w.sessionContext) { await w.sessionContext.shutdown(); }
}"""

ERROR_BOX = ".gmpkit-error"


def wait_for(page: Any, what: str, predicate: Any, timeout_s: float = 60) -> Any:
    """Poll ``predicate()`` until it is truthy; fail saying what was awaited and what was seen."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(200)
    errors = page.locator(ERROR_BOX).all_inner_texts()
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what} (last: {value!r}; "
                         f"widget errors: {errors})")


def wait_kernel_idle(page: Any, timeout_s: float) -> None:
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


def open_notebook(page: Any, lab: Any, notebook: str, timeout_s: float = 120) -> float:
    """Open ``notebook`` (a path under the server's root) and wait for its kernel; seconds taken."""
    t0 = time.monotonic()
    page.goto(lab.tree_url(notebook))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext")
    wait_kernel_idle(page, timeout_s)
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # more room for the charts
    return time.monotonic() - t0


def run_all(page: Any, timeout_s: float = 900) -> tuple[float, dict[str, Any]]:
    """*Run → Run All Cells*, then wait until the kernel is idle and every code cell has run, or
    a cell has failed (Lab stops at the first error); returns seconds taken and the cell report.
    """
    t0 = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def finished() -> dict[str, Any] | None:
        if page.evaluate(KERNEL_STATUS_JS) != "idle":
            return None
        cells = page.evaluate(CELLS_JS)
        return cells if cells["unexecuted"] == 0 or cells["errors"] else None

    cells = wait_for(page, "all cells to run", finished, timeout_s=timeout_s)
    return time.monotonic() - t0, cells


def shutdown_kernel(page: Any) -> None:
    """Stop the notebook's kernel, so the next notebook does not share the machine with it."""
    try:
        page.evaluate(SHUTDOWN_JS)
    except Exception:  # the page may already be closing; the server stops it at the end anyway
        pass


def record_timing(artifacts: Path, key: str, values: dict[str, float]) -> None:
    """Merge ``values`` under ``key`` into ``artifacts/browser_timings.json`` (reported, never
    asserted)."""
    path = artifacts / "browser_timings.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data[key] = {k: round(v, 2) for k, v in values.items()}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
