"""time.After (``gk.after``): a Go 1.23+ timer channel (spec §10): its timer is in a P's heap
only while a goroutine waits on it."""

from __future__ import annotations

import gmpkit as gk

MS = 1_000_000


def test_after_delivers_the_time_it_fired():
    """A receive on `time.After(d)` returns after d of virtual time, with the firing time."""
    got = []

    async def main():
        start = gk.now()
        t = await gk.after(ms=3).recv()
        got.append((t - start, gk.now() - start))

    gk.run(main)
    ((fired, woke),) = got
    assert 3 * MS <= fired < 3 * MS + 100_000
    assert woke >= fired


def test_select_takes_the_timeout_when_nothing_else_is_ready():
    """`select { case <-ch: case <-time.After(5ms): }` with a sender 20 ms away times out at
    5 ms; the late value is still there for the next select."""
    out = []

    async def main():
        ch = gk.Chan()

        async def late():
            await gk.sleep(ms=20)
            await ch.send("late")

        gk.go(late)
        i, _, _ = await gk.select(gk.recv(ch), gk.recv(gk.after(ms=5)))
        out.append((i, gk.now() // MS))
        i, v, _ = await gk.select(gk.recv(ch), gk.recv(gk.after(ms=200)))
        out.append((i, v, gk.now() // MS))

    gk.run(main, gomaxprocs=2)
    assert out[0] == (1, 5)
    assert out[1][:2] == (0, "late") and out[1][2] in (20, 21)


def test_unwatched_timer_runs_at_the_receive_and_reports_its_due_time():
    """Go 1.23+: nobody waits, so the timer sits in no heap; the later receive runs it
    (maybeRunChan) and gets the time it was due, at once. len() of a timer channel is 0
    (chanlen hides the value), even when it is due."""
    got = []

    async def main():
        start = gk.now()
        c = gk.after(ms=1)
        await gk.sleep(ms=5)
        got.append(len(c))
        before = gk.now()
        t = await c.recv()
        got.append(((t - start) // MS, gk.now() - before))

    gk.run(main)
    assert got[0] == 0
    assert got[1][0] == 1 and got[1][1] < 1000  # the receive's own cost, no waiting


def test_after_outside_a_goroutine_is_a_usage_error():
    try:
        gk.after(ms=1)
    except gk.UsageError as e:
        assert "gk.run" in str(e)
    else:
        raise AssertionError("gk.after outside a run must fail")


def test_negative_after_is_refused():
    async def main():
        gk.after(ms=-1)

    try:
        gk.run(main)
    except gk.UsageError as e:
        assert "negative" in str(e)
    else:
        raise AssertionError("a negative duration must fail")


def _state(timer, start):
    """A ChanTimer as (due ms after start or 0 once run, waiters, heap's P or None)."""
    due = round((timer.when - start) / MS, 3) if timer.when else 0
    return due, timer.blocked, None if timer.p is None else timer.p.id


def test_polled_timer_fires_at_the_first_poll_after_it_is_due():
    """select-default on a pending time.After runs the due timer itself (selectgo's
    maybeRunChan): a busy poller sees it at its first poll past 1 ms, not when sysmon next
    preempts it (10 ms or later), which is what a timer kept in the P's heap would give."""
    seen = []

    async def main():
        start = gk.now()
        t = gk.after(ms=1)
        while True:
            i, _, _ = await gk.select(gk.recv(t), default=True)
            if i == 0:
                seen.append(gk.now() - start)
                return
            await gk.work(us=20)

    gk.run(main)
    assert MS <= seen[0] < MS + 50_000


def test_unreceived_timer_does_not_keep_the_program_alive():
    """A time.After nobody waits on is in no heap: main blocking forever on another channel is
    a deadlock at once, not after the timer's 50 ms."""

    async def main():
        gk.after(ms=50)
        await gk.Chan().recv()

    r = gk.run(main, check=False)
    assert r.exit_code == 2 and "all goroutines are asleep - deadlock!" in r.stderr
    assert r.now_ns < MS


def test_abandoned_select_timer_leaves_the_heap():
    """A select that took another case unblocks its time.After timer (unblockTimerChan): the
    timer leaves the P's heap, so main's next block is a deadlock at about 1 ms, not at 50 ms."""

    async def main():
        c = gk.Chan()

        async def sender():
            await gk.sleep(ms=1)
            await c.send(1)

        gk.go(sender)
        await gk.select(gk.recv(c), gk.recv(gk.after(ms=50)))
        await c.recv()

    r = gk.run(main, check=False)
    assert r.exit_code == 2 and "deadlock" in r.stderr
    assert MS <= r.now_ns < 2 * MS


def test_waiting_receiver_puts_the_timer_in_its_p_heap_and_the_timer_wakes_it():
    """blockTimerChan: the waiter's P gets the timer; when it fires, the waiter is woken with
    the due time and the timer is in no heap any more."""
    states = []

    async def main():
        start = gk.now()
        c = gk.after(ms=2)
        states.append(_state(c.timer, start))

        async def watch():
            await gk.sleep(ms=1)
            states.append(_state(c.timer, start))
            states.append(repr(c.timer))

        gk.go(watch)
        t = await c.recv()
        states.append((round((t - start) / MS, 3), _state(c.timer, start)))

    gk.run(main)
    assert states[0] == (2.0, 0, None)
    assert states[1] == (2.0, 1, 0)
    assert states[2].endswith("blocked=1, in P0's heap)")
    assert states[3] == (2.0, (0, 0, None))


def test_timer_moves_with_its_heap_when_gomaxprocs_shrinks():
    """A waiter on P1 puts the timer in P1's heap (blockTimerChan); moveTimers takes it to P0's
    when GOMAXPROCS drops to 1, and it still fires on time there."""
    out = []

    async def main():
        start = gk.now()
        c = gk.after(ms=3)
        done = gk.Chan()

        async def waiter():
            t = await c.recv()
            out.append((round((t - start) / MS, 3), (gk.now() - start) // 100_000 / 10))
            await done.send(None)

        gk.go(waiter)
        await gk.work(ms=1)  # the waiter is stolen by P1 and blocks there
        out.append(_state(c.timer, start))
        await gk.set_gomaxprocs(1)
        out.append(_state(c.timer, start))
        await done.recv()

    gk.run(main, gomaxprocs=2)
    assert out[0] == (3.0, 1, 1)
    assert out[1] == (3.0, 1, 0)
    assert out[2] == (3.0, 3.0)  # the due time, received within 0.1 ms of it


def test_timer_channel_is_receive_only():
    """time.After returns a <-chan Time: send, close and a send case are refused with a message
    naming the fix."""
    errors = []

    async def main():
        c = gk.after(ms=1)
        for attempt in (lambda: c.send(1), lambda: c.close(), lambda: gk.select(gk.send(c, 1))):
            try:
                aw = attempt()
                if aw is not None:
                    await aw
            except gk.UsageError as e:
                errors.append(str(e))

    gk.run(main)
    assert len(errors) == 3
    assert all("receive-only" in e and "gk.Chan()" in e for e in errors)
