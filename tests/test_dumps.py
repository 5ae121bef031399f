"""What a failing program prints about its goroutines: ids, `created by`, GOTRACEBACK levels.

Every expected text below was printed by real Go 1.27.3 (linux/amd64) for the same program, built
the way `go mod init` builds today (`//go:debug default=go1.27`); the fidelity pairs of the same
names in tests/fidelity/scenarios/ hold the Go programs and their recorded outputs. Frames are
compared by function name only: gmpkit's frames are Python lines.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fidelity"))

import harness  # noqa: E402

import gmpkit as gk  # noqa: E402


def headers(text):
    """(goid, status) of every `goroutine N [status]:` header, GOTRACEBACK=system's included."""
    return re.findall(r"^goroutine (\d+) (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[([^\]]*)\]:$", text, re.M)


def creators(text):
    return re.findall(r"^created by (\S+) in goroutine (\d+)$", text, re.M)


async def boom():
    gk.panic("boom")


# --------------------------------------------------------------------------------------------
# Goroutine ids: the finalizer goroutine of a program that links os (spec §3 step 4)
# --------------------------------------------------------------------------------------------


async def _panicking_program():
    gk.go(boom)
    await gk.sleep(ms=1000)


@pytest.mark.parametrize(("links_os", "goid"), [(True, 7), (False, 6)])
def test_os_init_starts_the_finalizer_goroutine_so_user_ids_start_at_7(links_os, goid):
    """Goroutine numbering (spec §3 step 4): runtime.main takes goroutine 1 and the runtime's
    helpers 2-5 (force gc, sweeper, scavenger, GOMAXPROCS updater); a program that links package
    os -- every program using fmt, which gk.println stands for -- also gets the finalizer
    goroutine from os's init (createfing), goroutine 6, so its first user goroutine is 7 (Go: 20
    of 20 runs with one P); without os the first user goroutine is 6 (20 of 20)."""
    with pytest.raises(gk.GoPanic) as info:
        gk.run(_panicking_program, gomaxprocs=1, links_os=links_os)
    assert info.value.stderr.startswith(f"panic: boom\n\ngoroutine {goid} [running]:\n")


def test_the_finalizer_goroutine_waits_in_runfinalizers_created_by_createfing():
    """createfing (spec §3 step 4, mfinal.go): the finalizer goroutine of a program that links os
    is goroutine 6, `runtime.runFinalizers`, parked with wait reason `finalizer wait`, `created by
    runtime.createfing in goroutine 1` -- the runtime goroutines' creators as GOTRACEBACK=system
    shows them (runtime.init.7, runtime.gcenable twice, defaultGOMAXPROCSUpdateEnable)."""

    async def main():
        await gk.sleep(ms=10)  # the runtime's goroutines park meanwhile
        gk.panic("boom")

    with pytest.raises(gk.GoPanic) as info:
        gk.run(main, gomaxprocs=1, gotraceback="system")
    err = info.value.stderr
    assert headers(err) == [("1", "running"), ("2", "force gc (idle)"), ("3", "GC sweep wait"),
                            ("4", "GC scavenge wait"), ("5", "GOMAXPROCS updater (idle)"),
                            ("6", "finalizer wait")]
    assert creators(err) == [("runtime.init.7", "1"), ("runtime.gcenable", "1"),
                             ("runtime.gcenable", "1"),
                             ("runtime.defaultGOMAXPROCSUpdateEnable", "1"),
                             ("runtime.createfing", "1")]
    assert "\nruntime.runFinalizers()\ncreated by runtime.createfing in goroutine 1\n" in err


# --------------------------------------------------------------------------------------------
# created by: the function that executed the go statement (gopc)
# --------------------------------------------------------------------------------------------

def _pair(name):
    """The gmpkit program of a fidelity pair (tests/fidelity/scenarios/NAME.py): the tests below
    run exactly the program whose Go twin was recorded."""
    return harness.load(name).module.main


