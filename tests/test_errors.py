"""Mistakes in using gmpkit, the safety limits, and interrupting a run.

A learner's mistake must end in an error that names the mistake and says how to fix it; a run
must never spin forever silently; Ctrl-C (or Jupyter's interrupt button) in the middle of a run
must leave gmpkit ready for the next run.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

import gmpkit as gk

MS = 1_000_000


async def noop():
    pass


async def finishes():
    gk.go(noop)
    await gk.sleep(ms=1)
    gk.println("done")


def assert_usage(excinfo, *words):
    """The error is a UsageError and its message mentions every word given (mistake and fix)."""
    assert isinstance(excinfo.value, gk.UsageError), type(excinfo.value)
    msg = str(excinfo.value)
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"


# --------------------------------------------------------------------------------------------
# gomaxprocs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -1, -8])
def test_gomaxprocs_below_one_is_refused(n):
    """A run needs at least one P (spec §3 step 1: GOMAXPROCS ≥ 1)."""
    with pytest.raises(gk.UsageError) as info:
        gk.run(finishes, gomaxprocs=n)
    assert isinstance(info.value, ValueError)
    assert_usage(info, "gomaxprocs", str(n), "1")


@pytest.mark.parametrize("n", [1.5, "2", None, 2.0])
def test_gomaxprocs_must_be_an_integer(n):
    """`gomaxprocs=1.5` or `"2"`: the number of Ps is a whole number."""
    with pytest.raises(gk.UsageError) as info:
        gk.run(finishes, gomaxprocs=n)
    assert isinstance(info.value, TypeError)
    assert_usage(info, "gomaxprocs", "int")


def test_sim_checks_gomaxprocs_too():
    """The stepping driver refuses the same mistakes before anything runs."""
    with pytest.raises(gk.UsageError):
        gk.Sim(finishes, gomaxprocs=0)
    with pytest.raises(gk.UsageError):
        gk.Sim(finishes, gomaxprocs="4")


@pytest.mark.parametrize("n", [1.5, "3"])
def test_set_gomaxprocs_needs_an_integer(n):
    """`runtime.GOMAXPROCS` takes an int; a float or string is a usage mistake, reported from
    the run (not a Go panic)."""

    async def main():
        await gk.set_gomaxprocs(n)

    with pytest.raises(gk.UsageError) as info:
        gk.run(main)
    assert_usage(info, "int")


# --------------------------------------------------------------------------------------------
# go with something that is not an async function
# --------------------------------------------------------------------------------------------


def plain(x=None):
    return x


def test_go_with_plain_function_names_it_and_says_async_def():
    """`gk.go(f)` with a plain `def f` cannot be a goroutine; the message names f and suggests
    `async def`."""

    async def main():
        gk.go(plain)

    with pytest.raises(gk.UsageError) as info:
        gk.run(main)
    assert isinstance(info.value, TypeError)
    assert_usage(info, "plain", "async def")


def test_go_with_a_coroutine_object_instead_of_a_function():
    """`gk.go(worker(1))` (calling the function instead of passing it) is refused with the fix
    `gk.go(worker, 1)`."""

    async def worker(i):
        pass

    async def main():
        coro = worker(1)
        try:
            gk.go(coro)
        finally:
            coro.close()

    with pytest.raises(gk.UsageError) as info:
        gk.run(main)
    assert_usage(info, "async def")


def test_go_with_a_lambda_or_non_callable():
    """A lambda or a number is not an `async def` function either."""

    async def main_lambda():
        gk.go(lambda: None)

    async def main_number():
        gk.go(42)

    for main in (main_lambda, main_number):
        with pytest.raises(gk.UsageError) as info:
            gk.run(main)
        assert_usage(info, "async def")


def test_run_with_plain_main_is_refused():
    """main itself must be `async def` (it is goroutine 1)."""

    def main():
        pass

    with pytest.raises(gk.UsageError) as info:
        gk.run(main)
    assert_usage(info, "async def")


# --------------------------------------------------------------------------------------------
# gmpkit operations outside a running simulation; asyncio inside one
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "op",
    [
        lambda: gk.sleep(ms=1),
        lambda: gk.work(ms=1),
        lambda: gk.gosched(),
        lambda: gk.Chan().recv(),
        lambda: gk.WaitGroup().wait(),
    ],
    ids=["sleep", "work", "gosched", "recv", "wait"],
)
def test_awaiting_gmpkit_operation_outside_a_simulation(op):
    """Awaiting a gmpkit operation from plain asyncio (or a notebook cell) is a mistake: the
    message says it only works inside a goroutine started by `gk.run`."""

    async def outside():
        await op()

    # In a thread of its own: asyncio.run refuses to start where another event loop runs (a
    # notebook kernel, or a browser-test session in this process).
    with pytest.raises(gk.UsageError) as info, ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, outside()).result(timeout=30)
    assert_usage(info, "gk.run")


def test_go_outside_a_simulation():
    """`gk.go` from ordinary Python (no run in progress) names the fix: call it inside main."""
    with pytest.raises(gk.UsageError) as info:
        gk.go(noop)
    assert_usage(info, "gk.run")


@pytest.mark.parametrize("what", ["sleep", "future"])
def test_awaiting_asyncio_inside_a_goroutine(what):
    """A goroutine awaiting asyncio (e.g. `asyncio.sleep`) would leave virtual time: the error
    names asyncio and the gmpkit replacement."""

    async def main():
        if what == "sleep":
            await asyncio.sleep(0.001)
        else:
            await asyncio.get_event_loop().create_future()

    with pytest.raises(gk.UsageError) as info:
        gk.run(main)
    assert_usage(info, "asyncio")
    assert "gk." in str(info.value)


# --------------------------------------------------------------------------------------------
# durations
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["work", "sleep", "syscall", "netwait"])
@pytest.mark.parametrize("unit", ["ns", "us", "ms"])
def test_negative_durations_are_refused(op, unit):
    """A negative duration is a mistake in every gmpkit operation that takes one; the message
    names the operation's argument and the value."""

    async def main():
        await getattr(gk, op)(**{unit: -5})

    with pytest.raises(gk.UsageError) as info:
        gk.run(main)
    assert isinstance(info.value, ValueError)
    assert_usage(info, "-5", unit)


