"""gmpkit: a course on concurrency, from processes to Go's G/M/P scheduler, and a faithful,
deterministic simulator of the Go 1.27.3 scheduler in virtual time.

Goroutines are ``async def`` functions; every ``await`` on a gmpkit operation is a point where the
runtime may switch goroutines. See ``docs/api.md`` for the whole programming model::

    import gmpkit as gk

    async def main():
        out = []
        for i in range(10):
            gk.go(record, i, out)
        await gk.sleep(ms=1)
        gk.println(out)

    trace = gk.run(main, gomaxprocs=1)

``gk.Stepper`` steps through a run one scheduling decision at a time (with the reason for each,
and predictions it scores); ``gk.problems.new(kind, seed=...)`` poses a seeded exercise.
"""

from . import problems  # seeded exercises: gk.problems.new
from .api import (
    Sim,
    Trace,
    after,
    block_forever,
    go,
    goexit,
    goid,
    gomaxprocs,
    gosched,
    mcount,
    netwait,
    now,
    num_goroutine,
    panic,
    println,
    procid,
    run,
    select,
    set_gomaxprocs,
    sleep,
    stack,
    syscall,
    work,
)
from .chan import Chan, recv, send
from .errors import (
    GoExit,
    GoFatal,
    GoPanic,
    PanicError,
    SimulationLimit,
    UsageError,
)
from .hooks import Event, Observer
from .machine import SWITCHES, Costs
from .runtime2 import GStatus, PStatus
from .stepper import Stepper
from .sync import Cond, Mutex, WaitGroup

__version__ = "0.1.0"


def _compiled() -> bool:
    """True when every module of the core was imported from a mypyc-compiled extension (the
    optional compiled build, README.md "Compiled build"); False for the pure-Python source."""
    import importlib
    from importlib.machinery import EXTENSION_SUFFIXES

    core = ("chan", "dump", "gomaxprocs", "hooks", "machine", "netpoll", "ops", "recording",
            "runtime2", "sched", "sim", "sync", "sysmon", "timers")  # setup.py's COMPILED
    files = [importlib.import_module(f"{__name__}.{m}").__file__ or "" for m in core]
    return all(f.endswith(tuple(EXTENSION_SUFFIXES)) for f in files)


#: Which build is running: True only when the simulator's core is the compiled build.
COMPILED = _compiled()

__all__ = [
    "COMPILED", "SWITCHES", "after", "Chan", "Cond", "Costs", "Event", "GStatus", "GoExit", "GoFatal", "GoPanic",
    "Mutex", "Observer", "PStatus", "PanicError", "Sim", "SimulationLimit", "Trace", "UsageError",
    "WaitGroup", "block_forever", "go", "goexit", "gomaxprocs", "goid", "gosched", "mcount",
    "netwait", "now", "num_goroutine", "panic", "println", "procid", "recv", "run", "select",
    "send", "set_gomaxprocs", "sleep", "stack", "syscall", "work", "Stepper", "problems",
]
