"""handoffp's rules as events, the P status guard, stop-the-world through stopm, and the Trace
that says what it holds.

Expected values come from the spec's algorithm (go-scheduler.md §5.4 handoffp, §7.3 retake,
§11 stop-the-world), worked by hand for each program.
"""

from __future__ import annotations

import pytest

import gmpkit as gk

MS = 1_000_000


class Events:
    """Observer that keeps (kind, g, m, p, reason) of every event."""

    def __init__(self):
        self.rows = []

    def event(self, ev):
        self.rows.append((ev.t, ev.kind, ev.g, ev.m, ev.p, ev.reason))

    def of(self, *kinds):
        return [r for r in self.rows if r[1] in kinds]


async def _cpu(ms):
    await gk.work(ms=ms)


async def _sys(ms):
    await gk.syscall(ms=ms)


def _run(main, gomaxprocs):
    rec = Events()
    gk.run(main, gomaxprocs=gomaxprocs, observers=[rec], record=False)
    return rec


def test_handoff_work_rule_when_the_syscall_p_has_queued_goroutines():
    """handoffp rule 1: the retaken P has local work, so an M is started for it at once
    (spec §5.4.1). With one P, main blocks in a 30 ms syscall while a goroutine it created
    waits in P0's runnext: sysmon retakes P0 on its second observation and hands it off with
    rule "work", and a new M takes it."""

    async def main():
        await gk.sleep(ms=1)  # let the runtime's goroutines park first
        gk.go(_cpu, 5)
        await gk.syscall(ms=30)

    rec = _run(main, 1)
    retakes = rec.of("Retake")
    handoffs = rec.of("Handoff")
    assert len(retakes) == 1 and len(handoffs) == 1
    t, _, _, _, p, reason = handoffs[0]
    assert (p, reason) == (0, "work")
    assert t == retakes[0][0]
    # The M started for it is a new thread, started because of the handoff.
    nxt = rec.rows[rec.rows.index(handoffs[0]) + 1]
    assert nxt[1] == "MCreate" and nxt[4] == 0 and nxt[5] == "handoff:work"


def test_handoff_spin_rule_when_no_p_is_idle_and_nobody_spins():
    """handoffp rule 3: nothing to run on the retaken P, but no M spins and no P is idle, so
    this P gets a spinning M (spec §5.4.3). Two Ps: one runs a 40 ms CPU hog, the other's
    goroutine sits in a 30 ms syscall with empty queues; with npidle = 0 sysmon does not wait
    the 10 ms grace (§7.3.4) and retakes on its second observation."""

    async def main():
        await gk.sleep(ms=1)
        gk.go(_cpu, 40)
        await gk.sleep(ms=1)  # the hog is running on the other P now
        await gk.syscall(ms=30)

    rec = _run(main, 2)
    handoffs = rec.of("Handoff")
    assert [h[5] for h in handoffs] == ["spin"]
    i = rec.rows.index(handoffs[0])
    started = rec.rows[i + 1]
    assert started[1] in ("MCreate", "MWake") and started[5] == "handoff:spin"
    assert rec.rows[i + 2][1] == "MSpin"


def test_handoff_last_rule_keeps_an_m_for_the_last_running_p():
    """handoffp rule 6: the retaken P was the last non-idle one and no M polls the network,
    so an M is started anyway, to poll (spec §5.4.6), instead of the P going idle. Two Ps, only
    main in a 30 ms syscall: P1 is idle, so sysmon waits out the 10 ms grace, then hands P0 off
    with rule "last": an M is started for P0 and acquires it."""

    async def main():
        await gk.sleep(ms=1)
        await gk.syscall(ms=30)

    rec = _run(main, 2)
    handoffs = rec.of("Handoff")
    syscall = rec.of("GoSysCall")[0]
    assert [(h[4], h[5]) for h in handoffs] == [(syscall[4], "last")]
    assert rec.of("Retake")[0][0] - syscall[0] >= 10 * MS
    i = rec.rows.index(handoffs[0])
    started = rec.rows[i + 1]
    assert started[1] in ("MCreate", "MWake") and started[4] == syscall[4]
    assert started[5] == "handoff:last"
    acquired = [r for r in rec.rows[i:] if r[1] == "PAcquire" and r[4] == syscall[4]]
    assert acquired and acquired[0][3] == started[3]


