"""The public face of the simulator: ``go``, ``work``, ``sleep``, ..., ``run`` and ``Trace``.

Everything a goroutine calls is here; each function says which Go construct it stands for.
Durations are given as ``ns=``, ``us=`` and/or ``ms=`` (they add up) and must not be negative.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from .chan import Case, Chan, Select
from .errors import GoExit, PanicError, SimulationLimit, UsageTypeError, UsageValueError
from .netpoll import NetWait
from .sched import (
    WAIT_CHAN_RECEIVE_NIL,
    Costs,
    Gosched,
    Park,
    SetGomaxprocs,
    Sim,
    Syscall,
    Work,
    check_async,
    current_sched,
)
from .timers import Sleep
from .timers import after as _after


def _duration(what: str, ns: float, us: float, ms: float) -> int:
    for name, v in (("ns", ns), ("us", us), ("ms", ms)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise UsageTypeError(f"{what}({name}=...) needs a number, got {v!r}")
        if v < 0:
            raise UsageValueError(
                f"{what}({name}={v}) is negative: durations are >= 0 "
                f"(Go's time.Sleep returns at once for d <= 0; write {what}({name}=0) for that)"
            )
    return int(round(ns + us * 1_000 + ms * 1_000_000))


def go(fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> int:
    """The ``go`` statement: start ``fn(*args)`` as a new goroutine; returns its id.

    It never blocks and never yields: the new goroutine goes to runnext of the current P
    (``newproc``) and runs when the scheduler gets to it."""
    sched = current_sched("gk.go")
    check_async(fn, "gk.go")
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", "func"))
    if name == "main":
        name = "main.main"
    coro = fn(*args)
    return sched.newproc(coro, name).goid


def work(ns: float = 0, us: float = 0, ms: float = 0, *, calls: bool = True) -> Work:
    """Burn CPU for the given virtual time (await it). sysmon may preempt it in the middle.

    ``calls=False`` models a tight loop with no function calls: with ``asyncpreemptoff=1`` in
    ``godebug`` such a loop cannot be preempted (go-scheduler.md §7.4)."""
    return Work(_duration("gk.work", ns, us, ms), calls)


def gosched() -> Gosched:
    """``runtime.Gosched()`` (await it): yield the P; this goroutine goes to the global queue."""
    return Gosched()


def sleep(ns: float = 0, us: float = 0, ms: float = 0) -> Sleep:
    """``time.Sleep`` (await it): park with wait reason ``sleep`` on a timer of the current P."""
    return Sleep(_duration("gk.sleep", ns, us, ms))


def after(ns: float = 0, us: float = 0, ms: float = 0) -> Chan:
    """``time.After(d)``: a channel that delivers the virtual time once d has passed, e.g. a
    timeout in a select: ``await gk.select(gk.recv(ch), gk.recv(gk.after(ms=10)))``."""
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
    """``runtime.Stack(buf, all)``: the goroutine dump as text."""
    s = current_sched("gk.stack")
    if not all:
        g = s.curg()
        return s.goroutine_header(g) + "\n" + s._frames(g)
    cur = s.curg()
    parts = [s.goroutine_header(cur) + "\n" + s._frames(cur)]
    for g in s.allg:
        if g is cur or g.system or g.status.name == "DEAD":
            continue
        parts.append(s.goroutine_header(g) + "\n" + s._frames(g))
    return "\n".join(parts)


class Trace:
    """What a run produced: Go's exit code, stdout, stderr and SCHED lines, plus -- when the
    standard recorder was attached -- its tables and charts (attributes are looked up on the
    recorder: ``trace.events``, ``trace.queues`` ...)."""

    def __init__(self, sim: Sim, recorder: Any = None):
        self.sim = sim
        self.recorder = recorder

    @property
    def sched(self) -> Any:
        return self.sim.sched

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.sim.options)

    @property
    def exit_code(self) -> int:
        return self.sim.sched.result.exit_code

    @property
    def stdout(self) -> str:
        return "".join(self.sim.sched.result.stdout)

    @property
    def stderr(self) -> str:
        return "".join(self.sim.sched.result.stderr)

    @property
    def schedtrace_lines(self) -> list[str]:
        return list(self.sim.sched.result.schedtrace_lines)

    @property
    def now_ns(self) -> int:
        return self.sim.sched.now

    @property
    def steps(self) -> int:
        return self.sim.sched.steps

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("sim", "recorder"):
            raise AttributeError(name)
        rec = self.__dict__.get("recorder")
        if rec is not None and hasattr(rec, name):
            return getattr(rec, name)
        raise AttributeError(
            f"Trace has no attribute {name!r}"
            + ("" if rec is not None else " (tables and charts need gk.run(..., record=True))")
        )

    def __repr__(self) -> str:
        s = self.sim.sched
        return (f"<Trace exit_code={self.exit_code} virtual_time={s.now / 1e6:.3f}ms "
                f"goroutines={sum(1 for g in s.allg if not g.system)} threads={len(s.allm)} "
                f"events={s.steps}>")


def run(main: Callable[..., Coroutine[Any, Any, Any]], *args: Any, gomaxprocs: int = 2,
        seed: int = 0, godebug: str = "", costs: Costs | None = None, max_threads: int = 10_000,
        until_ms: float | None = 60_000, max_steps: int | None = 50_000_000,
        record: bool = True, check: bool = True, observers: list[Any] | tuple[Any, ...] = (),
        **switches: bool) -> Trace:
    """Run the Go program whose ``main`` goroutine is ``main(*args)`` and return its Trace.

    See docs/api.md for every option. With ``check=True`` a Go failure raises ``GoPanic`` /
    ``GoFatal`` (``.stderr`` holds Go's text, ``.trace`` the trace); a safety limit raises
    ``SimulationLimit``."""
    sim = Sim(main, *args, gomaxprocs=gomaxprocs, seed=seed, godebug=godebug, costs=costs,
              max_threads=max_threads, until_ms=until_ms, max_steps=max_steps,
              observers=observers, record=record, **switches)
    trace = sim.trace
    sim.run()
    return finish(sim, trace, check)


def finish(sim: Sim, trace: Trace, check: bool) -> Trace:
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
