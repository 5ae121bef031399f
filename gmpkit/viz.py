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

Figures are built from columns, not from per-event Python loops: one bar trace per P lane, one
line per queue, so a redraw stays cheap (the playground redraws on every slider move).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

__all__ = [
    "timeline",
    "queue_chart",
    "goroutine_states",
    "threads_chart",
    "gmp_diagram",
    "g_color",
    "dashboard",
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
    if not hasattr(rec, "spans"):
        raise TypeError("expected a Trace from gk.run(..., record=True) or a gmpkit.trace.Recorder;"
                        f" got {type(trace).__name__}. Run with record=True to draw charts.")
    return rec


def _why(source: str) -> str:
    if source.startswith("steal:"):
        return f"stolen from {source.split(':', 1)[1]}'s local run queue (work stealing)"
    return SOURCE_TEXT.get(source, source)


def _base_layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": _FONT,
        "margin": _MARGIN,
        "template": "plotly_white",
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def _ms_axis(**extra: Any) -> dict[str, Any]:
    axis = {"title": {"text": "virtual time (ms)"}, "zeroline": False}
    axis.update(extra)
    return axis


def timeline(trace: Any, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """Per-P lanes (the ``go tool trace`` view): a bar for each stretch a goroutine ran on a P.

    Colour = goroutine. Hatched bars are system calls made while the P was still attached.
    Hover: the goroutine, its M, the interval, *why* it ran on this P (runnext, local queue,
    global queue, stolen from Pk, netpoller) and why it stopped.
    """
    import plotly.graph_objects as go

    rec = _recorder(trace)
    spans = rec.spans()
    nprocs = rec.max_procs()
    lanes = [f"P{i}" for i in range(nprocs)]
    fig = go.Figure()
    if len(spans):
        start_ms = spans["start"].to_numpy() / 1e6
        dur_ms = (spans["end"] - spans["start"]).to_numpy() / 1e6
        gs = spans["g"].to_numpy()
        colors = [g_color(int(g)) for g in gs]
        hover = [
            f"<b>G{g}</b> on P{p} (M{m}) {s:.3f}–{s + d:.3f} ms<br>"
            f"{'in a system call' if k == 'syscall' else 'why here: ' + _why(src)}<br>"
            f"stopped: {why_end}"
            for g, p, m, s, d, k, src, why_end in zip(
                gs, spans["p"], spans["m"], start_ms, dur_ms, spans["kind"], spans["source"],
                spans["end_reason"])
        ]
        labels = [f"G{g}" for g in gs]
        pattern = ["/" if k == "syscall" else "" for k in spans["kind"]]
        by_p = spans["p"].to_numpy()
        for i, lane in enumerate(lanes):
            sel = (by_p == i).nonzero()[0]
            if not len(sel):
                continue
            fig.add_trace(go.Bar(
                name=lane,
                orientation="h",
                y=[lane] * len(sel),
                base=start_ms[sel],
                x=dur_ms[sel],
                text=[labels[j] for j in sel],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "white", "size": 10},
                marker={"color": [colors[j] for j in sel],
                        "line": {"width": 0.5, "color": "white"},
                        "pattern": {"shape": [pattern[j] for j in sel], "fgcolor": "white"}},
                hovertext=[hover[j] for j in sel],
                hoverinfo="text",
                showlegend=False,
            ))
    # Every P gets a lane, even one that never ran anything: an idle P is part of the story.
    fig.update_layout(**_base_layout(
        title or f"Per-P timeline (GOMAXPROCS={rec.gomaxprocs_at_end()})",
        barmode="overlay",
        bargap=0.25,
        height=height or 120 + 38 * nprocs,
        xaxis=_ms_axis(range=[0, max(rec.end_ns() / 1e6, 1e-3)]),
        yaxis={"categoryorder": "array", "categoryarray": lanes[::-1], "tickmode": "array",
               "tickvals": lanes, "ticktext": lanes, "range": [-0.5, nprocs - 0.5],
               "autorange": "reversed", "fixedrange": True, "type": "category"},
    ))
    return fig


def _step_lines(fig, df, columns: list[str], *, names: list[str] | None = None,
                colors: list[str] | None = None, stack: bool = False, dash: list[str] | None = None):
    import plotly.graph_objects as go

    x = df["t"].to_numpy() / 1e6
    for k, col in enumerate(columns):
        fig.add_trace(go.Scatter(
            x=x,
            y=df[col].to_numpy(),
            name=names[k] if names else col,
            mode="lines",
            line={"shape": "hv", "width": 1.6,
                  **({"color": colors[k]} if colors else {}),
                  **({"dash": dash[k]} if dash else {})},
            stackgroup="one" if stack else None,
            hovertemplate=f"{names[k] if names else col}: %{{y}}<br>%{{x:.3f}} ms<extra></extra>",
        ))


def queue_chart(trace: Any, *, title: str | None = None, runnext: bool = True,
                height: int = 320) -> go.Figure:
    """Run-queue lengths over time: each P's local queue (solid), runnext (dotted), global (black).

    Go's schedtrace ``[ a b ]`` shows the local queues without runnext; this chart shows both.
    """
    import plotly.graph_objects as go

    rec = _recorder(trace)
    q = rec.queue_series()
    nprocs = rec.max_procs()
    fig = go.Figure()
    cols = [f"P{i}" for i in range(nprocs) if f"P{i}" in q]
    _step_lines(fig, q, cols, names=[f"{c} local" for c in cols],
                colors=[_PALETTE[i % len(_PALETTE)] for i in range(len(cols))])
    if runnext:
        nxt = [f"{c}.runnext" for c in cols if f"{c}.runnext" in q]
        _step_lines(fig, q, nxt, names=[f"{c.split('.')[0]} runnext" for c in nxt],
                    colors=[_PALETTE[i % len(_PALETTE)] for i in range(len(nxt))],
                    dash=["dot"] * len(nxt))
    _step_lines(fig, q, ["global"], names=["global"], colors=["#111111"])
    fig.update_layout(**_base_layout(
        title or "Run queues over time", height=height, xaxis=_ms_axis(),
        yaxis={"title": {"text": "goroutines queued"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
    ))
    return fig


_G_STATES = [("running", "#2ca02c"), ("runnable", "#ff7f0e"), ("syscall", "#d62728"),
             ("waiting", "#9e9e9e")]
_M_STATES = [("running", "#2ca02c"), ("spinning", "#17becf"), ("syscall", "#d62728"),
             ("idle", "#c7c7c7")]


def goroutine_states(trace: Any, *, title: str | None = None, height: int = 300) -> go.Figure:
    """How many goroutines are running, runnable, in a syscall, waiting: a stacked step chart."""
    import plotly.graph_objects as go

    rec = _recorder(trace)
    c = rec.count_series()
    fig = go.Figure()
    _step_lines(fig, c, [f"g_{s}" for s, _ in _G_STATES], names=[s for s, _ in _G_STATES],
                colors=[col for _, col in _G_STATES], stack=True)
    fig.update_layout(**_base_layout(
        title or "Goroutines by state", height=height, xaxis=_ms_axis(),
        yaxis={"title": {"text": "goroutines"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.3},
    ))
    return fig


def threads_chart(trace: Any, *, title: str | None = None, height: int = 300) -> go.Figure:
    """Threads (Ms) running, spinning, in a syscall and idle (stacked), and idle Ps (dashed)."""
    import plotly.graph_objects as go

    rec = _recorder(trace)
    c = rec.count_series()
    fig = go.Figure()
    _step_lines(fig, c, [f"m_{s}" for s, _ in _M_STATES], names=[f"M {s}" for s, _ in _M_STATES],
                colors=[col for _, col in _M_STATES], stack=True)
    _step_lines(fig, c, ["p_idle"], names=["idle Ps"], colors=["#7b4173"], dash=["dash"])
    fig.update_layout(**_base_layout(
        title or "Threads (Ms) and idle Ps", height=height, xaxis=_ms_axis(),
        yaxis={"title": {"text": "count"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.3},
    ))
    return fig


# --- GMP diagram -------------------------------------------------------------------------------

_MAX_SHOWN = 8  # queue entries drawn per column; the rest become "+N more"


def _diagram_points(snap, ncols: int) -> dict[str, dict[str, list]]:
    """Marker positions and labels for one snapshot; the same 7 groups for every snapshot."""
    groups: dict[str, dict[str, list]] = {
        k: {"x": [], "y": [], "text": [], "color": [], "hover": []}
        for k in ("P", "M", "running", "runnext", "local", "global", "other M")
    }

    def put(group, x, y, text, color, hover):
        d = groups[group]
        d["x"].append(x)
        d["y"].append(y)
        d["text"].append(text)
        d["color"].append(color)
        d["hover"].append(hover)

    def queue(group, x, ids, top, owner):
        shown = ids[:_MAX_SHOWN]
        for k, g in enumerate(shown):
            put(group, x, top - k, f"G{g}", g_color(g), f"G{g}: position {k} of {owner}")
        if len(ids) > _MAX_SHOWN:
            put(group, x, top - _MAX_SHOWN, f"+{len(ids) - _MAX_SHOWN}", "#ffffff",
                f"{len(ids) - _MAX_SHOWN} more in {owner}")

    for p in snap.ps:
        x = p.id
        idle = p.status != "running"
        put("P", x, 3, f"P{p.id}", "#e0e0e0" if idle else "#fde68a",
            f"P{p.id}: {p.status}, schedtick {p.schedtick}, local queue {len(p.runq)}")
        if p.m is not None:
            put("M", x, 4, f"M{p.m}", "#bfdbfe", f"M{p.m} holds P{p.id}")
        if p.curg is not None:
            put("running", x, 2, f"G{p.curg}", g_color(p.curg),
                f"G{p.curg} is {'in a syscall' if p.in_syscall else 'running'} on P{p.id}")
        if p.runnext is not None:
            put("runnext", x, 1, f"G{p.runnext}", g_color(p.runnext),
                f"G{p.runnext} in P{p.id}.runnext (runs next, inherits the time slice)")
        queue("local", x, list(p.runq), 0, f"P{p.id}'s local run queue")
    gx = ncols + 0.3
    queue("global", gx, list(snap.grq), 3, "the global run queue")
    ox = ncols + 1.4
    row = 4
    for m, g in snap.syscall_ms:
        put("other M", ox, row, f"M{m}·G{g}", "#fecaca", f"M{m} is blocked in a syscall with G{g}"
            " and holds no P")
        row -= 1
    for m in snap.spinning_ms:
        put("other M", ox, row, f"M{m}", "#a5f3fc", f"M{m} is spinning: looking for work")
        row -= 1
    for m in snap.idle_ms:
        put("other M", ox, row, f"M{m}", "#e5e7eb", f"M{m} is idle (parked)")
        row -= 1
    return groups


_GROUP_STYLE = {
    "P": ("square", 44), "M": ("circle", 36), "running": ("circle", 34),
    "runnext": ("diamond", 34), "local": ("square", 28), "global": ("square", 28),
    "other M": ("circle", 30),
}


def _diagram_traces(groups) -> list:
    import plotly.graph_objects as go

    traces = []
    for name, d in groups.items():
        symbol, size = _GROUP_STYLE[name]
        traces.append(go.Scatter(
            x=d["x"], y=d["y"], text=d["text"], mode="markers+text", name=name,
            marker={"symbol": symbol, "size": size, "color": d["color"],
                    "line": {"width": 1, "color": "#374151"}},
            textfont={"size": 10, "color": "#111827"},
            hovertext=d["hover"], hoverinfo="text", showlegend=False,
        ))
    return traces


def gmp_diagram(trace: Any, at_ms: float | None = None, *, animate: bool = False,
                max_frames: int = 200, title: str | None = None, height: int = 460) -> go.Figure:
    """The G/M/P picture at one instant (``at_ms``, default: the end), or animated over the run.

    Columns: one per P (its M above, the running G, the runnext slot, then the local queue),
    the global run queue, and the Ms that hold no P (in a syscall, spinning, idle).
    With ``animate=True`` the figure gets a time slider and a play button, one frame per recorded
    instant (thinned evenly to at most ``max_frames``).
    """
    import plotly.graph_objects as go

    rec = _recorder(trace)
    snaps = rec.snapshots()
    if not snaps:
        raise ValueError("this trace holds no snapshots (was it recorded with record=True?)")
    ncols = max(len(s.ps) for s in snaps)
    if animate:
        step = max(1, -(-len(snaps) // max_frames))
        chosen = snaps[::step]
        if chosen[-1] is not snaps[-1]:
            chosen.append(snaps[-1])
        first = chosen[0]
    else:
        first = rec.snapshot_at(at_ms * 1e6 if at_ms is not None else None)
        chosen = [first]
    fig = go.Figure(data=_diagram_traces(_diagram_points(first, ncols)))
    labels = ([f"P{i}" for i in range(ncols)] + ["global queue", "Ms without P"])
    xs = list(range(ncols)) + [ncols + 0.3, ncols + 1.4]
    lowest = -_MAX_SHOWN - 0.5
    layout = _base_layout(
        title or f"G, M and P at {first.t / 1e6:.3f} ms",
        height=height,
        xaxis={"tickmode": "array", "tickvals": xs, "ticktext": labels, "side": "top",
               "range": [-0.6, ncols + 2.0], "showgrid": False, "zeroline": False,
               "fixedrange": True},
        yaxis={"tickmode": "array", "tickvals": [4, 3, 2, 1, 0],
               "ticktext": ["M", "P", "running G", "runnext", "local queue"],
               "range": [lowest, 4.6], "showgrid": False, "zeroline": False, "fixedrange": True},
        margin={"l": 90, "r": 20, "t": 80, "b": 20},
    )
    if animate:
        frames = [go.Frame(name=str(k), data=_diagram_traces(_diagram_points(s, ncols)),
                           layout={"title": {"text": f"G, M and P at {s.t / 1e6:.3f} ms"}})
                  for k, s in enumerate(chosen)]
        fig.frames = frames
        layout["sliders"] = [{
            "active": 0, "pad": {"t": 10}, "currentvalue": {"prefix": "instant "},
            "steps": [{"label": f"{s.t / 1e6:.2f}", "method": "animate",
                       "args": [[str(k)], {"mode": "immediate", "frame": {"duration": 0},
                                            "transition": {"duration": 0}}]}
                      for k, s in enumerate(chosen)],
        }]
        layout["updatemenus"] = [{
            "type": "buttons", "showactive": False, "x": 0, "y": -0.02, "xanchor": "left",
            "buttons": [
                {"label": "▶ play", "method": "animate",
                 "args": [None, {"frame": {"duration": 300}, "fromcurrent": True,
                                 "transition": {"duration": 0}}]},
                {"label": "❚❚ pause", "method": "animate",
                 "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]},
            ],
        }]
        layout["height"] = height + 90
    fig.update_layout(**layout)
    return fig


def dashboard(trace: Any) -> list[go.Figure]:
    """The playground's charts, in order: timeline, queues, goroutine states, threads."""
    return [timeline(trace), queue_chart(trace), goroutine_states(trace), threads_chart(trace)]
