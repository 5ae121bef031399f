"""The chapter 1–3 demonstrations do what the notebooks say, on every run.

Only facts that hold by construction are asserted (a forced race loses exactly the updates it
must; a crashed child never takes the parent down). Timings are checked for being positive and
finite, never against a threshold.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading

import pytest

from gmpkit import golang
from gmpkit.demos import compare, coroutines, cpus, leftovers, measure, processes, threads

METHODS = processes.demo_methods()


def _go_live() -> bool:
    """Run the live Go tests when Go is here, and when CI requires them (then they fail)."""
    return golang.go_available() or os.environ.get("GMPKIT_REQUIRE_GO", "") not in ("", "0")


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


# -- measurements and tables -----------------------------------------------------------------


def test_repeat_times_every_run_and_takes_the_best() -> None:
    calls = []

    def job() -> None:
        calls.append(1)
        sum(range(20_000))

    t = measure.repeat(job, runs=4, per=2, what="sum")
    assert len(calls) == 4 and t.runs == 4
    assert t.best == min(t.wall) and t.worst == max(t.wall) and t.best <= t.median <= t.worst
    assert all(c is not None and c >= 0 for c in t.cpu)
    assert t.spread >= 1.0
    assert "best of 4" in str(t)


def test_repeat_uses_a_time_measured_inside() -> None:
    t = measure.repeat(lambda: (0.5, 0.25), runs=2, per=5)
    assert t.wall == (0.1, 0.1) and t.cpu == (0.05, 0.05)
    assert measure.repeat(lambda: 2.0, runs=1).cpu == (None,)
    with pytest.raises(ValueError):
        measure.repeat(lambda: None, runs=0)


def test_cpu_time_counts_waited_for_children() -> None:
    """A child's CPU time shows in the parent's count once the parent has joined it."""
    before = measure.cpu_seconds()
    ctx = processes.context(METHODS[0])
    p = ctx.Process(target=processes.cpu_work, args=(3_000_000,))
    p.start()
    processes.join_or_kill(p)
    assert measure.cpu_seconds() - before > 0.05


def test_units_and_rounding() -> None:
    assert measure.pick_unit([2e-6, 3e-3]) == "µs"
    assert measure.pick_unit([2e-9 * 100]) == "ns"
    assert measure.pick_unit([5.0]) == "s"
    assert measure.fmt(12.345e-6) == "12.3 µs"
    assert measure.fmt(0.0021) == "2.10 ms"
    assert measure.sig(123456, 3) == 123000
    assert measure.times_text(3.21) == "3.2×" and measure.times_text(41.4) == "41×"


def test_timing_table_one_unit_with_spread() -> None:
    a = measure.from_samples("a", [1e-6, 3e-6, 2e-6], [1e-6, 1e-6, 1e-6])
    b = measure.from_samples("b", [4e-3, 5e-3])
    t = measure.timing_table([a, b])
    assert t.attrs["unit"] == "µs"
    assert t.loc["a", "best (µs)"] == pytest.approx(1.0)
    assert t.loc["a", "worst (µs)"] == pytest.approx(3.0)
    assert t.loc["b", "median (µs)"] == pytest.approx(4500)
    assert math.isnan(t.loc["b", "CPU in best run (µs)"])
    fig = measure.bar_chart(t, "best (µs)", "x")
    assert list(fig.data[0].error_y.array) == pytest.approx([2.0, 1000.0])
    with pytest.raises(ValueError):
        measure.timing_table([])
    with pytest.raises(ValueError):
        measure.bar_chart(t, "nope", "x")
    assert measure.timing_table({"c": [1.0, 2.0]}).attrs["unit"] == "s"


def _gil_table(threads_busy: float, procs_busy: float, procs_speed: float, usable: int):
    import pandas as pd

    from gmpkit.demos.cpus import CPUs

    t = pd.DataFrame({"CPUs busy": [1.0, threads_busy, procs_busy],
                      "speed-up": [1.0, 1.0, procs_speed]},
                     index=["one after another", "2 threads", "2 processes (fork)"])
    t.attrs.update(workers=2, load=1.5,
                   cpus=CPUs(logical=8, affinity=8, limit=None if usable > 1 else 1.0,
                             limit_file=None, cgroup_version=2))
    return t


def test_gil_verdict_follows_the_measurement() -> None:
    """The sentence says what the numbers say, whichever way they went."""
    good = measure.gil_verdict(_gil_table(1.0, 1.9, 1.8, 8))
    assert "own GIL" in good and "1.8×" in good and "only one thread" in good
    busy = measure.gil_verdict(_gil_table(1.0, 1.05, 0.95, 8))
    assert "other programs held the CPUs" in busy and "load average 1.5" in busy
    quota = measure.gil_verdict(_gil_table(1.0, 1.0, 1.0, 1))
    assert "only 1 CPU" in quota
    free = measure.gil_verdict(_gil_table(1.9, 1.9, 1.8, 8), gil_enabled=False)
    assert "GIL is off" in free


def test_gil_table_shape() -> None:
    t = measure.gil_table(workers=2, n=20_000, runs=2)
    assert list(t.columns) == ["wall, best (s)", "wall, worst (s)", "CPU in best run (s)",
                               "CPUs busy", "speed-up"]
    assert len(t) == 3 and t["speed-up"].iloc[0] == pytest.approx(1.0)
    assert t.attrs["runs"] == 2 and t.attrs["cpus"].usable >= 1
    assert isinstance(measure.gil_verdict(t), str)


def _row(unit: str, create_us: float, memory: float | None, switch_us: float) -> compare.Row:
    return compare.Row(unit, measure.from_samples("c", [create_us * 1e-6, 2 * create_us * 1e-6]),
                       memory, measure.from_samples("s", [switch_us * 1e-6]), "how")


def test_comparison_table_from_rows() -> None:
    rows = [_row("a", 10.0, 1.0, 2.0), _row("b", 1.0, None, 4.0)]
    t = compare.comparison_table(rows)
    assert t.loc["a", "create_x"] == pytest.approx(10.0)
    assert t.loc["a", "create_worst_us"] == pytest.approx(20.0)
    assert t.loc["b", "switch_x"] == pytest.approx(2.0)
    assert math.isnan(t.loc["b", "memory_kib"])
    shown = compare.show(t)
    assert shown.loc["a", "create one"] == "10.0 µs (worst 20.0 µs)"
    assert shown.loc["b", "memory per idle one"] == "n/a"
    chart = compare.comparison_chart(t)
    assert len(chart.data) == 3  # one panel per cost, each with its own unit
    assert {chart.layout.yaxis.title.text, chart.layout.yaxis2.title.text,
            chart.layout.yaxis3.title.text} == {"µs", "KiB"}
    with pytest.raises(ValueError):
        compare.comparison_table([])


def test_versus_says_which_was_slower() -> None:
    fast, slow = _row("thread", 50.0, 16.0, 9.0), _row("process (fork)", 2500.0, 1024.0, 3.0)
    assert "The process (fork) took 50× as long" in compare.versus(fast, slow, "create")
    assert "The thread took 3× as long" in compare.versus(fast, slow, "switch")
    assert "About the same" in compare.versus(fast, _row("x", 55.0, None, 9.0))
    with pytest.raises(ValueError):
        compare.versus(fast, slow, "memory")


def test_summary_table_uses_measured_figures() -> None:
    rows = [_row("process (fork)", 2500.0, 1024.0, 9.0), _row("thread", 50.0, 16.0, 15.0)]
    t = compare.summary_table(compare.comparison_table(rows),
                              {"thread": {"scheduled by 调度方式": "the kernel"}})
    assert list(t.index) == list(compare.ASPECTS)
    assert t.loc["creation cost 创建开销", "process (fork)"] == "2.50 ms"
    assert t.loc["concurrency 并发能力", "thread"] == "about 66,000 fit in 1 GiB"
    assert t.loc["scheduled by 调度方式", "thread"] == "the kernel"


def test_measured_rows_are_positive() -> None:
    for row in (
        compare.measure_thread(),
        compare.measure_coroutine(),
        compare.measure_process(METHODS[0]),
    ):
        assert row.create_us > 0 and row.switch_us > 0 and row.create.runs >= 3


def test_real_goroutine_row_from_recorded_go() -> None:
    """Without Go the row comes from the recorded run and says so."""
    from gmpkit.demos import gofacts

    row = compare.real_goroutine_row(gofacts.goroutine_costs(prefer_recorded=True))
    assert row.unit == "goroutine (real Go, recorded)" and "RECORDED" in row.source
    assert 0 < row.create_us < 100 and 0 < row.memory_kib < 64
    with pytest.raises(TypeError):
        compare.real_goroutine_row({"create_ns": 1})


def test_simulator_costs_are_kept_apart() -> None:
    """The simulator's own cost per goroutine is measured in its own table."""
    costs = compare.simulated_goroutine_costs(2_000, gomaxprocs=2)
    assert costs["goroutines"] == 2_000
    assert costs["create_s"] > 0 and costs["park_s"] > 0 and costs["bytes_per_goroutine"] > 0
    assert compare.simulated_pingpong_seconds(200) > 0
    with pytest.raises(ValueError):
        compare.simulated_goroutine_costs(0)
    table = compare.simulator_costs(2_000, runs=2)
    assert len(table) == 3 and table.attrs["goroutines"] == 2_000
    assert table.iloc[:, 0].gt(0).all()


