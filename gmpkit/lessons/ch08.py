"""Chapter 8 · Putting it together: questions, the capstone's checkers, answers (see
``docs/lessons.md``).

The capstone exercises take a workload the learner writes (an ``async def`` function with no
parameters, a gmpkit program) and run it in the model under fixed settings; their checkers
(:func:`check_threads`, :func:`check_starved`, :func:`check_steal_everywhere`) look at the trace
and say what the run did when it falls short. ``tests/test_ch08.py`` holds workloads each checker
must accept and workloads it must reject.
"""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd

import gmpkit as gk
from gmpkit import gotrace
from gmpkit.demos.compare import Measurements
from gmpkit.exercises import Exercise
from gmpkit.lessons import Lesson

lesson = Lesson(8, "Putting it together 总结对比", "08_putting_it_together.ipynb")

lesson.predict(
    "1",
    "The usual comparison table ranks creation cost as process > thread > coroutine > goroutine, "
    "and concurrency the other way round. Which of these orders do you expect this machine to "
    "break, if any? And by how much is a process dearer to create than a goroutine?",
    "On most machines the creation order holds, by factors: a forked process costs milliseconds, "
    "a spawned one hundreds of milliseconds (a new interpreter), a thread tens of microseconds, an "
    "asyncio task around ten, a goroutine a few. So a process is thousands of times dearer (a "
    "spawn, hundreds of thousands). The capacity order is where it usually breaks: an idle asyncio "
    "task holds about 1 KiB of Python heap, less than a parked goroutine's 2 KiB stack plus what "
    "the runtime keeps around it, so more tasks than goroutines fit in 1 GiB. The verdict column "
    "names every pair measured in the reverse order; the spread column says how far to trust a "
    "figure (×1.5 means the worst run took half as long again as the best).",
)
lesson.predict(
    "1.1",
    "gmpkit's simulator runs each simulated goroutine as a Python coroutine. Is its cost per "
    "simulated goroutine closer to a real goroutine's, to an asyncio task's, or to neither?",
    "Closer to an asyncio task's, and above it: creating, running and finishing a simulated "
    "goroutine takes microseconds of Python, and a parked one holds some hundreds of bytes of "
    "Python heap, because each is a Python coroutine plus the model's G record. That is what "
    "the simulator can hold (a notebook simulates tens of thousands of goroutines comfortably), "
    "not what a goroutine costs: real Go's figures are in the table above, and the model's "
    "virtual clock charges `gk.Costs.go_ns` for a `go` statement, whatever Python took.",
)
lesson.predict(
    "2",
    "Three claims of the usual notes: that GOMAXPROCS sets the number of Ms; that goroutines "
    "avoid races because they talk through channels; that coroutines avoid races because they "
    "run on one thread. Which survive the three experiments?",
    "None, as stated. GOMAXPROCS sets the number of Ps: with 2 Ps, goroutines blocked in system "
    "calls each keep a thread, and the runtime starts more threads to run the rest, so the "
    "program has many more Ms than Ps. Channels protect only what goes through them: two "
    "goroutines that also share a counter lose updates though every token arrived. And "
    "coroutines on one thread switch at every `await` that suspends: a read and a write with an "
    "`await` between them lose updates exactly like threads.",
)
lesson.predict(
    "3",
    "The same program (six goroutines in 4 ms blocking system calls, GOMAXPROCS=2) runs in the "
    "model and in real Go. Which figures of the table will agree exactly, and which will not?",
    "The structure agrees: the same user goroutines, both Ps used, every blocking call a system "
    "call, and the threads' count of the same order (several Ms beyond the two Ps, one per "
    "blocked goroutine). Time does not agree exactly: the model's is virtual, set by gk.Costs, "
    "while Go's is measured wall-clock time including the tracer. Go often shows a thread or "
    "so more (under the tracer an idle thread waits for the trace advancer's timer instead of "
    "parking, so the next wake-up needs a new one), and who steals from whom can differ, "
    "because Go's threads really run at once. docs/model.md lists each deliberate difference.",
)
lesson.predict(
    "4",
    "Before you design the capstone's workloads: which kind of operation makes the runtime "
    "start a new thread even though GOMAXPROCS is 2, which operation puts a goroutine on the "
    "global run queue, and when does an idle P steal?",
    "A blocking system call (`gk.syscall`): the goroutine keeps its thread, sysmon retakes the "
    "P and hands it to another thread, so each goroutine blocked at once holds one thread. "
    "`gk.gosched()` (and sysmon's preemption) puts a goroutine on the global queue. An idle P "
    "whose own queues and the global queue are empty steals half of another P's local queue: "
    "to make every P steal, every P must at some point be idle while another has a queue.",
)


