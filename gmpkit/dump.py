"""What the runtime prints about itself: goroutine dumps, panic and fatal-error text, schedtrace
(``runtime/traceback.go``, ``runtime/panic.go``, ``proc.go: schedtrace``).

Every function here only reads the scheduler's state and returns text in Go's exact format
(go-scheduler.md §12–13): headers ``goroutine N [status]:`` with the wait reason, ``created by``
lines naming the function that executed the ``go`` statement, ``panic: <value>`` followed by the
goroutines ``GOTRACEBACK`` asks for, ``SCHED`` lines field for field. Deciding *when* to print (a
panic, a deadlock, sysmon's schedtrace tick) is the scheduler's and sysmon's business.

``GOTRACEBACK`` (``runtime1.go: setTraceback``, ``panic.go: dopanic_m``): ``none`` prints no
goroutine; ``single`` (the default) the one that failed, or every user goroutine when the failure
happened on the runtime's own stack (a deadlock, ``go`` of a nil function); ``all`` every user
goroutine; ``system`` also the runtime's goroutines, ``gp=``/``m=`` in each header and the
runtime's stack. A runtime ``throw`` (thread exhaustion) always prints at the ``system`` level.

One difference is unavoidable: a goroutine is Python code, so a frame prints as ``main.f()`` with
the Python ``file.py:line`` where Go prints ``main.f(0x1, ...)`` and ``file.go:12 +0x25``, and the
runtime's own frames (``runtime.gopark``, ``runtime.chanrecv``...) are not shown. The addresses
after ``gp=`` and ``mp=`` are made up, one per G and M, stable for a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import PanicError, UsageTypeError, UsageValueError
from .ops import runtime_file
from .runtime2 import GSTATUS_STRINGS, GStatus

if TYPE_CHECKING:  # type names only
    from .runtime2 import G
    from .sched import Sched

#: A goroutine blocked this long shows ``, N minutes`` in its dump header (``goroutineheader``).
ONE_MINUTE_NS = 60_000_000_000


#: GOTRACEBACK's settings (``setTraceback``) as (level, all): level 0 prints no goroutine, 1 user
#: goroutines, 2 the runtime's too; ``all`` prints every goroutine, not only the failing one.
#: (``crash`` and ``wer`` also abort the process, which the model has no use for.)
GOTRACEBACK = {"none": (0, False), "single": (1, False), "all": (1, True), "system": (2, True)}
DEFAULT_GOTRACEBACK = "single"

#: Made-up addresses for ``gp=`` and ``mp=``: G structs 0x1e0 bytes apart (Go's sizeof(g) on
#: linux/amd64), m0 in the data segment, other Ms on the heap.
_GP_BASE, _G_SIZE = 0xC000002000, 0x1E0
_M0_ADDR, _MP_BASE, _M_SIZE = 0x5C9AA0, 0xC000080000, 0x400


#: Where checkdead fails (``fatal``, called from ``mput`` as the last M goes idle): the
#: ``runtime stack:`` of a deadlock report at GOTRACEBACK=system.
CHECKDEAD_STACK = ("runtime.fatal", "runtime.checkdead", "runtime.mput", "runtime.stopm",
                   "runtime.findRunnable", "runtime.schedule")


def check_gotraceback(value: Any) -> str:
    """A GOTRACEBACK setting given to a run: one of Go's names."""
    if not isinstance(value, str):
        raise UsageTypeError(f"gotraceback must be a string such as 'all', got {value!r}")
    if value not in GOTRACEBACK:
        raise UsageValueError(
            f"gotraceback={value!r} is not a GOTRACEBACK setting the model knows; use one of "
            f"{', '.join(GOTRACEBACK)} (crash and wer also abort the process: not modelled)"
        )
    return value


def go_name(name: str) -> str:
    """Go-style function name for dumps: ``main.worker`` for a Python function ``worker``."""
    if name.startswith(("main.", "runtime.")):
        return name
    return "main." + name.rsplit(".", 1)[-1]


def creator_name(g: G) -> str:
    """The function that executed the ``go`` statement (Go keeps its PC in ``gp.gopc``): a
    runtime function's name, or the name of the Python function that called ``gk.go``."""
    pc = g.gopc
    if pc is None:
        return "main.main"
    if isinstance(pc, str):
        return pc
    return go_name(getattr(pc, "co_qualname", pc.co_name))


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


def goroutine_header(sched: Sched, g: G, addrs: dict[int, int] | None = None,
                     frozen: bool = False) -> str:
    """``goroutineheader``: ``goroutine N [status]:``, the status being the wait reason for a
    waiting goroutine, with ``, N minutes`` once it has waited a minute. With ``addrs`` (the
    ``system`` level) the G's address and its M follow the id: ``gp=0x… m=0 mp=0x…``.
    ``frozen``: printed by a dying program, whose ``freezetheworld`` has preempted every other
    running goroutine, so those show as ``runnable`` with no M."""
    running_elsewhere = frozen and g.status == GStatus.RUNNING
    if g.status == GStatus.WAITING and g.waitreason:
        status = g.waitreason
    elif running_elsewhere:
        status = GSTATUS_STRINGS[GStatus.RUNNABLE]
    else:
        status = GSTATUS_STRINGS[g.status]
    minutes = (sched.now - g.wait_since) // ONE_MINUTE_NS if g.status == GStatus.WAITING else 0
    if minutes >= 1:
        status += f", {minutes} minutes"
    where = ""
    if addrs is not None:
        where = f" gp={_GP_BASE + _G_SIZE * addrs[id(g)]:#x}"
        m = None if running_elsewhere else g.m
        if m is None:
            where += " m=nil"
        else:
            mp = _M0_ADDR if m.id == 0 else _MP_BASE + _M_SIZE * m.id
            where += f" m={m.id} mp={mp:#x}"
    return f"goroutine {g.goid}{where} [{status}]:"


