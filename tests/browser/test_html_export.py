"""Static HTML exports show the charts: ``jupyter nbconvert --to html`` of an executed notebook.

Under a Jupyter kernel plotly renders with its own mimetype only, which JupyterLab draws and
nbconvert drops. ``gmpkit.renderer`` (switched on by importing the charts' modules) adds a
``text/html`` representation. Here a notebook that draws gmpkit charts is executed and exported,
the export is checked for the charts' HTML, and opened in Chromium, where the charts must draw.
The page loads plotly.js from its CDN; the test serves the copy inside the plotly package instead,
so it needs no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CELLS = [
    "from gmpkit import scenarios, viz\ntrace = scenarios.get('cpu_bound', seed=1).run(gomaxprocs=2)",
    "viz.timeline(trace)",
    "from gmpkit.demos import compare, measure\n"
    "t = measure.from_samples('a', [1e-6, 2e-6])\n"
    "measure.bar_chart(measure.timing_table([t]), 'best (µs)', 'one bar')",
]


def _notebook(path: Path) -> None:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": src} for i, src in enumerate(CELLS)]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                      "display_name": "Python 3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def test_exported_html_draws_the_charts(browser, tmp_path: Path) -> None:
    import plotly

    source = tmp_path / "charts.ipynb"
    _notebook(source)
    env_dirs = {"JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "IPYTHONDIR": str(tmp_path / "ip")}
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
         "--ExecutePreprocessor.timeout=300", str(source)],
        capture_output=True, text=True, timeout=600, env={**os.environ, **env_dirs})
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (tmp_path / "charts.html").read_text()
    assert html.count("Plotly.newPlot") >= 2, "the export carries no chart HTML"

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    try:
        page.route("https://cdn.plot.ly/**", lambda route: route.fulfill(
            path=str(plotly_js), content_type="application/javascript"))
        page.goto((tmp_path / "charts.html").as_uri())
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2",
                               timeout=60_000)
        lanes = page.evaluate("""() => [...document.querySelector('.js-plotly-plot')
            .querySelectorAll('.ytick text')].map(t => t.textContent.trim())""")
        assert "P0" in lanes and "P1" in lanes, lanes
    finally:
        context.close()