# ---------------------------------------------------------------------------------------------
# The capstone's checkers
# ---------------------------------------------------------------------------------------------

#: Settings each capstone runs the learner's workload under.
THREADS_GOMAXPROCS = 2
THREADS_NEEDED = 10
STARVE_LIMIT_MS = 50.0
STARVED_MS = 20.0
STEAL_GOMAXPROCS = 4
RUN_LIMIT_MS = 200.0


def _workload(answer: Any) -> Any:
    if inspect.iscoroutine(answer):
        answer.close()  # called by mistake: close it, so Python does not warn it never ran
        raise AssertionError("pass the function itself, without calling it: `answer = workload`, "
                             "not `answer = workload()`.")
    if not (callable(answer) and inspect.iscoroutinefunction(answer)):
        raise AssertionError(
            "give your workload as an `async def` function that takes no arguments, by its name "
            "and without calling it: `answer = workload`.")
    if any(p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL,
                                                                     p.VAR_KEYWORD)
           for p in inspect.signature(answer).parameters.values()):
        raise AssertionError("the workload must take no arguments: it is run as `main()`.")
    return answer


def _run(main: Any, **options: Any) -> tuple[Any, bool]:
    """(trace, stopped by the time limit)."""
    try:
        return gk.run(main, **options), False
    except gk.SimulationLimit as exc:
        if exc.trace is None:
            raise AssertionError(f"the model stopped the run: {exc}") from None
        return exc.trace, True
    except gk.GoExit as exc:
        raise AssertionError(f"your program failed in the model: {exc}") from None


def threads_seen(main: Any) -> int:
    """Most threads (Ms) in use at once, sysmon apart, when ``main`` runs at GOMAXPROCS=2."""
    trace, _ = _run(_workload(main), gomaxprocs=THREADS_GOMAXPROCS, until_ms=RUN_LIMIT_MS)
    return gotrace.max_threads(trace)


def check_threads(answer: Any) -> str | None:
    """Capstone 1: more than 10 threads at once with GOMAXPROCS=2."""
    n = threads_seen(answer)
    if n > THREADS_NEEDED:
        return None
    return (f"at GOMAXPROCS={THREADS_GOMAXPROCS} your program had at most {n} threads at once; "
            f"it needs more than {THREADS_NEEDED}. Computing goroutines share the two Ps' "
            "threads: what keeps a thread busy without a P?")


def global_waits(main: Any, *, global_check: bool) -> tuple[dict[int, float], bool]:
    """Run ``main`` on one P, every start a fresh slice (``inherit_time=False``), with the 1-in-61
    check on or off, for at most ``STARVE_LIMIT_MS``: goroutine -> the longest time (ms) it
    waited after going to the global queue (by Gosched or preemption) before running again, a
    wait still going when the run ended counting to the end; and whether the limit stopped it."""
    trace, limited = _run(main, gomaxprocs=1, inherit_time=False, global_check=global_check,
                          until_ms=STARVE_LIMIT_MS)
    ev = trace.events
    since: dict[int, float] = {}
    longest: dict[int, float] = {}
    for kind, g, t in zip(ev.event.tolist(), ev.g.tolist(), ev.time_ms.tolist()):
        if pd.isna(g):
            continue
        g = int(g)
        if kind in ("GoSched", "GoPreempt"):
            since[g] = float(t)
        elif kind == "GoStart" and g in since:
            longest[g] = max(longest.get(g, 0.0), float(t) - since.pop(g))
    end = trace.now_ns / 1e6
    for g, t0 in since.items():
        longest[g] = max(longest.get(g, 0.0), end - t0)
    return longest, limited


