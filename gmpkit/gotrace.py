"""Real Go's execution traces, read into the tables the model's recorder gives.

Go's execution tracer (``runtime/trace``) records every goroutine and P state change with the
thread (M), P, goroutine and time it happened on. Go 1.27.3's own tool prints a trace file as
text, one event a line::

    go tool trace -d=parsed trace.out

    M=14257 P=0 G=1 StateTransition Time=379184106048 GoID=9 NotExist->Runnable Reason=""
    TransitionStack=
        main.main.func1 @ 0x4a1b20
            /tmp/x/main.go:21
    ...

This module parses that text (no Go needed: it works on saved output) and turns it into a
:class:`GoTrace`, whose tables have the same names, columns and units as the model's
:class:`gmpkit.trace.Recorder`: ``events``, ``spans``, ``counts``, ``goroutines``, ``procs``. The
charts in :mod:`gmpkit.viz` draw either; ``viz.side_by_side`` draws both on one time axis.
:func:`gmpkit.golang.trace_go` runs a Go program under the tracer and returns a ``GoTrace``.

Go's states and the model's events
----------------------------------
Each goroutine transition becomes the event the model's scheduler reports for it:

| Go's trace | event | notes |
|---|---|---|
| ``NotExist->Runnable`` | ``GoCreate`` | ``extra`` = the creating goroutine |
| ``Runnable->Running`` | ``GoStart`` | ``source`` is None: Go does not record where the G came from |
| ``Running->Runnable`` | ``GoSched`` / ``GoPreempt`` / ``GoStop`` | by Go's reason ``runtime.Gosched`` / ``preempted`` / other |
| ``Running->Waiting`` | ``GoBlock`` | ``reason`` is Go's trace reason (see below) |
| ``Waiting->Runnable`` | ``GoUnblock`` | ``extra`` = the waking goroutine |
| ``Running->NotExist`` | ``GoEnd`` | |
| ``Running->Syscall`` | ``GoSysCall`` | |
| ``Syscall->Running`` | ``GoSysExit`` reason ``fast`` | the M kept its P |
| ``Syscall->Runnable`` | ``GoSysExit`` reason ``oldp`` / ``idlep`` / ``global`` | ``oldp``/``idlep`` when the same thread runs it at once on a P it got back (its old one, or another idle one); else ``global`` |
| ``ProcID Idle->Running`` / ``Running->Idle`` | ``PAcquire`` / ``PRelease`` | |
| ``ProcID Running->Idle`` by another thread while the P's goroutine is in a syscall | ``Retake`` | the P was taken from the syscall (sysmon's ``retake``, or a stop-the-world) |
| ``Metric /sched/gomaxprocs:threads`` changing | ``GOMAXPROCS`` | ``extra`` = (old, new) |
| end of the trace | ``Exit`` | ``extra`` = the exit status, when the run is known |

What Go's trace cannot say, and what is inferred instead (each is marked so in the tables):

- **source** of a start (runnext, local queue, global queue, stolen): not recorded; ``None``. The
  column ``ready_p`` of :attr:`GoTrace.events` holds the P on which the goroutine was last made
  runnable (created, woken, or left running), ``None`` when that went through the global queue
  (``Gosched``, preemption, a syscall exit without a P) or happened off any P. A start on a
  different P (``moved``) is a goroutine that changed P: stolen, or taken from the global queue
  after another P put it there. :func:`moves` applies the same inference to the model's events,
  so the two sides are counted alike.
- **block reasons** are the tracer's (``sync``, ``chan receive``, ``network``...), coarser than the
  wait reasons the model reports (``sync.WaitGroup.Wait``, ``IO wait``...). ``TRACE_BLOCK_REASON``
  maps the model's wait reasons to Go's trace reasons, as the runtime's ``gopark`` call sites pair
  them; :func:`trace_reason` applies it.
- **threads**: Go's trace names OS thread ids (kept in column ``thread``); ``m`` numbers threads
  in the order they first appear (M0 is the thread that started the trace). Spinning and idle
  threads are not recorded: ``m_spinning`` is missing (NA); ``m_idle`` counts threads seen earlier
  that now hold no P and run nothing (idle *or* spinning); a thread holding a P without a
  goroutine counts as running. The thread that takes Ps from syscalls while holding no P itself
  is sysmon (inferred) and, as in the model, is not counted.
- **run queues** and the **G/M/P snapshots** behind ``viz.gmp_diagram`` are not in Go's trace;
  ``queues`` and ``snapshots`` raise :class:`NotInGoTrace` saying so.
- **which goroutines are the program's**: a goroutine created while tracing is *user* unless its
  start function is in package ``runtime`` (a runtime helper) or belongs to the tracer itself
  (``runtime/trace``, the runtime's trace reader/advancer goroutines). Goroutines that existed
  before the trace started, other than G1, are taken for runtime helpers (forcegc, bgsweep,
  bgscavenge...): a goroutine started by a package-level variable initialiser would be misread.
  Counts and the per-goroutine table cover user goroutines only, as the model's do; the timeline
  also shows the others (they did occupy the P), labelled.

Times are nanoseconds from the first event of the trace (``*_ms`` columns in milliseconds); Go's
tracer stamps events with a 64 ns resolution on linux/amd64.
"""

from __future__ import annotations

import ast
import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GoTrace",
    "GoTraceError",
    "GoTraceParseError",
    "GoTraceEmpty",
    "NotInGoTrace",
    "ParsedEvent",
    "parse_events",
    "compact_text",
    "TRACE_BLOCK_REASON",
    "trace_reason",
    "goroutine_labels",
    "start_order",
    "moves",
    "p_goroutines",
    "max_threads",
    "FORMAT_HINT",
]

FORMAT_HINT = ("expected the text `go tool trace -d=parsed trace.out` prints (Go 1.22 or later): "
               "lines such as `M=12 P=0 G=1 StateTransition Time=123 GoID=7 Runnable->Running "
               "Reason=\"\"`")

#: Header line of a trace saved by :meth:`GoTrace.save` (JSON metadata follows).
SAVE_HEADER = "# gmpkit-gotrace "


class GoTraceError(RuntimeError):
    """A Go execution trace could not be produced or read; the message says why and what to do."""

    def __init__(self, message: str, result: Any = None, trace: GoTrace | None = None) -> None:
        super().__init__(message)
        self.result = result  # the run (golang.GoResult) when there was one
        self.trace = trace  # what could be read, if anything


