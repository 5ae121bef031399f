"""Chapter 4 · Goroutines: questions, exercises, answers (see ``docs/lessons.md``).

The facts the answers state about the model (orderings, counts) are checked against the model
in ``tests/test_exercises.py``.
"""

from __future__ import annotations

from gmpkit.lessons import Lesson

lesson = Lesson(4, "Goroutines", "04_goroutines.ipynb")

lesson.predict(
    "1",
    "`main` starts goroutine A, then goroutine B, prints a line, and sleeps 1 ms. Which of the "
    "three lines is printed first, and does A or B print before the other? And if `main` "
    "returned without sleeping?",
    "`main`'s own line comes first: `go` only *queues* the new goroutine and returns at once. "
    "Then B prints before A: each `go` puts the new goroutine in its P's `runnext` slot and "
    "pushes the previous occupant (A) to the back of the queue, so the newest runs first "
    "(section 7 shows it with ten goroutines). Without the sleep nothing else prints: when "
    "`main` returns the program ends, whatever other goroutines were doing.",
)
lesson.predict(
    "2",
    "A producer sends 0, 1, 2 on an *unbuffered* channel to a consumer, with one P; it prints "
    "`send i` before each send and `sent i` after. Can `sent 0` be printed before the consumer "
    "prints `recv 0`?",
    "Yes. An unbuffered send waits until a receiver *takes* the value, not until the receiver "
    "has run: the waiting consumer is handed the value and made runnable, and the producer "
    "carries on (printing `sent 0`) until its next send blocks. What never happens is `sent i` "
    "before the consumer has the value. With a buffer of 2 the producer runs two values ahead "
    "and blocks only when the buffer is full.",
)
lesson.predict(
    "3",
    "A `select` with `default` tries to send `'a'`, then `'b'`, on an empty buffered channel of "
    "capacity 1 that nobody reads. Which sends happen? And in the timeout example, what does "
    "the second attempt print, after how long?",
    "`'a'` is sent (the buffer had room); `'b'` takes the `default` branch, because the buffer "
    "is full and `default` makes `select` never wait. In the timeout example the first attempt "
    "gets the worker's answer after 5 ms; nobody answers the second, so the `gk.after(ms=20)` "
    "channel fires first and it prints `timeout` after 20 ms of virtual time.",
)
lesson.predict(
    "4",
    "Five workers compute for 500, 400, 300, 200 and 100 µs (worker 4 has least) on two Ps, "
    "then append their number to a shared list under a `Mutex`. Will the list read "
    "`[4 3 2 1 0]`, the order of the amounts of work?",
    "No. Only two run at a time, and *which* two start first is decided by the scheduler's "
    "queues, not by their work. P0 runs worker 4 first (the newest goroutine, in runnext); the "
    "idle P1's thread steals half of P0's queue, workers 0 and 1, and runs worker 1 first (the "
    "last one stolen). P0 then runs workers 2 and 3 from its queue, P1 worker 0. Each finishes "
    "at its start time plus its work, and the table under the run lists exactly that: worker 4 "
    "first, worker 0, with the most work and the latest start, last.",
)
lesson.predict(
    "5",
    "10 000 goroutines each compute for 50 µs, with GOMAXPROCS=4. How many OS threads (Ms) will "
    "the program use: about 4, about 10 000, or something in between? And at most how many "
    "goroutines run at the same instant?",
    "A handful, fewer than ten: the Ps' threads, sysmon's thread and one started on the way. At "
    "most four goroutines run at once, one per P; all the others are queued. Threads are not "
    "limited by GOMAXPROCS, though: when goroutines block in system calls, the runtime starts "
    "more threads so that the Ps keep running Go code (the last experiment of the section).",
)
lesson.predict(
    "6",
    "A new goroutine starts with a stack of its own. How big: about 2 KiB, 64 KiB or 8 MiB? And "
    "what happens when a deep recursion needs more?",
    "2 KiB (the runtime's `stackMin`), which is why a parked goroutine costs a few KiB in all, "
    "stack included. When a call needs more stack than is left, the function's prologue notices "
    "and the runtime copies the stack to one twice the size (`newstack`, `copystack`), so the "
    "stack of the recursing goroutine in section 6.2 grows in powers of two as it goes deeper.",
)
lesson.predict(
    "7",
    "Ten `go` statements on one P (GOMAXPROCS=1), each goroutine appending its number `i` to a "
    "list; then `main` waits. Which number comes first in the list?",
    "9, then 0 1 2 … 8. Each `go` puts the new goroutine in runnext and pushes the previous "
    "runnext to the tail of the local queue. After the loop runnext holds 9 and the queue "
    "holds 0…8 in order; when `main` blocks in `wait()`, the scheduler takes runnext first, then "
    "the queue from its head. Real Go prints the same.",
)
lesson.predict(
    "8",
    "Two goroutines each add 1 to a shared counter 1000 times, with `gk.gosched()` (Go's "
    "`runtime.Gosched()`) between the read and the write, and no lock, GOMAXPROCS=2. What does "
    "the counter end at?",
    "1000 of 2000. In every round both goroutines read the same value before either writes, so "
    "half the updates are lost, on every run: in the model the interleaving is deterministic. "
    "With `gk.Mutex` the count is exact, and so it is when one goroutine owns the counter and "
    "the others send it increments over a channel.",
)
lesson.predict(
    "9",
    "Which is cheaper to create and start: a real goroutine or an asyncio task? And which is "
    "cheaper to hand over to?",
    "The goroutine, usually by a few times for creation, and clearly for a hand-over: a Go "
    "channel hand-over between two goroutines is a few hundred nanoseconds of compiled code, "
    "an asyncio switch a microsecond or two of Python. Both are far below a thread. The "
    "goroutine row is live when Go is installed, else it is a recorded run from another "
    "machine (its *source* column says which).",
)

