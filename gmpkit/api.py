"""The public face of the simulator: ``go``, ``work``, ``sleep``, ..., ``run``, ``Sim`` and ``Trace``.

Everything a goroutine calls is here; each function says which Go construct it stands for.
Durations are given as ``ns=``, ``us=`` and/or ``ms=`` (they add up) and must be finite and not
negative.

This module sits above the simulator core: it attaches the standard recorder (``trace.py``) to a
run from outside, so the core never imports it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from . import dump
from . import sim as _sim
from .chan import Case, Chan, Select
from .errors import (
    GoExit,
    GoexitUnwind,
    PanicError,
    SimulationLimit,
    UsageTypeError,
    UsageValueError,
)
from .gomaxprocs import SetGomaxprocs
from .machine import (
    DEFAULT_GOMAXPROCS,
    DEFAULT_LINKS_OS,
    DEFAULT_MAX_STEPS,
    DEFAULT_SEED,
    DEFAULT_UNTIL_MS,
    Costs,
    check_async,
)
from .netpoll import NetWait
from .ops import Gosched, Park, Syscall, Work, current_sched
from .runtime2 import MAX_THREADS, WAIT_CHAN_RECEIVE_NIL
from .timers import Sleep
from .timers import after as _after
from .trace import Recorder

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .sched import Sched
    from .trace import Snapshot

#: Whether ``gk.run`` and ``gk.Sim`` attach the standard recorder unless told otherwise. On: the
#: course's first call should give tables and charts; ``record=False`` is the fast mode.
DEFAULT_RECORD = True


def _duration(what: str, ns: float, us: float, ms: float) -> int:
    for name, v in (("ns", ns), ("us", us), ("ms", ms)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise UsageTypeError(f"{what}({name}=...) needs a number, got {v!r}")
        if not math.isfinite(v):
            raise UsageValueError(
                f"{what}({name}={v}) is not a finite number: a duration must be a real number of "
                f"{name}, e.g. {what}({name}=1)"
            )
        if v < 0:
            raise UsageValueError(
                f"{what}({name}={v}) is negative: durations are >= 0 "
                f"(Go's time.Sleep returns at once for d <= 0; write {what}({name}=0) for that)"
            )
    return int(round(ns + us * 1_000 + ms * 1_000_000))


def go(fn: Callable[..., Coroutine[Any, Any, Any]] | None, *args: Any) -> int:
    """The ``go`` statement: start ``fn(*args)`` as a new goroutine; returns its id.

    It never blocks and never yields: the new goroutine goes to runnext of the current P
    (``newproc``) and runs when the scheduler gets to it. Its ``created by`` line names the
    function that called ``gk.go``. ``gk.go(None)`` is Go's ``go`` of a nil function value: a
    fatal error (``newproc1``)."""
    sched = current_sched("gk.go")
    if fn is None:
        sched.fatal("fatal error: go of nil func value",
                    stack=("runtime.fatal", "runtime.newproc1", "runtime.newproc.func1",
                           "runtime.systemstack"))
    check_async(fn, "gk.go")
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", "func"))
    if name == "main":
        name = "main.main"
    coro = fn(*args)
    return sched.newproc(coro, name, False, sys._getframe(1).f_code).goid


def work(ns: float = 0, us: float = 0, ms: float = 0, *, calls: bool = True) -> Work:
    """Burn CPU for the given virtual time (await it). sysmon may preempt it in the middle.

    ``calls=False`` models a tight loop with no function calls: with ``asyncpreemptoff=1`` in
    ``godebug`` such a loop cannot be preempted (go-scheduler.md §7.4)."""
    return Work(_duration("gk.work", ns, us, ms), calls)


def goexit() -> None:
    """``runtime.Goexit()``: end the calling goroutine after running its deferred calls -- its
    ``finally`` blocks, as the unwinding passes them. ``except Exception`` does not stop it
    (``recover`` returns nil during Goexit). When main calls it, the program goes on until the
    other goroutines are done, then dies with ``fatal error: no goroutines (main called
    runtime.Goexit) - deadlock!``."""
    current_sched("gk.goexit")
    raise GoexitUnwind()


def gosched() -> Gosched:
    """``runtime.Gosched()`` (await it): yield the P; this goroutine goes to the global queue."""
    return Gosched()


def sleep(ns: float = 0, us: float = 0, ms: float = 0) -> Sleep:
    """``time.Sleep`` (await it): park with wait reason ``sleep`` on a timer of the current P."""
    return Sleep(_duration("gk.sleep", ns, us, ms))


def after(ns: float = 0, us: float = 0, ms: float = 0) -> Chan:
    """``time.After(d)``: a channel that delivers the virtual time once d has passed, e.g. a
    timeout in a select: ``await gk.select(gk.recv(ch), gk.recv(gk.after(ms=10)))``. As in Go
    1.23+, it is receive-only, ``len()`` is always 0, and its timer waits in a P's heap only while
    a goroutine is blocked on it, so an unreceived one neither fires nor delays deadlock."""
    return _after(_duration("gk.after", ns, us, ms))


def syscall(ns: float = 0, us: float = 0, ms: float = 0) -> Syscall:
    """A blocking system call of the given duration (await it): the thread blocks with the
    goroutine; sysmon may hand its P to another thread meanwhile."""
    return Syscall(_duration("gk.syscall", ns, us, ms))


def netwait(ns: float = 0, us: float = 0, ms: float = 0) -> NetWait:
    """A network read whose data arrives after the given time (await it): parks in ``IO wait``
    on the netpoller; no thread is blocked."""
    return NetWait(_duration("gk.netwait", ns, us, ms))


def select(*cases: Case, default: bool = False) -> Select:
    """``select`` (await it): ``i, value, ok = await gk.select(gk.recv(a), gk.send(b, x))``.

    ``i`` is the index of the case taken, -1 for ``default``. ``await gk.select()`` is
    ``select {}``: block forever."""
    return Select(cases, default)


def block_forever() -> Park:
    """``<-nilChannel``-style eternal block (``chan receive (nil chan)``)."""
    return Park(WAIT_CHAN_RECEIVE_NIL)


def goid() -> int:
    """The running goroutine's id (as ``runtime.Stack`` would show it)."""
    return current_sched("gk.goid").curg().goid


