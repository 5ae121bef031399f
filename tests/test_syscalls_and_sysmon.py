"""System calls, handoffp, exitsyscall, sysmon's clock, preemption, procresize and checkdead:
one test per rule, with queues that are not empty where the order matters.

Expected values come from the algorithm in go-scheduler.md (§5.4, §7, §8, §11, §12.1) and the
constants of §1, worked by hand for each program. sysmon's clock: it sleeps 20 µs for its first
51 rounds, then doubles its delay each round up to 10 ms (§7.2), and each sleep lasts 50 µs
longer than asked (Linux's timer slack, see gmpkit/sysmon.py).
"""

from __future__ import annotations

import pytest
from simhelpers import MS, US, Events, ids, me, simulate

import gmpkit as gk

SLACK = 50 * US  # sysmon.USLEEP_SLACK_NS


async def noop():
    pass


async def cpu(ms):
    await gk.work(ms=ms)


def run(main, gomaxprocs, **options):
    rec = Events()
    gk.run(main, gomaxprocs=gomaxprocs, observers=[rec], record=False, **options)
    return rec


# --------------------------------------------------------------------------------------------
# handoffp (spec §5.4)
# --------------------------------------------------------------------------------------------


def test_handoffp_work_rule_counts_the_global_queue():
    """handoffp rule 1 (spec §5.4.1): a P taken from a syscall gets an M at once if *its* queues
    or the *global* queue hold work. Two Ps: B on P1 makes 258 goroutines, so 129 of them
    overflow to the global queue while B keeps P1 busy; main, on P0 with empty queues, is in a
    30 ms syscall. No P is idle and nobody spins, so sysmon retakes P0 on its second observation
    and hands it off by the work rule (not the spin rule): a non-spinning M takes it."""

    async def b():
        for _ in range(258):
            gk.go(noop)
        await gk.work(ms=40)

    async def main():
        await gk.sleep(ms=1)
        gk.go(b)
        await gk.work(ms=1)  # B runs on P1 meanwhile and fills the queues
        await gk.syscall(ms=30)

    rec = run(main, 2)
    (handoff,) = rec.of("Handoff")
    assert handoff[5] == "work"
    i = rec.rows.index(handoff)
    assert rec.rows[i + 1][1] in ("MCreate", "MWake") and rec.rows[i + 1][5] == "handoff:work"
    assert rec.rows[i + 2][1] != "MSpin"


# --------------------------------------------------------------------------------------------
# exitsyscall (spec §8.3)
# --------------------------------------------------------------------------------------------


def test_exitsyscall_takes_its_old_p_back_from_an_m_in_a_syscall():
    """exitsyscall slow path a (spec §8.3 step 3a, §0 item 2): G1's P was handed to another M,
    whose goroutine G2 is now itself in a syscall with it. When G1 returns, it takes its old P
    back from that M (GoSysExit "oldp"), even though another P is idle: G1 goes on on the P it
    had before the syscall."""
    seen = {}

    async def g2():
        await gk.syscall(ms=50)

    async def main():
        await gk.sleep(ms=1)
        seen["before"] = gk.procid()
        gk.go(g2)  # runnext: when main's P is retaken, handoffp's work rule runs it
        await gk.syscall(ms=5)
        seen["after"] = gk.procid()

    rec = run(main, 2, stealing=False)  # so G2 waits in main's runnext for the handoff
    assert seen["before"] == seen["after"]
    exits = [r for r in rec.of("GoSysExit") if r[2] == 1]
    assert exits[-1][5] == "oldp"


def test_exitsyscall_slowest_path_queues_on_the_global_queue_tail():
    """exitsyscall slowest path (spec §8.3 step 4): with no P to take, the G goes to the global
    queue tail, behind what is already there. One P: Y calls Gosched (to the global
    queue) while C, a CPU hog, holds the P; S comes back from a 1 ms syscall whose P C took:
    the global queue is [Y, S], and when sysmon preempts C, Y resumes before S."""
    seen = {}
    order = []

    async def y():
        await gk.gosched()
        order.append("Y")

    async def s(box):
        await gk.syscall(ms=1)
        order.append("S")

    async def c(box, ids_):
        await gk.work(ms=3)  # S's syscall returned meanwhile
        seen["grq"] = ids(box.sched.runq)
        seen["ids"] = dict(ids_)
        await gk.work(ms=20)

    async def main(box):
        await gk.sleep(ms=1)
        wg_ids = {}
        wg_ids["S"] = gk.go(s, box)
        wg_ids["C"] = gk.go(c, box, wg_ids)
        wg_ids["Y"] = gk.go(y)  # runnext: runs first and Goscheds
        await gk.sleep(ms=60)

    simulate(main, gomaxprocs=1)
    assert seen["grq"] == [seen["ids"]["Y"], seen["ids"]["S"]]
    assert order == ["Y", "S"]


