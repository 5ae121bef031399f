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
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from . import dump
from .hooks import Event, Observer, why_text
from .runtime2 import GStatus, PStatus

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .sched import Sched

__all__ = ["Recorder", "Snapshot", "PSnap", "source_text", "take_snapshot"]

#: Queue entries kept per P in a snapshot (the diagram draws 8 and "+N more").
SNAPSHOT_QUEUE_IDS = 16
#: Snapshots kept at most; past this, every other one is dropped and the stride doubles, so a
#: long run keeps an even sample of instants in bounded memory.
MAX_SNAPSHOTS = 4000

#: Where a recorded event's cause (rule code, then its arguments) starts in its tuple.
_CAUSE = 12
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
# What Recorder.event does per kind, as bit flags (one dict lookup per event).
_FULLQ = 1  # rescan every P's queues: goroutines moved between Ps or onto a P not named
_MKIND = 2  # rescan the threads and idle Ps now and at the next event
_SNAP = 4  # in _SNAPSHOT_KINDS
_SPECIAL = 8  # Schedtrace, GOMAXPROCS: kept aside as well
_M_KINDS = frozenset({
    "GoSysCall", "GoSysExit", "Retake", "Handoff", "PAcquire", "PRelease", "MCreate", "MWake",
    "MSpin", "MSpinStop", "MIdle", "MNetpoll", "NetpollReady", "TimerFire", "GOMAXPROCS", "Exit",
})
_KIND_FLAGS = {
    kind: ((_FULLQ if kind in ("Steal", "NetpollReady", "GOMAXPROCS") else 0)
           | (_MKIND if kind in _M_KINDS else 0)
           | (_SNAP if kind in _SNAPSHOT_KINDS else 0)
           | (_SPECIAL if kind in ("Schedtrace", "GOMAXPROCS") else 0))
    for kind in _SNAPSHOT_KINDS | _M_KINDS | {"Steal", "Schedtrace", "PreemptRequest", "Sysmon"}
}
_GSTATUS_INT = {st: int(st) for st in GStatus}
_GOID = attrgetter("goid")
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


def _snap_tuple(s: Sched, index: int, n: int) -> tuple[Any, ...]:
    """The G/M/P picture of ``s`` now, as plain tuples (the first ``n`` ids of each queue):
    (index, Ps, global ids, global length, idle Ms, spinning Ms, syscall (M, G), netpoll Ms),
    each P as (id, status, m, curg, in_syscall, runnext, runq ids, runq length, schedtick)."""
    ps = []
    for p in s.allp:
        m = p.m
        cg = m.curg if m is not None else None
        runq = p.runq
        nxt = p.runnext
        ps.append((p.id, p.status, None if m is None else m.id,
                   None if cg is None else cg.goid,
                   cg is not None and cg.status == GStatus.SYSCALL,
                   None if nxt is None else nxt.goid,
                   tuple(map(_GOID, islice(runq, n))), len(runq), p.schedtick))
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
    return (index, tuple(ps), tuple(map(_GOID, islice(grq, n))), len(grq),
            tuple(idle), tuple(spin), tuple(sysc), tuple(netp))


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
    return _snap_object(_snap_tuple(s, index, max_ids), s.now, event)


