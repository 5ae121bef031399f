"""Plotly charts of a recorded run: what the scheduler did, drawn the way Go's tools draw it.

Every function takes a ``Trace`` returned by ``gk.run(..., record=True)`` (or the
:class:`gmpkit.trace.Recorder` itself) and returns a ``plotly.graph_objects.Figure``:

| function | shows |
|---|---|
| :func:`timeline` | one lane per P, like ``go tool trace``: which goroutine ran where and when, one colour per goroutine; hovering a bar says why it ran there |
| :func:`queue_chart` | length of each P's local run queue, its runnext slot and the global run queue over time |
| :func:`goroutine_states` | how many goroutines are running, runnable, waiting, in a syscall |
| :func:`threads_chart` | Ms running, spinning, idle and in syscalls, and idle Ps, over time |
| :func:`gmp_diagram` | one instant: each P with its M, running G, runnext and local queue; the global queue; idle and syscall Ms. ``animate=True`` adds a slider and a play button over every recorded instant |
| :func:`gmp_snapshot_spec` | the same diagram for one :class:`~gmpkit.trace.Snapshot`, with one decision's goroutine, thread and P highlighted (the stepper draws it after every click) |
| :func:`side_by_side` | a model trace and a real Go trace (:class:`gmpkit.gotrace.GoTrace`) in one figure on one time axis: per-P timelines, goroutine states and threads, each model panel above the Go one, goroutines coloured by creation order so the same goroutine has the same colour in both |

``timeline``, ``goroutine_states`` and ``threads_chart`` also draw a real Go trace
(``golang.trace_go``); ``queue_chart`` and ``gmp_diagram`` need the run queues, which Go's
execution trace does not record.

Figures are built from columns, not from per-event Python loops: one bar trace per P lane, one
line per queue, so a redraw stays cheap (the playground redraws on every slider move). Each chart
is first a *spec*, a plain JSON-able dict (``timeline_spec`` ...); the functions above wrap it in a
``go.Figure`` without re-validating it, and the playground sends the spec to the browser as is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

__all__ = [
    "SPECS",
    "timeline_spec",
    "queue_spec",
    "states_spec",
    "threads_spec",
    "gmp_spec",
    "gmp_snapshot_spec",
    "timeline",
    "queue_chart",
    "goroutine_states",
    "threads_chart",
    "gmp_diagram",
    "g_color",
    "dashboard",
    "side_by_side",
    "side_by_side_spec",
]

# Goroutine colours: a long qualitative palette so neighbouring goroutine ids differ. G1 (main)
# is always the same dark slate, so it is easy to find in every chart.
_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
    "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
    "#dbdb8d", "#9edae5", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)
_MAIN_COLOR = "#2f3e46"
_FONT = {"family": "Inter, 'Noto Sans CJK SC', 'DejaVu Sans', sans-serif", "size": 12}
_MARGIN = {"l": 60, "r": 20, "t": 50, "b": 40}

# Human words for the scheduler's "why did this G run here" sources and stop reasons.
SOURCE_TEXT = {
    "runnext": "runnext: it was made ready (or created) on this P and took the next slot",
    "local": "local run queue of this P",
    "global": "global run queue",
    "global61": "global run queue (the 1-in-61 fairness check)",
    "netpoll": "netpoller: its network wait finished",
    "timer": "its timer fired on this P",
    "syscall": "back from a system call",
    "resume": "resumed without leaving the P",
}


_KIND_NOTE = {"runtime": "<br>a runtime goroutine (not the program's)",
              "tracer": "<br>the execution tracer's own goroutine (not the program's)"}


def g_color(g: int) -> str:
    """The colour of goroutine ``g`` in every chart."""
    if g == 1:
        return _MAIN_COLOR
    return _PALETTE[g % len(_PALETTE)]


def _recorder(trace: Any):
    """Accept a Trace (with ``.recorder``) or a Recorder."""
    rec = getattr(trace, "recorder", None)
    if rec is None:
        rec = trace
    if not hasattr(rec, "max_procs"):
        raise TypeError("expected a Trace from gk.run(..., record=True) or a gmpkit.trace.Recorder;"
                        f" got {type(trace).__name__}. Run with record=True to draw charts.")
    return rec


def _why(source: str | None) -> str:
    if source is None or source != source:  # None or NaN: a real Go trace does not say
        return "not recorded by Go's execution trace"
    if source.startswith("steal:"):
        return f"stolen from {source.split(':', 1)[1]}'s local run queue (work stealing)"
    return SOURCE_TEXT.get(source, source)


_AXIS_STYLE = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8",
               "automargin": True}


def _base_layout(title: str, **extra: Any) -> dict[str, Any]:
    """Layout shared by every chart: the look of plotly's ``plotly_white``, spelled out so a
    figure spec needs no template (plain JSON the browser renders as is)."""
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": {**_FONT, "color": "#2a3f5f"},
        "margin": _MARGIN,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "hoverlabel": {"align": "left"},
        "template": {"layout": {}},
    }
    layout.update(extra)
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**_AXIS_STYLE, **layout.get(axis, {})}
    return layout


def _ms_axis(**extra: Any) -> dict[str, Any]:
    axis = {"title": {"text": "virtual time (ms)"}, "zeroline": False}
    axis.update(extra)
    return axis


def _figure(spec: dict[str, Any]) -> go.Figure:
    """A plotly Figure from a spec built by this module (already valid: skip re-validation)."""
    import plotly.graph_objects as go

    from .renderer import use_html_renderer

    use_html_renderer()  # also text/html, so static HTML exports show the chart
    return go.Figure(spec, _validate=False)


# --- time charts -------------------------------------------------------------------------------


def timeline_spec(trace: Any, *, title: str | None = None, height: int | None = None,
                  color_of: Callable[[int], str] | None = None) -> dict:
    """The spec (plain JSON-able dict) behind :func:`timeline`. ``color_of`` (goroutine id ->
    colour) replaces :func:`g_color`, e.g. to colour two traces by creation order."""
    rec = _recorder(trace)
    color_of = color_of or g_color
    spans = rec.spans
    nprocs = rec.max_procs()
    lanes = [f"P{i}" for i in range(nprocs)]
    traces: list[dict[str, Any]] = []
    if len(spans):
        start_ms = spans["start"].to_numpy() / 1e6
        dur_ms = (spans["end"] - spans["start"]).to_numpy() / 1e6
        gs = spans["g"].tolist()
        ps = spans["p"].to_numpy()
        kinds = spans["kind"].tolist()
        hover = [
            f"<b>G{g}</b> on P{p} (M{m})  {s:.3f}–{s + d:.3f} ms<br>"
            f"{'in a system call, P still attached' if k == 'syscall' else 'why here: ' + _why(src)}"
            f"<br>stopped: {why_end}"
            for g, p, m, s, d, k, src, why_end in zip(
                gs, ps.tolist(), spans["m"].tolist(), start_ms.tolist(), dur_ms.tolist(), kinds,
                spans["source"].tolist(), spans["end_reason"].tolist())
        ]
        colors = [color_of(g) for g in gs]
        if "g_kind" in spans:  # a real Go trace: say which goroutines are not the program's
            hover = [h + _KIND_NOTE.get(k, "") for h, k in zip(hover, spans["g_kind"].tolist())]
        labels = [f"G{g}" for g in gs]
        shapes = ["/" if k == "syscall" else "" for k in kinds]
        for i, lane in enumerate(lanes):
            sel = (ps == i).nonzero()[0].tolist()
            if not sel:
                continue
            traces.append({
                "type": "bar", "name": lane, "orientation": "h",
                "y": [lane] * len(sel),
                "base": [start_ms[j] for j in sel],
                "x": [dur_ms[j] for j in sel],
                "text": [labels[j] for j in sel],
                "textposition": "inside", "insidetextanchor": "middle",
                "textfont": {"color": "white", "size": 10},
                "marker": {"color": [colors[j] for j in sel],
                           "line": {"width": 0.5, "color": "white"},
                           "pattern": {"shape": [shapes[j] for j in sel], "fgcolor": "white"}},
                "hovertext": [hover[j] for j in sel], "hoverinfo": "text",
                "showlegend": False,
            })
    # Every P gets a lane, even one that never ran anything: an idle P is part of the story.
    layout = _base_layout(
        title or f"Per-P timeline (GOMAXPROCS={rec.gomaxprocs_at_end()})",
        barmode="overlay", bargap=0.25,
        height=height or 110 + 34 * max(nprocs, 2),
        xaxis=_ms_axis(range=[0, max(rec.end_ns() / 1e6, 1e-3)]),
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": lanes[::-1],
               "tickmode": "array", "tickvals": lanes, "ticktext": lanes,
               "range": [-0.5, nprocs - 0.5], "fixedrange": True},
    )
    return {"data": traces, "layout": layout}


def timeline(trace: Any, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """Per-P lanes (the ``go tool trace`` view): a bar for each stretch a goroutine ran on a P.

    Colour = goroutine. Hatched bars are system calls made while the P was still attached.
    Hover: the goroutine, its M, the interval, *why* it ran on this P (runnext, local queue,
    global queue, stolen from Pk, netpoller) and why it stopped.
    """
    return _figure(timeline_spec(trace, title=title, height=height))


def _step_traces(df, columns: list[str], *, names: list[str], colors: list[str],
                 stack: bool = False, dash: list[str] | None = None) -> list[dict[str, Any]]:
    x = (df["t"].to_numpy() / 1e6).tolist()
    out = []
    for k, col in enumerate(columns):
        # None, not NaN, where a P did not exist yet: the spec must be strict JSON.
        y = [None if v != v else v for v in df[col].astype("float64").tolist()]
        if y and all(v is None for v in y):
            continue  # a series the trace does not have (a real Go trace's spinning Ms)
        tr: dict[str, Any] = {
            "type": "scatter", "x": x, "y": y, "name": names[k], "mode": "lines",
            "line": {"shape": "hv", "width": 1.6, "color": colors[k],
                     **({"dash": dash[k]} if dash else {})},
            "hovertemplate": f"{names[k]}: %{{y}}<br>%{{x:.3f}} ms<extra></extra>",
        }
        if stack:
            tr["stackgroup"] = "one"
        out.append(tr)
    return out


def queue_spec(trace: Any, *, title: str | None = None, runnext: bool = True,
               height: int = 320) -> dict:
    """The spec behind :func:`queue_chart`."""
    rec = _recorder(trace)
    q = rec.queues
    cols = [f"P{i}" for i in range(rec.max_procs()) if f"P{i}" in q]
    colors = [_PALETTE[i % len(_PALETTE)] for i in range(len(cols))]
    data = _step_traces(q, cols, names=[f"{c} local" for c in cols], colors=colors)
    if runnext:
        nxt = [f"{c}.runnext" for c in cols]
        data += _step_traces(q, nxt, names=[f"{c} runnext" for c in cols], colors=colors,
                             dash=["dot"] * len(nxt))
    data += _step_traces(q, ["global"], names=["global"], colors=["#111111"])
    layout = _base_layout(
        title or "Run queues over time", height=height, xaxis=_ms_axis(),
        yaxis={"title": {"text": "goroutines queued"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
    )
    return {"data": data, "layout": layout}


def queue_chart(trace: Any, *, title: str | None = None, runnext: bool = True,
                height: int = 320) -> go.Figure:
    """Run-queue lengths over time: each P's local queue (solid), runnext (dotted), global (black).

    Go's schedtrace ``[ a b ]`` shows the local queues without runnext; this chart shows both.
    """
    return _figure(queue_spec(trace, title=title, runnext=runnext, height=height))


_G_STATES = [("running", "#2ca02c"), ("runnable", "#ff7f0e"), ("syscall", "#d62728"),
             ("waiting", "#9e9e9e")]
_M_STATES = [("running", "#2ca02c"), ("spinning", "#17becf"), ("syscall", "#d62728"),
             ("idle", "#c7c7c7")]


def states_spec(trace: Any, *, title: str | None = None, height: int = 300) -> dict:
    """The spec behind :func:`goroutine_states`."""
    c = _recorder(trace).counts
    data = _step_traces(c, [f"g_{s}" for s, _ in _G_STATES], names=[s for s, _ in _G_STATES],
                        colors=[col for _, col in _G_STATES], stack=True)
    layout = _base_layout(
        title or "Goroutines by state", height=height, xaxis=_ms_axis(),
        yaxis={"title": {"text": "goroutines"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.3},
    )
    return {"data": data, "layout": layout}


def goroutine_states(trace: Any, *, title: str | None = None, height: int = 300) -> go.Figure:
    """How many goroutines are running, runnable, in a syscall, waiting: a stacked step chart."""
    return _figure(states_spec(trace, title=title, height=height))


def threads_spec(trace: Any, *, title: str | None = None, height: int = 300) -> dict:
    """The spec behind :func:`threads_chart`."""
    c = _recorder(trace).counts
    data = _step_traces(c, [f"m_{s}" for s, _ in _M_STATES],
                        names=[f"M {s}" for s, _ in _M_STATES],
                        colors=[col for _, col in _M_STATES], stack=True)
    data += _step_traces(c, ["p_idle"], names=["idle Ps"], colors=["#7b4173"], dash=["dash"])
    layout = _base_layout(
        title or "Threads (Ms) and idle Ps", height=height, xaxis=_ms_axis(),
        yaxis={"title": {"text": "count"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.3},
    )
    return {"data": data, "layout": layout}


def threads_chart(trace: Any, *, title: str | None = None, height: int = 300) -> go.Figure:
    """Threads (Ms) running, spinning, in a syscall and idle (stacked), and idle Ps (dashed)."""
    return _figure(threads_spec(trace, title=title, height=height))


# --- GMP diagram -------------------------------------------------------------------------------

_MAX_SHOWN = 8  # queue entries drawn per column; the rest become "+N more"
_GROUPS = ("P", "M", "running", "runnext", "local", "global", "other M")
_GROUP_STYLE = {
    "P": ("square", 44), "M": ("circle", 36), "running": ("circle", 34),
    "runnext": ("diamond", 36), "local": ("square", 28), "global": ("square", 28),
    "other M": ("circle", 30),
}


def _diagram_points(snap, ncols: int) -> dict[str, dict[str, list]]:
    """Marker positions and labels for one snapshot; the same groups for every snapshot, so
    animation frames line up trace for trace."""
    groups: dict[str, dict[str, list]] = {
        k: {"x": [], "y": [], "text": [], "color": [], "hover": []} for k in _GROUPS
    }

    def put(group, x, y, text, color, hover):
        d = groups[group]
        d["x"].append(x)
        d["y"].append(y)
        d["text"].append(text)
        d["color"].append(color)
        d["hover"].append(hover)

    def queue(group, x, ids, total, top, owner):
        for k, g in enumerate(ids[:_MAX_SHOWN]):
            put(group, x, top - k, f"G{g}", g_color(g), f"G{g}: number {k + 1} in {owner}")
        if total > _MAX_SHOWN:
            put(group, x, top - _MAX_SHOWN, f"+{total - _MAX_SHOWN}", "#ffffff",
                f"{total - _MAX_SHOWN} more in {owner} ({total} in all)")

    for p in snap.ps:
        x = p.id
        put("P", x, 3, f"P{p.id}", "#fde68a" if p.status == "running" else "#e5e7eb",
            f"P{p.id}: {p.status}, schedtick {p.schedtick}, {p.runq_len} in its local queue")
        if p.m is not None:
            put("M", x, 4, f"M{p.m}", "#bfdbfe", f"M{p.m} holds P{p.id}")
        if p.curg is not None:
            put("running", x, 2, f"G{p.curg}", g_color(p.curg),
                f"G{p.curg} is {'in a system call' if p.in_syscall else 'running'} on P{p.id}")
        if p.runnext is not None:
            put("runnext", x, 1, f"G{p.runnext}", g_color(p.runnext),
                f"G{p.runnext} in P{p.id}.runnext: runs next, inheriting the time slice")
        queue("local", x, p.runq, p.runq_len, 0, f"P{p.id}'s local run queue")
    queue("global", ncols + 0.3, snap.grq, snap.grq_len, 3, "the global run queue")
    ox, row = ncols + 1.4, 4
    for m, g in snap.syscall_ms:
        put("other M", ox, row, f"M{m}·G{g}", "#fecaca",
            f"M{m} is blocked in a system call with G{g}; its P was handed off")
        row -= 1
    for m in snap.spinning_ms:
        put("other M", ox, row, f"M{m}", "#a5f3fc", f"M{m} is spinning: looking for work")
        row -= 1
    for m in snap.netpoll_ms:
        put("other M", ox, row, f"M{m}", "#ddd6fe", f"M{m} is blocked in the netpoller")
        row -= 1
    for m in snap.idle_ms:
        put("other M", ox, row, f"M{m}", "#f3f4f6", f"M{m} is idle (parked)")
        row -= 1
    return groups


#: How a highlighted goroutine or thread is ringed (the decision the stepper shows).
_HIGHLIGHT = "#dc2626"
_HIGHLIGHT_P_FILL = "rgba(250, 204, 21, 0.18)"


def _highlight_trace(groups, highlight: dict[str, int | None] | None) -> dict[str, Any]:
    """Red rings around the highlighted goroutine (wherever it is drawn) and thread. Always
    present (empty without a highlight), so animation frames keep the same traces."""
    xs: list[float] = []
    ys: list[float] = []
    hover: list[str] = []
    h = highlight or {}
    want = {f"G{h['g']}" if h.get("g") is not None else None,
            f"M{h['m']}" if h.get("m") is not None else None} - {None}
    for name in _GROUPS:
        d = groups[name]
        for x, y, text in zip(d["x"], d["y"], d["text"]):
            label = text.split("·")[-1] if name == "other M" else text
            if label in want or (name == "other M" and text.split("·")[0] in want):
                xs.append(x)
                ys.append(y)
                hover.append(f"{text}: the decision shown")
    return {"type": "scatter", "x": xs, "y": ys, "mode": "markers", "name": "decision",
            "marker": {"symbol": "circle-open", "size": 52,
                       "line": {"width": 3, "color": _HIGHLIGHT}, "color": _HIGHLIGHT},
            "hovertext": hover, "hoverinfo": "text", "showlegend": False}


def _diagram_traces(groups, highlight: dict[str, int | None] | None = None
                    ) -> list[dict[str, Any]]:
    traces = []
    for name in _GROUPS:
        d = groups[name]
        symbol, size = _GROUP_STYLE[name]
        traces.append({
            "type": "scatter", "x": d["x"], "y": d["y"], "text": d["text"],
            "mode": "markers+text", "name": name,
            "marker": {"symbol": symbol, "size": size, "color": d["color"],
                       "line": {"width": 1, "color": "#374151"}},
            "textfont": {"size": 10, "color": "#111827"},
            "hovertext": d["hover"], "hoverinfo": "text", "showlegend": False,
        })
    traces.append(_highlight_trace(groups, highlight))
    return traces


def _diagram_title(snap) -> str:
    return f"G, M and P at {snap.t / 1e6:.3f} ms (after {snap.event})"


def gmp_spec(trace: Any, at_ms: float | None = None, *, at_event: int | None = None,
             animate: bool = False, max_frames: int = 200, title: str | None = None,
             height: int = 470) -> dict:
    """The spec behind :func:`gmp_diagram`."""
    rec = _recorder(trace)
    snaps = rec.snapshots()
    if not snaps:
        raise ValueError("this trace holds no snapshots: run with gk.run(..., record=True)")
    ncols = max(len(s.ps) for s in snaps)
    if animate:
        step = max(1, -(-len(snaps) // max_frames))
        chosen = snaps[::step]
        if chosen[-1] is not snaps[-1]:
            chosen.append(snaps[-1])
    elif at_event is not None:
        chosen = [rec.snapshot_after(at_event)]
    else:
        chosen = [rec.snapshot_at(at_ms * 1e6 if at_ms is not None else None)]
    first = chosen[0]
    layout = _diagram_layout(ncols, title or _diagram_title(first), height)
    spec: dict[str, Any] = {"data": _diagram_traces(_diagram_points(first, ncols)),
                            "layout": layout}
    if animate:
        spec["frames"] = [
            {"name": str(k), "data": _diagram_traces(_diagram_points(s, ncols)),
             "layout": {"title": {"text": _diagram_title(s)}}}
            for k, s in enumerate(chosen)]
        layout["sliders"] = [{
            "active": 0, "pad": {"t": 10}, "currentvalue": {"prefix": "ms: "},
            "steps": [{"label": f"{s.t / 1e6:.2f}", "method": "animate",
                       "args": [[str(k)], {"mode": "immediate", "frame": {"duration": 0},
                                            "transition": {"duration": 0}}]}
                      for k, s in enumerate(chosen)],
        }]
        layout["updatemenus"] = [{
            "type": "buttons", "showactive": False, "x": 0, "y": -0.02, "xanchor": "left",
            "direction": "left",
            "buttons": [
                {"label": "▶ play", "method": "animate",
                 "args": [None, {"frame": {"duration": 400}, "fromcurrent": True,
                                 "transition": {"duration": 0}}]},
                {"label": "❚❚ pause", "method": "animate",
                 "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]},
            ],
        }]
        layout["height"] = height + 100
    return spec


def _diagram_layout(ncols: int, title: str, height: int) -> dict[str, Any]:
    labels = [f"P{i}" for i in range(ncols)] + ["global queue", "Ms without a P"]
    xs = list(range(ncols)) + [ncols + 0.3, ncols + 1.4]
    return _base_layout(
        title,
        height=height,
        xaxis={"tickmode": "array", "tickvals": xs, "ticktext": labels, "side": "top",
               "range": [-0.6, ncols + 2.0], "showgrid": False, "zeroline": False,
               "fixedrange": True},
        yaxis={"tickmode": "array", "tickvals": [4, 3, 2, 1, 0],
               "ticktext": ["M", "P", "running G", "runnext", "local queue"],
               "range": [-_MAX_SHOWN - 0.5, 4.6], "showgrid": False, "zeroline": False,
               "fixedrange": True},
        margin={"l": 90, "r": 20, "t": 90, "b": 20},
    )


def gmp_snapshot_spec(snap: Any, *, ncols: int | None = None,
                      highlight: dict[str, int | None] | None = None, title: str | None = None,
                      height: int = 470) -> dict:
    """The GMP diagram of one :class:`gmpkit.trace.Snapshot` (recorded, or taken from a live
    scheduler with :func:`gmpkit.trace.take_snapshot`). ``highlight`` names the decision to
    point at, e.g. ``{"g": 9, "m": 2, "p": 1}``: the goroutine and thread get a red ring, the
    P's column a yellow band. ``ncols`` keeps the columns steady while GOMAXPROCS changes."""
    n = max(ncols or 0, len(snap.ps))
    layout = _diagram_layout(n, title or _diagram_title(snap), height)
    hp = (highlight or {}).get("p")
    if hp is not None and hp < n:
        layout["shapes"] = [{
            "type": "rect", "xref": "x", "yref": "y", "x0": hp - 0.45, "x1": hp + 0.45,
            "y0": -_MAX_SHOWN - 0.45, "y1": 4.5, "fillcolor": _HIGHLIGHT_P_FILL,
            "line": {"color": "#f59e0b", "width": 1.5}, "layer": "below"}]
    return {"data": _diagram_traces(_diagram_points(snap, n), highlight), "layout": layout}


