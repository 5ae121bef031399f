"""The standard recorder: turns the scheduler's observer events into tables, series and text.

The scheduler (``sched.py``) tells every attached observer about each decision it makes
(``Sched.emit`` → ``Observer.event``). :class:`Recorder` is the observer behind
``gk.run(..., record=True)``. While the program runs it keeps only plain Python lists, cheap to
append to; pandas is imported, and tables are built, only when one is asked for.

What it gives (all times in virtual nanoseconds, ``*_ms`` columns in milliseconds):

| method | what |
|---|---|
| :attr:`Recorder.events` | every event: time, event, goroutine, M, P, reason, source (*where* a goroutine ran from: runnext, local, global, global (1 in 61), stolen from Pk, netpoll, exitsyscall), and *why*: the rule of ``proc.go`` behind it (``rule``, ``args``; ``hooks.RULES``) and that rule as a sentence (``why``) |
| :attr:`Recorder.spans` | each stretch a goroutine ran (or sat in a syscall) on a P: the timeline's bars |
| :attr:`Recorder.queues` | each P's local-queue length and runnext, and the global queue, after every event |
| :attr:`Recorder.counts` | goroutines by state; Ms running / spinning / in syscall / idle; idle Ps |
| :attr:`Recorder.goroutines`, :attr:`Recorder.procs` | one row per goroutine, one per P |
| :meth:`Recorder.schedtrace_text`, :attr:`Recorder.schedtrace_table` | the Go-format ``SCHED`` lines the run printed (``godebug="schedtrace=X"``), and as a table parsed by :func:`gmpkit.golang.parse_schedtrace` -- the same parser real Go's output goes through |
| :meth:`Recorder.goroutine_dump` | Go-format goroutine dump at the end of the run |
| :meth:`Recorder.snapshots` | the G/M/P state at each recorded instant (the GMP diagram's frames) |
| :meth:`Recorder.chrome_trace`, :meth:`Recorder.save_perfetto` | JSON that Perfetto (ui.perfetto.dev) and ``chrome://tracing`` open |

Goroutine counts are of *user* goroutines (``runtime.NumGoroutine`` minus nothing): the runtime's
own helpers (force gc, sweeper, scavenger, GOMAXPROCS updater) are left out, as Go's profile views
leave them out.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import dump
from .hooks import Event, Observer, why_text
from .recording import MAX_SNAPSHOTS, SNAPSHOT_QUEUE_IDS, Store, make_record, snap_tuple
from .runtime2 import GStatus, PStatus

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .sched import Sched

__all__ = ["Recorder", "Snapshot", "PSnap", "source_text", "take_snapshot"]

#: Where a recorded event's cause (rule code, then its arguments) starts in its tuple.
_CAUSE = 12
# Events that end the stretch a goroutine was running, with the words the timeline shows.
_END_WORDS = {
    "GoSched": "called Gosched (to the global queue)",
    "GoPreempt": "preempted by sysmon after its 10 ms slice (to the global queue)",
    "GoEnd": "returned (goroutine exit)",
    "GoSysCall": "entered a system call",
}
_STATE_NAMES = {
    GStatus.RUNNING: "running",
    GStatus.RUNNABLE: "runnable",
    GStatus.WAITING: "waiting",
    GStatus.SYSCALL: "syscall",
}


def _cached(fn):
    """Build a table once per recorded length: asking twice costs nothing."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(self):
        key = len(self._events)
        hit = self._cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = fn(self)
        self._cache[name] = (key, value)
        return value

    return wrapper


def source_text(source: str | None) -> str | None:
    """The event table's words for a GoStart source code from the scheduler."""
    if source is None:
        return None
    if source.startswith("steal:"):
        return "stolen from " + source.split(":", 1)[1]
    if source == "global-61":
        return "global (1 in 61)"
    return source


