"""Goroutine ids: per-P batches of 16; system goroutines take the first ids."""

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 2
GO_RUNS = 30
SPEC = "§3, §4.1"
# Observed first user ids over 40+ runs: 3, 5, 6, 17, 18, 21 (main's goid batch is P0's 1-16 or
# P1's 17-32, and system goroutines take some ids first). Within one P the ids are consecutive
# until its batch of 16 runs out; the next batch starts after every batch already handed out
# (a live run printed first=4 with a jump at the batch end), so a jump may only land on a batch
# start, i.e. on an id of the form 16k+1.
BOUNDS = {"main": (1, 1), "first": (3, 22), "consecutive": (1, 1), "count": (20, 20)}


def observe(stdout, stderr, exit_code):
    if exit_code != 0 or not stdout.startswith("main="):
        return {"exit": exit_code}
    head, *rest = stdout.split()
    ids = [int(x) for x in rest]
    ok = all(b - a == 1 or (b > a and (b - 1) % 16 == 0) for a, b in zip(ids, ids[1:]))
    return {"main": int(head[5:]), "first": ids[0], "consecutive": int(ok),
            "count": len(ids)}


async def main():
    ids = [""] * 20
    wg = gk.WaitGroup()
    wg.add(20)

    async def g(i):
        ids[i] = str(gk.goid())
        wg.done()

    for i in range(20):
        gk.go(g, i)
    await wg.wait()
    gk.println(f"main={gk.goid()} " + " ".join(ids))