# --------------------------------------------------------------------------------------------
# retake (spec §7.3): observations, the 10 ms grace
# --------------------------------------------------------------------------------------------


def _sysmon_ticks(rec):
    return [r[0] for r in rec.of("Sysmon")]


def test_a_syscall_seen_by_sysmon_once_is_never_retaken():
    """retake step 3 (spec §7.3, §15 must-not-simplify 7): sysmon never takes a P on its first
    observation of a syscall, only on a later one (unless the P's schedtick has been still for
    10 ms: then it retakes at once). Once a CPU hog has driven sysmon's period to 10 ms, a
    10.04 ms syscall, begun on a fresh time slice with work waiting behind it, is observed
    exactly once: it keeps its P (no Retake) and returns by the fast path."""
    seen = {}

    async def waiting():
        seen["waiting_ran"] = gk.now()

    async def main():
        await gk.work(ms=60)  # sysmon backs off to its 10 ms period (preemption: no reset)
        await gk.syscall(us=1)  # warm-up: the P's syscalltick moves past sysmon's record
        await gk.gosched()  # a fresh time slice: schedtick moves
        gk.go(waiting)  # work for the P, so no grace applies
        seen["start"] = gk.now()
        await gk.syscall(us=10_040)
        seen["end"] = gk.now()
        await gk.sleep(us=10)  # let the waiting goroutine run

    rec = run(main, 1)
    inside = [t for t in _sysmon_ticks(rec) if seen["start"] < t < seen["end"]]
    assert len(inside) == 1  # the premise: one observation
    assert not rec.of("Retake")
    assert seen["waiting_ran"] >= seen["end"]


@pytest.mark.parametrize(("ms", "retaken"), [(5, False), (12, False), (18, True), (30, True)])
def test_a_syscall_with_nothing_else_to_do_keeps_its_p_for_10_ms(ms, retaken):
    """retake step 4 (spec §7.3): with empty queues and an idle P, sysmon leaves a P in its
    syscall until 10 ms after it first saw the syscall, and takes it at its first round after
    that. The syscall wakes sysmon from its deep sleep (delay back to 20 µs), so that round
    comes 14.1 ms in (50 rounds of 70 µs, then 90, 130, ... 5170 µs): a 5 or 12 ms syscall keeps
    its P and exitsyscall's fast path bumps syscalltick once; an 18 or 30 ms one loses it exactly
    then, and exitsyscall's slow path takes an idle P (the same one, top of the idle stack):
    syscalltick + 2, one for the retake and one for the exit."""

    seen = {}

    async def main(box):
        await gk.sleep(ms=1)
        await gk.syscall(us=1)  # warm-up: the P's syscalltick moves past sysmon's record
        _, _, p = me(box.sched)
        seen["p"], seen["tick"] = p.id, p.syscalltick
        await gk.syscall(ms=ms)
        _, _, p = me(box.sched)
        seen["p2"], seen["tick2"] = p.id, p.syscalltick

    rec = Events()
    simulate(main, gomaxprocs=2, observers=[rec], record=False)
    sc = [r for r in rec.of("GoSysCall") if r[2] == 1][-1]
    ticks = _sysmon_ticks(rec)
    first_seen = min(t for t in ticks if t >= sc[0])
    due = min((t for t in ticks if t >= first_seen + 10 * MS), default=None)
    retakes = rec.of("Retake")
    assert bool(retakes) == retaken == (due is not None and due < sc[0] + ms * MS)
    exit_how = [r[5] for r in rec.of("GoSysExit") if r[2] == 1][-1]
    assert seen["p2"] == seen["p"]
    if retaken:
        assert retakes[0][0] == due
        assert (exit_how, seen["tick2"] - seen["tick"]) == ("idlep", 2)
    else:
        assert (exit_how, seen["tick2"] - seen["tick"]) == ("fast", 1)