def now() -> int:
    """Virtual time in nanoseconds since the program started (``time.Now``)."""
    s = current_sched("gk.now")
    g = s._running
    return s.now + (g.debt if g is not None else 0)


def procid() -> int:
    """The id of the P the running goroutine is on (what the runtime's ``procPin`` returns,
    without pinning): 0 .. GOMAXPROCS-1. It can change at any await."""
    g = current_sched("gk.procid").curg()
    m = g.m
    assert m is not None and m.p is not None
    return m.p.id


def mcount() -> int:
    """Threads (Ms) created so far, sysmon's included: the runtime's ``mcount()``, which
    schedtrace prints as ``threads=`` and ``pprof.Lookup("threadcreate").Count()`` returns.
    Threads are never destroyed, so it never goes down."""
    return len(current_sched("gk.mcount").allm)


def gomaxprocs() -> int:
    """The current GOMAXPROCS (``runtime.GOMAXPROCS(0)``)."""
    return current_sched("gk.gomaxprocs").gomaxprocs


def set_gomaxprocs(n: int) -> SetGomaxprocs:
    """``runtime.GOMAXPROCS(n)`` (await it): returns the previous value; n <= 0 only asks."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise UsageTypeError(f"gk.set_gomaxprocs needs an int, got {n!r}")
    return SetGomaxprocs(n)


def panic(value: Any) -> None:
    """``panic(value)``: unwinds the goroutine; unrecovered it ends the program like Go."""
    raise PanicError(value)


def num_goroutine() -> int:
    """``runtime.NumGoroutine()``: live user goroutines."""
    return current_sched("gk.num_goroutine").ngoroutines


def _go_format(v: Any) -> str:
    """Format a value the way Go's fmt %v does for the common cases."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_go_format(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{_go_format(k)}:{_go_format(x)}" for k, x in v.items()) + "]"
    return str(v)


def println(*args: Any) -> None:
    """``fmt.Println`` to the program's stdout (``trace.stdout``); lists print as Go slices."""
    s = current_sched("gk.println")
    s.result.stdout.append(" ".join(_go_format(a) for a in args) + "\n")
    g = s._running
    if g is not None:
        g.debt += s.costs.print_ns