def check_starved(answer: Any) -> str | None:
    """Capstone 2: a goroutine starves in the global queue with the 1-in-61 check off, and the
    check is what rescues it."""
    main = _workload(answer)
    off, limited = global_waits(main, global_check=False)
    if not off:
        return ("no goroutine of your program ever went to the global queue. Which call sends "
                "the calling goroutine there?")
    g, worst = max(off.items(), key=lambda kv: kv[1])
    if worst < STARVED_MS:
        how = "the run ended" if not limited else f"it ran {STARVE_LIMIT_MS:g} ms"
        return (f"with the check off the longest wait in the global queue was {worst:.2f} ms "
                f"(goroutine {g}; {how}); starving means waiting at least {STARVED_MS:g} ms. "
                "Keep the one P busy with local work that never runs out.")
    on, _ = global_waits(main, global_check=True)
    if on.get(g, 0.0) >= STARVED_MS:
        return (f"goroutine {g} waits {on[g]:.2f} ms even with the 1-in-61 check on, so it is "
                "not the check that decides: the P's work must come in short pieces, each a new "
                "slice, so that the check comes round often.")
    return None


def stealers(main: Any) -> list[int]:
    """The Ps that stole at least once when ``main`` runs at GOMAXPROCS=4 (seed 1)."""
    trace, _ = _run(_workload(main), gomaxprocs=STEAL_GOMAXPROCS, seed=1,
                    until_ms=RUN_LIMIT_MS)
    ev = trace.events
    return sorted({int(p) for p in ev[ev.event == "Steal"].p.dropna()})


def check_steal_everywhere(answer: Any) -> str | None:
    """Capstone 3: every one of the 4 Ps steals at least once."""
    took = stealers(answer)
    missing = [p for p in range(STEAL_GOMAXPROCS) if p not in took]
    if not missing:
        return None
    who = ", ".join(f"P{p}" for p in took) or "no P"
    return (f"{who} stole; {', '.join(f'P{p}' for p in missing)} never did. A P steals only "
            "when it is idle while another P has a queue: does every P get both an empty "
            "moment and a neighbour with work?")


ex1 = lesson.exercise(
    "ex1",
    f"**Capstone 1 (threads past {THREADS_NEEDED}).** Write a workload that has more than "
    f"{THREADS_NEEDED} threads (Ms) in use at once although GOMAXPROCS is "
    f"{THREADS_GOMAXPROCS}. The checker runs it with `gk.run(workload, gomaxprocs="
    f"{THREADS_GOMAXPROCS}, until_ms={RUN_LIMIT_MS:g})` and counts threads from the trace "
    "(sysmon apart).",
    checker=check_threads,
    hints=["Which operation keeps its thread while it waits, so that the P goes to another "
           "thread?", "Many goroutines must be in that operation at the same time."],
    solution="Goroutines in **blocking system calls** at the same time, for example:\n\n"
             "```python\nasync def blocked(wg):\n    await gk.syscall(ms=5)\n    wg.done()\n\n"
             "async def workload():\n    wg = gk.WaitGroup()\n    wg.add(20)\n"
             "    for _ in range(20):\n        gk.go(blocked, wg)\n    await wg.wait()\n```\n\n"
             "Each blocked goroutine keeps its M; sysmon retakes the P (`retake` → "
             "`handoffp`) and another M runs the next goroutine, which blocks in turn. GOMAXPROCS "
             "limits the Ps, so it limits how many goroutines *run* at once, not the threads.",
)

ex2 = lesson.exercise(
    "ex2",
    "**Capstone 2 (a starved global queue).** Write a workload in which some goroutine waits "
    f"in the global run queue for at least {STARVED_MS:g} ms when the 1-in-61 check is off, and "
    "is rescued by the check when it is on. The checker runs it on one P with "
    f"`inherit_time=False` (every start a fresh slice) and `global_check=False`, for "
    f"{STARVE_LIMIT_MS:g} ms, then again with `global_check=True`.",
    checker=check_starved,
    hints=["`gk.gosched()` sends a goroutine to the global queue; chapter 7 section 3 starved "
           "one there.", "The one P must never run out of local work: goroutines that keep "
                         "starting each other, each computing a few microseconds."],
    solution="Two chains of goroutines that respawn each other, and a goroutine that yields:\n\n"
             "```python\nasync def link(stop):\n    if stop[0]:\n        return\n"
             "    await gk.work(us=5)\n    gk.go(link, stop)\n\n"
             "async def workload():\n    stop = [False]\n    gk.go(link, stop)\n"
             "    gk.go(link, stop)\n    await gk.sleep(us=100)\n    await gk.gosched()\n"
             "    stop[0] = True\n```\n\n"
             "After `gosched` main is in the global queue; `findRunnable` takes the local queue "
             "first and it is never empty, so without the check main waits for ever. With it, "
             "every 61st fresh slice looks at the global queue first, and main is back within "
             "61 links, about 0.3 ms. A long computation instead is rejected: sysmon's "
             "preemption, not the check, would decide when the queue moves.",
)

