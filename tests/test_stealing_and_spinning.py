"""Run queues, stealing and spinning Ms: one test per rule of proc.go, each with queues that are
not empty where the order matters, so that head and tail, first and last cannot look alike.

Expected values are derived from the algorithm in go-scheduler.md (§4, §5), never from the
model's output; where a rule depends on a random choice (the steal order) the test runs several
seeds and states what must hold for every one.
"""

from __future__ import annotations

import pytest
from simhelpers import MS, US, Events, ids, me, simulate

import gmpkit as gk


async def noop():
    pass


# --------------------------------------------------------------------------------------------
# newproc, runqputslow, the 1-in-61 check, gfget
# --------------------------------------------------------------------------------------------


def test_newproc_calls_wakep_so_an_idle_p_gets_a_spinning_m_at_once():
    """newproc step 6 (spec §4.1, §4.3 wakep): after a `go` statement, with an idle P and no M
    spinning, one M is already counted as spinning when the statement returns -- the creator
    does not have to block first."""
    seen = {}

    async def main(box):
        await gk.sleep(ms=1)  # the runtime's goroutines park; every P but P0 idle
        await gk.work(us=100)  # the spinner woken with main finds nothing and parks
        s = box.sched
        seen["before"] = (s.nmspinning, s.npidle)
        gk.go(noop)
        seen["after"] = (s.nmspinning, s.npidle)
        await gk.work(ms=1)

    simulate(main, gomaxprocs=2)
    assert seen["before"] == (0, 1)
    assert seen["after"] == (1, 0)  # wakep took the idle P for the spinner


def test_runqputslow_appends_its_batch_after_what_the_global_queue_holds():
    """runqputslow (spec §4.2 step 4): the 128 oldest local goroutines and the kicked one go to
    the *tail* of the global queue. With one P: hog is preempted by sysmon onto the global queue
    (spec §7.4); then main makes 258 goroutines, so the global queue is [hog, g0..g127, g256]."""
    seen = {}

    async def hog():
        await gk.work(ms=30)

    async def main(box):
        await gk.sleep(ms=1)  # the runtime's goroutines park first
        h = gk.go(hog)
        await gk.sleep(ms=1)  # hog runs; main's timer fires only when sysmon preempts hog
        s = box.sched
        seen["premise"] = ids(s.runq) == [h]
        gs = [gk.go(noop) for _ in range(258)]
        seen.update(h=h, gs=gs, grq=ids(s.runq))

    simulate(main, gomaxprocs=1)
    assert seen["premise"]
    gs = seen["gs"]
    assert seen["grq"] == [seen["h"], *gs[:128], gs[256]]


def test_the_61st_tick_takes_the_global_queue_even_when_runnext_is_set():
    """The 1-in-61 check (spec §5.2 step 4) comes before runnext (step 6): when a schedule starts
    with schedtick % 61 == 0 and the global queue is not empty, its head runs even though
    runnext holds a goroutine. Here X waits on the global queue while local goroutines each
    start a child (into runnext) and exit: X must run between a parent and its child (without
    the check it would run after the child, when runnext is empty)."""
    order = []

    async def child(i):
        order.append(("c", i))

    async def parent(i, wg):
        gk.go(child, i)
        order.append(("p", i))
        wg.done()

    async def x(wg):
        await gk.gosched()  # to the global queue tail
        order.append(("X", None))
        wg.done()

    async def main(box):
        await gk.sleep(ms=1)
        wg = gk.WaitGroup()
        for i in range(150):
            wg.add(1)
            gk.go(parent, i, wg)
        wg.add(1)
        gk.go(x, wg)  # runnext: X runs first and goes to the global queue
        await wg.wait()

    simulate(main, gomaxprocs=1)
    k = order.index(("X", None))
    (before, _), (after, _) = order[k - 1], order[k + 1]
    assert 0 < k < len(order) - 1
    assert (before, after) == ("p", "c")  # runnext (the child) was set, yet X came first