class GoTraceParseError(GoTraceError, ValueError):
    """The text is not ``go tool trace -d=parsed`` output (``.line_no``, ``.line``)."""

    def __init__(self, message: str, line_no: int = 0, line: str = "") -> None:
        super().__init__(message)
        self.line_no = line_no
        self.line = line


class GoTraceEmpty(GoTraceError):
    """The trace holds no scheduling events (the program died before the tracer flushed)."""


class NotInGoTrace(AttributeError):
    """A table the model has but Go's execution trace does not record (run queues, snapshots)."""


# ------------------------------------------------------------------------------------------------
# Reasons
# ------------------------------------------------------------------------------------------------

#: The model's wait reasons (runtime2.go's waitReason strings) -> the reason Go's tracer records
#: for the same park (traceruntime.go's traceBlockReason strings), as the runtime's call sites
#: pair them: chan.go (chansend/chanrecv), select.go, sema.go's semacquire1 (every sync
#: primitive parks with traceBlockSync), time.go (timeSleep), netpoll.go (netpollblock), proc.go
#: (forcegchelper, the GOMAXPROCS updater), mgcsweep.go / mgcscavenge.go.
TRACE_BLOCK_REASON = {
    "chan receive": "chan receive",
    "chan send": "chan send",
    "chan receive (nil chan)": "forever",
    "chan send (nil chan)": "forever",
    "select": "select",
    "select (no cases)": "forever",
    "sleep": "sleep",
    "semacquire": "sync",
    "sync.Mutex.Lock": "sync",
    "sync.RWMutex.Lock": "sync",
    "sync.RWMutex.RLock": "sync",
    "sync.WaitGroup.Wait": "sync",
    "sync.Cond.Wait": "sync.(*Cond).Wait",
    "IO wait": "network",
    "force gc (idle)": "system goroutine wait",
    "GC sweep wait": "GC background sweeper wait",
    "GC scavenge wait": "system goroutine wait",
    "GOMAXPROCS updater (idle)": "system goroutine wait",
    "finalizer wait": "system goroutine wait",
    "panicwait": "forever",
}


def trace_reason(wait_reason: str | None) -> str | None:
    """The reason Go's tracer records for a park the model reports with ``wait_reason``."""
    if wait_reason is None:
        return None
    return TRACE_BLOCK_REASON.get(wait_reason, wait_reason)


# ------------------------------------------------------------------------------------------------
# Parsing the text
# ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ParsedEvent:
    """One event as ``go tool trace -d=parsed`` printed it.

    ``thread``, ``p``, ``g`` are the event's context (the OS thread, the P it held and the
    goroutine it ran when the event happened; None for -1). For a ``StateTransition``,
    ``resource`` is ``"goroutine"`` or ``"proc"``, ``rid`` its id, ``old``/``new`` the states and
    ``reason`` Go's reason. ``fields`` holds the rest (``Name``, ``Value``, ``N``...) as text.
    ``stack`` and ``tstack`` are the ``Stack=`` and ``TransitionStack=`` frames as
    (function, file:line) pairs; a goroutine's creation has its start function at
    ``tstack[0]``.
    """

    line_no: int
    thread: int | None
    p: int | None
    g: int | None
    kind: str
    time: int
    resource: str | None = None
    rid: int | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    stack: tuple[tuple[str, str], ...] = ()
    tstack: tuple[tuple[str, str], ...] = ()


_EVENT = re.compile(r"^M=(-?\d+) P=(-?\d+) G=(-?\d+) ([A-Za-z]+) Time=(-?\d+)(.*)$")
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_ST_LINE = re.compile(
    r"^M=(-?\d+) P=(-?\d+) G=(-?\d+) StateTransition Time=(-?\d+) (GoID|ProcID)=(\d+) "
    r"(Undetermined|NotExist|Runnable|Running|Waiting|Syscall|Idle)->"
    r"(Undetermined|NotExist|Runnable|Running|Waiting|Syscall|Idle) Reason=(" + _QUOTED + r")$")
_TRANSITION = re.compile(
    r"^ (GoID|ProcID)=(-?\d+) ([A-Za-z]+)->([A-Za-z]+) Reason=(" + _QUOTED + r")\s*$")
_FIELD = re.compile(r"(\w+)=(" + _QUOTED + r"|\[[^\]]*\]|\S+)")
_FRAME = re.compile(r"^\t(?!\t)(.*?) ?@ (0x[0-9a-f]+)\s*$")  # the function may be empty
_FRAME_FILE = re.compile(r"^\t\t(.*)$")
_KNOWN_KINDS = frozenset({
    "Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive", "RangeEnd",
    "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log", "StateTransition", "Experimental",
})
_GO_STATES = frozenset({"Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall"})
_P_STATES = frozenset({"Undetermined", "NotExist", "Running", "Idle"})


def _unquote(text: str) -> str:
    """A Go ``%q`` string as Python text (Go's escapes are Python's, bar ``\\x`` of non-ASCII
    bytes, which trace reasons and names do not use)."""
    if "\\" not in text:
        return text[1:-1]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text[1:-1]
    return value if isinstance(value, str) else text[1:-1]


def _none(v: str) -> int | None:
    n = int(v)
    return None if n < 0 else n


def _bad(line_no: int, line: str, why: str) -> GoTraceParseError:
    shown = line if len(line) <= 160 else line[:157] + "..."
    return GoTraceParseError(f"line {line_no}: {why}: {shown!r}; {FORMAT_HINT}", line_no, line)