def stack(all: bool = True) -> str:
    """``runtime.Stack(buf, all)``: the goroutine dump as text (this goroutine first)."""
    s = current_sched("gk.stack")
    return dump.stack(s, s.curg(), all)


class Sim(_sim.Sim):
    """One simulated Go program, driven one scheduling decision at a time (``step``) or to its
    end (``run``), with the standard recorder attached (``record=True``, as in ``gk.run``) and
    its :class:`Trace` in ``.trace``. Same options as :func:`run`."""

    def __init__(self, main: Callable[..., Coroutine[Any, Any, Any]], *args: Any,
                 record: bool = DEFAULT_RECORD, observers: list[Any] | tuple[Any, ...] = (),
                 **options: Any):
        if not isinstance(record, bool):
            raise UsageTypeError(f"record must be True or False, got {record!r}")
        self.recorder: Recorder | None = Recorder() if record else None
        observers = list(observers)
        if self.recorder is not None:
            observers.append(self.recorder)
        super().__init__(main, *args, observers=observers, **options)
        self.trace = Trace(self)


class Trace:
    """What a run produced: Go's exit code, stdout, stderr and SCHED lines, and -- when the
    standard recorder was attached (``record=True``, the default) -- its tables and charts.

    Always there: :attr:`exit_code`, :attr:`stdout`, :attr:`stderr`, :attr:`schedtrace_lines`,
    :attr:`now_ns`, :attr:`steps`, :attr:`options`, :meth:`goroutine_dump`, and :attr:`sched`
    (the scheduler's final state). With the recorder (:attr:`recorder`): the tables
    :attr:`events`, :attr:`spans`, :attr:`queues`, :attr:`counts`, :attr:`goroutines`,
    :attr:`procs`, :attr:`schedtrace_table`, the G/M/P :meth:`snapshots`, and the Perfetto export
    :meth:`chrome_trace` / :meth:`save_perfetto`. ``gmpkit.viz`` draws charts from a Trace."""

    def __init__(self, sim: _sim.Sim, recorder: Recorder | None = None):
        self.sim = sim
        self.recorder: Recorder | None = (
            recorder if recorder is not None else getattr(sim, "recorder", None))

    # ----- what every run has -------------------------------------------------------------

    @property
    def sched(self) -> Sched:
        """The scheduler's state (at the end, or now if the run is still going)."""
        return self.sim.sched

    @property
    def options(self) -> dict[str, Any]:
        """GOMAXPROCS, seed, GODEBUG and the teaching switches the run used."""
        return dict(self.sim.options)

    @property
    def exit_code(self) -> int:
        """Go's exit status: 0, or 2 after a panic or a fatal error."""
        return self.sim.sched.result.exit_code

    @property
    def stdout(self) -> str:
        """What the program printed with ``gk.println``."""
        return "".join(self.sim.sched.result.stdout)

    @property
    def stderr(self) -> str:
        """Go's stderr: SCHED lines, and the panic or fatal-error report."""
        return "".join(self.sim.sched.result.stderr)

    @property
    def schedtrace_lines(self) -> list[str]:
        """The SCHED blocks sysmon printed (``godebug="schedtrace=X"``), one string each."""
        return list(self.sim.sched.result.schedtrace_lines)

    @property
    def now_ns(self) -> int:
        """Virtual time reached, in ns."""
        return self.sim.sched.now

    @property
    def steps(self) -> int:
        """Scheduler events performed."""
        return self.sim.sched.steps

    def goroutine_dump(self, include_system: bool = False) -> str:
        """Go-format goroutine dump (``goroutine N [status]:`` ...) of the state reached;
        ``include_system`` adds the runtime's own goroutines (``GOTRACEBACK=system``)."""
        return dump.goroutine_dump(self.sim.sched, include_system=include_system)

    # ----- what the recorder adds -----------------------------------------------------------

    def _rec(self, what: str) -> Recorder:
        if self.recorder is None:
            raise AttributeError(
                f"Trace.{what} needs the recorder: run with gk.run(..., record=True) "
                "(the default) or gk.Sim(..., record=True)"
            )
        return self.recorder

    @property
    def events(self) -> pd.DataFrame:
        """Every scheduler event, in order (``source``: why a goroutine ran where it ran)."""
        return self._rec("events").events

    @property
    def spans(self) -> pd.DataFrame:
        """The timeline's bars: each stretch a goroutine ran (or sat in a syscall) on a P."""
        return self._rec("spans").spans

    @property
    def queues(self) -> pd.DataFrame:
        """The global queue, each P's local queue and runnext after every change."""
        return self._rec("queues").queues

    @property
    def counts(self) -> pd.DataFrame:
        """Goroutines by state, threads by state and idle Ps after every change."""
        return self._rec("counts").counts

    @property
    def goroutines(self) -> pd.DataFrame:
        """One row per user goroutine: created, ended, runs, time running, Ps, sources."""
        return self._rec("goroutines").goroutines

    @property
    def procs(self) -> pd.DataFrame:
        """One row per P: busy time, utilisation, starts by source, steals."""
        return self._rec("procs").procs

    @property
    def schedtrace_table(self) -> pd.DataFrame:
        """The SCHED lines as a table, parsed as real Go's output is parsed."""
        return self._rec("schedtrace_table").schedtrace_table

    def snapshots(self) -> list[Snapshot]:
        """The G/M/P state at each recorded instant (the GMP diagram's frames)."""
        return self._rec("snapshots").snapshots()

    def snapshot_at(self, t_ns: float | None = None) -> Snapshot:
        """The last snapshot at or before ``t_ns`` (default: the last one)."""
        return self._rec("snapshot_at").snapshot_at(t_ns)

    def snapshot_after(self, event_index: int) -> Snapshot:
        """The state right after event number ``event_index`` (a row label of :attr:`events`)."""
        return self._rec("snapshot_after").snapshot_after(event_index)

    def chrome_trace(self) -> dict[str, Any]:
        """The run in the Trace Event Format (Perfetto, ``chrome://tracing``)."""
        return self._rec("chrome_trace").chrome_trace()

    def save_perfetto(self, path: str) -> str:
        """Write :meth:`chrome_trace` as JSON to ``path`` (open it in ui.perfetto.dev)."""
        return self._rec("save_perfetto").save_perfetto(path)

    def __repr__(self) -> str:
        s = self.sim.sched
        rec = (f"recorded: {len(self.recorder)} events" if self.recorder is not None
               else "not recorded (record=False): no tables or charts")
        return (f"<Trace exit_code={self.exit_code} virtual_time={s.now / 1e6:.3f}ms "
                f"goroutines={sum(1 for g in s.allg if not g.system)} threads={len(s.allm)} "
                f"steps={s.steps}; {rec}>")


