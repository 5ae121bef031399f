"""time.After (``gk.after``): a channel timer on the current P's heap (spec §10)."""

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


def test_fired_timer_with_nobody_waiting_keeps_one_value():
    """The timer's send never blocks: with nobody receiving, the value waits in the channel."""
    got = []

    async def main():
        c = gk.after(ms=1)
        await gk.sleep(ms=5)
        got.append(len(c))
        got.append(await c.recv() // MS)

    gk.run(main)
    assert got[0] == 1 and got[1] in (1, 2)


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
