"""Goroutine ids: per-P batches of 16; system goroutines take the first ids."""

import gmpkit as gk

KIND = "statistical"
GOMAXPROCS = 2
GO_RUNS = 40
SPEC = "§3, §4.1"
# First user ids in 40 recorded runs: 7 (main on P0's goid batch 1-16, after the runtime's
# goroutines 2-6: the program links os, whose init starts the finalizer goroutine) or 19 (main
# resumed on P1's batch 17-32 after start-up, where the GOMAXPROCS updater and the finalizer
# goroutine took 17 and 18). Within one P the ids are consecutive until its batch of 16 runs out;
# the next batch starts after every batch already handed out, so a jump may only land on a batch
# start, i.e. on an id of the form 16k+1.
BOUNDS = {"main": (1, 1), "first": (7, 19), "consecutive": (1, 1), "count": (20, 20)}


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
