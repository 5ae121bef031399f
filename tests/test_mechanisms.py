"""One test per scheduler mechanism, with the exact outcome the spec's algorithm dictates.

Goroutines here look at the scheduler's own state while they run (the run queues, the idle
lists, the tick counters), the way a learner would stop a real runtime in a debugger. Every
expected value is derived from the algorithm in the spec, section by section, never from output
of the model.
"""

from __future__ import annotations

import re

import pytest
from simhelpers import MS, US, ids, me, simulate

import gmpkit as gk

P_IDLE, P_RUNNING, P_DEAD = 0, 1, 4  # spec §2.3
G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING = 1, 2, 3, 4  # spec §2.1


def num(status):
    """Go's number for a status enum member."""
    return int(getattr(status, "value", status))


async def settle():
    """Let the runtime's own goroutines run and park first. When main.main starts, goroutines
    the runtime just created (the GOMAXPROCS updater and the finalizer goroutine, spec §3 step 4)
    may still sit in runnext or the local queue; tests that need empty queues sleep 1 ms first."""
    await gk.sleep(ms=1)


# --------------------------------------------------------------------------------------------
# runqput, runqputslow, runnext (spec §4.2)
# --------------------------------------------------------------------------------------------


def test_go_puts_new_goroutine_in_runnext_and_kicks_old_one_to_local_tail():
    """runqput(next=true) (spec §4.2 step 2): after `go a; go b; go c`, runnext is c and a, b were
    appended to the local queue's tail in creation order, behind whatever it held before (the
    runnext goroutine that `go a` kicked out, if any); the creator keeps running."""
    seen = {}

    async def noop():
        pass

    async def main(box):
        _, _, p = me(box.sched)
        before = ids(p.runq) + ([p.runnext.goid] if p.runnext is not None else [])
        a, b, c = gk.go(noop), gk.go(noop), gk.go(noop)
        seen.update(runnext=p.runnext.goid, runq=ids(p.runq), expect=(c, before + [a, b]))

    simulate(main, gomaxprocs=1)
    assert (seen["runnext"], seen["runq"]) == seen["expect"]


def test_full_local_queue_moves_oldest_128_plus_kicked_goroutine_to_global_tail():
    """runqputslow (spec §4.2 step 4, §1 "overflow batch"): on one P, 258 `go` statements.

    g0..g255 fill the 256 slots while g256 sits in runnext; creating g257 kicks g256 into the full
    queue, so the 128 oldest (g0..g127) and then g256 go to the global queue tail, in that order.
    The local queue keeps g128..g255 and runnext is g257.
    """
    seen = {}

    async def noop():
        pass

    async def main(box):
        await settle()
        gs = [gk.go(noop) for _ in range(258)]
        _, _, p = me(box.sched)
        seen.update(gs=gs, grq=ids(box.sched.runq), runq=ids(p.runq), runnext=p.runnext.goid)

    simulate(main, gomaxprocs=1)
    gs = seen["gs"]
    assert seen["runnext"] == gs[257]
    assert seen["runq"] == gs[128:256]
    assert seen["grq"] == gs[:128] + [gs[256]]


def test_global_queue_batch_takes_min_128_n_n_over_gomaxprocs_plus_one():
    """globrunqgetbatch (spec §5.2 step 7, §1 "GRQ batch"): on one P, 200 goroutines each call
    Gosched once, so all 200 sit on the global queue when the local queue runs dry.

    n = min(128, 200, 200/1 + 1) = 128: the first runs and 127 go to the local queue, 72 stay
    global; when those 127 are done, n = min(128, 72, 73) = 72 empties it. The 1-in-61 check is
    switched off (`global_check=False`) so that every resumption comes from a batch or the local
    queue; the batch rule itself does not depend on it.
    """
    seen = []

    async def main(box):
        await settle()
        wg = gk.WaitGroup()

        async def one():
            await gk.gosched()
            _, _, p = me(box.sched)
            seen.append((len(p.runq), len(box.sched.runq)))
            wg.done()

        for _ in range(200):
            wg.add(1)
            gk.go(one)
        await wg.wait()

    simulate(main, gomaxprocs=1, global_check=False)
    assert len(seen) == 200
    assert seen[0] == (127, 72)
    assert seen[127] == (0, 72)
    assert seen[128] == (71, 0)


