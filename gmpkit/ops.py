"""What a goroutine awaits: ``Op``, the protocol between a goroutine's code and the scheduler.

A goroutine is a Python coroutine. Every ``await`` on a gmpkit operation hands an :class:`Op` to
the scheduler -- exactly the points where real Go may switch goroutines. The scheduler's loop
(``Sched._ev_run``) runs the coroutine with ``coro.send`` until it yields an Op, then calls
``op.apply(sched, g)``, which performs the operation at the current virtual time and either
continues the goroutine (``sched.cont``) or parks it (``sched.park``). The value sent back into
the coroutine at its next resume is the await's result.

:data:`current` says which simulation's goroutine is executing right now. Calls that need the
running simulation but are not awaited (``gk.go``, ``gk.now``, ``Chan.close``) find it there, and
awaiting an Op outside any simulation gets a clear error instead of a confused event loop.

The Ops of ``proc.go`` itself (work, Gosched, a system call, parking forever) are here too;
channels, timers, the poller, sync and GOMAXPROCS define theirs beside their mechanism.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING, Any, Final

from .errors import UsageError, UsageTypeError

if TYPE_CHECKING:  # type names only
    from .runtime2 import G
    from .sched import Sched


class _Current:
    """The simulation whose goroutine is executing right now (None between resumes).

    A slotted holder rather than a module global: the scheduler sets and clears it around every
    resume, and a slot store is the cheapest store Python has."""

    __slots__ = ("sched",)

    def __init__(self) -> None:
        self.sched: Sched | None = None


#: Set by ``Sched._ev_run`` around each resume of a goroutine; read by :func:`current_sched`.
current = _Current()

#: Stands for None on the way into an Op: a bare None sent into a coroutine would restart the
#: await instead of finishing it.
NONE = object()


def current_sched(what: str) -> Sched:
    """The running simulation, or a UsageError saying ``what`` needs one."""
    s = current.sched
    if s is None:
        raise UsageError(
            f"{what} can only be used inside a goroutine of a running simulation: put it in an "
            "`async def` function and run that with gk.run(main) (or start it with gk.go inside one)"
        )
    return s


def bad_await_error(g: G, obj: Any) -> UsageTypeError:
    """The error for a goroutine that awaited something other than a gmpkit operation."""
    what = type(obj).__module__ + "." + type(obj).__qualname__
    if obj is None:
        what = "a bare yield (asyncio.sleep(0)?)"
    hint = (
        "asyncio objects (asyncio.sleep, tasks, futures) cannot run inside a simulated "
        "goroutine: use gk.sleep / gk.work / gk.Chan instead"
        if "asyncio" in what or "Future" in what or obj is None
        else "only gmpkit operations (gk.work, gk.sleep, channel send/recv, ...) can be "
        "awaited inside a goroutine"
    )
    return UsageTypeError(f"goroutine {g.goid} ({g.name}) awaited {what}: {hint}")


#: The package's directory: frames from files inside it are the runtime's, not the program's.
_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def runtime_file(filename: str) -> bool:
    """Is a frame's file the package's own? In the compiled build the core's frames in a
    traceback carry the path relative to the source root (``gmpkit/sched.py``), not an absolute
    one, so both forms count."""
    return _PKG_DIR in filename or filename.replace("\\", "/").startswith("gmpkit/")


def raised_in_asyncio(e: BaseException) -> bool:
    """Did the exception come out of asyncio's own code (e.g. 'no running event loop')?"""
    tb = e.__traceback__
    while tb is not None:
        fn = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if "/asyncio/" in fn:
            return True
        tb = tb.tb_next
    return False


def asyncio_error(g: G, e: BaseException) -> UsageTypeError:
    """The error for a goroutine whose code used asyncio (raised, not a Go panic)."""
    return UsageTypeError(
        f"goroutine {g.goid} ({g.name}) used asyncio ({type(e).__name__}: {e}): "
        "asyncio objects (asyncio.sleep, tasks, futures) cannot run inside a "
        "simulated goroutine; use gk.sleep / gk.work / gk.Chan instead"
    )


#: What a learner wrote to make each kind of Op, for the never-awaited warning.
_WRITTEN_AS = {"Work": "gk.work(...)", "Gosched": "gk.gosched()", "Syscall": "gk.syscall(...)",
               "Park": "gk.block_forever()", "Sleep": "gk.sleep(...)", "NetWait": "gk.netwait(...)",
               "_Send": "ch.send(...)", "_Recv": "ch.recv()", "Select": "gk.select(...)",
               "SetGomaxprocs": "gk.set_gomaxprocs(...)"}