ex3 = lesson.exercise(
    "ex3",
    f"**Capstone 3 (a steal in every P).** Write a workload in which each of the "
    f"{STEAL_GOMAXPROCS} Ps steals at least once. The checker runs it with `gk.run(workload, "
    f"gomaxprocs={STEAL_GOMAXPROCS}, seed=1, until_ms={RUN_LIMIT_MS:g})` and reads the `Steal` "
    "events.",
    checker=check_steal_everywhere,
    hints=["If `main` starts every goroutine, they all queue on main's P: which P never needs to "
           "steal then?", "Let several goroutines, on different Ps, each start a batch of "
                          "workers."],
    solution="Spawners that each start their own batch, for example:\n\n"
             "```python\nasync def worker(wg):\n    await gk.work(us=100)\n    wg.done()\n\n"
             "async def spawner(k, wg):\n    for _ in range(k):\n        gk.go(worker, wg)\n"
             "    await gk.work(us=50)\n    wg.done()\n\n"
             "async def workload():\n    wg = gk.WaitGroup()\n    wg.add(4 + 4 * 40)\n"
             "    for _ in range(4):\n        gk.go(spawner, 40, wg)\n    await wg.wait()\n```\n\n"
             "Each spawner fills the local queue of the P it runs on; Ps that run out steal from "
             "those still full, and as queues drain unevenly every P is at some time the thief. "
             "With `main` alone starting workers, P0 always has its own queue and never steals.",
)


@lesson.factory("ex4")
def thread_vs_goroutine(m: Measurements) -> Exercise:
    """From this kernel's measurements: how many times as long a thread took to create as a
    goroutine (best runs)."""
    ratio = m.thread.create.best / m.goroutine.create.best
    return Exercise(
        "In this run's comparison table, how many times as long did creating a thread take as "
        "creating a goroutine (best runs)? A rough number is fine.",
        expected=round(ratio, 1), rel_tol=0.15,
        hints=["Divide the two `create one` figures (best runs) of section 1."],
        solution=f"**About {ratio:.0f}×** here ({m.thread.create.best * 1e6:.1f} µs against "
                 f"{m.goroutine.create.best * 1e6:.2f} µs; {m.goroutine.source}). A thread is "
                 "created by the kernel (`clone`, a stack mapped, the scheduler told); a "
                 "goroutine by the runtime alone, from a cache of 2 KiB stacks, without a "
                 "system call.")


ex5 = lesson.exercise(
    "ex5",
    "What does GOMAXPROCS set?",
    expected="the number of Ps",
    choices=["the number of Ms", "the number of Ps", "the number of goroutines that may exist",
             "the number of CPUs the program may use"],
    hints=["Section 2's first experiment counted both Ps and threads."],
    solution="**The number of Ps**: how many goroutines can run Go code at the same time. "
             "Threads (Ms) come and go as needed beyond it (blocking system calls, sysmon, "
             "idle spinning threads), up to `debug.SetMaxThreads` (10,000); the number of "
             "goroutines has no limit but memory.",
)

ex6 = lesson.open_exercise(
    "ex6",
    "Run section 3's comparison with another scenario: `summary.model_and_go('channel_pipeline')` "
    "or `'cpu_bound'`, then `viz.side_by_side` and `summary.differences`. Where does the model "
    "differ from Go now, and which line of docs/model.md explains it?",
    "For `cpu_bound` the timelines agree in shape (both Ps busy, work spread by stealing), with "
    "Go's first goroutines starting a little later, after the runtime's own start-up, and "
    "Go using a thread more (the tracer's doing, as docs/fidelity.md explains). For `channel_pipeline` the goroutines hand "
    "values on through runnext in both; Go's printing adds system calls the model does not "
    "have (the `fmt.Println` line of the table), and the model's times are virtual.",
)