@pytest.mark.parametrize("gomaxprocs", [2, 4])
def test_global_batch_size_shrinks_with_gomaxprocs(gomaxprocs):
    """globrunqgetbatch with several Ps (spec §5.2 step 7): the batch is
    min(128, n, n/GOMAXPROCS + 1), leaving the rest of the global queue to the other Ps.

    The other Ps are kept busy by CPU hogs so nothing is stolen; 40 goroutines on the remaining P
    each call Gosched once, then the first to resume heads a batch of min(128, 40, 40/P + 1):
    21 with two Ps, 11 with four. (1-in-61 check off, as above.)
    """
    seen = []

    async def hog():
        await gk.work(ms=5)

    async def main(box):
        for _ in range(gomaxprocs - 1):
            gk.go(hog)
        await gk.sleep(us=200)  # the hogs spread out to the other Ps
        busy = [p.m is not None and p.m.curg is not None for p in box.sched.allp]
        wg = gk.WaitGroup()

        async def one():
            await gk.gosched()
            _, _, p = me(box.sched)
            seen.append((len(p.runq), len(box.sched.runq)))
            wg.done()

        for _ in range(40):
            wg.add(1)
            gk.go(one)
        seen.append(busy)
        await wg.wait()

    simulate(main, gomaxprocs=gomaxprocs, global_check=False)
    assert seen[0] == [True] * gomaxprocs  # the premise: every P busy, nobody to steal
    n = min(128, 40, 40 // gomaxprocs + 1)
    assert seen[1] == (n - 1, 40 - n)


# --------------------------------------------------------------------------------------------
# The 1-in-61 global check (spec §5.2 step 4)
# --------------------------------------------------------------------------------------------


def _sixty_one_program(seen):
    async def rec(i, wg):
        seen.append(("L", i))
        wg.done()

    async def x(box, wg):
        await gk.gosched()  # to the global queue tail
        _, _, p = me(box.sched)
        seen.append(("X", p.schedtick, len(p.runq)))
        wg.done()

    async def main(box):
        wg = gk.WaitGroup()
        wg.add(1)
        gk.go(x, box, wg)  # X: first in the local queue once the next `go` kicks it there
        for i in range(150):
            wg.add(1)
            gk.go(rec, i, wg)
        await wg.wait()

    return main


def test_every_61st_schedtick_takes_one_goroutine_from_the_global_queue():
    """1-in-61 fairness (spec §5.2 step 4, §1): X calls Gosched while 149 goroutines wait in the
    local queue of the only P. findRunnable takes X from the global queue as soon as it starts with
    `schedtick % 61 == 0`, before the local queue is empty: so X resumes with schedtick ≡ 1 (mod
    61) (execute counted its own fresh slice) and goroutines still queued locally.
    """
    seen = []
    simulate(_sixty_one_program(seen), gomaxprocs=1)
    (xrec,) = [s for s in seen if s[0] == "X"]
    _, schedtick, lrq = xrec
    assert (schedtick - 1) % 61 == 0
    assert lrq > 0
    # Before X: the runnext goroutine (no tick), then at most 61 local ones.
    assert 1 <= seen.index(xrec) <= 62


def test_without_the_global_check_x_waits_for_the_local_queue_to_drain():
    """Teaching switch `global_check=False` (DESIGN §3): without the 1-in-61 check the same X only
    resumes when the local queue is empty, after all 150 local goroutines."""
    seen = []
    simulate(_sixty_one_program(seen), gomaxprocs=1, global_check=False)
    xrec = seen[-1]
    assert xrec[0] == "X"
    assert xrec[2] == 0
    assert len(seen) == 151


# --------------------------------------------------------------------------------------------
# Work stealing (spec §5.3)
# --------------------------------------------------------------------------------------------


def test_thief_steals_half_from_victim_head_and_runs_the_last_stolen():
    """runqsteal / runqgrab (spec §5.3): main on P0 creates g0..g9 in one burst (runnext g9, local
    queue g0..g8) and keeps P0 busy. The spinning M woken for P1 grabs half, rounded up --
    ceil(9/2) = 5 -- from the head: it runs the last stolen (g4) and keeps g0..g3 in P1's
    queue; P0 keeps g5..g8 and runnext g9.
    """
    first, made = [], []

    async def g(box, i):
        if not first:
            _, _, p = me(box.sched)
            p0 = box.sched.allp[0]
            first.append(
                dict(
                    i=i,
                    p=p.id,
                    runq=ids(p.runq),
                    p0_runq=ids(p0.runq),
                    p0_runnext=p0.runnext.goid if p0.runnext else None,
                )
            )

    async def main(box):
        made.extend(gk.go(g, box, i) for i in range(10))
        await gk.work(ms=1)

    simulate(main, gomaxprocs=2)
    rec, gs = first[0], made
    assert rec["i"] == 4 and rec["p"] == 1
    assert rec["runq"] == gs[0:4]
    assert rec["p0_runq"] == gs[5:9]
    assert rec["p0_runnext"] == gs[9]


def test_a_lone_goroutine_in_a_busy_ps_runnext_is_stolen_by_the_idle_p():
    """stealWork (spec §5.3, §0 item 4): a lone new goroutine sits in runnext of busy P0; the
    spinner for P1 finds no local queue to steal and takes runnext in its last round, so the
    goroutine starts on P1 while P0 is still busy. (Which round may take runnext, and the 3 µs
    back-off before it, are checked in test_stealing_and_spinning.py.)
    """
    seen = {}

    async def g(box):
        _, _, p = me(box.sched)
        seen["p"] = p.id
        seen["start"] = gk.now()

    async def main(box):
        seen["created"] = gk.now()
        gk.go(g, box)
        await gk.work(ms=1)

    simulate(main, gomaxprocs=2)
    assert seen["p"] == 1
    assert seen["start"] - seen["created"] < 1 * MS


def test_local_queue_is_stolen_before_runnext():
    """stealWork (spec §5.3): with g0 in P0's local queue and g1 in its runnext, the thief takes
    g0 (the queue, from the first round) and leaves runnext to its owner for now."""
    first = []

    async def g(box, i):
        _, _, p = me(box.sched)
        first.append((i, p.id))

    async def main(box):
        gk.go(g, box, 0)
        gk.go(g, box, 1)
        await gk.work(ms=1)

    simulate(main, gomaxprocs=2)
    assert first[0] == (0, 1)


def test_without_stealing_a_new_goroutine_waits_for_its_own_p():
    """Teaching switch `stealing=False`: the goroutine in runnext of busy P0 is not taken by the
    idle P1; it runs on P0 only after main's 1 ms of work blocks."""
    seen = {}

    async def g(box):
        _, _, p = me(box.sched)
        seen.update(p=p.id, t=gk.now())

    async def main(box):
        gk.go(g, box)
        await gk.work(ms=1)
        await gk.sleep(ms=1)

    simulate(main, gomaxprocs=2, stealing=False)
    assert seen["p"] == 0
    assert seen["t"] >= 1 * MS


# --------------------------------------------------------------------------------------------
# Idle P and idle M lists (spec §0 item 5, §3, §5.4)
# --------------------------------------------------------------------------------------------


def test_wakep_starts_one_spinner_at_a_time_and_spinners_chain():
    """wakep (spec §4.3, §5.1 step 4): a burst of 20 `go` statements on P0 with seven idle Ps
    starts exactly one spinning M (wakep returns at once while nmspinning != 0), so at most one M
    is woken or created by the burst. Each spinner that finds work calls wakep again
    (resetspinning), so the long goroutines still spread until no P is idle.
    """
    seen = {}

    async def hog():
        await gk.work(ms=5)

    async def main(box):
        s = box.sched
        await gk.work(us=500)
        seen["before"] = (s.nmspinning, len(s.allm), s.nmidle)
        for _ in range(20):
            gk.go(hog)
        seen["after"] = (s.nmspinning, len(s.allm), s.nmidle)
        await gk.work(ms=1)
        seen["npidle_later"] = s.npidle

    simulate(main, gomaxprocs=8)
    spin0, m0, idle0 = seen["before"]
    spin1, m1, idle1 = seen["after"]
    assert spin0 == 0
    assert spin1 == 1
    assert (m1 - m0) + (idle0 - idle1) == 1  # one M created or one idle M woken
    assert seen["npidle_later"] == 0


def test_idle_ps_start_with_the_highest_id_on_top():
    """procresize at startup (spec §3 step 1, §11 step 5): P1..Pn-1 are pushed on the idle stack
    in ascending order, so the top (handed out first) is the highest id."""

    async def main():
        pass

    sim = gk.Sim(main, gomaxprocs=4)
    assert [p.id for p in sim.sched.pidle] == [1, 2, 3]  # top of the stack = last element
    assert all(num(p.status) == P_IDLE for p in sim.sched.pidle)


def test_wakep_hands_out_the_top_of_the_idle_p_stack():
    """wakep → pidleget (spec §4.3, §0 item 5): the idle P list is a LIFO stack; each new
    goroutine created while P0 is busy runs on the P that was on top of it when it was created."""
    where, tops = [], []

    async def hog(box):
        _, _, p = me(box.sched)
        where.append(p.id)
        await gk.work(ms=5)

    async def main(box):
        await gk.work(us=500)  # the runtime's start-up goroutines are done with their Ps
        for _ in range(3):
            tops.append(box.sched.pidle[-1].id)
            gk.go(hog, box)
            await gk.work(us=100)  # P0 busy; the new spinner steals runnext in its last round

    simulate(main, gomaxprocs=4)
    assert where == tops
    assert sorted(where) == [1, 2, 3]


def test_idle_p_and_idle_m_are_reused_last_in_first_out():
    """pidleput/pidleget and mput/mget are stacks (LIFO; spec §0 item 5, §5.4): three hogs finish
    one after another, each M parking with its P released. A goroutine created afterwards gets
    the P and the M that went idle last: startm takes an idle M (mget) before it makes one."""
    finished = []
    seen = {}

    async def hog(box, ms):
        await gk.work(ms=ms)
        _, m, p = me(box.sched)
        finished.append((p.id, m.id))

    async def late(box):
        _, m, p = me(box.sched)
        seen.update(p=p.id, m=m.id)

    async def main(box):
        await gk.work(us=500)
        for ms in (1, 2, 3):
            gk.go(hog, box, ms)
            await gk.work(us=50)
        await gk.work(ms=5)  # keep P0 busy (no timers: idle Ms park instead of polling)
        seen["pidle"] = [p.id for p in box.sched.pidle]
        seen["midle"] = [m.id for m in box.sched.midle]
        gk.go(late, box)
        await gk.work(ms=1)

    simulate(main, gomaxprocs=4)
    assert len({p for p, _ in finished}) == 3
    last_p, last_m = finished[-1]
    assert seen["pidle"][-1] == last_p and seen["midle"][-1] == last_m
    assert (seen["p"], seen["m"]) == (last_p, last_m)


# --------------------------------------------------------------------------------------------
# System calls: retake, handoffp, exitsyscall (spec §7.3, §5.4, §8)
# --------------------------------------------------------------------------------------------


def test_short_syscall_keeps_its_p_fast_path():
    """exitsyscall fast path (spec §8.3 step 2): on one P, a 5 µs syscall ends before sysmon can
    take its P (it never retakes on its first observation, and 5 µs is less than one round). The
    goroutine comes back on the same P with syscalltick + 1, and the goroutine queued behind it
    has not started. (sysmon's observations are checked in test_syscalls_and_sysmon.py.)
    """
    order = []
    ticks = {}

    async def other():
        order.append("other")

    async def sys(box):
        await gk.syscall(us=1)  # warm-up: sysmon's record of this P's syscalltick is now stale
        _, _, p = me(box.sched)
        ticks["before"], ticks["p"] = p.syscalltick, p.id
        await gk.syscall(us=5)
        _, _, p = me(box.sched)
        ticks["after"], ticks["p_after"] = p.syscalltick, p.id
        order.append("sys")

    async def main(box):
        wg = gk.WaitGroup()

        async def run(fn, *a):
            await fn(*a)
            wg.done()

        wg.add(2)
        gk.go(run, other)
        gk.go(run, sys, box)
        await wg.wait()

    simulate(main, gomaxprocs=1)
    assert order == ["sys", "other"]
    assert ticks["p_after"] == ticks["p"]
    assert ticks["after"] == ticks["before"] + 1


def test_returning_from_syscall_without_a_free_p_queues_globally():
    """exitsyscall slowest path (spec §8.3 step 4): on one P, S's 1 ms syscall loses its P to C
    (C needs 5 ms of CPU in 1 ms slices). When S returns there is no idle P: S becomes runnable on
    the global queue tail and its M parks; S resumes only when C lets go of the P.
    """
    seen = {}

    async def c(box, s_id):
        await gk.work(ms=1)
        await gk.work(ms=1)  # by now S's syscall has returned
        g = next(g for g in box.sched.allg if g.goid == s_id[0])
        seen["s_status"] = num(g.status)
        seen["s_in_grq"] = g in box.sched.runq
        await gk.work(ms=3)
        seen["c_done"] = gk.now()

    async def s():
        await gk.syscall(ms=1)
        seen["s_back"] = gk.now()

    async def main(box):
        wg = gk.WaitGroup()
        s_id = []

        async def run(fn, *a):
            await fn(*a)
            wg.done()

        wg.add(2)
        gk.go(run, c, box, s_id)
        s_id.append(gk.go(run, s))
        await wg.wait()

    simulate(main, gomaxprocs=1)
    assert seen["s_status"] == G_RUNNABLE
    assert seen["s_in_grq"]
    assert seen["s_back"] >= seen["c_done"]


def test_without_handoff_the_cpu_goroutine_waits_for_the_syscall():
    """Teaching switch `handoff=False` (DESIGN §3), the contrast to B9: nobody takes the P from
    the 100 ms syscall, so the CPU goroutine only starts after it: 200 ms in total."""
    done = {}

    async def main(box):
        wg = gk.WaitGroup()

        async def cpu():
            await gk.work(ms=100)
            done["cpu"] = gk.now()
            wg.done()

        async def sys():
            await gk.syscall(ms=100)
            wg.done()

        wg.add(2)
        gk.go(cpu)
        gk.go(sys)
        await wg.wait()

    simulate(main, gomaxprocs=1, handoff=False)
    assert done["cpu"] >= 200 * MS


def test_retake_with_queued_work_happens_on_the_second_sysmon_observation():
    """retake (spec §7.3 step 3, §7.2 step 1): the queued CPU goroutine of B9 starts on a new M
    while the syscall is still running, within two sysmon periods of 20 µs (plus costs), far
    before the syscall's 100 ms end."""
    seen = {}

    async def main(box):
        wg = gk.WaitGroup()

        async def cpu():
            _, m, _ = me(box.sched)
            seen["cpu_start"], seen["cpu_m"] = gk.now(), m.id
            await gk.work(ms=1)
            wg.done()

        async def sys():
            await gk.syscall(us=1)  # warm-up: sysmon's record of P0's syscalltick is now stale
            _, m, _ = me(box.sched)
            seen["sys_m"] = m.id
            seen["sys_start"] = gk.now()
            await gk.syscall(ms=100)
            wg.done()

        wg.add(2)
        gk.go(cpu)
        gk.go(sys)
        await wg.wait()

    simulate(main, gomaxprocs=1)
    delay = seen["cpu_start"] - seen["sys_start"]
    assert 20 * US <= delay <= 200 * US
    assert seen["cpu_m"] != seen["sys_m"]


# --------------------------------------------------------------------------------------------
# procresize (spec §11)
# --------------------------------------------------------------------------------------------


def test_procresize_moves_a_destroyed_ps_queue_to_the_global_head():
    """procresize (spec §11 steps 3–4, §7.4): B runs on P1 and creates x0..x4 (runnext x4, local
    x0..x3). main on P0 calls GOMAXPROCS(1). The stop-the-world preempts B into runnext of its own
    P (kicking x4 to the local tail), then P1 is destroyed: the global queue becomes
    [runnext, local head…tail, old global…] = [B, x0, x1, x2, x3, x4]; P1 is dead.
    """
    seen = {}

    async def noop():
        pass

    async def b(box):
        seen["xs"] = [gk.go(noop) for _ in range(5)]
        _, _, p = me(box.sched)
        seen["b_p"] = p.id
        await gk.work(ms=5)

    async def main(box):
        seen["b"] = gk.go(b, box)
        await gk.work(ms=1)
        prev = await gk.set_gomaxprocs(1)
        s = box.sched
        seen.update(
            prev=prev,
            grq=ids(s.runq),
            nallp=len(s.allp),
            gomaxprocs=s.gomaxprocs,
            p1_status=num(s.allp_all[1].status),
        )

    simulate(main, gomaxprocs=2)
    assert seen["b_p"] == 1
    assert seen["prev"] == 2
    assert (seen["nallp"], seen["gomaxprocs"]) == (1, 1)
    assert seen["grq"] == [seen["b"], *seen["xs"]]
    assert seen["p1_status"] == P_DEAD


def test_gomaxprocs_query_does_not_resize():
    """runtime.GOMAXPROCS(n) with n ≤ 0 only reports the current value (spec §11); with n equal to
    the current value it changes nothing either."""
    seen = []

    async def main(box):
        seen.append(await gk.set_gomaxprocs(0))
        seen.append(await gk.set_gomaxprocs(3))
        seen.append(await gk.set_gomaxprocs(3))
        seen.append(gk.gomaxprocs())

    simulate(main, gomaxprocs=2)
    assert seen == [2, 2, 3, 3]


# --------------------------------------------------------------------------------------------
# goid batches (spec §4.1 step 4, §3 step 4)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("links_os", "first"), [(True, 7), (False, 6)])
def test_first_user_goroutine_on_p0_gets_goid_7_with_os_and_6_without(links_os, first):
    """Spec §3 step 4: runtime.main is goroutine 1 and the runtime's own goroutines take 2–5;
    a program that links os (the default: gk.println is fmt.Println) also has the finalizer
    goroutine, 6. So main.main's first `go` on P0's batch gets 7 (6 without os), as Go printed
    in 20 of 20 runs of the goid_with_os and goid_without_os pairs."""
    got = []

    async def noop():
        pass

    async def main(box):
        got.append(gk.go(noop))

    simulate(main, gomaxprocs=1, links_os=links_os)
    assert got == [first]


def test_goids_come_in_per_p_batches_of_16():
    """newproc1 (spec §4.1 step 4, §1 "goid batch per P"): each P reserves 16 ids at a time from
    the global counter. main (P0) creates A, which runs on P1 and creates one child: the child's
    id opens P1's batch (the next 16 after P0's). main then creates 16 more: consecutive up to
    the end of P0's batch, then a fresh batch that starts after P1's.
    """
    seen = {}

    async def noop():
        pass

    async def a(box):
        _, _, p = me(box.sched)
        seen["a_p"] = p.id
        seen["child"] = gk.go(noop)
        await gk.work(ms=2)

    async def main(box):
        first = gk.go(a, box)
        await gk.work(ms=1)
        seen["main_ids"] = [first] + [gk.go(noop) for _ in range(16)]

    simulate(main, gomaxprocs=2)
    assert seen["a_p"] == 1
    main_ids, child = seen["main_ids"], seen["child"]
    b0 = (main_ids[0] - 1) // 16  # P0's batch index
    b1 = (child - 1) // 16  # P1's batch index
    assert b1 == b0 + 1
    assert (child - 1) % 16 in {0, 1}  # the first id of P1's batch (Go: one may go to a runtime G)
    end0 = 16 * (b0 + 1)
    expected = list(range(main_ids[0], end0 + 1))
    expected += list(range(16 * (b1 + 1) + 1, 16 * (b1 + 1) + 1 + 17 - len(expected)))
    assert main_ids == expected


# --------------------------------------------------------------------------------------------
# Timers (spec §10)
# --------------------------------------------------------------------------------------------


def test_sleep_zero_or_less_returns_without_yielding():
    """time.Sleep(d ≤ 0) returns at once (spec §10): the goroutine in runnext has not run yet."""
    order = []

    async def g():
        order.append("g")

    async def main(box):
        gk.go(g)
        await gk.sleep(ns=0)
        order.append("main")
        await gk.sleep(ms=1)

    simulate(main, gomaxprocs=1)
    assert order == ["main", "g"]


def test_expired_timer_readies_sleeper_into_runnext_of_the_p_that_ran_it():
    """goroutineReady via timers.check (spec §10, §5.2 step 2): S sleeps 1 ms while A and B wait in
    the local queue behind a 2 ms CPU burst. At the next findRunnable the expired timer puts S in
    runnext, so S runs before A and B, on the same P."""
    order = []

    async def s(box):
        await gk.sleep(ms=1)
        _, _, p = me(box.sched)
        order.append(("S", p.id))

    async def burn():
        await gk.work(ms=2)
        order.append("burn")

    async def rec(name):
        order.append(name)

    async def main(box):
        gk.go(s, box)
        gk.go(burn)
        gk.go(rec, "A")
        gk.go(rec, "B")
        await gk.sleep(ms=10)

    simulate(main, gomaxprocs=1)
    # runnext B first, then the local queue S (parks), burn, A; S's timer fires during burn.
    assert order == ["B", "burn", ("S", 0), "A"]


# --------------------------------------------------------------------------------------------
# Channels and select (spec §9)
# --------------------------------------------------------------------------------------------


def test_close_readies_receivers_then_senders_lifo_through_runnext():
    """closechan (spec §9.3): receivers r1..r3 wait on one channel; close makes runnext r1 and the
    local queue r3, r2 (each goready kicks the previous runnext to the tail)."""
    seen = {}

    async def r(ch):
        await ch.recv2()

    async def main(box):
        ch = gk.Chan()
        rs = []
        for _ in range(3):
            rs.append(gk.go(r, ch))
            await gk.gosched()
        ch.close()
        _, _, p = me(box.sched)
        seen.update(runnext=p.runnext.goid, runq=ids(p.runq), rs=rs)

    simulate(main, gomaxprocs=1)
    r1, r2, r3 = seen["rs"]
    assert seen["runnext"] == r1
    assert seen["runq"] == [r3, r2]


def test_select_default_only_when_nothing_is_ready():
    """selectgo (spec §9.4 steps 3–4): default is taken only when no case is ready; a ready case
    always wins over default; nil-channel cases are never ready."""
    got = []

    async def main(box):
        ready, empty = gk.Chan(1), gk.Chan()
        await ready.send("x")
        got.append(await gk.select(gk.recv(empty), gk.recv(ready), default=True))
        got.append((await gk.select(gk.recv(empty), gk.recv(gk.Chan.nil()), default=True))[0])
        got.append((await gk.select(gk.send(empty, 1), default=True))[0])

    simulate(main, gomaxprocs=1)
    assert got[0] == (1, "x", True)
    assert got[1:] == [-1, -1]


def test_blocked_select_registers_on_every_channel_and_wins_once():
    """selectgo pass 2 and 3 (spec §9.4 steps 5–6): a select blocked on two channels waits on
    both (one waiter in each receive queue); woken by a send on the second, it is removed from
    the first, so a later send on it finds no receiver (it takes the default) instead of
    vanishing into the finished select."""
    got = []
    waiting = []

    async def selector(a, b):
        got.append(await gk.select(gk.recv(a), gk.recv(b)))

    async def main(box):
        a, b = gk.Chan(), gk.Chan()
        gk.go(selector, a, b)
        await gk.gosched()
        waiting.append((len(a.recvq), len(b.recvq)))
        await b.send("B")
        await gk.gosched()
        waiting.append((len(a.recvq), len(b.recvq)))
        i, _, _ = await gk.select(gk.send(a, "A"), default=True)
        got.append(i)

    simulate(main, gomaxprocs=1)
    assert waiting == [(1, 1), (0, 0)]
    assert got == [(1, "B", True), -1]


def test_select_poll_order_is_seeded():
    """One random source drives select (spec §15 may-simplify 4, DESIGN §3): the same seed gives the
    same winners, and some other seed gives different ones."""

    def winners(seed):
        out = []

        async def main(box):
            chans = [gk.Chan(1) for _ in range(4)]
            for c in chans:
                await c.send(0)
            for _ in range(40):
                i, v, _ = await gk.select(*(gk.recv(c) for c in chans))
                out.append(i)
                await chans[i].send(v)

        simulate(main, gomaxprocs=1, seed=seed)
        return out

    assert winners(5) == winners(5)
    assert any(winners(s) != winners(5) for s in range(6, 10))


# --------------------------------------------------------------------------------------------
# Deadlock, panic and thread-limit texts (spec §12, §8.4)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ("wg", "sync.WaitGroup.Wait"),
        ("mutex", "sync.Mutex.Lock"),
        ("select", "select (no cases)"),
        ("send", "chan send"),
        ("selectchans", "select"),
    ],
)
def test_deadlock_dump_names_main_wait_reason(block, reason):
    """checkdead and goroutineheader (spec §12.1 step 6, §12.2): main blocked forever in each
    primitive prints `fatal error: all goroutines are asleep - deadlock!`, a blank line, then
    `goroutine 1 [<wait reason>]:`."""

    async def main():
        if block == "wg":
            wg = gk.WaitGroup()
            wg.add(1)
            await wg.wait()
        elif block == "mutex":
            mu = gk.Mutex()
            await mu.lock()
            await mu.lock()
        elif block == "select":
            await gk.select()
        elif block == "send":
            await gk.Chan().send(1)
        else:
            await gk.select(gk.recv(gk.Chan()), gk.send(gk.Chan(), 1))

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main)
    assert info.value.stderr.startswith(
        f"fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [{reason}]:\n"
    )
    assert info.value.exit_code == 2