def parse_events(text: str | Iterable[str], *, stacks: bool = False) -> list[ParsedEvent]:
    """Parse ``go tool trace -d=parsed`` text into :class:`ParsedEvent` records, in order.

    Accepts the tool's full output and the compact form :func:`compact_text` writes. Lines
    starting with ``#`` before the first event are comments (:meth:`GoTrace.save` writes its
    metadata there). Stacks are skipped, except the start function of each created goroutine
    (``tstack[0]``); ``stacks=True`` keeps every frame. Raises :class:`GoTraceParseError` naming
    the first line that is neither an event nor the start of a stack (with ``stacks=True``: nor
    a stack frame); a binary trace file gets a message saying how to turn it into text.
    """
    if isinstance(text, (bytes, bytearray)):
        raise GoTraceParseError("got bytes: this looks like a binary trace file; turn it into "
                                "text with `go tool trace -d=parsed trace.out` (or use "
                                "golang.read_trace, which runs it)")
    if not isinstance(text, str):
        text = "\n".join(ln.rstrip("\n") for ln in text)
    if text.startswith("go 1.") and " trace" in text[:20]:
        raise GoTraceParseError("this is a binary execution trace (it starts with "
                                f"{text[:16]!r}), not its text; run `go tool trace -d=parsed` "
                                "on it, or use golang.read_trace", 1, text[:40])
    text = text.replace("\r\n", "\n")
    # Each event starts a line with "M="; everything up to the next one is its stacks. Splitting
    # there leaves the (many) stack lines to C code.
    chunks = ("\n" + text).split("\nM=")
    no = 1
    for line in chunks[0].split("\n")[1:]:
        if line.strip() and not line.startswith("#"):
            raise _bad(no, line, "not an event line of `go tool trace -d=parsed`")
        no += 1
    out: list[ParsedEvent] = []
    for chunk in chunks[1:]:
        head, _, rest = chunk.partition("\n")
        line = "M=" + head
        st = _ST_LINE.match(line)
        if st is not None and ((st[5] == "GoID" and st[7] in _GO_STATES and st[8] in _GO_STATES)
                               or (st[5] == "ProcID" and st[7] in _P_STATES
                                   and st[8] in _P_STATES)):
            # The common case, one regex: a goroutine or P state change.
            thread, p, g, time, res, rid, old, new, reason = st.groups()
            ev = ParsedEvent(no, None if thread[0] == "-" else int(thread),
                             None if p[0] == "-" else int(p), None if g[0] == "-" else int(g),
                             "StateTransition", int(time),
                             "goroutine" if res == "GoID" else "proc", int(rid), old, new,
                             reason[1:-1] if "\\" not in reason else _unquote(reason))
            if rest.strip():
                _stacks(ev, rest, no + 1, stacks)
            out.append(ev)
            no += 1 + chunk.count("\n")
            continue
        m = _EVENT.match(line)
        if m is None:
            raise _bad(no, line, "not an event line of `go tool trace -d=parsed`")
        thread, p, g, kind, time, tail = m.groups()
        if kind not in _KNOWN_KINDS:
            raise _bad(no, line, f"unknown event kind {kind!r}")
        kw: dict[str, Any] = {"line_no": no, "thread": _none(thread), "p": _none(p),
                              "g": _none(g), "kind": kind, "time": int(time)}
        if kind == "StateTransition":
            t = _TRANSITION.match(tail)
            if t is None:
                raise _bad(no, line, "a StateTransition without `GoID=N From->To Reason=...` "
                                     "or `ProcID=N From->To Reason=...`")
            res, rid, old, new, reason = t.groups()
            states = _GO_STATES if res == "GoID" else _P_STATES
            if old not in states or new not in states:
                raise _bad(no, line, f"unknown {'goroutine' if res == 'GoID' else 'P'} state "
                                     f"in {old}->{new}")
            kw.update(resource="goroutine" if res == "GoID" else "proc", rid=int(rid), old=old,
                      new=new, reason=_unquote(reason))
        else:
            kw["fields"] = {k: (_unquote(v) if v.startswith('"') else v)
                            for k, v in _FIELD.findall(tail)}
        pe = ParsedEvent(**kw)
        if rest.strip():
            _stacks(pe, rest, no + 1, stacks)
        out.append(pe)
        no += 1 + chunk.count("\n")
    return out


def _stacks(ev: ParsedEvent, rest: str, no: int, keep_all: bool) -> None:
    """Read the stacks printed under an event (``Stack=`` / ``TransitionStack=`` blocks)."""
    first = rest.lstrip("\n")
    if not first.startswith(("Stack=", "TransitionStack=", "#")):
        no += len(rest) - len(first)
        raise _bad(no, first.split("\n", 1)[0], "unrecognised line")
    if not keep_all:
        if ev.old == "NotExist" and ev.resource == "goroutine":
            i = rest.find("TransitionStack=\n")
            if i >= 0:
                lines = rest[i:].split("\n", 3)
                if len(lines) > 1 and lines[1].startswith("\t") and not lines[1].startswith("\t\t"):
                    fn = lines[1][1:].rpartition("@ 0x")[0].rstrip()
                    where = lines[2].strip() if len(lines) > 2 and lines[2].startswith("\t\t") else ""
                    ev.tstack = ((fn, where),)
        return
    found: dict[str, list[tuple[str, str]]] = {}
    frames: list[tuple[str, str]] | None = None
    for k, line in enumerate(rest.split("\n")):
        if not line.strip() or line.startswith("#"):
            frames = None
        elif line in ("Stack=", "TransitionStack="):
            frames = found.setdefault(line, [])
        elif frames is not None and line.startswith("\t\t") and frames:
            frames[-1] = (frames[-1][0], line.strip())
        elif frames is not None and line.startswith("\t") and "@ 0x" in line:
            frames.append((line[1:].rpartition("@ 0x")[0].rstrip(), ""))
        else:
            raise _bad(no + k, line, "unrecognised line")
    ev.stack = tuple(found.get("Stack=", ()))
    ev.tstack = tuple(found.get("TransitionStack=", ()))


def compact_text(text: str) -> str:
    """The same trace with less text, for committing: stacks dropped except each goroutine's
    start function (the first frame of a creation's ``TransitionStack``, file reduced to its
    base name), and metrics other than GOMAXPROCS dropped. :func:`parse_events` reads it and
    gives the same scheduling tables."""
    out: list[str] = []
    keep_frames = 0
    in_stack = False
    for line in text.splitlines():
        if _EVENT.match(line):
            in_stack = False
            keep_frames = 0
            if " Metric " in line and '"/sched/gomaxprocs:threads"' not in line:
                continue
            out.append(line)
            keep_frames = 1 if "NotExist->Runnable" in line else 0
            continue
        if line == "TransitionStack=" and keep_frames:
            out.append(line)
            in_stack = True
            continue
        if line in ("Stack=", "TransitionStack="):
            in_stack = False
            continue
        if in_stack and keep_frames:
            f = _FRAME.match(line)
            if f:
                out.append(line)
                continue
            ff = _FRAME_FILE.match(line)
            if ff:
                out.append("\t\t" + ff.group(1).strip().rsplit("/", 1)[-1])
                keep_frames = 0
                in_stack = False
                continue
        if line.startswith("#"):
            out.append(line)
    return "\n".join(out) + ("\n" if out else "")


# ------------------------------------------------------------------------------------------------
# From Go's transitions to the model's events
# ------------------------------------------------------------------------------------------------

