"""The named workloads: each runs to completion, deterministically, and shows what it is for."""

import pytest

import gmpkit.scenarios as sc


@pytest.mark.parametrize("name", sc.names())
def test_every_scenario_runs_and_ends_cleanly(name):
    """Each scenario's main returns (exit status 0) with all its goroutines finished."""
    trace = sc.get(name, n=5, seed=2).run(gomaxprocs=2)
    assert trace.exit_code == 0, trace.stderr
    done = trace.goroutines
    workers = done[done["g"] != 1]
    assert len(workers) >= 5
    assert (workers["status"] == "dead").all()


@pytest.mark.parametrize("name", sc.names())
def test_same_seed_same_schedule_other_seed_other_workload(name):
    """Same seed: identical event table. The seed also draws the workload's sizes."""
    a = sc.get(name, seed=3).run(gomaxprocs=2).events
    b = sc.get(name, seed=3).run(gomaxprocs=2).events
    assert a.equals(b)
    c = sc.get(name, seed=4).run(gomaxprocs=2).events
    assert not a.equals(c)


def test_blocking_syscalls_grow_threads_past_gomaxprocs():
    """One M per goroutine blocked in a syscall: threads exceed GOMAXPROCS."""
    trace = sc.get("blocking_syscalls", n=6).run(gomaxprocs=2)
    assert trace.counts["m_syscall"].max() >= 3
    assert len(trace.sched.allm) > 2 + 1  # GOMAXPROCS + sysmon
    assert trace.counts["g_running"].max() <= 2


def test_goroutine_storm_overflows_the_local_queue():
    """300 goroutines on one P: the 256-slot queue spills 128 + 1 to the global queue."""
    trace = sc.get("goroutine_storm", n=300).run(gomaxprocs=1)
    assert trace.queues["P0"].max() == 256
    assert trace.queues["global"].max() == 129
    assert (trace.events["event"] == "RunqOverflow").sum() == 1


def test_network_io_parks_in_the_netpoller_without_threads():
    """Network waits park goroutines in IO wait; no thread blocks in a syscall."""
    trace = sc.get("network_io", n=6).run(gomaxprocs=2)
    ev = trace.events
    assert (ev[ev["event"] == "GoBlock"]["reason"] == "IO wait").sum() == 12
    assert trace.counts["m_syscall"].max() == 0


def test_channel_pipeline_hands_off_through_runnext():
    """Woken receivers and senders run from runnext more often than from anywhere else."""
    ev = sc.get("channel_pipeline").run(gomaxprocs=2).events
    sources = ev[ev["event"] == "GoStart"]["source"].value_counts()
    assert sources.idxmax() == "runnext"


def test_unknown_scenario_names_the_choices():
    with pytest.raises(ValueError, match="cpu_bound"):
        sc.get("no_such_thing")


def test_describe_lists_every_scenario():
    text = sc.describe()
    assert all(name in text for name in sc.names())