@pytest.mark.parametrize("kind", ["sleep", "syscall", "netwait"])
def test_pending_timer_syscall_or_io_postpones_deadlock_detection(kind):
    """checkdead (spec §12.1 steps 2 and 5): while a goroutine sleeps (a timer is pending), sits
    in a syscall (its M runs) or waits for I/O, main blocked forever is not yet a deadlock. Once
    that goroutine has finished, it is."""

    async def helper():
        if kind == "sleep":
            await gk.sleep(ms=5)
        elif kind == "syscall":
            await gk.syscall(ms=5)
        else:
            await gk.netwait(ms=5)

    async def main():
        gk.go(helper)
        await gk.Chan().recv()

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main)
    assert info.value.stderr.startswith("fatal error: all goroutines are asleep - deadlock!\n")
    assert info.value.trace is not None
    headers = re.findall(r"^goroutine (\d+) \[([^\]]*)\]:$", info.value.stderr, re.M)
    assert headers == [("1", "chan receive")]


def test_panic_in_main_prints_value_and_running_header():
    """Unrecovered panic (spec §12.3): `panic: boom`, a blank line, `goroutine 1 [running]:`."""

    async def main():
        gk.panic("boom")

    with pytest.raises(gk.GoPanic) as info:
        gk.run(main)
    assert info.value.stderr.startswith("panic: boom\n\ngoroutine 1 [running]:\n")
    assert info.value.exit_code == 2