# -- the CPU count: machine, affinity mask, cgroup limit ---------------------------------------


def _fake_proc(tmp_path, cgroup: str, mountinfo: str, files: dict[str, str]):
    proc = tmp_path / "proc" / "self"
    proc.mkdir(parents=True)
    (proc / "cgroup").write_text(cgroup)
    (proc / "mountinfo").write_text(mountinfo)
    for rel, text in files.items():
        path = tmp_path / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "proc", tmp_path / "root"


V2_MOUNT = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev - cgroup2 cgroup2 rw,nsdelegate\n"


def test_cgroup_v2_limit_is_read_from_the_leaf(tmp_path) -> None:
    proc, root = _fake_proc(tmp_path, "0::/kubepods/pod1\n", V2_MOUNT,
                            {"/sys/fs/cgroup/kubepods/pod1/cpu.max": "150000 100000\n",
                             "/sys/fs/cgroup/kubepods/cpu.max": "50000 100000\n"})
    assert cpus.read_cgroup_limit(proc, root) == (2, 1.5, "/sys/fs/cgroup/kubepods/pod1/cpu.max")
    info = cpus.cpu_info(proc, root)
    assert info.limit == 1.5 and info.cgroup_version == 2
    assert info.usable == min(info.affinity, 2)
    assert "limit of 1.5 CPUs" in info.describe()