USER, RUNTIME, TRACER = "user", "runtime", "tracer"

# Words for the end of a stretch on a P, as the model's recorder writes them.
_END = {
    "GoSched": "called Gosched (to the global queue)",
    "GoPreempt": "preempted by sysmon after its 10 ms slice (to the global queue)",
    "GoStop": "stopped running (Go's reason: {reason})",
    "GoEnd": "returned (goroutine exit)",
    "GoSysCall": "entered a system call",
    "GoBlock": "blocked ({reason})",
}
_STOP_EVENTS = {"runtime.Gosched": "GoSched", "preempted": "GoPreempt"}


def _classify(start_fn: str | None) -> str:
    """user / runtime / tracer, from a goroutine's start function (Go's isSystemGoroutine counts
    every ``runtime.*`` function but ``runtime.main`` as the runtime's)."""
    if not start_fn:
        return USER
    if start_fn.startswith("runtime/trace."):
        return TRACER
    if start_fn.startswith("runtime."):
        if "trace" in start_fn.lower():
            return TRACER
        return USER if start_fn == "runtime.main" else RUNTIME
    return USER


@dataclass
class _G:
    id: int
    kind: str
    name: str
    parent: int | None
    created: int | None  # ns, None if it existed before the trace
    state: str = "NotExist"
    p: int | None = None
    thread: int | None = None
    ready_p: int | None = None
    syscall_p: int | None = None
    ended: int | None = None
    reason: str = ""


@dataclass
class _Built:
    """Everything derived from the parsed events in one pass."""

    events: list[tuple[Any, ...]]
    spans: list[tuple[Any, ...]]
    counts: list[tuple[Any, ...]]
    gs: dict[int, _G]
    threads: dict[int, dict[str, Any]]
    nprocs: int
    gomaxprocs: int | None
    end: int
    t0: int


