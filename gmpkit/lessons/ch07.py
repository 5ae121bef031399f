"""Chapter 7 · Preemption and fairness: questions, exercises, answers (see ``docs/lessons.md``).

The expected answers of the checked exercises are computed by running the model (the functions
of :mod:`gmpkit.demos.fairness`), never written down; ``tests/test_exercises.py`` checks what the
other answers state about the model against the model.
"""

from __future__ import annotations

import statistics
from functools import cache
from typing import Any

import gmpkit as gk
from gmpkit.demos import fairness
from gmpkit.lessons import Lesson

lesson = Lesson(7, "Preemption and fairness 抢占与公平", "07_preemption_and_fairness.ipynb")

lesson.predict(
    "1",
    "Two goroutines on one P each compute for 100 ms, in a loop that never blocks. Does the "
    "first one run its whole 100 ms before the second starts? If not, how long is each turn?",
    "No: they take turns. sysmon, the runtime's monitor thread, checks every P; when a P's "
    "`schedtick` has not moved for 10 ms it preempts the goroutine running there "
    "(`retake` → `preemptone`), which goes to the tail of the global queue, and the other one "
    "runs. Because sysmon only checks every 10 ms once the program is busy, and wants to see "
    "the same tick twice 10 ms apart, a steady turn lasts about 20 ms; the first is shorter, "
    "because sysmon checks more often while it warms up. The table's numbers are read from "
    "the trace.",
)
lesson.predict(
    "1.1",
    "Step the same run to the first time sysmon asks the running goroutine to stop. At what "
    "virtual time does that happen, and why not at exactly 10 ms?",
    "Some milliseconds after 10 ms, not at it. sysmon sleeps 20 µs between looks at first "
    "(a little longer in fact: the kernel's timer slack adds about 50 µs to every sleep), "
    "then, after 50 looks that found nothing to do, twice as long each time, up to 10 ms. It "
    "remembers when it first saw P0's current `schedtick` (the worker started from runnext, "
    "inheriting the slice, so the tick had moved just before); it preempts on its first look "
    "at least 10 ms later, and its looks fall where its sleeps end, not on a 10 ms grid. The "
    "reason line says when sysmon saw the tick and which tick it was.",
)
lesson.predict(
    "1.2",
    "Now `main` calls `runtime.Gosched()` five times while another goroutine spins in an "
    "endless loop on the same P. How long does each Gosched take to come back: with Go's "
    "asynchronous preemption, with `GODEBUG=asyncpreemptoff=1` and a loop that makes function "
    "calls, with `asyncpreemptoff=1` and a loop without calls, and with sysmon's preemption "
    "switched off?",
    "About one time slice (20 ms) in the first two settings, never in the last two. sysmon "
    "asks the spinner to stop in every setting but the last; the request lands at a safe "
    "point. A function call's prologue checks for it (cooperative preemption); since Go 1.14 "
    "a signal (SIGURG) interrupts the loop anywhere (asynchronous preemption). With "
    "`asyncpreemptoff=1` only calls remain, so a loop without calls can never be stopped: "
    "that was Go before 1.14, where one such loop could freeze a P, or a whole program "
    "waiting for a stop-the-world. Without a time limit that run would never end.",
)
lesson.predict(
    "2",
    "On one P, two goroutines ping-pong a value over unbuffered channels forever while a third "
    "goroutine waits in the local queue. Each hand-off readies the partner into runnext, which "
    "runs next and *inherits* the time slice. How long does the third goroutine wait, with "
    "inheritance and without it?",
    "With inheritance, one time slice: the whole ping-pong chain runs without `schedtick` "
    "moving, so after 10 ms or so sysmon sees a P that has not changed its tick and preempts "
    "the pair's running goroutine; the local queue gets its turn. Without inheritance every "
    "hand-off counts as a fresh slice, `schedtick` keeps moving, sysmon never preempts, and "
    "runnext always comes before the local queue: the third goroutine waits forever. That is "
    "why runnext shares the slice: a communicating pair runs as a unit, but cannot keep the "
    "P to itself.",
)
lesson.predict(
    "3",
    "Two chains of goroutines keep respawning each other on one P (each link computes 5 µs, "
    "starts the next link and ends). `main` calls Gosched, which puts it in the global queue. "
    "How long does main wait for the P: with Go's scheduler, and with the 1-in-61 global check "
    "off? And without runnext (Go before 1.5)?",
    "With Go's scheduler, until sysmon preempts the chain: every link is taken from runnext "
    "and inherits the slice, `schedtick` does not move, the 1-in-61 check never comes round, "
    "and switching it off changes nothing. Where every start is a fresh slice (no runnext, as "
    "before Go 1.5, or without inheritance), `schedtick` moves with each link, sysmon never "
    "preempts, and only the check saves main: every 61st tick `findRunnable` looks at the "
    "global queue first, so main waits at most 61 starts, a fraction of a millisecond. With "
    "the check off as well it waits forever: two goroutines that respawn each other keep the "
    "local queue busy for good, the case the comment in `findRunnable` names.",
)
lesson.predict(
    "3.1",
    "Why 61, and not 60 or 64?",
    "Go's source does not say. 61 is a prime: if the goroutines on a P take turns in a cycle "
    "(2, 4, 8 of them …), a check every 61 slices falls on a different place of the cycle "
    "each time, while a check every 64 slices would keep catching the goroutine in the same "
    "place. And it is rare enough that taking the global queue's lock costs little, and "
    "frequent enough that the global queue waits a fraction of a millisecond, not a whole "
    "slice. The printed sets show where the checks land in cycles of 8.",
)
lesson.predict(
    "4",
    "One P, three goroutines; each records `g<i>.<j>` three times and calls `runtime.Gosched()` "
    "after each. In which order are they recorded? And without the Gosched calls?",
    "With Gosched they take turns: `g2.0 g0.0 g1.0 g2.1 g0.1 …`. The newest goroutine runs "
    "first (runnext), then the others from the local queue; each Gosched puts the caller at "
    "the tail of the *global* queue, and once the local queue is empty a batch comes back from "
    "the global queue in the order they yielded: round robin. Without Gosched each goroutine "
    "runs all three steps before the next starts.",
)
lesson.predict(
    "5",
    "A goroutine holds a mutex for 100 µs at a time and takes it again at once. `main` takes "
    "it ten times. How long does each of main's `Lock` calls wait, with Go's starvation mode "
    "and without it (Go before 1.9)?",
    "With starvation mode, about 1 ms: in normal mode an `Unlock` wakes the waiter, but the "
    "greedy goroutine, still running, takes the mutex again before the waiter has woken; "
    "once a waiter has waited more than 1 ms the mutex switches to starvation mode and hands "
    "itself straight to the oldest waiter. Without it, main loses every race: it may never get "
    "the mutex at all.",
)
lesson.predict(
    "6",
    "A loop keeps receiving from a channel that is always ready, in a `select` with a 1 ms "
    "`time.After`. Does the loop ever take the timeout? And if it first tries the ready "
    "channel alone (a `select` with `default`), and waits on both only when that fails?",
    "In the plain `select`, yes, almost as soon as the timer fires: when several cases are "
    "ready, `select` picks one uniformly at random, so the timeout wins about every second "
    "time. With the ready channel tried first, never: the timeout is only looked at when the "
    "channel is not ready, and it always is. Go's random choice is what makes `select` fair; "
    "a hand-made priority takes that fairness away.",
)
lesson.predict(
    "7",
    "Real Go runs two goroutines that spin 100 ms each with GOMAXPROCS=1. Are its time slices "
    "as long as the model's?",
    "About as long: a first slice of 10–20 ms while sysmon warms up, then close to 20 ms, "
    "because preemption needs two of sysmon's 10 ms looks. Real slices vary by a fraction of "
    "a millisecond (sysmon's sleeps are not exact on a busy machine); the model's are exact.",
)
lesson.predict(
    "7.1",
    "And the other experiments in real Go: main's Gosched under a call-free spinner, main's "
    "Gosched under a ping-pong pair, the mutex, the timer. Same story?",
    "Yes, in their shape: a Gosched under a spinner comes back after about one slice (and "
    "never with `asyncpreemptoff=1`: that run is stopped by a timeout); under a ping-pong pair "
    "after one slice too, with tens of thousands of exchanges meanwhile; a greedy mutex makes "
    "a waiter wait about 1 ms; the plain `select` sees the timeout at about 1 ms and the "
    "hand-made priority never. The exact figures vary from run to run, the shape does not.",
)