lesson.questionnaire([
    ("What does a process have that a thread of the same process does not?",
     "Its own address space (memory), file-descriptor table and other OS resources: a thread "
     "shares all of those with the other threads of its process."),
    ("Why is `spawn` so much slower than `fork` to start a Python process?",
     "`spawn` starts a fresh interpreter that imports the program again; `fork` copies the "
     "parent's address space copy-on-write, so nothing has to be loaded."),
    ("What does CPython's GIL prevent, and what does it not prevent?",
     "It prevents two threads from running Python bytecode at the same time (so CPU-bound "
     "threads do not run in parallel); it does not prevent races between threads, which can "
     "switch between any two bytecodes."),
    ("Where can an asyncio task be switched away from?",
     "Only at an `await` that really suspends; between two such awaits no other task on the "
     "same event loop runs."),
    ("What is the difference between a stackless coroutine and a goroutine?",
     "A Python coroutine keeps only its own frame and can suspend only at an `await` in its own "
     "body; a goroutine has its own growable stack and can block in any nested call."),
    ("What are G, M and P?",
     "G: a goroutine. M: an OS thread (machine). P: a processor, the right and the resources "
     "(a local run queue, caches) needed to run Go code; an M must hold a P to run a G."),
    ("What does GOMAXPROCS set, and what is its default?",
     "The number of Ps; by default the number of CPUs the process may use (its affinity, or its "
     "cgroup CPU limit, rounded up), updated by Go as that changes."),
    ("In which order does `findRunnable` look for work?",
     "Every 61st tick the global queue first; then the P's runnext and local queue, the global "
     "queue, the netpoller, and finally stealing from other Ps."),
    ("Why does the newest goroutine usually run first on one P?",
     "`go` puts the new goroutine in runnext, which is taken before the local queue; the "
     "goroutine it displaces goes to the local queue's tail."),
    ("What does an idle P steal, and from where?",
     "Half of another P's local queue (rounded up), from its head; another P's runnext only in "
     "the last of four rounds, after a short pause."),
    ("What happens to a P whose goroutine is blocked in a system call?",
     "sysmon retakes it (after about 20 µs, if there is other work) and hands it to another "
     "thread; when the call returns, the goroutine tries to get its old P, then any idle P, "
     "and otherwise goes to the global queue."),
    ("Why do 1,000 goroutines waiting on the network need few threads, and 1,000 in blocking "
     "system calls many?",
     "Network waits park the goroutine in the netpoller and free the thread; a blocking system "
     "call keeps its thread for the whole call."),
    ("How long is a time slice, and who ends it?",
     "About 10–20 ms: sysmon preempts a goroutine whose P has not started a fresh slice for "
     "10 ms; since Go 1.14 a signal can stop it even in a loop without calls."),
    ("What protects the global queue from starving?",
     "The 1-in-61 check in `findRunnable`, and sysmon's preemption (with runnext sharing the "
     "time slice), which lets the global queue's goroutines run when the local ones keep coming."),
    ("Do channels make a Go program free of data races?",
     "Only for data that goes through them; goroutines share one address space, so anything "
     "else they both touch still needs a mutex (and `go run -race` finds what lacks one)."),
    ("Why does a parked goroutine cost a few KiB, and what grows it?",
     "It starts with a 2 KiB stack; the stack is doubled (copied) when a call needs more, and "
     "the runtime's bookkeeping adds a little per goroutine."),
    ("Where does gmpkit's model knowingly differ from Go?",
     "It runs on one Python thread, one step at a time (no real parallelism), its time is "
     "virtual, and it leaves out the garbage collector, growing stacks and a few other parts; "
     "docs/model.md lists each difference and why."),
    ("What does the simulator's cost per simulated goroutine tell you?",
     "How big a program a notebook can simulate (Python time and memory per simulated "
     "goroutine), not what a goroutine costs in Go."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
