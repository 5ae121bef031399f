"""Coroutines (协程): I/O concurrency on one thread, a stalled event loop, races across ``await``.

- :class:`SlowServer` is a small HTTP server on 127.0.0.1 that answers after a delay, so that
  waiting on the network can be shown without the internet. It can also *hold* every answer until
  a given number of requests have been waiting at the same time: a client that really keeps many
  requests in flight gets through at once; a sequential one never has more than one request
  waiting, so each of its requests waits ``hold_timeout`` and the server counts a timeout. Use it
  as a context manager: it is always shut down and its thread joined.
- :func:`http_get` is a minimal HTTP/1.0 client written with ``asyncio`` streams.
- :func:`stall` shows that one coroutine that never yields stops every other coroutine.
- :func:`async_race` shows that coroutines *can* lose updates: a read and a write separated by
  ``await`` are not atomic, even on one thread.
- :func:`run_sync` runs a coroutine function in a fresh event loop on a helper thread, so plain
  (non-async) code and tests can use the async measurements even inside a running notebook loop.
"""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from gmpkit.demos.processes import JOIN_TIMEOUT
from gmpkit.demos.threads import RaceResult

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# A slow HTTP server on 127.0.0.1


@dataclass
class ServerStats:
    """What a :class:`SlowServer` saw: requests served, the most in flight at once, failures."""

    served: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    hold_timeouts: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition, repr=False)


class _Server(ThreadingHTTPServer):
    # listen() is called in the constructor, so the backlog must be set on the class: the default
    # of 5 makes a burst of connections wait for SYN retransmits (a second each).
    request_queue_size = 1024
    daemon_threads = True


class SlowServer:
    """An HTTP server on 127.0.0.1 (a free port) that answers ``GET /?ms=N`` after N ms.

    ``hold=K`` makes every answer wait until K requests have been in flight at the same time (at
    most ``hold_timeout`` seconds; a request that gives up waiting counts in ``hold_timeouts``). The server runs in its own threads, one per connection, so that the
    *client* is the thing being taught; it is stopped and joined when the ``with`` block ends.
    """

    def __init__(self, delay_ms: int = 100, hold: int = 0, hold_timeout: float = 10.0) -> None:
        if delay_ms < 0 or hold < 0 or hold_timeout <= 0:
            raise ValueError("delay_ms and hold must be >= 0 and hold_timeout > 0")
        self.delay_ms = delay_ms
        self.hold = hold
        self.hold_timeout = hold_timeout
        self.stats = ServerStats()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running; use it in a `with` block")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server expects)
                query = parse_qs(urlsplit(self.path).query)
                delay = int(query.get("ms", [server.delay_ms])[0]) / 1000
                stats = server.stats
                with stats.lock:
                    stats.in_flight += 1
                    stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
                    stats.lock.notify_all()
                    if server.hold:
                        ok = stats.lock.wait_for(
                            lambda: stats.peak_in_flight >= server.hold, server.hold_timeout
                        )
                        if not ok:
                            stats.hold_timeouts += 1
                time.sleep(delay)
                body = f"{threading.get_ident()}\n".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with stats.lock:
                    stats.in_flight -= 1
                    stats.served += 1

            def log_message(self, format: str, *args: Any) -> None:  # keep the notebook quiet
                pass

        return Handler

    def __enter__(self) -> SlowServer:
        httpd = _Server(("127.0.0.1", 0), self._handler())
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="slow-server"
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving, close the socket, and join the server thread (idempotent)."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()  # also joins the per-request threads
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)
            if self._thread.is_alive():
                raise TimeoutError("the server thread did not stop")
        self._httpd = None
        self._thread = None


async def http_get(port: int, path: str = "/", timeout: float = 30.0) -> tuple[int, str]:
    """GET ``path`` from 127.0.0.1:``port`` with asyncio streams; return (status, body)."""

    async def go() -> tuple[int, str]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
            await writer.drain()
            raw = await reader.read()  # HTTP/1.0: the server closes when done
        finally:
            writer.close()
            await writer.wait_closed()
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, body.decode()

    return await asyncio.wait_for(go(), timeout)


