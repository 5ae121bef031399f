"""Property tests: random small Go programs, the scheduler's invariants after every step, and
determinism.

hypothesis builds programs out of the operations a goroutine can perform (go, CPU work, Gosched,
sleep, channel send/receive/close, select with and without default, mutex, WaitGroup, blocking
syscalls, network waits, GOMAXPROCS changes), runs them with 1–8 Ps and a random seed, and after
every scheduler event checks the invariants of DESIGN §6 and the spec. A program may end
normally, in a deadlock or in a panic (a send on a closed channel): all are legitimate Go endings;
what may never happen is a broken invariant, a run that does not end, or two different traces
from the same seed.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import gmpkit as gk

LRQ_CAP = 256  # spec §1
P_IDLE, P_RUNNING, P_DEAD = 0, 1, 4  # spec §2.3
G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, G_DEAD = 1, 2, 3, 4, 6  # spec §2.1
NCHAN = 3
NMUTEX = 2

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def num(status):
    return int(getattr(status, "value", status))


# --------------------------------------------------------------------------------------------
# Random programs
# --------------------------------------------------------------------------------------------

KINDS = (
    ["work"] * 3
    + ["gosched"] * 2
    + ["sleep"] * 2
    + ["send"] * 3
    + ["recv"] * 3
    + ["select"] * 2
    + ["lock"] * 2
    + ["syscall"] * 2
    + ["netwait", "close", "go", "go"]
)

short_us = st.integers(0, 2_000)
any_us = st.one_of(st.integers(1, 2_000), st.integers(8_000, 25_000))  # some cross 10 ms slices


@st.composite
def op(draw, script_index, nscripts, in_main):
    kind = draw(st.sampled_from(KINDS + (["gomaxprocs"] if in_main else [])))
    if kind in ("work", "syscall"):
        return (kind, draw(any_us))
    if kind in ("sleep", "netwait"):
        return (kind, draw(short_us) + (kind == "netwait"))
    if kind in ("send", "recv", "close"):
        return (kind, draw(st.integers(0, NCHAN - 1)))
    if kind == "select":
        case = st.tuples(st.sampled_from(["send", "recv"]), st.integers(-1, NCHAN - 1))
        return (kind, tuple(draw(st.lists(case, max_size=3))), draw(st.booleans()))
    if kind == "lock":
        return (kind, draw(st.integers(0, NMUTEX - 1)), draw(short_us))
    if kind == "go":
        first = 0 if in_main else script_index + 1
        if first >= nscripts:
            return ("gosched",)
        return (kind, draw(st.integers(first, nscripts - 1)))
    if kind == "gomaxprocs":
        return (kind, draw(st.integers(1, 8)))
    return (kind,)


@st.composite
def programs(draw):
    """(main ops, [script ops...], channel capacities). Script k may start only scripts > k, so
    every program is finite."""
    nscripts = draw(st.integers(1, 5))
    scripts = [
        draw(st.lists(op(k, nscripts, False), min_size=1, max_size=8)) for k in range(nscripts)
    ]
    # main starts every script once (so goroutines really compete), then does its own things.
    main_ops = [("go", k) for k in range(nscripts)]
    main_ops += draw(st.lists(op(-1, nscripts, True), max_size=8))
    caps = draw(st.lists(st.sampled_from([0, 0, 1, 2]), min_size=NCHAN, max_size=NCHAN))
    return main_ops, scripts, caps


def build(program):
    """The gmpkit main function for a generated program."""
    main_ops, scripts, caps = program

    async def perform(ops, env, name):
        for o in ops:
            kind = o[0]
            if kind == "work":
                await gk.work(us=o[1])
            elif kind == "gosched":
                await gk.gosched()
            elif kind == "sleep":
                await gk.sleep(us=o[1])
            elif kind == "syscall":
                await gk.syscall(us=o[1])
            elif kind == "netwait":
                await gk.netwait(us=o[1])
            elif kind == "send":
                await env["chans"][o[1]].send(name)
            elif kind == "recv":
                await env["chans"][o[1]].recv2()
            elif kind == "close":
                ch = env["chans"][o[1]]
                if not env["closed"][o[1]]:  # closing twice would only end the run early
                    env["closed"][o[1]] = True
                    ch.close()
            elif kind == "select":
                cases = []
                for what, c in o[1]:
                    ch = gk.Chan.nil() if c < 0 else env["chans"][c]
                    cases.append(gk.recv(ch) if what == "recv" else gk.send(ch, name))
                await gk.select(*cases, default=o[2])
            elif kind == "lock":
                mu = env["mutexes"][o[1]]
                await mu.lock()
                await gk.work(us=o[2])
                mu.unlock()
            elif kind == "go":
                env["wg"].add(1)
                gk.go(script, o[1], env)
            elif kind == "gomaxprocs":
                await gk.set_gomaxprocs(o[1])

    async def script(k, env):
        await perform(scripts[k], env, f"g{k}")
        gk.println(f"g{k} done at {gk.now()}")
        env["wg"].done()

    async def main():
        env = {
            "chans": [gk.Chan(c) for c in caps],
            "closed": [False] * NCHAN,
            "mutexes": [gk.Mutex() for _ in range(NMUTEX)],
            "wg": gk.WaitGroup(),
        }
        await perform(main_ops, env, "main")
        await env["wg"].wait()
        gk.println(f"main done at {gk.now()}")

    return main


# --------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------


def check_invariants(sched):
    """DESIGN §6 and the spec's data-structure rules, at one instant between two events.

    1. Every live goroutine is in exactly one place: a runnable G is in exactly one of the global
       queue, one P's local queue or one P's runnext; a running or syscall G is some M's curg and
       in no queue; a waiting or dead G is in no queue.
    2. Local queues hold at most 256 Gs (spec §1, §4.2).
    3. At most GOMAXPROCS goroutines run Go code, each on an M that holds a P; at most GOMAXPROCS
       Ms hold a P, and P↔M links agree.
    4. An idle P has no M. On the idle stack it has an empty local queue and runnext
       (pidleput's precondition, §5.4); off the stack it is the `nextp` that startm handed to an
       M still waking up (as in Go, it stays `_Pidle` until that M's acquirep), and may hold the
       work it was handed for (handoffp rule 1). Idle Ms hold neither P nor G and do not spin.
    5. Spinning Ms: nmspinning equals the number of Ms marked spinning, and every spinning M owns
       (or is about to acquire) a P that is not on the idle stack. That is the bound Go
       guarantees at every instant: nmspinning ≤ GOMAXPROCS − npidle. The "half of the busy Ps"
       rule of findRunnable step 9 (§5.2) is a gate checked when an M *starts* spinning there,
       not an invariant: wakep (§4.3) and handoffp rule 3 (§5.4) add a spinner when there is none,
       needspinning and the re-check after dropping the P (§5.2 steps 11–12) add one when work
       appeared, so the number of spinners may later exceed half of the busy Ps.
    6. Ps beyond GOMAXPROCS are dead with empty queues; goroutine ids are unique.
    """
    n = sched.gomaxprocs
    allp = list(sched.allp)
    assert len(allp) == n
    assert [p.id for p in allp] == list(range(n))

    place = Counter()
    for g in sched.runq:
        place[g.goid] += 1
    for p in allp:
        assert len(p.runq) <= LRQ_CAP, p
        for g in p.runq:
            place[g.goid] += 1
        if p.runnext is not None:
            place[p.runnext.goid] += 1
    for p in getattr(sched, "allp_all", allp)[n:]:
        assert num(p.status) == P_DEAD, p
        assert not p.runq and p.runnext is None and p.m is None, p

    goids = [g.goid for g in sched.allg]
    assert len(goids) == len(set(goids)), "goroutine ids are unique"
    running = 0
    curgs = [m.curg for m in sched.allm if m.curg is not None]
    assert len(curgs) == len({id(g) for g in curgs}), "a G is the curg of one M at most"
    for g in sched.allg:
        s = num(g.status)
        k = place[g.goid]
        if s == G_RUNNABLE:
            assert k == 1, f"{g!r} is queued {k} times"
        else:
            assert k == 0, f"{g!r} (status {s}) is in a run queue"
        if s == G_RUNNING:
            running += 1
            assert g.m is not None and g.m.curg is g, g
            assert g.m.p is not None, f"{g!r} runs Go code without a P"
        elif s == G_SYSCALL:
            assert g.m is not None and g.m.curg is g, g
    assert running <= n

    holders = [m for m in sched.allm if m.p is not None]
    assert len(holders) <= n
    assert len({id(m.p) for m in holders}) == len(holders), "a P is held by one M at most"
    for m in holders:
        assert m.p.m is m and num(m.p.status) == P_RUNNING, (m, m.p)
    for p in allp:
        if p.m is not None:
            assert p.m.p is p, (p, p.m)

    pidle = list(sched.pidle)
    assert len(pidle) == len({id(p) for p in pidle}) == sched.npidle
    nextps = {id(m.nextp) for m in sched.allm if getattr(m, "nextp", None) is not None}
    for p in allp:
        if num(p.status) == P_IDLE:
            assert p.m is None, p
            assert p in pidle or id(p) in nextps, f"idle {p!r} is neither on pidle nor handed out"
    for p in pidle:
        assert num(p.status) == P_IDLE, p
        assert not p.runq and p.runnext is None, p
        assert id(p) not in nextps, f"{p!r} is on pidle and handed to an M"

    midle = list(sched.midle)
    assert len(midle) == sched.nmidle
    for m in midle:
        assert m.p is None and m.curg is None and not m.spinning, m

    spinning = [m for m in sched.allm if m.spinning]
    assert sched.nmspinning == len(spinning)
    for m in spinning:
        p = m.p if m.p is not None else getattr(m, "nextp", None)
        assert p is not None and p not in pidle, m
    assert sched.nmspinning <= n - sched.npidle


def run_checked(program, gomaxprocs, seed):
    sim = gk.Sim(build(program), gomaxprocs=gomaxprocs, seed=seed, until_ms=10_000,
                 max_steps=500_000)
    last = sim.sched.now
    check_invariants(sim.sched)
    steps = 0
    while sim.step():
        steps += 1
        assert sim.sched.now >= last, "virtual time never goes back"
        last = sim.sched.now
        check_invariants(sim.sched)
    error = getattr(sim, "error", None)
    assert error is None, f"run did not end by itself: {error}"
    return sim, steps


@SETTINGS
@given(program=programs(), gomaxprocs=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_after_every_step(program, gomaxprocs, seed):
    """Random programs on 1–8 Ps: the invariants of `check_invariants` hold after every event,
    virtual time never goes back, and the program ends on its own (main returns, deadlock or
    panic) without hitting a safety limit."""
    _, steps = run_checked(program, gomaxprocs, seed)
    event(f"steps: {'<100' if steps < 100 else '<1000' if steps < 1000 else '>=1000'}")


class Rec:
    def __init__(self):
        self.events = []

    def event(self, ev):
        self.events.append((ev.t, ev.kind, ev.g, ev.m, ev.p, ev.reason, ev.source))


def ending_ok(stdout, stderr, code):
    """Go's exit status 0 after main printed its last line, or 2 with a deadlock or panic text."""
    if code == 0:
        return stdout.splitlines()[-1].startswith("main done at ")
    return code == 2 and stderr.startswith(
        ("fatal error: all goroutines are asleep - deadlock!", "panic: ")
    )


def traced(program, gomaxprocs, seed):
    rec = Rec()
    trace = gk.run(build(program), gomaxprocs=gomaxprocs, seed=seed, observers=[rec],
                   check=False, until_ms=10_000)
    return trace.stdout, trace.stderr, trace.exit_code, rec.events


@SETTINGS
@given(program=programs(), gomaxprocs=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_trace(program, gomaxprocs, seed):
    """Determinism (DESIGN §3): the same program with the same seed gives the identical event
    list, stdout, stderr and exit status, run after run."""
    first = traced(program, gomaxprocs, seed)
    second = traced(program, gomaxprocs, seed)
    assert ending_ok(*first[:3]), first[:3]
    event(f"exit {first[2]}: {first[1].splitlines()[0] if first[1] else 'main returned'}")
    assert first[0] == second[0]
    assert first[1:3] == second[1:3]
    assert first[3] == second[3]
    assert len(first[3]) > 0


@SETTINGS
@given(program=programs(), gomaxprocs=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_stepping_and_running_agree(program, gomaxprocs, seed):
    """`Sim.step()` one event at a time and `gk.run` in one go are the same machine: same stdout,
    stderr and exit status."""
    sim = gk.Sim(build(program), gomaxprocs=gomaxprocs, seed=seed, until_ms=10_000)
    while sim.step():
        pass
    stdout, stderr, code, _ = traced(program, gomaxprocs, seed)
    assert (sim.trace.stdout, sim.trace.stderr, sim.trace.exit_code) == (stdout, stderr, code)


@SETTINGS
@given(program=programs(), gomaxprocs=st.integers(1, 8), seed=st.integers(0, 2**32 - 1),
       pause_ms=st.integers(1, 40))
def test_stepping_pausing_and_running_give_the_same_events(program, gomaxprocs, seed, pause_ms):
    """One loop (STYLE item 5): a program stepped one event at a time, a program run with a
    pause at some virtual time and then resumed, and the same program run in one go make the
    identical sequence of scheduler events."""
    stepped = Rec()
    sim = gk.Sim(build(program), gomaxprocs=gomaxprocs, seed=seed, until_ms=10_000,
                 observers=[stepped], record=False)
    while sim.step():
        pass
    paused = Rec()
    sim2 = gk.Sim(build(program), gomaxprocs=gomaxprocs, seed=seed, until_ms=10_000,
                  observers=[paused], record=False)
    sim2.run(until_ms=pause_ms)
    assert sim2.done or sim2.now == pause_ms * 1_000_000
    sim2.run()
    *_, in_one_go = traced(program, gomaxprocs, seed)
    assert stepped.events == in_one_go
    assert paused.events == in_one_go