def gmp_diagram(trace: Any, at_ms: float | None = None, *, at_event: int | None = None,
                animate: bool = False, max_frames: int = 200, title: str | None = None,
                height: int = 470) -> go.Figure:
    """The G/M/P picture at one instant (``at_ms``, or right after event number ``at_event``;
    default: the end), or animated over the run.

    Columns: one per P (its M above, the running G, the runnext slot, then the local queue),
    the global run queue, and the Ms that hold no P (in a syscall, spinning, in the netpoller,
    idle). With ``animate=True`` the figure gets a time slider and a play button, one frame per
    recorded instant (thinned evenly to at most ``max_frames``): step through it by hand or play.
    """
    return _figure(gmp_spec(trace, at_ms, at_event=at_event, animate=animate,
                            max_frames=max_frames, title=title, height=height))


#: Chart name -> spec builder, for the playground (which sends specs to the browser as JSON).
SPECS: dict[str, Callable[..., dict[str, Any]]] = {"timeline": timeline_spec, "queues": queue_spec, "states": states_spec,
         "threads": threads_spec}


def dashboard(trace: Any) -> list[go.Figure]:
    """The playground's charts, in order: timeline, queues, goroutine states, threads."""
    return [_figure(build(trace)) for build in SPECS.values()]


# --- model beside real Go ----------------------------------------------------------------------

