"""Processes (进程): separate memory, crashes that stay in the child, IPC, and what a process costs.

Everything a child process runs is defined here, at the top level of an importable module. The
``spawn`` start method (the default on macOS and Windows) starts a fresh interpreter and sends it the
function to run *by name*: ``gmpkit.demos.processes.append_and_report`` can be found again, a function
typed into a notebook cell cannot, and the child fails with ``AttributeError: Can't get attribute``.

Each experiment takes a ``method`` (``"fork"``, ``"spawn"`` or ``"forkserver"``) and uses a
multiprocessing *context* for it, so the notebook never changes the global start method. Every child
started here is joined with a timeout; a child still alive after its timeout is terminated, then
killed, and a :class:`TimeoutError` says so.

This module imports only the standard library, so a spawned child starts as fast as it can.
"""

from __future__ import annotations

import ctypes
import faulthandler
import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

#: How long any experiment waits for one child before giving up on it (seconds).
JOIN_TIMEOUT = 60.0

#: The ways :func:`crash` can end a child, from the most to the least violent.
CRASH_KINDS = ("sigkill", "segfault", "exit", "exception")

#: A module-level variable for the separate-memory experiment.
COUNTER = 0


# --------------------------------------------------------------------------------------------
# Contexts and children


def start_methods() -> list[str]:
    """The start methods this platform offers, e.g. ``['fork', 'spawn', 'forkserver']`` on Linux."""
    return mp.get_all_start_methods()


def demo_methods() -> list[str]:
    """``fork`` (where it exists) and ``spawn``: the two start methods the chapter compares."""
    return [m for m in ("fork", "spawn") if m in start_methods()]


def context(method: str) -> Any:
    """A multiprocessing context for ``method``, with a clear error if the platform lacks it.
    (Typed loosely: typeshed's ``BaseContext`` lacks ``Process``, which every real context has.)"""
    available = start_methods()
    if method not in available:
        raise ValueError(
            f"start method {method!r} is not available here; choose one of {available}"
        )
    return mp.get_context(method)


def join_or_kill(proc: BaseProcess, timeout: float = JOIN_TIMEOUT) -> int:
    """Join ``proc``; if it is still running after ``timeout`` s, stop it and raise TimeoutError.

    Returns the child's exit code: 0 for success, a positive number for ``sys.exit(n)`` or an
    uncaught exception (1), and ``-N`` when signal N killed it (POSIX only).
    """
    proc.join(timeout)
    if proc.exitcode is None:
        proc.terminate()
        proc.join(5)
        if proc.exitcode is None:
            proc.kill()
            proc.join(5)
        raise TimeoutError(f"child {proc.name} (pid {proc.pid}) did not finish in {timeout} s")
    assert proc.exitcode is not None
    return proc.exitcode


def get_from(q: Any, procs: Sequence[BaseProcess], timeout: float = JOIN_TIMEOUT) -> Any:
    """``q.get()``, but fail fast with RuntimeError if every child in ``procs`` has already ended.

    A child that dies before it reports (a crash, an import error) would otherwise leave the parent
    waiting for the whole ``timeout``.
    """
    import queue as queue_module

    deadline = time.monotonic() + timeout
    while True:
        try:
            return q.get(timeout=0.05)
        except queue_module.Empty:
            pass
        if all(p.exitcode is not None for p in procs):
            try:  # one last look: the message may have arrived just before the exit
                return q.get(timeout=0.5)
            except queue_module.Empty:
                codes = [describe_exitcode(p.exitcode or 0) for p in procs]
                raise RuntimeError(
                    f"the child process(es) ended without answering: {codes}"
                ) from None
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from the child process(es) in {timeout} s")


def run_child(
    target: Callable[..., Any],
    args: Sequence[Any] = (),
    method: str = "spawn",
    timeout: float = JOIN_TIMEOUT,
) -> int:
    """Start ``target(*args)`` in a child process, wait for it, and return its exit code."""
    proc = context(method).Process(target=target, args=tuple(args))
    proc.start()
    return join_or_kill(proc, timeout)


def describe_exitcode(code: int) -> str:
    """Say in words what a child's exit code means (``-9`` → ``killed by signal SIGKILL``)."""
    if code == 0:
        return "exited normally (code 0)"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by signal {name}"
    return f"exited with code {code}"


