"""runtime.Goexit, `go` of nil, makechan's panic, the recorder after G reuse, procid/mcount, and
bad input: each checked against what real Go 1.27.3 printed for the same program (the fidelity
pairs goexit, go_nil and makechan_negative hold the Go side) or against Python's own behaviour.
"""

from __future__ import annotations

import gc
import linecache
import math
import re
import warnings

import pytest

import gmpkit as gk

# --------------------------------------------------------------------------------------------
# runtime.Goexit
# --------------------------------------------------------------------------------------------


def test_goexit_runs_the_deferred_calls_and_ends_only_that_goroutine():
    """runtime.Goexit (spec §6 goexit0): the goroutine's deferred calls -- its finally blocks --
    run in order as the unwinding passes them, even from a nested call; the code after Goexit
    does not run; `except Exception` (recover) does not stop it; the other goroutines go on."""
    out = []

    def nested():
        gk.goexit()

    async def worker(wg):
        try:
            try:
                nested()
                out.append("not reached")
            except Exception:
                out.append("recovered?")
            finally:
                out.append("inner finally")
        finally:
            out.append("outer finally")
            wg.done()

    async def main():
        wg = gk.WaitGroup()
        wg.add(1)
        gk.go(worker, wg)
        await wg.wait()
        out.append("main goes on")

    trace = gk.run(main)
    assert out == ["inner finally", "outer finally", "main goes on"]
    assert trace.exit_code == 0


def test_main_calling_goexit_lets_the_others_finish_then_no_goroutines_is_fatal():
    """checkdead step 4 (spec §12.1): main's Goexit runs main's deferred calls and ends main
    without ending the program; when the last other goroutine is done, Go prints `fatal error:
    no goroutines (main called runtime.Goexit) - deadlock!` with nothing after it and exits
    with status 2 (10 of 10 runs)."""

    async def other():
        await gk.sleep(ms=10)
        gk.println("other done")

    async def main():
        gk.println("start")
        gk.go(other)
        try:
            gk.goexit()
        finally:
            gk.println("main deferred")

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main)
    assert info.value.stderr == "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"
    assert info.value.exit_code == 2
    assert info.value.trace.stdout == "start\nmain deferred\nother done\n"
    assert info.value.trace.now_ns >= 10_000_000  # it waited for the sleeper


def test_a_goexit_while_a_timer_is_pending_is_not_yet_a_deadlock():
    """checkdead (spec §12.1): main's Goexit with a sleeper pending is not a deadlock while the
    timer can still wake someone; the fatal error comes only once every goroutine is gone."""
    seen = []

    async def sleeper():
        await gk.sleep(ms=30)
        seen.append(gk.now())

    async def main():
        gk.go(sleeper)
        gk.goexit()

    trace = gk.run(main, check=False)
    assert seen and seen[0] >= 30_000_000
    assert trace.stderr.startswith("fatal error: no goroutines")


def test_goexit_outside_a_goroutine_is_a_usage_error():
    with pytest.raises(gk.UsageError, match="gk.goexit"):
        gk.goexit()


# --------------------------------------------------------------------------------------------
# go of a nil func value, makechan's size
# --------------------------------------------------------------------------------------------


def test_go_of_nil_is_a_fatal_error_that_dumps_the_goer_first():
    """newproc1 (spec §4.1 step 1): `go f()` with a nil f is `fatal error: go of nil func value`
    on the system stack: Go prints the goroutine that ran `go` first (`goroutine 1 [running]`),
    then every other user goroutine; exit status 2 (10 of 10 runs)."""

    async def forever():
        await gk.select()

    async def main():
        gk.go(forever)
        await gk.sleep(ms=1)
        gk.go(None)
        gk.println("not reached")

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main, gomaxprocs=1)
    err = info.value.stderr
    assert err.startswith("fatal error: go of nil func value\n\ngoroutine 1 [running]:\n")
    assert re.findall(r"^goroutine (\d+) \[([^\]]*)\]:$", err, re.M) == [
        ("1", "running"), ("7", "select (no cases)")]
    assert info.value.exit_code == 2
    assert info.value.trace.stdout == ""


def test_go_of_a_plain_function_is_still_a_usage_error():
    """A plain (non-async) function is not Go's nil: it is a mistake in how gmpkit is used."""

    def plain():
        pass

    async def main():
        gk.go(plain)

    with pytest.raises(gk.UsageError, match="async def"):
        gk.run(main)


def test_a_negative_channel_size_at_run_time_is_a_recoverable_panic():
    """makechan (spec §9): `make(chan T, n)` with n < 0 panics with `makechan: size out of
    range`, which recover catches; unrecovered, Go prints `panic: makechan: size out of range`
    and `goroutine 1 [running]:` (10 of 10 runs). Outside any simulation it is a usage error."""
    got = []

    async def main():
        try:
            gk.Chan(-1)
        except gk.PanicError as e:
            got.append(str(e))
        gk.Chan(-3)

    with pytest.raises(gk.GoPanic) as info:
        gk.run(main)
    assert got == ["makechan: size out of range"]
    assert info.value.stderr.startswith(
        "panic: makechan: size out of range\n\ngoroutine 1 [running]:\n")
    with pytest.raises(gk.UsageError, match="makechan"):
        gk.Chan(-1)