@dataclass(frozen=True, slots=True)
class PSnap:
    """One P at one instant."""

    id: int
    status: str  # idle, running, gcstop, dead
    m: int | None  # the M holding it
    curg: int | None  # the goroutine its M is running (or is in a syscall with)
    in_syscall: bool
    runnext: int | None
    runq: tuple[int, ...]  # the first SNAPSHOT_QUEUE_IDS goroutines of the local queue
    runq_len: int
    schedtick: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The G/M/P state at one instant (after event number ``index``)."""

    t: int
    index: int
    event: str
    ps: tuple[PSnap, ...]
    grq: tuple[int, ...]  # first SNAPSHOT_QUEUE_IDS of the global run queue
    grq_len: int
    idle_ms: tuple[int, ...]
    spinning_ms: tuple[int, ...]  # spinning Ms that hold no P
    syscall_ms: tuple[tuple[int, int], ...]  # (M, G) blocked in a syscall without a P
    netpoll_ms: tuple[int, ...]


def _snap_object(row: tuple[Any, ...], t: int, kind: str) -> Snapshot:
    index, ps, grq, grq_len, idle, spin, sysc, netp = row
    psnaps = tuple(
        PSnap(pid, PStatus(status).name.lower(), m, curg, in_sys, nxt, ids, n, tick)
        for pid, status, m, curg, in_sys, nxt, ids, n, tick in ps)
    return Snapshot(t, index, kind, psnaps, grq, grq_len, idle, spin, sysc, netp)


def take_snapshot(s: Sched, index: int = -1, event: str = "",
                  max_ids: int = SNAPSHOT_QUEUE_IDS) -> Snapshot:
    """The G/M/P picture of a live scheduler right now, as the recorder keeps it (the stepper
    takes one after each decision). ``index``/``event`` label it; ``max_ids`` queue entries
    are kept per queue."""
    return _snap_object(snap_tuple(s, index, max_ids), s.now, event)


class Recorder(Observer):
    """The standard observer: records every event and the queue and thread state after it.

    Cost model: the recording function (``recording.make_record``) runs for every scheduler
    decision (about three per channel handoff), so it does a fixed, small amount of work: it
    appends one flat tuple per event and reads only the state that event can have changed
    (``recording.py`` says what, and why that is enough). Everything else (spans, the series,
    every table) is derived here on first access from those tuples and cached.

    ``tests/test_trace.py`` checks the resulting series against a full recount of the
    scheduler's state at every event, on every built-in scenario;
    ``tests/test_recorder_tables.py`` keeps every table as it was.
    """

    def __init__(self, *, snapshots: bool = True, max_snapshots: int = MAX_SNAPSHOTS) -> None:
        self.sched: Sched | None = None
        # What the run keeps (recording.py): the same lists, under the names the tables use.
        st = self._store = Store(snapshots, max_snapshots)
        self._events = st.events
        self._qside, self._qfull, self._mrows = st.qside, st.qfull, st.mrows
        self._gs, self._born = st.gs, st.born
        self._snaps, self._schedtrace = st.snaps, st.schedtrace
        self._cache: dict[str, tuple[int, Any]] = {}

    @property
    def _max_procs(self) -> int:
        return self._store.max_procs

    # ----- observer hooks -----------------------------------------------------------------

    def attach(self, sched: Sched) -> None:
        self.sched = sched
        st = self._store
        st.max_procs = max(st.max_procs, sched.gomaxprocs)
        self._record = make_record(st, sched)
        if type(self).event is Recorder.event and sched.record is None:
            # The fast entry: the scheduler hands over its objects, no Event is built for us.
            sched.record = self._record
            sched.listeners = [o for o in sched.listeners if o is not self]
            if not sched.listeners:
                try:  # the only observer: the recorder stands in for Sched.emit (pure build)
                    sched.emit = self._record  # type: ignore[method-assign]
                except AttributeError:
                    pass  # the compiled Sched has no instance attributes: emit calls record

    def event(self, ev: Event) -> None:
        """Record one event. A plain Recorder is not called here: ``attach`` gives the
        scheduler :func:`recording.make_record`'s function, which takes the G, M and P
        themselves. This path serves subclasses that extend ``event`` and call
        ``super().event(ev)``: it finds the objects again from the event's ids."""
        s = self.sched
        if s is None:
            raise RuntimeError("Recorder.event before attach")
        g = None if ev.g is None else self._g_object(ev.g)
        m = None if ev.m is None else next(x for x in s.allm if x.id == ev.m)
        p = None if ev.p is None else next(x for x in s.allp_all if x.id == ev.p)
        self._record(ev.kind, g, m, p, ev.reason, ev.source, ev.extra, ev.cause)

    def _g_object(self, goid: int) -> Any:
        """The G that has id ``goid`` now (for :meth:`event`): a user goroutine's is known; a
        runtime goroutine's or a new one's is looked up, newest first."""
        s = self.sched
        assert s is not None
        g = self._gs.get(goid)
        if g is not None and g.goid == goid:
            return g
        return next(x for x in reversed(s.allg) if x.goid == goid)

    # ----- derived on demand ----------------------------------------------------------------

    def _derive_spans(self) -> tuple[list[tuple[Any, ...]], dict[int, list[Any]]]:
        """Replay the events into run and syscall stretches: the closed ones, and the ones
        still open (p -> [g, m, start, kind, source]) after the last event."""
        spans: list[tuple[Any, ...]] = []
        opened: dict[int, list[Any]] = {}

        def close(p: int, t: int, why: str) -> None:
            span = opened.pop(p, None)
            if span is not None:
                g, m, start, kind, source = span
                spans.append((p, m, g, start, t, kind, source, why))

        def close_g(g: int, t: int, why: str) -> None:
            for p, span in list(opened.items()):
                if span[0] == g:
                    close(p, t, why)

        for t, kind, g, m, p, reason, source, *_rest in self._events:
            if kind == "GoStart":
                if p is not None:
                    close(p, t, "descheduled")
                    opened[p] = [g, m, t, "run", source or ""]
            elif kind == "GoBlock":
                close_g(g, t, f"blocked ({reason})")
            elif kind in _END_WORDS:
                close_g(g, t, _END_WORDS[kind])
                if kind == "GoSysCall" and p is not None:
                    opened[p] = [g, m, t, "syscall", "syscall"]
            elif kind == "GoSysExit":
                close_g(g, t, "returned from the system call")
                if p is not None and reason != "global":
                    # Back from the kernel with a P: it runs on (fast path) or took another P.
                    close(p, t, "P taken by a goroutine back from a syscall")
                    src = "syscall" if reason == "fast" else "exitsyscall"
                    opened[p] = [g, m, t, "run", src]
            elif kind in ("Retake", "Handoff"):
                if p is not None and p in opened and opened[p][3] == "syscall":
                    close(p, t, "P retaken by sysmon while the goroutine stays in the syscall")
            elif kind == "PRelease":
                if p is not None:
                    close(p, t, "P released")
            elif kind == "Exit":
                for q in list(opened):
                    close(q, t, "program exited")
        return spans, opened

    def _count_rows(self) -> list[tuple[int, ...]]:
        """Replay the events into count rows (t, g_running, g_runnable, g_syscall, g_waiting,
        m_running, m_spinning, m_syscall, m_idle, p_idle), one per change."""
        gstate: dict[int, int] = {}
        gcount: dict[int, int] = {s: 0 for s in _STATE_NAMES}
        mrows = self._mrows
        nxt = 0
        mrow: tuple[int, ...] = (0, 0, 0, 0, 0)
        rows: list[tuple[int, ...]] = []
        last = None
        for i, (t, _kind, g, _m, _p, _r, _s, _x, gst, *_q) in enumerate(self._events):
            while nxt < len(mrows) and mrows[nxt][0] <= i:
                mrow = mrows[nxt][1]
                nxt += 1
            if gst is not None:
                old = gstate.get(g)
                if old != gst:
                    if old in gcount:
                        gcount[old] -= 1
                    if gst in gcount:
                        gcount[gst] += 1
                    gstate[g] = gst
            row = (gcount[GStatus.RUNNING], gcount[GStatus.RUNNABLE], gcount[GStatus.SYSCALL],
                   gcount[GStatus.WAITING], *mrow)
            if row != last:
                last = row
                rows.append((t, *row))
        return rows

    # ----- facts about the run --------------------------------------------------------------

    def event_objects(self) -> list[Event]:
        """The recorded events as :class:`~gmpkit.hooks.Event` objects (with their cause)."""
        return [Event(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[_CAUSE:])
                for r in self._events]

    def queues_after(self, index: int) -> tuple[int, int | None, bool | None]:
        """The global queue's length, and the local queue's length and whether runnext was
        set on the P event ``index`` names (None without a P), right after that event."""
        row = self._events[index]
        return row[9], row[10], row[11]

    def end_ns(self) -> int:
        """Virtual time of the last recorded event."""
        return self._events[-1][0] if self._events else 0

    def max_procs(self) -> int:
        """The largest GOMAXPROCS the run had (the number of P lanes to draw)."""
        return self._max_procs

    def gomaxprocs_at_end(self) -> int:
        return self.sched.gomaxprocs if self.sched is not None else self._max_procs

    def __len__(self) -> int:
        return len(self._events)

    def __repr__(self) -> str:
        spans, opened = self._spans_and_open()
        return (f"<Recorder {len(self._events)} events, {len(spans) + len(opened)} spans, "
                f"{self.end_ns() / 1e6:.3f} ms>")

    @_cached
    def _event_rows(self) -> list[tuple[Any, ...]]:
        """The events as the tables show them (without the recorded goroutine state)."""
        return [row[:8] for row in self._events]

    @_cached
    def _queue_rows(self) -> list[tuple[Any, ...]]:
        """Replay the events into queue rows (t, grq, (lrq per P...), (runnext 0/1 per P...)),
        one per change."""
        full = {row[0]: row[1:] for row in self._qfull}
        side: dict[int, list[tuple[int, int, bool]]] = {}
        for i, p, lq, nq in self._qside:
            side.setdefault(i, []).append((p, lq, nq))
        ql: list[int] = []
        qn: list[int] = []
        rows: list[tuple[Any, ...]] = []
        last = None
        for i, (t, _kind, _g, _m, p, _r, _s, _x, _gst, grq, lq, nq, *_c) in enumerate(
                self._events):
            if i in full:
                _grq, lqs, nqs = full[i]
                ql, qn = list(lqs), [int(x) for x in nqs]
            for q, l2, n2 in side.get(i, ()):
                ql[q], qn[q] = l2, int(n2)
            if lq is not None:
                ql[p], qn[p] = lq, int(nq)
            row = (grq, tuple(ql), tuple(qn))
            if row != last:
                last = row
                rows.append((t, *row))
        return rows

    @_cached
    def _count_rows_cached(self) -> list[tuple[int, ...]]:
        return self._count_rows()

    @_cached
    def _spans_and_open(self) -> tuple[list[tuple[Any, ...]], dict[int, list[Any]]]:
        return self._derive_spans()

    # ----- tables ---------------------------------------------------------------------------

    @property
    @_cached
    def events(self) -> pd.DataFrame:
        """Every scheduler event, in order. ``source`` says where a goroutine ran from;
        ``rule`` (a code of ``gmpkit.hooks.RULES``) and ``args`` say which rule of ``proc.go``
        made the decision, and ``why`` says the same in a sentence."""
        import pandas as pd

        cols = ["time_ns", "event", "g", "m", "p", "reason", "source", "extra"]
        df = pd.DataFrame(self._event_rows(), columns=cols)
        df["rule"] = [row[_CAUSE] for row in self._events]
        df["args"] = [row[_CAUSE + 1:] for row in self._events]
        df["why"] = [why_text(row[1], row[2], row[3], row[4], row[5], row[_CAUSE:], row[0])
                     for row in self._events]
        df.insert(1, "time_ms", df["time_ns"] / 1e6)
        for c in ("g", "m", "p"):
            df[c] = df[c].astype("Int64")
        starts = df["event"] == "GoStart"
        df["source"] = df["source"].astype(object)
        df.loc[starts, "source"] = [source_text(s) for s in df.loc[starts, "source"]]
        steals = df["event"] == "Steal"
        if steals.any():
            df.loc[steals, "reason"] = [
                f"took {n} from P{v}'s {'runnext' if src == 'runnext' else 'local queue'}"
                for (v, n), src in zip(df.loc[steals, "extra"], df.loc[steals, "source"])]
            df.loc[steals, "source"] = [f"stolen from P{v}" for v, _ in df.loc[steals, "extra"]]
        return df

    @property
    @_cached
    def spans(self) -> pd.DataFrame:
        """Bars of the timeline: p, m, g, start, end (ns), kind (run/syscall), source, end_reason."""
        import pandas as pd

        spans, opened = self._spans_and_open()
        rows = list(spans)
        end = self.end_ns()
        for p, (g, m, start, kind, source) in sorted(opened.items()):
            rows.append((p, m, g, start, end, kind, source, "still running at the end"))
        cols = ["p", "m", "g", "start", "end", "kind", "source", "end_reason"]
        df = pd.DataFrame(rows, columns=cols)
        if len(df):
            df = df.sort_values(["start", "p"], kind="stable").reset_index(drop=True)
        return df

    @property
    @_cached
    def queues(self) -> pd.DataFrame:
        """Queue lengths after each change: ``t``, ``global``, ``P<i>`` (local queue, runnext
        not counted, as schedtrace counts it) and ``P<i>.runnext`` (0 or 1)."""
        import pandas as pd

        n = self._max_procs
        data: dict[str, list[Any]] = {"t": [], "global": []}
        for i in range(n):
            data[f"P{i}"] = []
        for i in range(n):
            data[f"P{i}.runnext"] = []
        for t, grq, lrq, nxt in self._queue_rows():
            data["t"].append(t)
            data["global"].append(grq)
            for i in range(n):
                data[f"P{i}"].append(lrq[i] if i < len(lrq) else None)
                data[f"P{i}.runnext"].append(nxt[i] if i < len(nxt) else None)
        df = pd.DataFrame(data)
        df.insert(1, "t_ms", df["t"] / 1e6)
        return df

    @property
    @_cached
    def counts(self) -> pd.DataFrame:
        """Counts after each change: goroutines by state (``g_running``, ``g_runnable``,
        ``g_syscall``, ``g_waiting``), threads (``m_running``, ``m_spinning``, ``m_syscall``,
        ``m_idle``; sysmon's thread is not counted) and idle Ps (``p_idle``), one row per
        instant at which something changed."""
        import pandas as pd

        cols = ["t", "g_running", "g_runnable", "g_syscall", "g_waiting", "m_running",
                "m_spinning", "m_syscall", "m_idle", "p_idle"]
        df = pd.DataFrame(self._count_rows_cached(), columns=cols)
        # One row per instant, the state once every event of that instant is done: within one
        # instant the scheduler may change a goroutine before the event naming it arrives
        # (a netpoll batch readies all its goroutines, then reports them one by one).
        df = df.drop_duplicates("t", keep="last").reset_index(drop=True)
        df.insert(1, "t_ms", df["t"] / 1e6)
        return df

    @property
    @_cached
    def goroutines(self) -> pd.DataFrame:
        """One row per user goroutine: when it was created and ended, how often it ran, for how
        long, on which Ps, how it got there, and how often it blocked."""
        import pandas as pd

        ev = pd.DataFrame(self._event_rows(), columns=["t", "event", "g", "m", "p", "reason", "source",
                                                  "extra"])
        ids = sorted(self._gs)
        out = pd.DataFrame({"g": ids})
        # A G that still holds the goroutine has its current fields (G1 is renamed main.main
        # when main.main starts); a reused one, what was recorded at the goroutine's creation.
        born = [(self._gs[g].name, self._gs[g].parent, self._gs[g].created_at)
                if self._gs[g].goid == g else self._born[g] for g in ids]
        out["name"] = [b[0] for b in born]
        out["parent"] = pd.array([b[1] for b in born], dtype="Int64")
        out["created_ms"] = [b[2] / 1e6 for b in born]
        ends = ev[ev["event"] == "GoEnd"].groupby("g")["t"].max() / 1e6
        out["ended_ms"] = out["g"].map(ends)
        sp = self.spans
        run = sp[sp["kind"] == "run"]
        out["runs"] = out["g"].map(run.groupby("g").size()).fillna(0).astype(int)
        out["cpu_ms"] = out["g"].map((run["end"] - run["start"]).groupby(run["g"]).sum() / 1e6)
        out["cpu_ms"] = out["cpu_ms"].fillna(0.0)
        out["ps"] = out["g"].map(run.groupby("g")["p"].agg(lambda s: tuple(sorted(set(s)))))
        starts = ev[ev["event"] == "GoStart"]
        stolen = starts[starts["source"].astype(str).str.startswith("steal:")]
        out["stolen"] = out["g"].map(stolen.groupby("g").size()).fillna(0).astype(int)
        blocks = ev[ev["event"] == "GoBlock"]
        out["blocked"] = out["g"].map(blocks.groupby("g").size()).fillna(0).astype(int)
        out["preempted"] = out["g"].map(
            ev[ev["event"] == "GoPreempt"].groupby("g").size()).fillna(0).astype(int)
        out["status"] = [self._status_word(self._gs[g]) if self._gs[g].goid == g else "dead"
                         for g in ids]
        return out

    @staticmethod
    def _status_word(g) -> str:
        if g.status == GStatus.WAITING:
            return g.waitreason or "waiting"
        return {GStatus.DEAD: "dead", GStatus.RUNNING: "running", GStatus.RUNNABLE: "runnable",
                GStatus.SYSCALL: "syscall", GStatus.IDLE: "idle"}[g.status]

    @property
    @_cached
    def procs(self) -> pd.DataFrame:
        """One row per P: busy time, utilisation, goroutine starts by source, steals."""
        import pandas as pd

        n = self._max_procs
        sp = self.spans
        run = sp[sp["kind"] == "run"]
        out = pd.DataFrame({"p": list(range(n))})
        busy = (run["end"] - run["start"]).groupby(run["p"]).sum() / 1e6
        out["busy_ms"] = out["p"].map(busy).fillna(0.0)
        total = self.end_ns() / 1e6
        out["utilisation"] = (out["busy_ms"] / total).round(3) if total else 0.0
        out["starts"] = out["p"].map(run.groupby("p").size()).fillna(0).astype(int)
        out["goroutines"] = out["p"].map(run.groupby("p")["g"].nunique()).fillna(0).astype(int)
        src = run["source"].astype(str).str.replace(r"^steal:.*$", "stolen", regex=True)
        for name in ("runnext", "local", "global", "global-61", "stolen", "netpoll"):
            out[f"from_{name.replace('-', '')}"] = out["p"].map(
                run[src == name].groupby("p").size()).fillna(0).astype(int)
        ev = self._events
        steals: dict[int, int] = {}
        for row in ev:
            if row[1] == "Steal":
                steals[row[4]] = steals.get(row[4], 0) + row[7][1]
        out["stole_gs"] = out["p"].map(steals).fillna(0).astype(int)
        return out

    # ----- Go-format text -------------------------------------------------------------------

    def schedtrace_lines(self) -> list[str]:
        """The SCHED lines the run printed (``godebug="schedtrace=X[,scheddetail=1]"``)."""
        if self._schedtrace:
            return list(self._schedtrace)
        s = self.sched
        lines = getattr(getattr(s, "result", None), "schedtrace_lines", None) or []
        return [ln for block in lines for ln in str(block).split("\n")]

    def schedtrace_text(self) -> str:
        lines = self.schedtrace_lines()
        return "\n".join(lines) + ("\n" if lines else "")

    @property
    def schedtrace_table(self) -> pd.DataFrame:
        """The SCHED lines as a table, parsed exactly as real Go's output is parsed."""
        from .golang import parse_schedtrace

        return parse_schedtrace(self.schedtrace_lines())

    def goroutine_dump(self, include_system: bool = False) -> str:
        """Go-format goroutine dump (``goroutine N [status]:`` ...) of the run's final state."""
        s = self.sched
        if s is None:
            return ""
        return dump.goroutine_dump(s, include_system=include_system)

    # ----- the G/M/P picture ----------------------------------------------------------------

    @_cached
    def _snapshot_objects(self) -> list[Snapshot]:
        events = self._events
        return [_snap_object(row, events[row[0]][0], events[row[0]][1]) for row in self._snaps]

    def snapshots(self) -> list[Snapshot]:
        return list(self._snapshot_objects())

    def snapshot_at(self, t_ns: float | None = None) -> Snapshot:
        """The last snapshot at or before ``t_ns`` (default: the last one)."""
        snaps = self._snapshot_objects()
        if not snaps:
            raise ValueError("no snapshots were recorded (Recorder(snapshots=False)?)")
        if t_ns is None:
            return snaps[-1]
        best = snaps[0]
        for snap in snaps:
            if snap.t > t_ns:
                break
            best = snap
        return best

    def snapshot_after(self, event_index: int) -> Snapshot:
        """The state right after event number ``event_index`` (a row label of :attr:`events`):
        the last snapshot taken at or before that event."""
        snaps = self._snapshot_objects()
        if not snaps:
            raise ValueError("no snapshots were recorded (Recorder(snapshots=False)?)")
        best = snaps[0]
        for snap in snaps:
            if snap.index > event_index:
                break
            best = snap
        return best

    # ----- Perfetto / chrome://tracing --------------------------------------------------------

    def chrome_trace(self) -> dict[str, Any]:
        """The run in the Trace Event Format: one thread row per P (the goroutines that ran
        there), counters for the run queues and threads, instant events for steals and
        preemptions. Perfetto (ui.perfetto.dev) and ``chrome://tracing`` open it."""
        pid = 1
        out: list[dict[str, Any]] = [
            {"ph": "M", "pid": pid, "name": "process_name", "args": {"name": "gmpkit (Go model)"}},
        ]
        for i in range(self._max_procs):
            out.append({"ph": "M", "pid": pid, "tid": i, "name": "thread_name",
                        "args": {"name": f"P{i}"}})
            out.append({"ph": "M", "pid": pid, "tid": i, "name": "thread_sort_index",
                        "args": {"sort_index": i}})
        sp = self.spans
        for row in sp.itertuples(index=False):
            name = f"G{row.g}" + (" (syscall)" if row.kind == "syscall" else "")
            out.append({"ph": "X", "pid": pid, "tid": int(row.p), "name": name,
                        "cat": row.kind, "ts": row.start / 1000, "dur": (row.end - row.start) / 1000,
                        "args": {"goroutine": int(row.g), "M": int(row.m) if row.m is not None
                                 else None, "source": source_text(row.source),
                                 "ended": row.end_reason}})
        for t, grq, lrq, nxt in self._queue_rows():
            args = {"global": grq}
            args.update({f"P{i}": n for i, n in enumerate(lrq)})
            args.update({f"P{i} runnext": n for i, n in enumerate(nxt)})
            out.append({"ph": "C", "pid": pid, "name": "run queues", "ts": t / 1000,
                        "args": args})
        for t, _gr, _grb, _gs, _gw, mr, ms, msc, mi, pi in self._count_rows_cached():
            out.append({"ph": "C", "pid": pid, "name": "threads", "ts": t / 1000,
                        "args": {"running": mr, "spinning": ms, "syscall": msc, "idle": mi}})
            out.append({"ph": "C", "pid": pid, "name": "idle Ps", "ts": t / 1000,
                        "args": {"idle Ps": pi}})
        for t, kind, g, _m, p, _reason, source, extra, *_rest in self._events:
            if kind == "Steal" and p is not None:
                out.append({"ph": "i", "pid": pid, "tid": p, "s": "t", "ts": t / 1000,
                            "name": f"steal {extra[1]} from P{extra[0]}",
                            "args": {"what": source}})
            elif kind in ("GoPreempt", "RunqOverflow", "GOMAXPROCS") and p is not None:
                out.append({"ph": "i", "pid": pid, "tid": p, "s": "t", "ts": t / 1000,
                            "name": kind + (f" G{g}" if g is not None else ""),
                            "args": {"extra": repr(extra)}})
        return {"traceEvents": out, "displayTimeUnit": "ns",
                "metadata": {"clock": "virtual time of the gmpkit model, µs"}}

    def save_perfetto(self, path: str) -> str:
        """Write :meth:`chrome_trace` as JSON to ``path`` (open it in ui.perfetto.dev)."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.chrome_trace(), f)
        return path