def frames(sched: Sched, g: G, exc: BaseException | None = None, level: int = 1) -> str:
    """The goroutine's 'stack': its function and where its Python code stands (the innermost
    frame outside gmpkit: where it panicked with ``exc``, else where it waits), then who created
    it. At level 2 the main goroutine's stack ends in ``runtime.main()``, as Go's does."""
    loc = ""
    if exc is not None:
        tb = exc.__traceback__
        while tb is not None:
            fn = tb.tb_frame.f_code.co_filename
            if not runtime_file(fn):
                loc = f"\t{fn}:{tb.tb_lineno}"
            tb = tb.tb_next
    else:
        # G1's walk starts at main.main's coroutine: the compiled build's runtime.main has no
        # frame to walk through (compiled coroutines lack cr_frame and cr_await).
        coro = sched.main_coro if g is sched.main_g and sched.main_coro is not None else g.coro
        frame = getattr(coro, "cr_frame", None)
        while frame is not None:
            if not runtime_file(frame.f_code.co_filename):
                loc = f"\t{frame.f_code.co_filename}:{frame.f_lineno}"
            coro = getattr(coro, "cr_await", None)
            frame = getattr(coro, "cr_frame", None)
    out = f"{go_name(g.name)}()\n" + (loc + "\n" if loc else "")
    if g is sched.main_g and level >= 2:
        out += "runtime.main()\n"
    return out + created_by(sched, g)


def created_by(sched: Sched, g: G) -> str:
    """``printcreatedby``: ``created by <function> in goroutine <parent>`` (not for G1)."""
    if g is sched.main_g or g.parent is None:
        return ""
    return f"created by {creator_name(g)} in goroutine {g.parent}\n"


def goroutine_text(sched: Sched, g: G, addrs: dict[int, int] | None = None,
                   level: int = 1) -> str:
    """One goroutine's entry in a dump: header, frames, ``created by``."""
    return goroutine_header(sched, g, addrs) + "\n" + frames(sched, g, level=level)


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


def tracebacks(sched: Sched, gp: G | None, cur: G | None, level: int, all_: bool,
               exc: BaseException | None = None, runtime_stack: tuple[str, ...] = ()) -> str:
    """What ``dopanic_m`` prints after the message, at GOTRACEBACK ``level`` (``all_``: every
    goroutine). ``gp`` is the goroutine that failed, or None when the runtime failed on its own
    stack (checkdead on an idle thread; ``newproc`` on the system stack), whose frames are
    ``runtime_stack`` (printed at level 2 as ``runtime stack:``); ``cur`` is the goroutine the
    failing thread was running. Goroutines running on other threads were preempted by
    ``freezetheworld`` and show as runnable. Every entry starts with a blank line, as
    ``tracebackothers`` prints them."""
    if level <= 0:
        return ""
    addrs = {id(g): i for i, g in enumerate(sched.allg)} if level >= 2 else None
    out = []
    if gp is None or gp is not cur:
        all_ = True  # the failure is on the runtime's own stack: show everyone (dopanic_m)
    if gp is not None:
        out.append("\n" + goroutine_header(sched, gp, addrs) + "\n" + frames(sched, gp, exc, level))
    elif level >= 2:
        out.append("\nruntime stack:\n" + "".join(f"{f}(...)\n" for f in runtime_stack))
    if all_:
        others = [cur] if cur is not None and cur is not gp else []
        others += [g for g in sched.allg if g is not gp and g is not cur]
        for g in others:
            if g.status == GStatus.DEAD or (g.system and level < 2):
                continue
            out.append("\n" + goroutine_header(sched, g, addrs, frozen=g is not cur) + "\n"
                       + frames(sched, g, level=level))
    return "".join(out)


def panic_text(sched: Sched, g: G, e: BaseException) -> tuple[str, str]:
    """``printpanics`` + ``dopanic_m``: ``panic: <value>``, then (GOTRACEBACK=single) a blank
    line, ``goroutine N [running]:`` and its frames; more goroutines with ``all``/``system``.
    Returns (Go's text, a fix-it hint for Python)."""
    hint = ""
    if isinstance(e, PanicError):
        value = panic_value_text(e.value)
        hint = e.hint
    else:
        value = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    level, all_ = GOTRACEBACK[sched.gotraceback]
    return f"panic: {value}\n" + tracebacks(sched, g, g, level, all_, e), hint


def fatal_text(sched: Sched, message: str, gp: G | None, cur: G | None, throw: bool,
               runtime_stack: tuple[str, ...]) -> str:
    """``fatal``/``throw``: the message, then the goroutines. ``throw``: a runtime error (thread
    exhaustion), which Go always reports at the ``system`` level."""
    level, all_ = (2, True) if throw else GOTRACEBACK[sched.gotraceback]
    return message + "\n" + tracebacks(sched, gp, cur, level, all_, None, runtime_stack)


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
