"""Channels, timers, sync and the runtime's text (schedtrace, dumps): one test per rule, with
more than one waiter wherever the order matters.

Expected values follow go-scheduler.md (§9 channels and semaphores, §10 timers, §12 dumps, §13
schedtrace) and internal/sync/mutex.go for the Mutex's starvation mode.
"""

from __future__ import annotations

import re

import pytest
from simhelpers import me, simulate

import gmpkit as gk

# --------------------------------------------------------------------------------------------
# Channels (spec §9.1–9.3)
# --------------------------------------------------------------------------------------------


def test_waiting_receivers_are_served_first_in_first_out():
    """chansend step 4 (spec §9.1: recvq.dequeue is FIFO): r1, r2, r3 block receiving in that
    order; main's sends 1, 2, 3 go to r1, r2, r3 respectively."""
    got = {}

    async def r(name, ch, wg):
        got[name] = await ch.recv()
        wg.done()

    async def main():
        ch, wg = gk.Chan(), gk.WaitGroup()
        for name in ("r1", "r2", "r3"):
            wg.add(1)
            gk.go(r, name, ch, wg)
            await gk.gosched()  # each one blocks before the next starts
        for v in (1, 2, 3):
            await ch.send(v)
        await wg.wait()

    gk.run(main, gomaxprocs=1)
    assert got == {"r1": 1, "r2": 2, "r3": 3}


def test_a_send_to_a_waiting_receiver_is_a_direct_handoff_even_with_buffer_room():
    """chansend step 4 before step 5 (spec §9.1, §15 must-not-simplify 9): a waiting receiver
    gets the value by direct handoff -- the buffer is bypassed even when it has room: after
    the send the buffer is still empty, and goready has put the receiver in runnext of the
    sender's P (spec §6)."""
    seen = {}

    async def r(ch):
        seen["v"] = await ch.recv()

    async def main(box):
        ch = gk.Chan(4)
        rid = gk.go(r, ch)
        await gk.gosched()  # r blocks on the empty channel
        await ch.send("x")
        _, _, p = me(box.sched)
        seen.update(len=len(ch), runnext=p.runnext.goid if p.runnext else None, rid=rid)
        await gk.gosched()

    simulate(main, gomaxprocs=1)
    assert (seen["len"], seen["runnext"], seen["v"]) == (0, seen["rid"], "x")


def test_a_sender_blocked_when_the_channel_is_closed_panics():
    """closechan (spec §9.3, §9.1 step 7): senders still waiting when the channel is closed are
    woken with success = false and panic `send on closed channel` (here recovered)."""
    got = []

    async def sender(ch):
        try:
            await ch.send(1)
            got.append("sent")
        except gk.PanicError as e:
            got.append(str(e))

    async def main():
        ch = gk.Chan()
        gk.go(sender, ch)
        await gk.gosched()  # the sender blocks: nobody receives
        ch.close()
        await gk.gosched()

    gk.run(main, gomaxprocs=1)
    assert got == ["send on closed channel"]


def test_gosched_puts_the_goroutine_on_the_global_queue_tail_not_its_local_queue():
    """goschedImpl (spec §7.1, §0 item 3): Gosched puts the caller on the global queue tail,
    not on its P's local queue (only goyield does that). One P: main yields first (onto the
    global queue), then X, from runnext, yields; Y, next in the local queue, finds the global
    queue holding [main, X] and its own local queue empty."""
    seen = {}

    async def y(box):
        _, _, p = me(box.sched)
        seen.update(grq=[g.goid for g in box.sched.runq], local=[g.goid for g in p.runq])

    async def x():
        await gk.gosched()

    async def main(box):
        await gk.sleep(ms=1)
        gk.go(y, box)
        seen["x"] = gk.go(x)  # runnext; Y goes to the local queue
        await gk.gosched()
        await gk.sleep(ms=1)

    simulate(main, gomaxprocs=1)
    assert (seen["grq"], seen["local"]) == ([1, seen["x"]], [])


# --------------------------------------------------------------------------------------------
# Timers (spec §10)
# --------------------------------------------------------------------------------------------