def test_a_goroutine_in_runnext_is_work_so_there_is_no_grace():
    """retake step 4 (spec §7.3): the 10 ms grace applies only if the P has no work at all --
    local queue *and* runnext empty (runqempty). main is in a 30 ms syscall with x in its P's
    runnext and P1 idle: sysmon retakes on its second observation and x runs within 1 ms. (The
    `stealing` switch is off so that P1's spinner leaves x where it is.)"""
    seen = {}

    async def x():
        seen["x"] = gk.now()

    async def main():
        await gk.sleep(ms=1)
        seen["t0"] = gk.now()
        gk.go(x)
        await gk.syscall(ms=30)

    rec = run(main, 2, stealing=False)
    assert seen["x"] - seen["t0"] < 1 * MS
    assert rec.of("Retake")[0][0] - seen["t0"] < 1 * MS


# --------------------------------------------------------------------------------------------
# sysmon's delay (spec §7.2) and the 10 ms preemption threshold (spec §7.3, §7.4)
# --------------------------------------------------------------------------------------------


def _gaps(ticks):
    return [b - a for a, b in zip(ticks, ticks[1:])]


def test_sysmon_sleeps_20_us_for_50_idle_rounds_then_doubles_up_to_10_ms():
    """sysmon's delay (spec §7.2 step 1): 20 µs while idle == 0 and for 50 more idle rounds (a
    preemption does not reset idle), then doubling every round -- 40, 80, ... 5120 µs -- and
    capped at 10 ms; each sleep lasts 50 µs (the timer slack) longer. A CPU hog keeps it awake."""

    async def main():
        await gk.work(ms=100)

    gaps = _gaps(_sysmon_ticks(run(main, 1)))
    doubled = [40 * US * 2**k for k in range(8)]  # 40 .. 5120 µs
    expected = [20 * US + SLACK] * 50 + [d + SLACK for d in doubled] + [10 * MS + SLACK] * 5
    assert gaps[:len(expected)] == expected


def test_a_retake_resets_sysmons_delay_to_20_us():
    """sysmon step 5 (spec §7.2): when retake took a P from a syscall, idle = 0 and the next
    sleep is 20 µs again. Two Ps: a hog on one drives sysmon to its 10 ms period; then main's
    syscall on the other is retaken (after the grace: work waits in its runnext), and the next
    gap between sysmon's rounds is 20 µs (+ slack)."""

    async def hog():
        await gk.work(ms=80)

    async def main():
        gk.go(hog)
        await gk.sleep(ms=50)
        gk.go(noop)
        await gk.syscall(ms=40)

    rec = run(main, 2, stealing=False)
    (retake,) = rec.of("Retake")
    ticks = _sysmon_ticks(rec)
    k = ticks.index(retake[0])
    assert ticks[k] - ticks[k - 1] == 10 * MS + SLACK  # the premise: backed off
    assert ticks[k + 1] - ticks[k] == 20 * US + SLACK


def test_a_running_goroutine_is_preempted_after_10_ms_not_sooner():
    """retake step 1 and preemptone (spec §7.3, §7.4, forcePreemptNS = 10 ms): sysmon asks the
    goroutine of a P to stop once that P's schedtick has not moved for 10 ms since sysmon first
    saw it; so every slice of a CPU hog that shares the P with another lasts at least 10 ms,
    and, with sysmon's period at 10.05 ms, at most two periods: the preemption comes on the
    observation after the one that first saw the slice, 20.1 ms after it began."""

    async def hog():
        await gk.work(ms=200)

    async def main():
        gk.go(hog)
        gk.go(hog)
        await gk.sleep(ms=250)

    rec = run(main, 1)
    starts = {}
    slices = []
    for t, kind, g, *_ in rec.rows:
        if kind == "GoStart":
            starts[g] = t
        elif kind == "PreemptRequest" and g in starts:
            slices.append(t - starts[g])
    assert len(slices) >= 10
    assert all(10 * MS <= d <= 2 * (10 * MS + SLACK) for d in slices), slices


