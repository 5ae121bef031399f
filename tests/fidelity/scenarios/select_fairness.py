"""select: uniform random choice among ready cases; default only when none is ready."""

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 1
GO_RUNS = 20
SEEDS = (0, 1)
SPEC = "§9.4, §14 B14"
ROUNDS = 30_000
# Binomial(30000, 1/3): sd = 81.6 (0.0027 of a share). The three cases are alike, so each share's
# bounds are the range of all 180 shares in the 60 recorded Go runs (-3.7 to +3.6 sd).
SHARE = (0.3233, 0.3431)
BOUNDS = {"share0": SHARE, "share1": SHARE, "share2": SHARE, "defaults": (1000, 1000)}


def observe(stdout, stderr, exit_code):
    xs = [int(x) for x in stdout.split()]
    if len(xs) != 4 or exit_code != 0:
        return {"exit": exit_code}
    total = sum(xs[:3])
    return {"share0": round(xs[0] / total, 4), "share1": round(xs[1] / total, 4),
            "share2": round(xs[2] / total, 4), "defaults": xs[3]}


async def main():
    await gk.gosched()
    cs = [gk.Chan(1) for _ in range(3)]
    for c in cs:
        await c.send(0)
    counts = [0, 0, 0]
    for _ in range(ROUNDS):
        i, _v, _ok = await gk.select(gk.recv(cs[0]), gk.recv(cs[1]), gk.recv(cs[2]))
        counts[i] += 1
        await cs[i].send(0)
    empty = gk.Chan()
    defaults = 0
    for _ in range(1000):
        i, _v, _ok = await gk.select(gk.recv(empty), default=True)
        if i == -1:
            defaults += 1
    gk.println(counts[0], counts[1], counts[2], defaults)