def test_a_sleepers_timer_goes_into_the_heap_of_the_current_p():
    """time.Sleep (spec §10: resetForSleep puts the timer into the *current P's* heap): a
    goroutine that sleeps while running on P1 leaves its timer in P1's heap, not P0's."""
    seen = {}

    async def sleeper():
        seen["p"] = gk.procid()
        await gk.sleep(ms=5)

    async def main(box):
        gk.go(sleeper)
        await gk.work(ms=1)  # P1's spinner steals the sleeper, which parks there
        s = box.sched
        seen["timers"] = [len(p.timers) for p in s.allp]
        seen["main_p"] = gk.procid()

    simulate(main, gomaxprocs=2)
    assert seen["p"] != seen["main_p"]
    expect = [0, 0]
    expect[seen["p"]] = 1
    assert seen["timers"] == expect


# --------------------------------------------------------------------------------------------
# sync.Mutex, WaitGroup, Cond (spec §9.5; internal/sync/mutex.go)
# --------------------------------------------------------------------------------------------


def _barging(hold_ms):
    """main holds a Mutex for hold_ms while W waits for it, then unlocks and at once locks it
    again. Who gets it?"""
    out = []

    async def w(mu):
        await mu.lock()
        out.append("W")
        mu.unlock()

    async def main():
        mu = gk.Mutex()
        await mu.lock()
        gk.go(w, mu)
        await gk.gosched()  # W blocks on the mutex
        await gk.work(ms=hold_ms)
        mu.unlock()
        await mu.lock()  # barge in again
        out.append("main")
        mu.unlock()
        await gk.sleep(ms=1)

    gk.run(main, gomaxprocs=1)
    return out


@pytest.mark.parametrize(("hold_ms", "first"), [(0.5, "main"), (2, "W"), (6, "W")])
def test_mutex_starvation_mode_hands_the_lock_to_a_waiter_that_waited_over_1_ms(hold_ms, first):
    """sync.Mutex (spec §9.5, mutex.go starvationThresholdNs = 1 ms): in normal mode a woken
    waiter competes with newcomers and the unlocker can barge in again; once a waiter has waited
    more than 1 ms the mutex is in starvation mode and Unlock hands the lock straight to it.
    W waited 0.5 ms: main gets the lock back; W waited 2 or 6 ms: W gets it first."""
    assert _barging(hold_ms)[0] == first


def test_a_mutex_waiter_that_loses_the_race_requeues_at_the_head():
    """semacquire with lifo (spec §9.5): a woken waiter that finds the mutex taken again waits
    at the head of the queue, not the tail: W1 and W2 wait; main's unlock wakes W1, main locks
    again first (normal mode), so W1 waits again -- ahead of W2 -- and gets the next unlock."""
    out = []

    async def w(name, mu):
        await mu.lock()
        out.append(name)
        mu.unlock()

    async def main():
        mu = gk.Mutex()
        await mu.lock()
        gk.go(w, "W1", mu)
        await gk.gosched()
        gk.go(w, "W2", mu)
        await gk.gosched()  # W1 then W2 block
        mu.unlock()  # wakes W1 (into runnext) ...
        await mu.lock()  # ... but main takes the lock first
        await gk.gosched()  # W1 runs, finds it locked, waits again
        mu.unlock()
        await gk.sleep(ms=1)

    gk.run(main, gomaxprocs=1)
    assert out == ["W1", "W2"]


def test_waitgroup_releases_its_waiters_oldest_first_through_runnext():
    """WaitGroup.Add reaching zero (spec §9.5, §6 goready): the waiters w1, w2, w3 are readied
    oldest first, each into runnext, kicking the previous one to the local queue: they run w3,
    w1, w2 (Go: `main-done main-continues w3 w1 w2`, the waitgroup_wake_order pair)."""
    out = []

    async def waiter(name, wg):
        await wg.wait()
        out.append(name)

    async def main():
        wg = gk.WaitGroup()
        wg.add(1)
        for name in ("w1", "w2", "w3"):
            gk.go(waiter, name, wg)
            await gk.gosched()
        wg.done()
        await gk.sleep(ms=1)

    gk.run(main, gomaxprocs=1)
    assert out == ["w3", "w1", "w2"]


def test_cond_signal_wakes_the_goroutine_that_waited_longest():
    """sync.Cond.Signal (notifyListNotifyOne: the oldest ticket): c1, c2, c3 wait in that
    order; one Signal wakes c1 only."""
    out = []

    async def c(name, cond):
        await cond.L.lock()
        await cond.wait()
        out.append(name)
        cond.L.unlock()

    async def main():
        cond = gk.Cond(gk.Mutex())
        for name in ("c1", "c2", "c3"):
            gk.go(c, name, cond)
            await gk.gosched()
        cond.signal()
        await gk.sleep(ms=1)

    gk.run(main, gomaxprocs=1)
    assert out == ["c1"]