def test_zero_work_and_zero_sleep_are_fine():
    """Zero is a valid duration (Go's Sleep(0) returns at once, spec §10)."""

    async def main():
        await gk.work(ns=0)
        await gk.sleep(ns=0)
        gk.println("ok")

    assert gk.run(main).stdout == "ok\n"


# --------------------------------------------------------------------------------------------
# nil channel
# --------------------------------------------------------------------------------------------


def test_closing_a_nil_channel_is_go_panic_with_a_hint():
    """close of a nil channel panics in Go (spec §9.3): `panic: close of nil channel`, exit 2.
    The Python exception also says how to get a real channel (`gk.Chan()`)."""

    async def main():
        gk.Chan.nil().close()

    with pytest.raises(gk.GoPanic) as info:
        gk.run(main)
    assert info.value.stderr.startswith("panic: close of nil channel\n\ngoroutine 1 [running]:\n")
    assert info.value.exit_code == 2
    assert "gk.Chan(" in str(info.value)


# --------------------------------------------------------------------------------------------
# safety limits
# --------------------------------------------------------------------------------------------


async def forever_printing():
    gk.println("started")
    while True:
        await gk.work(ms=1)


def test_virtual_time_limit_ends_a_run_with_message_and_trace():
    """`until_ms`: a program that never ends stops at the limit with SimulationLimit, whose message
    names `until_ms`, and whose `.trace` holds what happened so far (stdout included)."""
    with pytest.raises(gk.SimulationLimit) as info:
        gk.run(forever_printing, until_ms=50)
    assert "until_ms" in str(info.value)
    assert info.value.trace is not None
    assert info.value.trace.stdout == "started\n"


def test_step_limit_ends_a_run_that_makes_no_time_progress():
    """`max_steps`: a program that only yields (no CPU work, no sleeping) still ends, with a
    message naming `max_steps`."""

    async def ping_forever():
        gk.println("started")
        while True:
            await gk.gosched()

    with pytest.raises(gk.SimulationLimit) as info:
        gk.run(ping_forever, max_steps=2000, until_ms=10**9)
    assert "max_steps" in str(info.value)
    assert info.value.trace.stdout == "started\n"