def test_created_by_names_the_function_that_ran_the_go_statement():
    """gopc (spec §4.1 step 3, §12.2): main calls a helper spawn, which starts worker; worker
    starts leaf (the created_by_helper pair). Go's deadlock dump says `created by main.spawn in
    goroutine 1` for worker (the function that executed `go`, not the goroutine that ran it) and
    `created by main.worker in goroutine 7` for leaf (20 of 20 runs)."""
    with pytest.raises(gk.GoFatal) as info:
        gk.run(_pair("created_by_helper"), gomaxprocs=1)
    err = info.value.stderr
    assert headers(err) == [("1", "chan receive"), ("7", "chan receive"), ("8", "chan receive")]
    assert creators(err) == [("main.spawn", "1"), ("main.worker", "7")]


def test_a_dump_after_g_reuse_keeps_each_goroutines_creator_and_the_allgs_order():
    """gfget reuse in a dump (spec §4.1 step 2, §12.2; the dump_after_reuse pair): a (goroutine
    7) starts b (8) and ends; c (9) gets a's dead G. Go's dump lists G structs in allgs order
    (the order they were made), so c comes before b, and b is still `created by main.a in
    goroutine 7`: the creator is recorded when the goroutine is created, not looked up in a G
    that now belongs to someone else (20 of 20 runs)."""
    with pytest.raises(gk.GoFatal) as info:
        gk.run(_pair("dump_after_reuse"), gomaxprocs=1)
    err = info.value.stderr
    assert headers(err) == [("1", "chan receive"), ("9", "chan receive"), ("8", "chan receive")]
    assert creators(err) == [("main.main", "1"), ("main.a", "7")]


# --------------------------------------------------------------------------------------------
# GOTRACEBACK: which goroutines a panic prints (runtime1.go setTraceback, panic.go dopanic_m)
# --------------------------------------------------------------------------------------------


async def _waiter(block):
    await block.recv()


async def _gotraceback_main():
    block = gk.Chan()
    gk.go(_waiter, block)  # goroutine 7
    await gk.sleep(ms=10)
    gk.go(boom)  # goroutine 8
    await block.recv()


GOTRACEBACK_HEADERS = {
    "none": [],
    "single": [("8", "running")],
    "all": [("8", "running"), ("1", "chan receive"), ("7", "chan receive")],
    "system": [("8", "running"), ("1", "chan receive"), ("2", "force gc (idle)"),
               ("3", "GC sweep wait"), ("4", "GC scavenge wait"),
               ("5", "GOMAXPROCS updater (idle)"), ("6", "finalizer wait"),
               ("7", "chan receive")],
}


@pytest.mark.parametrize("level", list(GOTRACEBACK_HEADERS))
def test_gotraceback_chooses_the_goroutines_a_panic_prints(level):
    """GOTRACEBACK (spec §12.2, §12.3): a goroutine panics while main and another goroutine wait.
    none prints only `panic: boom`; single (Go's default) the panicking goroutine; all every user
    goroutine after it, in allgs order; system the runtime's goroutines too. Go printed exactly
    these headers in 10 of 10 runs at each level."""
    trace = gk.run(_gotraceback_main, gomaxprocs=1, gotraceback=level, check=False)
    err = trace.stderr
    assert err.startswith("panic: boom\n")
    assert headers(err) == GOTRACEBACK_HEADERS[level]
    assert ("gp=" in err) == (level == "system")
    if level == "none":
        assert err == "panic: boom\n"


def test_gotraceback_system_headers_carry_the_g_and_its_m():
    """goroutineheader at level 2 (spec §12.2): `goroutine N gp=0x… m=<id> mp=0x… [status]:` for
    a goroutine on an M, `gp=0x… m=nil [status]:` for one without; main's stack ends in
    `runtime.main()`. Addresses are made up but stable and distinct."""
    trace = gk.run(_gotraceback_main, gomaxprocs=1, gotraceback="system", check=False)
    err = trace.stderr
    assert re.search(r"^goroutine 8 gp=0x[0-9a-f]+ m=0 mp=0x[0-9a-f]+ \[running\]:$", err, re.M)
    assert re.search(r"^goroutine 1 gp=0x[0-9a-f]+ m=nil \[chan receive\]:$", err, re.M)
    assert "\nmain.main()\n" in err and "\nruntime.main()\n" in err
    addrs = re.findall(r" gp=(0x[0-9a-f]+) ", err)
    assert len(set(addrs)) == len(addrs) == 8
    again = gk.run(_gotraceback_main, gomaxprocs=1, gotraceback="system", check=False)
    assert again.stderr == err


