"""Chapter 5 · The GMP scheduler: questions, exercises, answers (see ``docs/lessons.md``).

The facts the answers state about the model are checked against the model in
``tests/test_exercises.py``.
"""

from __future__ import annotations

from gmpkit.lessons import Lesson

lesson = Lesson(5, "The GMP scheduler 调度器", "05_gmp_scheduler.ipynb")

lesson.predict(
    "1",
    "8 CPU-bound goroutines run with GOMAXPROCS=2. At most how many goroutines run at the same "
    "instant? And does the program take as long as its goroutines' CPU time added up, or less?",
    "At most 2, one per P, however many threads exist. The program takes about half of its "
    "goroutines' CPU time, because two Ps run two goroutines at once: the two figures printed "
    "above are computed from the trace. P1 had nothing at first: its thread *stole* half of "
    "P0's queue (hover over the first bar on P1 in the timeline: 'stolen from P0').",
)
lesson.predict(
    "1.1",
    "A Go program runs here without `GOMAXPROCS` in its environment. How many Ps does it get: "
    "the number of CPUs in the machine, the number this process may use, or something else? "
    "And if the CPUs it may use change while it runs?",
    "Since Go 1.25: the CPUs in the process's affinity mask (what `runtime.NumCPU()` reports), "
    "lowered to the cgroup CPU limit rounded up, where a limit below 2 still gives 2 "
    "(`runtime/cgroup_linux.go: defaultGOMAXPROCS`). In a Binder pod limited to one CPU on a "
    "large machine that is 2, not the machine's core count. And it follows changes: sysmon "
    "re-reads both about once a second (`sysmonUpdateGOMAXPROCS`) and wakes the GOMAXPROCS "
    "updater goroutine, which changes GOMAXPROCS, unless the program or its environment set "
    "GOMAXPROCS itself. `NumCPU()` keeps the value it had at start-up.",
)
lesson.predict(
    "2",
    "Switch runnext off (a teaching switch of the model; real Go has none) and start the ten "
    "goroutines of the `9 0 1 … 8` puzzle again on one P. In which order do they run?",
    "`0 1 2 … 9`, plain first-in first-out: without the slot every new goroutine goes to the "
    "tail of the local queue. runnext exists for goroutines that talk to each other: a "
    "goroutine made ready by the running one (a channel receiver, say) runs next and inherits "
    "the rest of the time slice, so a pair that takes turns runs as a unit instead of waiting "
    "behind the whole queue each time; the ping-pong experiment measures the difference.",
)
lesson.predict(
    "2.2",
    "`main` starts 300 goroutines in one burst on one P. How long does the P's local queue get, "
    "and how many goroutines land in the global queue?",
    "The local queue stops at 256, its size. When a `go` finds it full, `runqputslow` moves "
    "half of it (128, the oldest) plus the newcomer, 129 goroutines, to the global queue in one "
    "batch; 300 goroutines overflow once, so the global queue reaches 129.",
)
lesson.predict(
    "3",
    "In the 8-worker run of section 1, P1 starts with an empty local queue. Where does the first "
    "goroutine it runs come from?",
    "It is stolen from P0: `find_runnable` on P1 finds nothing in its own runnext, local queue, "
    "the global queue or the netpoller, so it steals half of P0's local queue and runs the last "
    "one it took. The `source` column of the event table says so for every start.",
)
lesson.predict(
    "3.1",
    "Step the same 8-worker run to the moment `main` blocks in `wg.Wait()`: all eight workers "
    "wait on P0, and P1's thread is about to look for work. Which goroutine starts next on P0, "
    "and from where? Which is the first to start on P1, and where does P1 find it?",
    "On P0, the newest worker, from runnext: the last `go` statement put it there, and it "
    "inherits the time slice. On P1, a worker stolen from P0. P1's thread was woken by `wakep` "
    "when main's first `go` statement made work runnable; it finds nothing in P1's runnext or "
    "local queue, the global queue or the netpoller, spins, and in the first round of stealing "
    "takes half of P0's local queue, rounded up, from its head, then runs the last one it "
    "took. The stepper's reason line names the rule each time: `[runnext ...]`, then "
    "`[steal ...]` with how many of how many, from which P, in which round.",
)
lesson.predict(
    "4",
    "The first `SCHED` line of the 8-worker program, printed at 0 ms: how many threads does the "
    "model report, and how many does real Go report?",
    "The model reports 3: m0, sysmon's thread and the thread `wakep` started for the second P. "
    "Real Go reports 4: it also starts threads for its garbage collector's background work, "
    "which the model does not have (`docs/model.md` lists this among the model's deliberate "
    "differences). Real Go's times, queue lengths and ticks change from run to run; the "
    "thread count at start-up usually stays the same.",
)
lesson.predict(
    "5",
    "In the playground, the CPU-bound scenario has 8 goroutines. As you move GOMAXPROCS from 1 to "
    "2, 4, 8 and 16, when do more Ps stop making the program finish sooner?",
    "At 8: with one P per goroutine every goroutine runs at once, and the program takes as "
    "long as its longest goroutine. Past 8 the extra Ps have nothing to run (their lanes stay "
    "empty). Up to 8, every step helps, but not by an exact factor: the goroutines' amounts "
    "of work differ, and the P that finishes last decides when the program ends.",
)

