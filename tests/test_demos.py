"""The chapter 1–3 demonstrations do what the notebooks say, on every run.

Only facts that hold by construction are asserted (a forced race loses exactly the updates it
must; a crashed child never takes the parent down). Timings are checked for being positive and
finite, never against a threshold.
"""

from __future__ import annotations

import asyncio
import math
import threading

import pytest

from gmpkit.demos import compare, coroutines, measure, processes, threads

METHODS = processes.demo_methods()


# -- processes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_child_changes_its_own_copy_only(method: str) -> None:
    r = processes.separate_memory(method)
    assert r["child_saw"]["items"] == [1, 2, 3, 99]
    assert r["child_saw"]["env"] == "set by the child"
    assert (
        r["parent_after"] == r["parent_before"] == {"items": [1, 2, 3], "COUNTER": 0, "env": None}
    )
    assert r["child_pid"] != r["parent_pid"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("how", processes.CRASH_KINDS)
def test_crashing_child_leaves_parent_running(method: str, how: str) -> None:
    report = processes.crash_child(how, method)
    assert report.exitcode != 0
    if how == "exit":
        assert report.exitcode == 3
    if how == "exception":
        assert report.exitcode == 1
    if how == "sigkill" and hasattr(processes.signal, "SIGKILL"):
        assert report.meaning == "killed by signal SIGKILL"
    assert processes.run_child(processes.noop, method=method) == 0  # the parent still works


def test_crash_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="how must be one of"):
        processes.crash_child("explode")


def test_unknown_start_method_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not available here"):
        processes.context("teleport")


@pytest.mark.parametrize("method", METHODS)
def test_ipc_pipe_queue_and_shared_memory(method: str) -> None:
    assert processes.pipe_squares(range(6), method) == [0, 1, 4, 9, 16, 25]
    rows = processes.queue_squares(list(range(10)), workers=2, method=method)
    assert [(n, sq) for _, n, sq in rows] == [(n, n * n) for n in range(10)]
    block = processes.shared_block_demo(size=4, children=3, method=method)
    assert block["before"] == [0] * 4 and block["after"] == [3] * 4
    assert processes.shared_value_demo(children=2, times=500, method=method) == 1000


def test_child_that_dies_before_answering_fails_fast() -> None:
    ctx = processes.context(METHODS[0])
    q = ctx.Queue()
    proc = ctx.Process(target=processes.crash, args=("exit",))
    proc.start()
    with pytest.raises(RuntimeError, match="exited with code 3"):
        processes.get_from(q, [proc], timeout=30)
    processes.join_or_kill(proc)


@pytest.mark.parametrize("method", METHODS)
def test_process_costs_are_measured(method: str) -> None:
    times = processes.creation_times(method, 2)
    assert len(times) == 2 and all(t > 0 for t in times)
    assert processes.pingpong_seconds(method, 50) > 0
    sizes = processes.child_private_memory(method, 1)
    assert len(sizes) == 1 and (sizes[0] is None or sizes[0] > 0)


def test_describe_exitcode() -> None:
    assert processes.describe_exitcode(0) == "exited normally (code 0)"
    assert processes.describe_exitcode(2) == "exited with code 2"
    assert processes.describe_exitcode(-9).startswith("killed by signal")


# -- threads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("workers, per_worker", [(2, 50), (4, 100), (8, 10)])
def test_forced_race_loses_exactly_workers_minus_one_per_round(
    workers: int, per_worker: int
) -> None:
    r = threads.forced_race(workers, per_worker)
    assert r.final == per_worker
    assert r.lost == (workers - 1) * per_worker


def test_lock_makes_the_count_exact() -> None:
    r = threads.sleepy_race(4, 100, lock=threading.Lock())
    assert r.final == r.expected == 400 and r.lost == 0


def test_races_never_gain_updates() -> None:
    for r in (threads.sleepy_race(4, 50), threads.plain_race(2, 10_000)):
        assert 0 < r.final <= r.expected


def test_race_rejects_bad_counts() -> None:
    with pytest.raises(ValueError):
        threads.forced_race(0, 10)


def test_gil_status_is_consistent() -> None:
    s = threads.gil_status()
    assert isinstance(s["gil_enabled"], bool)
    if not s["free_threaded_build"]:
        assert s["gil_enabled"] is True


def test_thread_costs_and_limits() -> None:
    assert all(t > 0 for t in threads.creation_times(5))
    assert threads.pingpong_seconds(50) > 0
    before = threading.active_count()
    many = threads.start_many_threads(50)
    assert many["started"] == 50 and many["error"] is None
    assert many["active_at_peak"] >= before + 50
    assert threading.active_count() == before  # every thread was joined
    limits = threads.thread_limits()
    assert "threads-max (system)" in limits
    with pytest.raises(ValueError):
        threads.start_many_threads(threads.MAX_DEMO_THREADS + 1)


# -- coroutines --------------------------------------------------------------------------------


def test_async_race_loses_by_construction_and_lock_fixes_it() -> None:
    r = coroutines.run_sync(coroutines.async_race, 5, 7)
    assert r.final == 7 and r.lost == 4 * 7

    async def locked() -> threads.RaceResult:
        return await coroutines.async_race(5, 7, asyncio.Lock())

    assert coroutines.run_sync(locked).final == 35