def test_recovered_panic_does_not_end_the_program():
    """recover (spec §12.3): a panic caught inside the goroutine leaves the program running."""

    async def main():
        try:
            gk.panic("boom")
        except Exception as e:
            gk.println("recovered:", e)

    trace = gk.run(main)
    assert trace.stdout == "recovered: boom\n"
    assert trace.exit_code == 0


def test_thread_limit_message():
    """checkmcount (spec §8.4): one more thread than `max_threads` is fatal with Go's two lines."""

    async def blocker():
        await gk.syscall(ms=50)

    async def main():
        for _ in range(8):
            gk.go(blocker)
        await gk.sleep(ms=20)

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main, max_threads=5)
    assert info.value.stderr.startswith(
        "runtime: program exceeds 5-thread limit\nfatal error: thread exhaustion\n"
    )


def test_main_returning_ends_the_program_at_once():
    """Spec §3 step 5: when main.main returns the process exits; other goroutines do not run on."""
    out = []

    async def late():
        await gk.sleep(ms=1)
        out.append("late")

    async def main():
        gk.go(late)
        gk.println("bye")

    trace = gk.run(main)
    assert trace.stdout == "bye\n"
    assert out == []
    assert trace.exit_code == 0


# --------------------------------------------------------------------------------------------
# sysmon and the time slice (spec §7.2–7.4)
# --------------------------------------------------------------------------------------------