_OTHER_G = "#b8b8b8"  # runtime and tracer goroutines in a side-by-side timeline
_PANEL_GAP = 0.045


def _rank_colors(trace: Any) -> Callable[[int], str]:
    """Colour goroutines by creation order (main, the 1st, 2nd... created), so one program's
    goroutines match across a model trace and a Go trace whose goroutine ids differ."""
    from .gotrace import goroutine_labels

    labels = goroutine_labels(trace)

    def color(g: int) -> str:
        lab = labels.get(int(g))
        if lab is None:
            return _OTHER_G
        if lab == "main":
            return _MAIN_COLOR
        return _PALETTE[int(lab[1:]) % len(_PALETTE)]

    return color


def side_by_side_spec(model: Any, real: Any, *,
                      charts: tuple[str, ...] | list[str] = ("timeline", "states", "threads"),
                      labels: tuple[str, str] | None = None, title: str | None = None) -> dict:
    """The spec behind :func:`side_by_side`."""
    builders = {"timeline": timeline_spec, "states": states_spec, "threads": threads_spec}
    unknown = [c for c in charts if c not in builders]
    if unknown or not charts:
        raise ValueError(f"charts must name some of {', '.join(builders)}; got {list(charts)}")
    sides = (_recorder(model), _recorder(real))
    names = labels or (
        "model (virtual time)",
        getattr(real, "label", "real Go") + (f" {real.go_version}" if getattr(
            real, "go_version", None) else ""))
    what = {"timeline": "per-P timeline", "states": "goroutines by state",
            "threads": "threads (Ms) and idle Ps"}
    panels = []  # (chart, side index, spec, weight)
    for chart in charts:
        for k, (trace, rec) in enumerate(zip((model, real), sides)):
            if chart == "timeline":
                spec = timeline_spec(trace, color_of=_rank_colors(trace))
                weight = 0.6 + 0.35 * rec.max_procs()
            else:
                spec = builders[chart](trace)
                weight = 1.6
            panels.append((chart, k, spec, weight))
    total = sum(w for *_x, w in panels)
    usable = 1.0 - _PANEL_GAP * (len(panels) - 1)
    top = 1.0
    data: list[dict[str, Any]] = []
    layout = _base_layout(title or "The model beside real Go: one program, one time axis",
                          height=int(120 + 95 * total), barmode="overlay", bargap=0.25,
                          legend={"orientation": "h", "y": -0.06, "x": 0},
                          margin={"l": 70, "r": 20, "t": 70, "b": 60})
    layout.pop("yaxis", None)
    annotations = []
    first_axis: dict[str, str] = {}
    end_ms = max(rec.end_ns() for rec in sides) / 1e6
    for i, (chart, k, spec, weight) in enumerate(panels, 1):
        h = usable * weight / total
        domain = [max(top - h, 0.0), top]
        top -= h + _PANEL_GAP
        ax = "y" if i == 1 else f"y{i}"
        yaxis = {**_AXIS_STYLE, **spec["layout"]["yaxis"], "domain": domain, "anchor": "x"}
        if chart != "timeline":
            yaxis["title"] = {"text": "count", "font": {"size": 10}}
            if chart in first_axis:
                yaxis["matches"] = first_axis[chart]  # one scale for model and Go
            else:
                first_axis[chart] = ax
        layout["yaxis" if i == 1 else f"yaxis{i}"] = yaxis
        annotations.append({"text": f"<b>{names[k]}</b>: {what[chart]}", "xref": "paper",
                            "yref": "paper", "x": 0, "y": domain[1], "xanchor": "left",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 12}})
        for tr in spec["data"]:
            tr = {**tr, "xaxis": "x", "yaxis": ax}
            if chart != "timeline":
                tr["legendgroup"] = tr.get("name")
                tr["showlegend"] = k == 0  # the same series on Go's side: one legend entry
            data.append(tr)
    layout["xaxis"] = {**_AXIS_STYLE, **_ms_axis(range=[0, max(end_ms, 1e-3)]),
                       "title": {"text": "time (ms): virtual in the model, real in Go"},
                       "anchor": f"y{len(panels)}" if len(panels) > 1 else "y"}
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def side_by_side(model: Any, real: Any, *,
                 charts: tuple[str, ...] | list[str] = ("timeline", "states", "threads"),
                 labels: tuple[str, str] | None = None, title: str | None = None) -> go.Figure:
    """The model's run and real Go's run of the same program in one figure, on one time axis.

    ``model`` is a trace from ``gk.run`` (or a scenario's ``run``); ``real`` a
    :class:`gmpkit.gotrace.GoTrace` (``golang.trace_go``, ``golang.trace_scenario``). For each
    chart in ``charts`` (``timeline``, ``states``, ``threads``) the model's panel sits above
    Go's. Goroutines are coloured by the order they were created (main dark slate, then the
    palette), since Go's goroutine ids differ from the model's; the runtime's and the tracer's
    own goroutines are grey. The states and threads panels of the two sides share their y
    scale. The model's time is virtual, Go's is wall-clock time from the start of its trace.
    """
    return _figure(side_by_side_spec(model, real, charts=charts, labels=labels, title=title))