class Recorder(Observer):
    """The standard observer: records every event and the queue and thread state after it.

    Cost model: :meth:`event` runs for every scheduler decision (about three per channel
    handoff), so it does a fixed, small amount of work: it appends one flat tuple per event and
    reads only the state that event can have changed. Everything else (spans, the series, every
    table) is derived on first access from those tuples and cached.

    What :meth:`event` reads, and why that is enough:

    - the run queues: the global queue's length, and the local queue and runnext of the P the
      event names and of the P the previous event named (``newproc`` reports ``GoCreate``
      before it queues the new G, ``gosched`` reports before it queues on the global queue, so
      a queue may change just after the event that names its P). Events that move goroutines
      between Ps or queue them on a P they do not name (``Steal``, ``NetpollReady``,
      ``GOMAXPROCS``) rescan every P.
    - the threads (``m_*``) and idle Ps: rescanned only after events that change an M or the
      idle-P list (``_M_KINDS``) and after the event following one; a goroutine starting or
      stopping on an M leaves the M a busy thread either way.
    - the goroutine named by the event: its state at that moment, kept in the event's tuple,
      which is all the per-state goroutine counts need.

    ``tests/test_trace.py`` checks the resulting series against a full recount of the
    scheduler's state at every event, on every built-in scenario.
    """

    def __init__(self, *, snapshots: bool = True, max_snapshots: int = MAX_SNAPSHOTS) -> None:
        self.sched: Sched | None = None
        self.keep_snapshots = snapshots
        self.max_snapshots = max_snapshots
        # One tuple per event: (t, kind, g, m, p, reason, source, extra, gstatus, grq, lrq,
        # runnext?, *cause): gstatus is the named user goroutine's state (an int; None for none
        # or a runtime G), then the global queue's length and the named P's local queue length
        # and whether its runnext is set, all read right after the event; then the event's
        # cause, flattened (its rule code and the rule's arguments: hooks.RULES), so that a
        # recorded event is one object for the garbage collector, not two.
        self._events: list[tuple[Any, ...]] = []
        # Queue state the events do not carry: the P named by the previous event, read again
        # at this one (index, p, lrq, runnext?); every P after a rescan (index, grq, lrqs,
        # runnexts).
        self._qside: list[tuple[int, int, int, bool]] = []
        self._qfull: list[tuple[int, int, tuple[int, ...], tuple[bool, ...]]] = []
        # Thread and idle-P counts (m_running, m_spinning, m_syscall, m_idle, p_idle) and the
        # event index from which they hold, one entry per change.
        self._mrows: list[tuple[int, tuple[int, ...]]] = []
        self._mrow: tuple[int, ...] | None = None
        # User goroutines, by id: the G object, and its identity as it was when the goroutine
        # was created (name, parent, creation time), kept because a dead G is reused by a later
        # goroutine (gfget), which changes the object's fields.
        self._gs: dict[int, Any] = {}
        self._born: dict[int, tuple[str, int | None, int]] = {}
        # Snapshots as plain tuples (index, ps, grq, grq_len, idle, spinning, syscall,
        # netpoll), each P as (id, status, m, curg, in_syscall, runnext, runq, runq_len,
        # schedtick); every other one is dropped when there are too many (see MAX_SNAPSHOTS).
        self._snaps: list[tuple[Any, ...]] = []
        self._snap_stride = 1
        self._max_procs = 0
        self._schedtrace: list[str] = []
        self._cache: dict[str, tuple[int, Any]] = {}

    # ----- observer hooks -----------------------------------------------------------------

    def attach(self, sched: Sched) -> None:
        self.sched = sched
        self._max_procs = max(self._max_procs, sched.gomaxprocs)
        self._record = self._make_record(sched)
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
        """Record one event (see the class docstring for what is read). A plain Recorder is not
        called here: ``attach`` gives the scheduler :meth:`_make_record`'s function, which takes
        the G, M and P themselves. This path serves subclasses that extend ``event`` and call
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

    def _make_record(self, s: Sched) -> Callable[..., None]:
        """The per-event recording function, a closure that takes the scheduler's objects
        (``Sched.record``): on this path, the most frequent in a recorded run, local names are
        cheaper than attribute lookups on ``self``, and no Event object is built."""
        gs = self._gs
        born = self._born
        events = self._events
        append = events.append
        side = self._qside.append
        sample_all_queues = self._sample_all_queues
        sample_ms = self._sample_ms
        snapshot = self._snapshot
        flags_of = _KIND_FLAGS.get
        gstatus_int = _GSTATUS_INT
        keep_snapshots = self.keep_snapshots
        nprocs = -1  # Ps at the last full rescan; a different count forces one
        prev: int | None = None  # the P the previous event named
        m_next = True  # rescan the threads at this event (the first, or one after an M event)
        snap_skip = 0  # snapshot-kind events to pass over before the next snapshot

        def record(kind: str, g: Any = None, m: Any = None, p: Any = None,
                   reason: str | None = None, source: str | None = None, extra: Any = None,
                   cause: tuple[Any, ...] = (None,)) -> None:
            nonlocal nprocs, prev, m_next, snap_skip
            if g is None:
                goid = gst = None
            else:
                goid = g.goid
                if g.system:
                    gst = None  # runtime goroutines are left out of the goroutine tables
                else:
                    gst = gstatus_int[g.status]  # a plain int keeps the tuple out of the GC
                    if kind == "GoCreate" or (goid == 1 and 1 not in gs):
                        # Identity as created: a dead G is reused later (gfget).
                        gs[goid] = g
                        born[goid] = (g.name, g.parent, g.created_at)
            allp = s.allp
            index = len(events)
            flags = flags_of(kind, 0)
            pid = None if p is None else p.id
            if flags & _FULLQ or len(allp) != nprocs:
                nprocs = sample_all_queues(index)
                lq = nq = None
            elif p is not None:
                lq = len(p.runq)
                nq = p.runnext is not None
            else:
                lq = nq = None
            if prev is not None and prev != pid and prev < nprocs:
                pp = allp[prev]
                side((index, prev, len(pp.runq), pp.runnext is not None))
            prev = pid
            append((s.now, kind, goid, None if m is None else m.id, pid, reason, source, extra, gst,
                    len(s.runq), lq, nq) + cause)
            if flags:
                if flags & _MKIND:
                    sample_ms(index)
                    m_next = True
                elif m_next:
                    sample_ms(index)
                    m_next = False
                if flags & _SPECIAL:
                    if kind == "Schedtrace":
                        self._schedtrace.extend(str(extra).split("\n"))
                    elif kind == "GOMAXPROCS":
                        self._max_procs = max(self._max_procs, extra[1])
                if flags & _SNAP and keep_snapshots:
                    if snap_skip:
                        snap_skip -= 1
                    else:
                        snap_skip = snapshot(index)
            elif m_next:
                sample_ms(index)
                m_next = False

        return record

    # ----- recording internals ------------------------------------------------------------

    def _sample_all_queues(self, index: int) -> int:
        s = self.sched
        assert s is not None
        allp = s.allp
        self._qfull.append((index, len(s.runq), tuple(len(p.runq) for p in allp),
                            tuple(p.runnext is not None for p in allp)))
        return len(allp)

    def _sample_ms(self, index: int) -> None:
        s = self.sched
        assert s is not None
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
        row = (mr, ms, msc, mi, len(s.pidle))
        if row != self._mrow:
            self._mrow = row
            self._mrows.append((index, row))

    def _snapshot(self, index: int) -> int:
        """Keep the G/M/P picture after event ``index`` as plain tuples (:meth:`snapshots`
        turns them into :class:`Snapshot` objects when asked); return how many snapshot-kind
        events to pass over before the next one."""
        s = self.sched
        assert s is not None
        self._snaps.append(_snap_tuple(s, index, SNAPSHOT_QUEUE_IDS))
        if len(self._snaps) > self.max_snapshots:
            last = self._snaps[-1]
            self._snaps[:] = self._snaps[:-1:2] + [last]
            self._snap_stride *= 2
        return self._snap_stride - 1

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
