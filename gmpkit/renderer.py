"""Plotly figures that show in JupyterLab *and* in static HTML exports of the notebooks.

Under a Jupyter kernel plotly 7 renders a figure with its own mimetype only
(``application/vnd.plotly.v1+json``): JupyterLab draws it, but ``jupyter nbconvert --to html`` (and
any static site built from executed notebooks) knows nothing of that mimetype and shows a blank.
:func:`use_html_renderer` adds a second representation to every figure, ``text/html``: a ``<div>``
with the figure and a ``<script>`` that loads plotly.js from its CDN and draws it. JupyterLab
still picks the plotly mimetype (its renderer ranks first); nbconvert picks the HTML.

The charts' modules (``gmpkit.viz``, ``gmpkit.demos.measure``, ``gmpkit.demos.compare``) call it
when they are imported, so a notebook needs nothing extra. It leaves plotly alone when the user
chose a renderer (the ``PLOTLY_RENDERER`` environment variable, or ``plotly.io.renderers.default``
set to anything but plotly's own default), and outside a Jupyter kernel.

Cost: an executed notebook carries each figure twice. Committed notebooks carry no outputs
(``tests/test_notebooks.py`` checks), so only exports pay it. A static page needs the network to
load plotly.js from ``cdn.plot.ly`` when it is viewed.
"""

from __future__ import annotations

import os
import sys

__all__ = ["RENDERER", "HTML_RENDERER", "use_html_renderer"]

#: The renderer name registered with plotly, and the default it sets.
HTML_RENDERER = "gmpkit_html"
RENDERER = "plotly_mimetype+" + HTML_RENDERER

_done = False


def _in_kernel() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:
        return False
    return ip is not None and type(ip).__module__.startswith("ipykernel")


def use_html_renderer(force: bool = False) -> bool:
    """Make plotly figures carry ``text/html`` beside their own mimetype; True if it did.

    Only under a Jupyter kernel, only when plotly still has its kernel default
    (``plotly_mimetype``), unless ``force``. Idempotent.
    """
    global _done
    if _done and not force:
        return True
    if not force and (os.environ.get("PLOTLY_RENDERER") or not _in_kernel()):
        return False
    import plotly.io as pio
    from plotly.io._base_renderers import HtmlRenderer

    if HTML_RENDERER not in pio.renderers:
        # connected: the page loads plotly.js from the CDN; global_init=False: every figure
        # carries its own loader, so no extra output appears in the first chart's cell.
        pio.renderers[HTML_RENDERER] = HtmlRenderer(
            connected=True, global_init=False, config={"displaylogo": False, "responsive": True}
        )
    if not force and pio.renderers.default not in ("plotly_mimetype", RENDERER):
        return False
    pio.renderers.default = RENDERER
    _done = True
    return True
