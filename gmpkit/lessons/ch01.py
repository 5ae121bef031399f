"""Chapter 1 · Processes (进程): questions, exercises, answers (see ``docs/lessons.md``)."""

from __future__ import annotations

import signal

from gmpkit.exercises import Exercise
from gmpkit.lessons import Lesson

lesson = Lesson(1, "Processes 进程", "01_processes.ipynb")

# -- a predict-then-run question for every section -------------------------------------------

lesson.predict(
    "1",
    "The next cell starts a child process that runs a function doing nothing, and waits for it. "
    "Will the child have the same process id as this notebook, and what exit code will it end "
    "with?",
    "A different process id: a child is a new process, with its own id, even when `fork` makes "
    "it as a copy of this one. Its exit code is `0`, which means it finished normally (a "
    "function that returns without an error ends its process with 0).",
)
lesson.predict(
    "2",
    "The parent holds the list `[1, 2, 3]` and hands it to a child. The child appends `99`, adds "
    "1 to the module variable `processes.COUNTER` (0) and sets an environment variable. After "
    "the child has ended, what does the *parent's* list hold, and what is the parent's "
    "`COUNTER`?",
    "The parent still has `[1, 2, 3]` and `COUNTER` 0, and no new environment variable. The "
    "child changed its own copy: `fork` copied the parent's whole memory (lazily, page by page "
    "as either side writes: copy-on-write), and `spawn` sent the list through a pipe, pickled. "
    "In the second experiment the forked child saw the parent's `41` because it started as a "
    "copy of the parent's memory; the spawned child saw the module's initial value, because a "
    "new interpreter only knows what it imports and what it is sent.",
)
lesson.predict(
    "3",
    "A spawned child is asked to run `cell_worker`, a function typed into a cell of this "
    "notebook. Will it print its greeting? If not, what exit code will the child have?",
    "It fails before it can print: the spawned interpreter looks the function up by module and "
    "name, and the notebook's `__main__` is not a module it can import, so unpickling the "
    "target raises `AttributeError: Can't get attribute 'cell_worker'`. An uncaught exception "
    "ends a multiprocessing child with exit code `1`.",
)
lesson.predict(
    "4",
    "A child reads memory address 0 (a segmentation fault, the crash of a buggy C program). What "
    "happens to this notebook's process?",
    "Nothing: the fault is the child's. The kernel kills the child with `SIGSEGV`, which "
    "multiprocessing reports as the negative signal number (`-11` on Linux), and the parent "
    "goes on, as the next line shows by starting another child. The child never had access to "
    "the parent's memory, so it could not damage it.",
)
lesson.predict(
    "5",
    "Pipes, queues and shared memory all move data between processes. Which of the three lets "
    "the parent see a child's writes *without* any data being copied from one process to the "
    "other?",
    "Shared memory. The operating system maps the same physical pages into both processes, so "
    "a write by one is a read by the other. A pipe copies every byte through the kernel, and a "
    "queue is a pipe plus pickling, a lock and a feeder thread. The price of sharing: two "
    "writers at once can lose updates, which is why `multiprocessing.Value` comes with a lock.",
)
lesson.predict(
    "6",
    "Creating a child with `spawn` starts a whole new Python interpreter; `fork` copies the "
    "running one. About how many times longer do you expect `spawn` to take here: 2 times, 10 "
    "times, or 100 times?",
    "On most Linux machines somewhere between 10 and 50 times: `fork` asks the kernel to copy "
    "the page tables (milliseconds for a large notebook process), while `spawn` runs a new "
    "`python`, imports the modules the child needs and unpickles its task (tens of "
    "milliseconds). The ratio printed above is this machine's figure; the best of several runs "
    "is quoted, and the worst run shows how much it varied.",
)
lesson.predict(
    "7",
    "Which child holds more memory of its own while it waits: one made by `fork` or one made by "
    "`spawn`?",
    "Usually the spawned one. A forked child shares its parent's pages until either side "
    "writes to them (copy-on-write), and only the pages it changes count as its own. A spawned "
    "child is a fresh interpreter that has loaded and initialised everything itself, so all of "
    "it is private. (If the parent writes to much of its memory after the fork, the forked "
    "child's share of private pages grows.)",
)

# -- exercises -------------------------------------------------------------------------------

ex1 = lesson.exercise(
    "ex1",
    "A child process started with `spawn` runs `processes.COUNTER = 100`. The parent's `COUNTER` "
    "was 0. What does the parent's `processes.COUNTER` read after the child has finished?",
    expected=0,
    hints=["Which process's memory did the child write to?"],
    solution="`0`. The child wrote to its own memory; the parent's variable is a different one, "
             "in a different process.",
)

KILLED_BY_SIGKILL = -int(getattr(signal, "SIGKILL", signal.SIGTERM))