def _build(evs: list[ParsedEvent], exit_code: int | None) -> _Built:
    # Time 0 is the first event after the clock sync (the sync can come milliseconds before).
    t0 = next((ev.time for ev in evs if ev.kind != "Sync"), evs[0].time)
    # The tracer's own shutdown (trace.Stop at exit: a stop-the-world, the writer goroutine
    # flushing, sometimes a thread started for it) is not the program's: stop reading there.
    stop = next((i for i, ev in enumerate(evs) if ev.kind == "RangeBegin"
                 and ev.fields.get("Name") == "stop-the-world (stop trace)"), len(evs))
    stopped_at = evs[stop].time - t0 if 0 < stop < len(evs) else None
    evs = evs[:stop] if stop > 0 else evs
    gs: dict[int, _G] = {}
    pstate: dict[int, str] = {}  # P -> Running / Idle / NotExist
    pholder: dict[int, int | None] = {}  # P -> thread holding it
    threads: dict[int, dict[str, Any]] = {}  # tid -> {m, first, g, p, syscall, sysmon}
    order: list[int] = []
    events: list[tuple[Any, ...]] = []
    spans: list[tuple[Any, ...]] = []
    opened: dict[int, list[Any]] = {}  # p -> [g, m, start, kind, source]
    counts: list[tuple[Any, ...]] = []
    gomaxprocs: int | None = None
    fold: dict[int, int] = {}  # g -> thread: its next Runnable->Running is a syscall exit's
    nprocs = 0

    def thread(tid: int | None) -> dict[str, Any] | None:
        if tid is None:
            return None
        th = threads.get(tid)
        if th is None:
            th = {"m": len(order), "first": None, "g": None, "p": None, "syscall": False,
                  "sysmon": False, "tid": tid}
            threads[tid] = th
            order.append(tid)
        return th

    def mnum(tid: int | None) -> int | None:
        th = thread(tid)
        return None if th is None else th["m"]

    def seen(th: dict[str, Any] | None, t: int) -> None:
        if th is not None and th["first"] is None:
            th["first"] = t

    def goroutine(gid: int, ev: ParsedEvent, created: bool) -> _G:
        g = gs.get(gid)
        if g is None:
            fn = ev.tstack[0][0] if created and ev.tstack else None
            if created:
                kind = _classify(fn)
            else:
                kind = USER if gid == 1 else RUNTIME
            name = fn or ("main.main" if gid == 1 else "")
            parent = ev.g if created else None
            g = _G(gid, kind, name, parent, ev.time - t0 if created else None)
            gs[gid] = g
        return g

    def close(p: int, t: int, why: str) -> None:
        span = opened.pop(p, None)
        if span is not None:
            g, m, start, kind, source = span
            spans.append((p, m, g, start, t, kind, source, why))

    def close_g(g: _G, t: int, why: str) -> None:
        for p, span in list(opened.items()):
            if span[0] == g.id:
                close(p, t, why)

    def emit(t: int, kind: str, g: int | None, tid: int | None, p: int | None,
             reason: str | None = None, source: str | None = None, extra: Any = None,
             ready_p: int | None = None) -> None:
        events.append((t, kind, g, mnum(tid), p, reason, source, extra, tid, ready_p))

    gcount = {"Running": 0, "Runnable": 0, "Syscall": 0, "Waiting": 0}  # user goroutines

    def setstate(g: _G, state: str) -> None:
        if g.kind == USER:
            if g.state in gcount:
                gcount[g.state] -= 1
            if state in gcount:
                gcount[state] += 1
        g.state = state

    def count(t: int) -> None:
        gr, gq, gsys, gw = (gcount["Running"], gcount["Runnable"], gcount["Syscall"],
                            gcount["Waiting"])
        mr = msys = total = 0
        for th in threads.values():
            if th["sysmon"] or th["first"] is None:
                continue
            total += 1
            if th["syscall"]:
                msys += 1
            elif th["g"] is not None or th["p"] is not None:
                mr += 1
        pidle = sum(1 for st in pstate.values() if st == "Idle")
        row = (gr, gq, gsys, gw, mr, None, msys, max(total - mr - msys, 0), pidle, total)
        if counts and counts[-1][1:] == row:
            return
        if counts and counts[-1][0] == t:
            counts[-1] = (t, *row)
        else:
            counts.append((t, *row))

    for i, ev in enumerate(evs):
        t = ev.time - t0
        th = thread(ev.thread)
        if ev.kind == "Metric" and ev.fields.get("Name") == "/sched/gomaxprocs:threads":
            mv = re.search(r"\((\d+)\)", ev.fields.get("Value", ""))  # Value{Uint64(2)}
            if mv:
                n = int(mv.group(1))
                if gomaxprocs is not None and n != gomaxprocs:
                    emit(t, "GOMAXPROCS", ev.g, ev.thread, ev.p, extra=(gomaxprocs, n))
                gomaxprocs = n
            continue
        if ev.kind != "StateTransition":
            continue
        old, new = ev.old, ev.new
        if ev.resource == "proc":
            pid = ev.rid
            assert pid is not None
            nprocs = max(nprocs, pid + 1)
            holder = pholder.get(pid)
            if new == "Running":
                pstate[pid] = "Running"
                pholder[pid] = ev.thread
                if th is not None:
                    th["p"] = pid
                    seen(th, t)
                if old == "Idle":
                    emit(t, "PAcquire", None, ev.thread, pid)
            elif new == "Idle":
                pstate[pid] = "Idle"
                pholder[pid] = None
                if holder is not None and holder in threads:
                    threads[holder]["p"] = None
                if th is not None and th["p"] == pid:
                    th["p"] = None
                span = opened.get(pid)
                if old == "Running" and holder is not None and holder != ev.thread:
                    # The P was taken from a thread in a syscall (ProcSteal in Go's trace).
                    victim = span[0] if span is not None and span[3] == "syscall" else None
                    if ev.g is not None and ev.g in gs and gs[ev.g].state == "Syscall":
                        # exitsyscall taking its old P back from another syscalling thread.
                        close(pid, t, "P taken by a goroutine back from a syscall")
                    else:
                        if ev.p is None and ev.g is None and th is not None:
                            th["sysmon"] = True  # steals Ps while holding none: sysmon
                        close(pid, t, "P retaken by sysmon while the goroutine stays in "
                                      "the syscall")
                        emit(t, "Retake", victim, holder, pid,
                             reason="sysmon" if th is not None and th["sysmon"] else None)
                elif old == "Running":
                    close(pid, t, "P released")
                    emit(t, "PRelease", None, ev.thread, pid)
            elif new == "NotExist":
                pstate.pop(pid, None)
                close(pid, t, "P destroyed (GOMAXPROCS lowered)")
            count(t)
            continue

        gid = ev.rid
        assert gid is not None
        g = goroutine(gid, ev, created=(old == "NotExist"))
        if th is not None and (ev.g is not None or ev.p is not None):
            seen(th, t)
        setstate(g, new)  # type: ignore[arg-type]
        p = ev.p
        if old == "Undetermined":
            # The goroutine's state when the trace (or a new generation) started.
            if new == "Running" and p is not None and p not in opened:
                opened[p] = [gid, mnum(ev.thread), t, "run", None]
                g.p, g.thread = p, ev.thread
                if th is not None:
                    th["g"] = gid
            elif new == "Syscall" and th is not None:
                th["syscall"], th["g"] = True, gid
        elif old == "NotExist" and new == "Runnable":
            g.ready_p = p
            emit(t, "GoCreate", gid, ev.thread, p, extra=ev.g, ready_p=p)
        elif old == "Runnable" and new == "Running":
            if fold.pop(gid, None) == ev.thread:
                pass  # already reported as the GoSysExit that got this P
            else:
                emit(t, "GoStart", gid, ev.thread, p, ready_p=g.ready_p)
            if p is not None:
                close(p, t, "descheduled")
                opened[p] = [gid, mnum(ev.thread), t, "run",
                             "exitsyscall" if g.syscall_p is not None else None]
            g.syscall_p = None
            g.p, g.thread = p, ev.thread
            if th is not None:
                th["g"], th["syscall"] = gid, False
                if p is not None:
                    th["p"] = p
        elif old == "Running":
            if th is not None and th["g"] == gid:
                th["g"] = None
            if new == "Runnable":
                kind = _STOP_EVENTS.get(ev.reason or "", "GoStop")
                # Gosched and preemption put the goroutine on the global queue.
                g.ready_p = None if kind != "GoStop" else p
                emit(t, kind, gid, ev.thread, p, reason=ev.reason or None)
                close_g(g, t, _END[kind].format(reason=ev.reason or "unspecified"))
            elif new == "Waiting":
                g.reason = ev.reason or ""
                emit(t, "GoBlock", gid, ev.thread, p, reason=ev.reason or None)
                close_g(g, t, _END["GoBlock"].format(reason=ev.reason or "unspecified"))
            elif new == "NotExist":
                g.ended = t
                emit(t, "GoEnd", gid, ev.thread, p)
                close_g(g, t, _END["GoEnd"])
            elif new == "Syscall":
                g.syscall_p = p
                emit(t, "GoSysCall", gid, ev.thread, p)
                close_g(g, t, _END["GoSysCall"])
                if p is not None:
                    opened[p] = [gid, mnum(ev.thread), t, "syscall", "syscall"]
                if th is not None:
                    th["g"], th["syscall"] = gid, True
        elif old == "Waiting" and new == "Runnable":
            g.ready_p = p
            emit(t, "GoUnblock", gid, ev.thread, p, extra=ev.g, ready_p=p)
        elif old == "Syscall":
            if th is not None:
                th["syscall"] = False
            close_g(g, t, "returned from the system call")
            if new == "Running":
                how = "fast" if p is not None and p == g.syscall_p else "idlep"
                emit(t, "GoSysExit", gid, ev.thread, p, reason=how)
                g.syscall_p = None
                if p is not None:
                    close(p, t, "P taken by a goroutine back from a syscall")
                    opened[p] = [gid, mnum(ev.thread), t, "run",
                                 "syscall" if how == "fast" else "exitsyscall"]
                if th is not None:
                    th["g"] = gid
            elif new == "Runnable":
                nxt = _next_transition_on(evs, i, ev.thread)
                if (p is not None and nxt is not None and nxt.resource == "goroutine"
                        and nxt.rid == gid and nxt.old == "Runnable" and nxt.new == "Running"):
                    how = "oldp" if p == g.syscall_p else "idlep"
                    fold[gid] = ev.thread  # type: ignore[assignment]
                    emit(t, "GoSysExit", gid, ev.thread, p, reason=how)
                    g.ready_p = p
                else:
                    emit(t, "GoSysExit", gid, ev.thread, None, reason="global")
                    g.ready_p = None
                    g.syscall_p = None
                if th is not None:
                    th["g"] = None
            else:
                emit(t, "GoState", gid, ev.thread, p, reason=f"{old}->{new}")
        else:
            emit(t, "GoState", gid, ev.thread, p, reason=f"{old}->{new}")
        if new in ("Runnable", "Waiting", "NotExist") and g.p is not None and old != "Undetermined":
            g.p = None
        count(t)

    end = stopped_at if stopped_at is not None else max(evs[-1].time - t0, 0)
    why = "program exited" if exit_code is not None else "still running at the end of the trace"
    for p in sorted(opened):
        close(p, end, why)
    emit(end, "Exit", None, None, None, extra=exit_code)
    return _Built(events, spans, counts, gs,
                  {tid: threads[tid] for tid in order}, max(nprocs, gomaxprocs or 0), gomaxprocs,
                  end, t0)


