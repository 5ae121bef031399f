"""What the runtime prints about itself: goroutine dumps, panic and fatal-error text, schedtrace
(``runtime/traceback.go``, ``runtime/panic.go``, ``proc.go: schedtrace``).

Every function here only reads the scheduler's state and returns text in Go's exact format
(go-scheduler.md §12–13): headers ``goroutine N [status]:`` with the wait reason, ``created by``
lines, ``panic: <value>`` followed by the panicking goroutine only, ``SCHED`` lines field for
field. Deciding *when* to print (a panic, a deadlock, sysmon's schedtrace tick) is the
scheduler's and sysmon's business.

One difference is unavoidable: a goroutine is Python code, so a frame prints as ``main.f()`` with
the Python ``file.py:line`` where Go prints ``main.f(0x1, ...)`` and ``file.go:12 +0x25``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .errors import PanicError
from .runtime2 import GSTATUS_STRINGS, GStatus

if TYPE_CHECKING:  # type names only
    from .runtime2 import G
    from .sched import Sched

#: A goroutine blocked this long shows ``, N minutes`` in its dump header (``goroutineheader``).
ONE_MINUTE_NS = 60_000_000_000

#: Frames whose file is inside the package are the runtime's, not the program's: skipped.
PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def go_name(name: str) -> str:
    """Go-style function name for dumps: ``main.worker`` for a Python function ``worker``."""
    if name.startswith(("main.", "runtime.")):
        return name
    return "main." + name.rsplit(".", 1)[-1]


def panic_value_text(v: Any) -> str:
    """How Go prints a panic value: strings as-is, errors by Error(), others with their type."""
    if isinstance(v, str):
        return v
    if isinstance(v, BaseException):
        return str(v)
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, int):
        return f"{v}"
    return repr(v)


def goroutine_header(sched: Sched, g: G) -> str:
    """``goroutineheader``: ``goroutine N [status]:``, the status being the wait reason for a
    waiting goroutine, with ``, N minutes`` once it has waited a minute."""
    if g.status == GStatus.WAITING and g.waitreason:
        status = g.waitreason
    else:
        status = GSTATUS_STRINGS[g.status]
    minutes = (sched.now - g.wait_since) // ONE_MINUTE_NS if g.status == GStatus.WAITING else 0
    if minutes >= 1:
        status += f", {minutes} minutes"
    return f"goroutine {g.goid} [{status}]:"


def frames(sched: Sched, g: G, exc: BaseException | None = None) -> str:
    """The goroutine's 'stack': its function and where its Python code stands (the innermost
    frame outside gmpkit: where it panicked with ``exc``, else where it waits), then who created
    it."""
    loc = ""
    if exc is not None:
        tb = exc.__traceback__
        while tb is not None:
            fn = tb.tb_frame.f_code.co_filename
            if PKG_DIR not in fn:
                loc = f"\t{fn}:{tb.tb_lineno}"
            tb = tb.tb_next
    else:
        coro = g.coro
        frame = getattr(coro, "cr_frame", None)
        while frame is not None:
            if PKG_DIR not in frame.f_code.co_filename:
                loc = f"\t{frame.f_code.co_filename}:{frame.f_lineno}"
            coro = getattr(coro, "cr_await", None)
            frame = getattr(coro, "cr_frame", None)
    out = f"{go_name(g.name)}()\n" + (loc + "\n" if loc else "")
    if g.parent is not None and g is not sched.main_g:
        out += f"created by {_parent_name(sched, g.parent)} in goroutine {g.parent}\n"
    return out


def _parent_name(sched: Sched, goid: int) -> str:
    for g in sched.allg:
        if g.goid == goid:
            return go_name(g.name)
    return "main.main"


def goroutine_text(sched: Sched, g: G) -> str:
    """One goroutine's entry in a dump: header, frames, ``created by``."""
    return goroutine_header(sched, g) + "\n" + frames(sched, g)