def run(main: Callable[..., Coroutine[Any, Any, Any]], *args: Any,
        gomaxprocs: int = DEFAULT_GOMAXPROCS, seed: int = DEFAULT_SEED, godebug: str = "",
        costs: Costs | None = None, max_threads: int = MAX_THREADS,
        until_ms: float | None = DEFAULT_UNTIL_MS, max_steps: int | None = DEFAULT_MAX_STEPS,
        record: bool = DEFAULT_RECORD, check: bool = True,
        observers: list[Any] | tuple[Any, ...] = (), links_os: bool = DEFAULT_LINKS_OS,
        gotraceback: str = dump.DEFAULT_GOTRACEBACK, **switches: bool) -> Trace:
    """Run the Go program whose ``main`` goroutine is ``main(*args)`` and return its Trace.

    See docs/api.md for every option. With ``check=True`` a Go failure raises ``GoPanic`` /
    ``GoFatal`` (``.stderr`` holds Go's text, ``.trace`` the trace); a safety limit raises
    ``SimulationLimit``."""
    sim = Sim(main, *args, gomaxprocs=gomaxprocs, seed=seed, godebug=godebug, costs=costs,
              max_threads=max_threads, until_ms=until_ms, max_steps=max_steps,
              observers=observers, record=record, links_os=links_os, gotraceback=gotraceback,
              **switches)
    sim.run()
    return finish(sim, sim.trace, check)


def finish(sim: _sim.Sim, trace: Trace, check: bool) -> Trace:
    """Raise what a finished run must raise (limits always; Go failures when ``check``)."""
    if sim.error is not None:
        err = sim.error
        if isinstance(err, SimulationLimit):
            err.trace = trace
        raise err
    res = sim.sched.result
    if check and res.error is not None:
        err2: GoExit = res.error  # type: ignore[assignment]
        err2.trace = trace
        raise err2
    return trace