# --------------------------------------------------------------------------------------------
# The recorder after G reuse (gfget)
# --------------------------------------------------------------------------------------------


def test_the_recorder_keeps_each_goroutines_identity_when_its_g_is_reused():
    """gfget (spec §4.1 step 2): first (goroutine 7) ends, and late (goroutine 8), created 5 ms
    later, gets its dead G struct. trace.goroutines still reports goroutine 7 with its own name,
    creation time and final status (dead), and goroutine 8 with its own."""

    async def first():
        pass

    async def late():
        await gk.select()

    async def main(box):
        box.append(gk.go(first))
        await gk.sleep(ms=5)
        box.append(gk.go(late))
        await gk.sleep(ms=1)

    box = []
    trace = gk.run(main, box, gomaxprocs=1)
    a, b = box
    assert a not in {g.goid for g in trace.sched.allg}  # the premise: a's G now holds b
    rows = trace.goroutines.set_index("g")
    assert rows.loc[a, "name"].endswith("first") and rows.loc[b, "name"].endswith("late")
    assert rows.loc[a, "created_ms"] < 1 and rows.loc[b, "created_ms"] >= 5
    assert rows.loc[a, "status"] == "dead" and rows.loc[b, "status"] == "select (no cases)"


# --------------------------------------------------------------------------------------------
# procid and mcount
# --------------------------------------------------------------------------------------------


def test_procid_is_the_p_of_the_running_goroutine_and_mcount_counts_threads():
    """gk.procid() is the id of the P the calling goroutine runs on; gk.mcount() the threads (Ms)
    made so far, sysmon's included (spec §2.4 `mcount`, what schedtrace prints as threads=). A
    goroutine stolen by P1 sees 1; goroutines blocked in syscalls make threads (their Ps are
    handed to new Ms), and threads never go away (spec §8.4)."""
    seen = {}

    async def hog():
        seen["hog_p"] = gk.procid()
        await gk.work(ms=2)

    async def blocker():
        await gk.syscall(ms=30)

    async def main():
        seen["main_p"] = gk.procid()
        seen["m_start"] = gk.mcount()
        gk.go(hog)
        await gk.work(ms=1)
        for _ in range(3):
            gk.go(blocker)
        await gk.sleep(ms=25)
        seen["m_blocked"] = gk.mcount()
        await gk.sleep(ms=20)
        seen["m_after"] = gk.mcount()

    trace = gk.run(main, gomaxprocs=2, godebug="schedtrace=1")
    assert seen["main_p"] == 0 and seen["hog_p"] == 1
    # Three Ms pinned in the syscalls, one running main (awake at 25 ms), and sysmon's.
    assert seen["m_start"] < 5 <= seen["m_blocked"]
    assert seen["m_after"] == seen["m_blocked"] == len(trace.sched.allm)
    last = trace.schedtrace_lines[-1]
    assert f" threads={seen['m_after']} " in last
    with pytest.raises(gk.UsageError, match="gk.procid"):
        gk.procid()
    with pytest.raises(gk.UsageError, match="gk.mcount"):
        gk.mcount()


# --------------------------------------------------------------------------------------------
# Bad input: non-finite durations, operations never awaited
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [gk.work, gk.sleep, gk.syscall, gk.netwait, gk.after])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_duration_is_a_usage_error_naming_the_argument(fn, value):
    """A NaN or infinite duration is refused at once, naming the function and the argument, not
    passed on to become a Go panic wrapping Python's ValueError."""
    name = fn.__name__
    with pytest.raises(gk.UsageError, match=rf"gk\.{name}\(ms={value}\) is not a finite number"):
        fn(ms=value)


def _collect_warnings(main):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trace = gk.run(main)
        gc.collect()
    return trace, [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_an_operation_never_awaited_warns_naming_it_and_the_line():
    """Like Python's `coroutine ... was never awaited`: `gk.work(ms=1)` written without `await`
    does nothing, so gmpkit warns (RuntimeWarning) with what was written, the goroutine, and the
    line that dropped it. Awaited operations -- and operations refused as bad input -- do not."""

    async def main():
        ch = gk.Chan(1)
        gk.work(ms=1)  # forgot the await
        ch.send(1)  # and here
        await gk.work(ms=1)
        await ch.send(2)
        gk.println(await ch.recv())
        x = gk.sleep(ms=1)
        await x
        with pytest.raises(gk.UsageError):
            gk.select(42)

    trace, ws = _collect_warnings(main)
    assert trace.stdout == "2\n"  # the un-awaited send did nothing
    msgs = [(str(w.message), w.lineno) for w in ws]
    assert len(msgs) == 2, msgs
    (m1, l1), (m2, l2) = msgs
    assert m1.startswith("gmpkit operation gk.work(...) was never awaited in goroutine 1")
    assert "write `await gk.work(...)`" in m1
    assert m2.startswith("gmpkit operation ch.send(...) was never awaited")
    assert all(w.filename == __file__ for w in ws)
    lines = [linecache.getline(__file__, n).strip() for n in (l1, l2)]
    assert lines == ["gk.work(ms=1)  # forgot the await", "ch.send(1)  # and here"]