def test_limits_are_not_go_failures():
    """Hitting a limit is not a Go failure: SimulationLimit is not a GoExit."""
    assert not issubclass(gk.SimulationLimit, gk.GoExit)
    with pytest.raises(gk.SimulationLimit):
        gk.run(forever_printing, until_ms=5, check=False)


def test_sim_step_stops_at_the_limit():
    """Stepping by hand respects the same limit: step() eventually returns False, it does not
    spin."""
    sim = gk.Sim(forever_printing, until_ms=20)
    steps = 0
    with pytest.raises(gk.SimulationLimit):
        while sim.step():
            steps += 1
            assert steps < 1_000_000
        raise sim.error if getattr(sim, "error", None) else AssertionError("no limit reported")
    assert sim.sched.now <= 20 * MS


# --------------------------------------------------------------------------------------------
# interrupting a run (Ctrl-C / Jupyter's interrupt)
# --------------------------------------------------------------------------------------------


def reference_run():
    """A small deterministic program and its trace (stdout plus recorded events)."""
    events = []

    class Rec:
        def event(self, ev):
            events.append((ev.t, ev.kind, ev.g, ev.m, ev.p, ev.reason, ev.source))

    async def worker(i, ch):
        await gk.work(us=100 * (i + 1))
        await ch.send(i)

    async def main():
        ch = gk.Chan()
        for i in range(4):
            gk.go(worker, i, ch)
        got = [await ch.recv() for _ in range(4)]
        gk.println(got)

    trace = gk.run(main, gomaxprocs=2, seed=3, observers=[Rec()])
    return trace.stdout, events


def assert_clean_state():
    """After an interrupted run: no simulation is current (gk.go outside a run is a UsageError) and
    a fresh run behaves exactly like one in a fresh process."""
    with pytest.raises(gk.UsageError):
        gk.go(noop)
    assert gk.run(finishes).stdout == "done\n"
    assert reference_run() == BASELINE


BASELINE = None


@pytest.fixture(autouse=True, scope="module")
def _baseline():
    global BASELINE
    BASELINE = reference_run()
    yield


def test_keyboard_interrupt_in_a_goroutine_propagates_and_leaves_no_state():
    """A KeyboardInterrupt raised while a goroutine runs is the user's Ctrl-C: it is not turned
    into a Go panic; it reaches the caller, and gmpkit is ready for the next run."""

    async def interrupted():
        gk.go(noop)
        await gk.work(ms=1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gk.run(interrupted)
    assert_clean_state()


def test_keyboard_interrupt_inside_the_scheduler_loop_leaves_no_state():
    """Ctrl-C can land anywhere, also between two goroutine steps (here from an observer, which is
    called inside the scheduler's loop). Afterwards a fresh run is identical to a clean one."""

    class Interrupt:
        def __init__(self):
            self.n = 0

        def event(self, ev):
            self.n += 1
            if self.n == 25:
                raise KeyboardInterrupt

    async def busy():
        for _ in range(10):
            gk.go(noop)
            await gk.sleep(us=10)

    with pytest.raises(KeyboardInterrupt):
        gk.run(busy, observers=[Interrupt()])
    assert_clean_state()


def test_abandoned_sim_does_not_leak_into_the_next_run():
    """A stepped Sim left half-way (the user interrupted a stepping widget) does not disturb the
    next run, and the next run does not disturb the abandoned one's state."""
    sim = gk.Sim(forever_printing, until_ms=100)
    for _ in range(50):
        assert sim.step()
    t = sim.sched.now
    assert_clean_state()
    assert sim.sched.now == t
    with pytest.raises(gk.UsageError):
        gk.go(noop)


def test_usage_error_mid_run_leaves_no_state():
    """A UsageError raised from inside a goroutine (here: asyncio awaited) ends the run and leaves
    gmpkit clean for the next one."""

    async def main():
        gk.go(noop)
        await asyncio.sleep(0)

    with pytest.raises(gk.UsageError):
        gk.run(main)
    assert_clean_state()


def test_go_failure_leaves_no_state():
    """A Go failure (deadlock) raised as GoFatal also leaves gmpkit clean."""

    async def main():
        await gk.Chan().recv()

    with pytest.raises(gk.GoFatal):
        gk.run(main)
    assert_clean_state()
