"""Closed and nil channel semantics: the three panic texts, draining a closed buffer, nil send."""

import gmpkit as gk

KIND = "exact"
GOMAXPROCS = 2
SPEC = "§9.1–§9.4, §14 B12b"


async def attempt(name, fn):
    try:
        await fn()
    except Exception as exc:  # gmpkit raises Go's panics as Python exceptions inside goroutines
        gk.println(f"{name}: {panic_text(exc)}")


def panic_text(exc):
    v = getattr(exc, "value", None)
    return str(v if v is not None else exc)


async def main():
    async def close_closed():
        c = gk.Chan()
        c.close()
        c.close()

    async def close_nil():
        gk.Chan.nil().close()

    async def send_closed():
        c = gk.Chan(1)
        c.close()
        await c.send(1)

    await attempt("close-closed", close_closed)
    await attempt("close-nil", close_nil)
    await attempt("send-closed", send_closed)
    c = gk.Chan(2)
    await c.send(7)
    c.close()
    v, ok = await c.recv2()
    w, ok2 = await c.recv2()
    b = {True: "true", False: "false"}
    gk.println(v, b[ok], "then", 0 if w is None else w, b[ok2])
    i, _v, _ok = await gk.select(gk.send(gk.Chan.nil(), 1), default=True)
    gk.println("sent on nil" if i == 0 else "nil send in select takes default")
