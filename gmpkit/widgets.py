"""Interactive apps for the notebooks (ipywidgets, with plotly charts).

:class:`Playground` — the GOMAXPROCS playground. Pick a scenario, move the GOMAXPROCS slider,
change the goroutine count or the seed, switch scheduler mechanisms off; every change re-runs the
simulation and redraws the charts (per-P timeline, run queues, goroutine states, threads).
Problems (a deadlock, a panic, a bad setting) are shown inside the widget, in red, never only in
a log. The last run is kept as ``playground.trace`` for further digging, and the time each redraw
took as ``playground.timings``.

    >>> from gmpkit.widgets import Playground
    >>> pg = Playground()          # doctest: +SKIP
    >>> pg                         # doctest: +SKIP   (displays it)
    >>> pg.gomaxprocs.value = 4    # doctest: +SKIP   (same as moving the slider)
"""

from __future__ import annotations

import html
import inspect
import time
import traceback
from typing import Any

from . import scenarios as sc
from . import viz

__all__ = ["Playground", "SWITCH_LABELS"]

#: The scheduler's teaching switches (``gk.run(..., name=False)``) with the words shown.
SWITCH_LABELS = {
    "runnext": "runnext slot",
    "stealing": "work stealing",
    "spinning": "spinning Ms",
    "handoff": "syscall handoff",
    "preemption": "sysmon preemption",
    "global_check": "1-in-61 global check",
    "netpoller": "netpoller",
}
MAX_GOMAXPROCS = 16
MAX_GOROUTINES = 500
_CHARTS = ("timeline", "queues", "states", "threads")


_PLOTLY_MIME = "application/vnd.plotly.v1+json"
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def _put_spec(out, spec: dict[str, Any], name: str) -> None:
    """Show a chart spec in an ``Output`` widget: one message, rendered by JupyterLab's plotly
    renderer. (A ``FigureWidget`` would re-validate every property in Python on each redraw,
    which alone costs more than the 250 ms a redraw may take.)"""
    out.outputs = ({
        "output_type": "display_data",
        "data": {_PLOTLY_MIME: {**spec, "config": _PLOT_CONFIG}, "text/plain": f"<{name} chart>"},
        "metadata": {},
    },)


def show_error(box: Any, error: str) -> None:
    """Show ``error`` in an ``HTML`` widget, in red (hide the box when there is none)."""
    if error:
        box.value = ("<pre style='color:#b91c1c;background:#fef2f2;border:1px solid #fca5a5;"
                     f"padding:6px;white-space:pre-wrap;margin:4px 0'>{html.escape(error)}</pre>")
        box.layout.display = None
    else:
        box.value = ""
        box.layout.display = "none"


def _default_n(name: str) -> int:
    return inspect.signature(sc.SCENARIOS[name]).parameters["n"].default


