"""Chapter 3 · Coroutines (协程): questions, exercises, answers (see ``docs/lessons.md``)."""

from __future__ import annotations

from gmpkit.lessons import Lesson

lesson = Lesson(3, "Coroutines 协程", "03_coroutines.ipynb")

lesson.predict(
    "1",
    "`running_average` is a generator; after `next(avg)` we send it 10, 20 and 60, one after "
    "the other. What list of results comes back?",
    "`[10.0, 15.0, 30.0]`: the running average after each value. Between the sends the "
    "generator was suspended at its `yield`, keeping `total` and `count` alive, without any "
    "thread: that is what a coroutine is, a computation that can be suspended and resumed.",
)
lesson.predict(
    "2",
    "The scheduler runs `worker('A', 3)`, `worker('B', 2)` and `worker('C', 3)`, spawned in that "
    "order, round robin. In which order do the log entries come out?",
    "`A0 B0 C0 A1 B1 C1 A2 C2`: each task runs until its next `yield` and goes to the back of "
    "the ready queue; when B is finished, only A and C remain. In the second run, `child0` comes "
    "after `B1` because the new task joins the *back* of the queue, behind B, and the parent "
    "goes behind it. Go does the opposite with a new goroutine: every `go` statement puts it in "
    "its P's `runnext` slot, ahead of the queue, and the goroutine that held the slot moves to "
    "the tail (the puzzle of chapter 4, section 7; the mechanism in chapter 5, section 2.1).",
)
lesson.predict(
    "3",
    "Three `async def` coroutines, `greet('A', 3)`, `greet('B', 2)` and `greet('C', 3)`, each "
    "`await asyncio.sleep(0)` after every step, run together with `asyncio.gather`. Will the "
    "order be the same as our scheduler's? And if the awaits were of a coroutine that returns "
    "at once, without ever suspending?",
    "The same order, `A0 B0 C0 A1 B1 C1 A2 C2`: asyncio's event loop keeps a ready queue and "
    "runs it round robin, like ours. An `await` of a coroutine that never suspends is just a "
    "call: no switch happens, so `greedy('A')` runs all its steps before `B` starts.",
)
lesson.predict(
    "4",
    "A *ticker* coroutine wants to run every 10 ms; a *hog* coroutine on the same event loop "
    "computes for 0.3 s without a single `await`. How many ticks happen while the hog runs?",
    "None. The event loop gets control back only at an `await`, and the hog has none, so the "
    "longest gap between ticks is at least the hog's whole run. When the hog `await`s "
    "`asyncio.sleep(0)` between small slices, the ticker runs on time again. Cooperative "
    "scheduling needs every coroutine to cooperate.",
)
lesson.predict(
    "5",
    "Ten tasks each do, ten times: read a shared counter, `await asyncio.sleep(0)`, write the "
    "value + 1. All on one thread. How many of the 100 updates are lost?",
    "90. asyncio runs ready tasks in order, so in every round all ten read the same value before "
    "any writes, and nine of the ten writes are overwritten. One thread does not protect you: "
    "the `await` between the read and the write is a switch point. `asyncio.Lock` fixes it.",
)
lesson.predict(
    "6",
    "Four blocking jobs of 0.1 s each (`time.sleep(0.1)`) are handed from a coroutine to a pool "
    "of 4 threads with `loop.run_in_executor`, and awaited together. About how long does it take "
    "in total, and on which threads do they run?",
    "About 0.1 s: the four jobs wait at the same time on four pool threads, none of them the "
    "event loop's thread, while the loop stays free to run other coroutines. That is how "
    "asyncio calls blocking code without stalling.",
)
lesson.predict(
    "7",
    "A server answers every request after 100 ms. How long do 20 requests take one after "
    "another from a blocking client, and how long as 20 coroutines on one thread?",
    "About 2 s one after another (20 × 100 ms of waiting) and about 0.1 s as coroutines: all 20 "
    "wait at the same time, on one thread. The second experiment proves the requests really "
    "were in flight together: the server holds every answer until 50 are waiting, which a "
    "one-at-a-time client never reaches.",
)
lesson.predict(
    "8",
    "100 000 asyncio tasks all wait on one event. About how much memory does one suspended task "
    "hold: about 1 KiB, 10 KiB or 1 MiB?",
    "About 1 KiB of Python heap: a suspended coroutine keeps only its frame (local variables and "
    "where it paused) and the task object, not a whole stack. Compare with the tens of KiB of "
    "resident memory an idle thread costs (chapter 2), and with its MiB of reserved stack.",
)
lesson.predict(
    "9",
    "With processes, threads and coroutines in one table, which row is cheapest to create, and "
    "by about how much compared with a thread?",
    "The coroutine (asyncio task): microseconds, less than a thread and hundreds or more times "
    "less than a process, and about a KiB of memory instead of tens of KiB. "
    "The table and its *×* columns give this machine's figures.",
)

