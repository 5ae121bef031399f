"""select: uniform random choice among ready cases; default only when none is ready."""

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 1
GO_RUNS = 5
SEEDS = (0, 1)
SPEC = "§9.4, §14 B14"
ROUNDS = 30_000
# Binomial(30000, 1/3): sd = 81.6, so each share of 1/3 ± 0.0133 is ± 4.9 sd.
BOUNDS = {"share0": (0.32, 0.3467), "share1": (0.32, 0.3467), "share2": (0.32, 0.3467),
          "defaults": (1000, 1000)}


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