# --------------------------------------------------------------------------------------------
# schedtrace and scheddetail (spec §13)
# --------------------------------------------------------------------------------------------


def _detail_block(main, **options):
    trace = gk.run(main, godebug="schedtrace=1,scheddetail=1", **options)
    return trace.schedtrace_lines


def test_schedtrace_counts_the_local_queue_without_runnext():
    """schedtrace (spec §13: LRQ length = runqtail - runqhead, runnext not counted): one P with
    runnext c and a, b in the local queue prints `[ 2 ]` while main burns CPU; scheddetail's
    `runqsize=` is 2 as well."""

    async def noop():
        pass

    async def main():
        await gk.sleep(ms=1)
        for _ in range(3):
            gk.go(noop)  # runnext: the last; local queue: the first two
        await gk.work(ms=3)

    plain = gk.run(main, gomaxprocs=1, godebug="schedtrace=1").schedtrace_lines
    busy = [ln for ln in plain if "runqueue=0 [" in ln][-1]
    assert " runqueue=0 [ 2 ] schedticks=" in busy
    detail = _detail_block(main, gomaxprocs=1)[-1]
    assert "  P0: status=1 " in detail and " runqsize=2 " in detail


def test_schedtrace_threads_counts_every_m_sysmon_included():
    """schedtrace's threads= is mcount() (spec §2.4, §13): every M ever made, sysmon's included,
    so it equals gk.mcount() and the number of M lines scheddetail prints."""
    seen = {}

    async def main():
        await gk.work(ms=3)
        seen["mcount"] = gk.mcount()

    blocks = _detail_block(main, gomaxprocs=2)
    last = blocks[-1]
    threads = int(re.search(r" threads=(\d+) ", last).group(1))
    m_lines = [ln for ln in last.splitlines() if ln.startswith("  M")]
    assert threads == seen["mcount"] == len(m_lines)
    assert any(" M1: p=nil curg=nil " in "  " + ln.strip() for ln in m_lines)  # sysmon


def test_scheddetail_lists_the_ms_newest_first():
    """scheddetail (spec §13: per M, in allm order, newest first): the M lines' ids go down."""

    async def blocker():
        await gk.syscall(ms=2)

    async def main():
        for _ in range(3):
            gk.go(blocker)
        await gk.work(ms=3)

    last = _detail_block(main, gomaxprocs=2)[-1]
    mids = [int(m) for m in re.findall(r"^  M(\d+):", last, re.M)]
    assert len(mids) >= 4 and mids == sorted(mids, reverse=True)


# --------------------------------------------------------------------------------------------
# Dumps (spec §12.2)
# --------------------------------------------------------------------------------------------


def test_a_dump_header_counts_the_minutes_a_goroutine_has_been_blocked():
    """goroutineheader (spec §12.2): a goroutine blocked for a minute or more shows `, N minutes`
    after its wait reason (whole minutes, `1 minutes` included); one blocked less, nothing."""

    async def stuck():
        await gk.Chan.nil().recv()

    async def late():
        await gk.Chan().recv()

    async def main():
        gk.go(stuck)
        await gk.sleep(ms=61_000)
        gk.go(late)
        await gk.sleep(ms=60_000)  # stuck: 121 s; late: 60 s
        await gk.sleep(ms=500)
        await gk.Chan().recv()

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main, until_ms=200_000)
    heads = re.findall(r"^goroutine \d+ \[([^\]]*)\]:$", info.value.stderr, re.M)
    assert heads == ["chan receive", "chan receive (nil chan), 2 minutes",
                     "chan receive, 1 minutes"]


def test_a_trace_dump_lists_goroutines_in_creation_order():
    """tracebackothers walks allgs, i.e. the Gs in creation order (spec §12.2): Trace's
    goroutine_dump, taken while main runs, lists goroutine 1, then the others as they were made."""
    seen = {}

    async def forever():
        await gk.select()

    async def main(box):
        made = [gk.go(forever) for _ in range(3)]
        await gk.sleep(ms=1)
        from gmpkit import dump

        seen["made"] = made
        seen["dump"] = dump.goroutine_dump(box.sched)

    simulate(main, gomaxprocs=1)
    ids = [int(x) for x in re.findall(r"^goroutine (\d+) ", seen["dump"], re.M)]
    assert ids == [1, *seen["made"]]