ex1 = lesson.exercise(
    "ex1",
    "Our `Scheduler` runs `worker('A', 2)` and `worker('B', 3)`, spawned in that order. Give "
    "`sched.log` as a list of strings.",
    expected=["A0", "B0", "A1", "B1", "B2"],
    hints=["Round robin: A, B, A, B, ...",
           "When A is finished, only B is left in the ready queue."],
    solution="`['A0', 'B0', 'A1', 'B1', 'B2']`: A and B alternate until A has no steps left, "
             "then B runs alone.",
)

ex2 = lesson.exercise(
    "ex2",
    "`coroutines.async_race(tasks=6, per_task=5)`: how many updates are lost?",
    expected=25,
    hints=["Each round, all 6 tasks read the same value.",
           "Only 1 of the 6 writes per round counts."],
    solution="`25`: the counter ends at 5 (one per round), out of 30 increments.",
)

ex3 = lesson.exercise(
    "ex3",
    "A coroutine computes for 2 seconds without any `await`, while a ticker wants to run every "
    "0.1 s on the same event loop. What is the *shortest possible* longest gap between two "
    "ticks, in seconds? (Within 25%.)",
    expected=2.0,
    rel_tol=0.25,
    hints=["Can the event loop run the ticker while the hog computes?"],
    solution="About `2.0` s: the loop gets control back only when the hog finishes.",
)

ex4 = lesson.open_exercise(
    "ex4",
    "Add a `sleep` request to the tiny scheduler of section 2: a task yields `('sleep', k)` to "
    "skip its next `k` turns. Where does the task wait meanwhile? (A second queue, and a step "
    "counter.)",
    "Keep a step counter and a list of `(wake_step, task)` pairs. On `('sleep', k)`, put the "
    "task in that list instead of the ready queue; at the start of each step, move every task "
    "whose `wake_step` has come back to the ready queue. When the ready queue is empty but "
    "sleepers remain, jump the counter to the earliest `wake_step`. asyncio's loop does the same "
    "with a heap of timers and real time; Go's runtime keeps a timer heap per P.",
)

lesson.questionnaire([
    ("What is a coroutine?",
     "A function that can suspend in the middle and be resumed later, keeping its local state; "
     "switching between coroutines needs no operating system."),
    ("What do `next(gen)` and `gen.send(x)` do to a generator?",
     "They resume it until its next `yield`; `send(x)` also makes the paused `yield` "
     "expression evaluate to `x`."),
    ("In the tiny scheduler, what is a `yield`?",
     "The task's trap into the scheduler: the only moment the scheduler gets control back, "
     "and a way to make a request (such as starting a new task)."),
    ("What does `await` do when the awaited thing is not ready, and when it is?",
     "Not ready: the coroutine suspends and the event loop runs another one. Ready (or a "
     "coroutine that never suspends): it just runs on, like a function call, with no switch."),
    ("Why does calling an `async def` function run nothing?",
     "It returns a coroutine object; the body runs only when something awaits it or an event "
     "loop runs it as a task."),
    ("Why can one coroutine freeze all the others on its event loop?",
     "Scheduling is cooperative: the loop regains control only at an `await`, so a coroutine "
     "that computes or blocks without awaiting keeps the thread to itself."),
    ("How do you call blocking code from asyncio without stalling the loop?",
     "Hand it to another thread (`loop.run_in_executor`, `asyncio.to_thread`) or process and "
     "await the result."),
    ("Can coroutines on one thread lose updates? When?",
     "Yes, when a read and the matching write are separated by an `await` that suspends: other "
     "coroutines run in between. Code without such an await is safe from them."),
    ("What kind of work do coroutines suit best?",
     "Many concurrent waits: network clients and servers, crawlers, anything that spends most "
     "of its time waiting for I/O."),
    ("Why is a suspended task so small?",
     "It keeps only its frame and task object (about a KiB), not a thread's stack, and creating "
     "or switching one involves no kernel."),
    ("How does Go keep one goroutine from freezing the others, where asyncio cannot?",
     "A goroutine that computes for long is preempted by sysmon after about 10 ms; one that "
     "blocks in a system call blocks only its own thread, while the runtime hands its P to "
     "another; network waits park in the netpoller without holding a thread."),
    ("Are coroutines always single-threaded?",
     "No: one event loop runs on one thread, but coroutines can hand work to other threads, a "
     "program can run several loops, and runtimes like Go's run their coroutine-like "
     "goroutines on many threads at once."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
