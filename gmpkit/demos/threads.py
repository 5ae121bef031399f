"""Threads (线程): shared memory, lost updates and locks, the GIL, thread costs and limits.

The lost-update experiments are built so their result does not depend on luck:
:func:`forced_race` makes every thread read the counter, then waits at a barrier until *all* have
read, and only then lets them write. Every round therefore loses exactly ``threads - 1`` updates, on
every run, on every machine. :func:`sleepy_race` is the everyday version (a ``time.sleep(0)`` between
read and write invites the OS to switch threads): it loses updates on most runs but not by
construction, so the notebook prints its result and asserts nothing about it. With a lock around
the read-modify-write, the count is exact.

Every thread started here is joined with a timeout; a thread that does not finish raises
:class:`TimeoutError` instead of hanging the notebook.
"""

from __future__ import annotations

import os
import queue
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gmpkit.demos.processes import JOIN_TIMEOUT

#: Upper bound on how many threads :func:`start_many_threads` will start: a demonstration of the
#: cost, never an attempt to find the machine's limit.
MAX_DEMO_THREADS = 2000


def start_all(threads: list[threading.Thread]) -> None:
    """Start every thread in ``threads``."""
    for t in threads:
        t.start()


def join_all(threads: list[threading.Thread], timeout: float = JOIN_TIMEOUT) -> None:
    """Join every thread, sharing one overall ``timeout``; raise TimeoutError if any is left."""
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        raise TimeoutError(f"{len(alive)} thread(s) still running after {timeout} s: {alive[:5]}")


# --------------------------------------------------------------------------------------------
# Shared memory and lost updates