def test_runnext_chain_does_not_advance_schedtick():
    """execute with inheritTime (spec §5.1 step 7, §15 must-not-simplify 1): goroutines woken into
    runnext share the current slice, so a ping-pong of 100 exchanges leaves schedtick unchanged."""
    seen = {}

    async def main(box):
        a, b = gk.Chan(), gk.Chan()

        async def echo():
            for _ in range(100):
                await b.send(await a.recv())

        gk.go(echo)
        await gk.gosched()  # echo parks on a
        _, _, p = me(box.sched)
        t0 = p.schedtick
        for i in range(100):
            await a.send(i)
            await b.recv()
        seen["delta"] = p.schedtick - t0

    simulate(main, gomaxprocs=1)
    assert seen["delta"] == 0


def test_without_preemption_a_cpu_hog_keeps_the_p():
    """Teaching switch `preemption=False`: sysmon never preempts, so main's Gosched on one P does
    not come back until the 50 ms hog finishes."""
    seen = {}

    async def hog():
        await gk.work(ms=50)

    async def main(box):
        gk.go(hog)
        t0 = gk.now()
        await gk.gosched()
        seen["wait"] = gk.now() - t0

    simulate(main, gomaxprocs=1, preemption=False)
    assert seen["wait"] >= 50 * MS