def never_awaited(op: Op) -> None:
    """Warn, as Python does for a coroutine, that ``op`` was made and dropped without an await
    (``gk.work(ms=1)`` written without ``await`` does nothing). The warning points at the line
    that dropped it -- for a bare statement, the line that made it."""
    name = type(op).__name__
    what = _WRITTEN_AS.get(name, name)
    s = current.sched
    g = s._running if s is not None else None
    where = f" in goroutine {g.goid} ({g.name})" if g is not None else ""
    # The first frame outside the package. Counted, not fixed: compiled functions (the
    # compiled build) have no Python frames of their own.
    level, f = 1, sys._getframe(0)
    while f.f_back is not None and runtime_file(f.f_code.co_filename):
        level, f = level + 1, f.f_back
    warnings.warn(f"gmpkit operation {what} was never awaited{where}, so it did nothing: "
                  f"write `await {what}`", RuntimeWarning, stacklevel=level)


#: This module is the compiled build's (mypyc): its file is an extension, not the ``.py``. There,
#: a parking Op awaits through a compiled generator like any other Op, because finishing an
#: await by raising StopIteration from a compiled ``send`` costs more than the generator does.
COMPILED_OPS: Final = not __file__.endswith(".py")


class Op:
    """Something a goroutine awaits. ``apply`` performs it on the running G at the current time
    and either continues the G (``sched.cont``) or parks it (``sched.park``).

    Awaiting an Op yields the Op itself to the scheduler through a small generator, and the
    value the scheduler sends back is the await's result. ``__await__`` marks it awaited; one
    freed unmarked was never awaited, and says so (:func:`never_awaited`). The mark is the only
    cost: one slot store, and a read when the Op is freed."""

    __slots__ = ("_awaited",)

    def __await__(self) -> Any:
        self._awaited = True
        if current.sched is None:
            current_sched(f"awaiting {type(self).__name__}")
        v = yield self
        return None if v is NONE else v

    def __del__(self) -> None:
        try:
            self._awaited  # noqa: B018  (set by __await__; unset: never awaited)
        except AttributeError:
            never_awaited(self)

    def apply(self, sched: Sched, g: G) -> None:
        """Perform the operation for the running goroutine ``g``. Called only by the
        scheduler's loop, right after ``g``'s coroutine yielded this Op."""
        raise NotImplementedError


class ParkingOp(Op):
    """An Op that usually parks its goroutine (a receive, a select, a sleep...).

    It is its own awaitable iterator, with no generator behind it: awaiting hands the Op itself
    to the scheduler (``__next__``), and ``send(value)`` finishes the await with that value.
    A parked goroutine then holds only its coroutine and the Op (under a kilobyte in all).
    Resuming costs a little more than a generator, so Ops that rarely park keep the generator."""

    __slots__ = ()

    def __await__(self) -> Any:
        if COMPILED_OPS:
            return Op.__await__(self)  # see COMPILED_OPS
        self._awaited = True
        if current.sched is None:
            current_sched(f"awaiting {type(self).__name__}")
        return self

    def __next__(self) -> Op:
        return self

    def send(self, value: Any) -> Any:
        raise StopIteration(None if value is NONE else value)

    def apply(self, sched: Sched, g: G) -> None:
        raise NotImplementedError


class Work(Op):
    """``gk.work``: burn CPU time on the current M (``calls``: the code makes function calls,
    so it has cooperative safe points even with ``asyncpreemptoff=1``)."""

    __slots__ = ("ns", "calls")

    def __init__(self, ns: int, calls: bool = True):
        self.ns = ns
        self.calls = calls

    def apply(self, sched: Sched, g: G) -> None:
        sched.start_work(g, self.ns, self.calls)


class Gosched(Op):
    """``runtime.Gosched`` (``goschedImpl(preempted=false)``): to the global queue tail."""

    __slots__ = ()

    def apply(self, sched: Sched, g: G) -> None:
        g.debt += sched.costs.gosched_ns
        sched.gosched(g, preempted=False)


class Syscall(Op):
    """A blocking system call of ``ns`` virtual nanoseconds (``entersyscall`` ... ``exitsyscall``)."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = ns

    def apply(self, sched: Sched, g: G) -> None:
        sched.entersyscall(g, self.ns)


class Park(ParkingOp):
    """Block forever with a reason (``select {}``, nil channel operations)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def apply(self, sched: Sched, g: G) -> None:
        sched.park(g, self.reason)


# The runtime's own goroutines, which start and park (runtime.main starts them: see
# ``Sched._runtime_main``). The model has no garbage collector, no finalizers and a GOMAXPROCS
# only the program changes, so nothing ever wakes them; they exist for their ids, their place
# in the queues at start-up and the dumps at GOTRACEBACK=system.


async def runtime_helper(reason: str) -> None:
    """forcegchelper, updateMaxProcsGoroutine, runFinalizers: park until needed (never)."""
    await Park(reason)


async def runtime_bg_worker(started: Any, reason: str) -> None:
    """bgsweep, bgscavenge: tell gcenable they have started (a send on ``started``), then park."""
    await started.send(1)
    await Park(reason)
