"""Chapter 6 · Work stealing, spinning threads, syscall handoff and the netpoller: questions,
exercises, answers (see ``docs/lessons.md``).

The expected answers of the checked exercises are computed by running the model (the functions
of :mod:`gmpkit.demos.stealing`), never written down; ``tests/test_exercises.py`` checks what the
other answers state about the model against the model.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

import gmpkit as gk
from gmpkit.demos import stealing
from gmpkit.exercises import Exercise
from gmpkit.lessons import Lesson

lesson = Lesson(6, "Work stealing, spinning, handoff, netpoller 工作窃取、自旋、交接、网络轮询器",
                "06_stealing_and_handoff.ipynb")

lesson.predict(
    "1",
    "`main` starts 8 CPU-bound workers on P0 and waits; GOMAXPROCS=2, so P1 has nothing. "
    "P1's thread wakes up and steals from P0. P0's local queue holds 7 workers (the 8th is in "
    "runnext): how many does P1 take, from which end of the queue, and which one does it run?",
    "Half, rounded up: 4 of the 7, from the head of P0's local queue (the oldest). P1 keeps "
    "three in its own local queue and runs the last one it took. The timeline shows P1 busy "
    "from the steal on. (The rows marked *runtime* are steals of the runtime's own start-up "
    "goroutines, before main started its workers; a steal from runnext is explained in "
    "section 1.2.)",
)
lesson.predict(
    "1.1",
    "The stepper stops just after P1's steal. Before you press **next ▶**: how many goroutines "
    "are left in P0's local queue, where did the stolen ones go, and what does P1's thread do "
    "next?",
    "P0 keeps 3 (7 minus the 4 taken), the newest; by then it is running the goroutine that "
    "was in its runnext, which a thief takes only as a last resort. Of the 4 stolen, P1 runs "
    "the last one at once (a goroutine start with rule `steal`) and keeps the other 3 in its "
    "own local queue, oldest first. Its thread also stops spinning (`resetspinning`), and "
    "because it found work it calls `wakep` again, so that another thread would look for work "
    "if there were an idle P left (here there is none).",
)
lesson.predict(
    "1.2",
    "Now P0's local queue is empty and its only waiting goroutine sits in runnext, while main "
    "keeps P0 busy. P1's spinning thread goes through its 4 rounds of stealing. In which round "
    "does it take the runnext goroutine, and does it take it at once?",
    "Only in the last round (round 4 of 4): `stealWork` lets a thief take another P's runnext "
    "only then. And not at once: if the victim P is running, the thief first sleeps a moment "
    "(`usleep(3)` in `runqgrab`, 3 µs) to give P0 the chance to run its own runnext, which is "
    "usually about to run. The difference printed above is that wait plus one goroutine "
    "switch, against a switch alone for a steal from a local queue.",
)
lesson.predict(
    "1.3",
    "With GOMAXPROCS=4, two goroutines each start 8 workers, so two Ps have queues and two "
    "threads look for work. Run the same program with different seeds: does an idle P always "
    "rob the same victim first?",
    "No. A thief visits the Ps in a random order: a random start and a random stride coprime "
    "with the number of Ps, drawn afresh for each of its 4 rounds (`stealOrder` in "
    "`proc.go`), and robs the first one that has something. So with several Ps busy the "
    "victims differ from seed to seed, while the same seed always gives the same order: the "
    "model draws Go's `cheaprand` numbers from its seeded random source. Not every order of "
    "the Ps is possible, only those of a start and a stride (the 8 printed for 4 Ps).",
)
lesson.predict(
    "2",
    "Switch stealing off (a teaching switch; real Go has none) and run 16 CPU-bound workers "
    "with GOMAXPROCS 1, 2, 4 and 8. How does the time the program takes change as you add Ps?",
    "It does not change: with stealing off, every line of the chart's dashed curve is as slow "
    "as one P. All 16 workers were queued on P0 by main's `go` statements, and the other Ps' "
    "threads, woken to look for work, find nothing they may take and go back to sleep; P0 runs "
    "all of them one after the other. With stealing on, the time falls with every P added "
    "(not exactly by half: the workers' lengths differ, and the last P to finish decides). "
    "Workers that ran longer than 10 ms would spread a little even without stealing: "
    "sysmon's preemption puts them on the global queue, which every P reads.",
)
lesson.predict(
    "3",
    "`main` keeps computing on P0 and starts a short goroutine every 20 µs. With spinning "
    "threads, an idle P's thread is woken to look for the new goroutine; with spinning off, "
    "nobody is woken. How long does a new goroutine wait before it starts, with and without, "
    "and what does spinning cost?",
    "With spinning, a few microseconds: `wakep` wakes an idle P's thread, which spins, finds "
    "the new goroutine in P0's runnext and steals it. Without, it waits until main gives up "
    "P0, here until main blocks at the end, about a millisecond on average: the table's "
    "*wait* columns. The price of spinning is thread time spent looking (the *spinning* "
    "column), idle threads woken and put back to sleep, and searches that found nothing. "
    "More idle Ps do not make the new goroutines start any sooner here (one spinner is "
    "enough), but they cost more wasted searches.",
)
lesson.predict(
    "3.1",
    "GOMAXPROCS=8, and all 8 Ps are busy. How many threads may spin (look for work) at once? "
    "And if only 2 Ps are busy?",
    "An M that runs out of work starts spinning only while twice the number of spinning Ms is "
    "less than the number of busy Ps (`findRunnable`: `2*nmspinning < GOMAXPROCS - npidle`): "
    "at most half the busy Ps, rounded up, so 4 with 8 busy Ps and 1 with 2. Spinning burns a "
    "CPU that could run Go code, and one spinner is enough to notice new work (the one that "
    "finds some wakes the next); the bound keeps the waste at half the busy Ps at worst. The "
    "table lists the spin decisions of a run and the bound each was checked against.",
)
lesson.predict(
    "4",
    "6 goroutines, GOMAXPROCS=2, each makes one blocking system call of 2–6 ms. The thread in "
    "a syscall is stuck in the kernel. How many threads (Ms) does the program end with: 2, 3, "
    "or more?",
    "More than GOMAXPROCS: the count printed above. A goroutine's syscall blocks its thread, "
    "and the thread keeps its P; sysmon notices the P stuck in a syscall and takes it "
    "(`retake`) on its second look at the same syscall, or after 10 ms if the P has nothing "
    "waiting and another P is idle; `handoffp` then starts "
    "another thread for the P when it has work (rule `work`) or someone must look for work "
    "(rule `spin`). Each goroutine that blocks while others still want to run costs one more "
    "thread, and threads are never destroyed: Go keeps them for later.",
)
lesson.predict(
    "4.1",
    "The same goroutines make syscalls of 1 µs, 10 µs, 100 µs and 1 ms. When a goroutine "
    "comes back from its syscall, does it find its P still there?",
    "For very short syscalls, yes: sysmon looks every 20 µs at best and never retakes a P on "
    "its first look, so the goroutine returns before anyone noticed and goes on at once "
    "(`exitsyscall`'s fast path: no scheduling at all). For longer ones its P was taken: it "
    "takes it back if the thread now holding it is itself in a syscall, else an idle P, and "
    "if there is none it goes to the global queue and its thread goes to sleep (the slowest "
    "path). The longer the syscalls, the more retakes and the more threads.",
)
lesson.predict(
    "4.2",
    "4 goroutines keep making 5 ms syscalls while 8 CPU-bound goroutines need 16 ms of CPU in "
    "all, with GOMAXPROCS=2. Switch handoff off (sysmon then never takes a P from a syscall): "
    "how much later are the CPU-bound goroutines done?",
    "Many times later: the table's first column. Without handoff a P whose thread is in a "
    "syscall is lost for the whole syscall, and with 4 goroutines in syscalls on 2 Ps, both "
    "Ps spend most of the time waiting in the kernel; the CPU work trickles through the gaps. "
    "With handoff, sysmon gives each stuck P to a new thread within a sysmon tick, so the CPU "
    "work runs at almost 2 CPUs' worth, at the price of a few more threads.",
)
lesson.predict(
    "5",
    "1,000 goroutines each wait 500 ms for data from the network; then 1,000 goroutines each "
    "wait 500 ms in a blocking system call. How many threads does each program need?",
    "A waiting network read needs no thread: the goroutine parks in `IO wait` on the "
    "netpoller (网络轮询器), the runtime's one `epoll` for all its sockets, and its thread runs "
    "something else. So the first program has only a few threads, about one per P plus "
    "sysmon, for any number of connections. A blocking syscall holds its thread in the "
    "kernel, so 1,000 of them need about 1,000 threads. With the netpoller switched off, "
    "network waits become blocking calls and need a thread each too.",
)
lesson.predict(
    "5.1",
    "Go limits a program to 10,000 threads (`debug.SetMaxThreads` changes it). Set the limit to "
    "100 and let 1,000 goroutines block in syscalls: what happens?",
    "The program dies with Go's fatal error: `runtime: program exceeds 100-thread limit`, then "
    "`fatal error: thread exhaustion`. A fatal error is not a panic: it cannot be recovered. "
    "The thread that would have been the 101st is asked for when sysmon hands a P off from a "
    "syscall and no idle thread is left (`newm` → `checkmcount`).",
)
lesson.predict(
    "6",
    "Real Go runs the netpoller program and the syscall program. Does it need about as many "
    "threads as the model?",
    "Yes, give or take a few: real Go also starts threads of its own at start-up (its "
    "garbage collector's background work, which the model does not have), so it counts a "
    "thread or two more in each case; with 1,000 blocking syscalls it ends with about 1,000 "
    "threads, with 1,000 network waits with a handful. Its thread limit fails with the same "
    "two lines as the model's.",
)
lesson.predict(
    "6.1",
    "The `blocking_syscalls` program with `GODEBUG=schedtrace=1`, in the model and in real Go. "
    "What should the `threads=` column do in both?",
    "Grow past `gomaxprocs=2` while the goroutines are in their syscalls, and never come back "
    "down: threads that are no longer needed park on the idle list (`idlethreads=` grows "
    "instead). Real Go usually counts a thread or so more than the model (threads of its "
    "garbage collector, which the model does not have), and its timings move from run to "
    "run; the shape is the same.",
)


# -- exercises: the expected answers come from running the model ------------------------------

@cache
def _facts() -> dict[str, Any]:
    netwait_threads = len(gk.run(stealing.waiters, 1000, "network", 500, gomaxprocs=4,
                                 record=False).sched.allm)
    exits = stealing.exits_after(2)
    return {"took": stealing.first_steal(9)["took"], "net_threads": netwait_threads,
            "exit_path": max(exits, key=lambda k: exits[k]),
            "rule": stealing.handoff_rule_for(3)}


ex1 = lesson.exercise(
    "ex1",
    "P0's local queue holds 9 goroutines and P1's thread steals from it. How many goroutines "
    "does it take?",
    expected=_facts()["took"],
    hints=["Half of the queue, but half of 9 is not a whole number: which way does "
           "`runqgrab` round?", "It takes `n - n/2` with integer division."],
    solution=f"**{_facts()['took']}**: `runqgrab` takes `n - n/2` = 9 - 4, the ceiling of "
             "half, from the head of the queue; the thief runs the last of them and keeps "
             "the rest in its own queue. Measured in the model by `stealing.first_steal(9)`.",
)

ex2 = lesson.exercise(
    "ex2",
    "1,000 goroutines each wait 500 ms on the network (the netpoller is on) with "
    "GOMAXPROCS=4. How many threads (Ms, sysmon's included) does the program end with?",
    expected=_facts()["net_threads"],
    hints=["A goroutine in `IO wait` holds no thread.",
           "When the poller reports the 1,000 ready at once, `injectglist` starts a thread for "
           "each idle P. Do not forget sysmon."],
    solution=f"**{_facts()['net_threads']}**: one thread per P, since all four Ps get work "
             "when the data arrives, plus sysmon's. Waiting on the network costs no thread at "
             "all, however many goroutines wait. Measured with `stealing.waiters(1000, "
             "'network')` at GOMAXPROCS=4.",
)

ex3 = lesson.exercise(
    "ex3",
    "Four goroutines keep making system calls of 2 µs each. When a goroutine returns from one, "
    "which path of `exitsyscall` does it take almost every time?",
    expected=_facts()["exit_path"],
    choices=["fast", "oldp", "idlep", "global"],
    hints=["How often does sysmon look at the Ps, at best?",
           "sysmon never takes a P on its first look at a syscall."],
    solution=f"**{_facts()['exit_path']!r}**: sysmon looks every 20 µs at best and leaves a "
             "syscall alone on its first look, so a 2 µs syscall is over before anyone "
             "noticed: the goroutine's P is still attached and it simply goes on, without any "
             "scheduling. Measured with `stealing.exits_after(2)`.",
)

ex4 = lesson.exercise(
    "ex4",
    "With GOMAXPROCS=1, main queues 3 goroutines and then blocks in a 1 ms system call. sysmon "
    "takes the P from main's thread. Which rule of `handoffp` fires?",
    expected=_facts()["rule"],
    choices=["work", "spin", "last", "idle"],
    hints=["`handoffp`'s rules in order: local or global work; nobody spinning and no idle P; "
           "the last running P; otherwise idle."],
    solution=f"**{_facts()['rule']!r}**: the P has goroutines in its local queue, so the first "
             "rule fires and `handoffp` starts a thread to run them (`startm`); the blocked "
             "thread stays in the kernel with main. Measured with "
             "`stealing.handoff_rule_for(3)`.",
)


@lesson.factory("ex5")
def stealing_off_factor(table: pd.DataFrame) -> Exercise:
    """From :func:`gmpkit.demos.stealing.completion_times`' table: how many times longer the
    program takes at the largest GOMAXPROCS with stealing off than with it on."""
    p = int(table["GOMAXPROCS"].max())
    rows = table[table["GOMAXPROCS"] == p].set_index("stealing")["took (ms)"]
    factor = float(rows["off"] / rows["on"])
    return Exercise(
        f"In the table of section 2, at GOMAXPROCS={p}: how many times longer does the program "
        "take with stealing off than with it on? (A number; a rough one is fine.)",
        expected=round(factor, 2), rel_tol=0.1,
        hints=["Divide the two `took (ms)` figures of that GOMAXPROCS."],
        solution=f"**{factor:.2f}×** ({rows['off']:.2f} ms against {rows['on']:.2f} ms): with "
                 "stealing off one P runs everything, so the program takes as long as with "
                 f"GOMAXPROCS=1, while with stealing the {p} Ps share the work.")


ex6 = lesson.open_exercise(
    "ex6",
    "Make the workers of section 2 longer than sysmon's time slice (`scenarios.get('cpu_bound', "
    "n=16, work_ms=30)`) and run it with stealing off at GOMAXPROCS=4. Does one P still do all "
    "the work? Look at the timeline.",
    "No: after 10–20 ms sysmon preempts the running worker and puts it on the global queue. "
    "Putting work there calls `wakep`, an idle P's thread wakes up, and the global queue is "
    "open to every P, no stealing needed. So long workers spread over the Ps even without "
    "stealing, but late and in 10 ms pieces: the program still takes longer than with "
    "stealing. Preemption (chapter 7) is the other way work moves between Ps.",
)

lesson.questionnaire([
    ("When does an M steal, and from where?",
     "When its P has nothing in runnext, the local queue or the global queue, and the netpoller "
     "has nothing ready (`findRunnable`, step by step): it then visits the other Ps and takes "
     "half of the first non-empty local queue it finds."),
    ("How much does a steal take, and which goroutine does the thief run?",
     "Half of the victim's local queue rounded up (`n - n/2`), from its head (the oldest); the "
     "thief runs the last one it took and queues the others."),
    ("When may a thief take another P's runnext goroutine?",
     "Only in the last of its 4 rounds, and if that P is running, only after sleeping about "
     "3 µs to let the P run it itself."),
    ("In what order does a thief visit the other Ps?",
     "A random start and a random stride coprime with the number of Ps, drawn for each round; "
     "it skips idle Ps and its own. The model draws them from its seeded random source, so the "
     "same seed gives the same order."),
    ("What is a spinning thread (自旋线程)?",
     "An M that holds a P, has no goroutine to run and is looking for one (stealing, the global "
     "queue, the netpoller) instead of going to sleep at once."),
    ("Who starts a spinning thread, and when?",
     "`wakep`, when new work appears (a `go` statement, a goroutine made ready, Gosched) while "
     "a P is idle and nobody spins; and a spinner that finds work calls `wakep` again, so the "
     "search goes on while work keeps appearing."),
    ("Why may at most about half the busy Ps' threads spin?",
     "Spinning burns CPU that could run goroutines, and one spinner is enough to notice new "
     "work; `findRunnable` lets an M spin only while `2*nmspinning < GOMAXPROCS - npidle`."),
    ("What happens to a P whose goroutine blocks in a system call?",
     "Nothing at first: the P stays with the blocked thread. sysmon retakes it on its second "
     "look at the same syscall (or only after 10 ms if the P has nothing waiting and other "
     "Ps are idle); `handoffp` then starts a thread for it if it has work or someone must "
     "spin, or puts it on the idle list."),
    ("What are `exitsyscall`'s paths?",
     "Fast: the P was never taken, go on. Slower: take the old P back from a thread that is "
     "itself in a syscall, or take an idle P. Slowest: no P anywhere, so the goroutine goes to "
     "the global queue and the thread to sleep."),
    ("Why can a Go program have many more threads than GOMAXPROCS?",
     "Every goroutine blocked in a system call holds a thread in the kernel, and its P is "
     "handed to another thread; threads are never destroyed, only parked."),
    ("How does Go wait for 10,000 network connections without 10,000 threads?",
     "With the netpoller: a goroutine whose socket is not ready parks in `IO wait`; one "
     "`epoll` (on Linux) watches every socket, and ready goroutines are made runnable by "
     "`netpoll` in `findRunnable` or by sysmon."),
    ("What does `fatal error: thread exhaustion` mean?",
     "The program needed more threads than its limit (10,000 by default, "
     "`debug.SetMaxThreads`), usually because too many goroutines block in system calls at "
     "once; it cannot be recovered."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