def _next_transition_on(evs: list[ParsedEvent], i: int, tid: int | None) -> ParsedEvent | None:
    """The next state transition after ``evs[i]`` on the same thread."""
    for ev in evs[i + 1:i + 64]:
        if ev.kind == "StateTransition" and ev.thread == tid:
            return ev
    return None


# ------------------------------------------------------------------------------------------------
# The trace object
# ------------------------------------------------------------------------------------------------


class GoTrace:
    """A real Go run's execution trace with the model recorder's tables (see the module text).

    Build one with :func:`gmpkit.golang.trace_go` (runs a program), :func:`gmpkit.golang.read_trace`
    (a ``trace.out``; needs Go), :meth:`from_text` (saved ``-d=parsed`` text; no Go) or
    :meth:`load` (a file written by :meth:`save`). The charts of :mod:`gmpkit.viz` accept it
    wherever they accept a model trace (``timeline``, ``goroutine_states``, ``threads_chart``).
    """

    def __init__(self, events: list[ParsedEvent], *, text: str = "", stdout: str = "",
                 stderr: str = "", exit_code: int | None = None, gomaxprocs: int | None = None,
                 godebug: str = "", go_version: str | None = None, recorded: bool = False,
                 label: str = "", warnings: Iterable[str] = (), program: str = "") -> None:
        if not any(ev.kind == "StateTransition" and ev.resource == "goroutine" for ev in events):
            raise GoTraceEmpty(
                "the trace holds no goroutine events"
                + (" (the tool read nothing)" if not events else "")
                + ": the program ended before Go's tracer wrote anything. Go flushes the trace "
                  "when main returns, on os.Exit and on an unrecovered panic, but not on a "
                  "fatal error or a kill; run the program untraced (golang.run_go) to see why "
                  "it stopped")
        self.parsed = events
        self.text = text
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code
        self.godebug = godebug
        self.go_version = go_version
        self.recorded = recorded
        self.label = label or ("real Go (recorded)" if recorded else "real Go")
        self.warnings = list(warnings)
        self.program = program
        self._built = _build(events, exit_code)
        self._gomaxprocs_env = gomaxprocs
        self._cache: dict[str, Any] = {}

    # ----- constructors ---------------------------------------------------------------------

    @classmethod
    def from_text(cls, text: str, **meta: Any) -> GoTrace:
        """From ``go tool trace -d=parsed`` text (full or compact); no Go needed."""
        return cls(parse_events(text), text=text, **meta)

    @classmethod
    def load(cls, path: str | Path) -> GoTrace:
        """A trace written by :meth:`save` (``.gz`` or plain text), with its metadata."""
        raw = Path(path).read_bytes()
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
        meta: dict[str, Any] = {}
        first = text.split("\n", 1)[0]
        if first.startswith(SAVE_HEADER):
            try:
                meta = json.loads(first[len(SAVE_HEADER):])
            except json.JSONDecodeError as exc:
                raise GoTraceParseError(f"{path}: broken metadata line: {exc}", 1, first) from exc
        allowed = {"stdout", "stderr", "exit_code", "gomaxprocs", "godebug", "go_version",
                   "label", "program"}
        kwargs = {k: v for k, v in meta.items() if k in allowed}
        return cls(parse_events(text), text=text, recorded=True, **kwargs)

    def save(self, path: str | Path, *, compact: bool = True) -> Path:
        """Write the trace text with a metadata line (gzip if ``path`` ends in ``.gz``)."""
        meta = {"go_version": self.go_version, "gomaxprocs": self._gomaxprocs_env,
                "godebug": self.godebug, "exit_code": self.exit_code, "stdout": self.stdout,
                "stderr": self.stderr, "program": self.program}
        body = compact_text(self.text) if compact else self.text
        body = "\n".join(ln for ln in body.splitlines() if not ln.startswith(SAVE_HEADER))
        data = (SAVE_HEADER + json.dumps(meta, ensure_ascii=False) + "\n" + body + "\n").encode()
        path = Path(path)
        path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
        return path

    # ----- facts ----------------------------------------------------------------------------

    def end_ns(self) -> int:
        """Time of the last event, ns from the first."""
        return self._built.end

    def max_procs(self) -> int:
        """The number of P lanes to draw (the largest P count seen)."""
        return max(self._built.nprocs, 1)

    def gomaxprocs_at_end(self) -> int:
        return self._built.gomaxprocs or self._gomaxprocs_env or self.max_procs()

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __len__(self) -> int:
        return len(self._built.events)

    def __repr__(self) -> str:
        users = sum(1 for g in self._built.gs.values() if g.kind == USER)
        return (f"<GoTrace {self.label}: {len(self._built.events)} events, {users} user "
                f"goroutines, {len(self._built.spans)} spans, {self.end_ns() / 1e6:.3f} ms, "
                f"exit_code={self.exit_code}>")

    def goroutine_kind(self, g: int) -> str | None:
        """``user``, ``runtime`` or ``tracer`` (the tracer's own goroutines)."""
        rec = self._built.gs.get(g)
        return None if rec is None else rec.kind

    def user_goroutines(self) -> list[int]:
        """User goroutine ids in order of creation (G1 first)."""
        gs = [g for g in self._built.gs.values() if g.kind == USER]
        gs.sort(key=lambda g: (g.created is not None, g.created or 0, g.id))
        return [g.id for g in gs]

    # ----- tables ---------------------------------------------------------------------------

    def _memo(self, name: str, build: Any) -> Any:
        if name not in self._cache:
            self._cache[name] = build()
        return self._cache[name]

    @property
    def events(self) -> pd.DataFrame:
        """Every scheduling event in the model's vocabulary (see the module text), with the OS
        ``thread`` id and the inferred ``ready_p``; ``source`` and the model's ``rule``,
        ``args`` and ``why`` (the rule of proc.go behind each decision) are None: Go's trace
        does not say."""
        def build() -> pd.DataFrame:
            import pandas as pd

            cols = ["time_ns", "event", "g", "m", "p", "reason", "source", "extra", "thread",
                    "ready_p"]
            df = pd.DataFrame(self._built.events, columns=cols)
            df.insert(1, "time_ms", df["time_ns"] / 1e6)
            for c in ("g", "m", "p", "thread", "ready_p"):
                df[c] = df[c].astype("Int64")
            df["source"] = df["source"].astype(object)
            for c in ("rule", "args", "why"):
                df[c] = pd.Series([None] * len(df), dtype=object)
            return df

        return self._memo("events", build)

    @property
    def spans(self) -> pd.DataFrame:
        """Bars of the timeline: p, m, g, start, end (ns), kind (run/syscall), source (None but
        for ``syscall``/``exitsyscall``), end_reason; plus ``g_kind`` (user/runtime/tracer)."""
        def build() -> pd.DataFrame:
            import pandas as pd

            cols = ["p", "m", "g", "start", "end", "kind", "source", "end_reason"]
            df = pd.DataFrame(self._built.spans, columns=cols)
            if len(df):
                df = df.sort_values(["start", "p"], kind="stable").reset_index(drop=True)
            df["g_kind"] = [self.goroutine_kind(int(g)) for g in df["g"]]
            return df

        return self._memo("spans", build)

    @property
    def counts(self) -> pd.DataFrame:
        """Counts after each change, the model's columns: user goroutines by state, threads
        (``m_spinning`` NA: not in Go's trace; ``m_idle`` inferred, idle or spinning), idle Ps;
        plus ``threads``, the threads seen so far (sysmon not counted)."""
        def build() -> pd.DataFrame:
            import pandas as pd

            cols = ["t", "g_running", "g_runnable", "g_syscall", "g_waiting", "m_running",
                    "m_spinning", "m_syscall", "m_idle", "p_idle", "threads"]
            df = pd.DataFrame(self._built.counts, columns=cols)
            df["m_spinning"] = df["m_spinning"].astype("Float64")
            df.insert(1, "t_ms", df["t"] / 1e6)
            return df

        return self._memo("counts", build)

    @property
    def goroutines(self) -> pd.DataFrame:
        """One row per user goroutine, the model's columns: ``stolen`` is NA (Go's trace cannot
        say); ``moved`` counts starts on a P other than the one it was made runnable on."""
        def build() -> pd.DataFrame:
            import pandas as pd

            ids = self.user_goroutines()
            gs = self._built.gs
            ev = self.events
            sp = self.spans
            run = sp[sp["kind"] == "run"]
            out = pd.DataFrame({"g": ids})
            out["name"] = [gs[g].name for g in ids]
            out["parent"] = pd.array([gs[g].parent for g in ids], dtype="Int64")
            out["created_ms"] = pd.Series([gs[g].created for g in ids], dtype="float64") / 1e6
            out["ended_ms"] = pd.Series([gs[g].ended for g in ids], dtype="float64") / 1e6
            out["runs"] = out["g"].map(run.groupby("g").size()).fillna(0).astype(int)
            cpu = (run["end"] - run["start"]).groupby(run["g"]).sum() / 1e6
            out["cpu_ms"] = out["g"].map(cpu).fillna(0.0)
            out["ps"] = out["g"].map(run.groupby("g")["p"].agg(lambda s: tuple(sorted(set(s)))))
            out["stolen"] = pd.array([None] * len(ids), dtype="Int64")
            mv = _moved_rows(ev)
            out["moved"] = out["g"].map(mv.groupby("g").size()).fillna(0).astype(int)
            for col, kind in (("blocked", "GoBlock"), ("preempted", "GoPreempt")):
                sel = ev[ev["event"] == kind]
                out[col] = out["g"].map(sel.groupby("g").size()).fillna(0).astype(int)
            out["status"] = [_status_word(gs[g]) for g in ids]
            return out

        return self._memo("goroutines", build)

    @property
    def procs(self) -> pd.DataFrame:
        """One row per P: busy time, utilisation, starts, goroutines (the model's columns; the
        ``from_*`` sources and ``stole_gs`` are NA), and ``moved_in``: starts of goroutines made
        runnable on another P (inferred steals or global-queue hops)."""
        def build() -> pd.DataFrame:
            import pandas as pd

            n = self.max_procs()
            sp = self.spans
            run = sp[(sp["kind"] == "run") & (sp["g_kind"] == USER)]
            out = pd.DataFrame({"p": list(range(n))})
            busy = (run["end"] - run["start"]).groupby(run["p"]).sum() / 1e6
            out["busy_ms"] = out["p"].map(busy).fillna(0.0)
            total = self.end_ns() / 1e6
            out["utilisation"] = (out["busy_ms"] / total).round(3) if total else 0.0
            out["starts"] = out["p"].map(run.groupby("p").size()).fillna(0).astype(int)
            out["goroutines"] = out["p"].map(run.groupby("p")["g"].nunique()).fillna(0).astype(int)
            for name in ("runnext", "local", "global", "global61", "stolen", "netpoll"):
                out[f"from_{name}"] = pd.array([None] * n, dtype="Int64")
            out["stole_gs"] = pd.array([None] * n, dtype="Int64")
            mv = _moved_rows(self.events)
            mv = mv[mv["g"].isin(self.user_goroutines())]
            out["moved_in"] = out["p"].map(mv.groupby("p").size()).fillna(0).astype(int)
            return out

        return self._memo("procs", build)

    @property
    def threads(self) -> pd.DataFrame:
        """One row per OS thread seen: ``m`` (order of first appearance), ``thread`` (OS id),
        ``first_ms`` (first time it held a P or ran a goroutine) and ``sysmon`` (inferred)."""
        def build() -> pd.DataFrame:
            import pandas as pd

            rows = [(th["m"], tid, None if th["first"] is None else th["first"] / 1e6,
                     th["sysmon"]) for tid, th in self._built.threads.items()]
            return pd.DataFrame(rows, columns=["m", "thread", "first_ms", "sysmon"])

        return self._memo("threads", build)

    @property
    def raw(self) -> pd.DataFrame:
        """Every parsed event as Go printed it (thread, p, g, kind, time_ns from the start,
        resource, id, old, new, reason, fields)."""
        def build() -> pd.DataFrame:
            import pandas as pd

            t0 = self._built.t0
            rows = [(e.time - t0, e.kind, e.thread, e.p, e.g, e.resource, e.rid, e.old, e.new,
                     e.reason, e.fields or None) for e in self.parsed]
            df = pd.DataFrame(rows, columns=["time_ns", "kind", "thread", "p", "g", "resource",
                                             "id", "old", "new", "reason", "fields"])
            for c in ("thread", "p", "g", "id"):
                df[c] = df[c].astype("Int64")
            return df

        return self._memo("raw", build)

    @property
    def queues(self) -> Any:
        raise NotInGoTrace("Go's execution trace does not record run-queue lengths (runnext, "
                           "local, global); the nearest is counts.g_runnable, the goroutines "
                           "waiting to run")

    def snapshots(self) -> Any:
        raise NotInGoTrace("Go's execution trace does not record the queues, so there is no "
                           "G/M/P picture of an instant; draw viz.timeline(go_trace) instead")

    def start_order(self, *, after_first_create: bool = True) -> list[str]:
        """The order in which user goroutines started running, as labels (see
        :func:`start_order`)."""
        return start_order(self, after_first_create=after_first_create)