def test_cgroup_v2_without_a_limit(tmp_path) -> None:
    proc, root = _fake_proc(tmp_path, "0::/\n", V2_MOUNT, {"/sys/fs/cgroup/cpu.max": "max 100000\n"})
    assert cpus.read_cgroup_limit(proc, root)[:2] == (2, None)
    assert "no cgroup CPU limit" in cpus.cpu_info(proc, root).describe()


def test_cgroup_v1_quota_wins_over_v2_and_respects_the_mount_root(tmp_path) -> None:
    """A v1 hierarchy with the cpu controller is the CPU cgroup; a container sees its own
    cgroup as the mount's root, so the mount point itself is the directory."""
    cgroup = "12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/docker/abc\n"
    mountinfo = (V2_MOUNT +
                 "33 31 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup "
                 "rw,cpu,cpuacct\n")
    proc, root = _fake_proc(tmp_path, cgroup, mountinfo, {
        "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "50000\n",
        "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n"})
    version, limit, where = cpus.read_cgroup_limit(proc, root)
    assert (version, limit) == (1, 0.5) and where.endswith("cpu,cpuacct/cpu.cfs_quota_us")
    assert cpus.cpu_info(proc, root).usable == 1


def test_cgroup_v1_unlimited_and_escaped_mount_points(tmp_path) -> None:
    mountinfo = r"33 31 0:29 / /sys/fs/cgroup/my\040cpu rw - cgroup cgroup rw,cpu" + "\n"
    proc, root = _fake_proc(tmp_path, "3:cpu:/\n", mountinfo, {
        "/sys/fs/cgroup/my cpu/cpu.cfs_quota_us": "-1\n",
        "/sys/fs/cgroup/my cpu/cpu.cfs_period_us": "100000\n"})
    assert cpus.read_cgroup_limit(proc, root) == (1, None, "/sys/fs/cgroup/my cpu/cpu.cfs_quota_us")


