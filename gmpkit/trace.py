"""The standard recorder: turns the scheduler's observer events into tables, series and text.

The scheduler (``sched.py``) tells every attached observer about each decision it makes
(``Sched.emit`` → ``Observer.event``). :class:`Recorder` is the observer behind
``gk.run(..., record=True)``. While the program runs it keeps only plain Python lists, cheap to
append to; pandas is imported, and tables are built, only when one is asked for.

What it gives (all times in virtual nanoseconds, ``*_ms`` columns in milliseconds):

| method | what |
|---|---|
| :attr:`Recorder.events` | every event: time, event, goroutine, M, P, reason, source (*why* a goroutine ran where it ran: runnext, local, global, global (1 in 61), stolen from Pk, netpoll, exitsyscall) |
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

from .sched import GStatus, Observer, PStatus

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .sched import Event, Sched

__all__ = ["Recorder", "Snapshot", "PSnap", "source_text"]

#: Queue entries kept per P in a snapshot (the diagram draws 8 and "+N more").
SNAPSHOT_QUEUE_IDS = 16
#: Snapshots kept at most; past this, every other one is dropped and the stride doubles, so a
#: long run keeps an even sample of instants in bounded memory.
MAX_SNAPSHOTS = 4000

# Events after which the G/M/P picture may have changed enough to be worth a snapshot.
_SNAPSHOT_KINDS = frozenset({
    "GoCreate", "GoStart", "GoBlock", "GoUnblock", "GoSched", "GoPreempt", "GoEnd", "GoSysCall",
    "GoSysExit", "Steal", "RunqOverflow", "Retake", "Handoff", "PAcquire", "PRelease", "MCreate",
    "MWake", "MSpin", "MSpinStop", "MIdle", "TimerFire", "NetpollReady", "GOMAXPROCS", "Exit",
})
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


class Recorder(Observer):
    """The standard observer: records every event and the queue and thread state after it."""

    def __init__(self, *, snapshots: bool = True, max_snapshots: int = MAX_SNAPSHOTS) -> None:
        self.sched: Sched | None = None
        self.keep_snapshots = snapshots
        self.max_snapshots = max_snapshots
        self._events: list[tuple[Any, ...]] = []
        # Spans: one open span per P: p -> [g, m, start, kind, source]; closed ones in _spans.
        self._open: dict[int, list[Any]] = {}
        self._spans: list[tuple[Any, ...]] = []
        # Queue series rows: (t, grq, (lrq per P...), (runnext 0/1 per P...)).
        self._queues: list[tuple[Any, ...]] = []
        self._last_queue: tuple[Any, ...] | None = None
        # Count series rows: (t, g_running, g_runnable, g_syscall, g_waiting,
        #                     m_running, m_spinning, m_syscall, m_idle, p_idle).
        self._counts: list[tuple[int, ...]] = []
        self._last_count: tuple[int, ...] | None = None
        # Goroutine states, kept up to date from the real G objects named by each event.
        self._gs: dict[int, Any] = {}  # goid -> G (user goroutines only)
        self._gstate: dict[int, GStatus] = {}
        self._gcount = {s: 0 for s in _STATE_NAMES}
        self._snaps: list[Snapshot] = []
        self._snap_stride = 1
        self._snap_skip = 0
        self._max_procs = 0
        self._end = 0
        self._schedtrace: list[str] = []
        self._cache: dict[str, tuple[int, Any]] = {}

    # ----- observer hooks -----------------------------------------------------------------

    def attach(self, sched: Sched) -> None:
        self.sched = sched
        self._max_procs = max(self._max_procs, sched.gomaxprocs)

    def event(self, ev: Event) -> None:
        s = self.sched
        assert s is not None, "Recorder.event before attach"
        kind = ev.kind
        t = ev.t
        self._end = t
        self._events.append((t, kind, ev.g, ev.m, ev.p, ev.reason, ev.source, ev.extra))
        if kind == "Schedtrace":
            self._schedtrace.extend(str(ev.extra).split("\n"))
        elif kind == "GOMAXPROCS":
            self._max_procs = max(self._max_procs, ev.extra[1])
        self._track_spans(ev)
        if ev.g is not None:
            self._track_g(ev.g, kind)
        self._sample(t)
        if self.keep_snapshots and kind in _SNAPSHOT_KINDS:
            self._snapshot(ev, len(self._events) - 1)

    # ----- recording internals ------------------------------------------------------------

    def _close(self, p: int, t: int, why: str) -> None:
        span = self._open.pop(p, None)
        if span is not None:
            g, m, start, kind, source = span
            self._spans.append((p, m, g, start, t, kind, source, why))

    def _close_g(self, g: int, t: int, why: str) -> None:
        for p, span in list(self._open.items()):
            if span[0] == g:
                self._close(p, t, why)

    def _track_spans(self, ev: Event) -> None:
        kind, t, g, p = ev.kind, ev.t, ev.g, ev.p
        if kind == "GoStart":
            if p is not None:
                self._close(p, t, "descheduled")
                self._open[p] = [g, ev.m, t, "run", ev.source or ""]
        elif kind == "GoBlock":
            self._close_g(g, t, f"blocked ({ev.reason})")
        elif kind in _END_WORDS:
            self._close_g(g, t, _END_WORDS[kind])
            if kind == "GoSysCall" and p is not None:
                self._open[p] = [g, ev.m, t, "syscall", "syscall"]
        elif kind == "GoSysExit":
            self._close_g(g, t, "returned from the system call")
            if p is not None and ev.reason != "global":
                # Back from the kernel with a P: it runs on (fast path) or took another P.
                self._close(p, t, "P taken by a goroutine back from a syscall")
                src = "syscall" if ev.reason == "fast" else "exitsyscall"
                self._open[p] = [g, ev.m, t, "run", src]
        elif kind in ("Retake", "Handoff"):
            if p is not None and p in self._open and self._open[p][3] == "syscall":
                self._close(p, t, "P retaken by sysmon while the goroutine stays in the syscall")
        elif kind == "PRelease":
            if p is not None:
                self._close(p, t, "P released")
        elif kind == "Exit":
            for q in list(self._open):
                self._close(q, t, "program exited")

    def _track_g(self, goid: int, kind: str) -> None:
        g = self._gs.get(goid)
        if g is None:
            if kind != "GoCreate" and goid not in (1,):
                return
            g = self._find_g(goid)
            if g is None or g.system:
                return
            self._gs[goid] = g
        old = self._gstate.get(goid)
        new = g.status
        if old == new:
            return
        if old in self._gcount:
            self._gcount[old] -= 1
        if new in self._gcount:
            self._gcount[new] += 1
        self._gstate[goid] = new

    def _find_g(self, goid: int):
        s = self.sched
        assert s is not None
        # The G named by GoCreate is the newest one; search from the end.
        for g in reversed(s.allg):
            if g.goid == goid:
                return g
        return None

    def _sample(self, t: int) -> None:
        s = self.sched
        assert s is not None
        allp = s.allp
        q = (len(s.runq), tuple(len(p.runq) for p in allp),
             tuple(0 if p.runnext is None else 1 for p in allp))
        if q != self._last_queue:
            self._last_queue = q
            self._queues.append((t, *q))
        mr = ms = msc = mi = 0
        for m in s.allm:
            if m.system:
                continue
            cg = m.curg
            if cg is not None:
                if cg.status == GStatus.SYSCALL:
                    msc += 1
                else:
                    mr += 1
            elif m.spinning:
                ms += 1
            elif m.parked or m.in_netpoll:
                mi += 1
            else:
                mr += 1  # between goroutines, in the scheduler: still a busy thread
        c = self._gcount
        row = (c[GStatus.RUNNING], c[GStatus.RUNNABLE], c[GStatus.SYSCALL], c[GStatus.WAITING],
               mr, ms, msc, mi, len(s.pidle))
        if row != self._last_count:
            self._last_count = row
            self._counts.append((t, *row))

    def _snapshot(self, ev: Event, index: int) -> None:
        if self._snap_skip:
            self._snap_skip -= 1
            return
        self._snap_skip = self._snap_stride - 1
        s = self.sched
        assert s is not None
        n = SNAPSHOT_QUEUE_IDS
        ps = []
        for p in s.allp:
            m = p.m
            cg = m.curg if m is not None else None
            runq = p.runq
            ids = tuple(runq[i].goid for i in range(min(n, len(runq))))
            ps.append(PSnap(
                p.id, PStatus(p.status).name.lower(), m.id if m is not None else None,
                cg.goid if cg is not None else None,
                cg is not None and cg.status == GStatus.SYSCALL,
                p.runnext.goid if p.runnext is not None else None, ids, len(runq), p.schedtick))
        grq = s.runq
        idle, spin, sysc, netp = [], [], [], []
        for m in s.allm:
            if m.system or m.p is not None:
                continue
            if m.curg is not None and m.curg.status == GStatus.SYSCALL:
                sysc.append((m.id, m.curg.goid))
            elif m.spinning:
                spin.append(m.id)
            elif m.in_netpoll:
                netp.append(m.id)
            elif m.parked:
                idle.append(m.id)
        self._snaps.append(Snapshot(
            ev.t, index, ev.kind, tuple(ps), tuple(grq[i].goid for i in range(min(n, len(grq)))),
            len(grq), tuple(idle), tuple(spin), tuple(sysc), tuple(netp)))
        if len(self._snaps) > self.max_snapshots:
            last = self._snaps[-1]
            self._snaps = self._snaps[:-1:2] + [last]
            self._snap_stride *= 2

    # ----- facts about the run --------------------------------------------------------------

    def end_ns(self) -> int:
        """Virtual time of the last recorded event."""
        return self._end

    def max_procs(self) -> int:
        """The largest GOMAXPROCS the run had (the number of P lanes to draw)."""
        return self._max_procs

    def gomaxprocs_at_end(self) -> int:
        return self.sched.gomaxprocs if self.sched is not None else self._max_procs

    def __len__(self) -> int:
        return len(self._events)

    def __repr__(self) -> str:
        return (f"<Recorder {len(self._events)} events, {len(self._spans)} spans, "
                f"{self._end / 1e6:.3f} ms>")

    # ----- tables ---------------------------------------------------------------------------

    @property
    @_cached
    def events(self) -> pd.DataFrame:
        """Every scheduler event, in order. ``source`` says why a goroutine ran where it ran."""
        import pandas as pd

        cols = ["time_ns", "event", "g", "m", "p", "reason", "source", "extra"]
        df = pd.DataFrame(self._events, columns=cols)
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

        rows = list(self._spans)
        for p, (g, m, start, kind, source) in sorted(self._open.items()):
            rows.append((p, m, g, start, self._end, kind, source, "still running at the end"))
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
        for t, grq, lrq, nxt in self._queues:
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
        df = pd.DataFrame(self._counts, columns=cols)
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

        ev = pd.DataFrame(self._events, columns=["t", "event", "g", "m", "p", "reason", "source",
                                                  "extra"])
        ids = sorted(self._gs)
        out = pd.DataFrame({"g": ids})
        out["name"] = [self._gs[g].name for g in ids]
        out["parent"] = pd.array([self._gs[g].parent for g in ids], dtype="Int64")
        out["created_ms"] = [self._gs[g].created_at / 1e6 for g in ids]
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
        out["status"] = [self._status_word(self._gs[g]) for g in ids]
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
        total = self._end / 1e6
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
        return s.goroutine_dump(include_system=include_system)

    # ----- the G/M/P picture ----------------------------------------------------------------

    def snapshots(self) -> list[Snapshot]:
        return list(self._snaps)

    def snapshot_at(self, t_ns: float | None = None) -> Snapshot:
        """The last snapshot at or before ``t_ns`` (default: the last one)."""
        if not self._snaps:
            raise ValueError("no snapshots were recorded (Recorder(snapshots=False)?)")
        if t_ns is None:
            return self._snaps[-1]
        best = self._snaps[0]
        for snap in self._snaps:
            if snap.t > t_ns:
                break
            best = snap
        return best

    def snapshot_after(self, event_index: int) -> Snapshot:
        """The state right after event number ``event_index`` (a row label of :attr:`events`):
        the last snapshot taken at or before that event."""
        if not self._snaps:
            raise ValueError("no snapshots were recorded (Recorder(snapshots=False)?)")
        best = self._snaps[0]
        for snap in self._snaps:
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
        for t, grq, lrq, nxt in self._queues:
            args = {"global": grq}
            args.update({f"P{i}": n for i, n in enumerate(lrq)})
            args.update({f"P{i} runnext": n for i, n in enumerate(nxt)})
            out.append({"ph": "C", "pid": pid, "name": "run queues", "ts": t / 1000,
                        "args": args})
        for t, _gr, _grb, _gs, _gw, mr, ms, msc, mi, pi in self._counts:
            out.append({"ph": "C", "pid": pid, "name": "threads", "ts": t / 1000,
                        "args": {"running": mr, "spinning": ms, "syscall": msc, "idle": mi}})
            out.append({"ph": "C", "pid": pid, "name": "idle Ps", "ts": t / 1000,
                        "args": {"idle Ps": pi}})
        for t, kind, g, _m, p, _reason, source, extra in self._events:
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