def _status_word(g: _G) -> str:
    return {"NotExist": "dead", "Running": "running", "Runnable": "runnable",
            "Syscall": "syscall"}.get(g.state, g.reason or "waiting")


# ------------------------------------------------------------------------------------------------
# Comparing a model trace with a Go trace
# ------------------------------------------------------------------------------------------------


def _events_of(trace: Any) -> pd.DataFrame:
    ev = getattr(trace, "events", None)
    if ev is None or not hasattr(ev, "columns"):
        raise TypeError("expected a GoTrace or a model trace recorded with gk.run(..., "
                        f"record=True); got {type(trace).__name__}")
    return ev


def _user_ids(trace: Any) -> list[int]:
    """User goroutine ids, in creation order (G1 first)."""
    if isinstance(trace, GoTrace):
        return trace.user_goroutines()
    gor = trace.goroutines
    return [int(g) for g in gor.sort_values(["created_ms", "g"], kind="stable")["g"]]


def goroutine_labels(trace: Any, *, last: int | None = None) -> dict[int, str]:
    """User goroutine id -> a label both sides share: ``main`` for G1, ``g1``, ``g2``... in order
    of creation. Goroutine ids differ between the model and Go (Go's runtime and tracer take ids
    of their own), creation order does not. ``last=N`` labels only the last N created (``g1`` is
    the first of those), for programs whose warm-up creates a varying number of goroutines."""
    ids = _user_ids(trace)
    rest = [g for g in ids if g != 1]
    if last is not None:
        rest = rest[-last:] if last else []
    labels = {1: "main"} if 1 in ids else {}
    labels.update({g: f"g{k}" for k, g in enumerate(rest, 1)})
    return labels