@cache
def _facts() -> dict[str, Any]:
    off = fairness.slices(gk.run(fairness.two_spinners, gomaxprocs=1, preemption=False))
    order, _ = fairness.gosched_order(rounds=2, goroutines=2)
    waits = fairness.mutex_waits(True)
    return {"second_start": float(off["started (ms)"].iloc[1]), "order": order,
            "mutex": round(statistics.median(waits or [0.0]), 2),
            "priority": ("never" if fairness.timeout_seen(True)["seen_ms"] is None
                         else "soon after it fires")}


ex1 = lesson.exercise(
    "ex1",
    "Two goroutines on one P each compute for 100 ms, and sysmon's preemption is switched off. "
    "At what virtual time (ms) does the second one start running?",
    expected=round(_facts()["second_start"], 1), rel_tol=0.02,
    hints=["Without preemption, what can take the P away from a goroutine that never blocks?"],
    solution=f"**About {_facts()['second_start']:.0f} ms**: nothing takes the P away from the "
             "first goroutine until it ends, so the second starts when the first has done its "
             "100 ms (plus the start-up of the program). Measured with "
             "`fairness.two_spinners` and `preemption=False`.",
)

ex2 = lesson.exercise(
    "ex2",
    "`findRunnable` looks at the global queue before the local one once every how many fresh "
    "time slices of a P (`schedtick`)?",
    expected=fairness.GLOBAL_CHECK_TICKS,
    hints=["`schedtick` counts the fresh slices a P hands out."],
    solution=f"**{fairness.GLOBAL_CHECK_TICKS}**: every time `schedtick % "
             f"{fairness.GLOBAL_CHECK_TICKS} == 0`, `findRunnable` takes one goroutine from the "
             "global queue before anything else. In the respawn table of section 3, main "
             "waited fewer starts than that: its wait ended at the next multiple, wherever the "
             "tick was when it joined the queue.",
)