def blocking_get(port: int, path: str = "/", timeout: float = 30.0) -> tuple[int, str]:
    """The same GET with the blocking ``http.client``: the thread waits until the answer comes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


async def fetch_many(port: int, n: int, path: str = "/") -> dict[str, Any]:
    """Send ``n`` GETs at once from one coroutine each; report time, statuses and client threads."""
    if n < 1:
        raise ValueError("n must be at least 1")
    threads: set[int] = set()

    async def one() -> int:
        threads.add(threading.get_ident())
        status, _ = await http_get(port, path)
        threads.add(threading.get_ident())
        return status

    t0 = time.perf_counter()
    statuses = await asyncio.gather(*(one() for _ in range(n)))
    return {
        "requests": n,
        "seconds": time.perf_counter() - t0,
        "statuses": sorted(set(statuses)),
        "client_threads": len(threads),
    }


# --------------------------------------------------------------------------------------------
# Cooperative scheduling's weakness


async def stall(
    hog_seconds: float = 0.3, tick_seconds: float = 0.01, cooperate: bool = False
) -> dict[str, float]:
    """A ticker wants to run every ``tick_seconds``; a hog computes for ``hog_seconds``.

    Without ``cooperate`` the hog never awaits, so the event loop cannot run the ticker until the
    hog is done: the longest gap between ticks is at least the hog's run time, by construction.
    With ``cooperate`` the hog awaits ``asyncio.sleep(0)`` between small slices of work.
    """
    if hog_seconds <= 0 or tick_seconds <= 0:
        raise ValueError("hog_seconds and tick_seconds must be positive")
    ticks: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(tick_seconds)
        ticks.append(time.perf_counter())

    async def hog() -> tuple[float, float]:
        start = time.perf_counter()
        while time.perf_counter() - start < hog_seconds:
            sum(range(1000))  # a slice of pure computation
            if cooperate:
                await asyncio.sleep(0)
        return start, time.perf_counter()

    tick_task = asyncio.create_task(ticker())
    try:
        await asyncio.sleep(3 * tick_seconds)  # let the ticker tick before the hog starts
        start, end = await hog()
        await asyncio.sleep(3 * tick_seconds)  # and after it ends
    finally:
        stop.set()
        await asyncio.wait_for(tick_task, JOIN_TIMEOUT)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    return {
        "hog_seconds": end - start,
        "longest_gap": max(gaps),
        "ticks": len(ticks),
        "ticks_during_hog": sum(start < t < end for t in ticks),
    }


async def async_race(
    tasks: int = 10, per_task: int = 10, lock: asyncio.Lock | None = None
) -> RaceResult:
    """Each task reads a counter, awaits ``asyncio.sleep(0)``, then writes back the value + 1.

    asyncio runs ready tasks in order, so without the lock every task reads before any writes,
    and each round loses ``tasks - 1`` updates on every run. With ``lock`` the count is exact.
    """
    if tasks < 1 or per_task < 1:
        raise ValueError("tasks and per_task must both be at least 1")
    counter = {"value": 0}

    async def step() -> None:
        seen = counter["value"]
        await asyncio.sleep(0)  # the switch point: other tasks run here
        counter["value"] = seen + 1

    async def work() -> None:
        for _ in range(per_task):
            if lock is None:
                await step()
            else:
                async with lock:
                    await step()

    t0 = time.perf_counter()
    await asyncio.gather(*(work() for _ in range(tasks)))
    kind = "await between read and write, no lock" if lock is None else "with asyncio.Lock"
    return RaceResult(kind, tasks, per_task, counter["value"], time.perf_counter() - t0)


# --------------------------------------------------------------------------------------------
# Costs


async def _nothing() -> None:
    return None


async def _parked(event: asyncio.Event) -> None:
    await event.wait()


def coroutine_creation_seconds(n: int = 100_000) -> float:
    """Seconds per coroutine *object* created (and closed without running)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    t0 = time.perf_counter()
    coros = [_nothing() for _ in range(n)]
    elapsed = time.perf_counter() - t0
    for c in coros:
        c.close()
    return elapsed / n