ex1 = lesson.exercise(
    "ex1",
    "A P's runnext holds G9, its local queue holds G5 G6 G7 G8, and the global queue holds G20. "
    "Its M calls `schedule` with the P's `schedtick` at 61. Which goroutine runs next?",
    expected="G20",
    choices=["G9", "G5", "G20"],
    hints=["Go through `find_runnable`'s list in section 3, from the top.",
           "61 % 61 == 0."],
    solution="**G20**: once every 61 ticks `find_runnable` takes one goroutine from the global "
             "queue *before* runnext and the local queue, so that the global queue cannot starve. "
             "At any other tick G9 (runnext) would run, then G5 …",
)

ex2 = lesson.exercise(
    "ex2",
    "`main` starts 600 goroutines in one burst on one P (the storm of section 2.2, twice as "
    "big). How many times does the local queue overflow into the global queue?",
    expected=3,
    hints=["The first overflow comes when the queue of 256 is full and one more needs room.",
           "Each overflow moves 129 goroutines out, leaving 128 free slots: how many more `go` "
           "statements until it is full again?"],
    solution="**3**. The first comes at the 256th `go`: the GOMAXPROCS updater and the finalizer "
             "goroutine already hold two local slots, so 254 of main's goroutines fill the queue "
             "of 256 and one more sits in runnext. Each overflow moves 129 out and leaves 128 "
             "slots free, so the next comes 129 `go` statements later: the 385th, the 514th. A "
             "fourth would need 643.",
)

ex3 = lesson.exercise(
    "ex3",
    "Six goroutines each make a blocking system call with GOMAXPROCS=2. At most how many "
    "goroutines *run Go code* at the same instant?",
    expected=2,
    hints=["Running Go code needs a P."],
    solution="**2** (= GOMAXPROCS). Threads are not limited by GOMAXPROCS, running goroutines "
             "are: while some threads sit in system calls, the Ps are handed to other threads, "
             "but there are still only two Ps.",
)

lesson.questionnaire([
    ("What are G, M and P?",
     "G: a goroutine (its stack, state and the function it runs). M: an OS thread, the only "
     "thing that executes code. P: a processor, the right to run Go code plus a local run "
     "queue; there are GOMAXPROCS of them."),
    ("Why does Go need P as well as G and M?",
     "So that the run queue and the right to run Go code can move from a thread that blocks in "
     "a system call to another thread, and so that each P's queue can be used without a global "
     "lock."),
    ("Where can a runnable goroutine wait?",
     "In a P's runnext slot (one goroutine), in a P's local run queue (256 slots), or in the "
     "global run queue (unbounded)."),
    ("Where does a goroutine created by `go` go?",
     "Into the current P's runnext; the goroutine that was there moves to the tail of the local "
     "queue."),
    ("What happens when a local run queue is full?",
     "`runqputslow` moves half of it (128) plus the new goroutine to the global queue in one "
     "batch."),
    ("Why does `find_runnable` look at the global queue first once every 61 schedule ticks?",
     "So that goroutines in the global queue cannot starve while local queues are always full "
     "(two goroutines that keep re-spawning each other would otherwise hold a P forever)."),
    ("In what order does `find_runnable` look for work?",
     "Due timers; 1 in 61 the global queue; runnext; the local queue; a batch from the global "
     "queue; the netpoller; stealing from other Ps; then the P goes idle and its M sleeps."),
    ("What does work stealing take, and from where?",
     "Half of another P's local queue (from its head), in up to four passes over the Ps; the "
     "thief runs the last goroutine it took."),
    ("What is the default GOMAXPROCS in Go 1.25 and later?",
     "The CPUs in the affinity mask, lowered to the cgroup CPU limit rounded up (never below 2 "
     "because of a limit), and updated while the program runs unless GOMAXPROCS was set."),
    ("What do `idleprocs`, `threads`, `runqueue` and `[ a b ]` mean in a `SCHED` line?",
     "Ps with nothing to do; Ms created so far; the global queue's length; each P's local "
     "queue length (runnext not counted)."),
    ("Why does runnext inherit the time slice?",
     "So that a pair of goroutines handing work to each other through runnext cannot hold a P "
     "forever: together they still get one 10 ms slice before sysmon preempts them."),
    ("When does Go report `all goroutines are asleep - deadlock!`?",
     "When every goroutine is blocked and nothing can wake one: no timer, no system call, no "
     "network wait pending (`checkdead`)."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