class Playground:
    """The GOMAXPROCS playground: controls on top, charts below, errors shown in the widget."""

    def __init__(self, scenario: str = sc.DEFAULT, *, gomaxprocs: int = 2, n: int | None = None,
                 seed: int = 1, charts: tuple[str, ...] = _CHARTS, **switches: bool) -> None:
        import ipywidgets as W

        if scenario not in sc.SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; choose one of "
                             f"{', '.join(sc.SCENARIOS)}")
        unknown = set(switches) - set(SWITCH_LABELS)
        if unknown:
            raise ValueError(f"unknown switch {sorted(unknown)}; switches are "
                             f"{', '.join(SWITCH_LABELS)}")
        unknown_charts = set(charts) - set(_CHARTS)
        if unknown_charts:
            raise ValueError(f"unknown chart {sorted(unknown_charts)}; charts are "
                             f"{', '.join(_CHARTS)}")
        self._hold = False
        self.trace: Any = None
        self.error: str = ""
        self.timings: dict[str, float] = {}
        self.runs = 0
        wide = {"description_width": "initial"}
        self.scenario = W.Dropdown(
            options=[(sc.get(name).title, name) for name in sc.SCENARIOS], value=scenario,
            description="scenario", style=wide, layout=W.Layout(width="300px"))
        self.gomaxprocs = W.IntSlider(
            value=gomaxprocs, min=1, max=MAX_GOMAXPROCS, description="GOMAXPROCS", style=wide,
            continuous_update=False, layout=W.Layout(width="330px"))
        self.gomaxprocs.add_class("gmpkit-gomaxprocs")
        self.goroutines = W.IntSlider(
            value=n if n is not None else _default_n(scenario), min=1, max=MAX_GOROUTINES,
            description="goroutines", style=wide, continuous_update=False,
            layout=W.Layout(width="330px"))
        self.seed = W.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed",
                                     style=wide, layout=W.Layout(width="150px"))
        self.switches = {
            name: W.Checkbox(value=switches.get(name, True), description=label, indent=False,
                             layout=W.Layout(width="170px"))
            for name, label in SWITCH_LABELS.items()
        }
        self.status = W.HTML()
        self.status.add_class("gmpkit-status")
        self.error_box = W.HTML(layout=W.Layout(display="none"))
        self.error_box.add_class("gmpkit-error")
        self.charts = charts
        self.outputs: dict[str, Any] = {}
        self.specs: dict[str, dict[str, Any]] = {}
        boxes = []
        for name in charts:
            out = W.Output(layout=W.Layout(width="100%"))
            out.add_class(f"gmpkit-{name}")
            self.outputs[name] = out
            boxes.append(out)
        controls = W.VBox([
            W.HBox([self.scenario, self.seed]),
            W.HBox([self.gomaxprocs, self.goroutines]),
            W.GridBox(list(self.switches.values()),
                      layout=W.Layout(grid_template_columns="repeat(4, 175px)")),
        ])
        self.widget = W.VBox([controls, self.status, self.error_box, *boxes])
        self.widget.add_class("gmpkit-playground")
        for ctl in (self.scenario, self.gomaxprocs, self.goroutines, self.seed,
                    *self.switches.values()):
            ctl.observe(self._on_change, names="value")
        self.redraw()

    # ----- the run ----------------------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """The ``gk.run`` options the controls stand for (echoed so any run can be repeated)."""
        return {"gomaxprocs": self.gomaxprocs.value, "seed": self.seed.value,
                **{name: box.value for name, box in self.switches.items()}}

    def scenario_obj(self) -> sc.Scenario:
        return sc.get(self.scenario.value, n=self.goroutines.value, seed=self.seed.value)

    def _simulate(self):
        """Run the chosen scenario; on failure keep the message for the error box."""
        t0 = time.perf_counter()
        self.error = ""
        try:
            trace = self.scenario_obj().run(record=True, check=False, **self.options())
        except Exception as e:  # shown in the widget: a learner must see what went wrong
            self.error = f"{type(e).__name__}: {e}"
            self._error_detail = traceback.format_exc(limit=3)
            trace = getattr(e, "trace", None)
        self.timings = {"simulate_ms": (time.perf_counter() - t0) * 1e3}
        if trace is not None:
            code = getattr(trace, "exit_code", 0)
            if code:
                stderr = getattr(trace, "stderr", "")
                self.error = (f"the Go program failed (exit status {code}):\n{stderr}"
                              if not self.error else self.error)
        self.runs += 1
        return trace

    def redraw(self) -> None:
        """Re-run the simulation with the controls' values and redraw every chart."""
        t0 = time.perf_counter()
        trace = self._simulate()
        t1 = time.perf_counter()
        if trace is not None:
            try:
                specs = {name: viz.SPECS[name](trace) for name in self.charts}
                t2 = time.perf_counter()
                for name, spec in specs.items():
                    _put_spec(self.outputs[name], spec, name)
                self.specs = specs
                t3 = time.perf_counter()
                self.timings.update(figures_ms=(t2 - t1) * 1e3, widgets_ms=(t3 - t2) * 1e3)
            except Exception as e:
                self.error = f"drawing the charts failed: {type(e).__name__}: {e}"
        self.timings["total_ms"] = (time.perf_counter() - t0) * 1e3
        self._show(trace)

    def _on_change(self, change) -> None:
        if self._hold:
            return
        if change["owner"] is self.scenario:
            # A new scenario starts from its own goroutine count; one redraw, not two.
            self._hold = True
            try:
                self.goroutines.value = _default_n(self.scenario.value)
            finally:
                self._hold = False
        self.redraw()

    def _show(self, trace) -> None:
        if trace is not None:
            self.trace = trace
            rec = getattr(trace, "recorder", trace)
            opts = self.options()
            off = [SWITCH_LABELS[k] for k in SWITCH_LABELS if not opts[k]]
            end_ms = rec.end_ns() / 1e6 if hasattr(rec, "end_ns") else 0.0
            took = self.timings.get("total_ms", self.timings.get("simulate_ms", 0.0))
            self.status.value = (
                f"<code>{html.escape(self.scenario.value)}(n={self.goroutines.value}, "
                f"seed={self.seed.value})</code> with GOMAXPROCS={opts['gomaxprocs']}"
                f"{' · off: ' + ', '.join(off) if off else ''} → the program took "
                f"<b>{end_ms:.3f} ms</b> of virtual time, {len(rec)} scheduler events "
                f"<span style='color:#888'>(redrawn in {took:.0f} ms)</span>")
        show_error(self.error_box, self.error)

    # ----- display ------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def lanes(self) -> list[str]:
        """The P lanes the timeline shows now (the browser test counts the same labels)."""
        spec = self.specs.get("timeline")
        return list(spec["layout"]["yaxis"]["tickvals"]) if spec else []