# --------------------------------------------------------------------------------------------
# Worker functions (run in the child)


def noop() -> None:
    """Do nothing: the child whose whole cost is being created, started and joined."""


#: The environment variable the separate-memory experiment sets in the child.
DEMO_ENV = "GMPKIT_DEMO_CHILD"


def append_and_report(items: list[Any], item: Any, out: Any) -> None:
    """Append ``item`` to the child's copy of ``items``, bump ``COUNTER``, set an environment
    variable, and report what the child sees."""
    global COUNTER
    items.append(item)
    COUNTER += 1
    os.environ[DEMO_ENV] = "set by the child"
    out.put(
        {"pid": os.getpid(), "items": list(items), "COUNTER": COUNTER, "env": os.environ[DEMO_ENV]}
    )


def crash(how: str) -> None:
    """End this process abruptly, in one of :data:`CRASH_KINDS` ways.

    - ``sigkill``: the OS kills it (SIGKILL cannot be caught; SIGTERM on Windows).
    - ``segfault``: read address 0 through ctypes: a real memory fault, as a bug in C code would.
    - ``exit``: ``os._exit(3)``: leave at once, skipping ``finally`` blocks and clean-up.
    - ``exception``: an uncaught Python exception (multiprocessing prints it and exits with 1).
    """
    if how not in CRASH_KINDS:
        raise ValueError(f"how must be one of {CRASH_KINDS}, not {how!r}")
    if how == "sigkill":
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
        time.sleep(10)  # not reached: the signal ends the process first
    elif how == "segfault":
        faulthandler.disable()  # no traceback dump: the crash itself is the demonstration
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # and no core file
        except (ImportError, ValueError, OSError):
            pass
        ctypes.string_at(0)
    elif how == "exit":
        os._exit(3)
    else:
        raise ZeroDivisionError("the child divided by zero")


def square_server(conn: Connection) -> None:
    """Receive numbers on a pipe and answer with their squares, until ``None`` arrives."""
    try:
        while (n := conn.recv()) is not None:
            conn.send(n * n)
    finally:
        conn.close()


def queue_worker(tasks: Any, results: Any, seconds_per_task: float = 0.0) -> None:
    """Take numbers from ``tasks`` until ``None``; put ``(pid, n, n*n)`` on ``results``.

    ``seconds_per_task`` pretends each task takes that long, so the workers share the tasks.
    """
    while (n := tasks.get()) is not None:
        time.sleep(seconds_per_task)
        results.put((os.getpid(), n, n * n))


def add_in_shared_block(name: str, count: int) -> None:
    """Attach to the shared memory block ``name`` and add 1 to each of its first ``count`` bytes."""
    block = shared_memory.SharedMemory(name=name)
    try:
        buf = block.buf
        assert buf is not None  # an attached block always has a buffer
        for i in range(count):
            buf[i] = (buf[i] + 1) % 256
    finally:
        block.close()


def add_to_value(value: Any, times: int) -> None:
    """Add 1 to a shared ``multiprocessing.Value`` ``times`` times, holding its lock each time."""
    for _ in range(times):
        with value.get_lock():
            value.value += 1


def pong(conn: Connection, rounds: int, cpu: int | None) -> None:
    """Answer ``rounds`` pings on ``conn``, then send the CPU seconds that took; pin to ``cpu``
    first when given (Linux)."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    c0 = time.process_time()
    for _ in range(rounds):
        conn.send_bytes(conn.recv_bytes())
    conn.send(time.process_time() - c0)
    conn.close()


def ping(conn: Connection, rounds: int, cpu: int | None, out: Any) -> None:
    """Send ``rounds`` pings on ``conn`` and wait for each answer; put (elapsed seconds, CPU
    seconds of both children) on ``out``."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    msg = b"x"
    conn.send_bytes(msg)  # one warm-up round, not timed
    conn.recv_bytes()
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(rounds - 1):
        conn.send_bytes(msg)
        conn.recv_bytes()
    elapsed, used = time.perf_counter() - t0, time.process_time() - c0
    out.put((elapsed, used + conn.recv()))  # both children's CPU time
    conn.close()