ex2 = lesson.exercise(
    "ex2",
    "On Linux, what exit code does `join_or_kill` return for a child killed by `SIGKILL`? "
    "(`int(signal.SIGKILL)` is the signal's number.)",
    expected=KILLED_BY_SIGKILL,
    hints=["multiprocessing reports 'killed by signal N' as a number with a sign.",
           "Look at the `sigkill` line in section 4."],
    solution="Minus the number of the signal that killed the child: "
             f"`{KILLED_BY_SIGKILL}` for SIGKILL on Linux.",
)


@lesson.factory("ex3")
def spawn_vs_fork(rows: dict) -> Exercise:
    """How many times longer spawn takes than fork, from this run's measured rows (a dict of
    method → :class:`~gmpkit.demos.compare.Row`); where there is no fork, the spawn time in ms.
    """
    if "fork" in rows:
        ratio = rows["spawn"].create.best / rows["fork"].create.best
        return Exercise(
            "Using the table in section 6, how many times longer does creating a child take "
            "with `spawn` than with `fork` on your machine (best runs)? An answer within 50% "
            "counts.",
            expected=round(ratio, 1), rel_tol=0.5,
            hints=["Divide the two `best` figures of the creation table."],
            solution=f"About `{ratio:.0f}` on this run (the figure changes a little from run to "
                     "run, which is why the table quotes the best of several).",
        )
    ms = rows["spawn"].create.best * 1000
    return Exercise(
        "How many milliseconds does creating a child with `spawn` take here (best run, within "
        "50%)?",
        expected=round(ms, 1), rel_tol=0.5,
        hints=["Read the `best` figure of the creation table."],
        solution=f"About `{ms:.0f}` ms on this run.",
    )


ex4 = lesson.open_exercise(
    "ex4",
    "Copy `processes.shared_value_demo` and `processes.add_to_value` into a module of your own "
    "and make the children add *without* the lock (`value.value += 1` without `get_lock()`). "
    "Run it with 4 children adding 20 000 times each. Is the total still exact?",
    "Usually not: `value.value += 1` is a read followed by a write, and another process can "
    "write in between, so some additions are lost, a different number on each run. Shared "
    "memory brings back the lost-update problem that separate memory had made impossible. "
    "Chapter 2 makes it happen on purpose, every time.",
)

# -- questionnaire ---------------------------------------------------------------------------

lesson.questionnaire([
    ("What does a process own that another process cannot touch without asking?",
     "Its address space (memory), its open file descriptors, its environment variables and "
     "its process id; other processes reach them only through IPC or shared memory they set up "
     "on purpose."),
    ("What is the difference between the `fork` and `spawn` start methods?",
     "`fork` makes the child as a copy of the running parent (same memory, same point in the "
     "program); `spawn` starts a fresh interpreter that imports the target's module and "
     "receives the function and its arguments pickled."),
    ("Why can't a spawned child run a function defined in a notebook cell?",
     "It finds the function by module and name, and a cell's functions live in the notebook's "
     "`__main__`, which the new interpreter cannot import."),
    ("Which start method is the default on Windows, and why?",
     "`spawn`: Windows has no `fork` system call at all, so a new interpreter is the only way "
     "to start a child."),
    ("Why did macOS (Python 3.8) and Linux (Python 3.14) move away from `fork` as the default?",
     "Forking a process that runs threads copies only the forking thread: locks held by the "
     "others stay locked forever in the child, and system libraries on macOS are not safe to "
     "use after such a fork. macOS switched to `spawn`, Linux to `forkserver`."),
    ("What is copy-on-write?",
     "After a fork, parent and child share the same physical pages; a page is copied only when "
     "one of them writes to it, so a fork is cheap and an idle forked child holds little private "
     "memory."),
    ("What does an exit code of `-9` mean for a multiprocessing child on Linux?",
     "The child was killed by signal 9, SIGKILL (a negative exit code is minus the signal "
     "number)."),
    ("Name three ways for processes to exchange data.",
     "A pipe, a message queue (`multiprocessing.Queue`), shared memory; also files, sockets and "
     "signals."),
    ("When are processes *not* isolated from each other?",
     "When they share memory on purpose (shared memory, `Value`, `Array`), and through what the "
     "machine shares: disk, memory pressure (the OOM killer), locks in shared memory, process "
     "groups and signals."),
    ("Why is creating a process slower than calling a function?",
     "The kernel must create a new address space and task (page tables, file table), and with "
     "`spawn` a whole interpreter starts and imports modules; a call only pushes a frame."),
    ("What does a process ping-pong over a pipe measure, and why pin both processes to one "
     "CPU?",
     "One hand-over: a write, a wake-up of the other process and a context switch to it. Pinned "
     "to one CPU, every message forces a real switch; on two CPUs it would measure a wake-up "
     "latency instead."),
    ("Which work suits processes best?",
     "Work that needs strong isolation (separate programs, crash-prone or untrusted code) and "
     "CPU-bound Python code that must use several cores."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