def start_order(trace: Any, *, after_first_create: bool = True,
                last: int | None = None) -> list[str]:
    """The order in which user goroutines started running (``GoStart``), as shared labels.

    Go's trace begins in an ``init`` function, after the runtime's start-up; the model's run
    includes that start-up. With ``after_first_create`` (default) both sequences begin at the
    first creation of a labelled goroutine, so they cover the same part of the program."""
    ev = _events_of(trace)
    labels = goroutine_labels(trace, last=last)
    first = None
    if after_first_create:
        creates = ev[(ev["event"] == "GoCreate") & ev["g"].isin([g for g in labels if g != 1])]
        if len(creates):
            first = creates.index[0]
    starts = ev[ev["event"] == "GoStart"]
    if first is not None:
        starts = starts[starts.index > first]
    return [labels[int(g)] for g in starts["g"] if int(g) in labels]


def _moved_rows(ev: pd.DataFrame) -> pd.DataFrame:
    """GoStart rows of goroutines starting on a P other than the one they were last made
    runnable on (created, woken, or stopped there). Gosched, preemption and syscall exits
    without a P go through the global queue and clear the ready P, in Go and in the model."""
    gcol = ev["g"].to_numpy(dtype=object, na_value=None)
    pcol = ev["p"].to_numpy(dtype=object, na_value=None)
    reasons = ev["reason"].tolist()
    ready: dict[int, int | None] = {}
    netwait: set[int] = set()
    rows = []
    for k, (kind, g, p) in enumerate(zip(ev["event"].tolist(), gcol, pcol)):
        if g is None:
            continue
        if kind == "GoBlock" and reasons[k] in _NET_REASONS:
            # Readied later by the netpoller: Go's trace names the P that polled, though
            # injectglist may queue the goroutine on the global queue; the model reports no
            # readiness event at all when findRunnable's own poll returns it. Unknown on both
            # sides.
            netwait.add(g)
            ready[g] = None
        elif kind in ("GoUnblock", "NetpollReady") and g in netwait:
            netwait.discard(g)
            ready[g] = None
        elif kind in ("GoCreate", "GoUnblock", "GoStop", "GoSysExit"):
            ready[g] = p
        elif kind in ("GoSched", "GoPreempt"):
            ready[g] = None
        elif kind == "GoStart":
            src = ready.get(g)
            if src is not None and p is not None and src != p:
                rows.append(k)
            ready[g] = p
    return ev.iloc[rows]


_NET_REASONS = frozenset({"network", "IO wait"})


def moves(trace: Any) -> int:
    """How many times a user goroutine started on a P other than the one it was made runnable on
    (inferred steals, from Go's trace and from the model's events alike)."""
    ev = _events_of(trace)
    users = set(_user_ids(trace))
    mv = _moved_rows(ev)
    return int(mv["g"].isin(users).sum())


def p_goroutines(trace: Any, *, last: int | None = None) -> dict[int, frozenset[str]]:
    """P -> the labels of the user goroutines that started on it."""
    ev = _events_of(trace)
    labels = goroutine_labels(trace, last=last)
    starts = ev[ev["event"] == "GoStart"]
    out: dict[int, set[str]] = {}
    for g, p in zip(starts["g"], starts["p"]):
        if int(g) in labels and p is not None and p == p:
            out.setdefault(int(p), set()).add(labels[int(g)])
    return {p: frozenset(s) for p, s in sorted(out.items())}


def max_threads(trace: Any) -> int:
    """The most threads in use at once (running, in a syscall, idle or spinning; sysmon not
    counted): the model's Ms or the threads Go's trace showed."""
    c = trace.counts
    cols = ["m_running", "m_spinning", "m_syscall", "m_idle"]
    total = c[cols].fillna(0).sum(axis=1)
    return int(total.max()) if len(total) else 0