async def task_costs(n: int = 100_000) -> dict[str, float]:
    """Create ``n`` asyncio tasks that all wait on one event; time them and weigh them.

    Returns seconds per task to create and schedule, to run them all to their first ``await``,
    to finish them, the CPU seconds per task for all three, and the Python heap bytes each
    suspended task holds. Timing and weighing are
    two separate rounds, because tracemalloc slows every allocation down while it traces.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    event = asyncio.Event()
    c0, t0 = time.process_time(), time.perf_counter()
    tasks = [asyncio.create_task(_parked(event)) for _ in range(n)]
    t1 = time.perf_counter()
    await asyncio.sleep(0)  # every task runs once, up to its `await event.wait()`
    t2 = time.perf_counter()
    event.set()
    await asyncio.wait_for(asyncio.gather(*tasks), JOIN_TIMEOUT)
    t3, c3 = time.perf_counter(), time.process_time()
    del tasks
    return {
        "tasks": n,
        "create_s": (t1 - t0) / n,
        "first_run_s": (t2 - t1) / n,
        "finish_s": (t3 - t2) / n,
        "cpu_s": (c3 - c0) / n,
        "bytes_per_task": await _bytes_per_task(n),
    }


async def _bytes_per_task(n: int) -> float:
    event = asyncio.Event()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tasks = [asyncio.create_task(_parked(event)) for _ in range(n)]
        await asyncio.sleep(0)  # all suspended at `await event.wait()`
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()
    event.set()
    await asyncio.wait_for(asyncio.gather(*tasks), JOIN_TIMEOUT)
    return held / n


async def pingpong_seconds(rounds: int = 20_000) -> float:
    """Seconds per switch when two tasks take turns through the event loop (``sleep(0)``)."""
    return (await pingpong_times(rounds))[0]


async def pingpong_times(rounds: int = 20_000) -> tuple[float, float]:
    """(wall seconds, CPU seconds) per switch when two tasks take turns through the event loop
    (``sleep(0)``)."""
    if rounds < 1:
        raise ValueError("rounds must be at least 1")

    async def player() -> None:
        for _ in range(rounds):
            await asyncio.sleep(0)

    c0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(player(), player())
    return ((time.perf_counter() - t0) / (2 * rounds),
            (time.process_time() - c0) / (2 * rounds))


def generator_switch_seconds(rounds: int = 100_000) -> float:
    """Seconds per switch when a loop alternates between two generators with ``next()``."""
    if rounds < 1:
        raise ValueError("rounds must be at least 1")

    def gen() -> Generator[None, None, None]:
        while True:
            yield

    a, b = gen(), gen()
    next(a)
    next(b)
    t0 = time.perf_counter()
    for _ in range(rounds):
        next(a)
        next(b)
    return (time.perf_counter() - t0) / (2 * rounds)


def run_sync(fn: Callable[..., Awaitable[T]], *args: Any, timeout: float = JOIN_TIMEOUT) -> T:
    """Run ``await fn(*args)`` in a new event loop on a helper thread and return its result.

    A notebook already has a running loop, where ``asyncio.run`` is not allowed; plain functions
    (and the comparison table) use this instead. In a notebook cell, prefer ``await fn(*args)``.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(fn(*args))  # type: ignore[arg-type]
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    t = threading.Thread(target=target, name="run-sync")
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError(f"{getattr(fn, '__name__', fn)} did not finish in {timeout} s")
    if "error" in box:
        raise box["error"]
    return box["value"]