def goroutine_dump(sched: Sched, include_system: bool = False) -> str:
    """Every live goroutine in creation order (``tracebackothers``); runtime goroutines only with
    ``include_system`` (Go's ``GOTRACEBACK=system``)."""
    parts = []
    for g in sched.allg:
        if g.status == GStatus.DEAD or (g.system and not include_system):
            continue
        parts.append(goroutine_text(sched, g))
    return "\n".join(parts)


def stack(sched: Sched, g: G, all: bool) -> str:
    """``runtime.Stack(buf, all)`` called by goroutine ``g``: its own entry first, then (with
    ``all``) every other live user goroutine."""
    parts = [goroutine_text(sched, g)]
    if all:
        for other in sched.allg:
            if other is g or other.system or other.status == GStatus.DEAD:
                continue
            parts.append(goroutine_text(sched, other))
    return "\n".join(parts)


def panic_text(sched: Sched, g: G, e: BaseException) -> tuple[str, str]:
    """``printpanics`` + the panicking goroutine's traceback: ``panic: <value>``, a blank line,
    ``goroutine N [running]:`` and its frames. Returns (Go's text, a fix-it hint for Python)."""
    hint = ""
    if isinstance(e, PanicError):
        value = panic_value_text(e.value)
        hint = e.hint
    else:
        value = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    text = f"panic: {value}\n\ngoroutine {g.goid} [running]:\n" + frames(sched, g, e)
    return text, hint


def fatal_text(sched: Sched, message: str, dump: bool) -> str:
    """``fatal``/``throw``: the message, then (for deadlocks) a blank line and every user
    goroutine."""
    text = message + "\n"
    if dump:
        text += "\n" + goroutine_dump(sched)
    return text


def _b(v: bool) -> str:
    return "true" if v else "false"


def schedtrace_text(sched: Sched, ms: int, detailed: bool) -> str:
    """``schedtrace(detailed)``: one ``SCHED`` block in Go's exact format (go-scheduler.md §13).
    The local queue lengths do not count runnext, as in Go."""
    s = sched
    head = (
        f"SCHED {ms}ms: gomaxprocs={s.gomaxprocs} idleprocs={s.npidle} threads={len(s.allm)} "
        f"spinningthreads={s.nmspinning} needspinning={s.needspinning} "
        f"idlethreads={s.nmidle} runqueue={len(s.runq)}"
    )
    if not detailed:
        runqs = "".join(f" {len(p.runq)}" for p in s.allp)
        ticks = "".join(f"{p.schedtick} " for p in s.allp)
        return f"{head} [{runqs} ] schedticks=[ {ticks}]"
    lines = [
        f"{head} gcwaiting={_b(s.gcwaiting)} nmidlelocked=0 "
        f"stopwait={s.stopwait} sysmonwait={_b(s.sysmon.deep_sleep)}"
    ]
    for p in s.allp:
        mid = str(p.m.id) if p.m is not None else "nil"
        lines.append(
            f"  P{p.id}: status={int(p.status)} schedtick={p.schedtick} "
            f"syscalltick={p.syscalltick} m={mid} runqsize={len(p.runq)} "
            f"gfreecnt={p.gfreecnt} timerslen={len(p.timers)}"
        )
    for m in reversed(s.allm):  # allm is newest first in Go
        pid = str(m.p.id) if m.p is not None else "nil"
        cg = str(m.curg.goid) if m.curg is not None else "nil"
        lines.append(
            f"  M{m.id}: p={pid} curg={cg} mallocing=0 throwing=0 preemptoff= locks=0 "
            f"dying=0 spinning={_b(m.spinning)} blocked={_b(m.parked)} lockedg=nil"
        )
    for g in s.allg:
        mid = str(g.m.id) if g.m is not None else "nil"
        lines.append(f"  G{g.goid}: status={int(g.status)}({g.waitreason}) m={mid} lockedm=nil")
    return "\n".join(lines)