def test_handoff_idle_rule_puts_the_p_on_the_idle_list():
    """handoffp rule 7: no work, someone else spins or a P is idle, and another P is still
    busy: the retaken P just goes idle (spec §5.4.7). Three Ps: a 40 ms hog on one, main in a
    30 ms syscall on another, the third idle: after the 10 ms grace P is retaken and goes
    straight to the idle list (a PRelease right after the Handoff)."""

    async def main():
        await gk.sleep(ms=1)
        gk.go(_cpu, 40)
        await gk.sleep(ms=1)
        await gk.syscall(ms=30)

    rec = _run(main, 3)
    handoffs = rec.of("Handoff")
    assert [h[5] for h in handoffs] == ["idle"]
    i = rec.rows.index(handoffs[0])
    assert rec.rows[i + 1][1] == "PRelease" and rec.rows[i + 1][4] == handoffs[0][4]


def test_without_handoff_no_handoff_event_is_emitted():
    """With the `handoff` switch off sysmon never retakes a syscall's P: no Retake, no Handoff."""

    async def main():
        await gk.sleep(ms=1)
        gk.go(_cpu, 5)
        await gk.syscall(ms=30)

    rec = Events()
    gk.run(main, gomaxprocs=1, observers=[rec], record=False, handoff=False)
    assert not rec.of("Retake", "Handoff")


def test_p_status_guard_rejects_a_wrong_old_status():
    """Every P status change checks the old status (like casgstatus): acquiring a P that is
    already running is a model bug and fails loudly, naming the P and both statuses."""
    seen = {}

    async def main():
        sched = sim.sched
        p = next(p for p in sched.allp if p.m is not None and p.m.curg is not None)
        try:
            sched.casp(p, gk.PStatus.IDLE, gk.PStatus.RUNNING)
        except AssertionError as e:
            seen["error"] = str(e)

    sim = gk.Sim(main, gomaxprocs=2, record=False)
    sim.run()
    assert "casp: P0 is RUNNING, expected IDLE -> RUNNING" == seen["error"]


def test_stop_the_world_stops_threads_through_stopm():
    """Stop-the-world (spec §11): every other M gives up its P and stops through stopm, so
    each one reports MIdle before the GOMAXPROCS change, and the stopped Ms are on the idle
    list (LIFO) in the order they stopped. Four Ps busy with hogs; main sets GOMAXPROCS to 2."""
    rec = Events()

    async def main():
        await gk.sleep(ms=1)
        for _ in range(3):
            gk.go(_cpu, 20)
        await gk.sleep(ms=1)  # three hogs run on P1..P3, each on its own M
        busy = sorted(p.m.id for p in sim.sched.allp if p.m is not None and p.m.curg is not None
                      and p.m.curg.goid != gk.goid())
        seen["busy_ms"] = busy
        await gk.set_gomaxprocs(2)

    seen = {}
    sim = gk.Sim(main, gomaxprocs=4, observers=[rec], record=False)
    sim.run()
    change = rec.of("GOMAXPROCS")[0]
    i = rec.rows.index(change)
    idle_before = [r[3] for r in rec.rows[:i] if r[1] == "MIdle" and r[0] == change[0]]
    assert sorted(idle_before) == seen["busy_ms"]
    assert len(idle_before) == 3


def test_trace_properties_are_explicit_and_say_what_is_missing():
    """Trace's tables are real properties (visible to dir() and tab completion); without the
    recorder they raise an error that says how to get them; repr says which kind it is."""

    async def main():
        gk.println("hi")

    t = gk.run(main)
    for name in ("events", "spans", "queues", "counts", "goroutines", "procs",
                 "schedtrace_table", "snapshots", "chrome_trace", "goroutine_dump"):
        assert name in dir(t)
    assert len(t.events) > 0
    assert "recorded" in repr(t)
    bare = gk.run(main, record=False)
    with pytest.raises(AttributeError, match=r"record=True"):
        _ = bare.events
    assert "not recorded" in repr(bare)
    assert bare.stdout == "hi\n"
    # main.main returned inside runtime.main: G1 is still running when the program exits.
    assert bare.goroutine_dump() == "goroutine 1 [running]:\nmain.main()\n"


def test_sim_and_run_share_the_record_default():
    """gk.Sim records by default, like gk.run; record=False turns it off on both."""

    async def main():
        await gk.sleep(ms=1)

    sim = gk.Sim(main)
    sim.run()
    assert sim.trace.recorder is not None and len(sim.trace.events) > 0
    assert gk.Sim(main, record=False).trace.recorder is None