# --------------------------------------------------------------------------------------------
# injectglist (spec §5.4): goroutines the poller readies do not go through runnext
# --------------------------------------------------------------------------------------------


def test_goroutines_from_the_poller_go_to_the_local_queue_in_order_not_runnext():
    """injectglist (spec §5.4, §5.2 step 8): three readers wait for I/O that is ready at the
    same moment; when main blocks, its M polls: it runs the first one the poller returns and
    queues the others on its local queue in that order (never runnext), so they run in the
    order they started waiting."""
    order, waiting = [], []

    async def reader(name, ready_at):
        waiting.append(name)
        await gk.netwait(ns=ready_at - gk.now())
        order.append(name)

    async def main():
        await gk.sleep(ms=1)
        ready_at = gk.now() + 2 * MS
        for name in "abc":
            gk.go(reader, name, ready_at)
        await gk.sleep(us=1)  # the readers start waiting (one P)
        await gk.work(ms=3)  # their data arrives meanwhile; nobody polls yet
        await gk.sleep(ms=1)

    rec = run(main, 1)
    assert len(waiting) == 3 and order == waiting
    starts = [r[6] for r in rec.of("GoStart") if r[2] is not None and r[2] >= 7][-3:]
    assert starts == ["netpoll", "local", "local"]


# --------------------------------------------------------------------------------------------
# procresize with a non-empty global queue (spec §11)
# --------------------------------------------------------------------------------------------


def test_procresize_puts_a_destroyed_ps_goroutines_at_the_global_head():
    """procresize step 3 (spec §11): a destroyed P's goroutines go to the *head* of the global
    queue, runnext first, then its local queue in order, *before* what the global queue already
    held. B on P1 makes 258 goroutines (129 overflow to the global queue); main then calls
    GOMAXPROCS(1): B, preempted into its P's runnext (kicking the runnext to the local tail),
    then the local queue, then the old global queue."""
    seen = {}

    async def b(box):
        for _ in range(258):
            gk.go(noop)
        await gk.work(ms=20)

    async def main(box):
        await gk.sleep(ms=1)
        await gk.set_gomaxprocs(1)  # back on P0 (procresize gives the caller P0) ...
        await gk.set_gomaxprocs(2)  # ... and keeps it
        seen["main_p"] = gk.procid()
        bid = gk.go(b, box)  # P1's spinner steals it
        await gk.work(ms=1)
        s = box.sched
        p1 = s.allp[1]
        seen["expect"] = [bid, *ids(p1.runq), p1.runnext.goid, *ids(s.runq)]
        seen["premise"] = (len(s.runq), len(p1.runq), p1.m.curg.goid == bid)
        await gk.set_gomaxprocs(1)
        seen["grq"] = ids(s.runq)

    simulate(main, gomaxprocs=2)
    assert seen["main_p"] == 0 and seen["premise"] == (129, 128, True)
    assert seen["grq"] == seen["expect"]


# --------------------------------------------------------------------------------------------
# checkdead's timer rule (spec §12.1 step 5)
# --------------------------------------------------------------------------------------------


def test_checkdead_is_quiet_while_a_timer_is_pending():
    """checkdead step 5 (spec §12.1): with no M running and every user goroutine waiting, a
    timer in some P's heap still means no deadlock (it will wake a goroutine). In the model (as
    in Go, where timers start the poller) the last M waits in the poller for that timer and
    checkdead returns at step 2; here checkdead is called as Go calls it from mput when that M
    goes idle instead: it must return, and the sleeper wakes on time."""
    sim = gk.Sim(_sleeper_main, gomaxprocs=1, record=False)
    sim.run(until_ms=1)
    s = sim.sched
    poller = s.netpoll.blocked_m
    assert poller is not None and any(p.timers for p in s.allp)  # the premise
    s.midle.append(poller)  # as if it had gone idle (mput) rather than into the poller
    try:
        s.checkdead()
    finally:
        s.midle.remove(poller)
    sim.run()
    assert sim.sched.result.stdout == ["woke\n"]


async def _sleeper_main():
    await gk.sleep(ms=5)
    gk.println("woke")