def test_gfget_reuses_a_dead_g_instead_of_making_a_new_one():
    """gfput/gfget (spec §4.1 step 2, §1 "per-P free-G list"): a goroutine that exits leaves
    its G on the P's free list, and the next `go` on that P takes it: allgs does not grow, and
    scheddetail's gfreecnt goes from 1 back to 0."""
    seen = {}

    async def main(box):
        s = box.sched
        await gk.sleep(ms=1)
        n0 = len(s.allg)
        a = gk.go(noop)
        await gk.sleep(ms=1)  # a runs and exits
        _, _, p = me(s)
        seen["free"] = p.gfreecnt
        g_a = [g for g in s.allg if g.goid == a][0]
        b = gk.go(noop)
        seen.update(n0=n0, n1=len(s.allg), reused=g_a.goid == b, free_after=p.gfreecnt)

    simulate(main, gomaxprocs=1)
    assert seen["n1"] == seen["n0"] + 1  # a made one G; b got a's
    assert seen["reused"]
    assert (seen["free"], seen["free_after"]) == (1, 0)


# --------------------------------------------------------------------------------------------
# stealWork: which round may take runnext and timers, and the 3 µs back-off
# --------------------------------------------------------------------------------------------


def _three_p_program(seen, victim_timer=False):
    """Three Ps, all busy: main on one, A and B on the others. A made `a` (in its local queue
    behind runnext), B made `r` (its runnext only) -- or, with victim_timer, B's P holds the
    expired timer of a sleeper S instead. When main blocks, its M steals: what does it take?"""

    async def a_or_r():
        seen.setdefault("first", gk.goid())

    async def sleeper():
        await gk.sleep(us=100)
        seen.setdefault("first", gk.goid())

    async def hog_a():
        await gk.work(ms=1)
        seen["a"] = gk.go(a_or_r)  # kicked to the local queue by the next go
        gk.go(noop)
        await gk.work(ms=5)

    async def hog_b():
        await gk.work(ms=1)
        if victim_timer:
            seen["r"] = gk.go(sleeper)
            await gk.gosched()  # S runs on this P and sleeps: its timer is in this P's heap
        else:
            seen["r"] = gk.go(a_or_r)  # runnext of this P, nothing in its local queue
        await gk.work(ms=5)

    async def main(box):
        gk.go(hog_a)
        await gk.work(us=300)
        gk.go(hog_b)
        await gk.work(ms=2)  # everyone busy; A and B made their goroutines meanwhile
        s = box.sched
        seen["busy"] = s.npidle
        await gk.sleep(ms=10)

    return main


@pytest.mark.parametrize("seed", range(8))
def test_runnext_is_stolen_only_in_the_last_round(seed):
    """stealWork (spec §5.3, §0 item 4): runnext may be stolen only in the last round of 4.
    When main blocks, one victim has a goroutine in its local queue and the other only in its
    runnext; whichever the random order visits first, the thief takes from the local queue in
    the first round and leaves runnext alone."""
    seen = {}
    simulate(_three_p_program(seen), gomaxprocs=3, seed=seed)
    assert seen["busy"] == 0
    assert seen["first"] == seen["a"]


@pytest.mark.parametrize("seed", range(8))
def test_a_victims_timers_are_run_only_in_the_last_round(seed):
    """stealWork (spec §5.3): a thief runs another P's expired timers only in the last round.
    One victim's heap holds the expired timer of a sleeper S, the other victim has `a` in its
    local queue: the thief steals `a` in the first round, S is not woken by the thief."""
    seen = {}
    simulate(_three_p_program(seen, victim_timer=True), gomaxprocs=3, seed=seed)
    assert seen["busy"] == 0
    assert seen["first"] == seen["a"]


def _steal_start_delay(in_runnext):
    """How long after main blocks the goroutine stolen from busy P1 starts on P0."""
    seen = {}

    async def victim_owner():
        await gk.work(us=200)
        seen["x"] = gk.go(x)
        if not in_runnext:
            gk.go(noop)  # kicks x into the local queue
            seen["extra"] = True
        await gk.work(ms=5)

    async def x():
        seen["start"] = gk.now()

    async def main(box):
        gk.go(victim_owner)
        await gk.work(ms=1)
        seen["blocked"] = gk.now()
        await gk.sleep(ms=10)

    simulate(main, gomaxprocs=2, costs=gk.Costs(switch_ns=0, step_ns=0))
    return seen["start"] - seen["blocked"]


