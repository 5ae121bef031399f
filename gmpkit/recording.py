"""Recording a run as it happens: the per-event half of ``trace.Recorder``.

Go's execution tracer (``runtime/trace*.go``) writes a compact record of each event into a
buffer while the program runs and leaves every analysis to ``go tool trace`` afterwards. The
recorder does the same: :func:`make_record` gives the function the scheduler calls at each
decision (``Sched.record``), which appends one flat tuple and reads only the state that event
can have changed; ``trace.py`` derives spans, series and tables from those tuples when they are
first asked for. This module is the hot path of a recorded run, so it is part of the compiled
core; ``trace.py`` (pandas, charts' data) is not.

What is read at each event, and why that is enough:

- the run queues: the global queue's length, and the local queue and runnext of the P the event
  names and of the P the previous event named (``newproc`` reports ``GoCreate`` before it queues
  the new G, ``gosched`` reports before it queues on the global queue, so a queue may change just
  after the event that names its P). Events that move goroutines between Ps or queue them on a P
  they do not name (``Steal``, ``NetpollReady``, ``GOMAXPROCS``) rescan every P.
- the threads (``m_*``) and idle Ps: rescanned only after events that change an M or the idle-P
  list (``M_KINDS``) and after the event following one; a goroutine starting or stopping on an M
  leaves the M a busy thread either way.
- the goroutine named by the event: its state at that moment, kept in the event's tuple, which is
  all the per-state goroutine counts need; and, when it is created, its identity (a dead G is
  reused by a later goroutine, ``gfget``, which changes the object's fields).
- a snapshot of the whole G/M/P picture after snapshot-kind events, for the diagram, thinned to
  at most ``max_snapshots`` evenly spaced ones.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, Any, Final

from .runtime2 import G, GStatus, M, P

if TYPE_CHECKING:  # type names only
    from .sched import Sched

#: Queue entries kept per P in a snapshot (the diagram draws 8 and "+N more").
SNAPSHOT_QUEUE_IDS: Final = 16
#: Snapshots kept at most; past this, every other one is dropped and the stride doubles, so a
#: long run keeps an even sample of instants in bounded memory.
MAX_SNAPSHOTS: Final = 4000

#: Events after which the G/M/P picture may have changed enough to be worth a snapshot.
SNAPSHOT_KINDS: Final = frozenset({
    "GoCreate", "GoStart", "GoBlock", "GoUnblock", "GoSched", "GoPreempt", "GoEnd", "GoSysCall",
    "GoSysExit", "Steal", "RunqOverflow", "Retake", "Handoff", "PAcquire", "PRelease", "MCreate",
    "MWake", "MSpin", "MSpinStop", "MIdle", "TimerFire", "NetpollReady", "GOMAXPROCS", "Exit",
})
#: Events that may change an M or the idle-P list.
M_KINDS: Final = frozenset({
    "GoSysCall", "GoSysExit", "Retake", "Handoff", "PAcquire", "PRelease", "MCreate", "MWake",
    "MSpin", "MSpinStop", "MIdle", "MNetpoll", "NetpollReady", "TimerFire", "GOMAXPROCS", "Exit",
})
# What the recording function does per kind, as bit flags (one dict lookup per event).
_FULLQ: Final = 1  # rescan every P's queues: goroutines moved between Ps or onto a P not named
_MKIND: Final = 2  # rescan the threads and idle Ps now and at the next event
_SNAP: Final = 4  # in SNAPSHOT_KINDS
_SPECIAL: Final = 8  # Schedtrace, GOMAXPROCS: kept aside as well
_KIND_FLAGS: Final = {
    kind: ((_FULLQ if kind in ("Steal", "NetpollReady", "GOMAXPROCS") else 0)
           | (_MKIND if kind in M_KINDS else 0)
           | (_SNAP if kind in SNAPSHOT_KINDS else 0)
           | (_SPECIAL if kind in ("Schedtrace", "GOMAXPROCS") else 0))
    for kind in SNAPSHOT_KINDS | M_KINDS | {"Steal", "Schedtrace", "PreemptRequest", "Sysmon"}
}
_GSTATUS_INT: Final = {st: int(st) for st in GStatus}  # plain ints keep tuples out of the GC


class Store:
    """What a recorded run keeps, as plain lists of tuples (``trace.Recorder`` reads them)."""

    def __init__(self, snapshots: bool, max_snapshots: int) -> None:
        self.keep_snapshots = snapshots
        self.max_snapshots = max_snapshots
        # One tuple per event: (t, kind, g, m, p, reason, source, extra, gstatus, grq, lrq,
        # runnext?, *cause): gstatus is the named user goroutine's state (an int; None for none
        # or a runtime G), then the global queue's length and the named P's local queue length
        # and whether its runnext is set, all read right after the event; then the event's
        # cause, flattened (its rule code and the rule's arguments: hooks.RULES), so that a
        # recorded event is one object for the garbage collector, not two.
        self.events: list[tuple[Any, ...]] = []
        # Queue state the events do not carry: the P named by the previous event, read again
        # at this one (index, p, lrq, runnext?); every P after a rescan (index, grq, lrqs,
        # runnexts).
        self.qside: list[tuple[int, int, int, bool]] = []
        self.qfull: list[tuple[int, int, tuple[int, ...], tuple[bool, ...]]] = []
        # Thread and idle-P counts (m_running, m_spinning, m_syscall, m_idle, p_idle) and the
        # event index from which they hold, one entry per change.
        self.mrows: list[tuple[int, tuple[int, ...]]] = []
        self.mrow: tuple[int, ...] | None = None
        # User goroutines, by id: the G object, and its identity as it was when the goroutine
        # was created (name, parent, creation time).
        self.gs: dict[int, G] = {}
        self.born: dict[int, tuple[str, int | None, int]] = {}
        # Snapshots as plain tuples (see snap_tuple); every other one is dropped when there
        # are too many (see MAX_SNAPSHOTS).
        self.snaps: list[tuple[Any, ...]] = []
        self.snap_stride = 1
        self.max_procs = 0
        self.schedtrace: list[str] = []


def snap_tuple(s: Sched, index: int, n: int) -> tuple[Any, ...]:
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
                   tuple([g.goid for g in islice(runq, n)]), len(runq), p.schedtick))
    grq = s.runq
    idle: list[int] = []
    spin: list[int] = []
    sysc: list[tuple[int, int]] = []
    netp: list[int] = []
    for m in s.allm:
        if m.system or m.p is not None:
            continue
        cg = m.curg
        if cg is not None and cg.status == GStatus.SYSCALL:
            sysc.append((m.id, cg.goid))
        elif m.spinning:
            spin.append(m.id)
        elif m.in_netpoll:
            netp.append(m.id)
        elif m.parked:
            idle.append(m.id)
    return (index, tuple(ps), tuple([g.goid for g in islice(grq, n)]), len(grq),
            tuple(idle), tuple(spin), tuple(sysc), tuple(netp))


def sample_all_queues(st: Store, s: Sched, index: int) -> int:
    """Every P's queue lengths and runnext after event ``index``; returns the number of Ps."""
    allp = s.allp
    st.qfull.append((index, len(s.runq), tuple([len(p.runq) for p in allp]),
                     tuple([p.runnext is not None for p in allp])))
    return len(allp)