def wait_for(ready: Any, release: Any, timeout: float) -> None:
    """Say ``ready``, then wait (at most ``timeout`` s) until the parent sets ``release``."""
    ready.put(os.getpid())
    release.wait(timeout)


def cpu_work(n: int) -> int:
    """Pure-Python CPU work that never releases the GIL: the sum of ``i*i % 7`` for i < n."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


# --------------------------------------------------------------------------------------------
# Experiments (run in the parent)


def separate_memory(method: str, items: list[Any] | None = None) -> dict[str, Any]:
    """A child appends to a list, bumps a global and sets an environment variable; show what the
    child and the parent each see."""
    global COUNTER
    items = [1, 2, 3] if items is None else items
    ctx = context(method)
    out = ctx.Queue()
    before = {"items": list(items), "COUNTER": COUNTER, "env": os.environ.get(DEMO_ENV)}
    proc = ctx.Process(target=append_and_report, args=(items, 99, out))
    proc.start()
    child = get_from(out, [proc])
    join_or_kill(proc)
    return {
        "method": method,
        "parent_before": before,
        "child_saw": {k: child[k] for k in ("items", "COUNTER", "env")},
        "parent_after": {"items": list(items), "COUNTER": COUNTER, "env": os.environ.get(DEMO_ENV)},
        "child_pid": child["pid"],
        "parent_pid": os.getpid(),
    }


@dataclass(frozen=True)
class CrashReport:
    """What happened when a child crashed, seen from the parent that is still running."""

    how: str
    exitcode: int
    meaning: str
    parent_pid: int
    parent_alive: bool

    def __str__(self) -> str:
        return f"{self.how:>9}: child {self.meaning}; parent {self.parent_pid} still running"


def crash_child(how: str, method: str = "spawn") -> CrashReport:
    """Start a child that crashes in the way ``how`` and report its exit code."""
    if how not in CRASH_KINDS:
        raise ValueError(f"how must be one of {CRASH_KINDS}, not {how!r}")
    code = run_child(crash, (how,), method)
    return CrashReport(how, code, describe_exitcode(code), os.getpid(), parent_alive=True)


def pipe_squares(numbers: Iterable[int], method: str = "spawn") -> list[int]:
    """Send numbers to a child over a pipe, one by one, and collect the squares it sends back."""
    ctx = context(method)
    parent_end, child_end = ctx.Pipe()
    proc = ctx.Process(target=square_server, args=(child_end,))
    proc.start()
    child_end.close()  # the parent keeps only its own end
    answers = []
    try:
        for n in numbers:
            parent_end.send(n)
            if not parent_end.poll(JOIN_TIMEOUT):
                raise TimeoutError("the square server did not answer")
            answers.append(parent_end.recv())
        parent_end.send(None)
    finally:
        parent_end.close()
        join_or_kill(proc)
    return answers


def queue_squares(
    numbers: Sequence[int],
    workers: int = 2,
    method: str = "spawn",
    seconds_per_task: float = 0.01,
) -> list[tuple[int, int, int]]:
    """Share the numbers among ``workers`` processes through one task queue; gather results."""
    if workers < 1 or seconds_per_task < 0:
        raise ValueError("workers must be at least 1 and seconds_per_task >= 0")
    ctx = context(method)
    tasks, results = ctx.Queue(), ctx.Queue()
    procs = [
        ctx.Process(target=queue_worker, args=(tasks, results, seconds_per_task))
        for _ in range(workers)
    ]
    for p in procs:
        p.start()
    for n in numbers:
        tasks.put(n)
    for _ in procs:
        tasks.put(None)  # one stop signal per worker
    out = [get_from(results, procs) for _ in numbers]
    for p in procs:
        join_or_kill(p)
    tasks.close()
    tasks.join_thread()  # the queue's feeder thread in this process ends too
    return sorted(out, key=lambda r: r[1])


def shared_block_demo(size: int = 8, children: int = 2, method: str = "spawn") -> dict[str, Any]:
    """Children add 1 to every byte of one shared memory block; the parent sees their writes."""
    block = shared_memory.SharedMemory(create=True, size=size)
    try:
        buf = block.buf
        assert buf is not None  # a created block always has a buffer
        buf[:size] = bytes(size)
        before = bytes(buf[:size])
        for _ in range(children):  # one after the other: no two children write at once
            run_child(add_in_shared_block, (block.name, size), method)
        after = bytes(buf[:size])
    finally:
        block.close()
        block.unlink()
    return {"before": list(before), "after": list(after), "children": children}


def shared_value_demo(children: int = 2, times: int = 1000, method: str = "spawn") -> int:
    """Children add to one ``multiprocessing.Value`` at the same time, under its lock."""
    ctx = context(method)
    value = ctx.Value("i", 0)
    procs = [ctx.Process(target=add_to_value, args=(value, times)) for _ in range(children)]
    for p in procs:
        p.start()
    for p in procs:
        join_or_kill(p)
    return int(value.value)


def start_and_join(method: str) -> None:
    """Create, start and join one do-nothing child (what one creation costs)."""
    proc = context(method).Process(target=noop)
    proc.start()
    join_or_kill(proc)


def creation_times(method: str, n: int = 10) -> list[float]:
    """Seconds to create, start and join each of ``n`` do-nothing children, one at a time."""
    if n < 1:
        raise ValueError("n must be at least 1")
    context(method)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        start_and_join(method)
        times.append(time.perf_counter() - t0)
    return times


def pingpong_seconds(method: str = "spawn", rounds: int = 2000, same_cpu: bool = True) -> float:
    """Seconds per one-way message between two child processes bouncing a byte over a pipe
    (the wall-clock half of :func:`pingpong_times`)."""
    return pingpong_times(method, rounds, same_cpu)[0]


def pingpong_times(method: str = "spawn", rounds: int = 2000, same_cpu: bool = True
                   ) -> tuple[float, float]:
    """(wall seconds, CPU seconds of both children) per one-way message between two child
    processes bouncing a byte over a pipe.

    With ``same_cpu`` (Linux only) both children are pinned to one CPU, so every message is a real
    context switch from one process to the other; otherwise they may run on two cores and the
    figure is a wake-up latency instead.
    """
    if rounds < 2:
        raise ValueError("rounds must be at least 2")
    ctx = context(method)
    cpu = None
    if same_cpu and hasattr(os, "sched_getaffinity"):
        cpu = min(os.sched_getaffinity(0))
    a, b = ctx.Pipe()
    out = ctx.Queue()
    p1 = ctx.Process(target=pong, args=(b, rounds, cpu))
    p2 = ctx.Process(target=ping, args=(a, rounds, cpu, out))
    p1.start()
    p2.start()
    a.close()
    b.close()
    try:
        elapsed, cpu_s = get_from(out, [p2])
    finally:
        join_or_kill(p2)
        join_or_kill(p1)
    hand_overs = 2 * (rounds - 1)
    return elapsed / hand_overs, cpu_s / hand_overs


def private_bytes(pid: int) -> int | None:
    """Memory that belongs to process ``pid`` alone (USS), or None if it cannot be read here.

    Uses psutil when installed, otherwise Linux's ``/proc/PID/smaps_rollup``. Pages a forked child
    still shares with its parent (copy-on-write) are not counted: they cost nothing extra.
    """
    try:
        import psutil

        return int(psutil.Process(pid).memory_full_info().uss)
    except Exception:  # psutil missing or not permitted: try /proc
        pass
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        kib = sum(int(fields[k].split()[0]) for k in ("Private_Clean", "Private_Dirty"))
        return kib * 1024
    except (OSError, KeyError, ValueError):
        return None


def child_private_memory(method: str, children: int = 2) -> list[int | None]:
    """Private memory (bytes) of each of ``children`` idle children started with ``method``."""
    if children < 1:
        raise ValueError("children must be at least 1")
    ctx = context(method)
    ready, release = ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=wait_for, args=(ready, release, JOIN_TIMEOUT)) for _ in range(children)
    ]
    for p in procs:
        p.start()
    try:
        pids = [get_from(ready, procs) for _ in procs]
        sizes = [private_bytes(pid) for pid in pids]
    finally:
        release.set()
        for p in procs:
            join_or_kill(p)
    return sizes


def main_module_is_importable() -> bool:
    """True when ``__main__`` is a file a spawned child could re-import (False in a notebook)."""
    main = sys.modules.get("__main__")
    return bool(getattr(main, "__file__", None))