def test_no_cgroup_at_all(tmp_path) -> None:
    assert cpus.read_cgroup_limit(tmp_path / "nowhere", tmp_path) == (None, None, "")
    info = cpus.cpu_info(tmp_path / "nowhere", tmp_path)
    assert info.limit is None and info.usable == info.affinity
    assert "no CPU cgroup found" in info.describe()


@pytest.mark.parametrize("affinity, limit, expected", [
    (8, None, 8), (8, 0.5, 2), (1, 0.5, 1), (8, 2.5, 3), (4, 10.0, 4), (8, 2.0, 2)])
def test_go_default_gomaxprocs_follows_go_rule(affinity: int, limit: float | None,
                                               expected: int) -> None:
    """runtime/cgroup_linux.go: the CPUs in the mask, lowered to ceil(limit), never below 2
    because of a limit."""
    assert cpus.go_default_gomaxprocs(affinity, limit) == expected


def test_usable_cpus_is_cgroup_aware() -> None:
    assert threads.usable_cpus() == cpus.cpu_info().usable >= 1


# -- what a chapter left running ---------------------------------------------------------------


def test_leftovers_count_the_chapters_threads_and_children_only() -> None:
    started = leftovers.Started()
    assert started.clean() and "Nothing left running" in str(started.report())
    release = threading.Event()
    mine = threading.Thread(target=release.wait, args=(30,), name="chapter-thread")
    kernel_cls = type("HistorySavingThread", (threading.Thread,),
                      {"__module__": "IPython.core.history",
                       "run": lambda self: release.wait(30)})
    kernels = kernel_cls(name="IPythonHistorySavingThread")
    ctx = processes.context(METHODS[0])
    ready, child_release = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=processes.wait_for, args=(ready, child_release, 30))
    mine.start()
    kernels.start()
    child.start()
    try:
        ready.get(timeout=30)
        left = started.leftovers()
        assert left and not started.clean()
        assert left.threads == ("chapter-thread (threading)",)  # the kernel's thread is not ours
        assert len(left.children) == 1 and str(child.pid) in left.children[0]
        assert "threads still running: chapter-thread" in str(left)
    finally:
        release.set()
        child_release.set()
        mine.join(10)
        kernels.join(10)
        processes.join_or_kill(child)
    assert started.clean()


def test_owner_module_of_cell_and_package_threads() -> None:
    def in_a_cell() -> None:
        pass

    in_a_cell.__module__ = "__main__"
    assert leftovers.owner_module(threading.Thread(target=in_a_cell)) == "__main__"
    assert leftovers.owner_module(threading.Thread(target=threads.noop)) == "gmpkit.demos.threads"


# -- real Go facts (live with a toolchain, recorded without) -----------------------------------