ex3 = lesson.exercise(
    "ex3",
    "One P; `main` starts two goroutines, g0 then g1, and waits. Each records `g<i>.<j>` "
    "twice (j = 0, 1) and calls `Gosched()` after each. In which order are the four records "
    "made? Answer with a list of strings, e.g. `['g0.0', ...]`.",
    expected=_facts()["order"],
    hints=["Which of the two is in runnext when main blocks?",
           "Gosched sends the caller to the tail of the global queue."],
    solution=f"**{_facts()['order']}**: g1, the newest, is in runnext and runs first; g0 "
             "comes from the local queue. Each Gosched sends the caller to the global queue's "
             "tail, so when the local queue is empty they come back in the order they yielded. "
             "Measured with `fairness.gosched_order(rounds=2, goroutines=2)`.",
)

ex4 = lesson.exercise(
    "ex4",
    "In section 5's experiment with starvation mode on, about how many milliseconds does each "
    "of main's `Lock` calls wait? (A number.)",
    expected=_facts()["mutex"], rel_tol=0.25,
    hints=["How long must a waiter have waited before the mutex switches to starvation mode?"],
    solution=f"**About {_facts()['mutex']:.1f} ms**: `sync.Mutex` switches to starvation mode "
             "once a waiter has waited more than 1 ms (`starvationThresholdNs`), then hands "
             "the lock to it at the next `Unlock`. Measured with `fairness.mutex_waits()`.",
)