def test_stealing_a_running_ps_runnext_waits_3_us_first():
    """runqgrab (spec §5.3 step 2, §1 "runnext-steal backoff"): before taking the runnext of a
    P that is running, the thief sleeps 3 µs (usleep(3)) to give the owner a chance to run it;
    taking from a local queue does not wait. The same theft is 3 µs later from runnext."""
    from_runnext = _steal_start_delay(True)
    from_local = _steal_start_delay(False)
    assert from_runnext - from_local == 3 * US


# --------------------------------------------------------------------------------------------
# Spinning Ms: at most half the busy Ps (spec §5.2 step 9)
# --------------------------------------------------------------------------------------------


class SpinBound(Events):
    """Checks, at every M that starts spinning, the bound findRunnable enforces before it lets
    an M spin: 2*nmspinning < GOMAXPROCS - npidle, counted before this M joined."""

    def attach(self, sched):
        self.sched = sched
        self.violations = []

    def event(self, ev):
        super().event(ev)
        if ev.kind == "MSpin":
            s = self.sched
            if not 2 * (s.nmspinning - 1) < s.gomaxprocs - s.npidle:
                self.violations.append((ev.t, ev.m, s.nmspinning, s.npidle))


def test_at_most_half_the_busy_ps_have_spinning_ms():
    """findRunnable step 9 (spec §5.2, §15 must-not-simplify 6): an M may start spinning only if
    2*nmspinning < GOMAXPROCS - npidle. main starts x (a spinner is on its way to P1), then
    parks, and x parks too: P0's M looks for work while one M spins and no P is idle, so it
    must not spin (2*1 < 2 fails). Checked at every MSpin of that program and of a busier one."""

    async def x():
        await gk.sleep(us=1)

    async def main():
        await gk.sleep(ms=1)
        gk.go(x)
        await gk.sleep(us=5)

    async def busy():
        for _ in range(4):
            for _ in range(6):
                gk.go(x)
            await gk.sleep(us=3)

    for prog, procs in ((main, 2), (busy, 4)):
        for seed in range(3):
            rec = SpinBound()
            gk.run(prog, gomaxprocs=procs, seed=seed, observers=[rec], record=False)
            assert rec.of("MSpin"), "the premise: some M spun"
            assert rec.violations == []


# --------------------------------------------------------------------------------------------
# goready's wakep; the thread limit (checkmcount)
# --------------------------------------------------------------------------------------------


def test_goready_calls_wakep_so_the_woken_goroutine_can_run_on_an_idle_p():
    """ready (spec §6: goready = runqput(next) then wakep unconditionally): a receiver woken by
    main's send lands in runnext of main's P, but wakep starts a spinner for the idle P, which
    steals it while main is still busy: it runs on the other P before main's 1 ms of work is
    over."""
    seen = {}

    async def receiver(ch):
        await ch.recv()
        seen["p"], seen["t"] = gk.procid(), gk.now()

    async def main():
        ch = gk.Chan()
        gk.go(receiver, ch)
        await gk.sleep(ms=1)  # the receiver waits on ch; P1 is idle
        await gk.work(us=100)  # the spinner woken with main finds nothing and parks
        seen["main_p"] = gk.procid()
        await ch.send(1)
        t0 = gk.now()
        await gk.work(ms=1)
        seen["main_done"] = t0 + MS

    gk.run(main, gomaxprocs=2)
    assert seen["p"] != seen["main_p"]
    assert seen["t"] < seen["main_done"]


def test_the_thread_limit_counts_every_thread_up_to_and_including_the_limit():
    """checkmcount (spec §8.4, §1 "max threads"): the program dies with `thread exhaustion`
    only when one more thread than the limit is needed. A program that needs N threads at its
    peak runs with max_threads=N and dies with N-1."""

    async def blocker():
        await gk.syscall(ms=5)

    async def main():
        for _ in range(4):
            gk.go(blocker)
        await gk.sleep(ms=20)

    peak = len(gk.run(main, gomaxprocs=2).sched.allm)
    ok = gk.run(main, gomaxprocs=2, max_threads=peak, check=False)
    assert ok.exit_code == 0
    dead = gk.run(main, gomaxprocs=2, max_threads=peak - 1, check=False)
    assert dead.stderr.startswith(
        f"runtime: program exceeds {peak - 1}-thread limit\nfatal error: thread exhaustion\n")