def test_a_dying_program_shows_goroutines_running_elsewhere_as_runnable():
    """freezetheworld (spec §12.3): with GOTRACEBACK=all, a goroutine busy on the other P when
    another panics is preempted before the dump, so Go prints it `[runnable]` with its stack
    (6 of 6 runs), not `[running]`."""

    async def hog():
        while True:
            await gk.work(ms=100)

    async def main():
        gk.go(hog)
        await gk.sleep(ms=5)
        gk.go(boom)
        await gk.sleep(ms=1000)

    trace = gk.run(main, gomaxprocs=2, gotraceback="all", check=False)
    (hog_id,) = [g.goid for g in trace.sched.allg if g.name.endswith("hog")]
    assert (str(hog_id), "runnable") in headers(trace.stderr)
    assert [s for _, s in headers(trace.stderr)].count("running") == 1


def test_a_deadlock_at_gotraceback_system_prints_the_runtime_stack():
    """checkdead's fatal at level 2 (spec §12.1, §12.2): `fatal error: …`, then `runtime stack:`
    with the runtime frames it failed in (checkdead called from mput), then every goroutine,
    the runtime's included; at GOTRACEBACK=none only the message."""

    async def main():
        await gk.Chan().recv()

    err = gk.run(main, gomaxprocs=1, gotraceback="system", check=False).stderr
    assert err.startswith("fatal error: all goroutines are asleep - deadlock!\n\n"
                          "runtime stack:\nruntime.fatal(...)\nruntime.checkdead(...)\n")
    assert [g for g, _ in headers(err)] == ["1", "2", "3", "4", "5", "6"]
    none = gk.run(main, gomaxprocs=1, gotraceback="none", check=False).stderr
    assert none == "fatal error: all goroutines are asleep - deadlock!\n"


def test_thread_exhaustion_is_a_runtime_throw_dumped_at_the_system_level():
    """checkmcount's throw (spec §8.4, §12.2): a runtime error always prints at level 2, whatever
    GOTRACEBACK says -- `runtime stack:`, then every goroutine with `gp=` in its header (Go's
    recorded thread_limit output)."""

    async def blocker():
        await gk.syscall(ms=50)

    async def main():
        for _ in range(8):
            gk.go(blocker)
        await gk.sleep(ms=20)

    err = gk.run(main, max_threads=5, check=False, gotraceback="none").stderr
    assert err.startswith("runtime: program exceeds 5-thread limit\nfatal error: thread exhaustion"
                          "\n\nruntime stack:\nruntime.throw(...)\nruntime.checkmcount(...)\n")
    assert re.search(r"^goroutine 1 gp=0x[0-9a-f]+ m=\S+ .*\[", err, re.M)
    assert ("2", "force gc (idle)") in headers(err)


def test_unlock_of_an_unlocked_mutex_dumps_only_the_goroutine_that_did_it():
    """sync.fatal (spec §9.5, §12): `fatal error: sync: unlock of unlocked mutex` is raised on
    the goroutine's own stack, so Go prints that goroutine only, not the other one blocked in
    `select {}` (10 of 10 runs)."""

    async def forever():
        await gk.select()

    async def main():
        gk.go(forever)
        await gk.sleep(ms=1)
        gk.Mutex().unlock()

    with pytest.raises(gk.GoFatal) as info:
        gk.run(main, gomaxprocs=1)
    err = info.value.stderr
    assert err.startswith("fatal error: sync: unlock of unlocked mutex\n\ngoroutine 1 [running]:\n")
    assert headers(err) == [("1", "running")]


@pytest.mark.parametrize("bad", ["crash", "verbose", 2, None])
def test_an_unknown_gotraceback_is_a_usage_error(bad):
    """GOTRACEBACK's names are none, single, all and system; anything else is refused with the
    list (crash and wer, which abort the process, are not modelled)."""
    with pytest.raises(gk.UsageError, match="gotraceback"):
        gk.run(_gotraceback_main, gotraceback=bad)