ex5 = lesson.exercise(
    "ex5",
    "The loop of section 6 that tries the ready channel alone first and falls back to the "
    "two-case `select` only when it is not ready: when does it take the 1 ms timeout?",
    expected=_facts()["priority"],
    choices=["soon after it fires", "after one time slice", "never"],
    hints=["When does the loop ever reach the `select` that has the timeout in it?"],
    solution=f"**{_facts()['priority']!r}**: the channel is always ready, so the first select "
             "always succeeds and the one with the timeout is never reached. Go's `select` is "
             "fair because it picks at random among ready cases; an order of your own is not. "
             "Measured with `fairness.timeout_seen(priority=True)`.",
)

ex6 = lesson.open_exercise(
    "ex6",
    "Run section 1's two spinners with `calls=False` (a loop without calls) and "
    "`godebug='asyncpreemptoff=1'`, then with `calls=False` alone. Compare the slices.",
    "With both, no slices: each goroutine runs its 100 ms to the end, because sysmon's request "
    "can only land at a call, and the loop makes none (Go before 1.14). With `calls=False` "
    "alone, the same 20 ms slices as before: the signal of asynchronous preemption stops a "
    "loop anywhere.",
)

lesson.questionnaire([
    ("What does sysmon check to decide that a goroutine has run too long?",
     "For each running P, whether its `schedtick` has stayed the same for 10 ms "
     "(`forcePreemptNS`); if so it preempts the goroutine running there (`retake`)."),
    ("Why is a steady time slice about 20 ms rather than 10?",
     "sysmon looks only every 10 ms once it has nothing else to do, and a goroutine is "
     "preempted on the first look at least 10 ms after sysmon saw its slice begin, so "
     "usually the second look."),
    ("Where does a preempted goroutine go?",
     "To the tail of the global run queue (`gopreempt_m` → `goschedImpl`), like Gosched."),
    ("What is a cooperative preemption point?",
     "A place where the goroutine checks for a pending request itself: the stack check in a "
     "function's prologue (`stackguard0` set to `stackPreempt`)."),
    ("What does asynchronous preemption add, and since when?",
     "Since Go 1.14 sysmon also sends the thread a signal (SIGURG); the handler stops the "
     "goroutine at almost any instruction, so loops without calls can be preempted too."),
    ("What does `GODEBUG=asyncpreemptoff=1` do?",
     "It turns off the signal: only calls are preemption points again, and a call-free loop "
     "keeps its P forever (as before Go 1.14)."),
    ("Why does a goroutine taken from runnext inherit the time slice?",
     "So that goroutines that hand work to each other run as a unit without getting a fresh "
     "slice at each hand-off, and sysmon can still preempt the whole chain after one slice."),
    ("What is the 1-in-61 check, and what does it protect against?",
     "When `schedtick % 61 == 0`, `findRunnable` takes one goroutine from the global queue "
     "before the local one, so goroutines that keep the local queue busy (respawning each "
     "other) cannot starve the global queue."),
    ("Where does `runtime.Gosched()` put the goroutine?",
     "At the tail of the global run queue; the P then runs something else, and the "
     "goroutine comes back when the global queue's turn comes (round robin)."),
    ("What is `sync.Mutex`'s starvation mode?",
     "Once a waiter has waited more than 1 ms, `Unlock` hands the mutex directly to the oldest "
     "waiter instead of letting newcomers compete for it; normal mode returns when the waiter "
     "queue empties or a waiter waited less than 1 ms."),
    ("Why can a `select` with an always-ready channel still see its timeout?",
     "When several cases are ready, `select` picks one uniformly at random, so a ready "
     "timeout wins about half the time."),
    ("Which mechanisms can move work from one P to another?",
     "Stealing (a thief takes half a local queue), the global queue (overflow, Gosched, "
     "preemption, syscall exits with no P), and handoff of a P stuck in a system call."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