class Counter:
    """A shared counter: one integer that every thread can read and write."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


@dataclass(frozen=True)
class RaceResult:
    """The outcome of several workers each adding 1 to one shared counter ``per_worker`` times."""

    kind: str
    workers: int
    per_worker: int
    final: int
    seconds: float

    @property
    def expected(self) -> int:
        """What the counter would read if no update were lost."""
        return self.workers * self.per_worker

    @property
    def lost(self) -> int:
        """How many increments vanished because another worker overwrote them."""
        return self.expected - self.final

    def __str__(self) -> str:
        return (
            f"{self.kind}: {self.workers} workers x {self.per_worker} increments -> "
            f"counter = {self.final} (expected {self.expected}, lost {self.lost})"
        )


def _check_counts(workers: int, per_worker: int) -> None:
    if workers < 1 or per_worker < 1:
        raise ValueError("workers and per_worker must both be at least 1")


def _run_threads(target: Callable[[], None], workers: int) -> float:
    threads = [threading.Thread(target=target, name=f"worker-{i}") for i in range(workers)]
    t0 = time.perf_counter()
    start_all(threads)
    join_all(threads)
    return time.perf_counter() - t0


def forced_race(workers: int = 4, per_worker: int = 1000) -> RaceResult:
    """Read, wait until every thread has read, then write: exactly ``workers - 1`` losses a round.

    A barrier between the read and the write stands in for the worst possible moment for the OS
    to switch threads, and makes it happen every time.
    """
    _check_counts(workers, per_worker)
    counter = Counter()
    barrier = threading.Barrier(workers, timeout=JOIN_TIMEOUT)

    def work() -> None:
        for _ in range(per_worker):
            seen = counter.value  # read
            barrier.wait()  # the forced switch: everyone reads before anyone writes
            counter.value = seen + 1  # write back a value that is already stale

    seconds = _run_threads(work, workers)
    return RaceResult("forced switch", workers, per_worker, counter.value, seconds)


def sleepy_race(workers: int = 4, per_worker: int = 200, lock: Any | None = None) -> RaceResult:
    """Read, ``time.sleep(0)``, write; with ``lock``, the three steps happen under the lock."""
    _check_counts(workers, per_worker)
    counter = Counter()

    def step() -> None:
        seen = counter.value
        time.sleep(0)  # release the GIL: the OS may now run another thread
        counter.value = seen + 1

    def work() -> None:
        for _ in range(per_worker):
            if lock is None:
                step()
            else:
                with lock:
                    step()

    seconds = _run_threads(work, workers)
    kind = "sleep(0), no lock" if lock is None else f"sleep(0), {type(lock).__name__}"
    return RaceResult(kind, workers, per_worker, counter.value, seconds)


def plain_race(workers: int = 4, per_worker: int = 200_000) -> RaceResult:
    """``counter.value += 1`` with no lock and no forced switch: losses depend on the interpreter."""
    _check_counts(workers, per_worker)
    counter = Counter()

    def work() -> None:
        for _ in range(per_worker):
            counter.value += 1

    seconds = _run_threads(work, workers)
    return RaceResult("plain +=, no lock", workers, per_worker, counter.value, seconds)


# --------------------------------------------------------------------------------------------
# The GIL


def gil_status() -> dict[str, Any]:
    """Is this a free-threaded build of CPython, and is the GIL on right now?

    ``sys._is_gil_enabled()`` exists from Python 3.13; on older versions the GIL is always on.
    """
    build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    probe = getattr(sys, "_is_gil_enabled", None)
    return {
        "python": sys.version.split()[0],
        "free_threaded_build": build,
        "gil_enabled": True if probe is None else bool(probe()),
        "cpus": os.cpu_count(),
    }


def usable_cpus() -> int:
    """How many CPUs this process can keep busy at once: its affinity mask, capped by a cgroup
    CPU limit (a container's quota), see :mod:`gmpkit.demos.cpus`."""
    from gmpkit.demos.cpus import cpu_info

    return cpu_info().usable


def run_in_threads(fn: Callable[..., Any], args: tuple[Any, ...], workers: int) -> float:
    """Seconds for ``workers`` threads, each running ``fn(*args)`` once, all at the same time."""
    return _run_threads(lambda: fn(*args), workers)


# --------------------------------------------------------------------------------------------
# Costs


def noop() -> None:
    """A thread body that does nothing."""


def start_and_join() -> None:
    """Create, start and join one do-nothing thread (what one creation costs)."""
    t = threading.Thread(target=noop)
    t.start()
    t.join(JOIN_TIMEOUT)
    if t.is_alive():
        raise TimeoutError("a do-nothing thread did not finish")


def creation_times(n: int = 200) -> list[float]:
    """Seconds to create, start and join each of ``n`` do-nothing threads, one at a time."""
    if n < 1:
        raise ValueError("n must be at least 1")
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        start_and_join()
        times.append(time.perf_counter() - t0)
    return times


def pingpong_seconds(rounds: int = 5000) -> float:
    """Seconds per hand-over when two threads pass a token back and forth through two queues
    (the wall-clock half of :func:`pingpong_times`)."""
    return pingpong_times(rounds)[0]


def pingpong_times(rounds: int = 5000) -> tuple[float, float]:
    """(wall seconds, CPU seconds) per hand-over when two threads pass a token back and forth
    through two queues.

    Each hand-over wakes the other thread and, under the GIL, passes the GIL to it too.
    """
    if rounds < 2:
        raise ValueError("rounds must be at least 2")
    to_b: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    to_a: queue.SimpleQueue[int | None] = queue.SimpleQueue()

    def b() -> None:
        while (x := to_b.get(timeout=JOIN_TIMEOUT)) is not None:
            to_a.put(x)

    tb = threading.Thread(target=b, name="pong")
    tb.start()
    try:
        to_b.put(0)  # warm-up round, not timed
        to_a.get(timeout=JOIN_TIMEOUT)
        c0, t0 = time.process_time(), time.perf_counter()
        for i in range(rounds - 1):
            to_b.put(i)
            to_a.get(timeout=JOIN_TIMEOUT)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        to_b.put(None)
        join_all([tb])
    hand_overs = 2 * (rounds - 1)
    return elapsed / hand_overs, cpu / hand_overs


def own_memory() -> dict[str, int | None]:
    """This process's resident (``rss``) and virtual (``vms``) memory in bytes, where readable."""
    try:
        import psutil

        info = psutil.Process().memory_info()
        return {"rss": int(info.rss), "vms": int(info.vms)}
    except Exception:  # psutil missing: fall back to Linux's /proc
        pass
    try:
        with open("/proc/self/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return {
            "rss": int(fields["VmRSS"].split()[0]) * 1024,
            "vms": int(fields["VmSize"].split()[0]) * 1024,
        }
    except (OSError, KeyError, ValueError):
        return {"rss": None, "vms": None}


def _read_int(path: str) -> int | None | str:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    try:
        return int(text)
    except ValueError:
        return text  # e.g. "max" in a cgroup file


def thread_limits() -> dict[str, Any]:
    """The limits on thread counts this machine reports (None where a limit cannot be read).

    On Linux a thread is a task like a process, so it counts against the system-wide
    ``threads-max`` and ``pid_max``, the per-user ``RLIMIT_NPROC``, a container's ``pids.max``,
    and each thread's stack takes address space (``RLIMIT_STACK`` is the default size).
    """
    limits: dict[str, Any] = {
        "threads-max (system)": _read_int("/proc/sys/kernel/threads-max"),
        "pid_max (system)": _read_int("/proc/sys/kernel/pid_max"),
        "max_map_count (per process)": _read_int("/proc/sys/vm/max_map_count"),
        "pids.max (cgroup)": _read_int("/sys/fs/cgroup/pids.max"),
        "RLIMIT_NPROC (per user, soft)": None,
        "RLIMIT_STACK (default stack, bytes)": None,
    }
    try:
        import resource

        def show(v: int) -> int | str:
            return "unlimited" if v == resource.RLIM_INFINITY else v

        limits["RLIMIT_NPROC (per user, soft)"] = show(resource.getrlimit(resource.RLIMIT_NPROC)[0])
        limits["RLIMIT_STACK (default stack, bytes)"] = show(
            resource.getrlimit(resource.RLIMIT_STACK)[0]
        )
    except (ImportError, AttributeError, ValueError, OSError):
        pass
    return limits


def start_many_threads(n: int = 1000, stack_size: int | None = None) -> dict[str, Any]:
    """Start ``n`` threads that all wait on one event; measure; release them; join them all.

    Returns the seconds to start them, how many threads the process had at the peak, and the
    growth of resident and virtual memory per thread. ``n`` is capped at
    :data:`MAX_DEMO_THREADS`; if the OS refuses a thread before that, the ones started are still
    released and joined and the refusal is reported in ``"error"``.
    """
    if not 1 <= n <= MAX_DEMO_THREADS:
        raise ValueError(f"n must be between 1 and {MAX_DEMO_THREADS}")
    release = threading.Event()
    old_size = threading.stack_size(stack_size) if stack_size else None
    before = own_memory()
    threads: list[threading.Thread] = []
    error = None
    t0 = time.perf_counter()
    try:
        for i in range(n):
            t = threading.Thread(target=release.wait, args=(JOIN_TIMEOUT,), name=f"idle-{i}")
            try:
                t.start()
            except RuntimeError as exc:  # "can't start new thread"
                error = str(exc)
                break
            threads.append(t)
        seconds = time.perf_counter() - t0
        peak = threading.active_count()
        during = own_memory()
    finally:
        release.set()
        if old_size is not None:
            threading.stack_size(old_size)
        join_all(threads)

    def per_thread(key: str) -> float | None:
        b, d = before[key], during[key]
        return None if b is None or d is None or not threads else (d - b) / len(threads)

    return {
        "started": len(threads),
        "seconds": seconds,
        "active_at_peak": peak,
        "active_after": threading.active_count(),
        "rss_per_thread": per_thread("rss"),
        "vms_per_thread": per_thread("vms"),
        "error": error,
    }