def test_hog_stalls_the_ticker_and_cooperation_fixes_it() -> None:
    r = coroutines.run_sync(coroutines.stall, 0.1, 0.01)
    assert r["ticks_during_hog"] == 0
    assert r["longest_gap"] >= r["hog_seconds"]
    c = coroutines.run_sync(coroutines.stall, 0.1, 0.01, True)
    assert c["ticks_during_hog"] > 0


def test_many_requests_in_flight_on_one_thread() -> None:
    before = threading.active_count()
    with coroutines.SlowServer(delay_ms=0, hold=20, hold_timeout=20) as server:
        r = coroutines.run_sync(coroutines.fetch_many, server.port, 20)
        assert coroutines.blocking_get(server.port, "/?ms=0")[0] == 200
    assert r["statuses"] == [200] and r["client_threads"] == 1
    assert server.stats.peak_in_flight == 20 and server.stats.hold_timeouts == 0
    assert threading.active_count() == before  # server and handler threads are gone


def test_sequential_client_never_opens_the_hold() -> None:
    """One request at a time never has 3 waiting together: each one times out at the gate."""
    with coroutines.SlowServer(delay_ms=0, hold=3, hold_timeout=0.2) as server:
        for _ in range(3):
            assert coroutines.blocking_get(server.port)[0] == 200
    assert server.stats.peak_in_flight == 1 and server.stats.hold_timeouts == 3
    assert server.stats.served == 3


def test_server_outside_with_block_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = coroutines.SlowServer().port


def test_coroutine_costs() -> None:
    assert coroutines.coroutine_creation_seconds(1000) > 0
    costs = coroutines.run_sync(coroutines.task_costs, 1000)
    assert costs["tasks"] == 1000 and costs["bytes_per_task"] > 0
    assert coroutines.generator_switch_seconds(1000) > 0


def test_run_sync_passes_errors_back() -> None:
    async def boom() -> None:
        raise KeyError("inner")

    with pytest.raises(KeyError, match="inner"):
        coroutines.run_sync(boom)


# -- tables ------------------------------------------------------------------------------------


def test_timing_table_and_chart() -> None:
    t = measure.timing_table({"a": [1e-6, 3e-6, 2e-6]})
    assert t.loc["a", "median_us"] == pytest.approx(2.0)
    assert measure.bar_chart(t, "median_us", "x").data[0].y[0] == pytest.approx(2.0)
    with pytest.raises(ValueError):
        measure.timing_table({"a": []})
    with pytest.raises(ValueError):
        measure.bar_chart(t, "nope", "x")


def test_gil_table_shape() -> None:
    t = measure.gil_table(workers=2, n=20_000)
    assert list(t.columns) == ["seconds", "speedup"] and len(t) == 3
    assert t["speedup"].iloc[0] == pytest.approx(1.0)


def test_comparison_table_from_rows() -> None:
    rows = [
        compare.Row("a", 10.0, 1.0, 2.0, "x"),
        compare.Row("b", 1.0, None, 4.0, "y"),
    ]
    t = compare.comparison_table(rows)
    assert t.loc["a", "create_x"] == pytest.approx(10.0)
    assert t.loc["b", "switch_x"] == pytest.approx(2.0)
    assert math.isnan(t.loc["b", "memory_kib"])
    assert len(compare.comparison_chart(t).data) == 3
    with pytest.raises(ValueError):
        compare.comparison_table([])


def test_summary_table_uses_measured_figures() -> None:
    rows = [
        compare.Row("process (fork)", 2500.0, 1024.0, 9.0, "x"),
        compare.Row("thread", 50.0, 16.0, 15.0, "y"),
        compare.Row("goroutine (model)", 1.0, None, 0.1, "z"),
    ]
    t = compare.summary_table(
        compare.comparison_table(rows), {"goroutine": {"scheduled by 调度方式": "Go runtime"}}
    )
    assert list(t.index) == list(compare.ASPECTS)
    assert t.loc["creation cost 创建开销", "process (fork)"] == "2.5 ms"
    assert t.loc["concurrency 并发能力", "thread"] == "65,536 fit in 1 GiB"
    assert t.loc["concurrency 并发能力", "goroutine (model)"] == "n/a"
    assert t.loc["scheduled by 调度方式", "goroutine (model)"] == "Go runtime"


def test_measured_rows_are_positive() -> None:
    for row in (
        compare.measure_thread(),
        compare.measure_coroutine(),
        compare.measure_process(METHODS[0]),
    ):
        assert row.create_us > 0 and row.switch_us > 0


def test_simulated_goroutine_row() -> None:
    """The simulator's own cost per goroutine is measured, and the row joins the summary table."""
    costs = compare.simulated_goroutine_costs(2_000, gomaxprocs=2)
    assert costs["goroutines"] == 2_000
    assert costs["create_s"] > 0 and costs["park_s"] > 0 and costs["bytes_per_goroutine"] > 0
    assert compare.simulated_pingpong_seconds(200) > 0
    with pytest.raises(ValueError):
        compare.simulated_goroutine_costs(0)
    row = compare.measure_simulated_goroutine()
    assert row.unit.startswith("goroutine") and row.create_us > 0 and row.switch_us > 0
    summary = compare.summary_table(compare.comparison_table([row]))
    assert "Go runtime" in summary.loc["scheduled by 调度方式", row.unit]