ex1 = lesson.exercise(
    "ex1",
    "With GOMAXPROCS=1, `main` starts goroutines 0 to 4 (each records its number), then waits. "
    "In which order are they recorded? Answer with a list, e.g. `[0, 1, 2, 3, 4]`.",
    expected=[4, 0, 1, 2, 3],
    hints=["Which goroutine is in runnext when main blocks?",
           "runnext runs first; the local queue follows, oldest first."],
    solution="`[4, 0, 1, 2, 3]`: the last `go` put 4 in runnext and pushed 3 to the queue "
             "behind 0, 1, 2.",
)

ex2 = lesson.exercise(
    "ex2",
    "Section 8's race with 3 goroutines instead of 2, each adding 1000 times, "
    "read–gosched–write without a lock. With GOMAXPROCS=1, what does the counter end at?",
    expected=1000,
    hints=["In each round, does any goroutine write before all of them have read?",
           "Each round, all three read the same value and all write value + 1."],
    solution="**1000**: with one P and `gosched` sending each goroutine to the back of the "
             "global queue, all three read the same value every round; 2000 of 3000 updates "
             "are lost.",
)

ex3 = lesson.exercise(
    "ex3",
    "Twelve goroutines each make a 5 ms blocking system call at the same time, GOMAXPROCS=3. "
    "Can the program have more than 3 OS threads? Answer True or False.",
    expected=True,
    hints=["While a goroutine's thread is blocked in the kernel, can its P run other goroutines?"],
    solution="**True**: GOMAXPROCS limits Ps, i.e. goroutines running Go code, not threads. The "
             "thread in the system call keeps its P at first; sysmon notices the P is stuck in "
             "a syscall and takes it away (`retake`), and `handoffp` gives it, with the work "
             "waiting in its queue, to another thread, started if none is idle. Section 5.2 "
             "showed more threads than Ps.",
)

ex4 = lesson.exercise(
    "ex4",
    "A goroutine does `i, v, ok = await gk.select(gk.recv(ch), default=True)` on an empty, "
    "open channel. What is `i`?",
    expected=-1,
    hints=["Can the receive proceed right now?"],
    solution="**-1**: nothing is ready, so `select` takes `default` instead of waiting.",
)

lesson.questionnaire([
    ("What does the `go` statement do, and what does it not do?",
     "It creates a goroutine and queues it on the current P (in runnext) and returns at once; "
     "it never waits for the goroutine to start or finish."),
    ("What happens to the other goroutines when `main` returns?",
     "Nothing more: the program exits at once, whatever they were doing."),
    ("What is the difference between an unbuffered and a buffered channel?",
     "An unbuffered send waits until a receiver takes the value (a handoff); a buffered send "
     "waits only when the buffer is full, a receive only when it is empty."),
    ("What does `select` do when several cases are ready, and when none is?",
     "Several ready: it picks one at random. None ready: it waits, unless there is a `default`, "
     "which it then takes at once."),
    ("How do you wait for a group of goroutines to finish?",
     "A `sync.WaitGroup`: `Add(n)` before starting them, `Done()` in each, `Wait()` until the "
     "count is zero."),
    ("What does GOMAXPROCS limit?",
     "The number of Ps, so the number of goroutines running Go code at the same instant; not "
     "the number of threads or of goroutines."),
    ("Why can a Go program have more threads than GOMAXPROCS?",
     "A thread blocked in a system call keeps its goroutine; the runtime takes its P away "
     "(sysmon's `retake`) and hands it to another thread, creating threads as needed."),
    ("In what sense are G and M many-to-many?",
     "An M runs many goroutines one after another, and one goroutine can run on different Ms "
     "over its life, whichever thread holds a P when it is scheduled again."),
    ("How big is a new goroutine's stack, and how does it grow?",
     "2 KiB; when a call needs more, the runtime copies it to a stack twice the size."),
    ("Why do ten `go` statements on one P print `9 0 1 … 8`?",
     "The newest goroutine is in runnext and runs first; the others wait in the local queue in "
     "the order they were pushed there."),
    ("Do channels make data races impossible?",
     "No: goroutines share one address space and can read and write the same variables; "
     "channels and mutexes are how you avoid races, and `go run -race` finds them."),
    ("How does a goroutine differ from a Python coroutine (协程)?",
     "It has its own growable stack and can block anywhere, never yields explicitly, is "
     "preempted by the runtime, and runs on many threads at once; an asyncio coroutine "
     "switches only at an `await`, on its event loop's one thread."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