PARSED = """\
M=100 P=-1 G=-1 StateTransition Time=1000 ProcID=0 Undetermined->Running Reason=""
M=100 P=0 G=-1 StateTransition Time=1200 GoID=1 Undetermined->Running Reason=""
M=100 P=0 G=1 StateTransition Time=1500 GoID=7 NotExist->Runnable Reason=""
Stack=
\tmain.main @ 0x1
M=101 P=1 G=-1 StateTransition Time=2000 GoID=7 Runnable->Running Reason=""
M=100 P=0 G=-1 StateTransition Time=2500 GoID=7 Runnable->Running Reason=""
"""


def test_parse_running_reads_go_tool_trace_output() -> None:
    from gmpkit.demos import gofacts

    assert gofacts.parse_running(PARSED) == [(0, 1, 100, 0), (800, 7, 101, 1), (1300, 7, 100, 0)]


def test_recorded_go_facts_are_labelled() -> None:
    from gmpkit.demos import gofacts

    for name in ("goroutine_costs", "gomaxprocs_now", "gomaxprocs_follows_affinity",
                 "stack_growth", "thread_migration", "cpu_bound_schedtrace"):
        facts = gofacts.recorded(name)
        assert not facts.live and "RECORDED on" in facts.label and facts.go_version
    growth = dict(gofacts.recorded("stack_growth").values)
    assert growth[100_000] > growth[0]  # the stack grew under recursion
    changes = gofacts.recorded("gomaxprocs_follows_affinity").values["changes"]
    assert changes and changes[0][2] == 1  # GOMAXPROCS went down to 1


@pytest.mark.golive
@pytest.mark.skipif(not _go_live(), reason="no Go toolchain (GMPKIT_REQUIRE_GO=1 makes this fail)")
def test_live_go_facts() -> None:
    from gmpkit.demos import gofacts

    costs = gofacts.goroutine_costs(runs=1)
    assert costs.live and costs.values[0]["goroutines"] == 100_000
    # stackMin (2 KiB) per parked goroutine: the growth of StackInuse divided by 100 000, so a
    # runtime goroutine's stack freed meanwhile can take it a few bytes under 2048 (seen: 2047).
    assert 2048 - 16 <= costs.values[0]["stack_bytes"] < 2 * 2048
    now = gofacts.gomaxprocs_now()
    assert now.values["GOMAXPROCS"] == cpus.cpu_info().go_gomaxprocs  # our reading = Go's rule
    depths = dict(gofacts.stack_growth().values)
    assert depths[100_000] > depths[1_000] > 0
    moves = gofacts.thread_migration().values
    assert moves and {g for _, g, _, _ in moves} >= {1}
    if not gofacts.affinity_demo_possible():
        follow = gofacts.gomaxprocs_follows_affinity()
        assert follow.values["end"] == 1 and follow.values["changes"]


def test_cpu_bound_schedtrace_retries_a_run_without_sched_lines(monkeypatch):
    """A live run that printed no SCHED line is run again; one that never does is an error
    that says what Go printed (not an IndexError in the notebook)."""
    from gmpkit.demos import gofacts

    def result(lines):
        return golang.GoResult(stdout="", stderr="boom", exit_code=0, timed_out=False,
                               elapsed_s=0.1, gomaxprocs=2, godebug="schedtrace=1",
                               schedtrace_lines=lines)

    outputs = [[], ["SCHED 0ms: gomaxprocs=2"]]
    monkeypatch.setattr(golang, "go_available", lambda: True)
    monkeypatch.setattr(golang, "run_go", lambda *a, **k: result(outputs.pop(0)))
    assert gofacts.cpu_bound_schedtrace().values == ["SCHED 0ms: gomaxprocs=2"]

    monkeypatch.setattr(golang, "run_go", lambda *a, **k: result([]))
    with pytest.raises(RuntimeError, match="(?s)no SCHED lines in 3 runs.*boom"):
        gofacts.cpu_bound_schedtrace()