def sample_ms(st: Store, s: Sched, index: int) -> None:
    """The thread and idle-P counts after event ``index``, kept when they changed."""
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
    if row != st.mrow:
        st.mrow = row
        st.mrows.append((index, row))


def snapshot(st: Store, s: Sched, index: int) -> int:
    """Keep the G/M/P picture after event ``index``; return how many snapshot-kind events to
    pass over before the next one."""
    snaps = st.snaps
    snaps.append(snap_tuple(s, index, SNAPSHOT_QUEUE_IDS))
    if len(snaps) > st.max_snapshots:
        last = snaps[-1]
        snaps[:] = snaps[:-1:2] + [last]
        st.snap_stride *= 2
    return st.snap_stride - 1


def make_record(st: Store, s: Sched) -> Callable[..., None]:
    """The per-event recording function for scheduler ``s``, writing into ``st``. It takes
    ``Sched.emit``'s arguments (the G, M and P themselves, no Event object) and reads the time
    from ``s``. A closure: on this path, the most frequent in a recorded run, its local names
    are cheaper than attribute lookups."""
    gs = st.gs
    born = st.born
    events = st.events
    append = events.append  # bound once: cheaper per event in the pure build
    side = st.qside.append
    flags_of = _KIND_FLAGS.get
    gstatus_int = _GSTATUS_INT
    keep_snapshots = st.keep_snapshots
    nprocs = -1  # Ps at the last full rescan; a different count forces one
    prev = -1  # the P the previous event named (-1: none)
    m_next = True  # rescan the threads at this event (the first, or one after an M event)
    snap_skip = 0  # snapshot-kind events to pass over before the next snapshot

    def record(kind: str, g: G | None = None, m: M | None = None, p: P | None = None,
               reason: str | None = None, source: str | None = None, extra: Any = None,
               cause: tuple[Any, ...] = (None,)) -> None:
        nonlocal nprocs, prev, m_next, snap_skip
        goid: int | None = None
        gst: int | None = None
        if g is not None:
            goid = g.goid
            if not g.system:  # runtime goroutines are left out of the goroutine tables
                gst = gstatus_int[g.status]
                if kind == "GoCreate" or (goid == 1 and 1 not in gs):
                    gs[goid] = g
                    born[goid] = (g.name, g.parent, g.created_at)
        allp = s.allp
        index = len(events)
        flags = flags_of(kind, 0)
        pid: int | None = None
        lq: int | None = None
        nq: bool | None = None
        if p is not None:
            pid = p.id
        if flags & _FULLQ or len(allp) != nprocs:
            nprocs = sample_all_queues(st, s, index)
        elif p is not None:
            lq = len(p.runq)
            nq = p.runnext is not None
        if prev >= 0 and prev != pid and prev < nprocs:
            pp = allp[prev]
            side((index, prev, len(pp.runq), pp.runnext is not None))
        prev = -1 if pid is None else pid
        append((s.now, kind, goid, None if m is None else m.id, pid, reason, source,
                       extra, gst, len(s.runq), lq, nq) + cause)
        if flags:
            if flags & _MKIND:
                sample_ms(st, s, index)
                m_next = True
            elif m_next:
                sample_ms(st, s, index)
                m_next = False
            if flags & _SPECIAL:
                if kind == "Schedtrace":
                    st.schedtrace.extend(str(extra).split("\n"))
                elif kind == "GOMAXPROCS":
                    st.max_procs = max(st.max_procs, extra[1])
            if flags & _SNAP and keep_snapshots:
                if snap_skip:
                    snap_skip -= 1
                else:
                    snap_skip = snapshot(st, s, index)
        elif m_next:
            sample_ms(st, s, index)
            m_next = False

    return record
