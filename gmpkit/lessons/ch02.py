"""Chapter 2 · Threads (线程): questions, exercises, answers (see ``docs/lessons.md``)."""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

from gmpkit.lessons import Lesson

lesson = Lesson(2, "Threads 线程", "02_threads.ipynb")

lesson.predict(
    "1",
    "A thread started from this notebook appends `99` to the list `items` and records its "
    "process id. Afterwards, does the main thread's `items` contain `99`, and is the thread's "
    "process id the same as the notebook's?",
    "Yes to both. A thread is another flow of control inside the *same* process: same memory, "
    "same process id. The thread wrote into the very list the main thread holds; nothing was "
    "copied or sent. (Each thread has its own thread id, printed beside it.)",
)
lesson.predict(
    "2",
    "Four threads each add 1 to a shared counter 1000 times, but between reading the counter and "
    "writing it back each thread waits until *all four* have read it. What will the counter read "
    "at the end: 4000, something between 1000 and 4000, or exactly 1000?",
    "Exactly 1000, on every run. In every round all four threads read the same value and all "
    "four write that value + 1, so each round adds 1 instead of 4: three quarters of the "
    "increments are lost. The barrier stands in for the worst possible moment for a thread "
    "switch and makes it happen every time; the `sleep(0)` and plain `+=` versions show how "
    "often it happens by itself. With a lock around read-and-write the count is exact.",
)
lesson.predict(
    "3",
    "The same CPU-bound Python job runs once per CPU: one after another, in as many threads, and "
    "in as many processes. On a standard CPython (with the GIL), which will finish first, and "
    "how many CPUs will the threads keep busy?",
    "The processes, if the machine has free cores: each process has its own interpreter and its "
    "own GIL, so they compute at the same time. The threads keep about one CPU busy, whatever "
    "the number of cores: the GIL lets one thread at a time run Python bytecode, so the threads "
    "take about as long as one after another. The sentence printed under the table says what "
    "this run measured; on a busy machine or in a container limited to one CPU the processes "
    "gain less, which the *CPUs busy* column shows.",
)
lesson.predict(
    "4",
    "How many times longer does it take to create, start and join a process than a thread: "
    "about 2 times, 20 times or 200 times? And is a hand-over between two threads much cheaper "
    "than one between two processes?",
    "Creation: tens of times (a `fork` copies page tables, a `spawn` starts an interpreter; a "
    "thread only needs a stack and a kernel task). Hand-overs: close, and either may win. On "
    "Linux both are switches between kernel tasks, a process switch also changes the address "
    "space, and in CPython a thread hand-over also passes the GIL. The sentences under the "
    "table compare this machine's figures.",
)
lesson.predict(
    "5",
    "A thread's default stack is several MiB (`RLIMIT_STACK`, often 8 MiB). When 1000 idle "
    "threads are started, does the process's resident memory grow by about 8 GiB, or by much "
    "less?",
    "By much less: tens of KiB per thread. The stack is *reserved* as address space (the "
    "'address space reserved per thread' line), but the OS backs with real memory only the pages "
    "a thread touches, and an idle thread touches a few. The limits that stop a program with "
    "very many threads are kernel tasks, address space and the cost of scheduling them.",
)
lesson.predict(
    "6",
    "The comparison table now has process rows and a thread row. Which column separates "
    "threads from processes the most: creation, memory or hand-over?",
    "Creation and memory: a thread is created tens of times faster and holds far less private "
    "memory than a process. The hand-over column is close, for the reasons in section 4.",
)


# -- exercises -------------------------------------------------------------------------------

ex1 = lesson.exercise(
    "ex1",
    "`forced_race(workers=3, rounds=500)` (the function of section 2, with 3 threads and 500 "
    "rounds): what is the final counter?",
    expected=500,
    hints=["In every round, all threads read the same value.",
           "They all write that value + 1, so the counter grows by 1 per round."],
    solution="`500`: one increment survives per round; `3 * 500 - 500 = 1000` are lost.",
)

ex2 = lesson.exercise(
    "ex2",
    "Four threads each run the same CPU-bound pure-Python function on a standard (GIL) build of "
    "CPython, on an idle 4-core machine. Roughly what speed-up over running the four calls one "
    "after another do you expect?",
    expected="about 1x",
    choices=["about 1x", "about 2x", "about 4x"],
    hints=["How many threads may run Python bytecode at the same moment?"],
    solution="About 1x: the GIL lets one thread run bytecode at a time, so four threads keep one "
             "CPU busy. Four processes would approach 4x.",
)


class _OwnedLock:
    """A lock that knows which thread holds it; a thread that waits too long gives up with an
    error instead of hanging the learner's notebook."""

    WAIT_S = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owner: int | None = None
        self.acquired = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait = self.WAIT_S if timeout < 0 else min(timeout, self.WAIT_S)
        ok = self._lock.acquire(blocking, wait if blocking else -1)
        if not ok and blocking:
            raise RuntimeError("the lock was never released: did `increment` acquire it "
                               "without releasing it? (`with lock:` releases it for you)")
        if ok:
            self.owner = threading.get_ident()
            self.acquired += 1
        return ok

    def release(self) -> None:
        self.owner = None
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> _OwnedLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def held_here(self) -> bool:
        return self.owner == threading.get_ident()


class _WatchedCounter:
    """A counter that notes every read or write made without holding the lock, and pauses a
    moment after each read (so unlocked threads really do interleave)."""

    def __init__(self, lock: _OwnedLock) -> None:
        self._value = 0
        self._lock = lock
        self.unlocked: list[str] = []

    @property
    def value(self) -> int:
        if not self._lock.held_here():
            self.unlocked.append("read")
        v = self._value
        time.sleep(0.0002)
        return v

    @value.setter
    def value(self, v: int) -> None:
        if not self._lock.held_here():
            self.unlocked.append("write")
        self._value = v


def check_increment(fn: Callable[..., Any], threads: int = 4, calls: int = 25) -> str | None:
    """The checker of exercise 3: ``fn(counter, lock)`` is called ``calls`` times from each of
    ``threads`` threads at once. It passes only if every read and write of ``counter.value``
    happened while the calling thread held ``lock``, and the count is exact."""
    if not callable(fn):
        return "pass the function itself: `ch02.ex3.check(increment)` (no parentheses)"
    try:
        inspect.signature(fn).bind(object(), object())
    except TypeError:
        return "the function must take two arguments: `increment(counter, lock)`"
    lock = _OwnedLock()
    counter = _WatchedCounter(lock)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(calls):
                fn(counter, lock)
        except BaseException as exc:  # reported to the learner below
            errors.append(exc)

    pool = [threading.Thread(target=work, name=f"ex3-{i}", daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    if any(t.is_alive() for t in pool):
        return "`increment` did not finish within a minute"
    if errors:
        return f"`increment` raised {type(errors[0]).__name__}: {errors[0]}"
    expected = threads * calls
    if counter.unlocked:
        kinds = [k + "s" for k in sorted(set(counter.unlocked))]
        return (f"{' and '.join(kinds)} of `counter.value` happened while the thread did not "
                f"hold `lock` ({len(counter.unlocked)} times), so another thread could get in "
                f"between; the counter ended at {counter._value} of {expected}")
    if counter._value != expected:
        return f"the counter ended at {counter._value}, not {expected}"
    if lock.acquired < expected:
        return (f"`lock` was taken {lock.acquired} times for {expected} increments: every "
                "increment must hold it")
    return None


ex3 = lesson.exercise(
    "ex3",
    "Write `increment(counter, lock)`: add 1 to `counter.value` so that no update is lost when "
    "many threads call it at the same time. Keep the three steps (read `counter.value`, "
    "`time.sleep(0)`, write the value + 1) and use `lock`, a `threading.Lock`. Pass the function "
    "itself to `check`: it is called from 4 threads at once, and the check fails if any read or "
    "write happens while the thread does not hold the lock.",
    checker=check_increment,
    hints=["Which of the three steps must no other thread get in between?",
           "`with lock:` holds the lock for the indented block and releases it afterwards."],
    solution="Put all three steps under the lock:\n\n```python\ndef increment(counter, lock):\n"
             "    with lock:\n        seen = counter.value\n        time.sleep(0)\n"
             "        counter.value = seen + 1\n```\n\nA lock around the write alone (or the "
             "read alone) still lets two threads read the same value.",
)

ex4 = lesson.open_exercise(
    "ex4",
    "`threads.start_many_threads` takes a `stack_size=` argument (it calls "
    "`threading.stack_size`). Start 1000 threads with `stack_size=256 * 1024`. How do the "
    "resident and the reserved memory per thread change?",
    "The reserved address space per thread drops to about the stack size you set; the resident "
    "memory hardly changes, because an idle thread touches only a few pages of its stack either "
    "way. Smaller stacks let more threads fit in the address space, at the risk of a stack "
    "overflow in deep calls.",
)

lesson.questionnaire([
    ("What do the threads of one process share, and what does each have of its own?",
     "They share the process's memory, open files, and everything else the process owns; each "
     "has its own stack, registers (including the instruction pointer) and thread id."),
    ("What is a race condition?",
     "A result that depends on the timing of threads: for example two threads read the same "
     "counter value before either writes, and one increment is lost."),
    ("Why is `counter += 1` not one step?",
     "It is a read, an add and a write; another thread can run between the read and the write."),
    ("What does a lock (mutex) guarantee?",
     "That only one thread at a time runs the code between acquire and release, so a "
     "read-modify-write under the lock cannot interleave with another."),
    ("What is the GIL?",
     "CPython's global interpreter lock: only the thread holding it runs Python bytecode, so "
     "pure-Python threads do not compute in parallel."),
    ("When do threads still help under the GIL?",
     "When they wait: blocking I/O, `sleep`, and C code that releases the GIL (compression, "
     "NumPy, hashing) let other threads run meanwhile."),
    ("What does PEP 703 change?",
     "It makes the GIL optional: the free-threaded build of CPython (`python3.13t`, "
     "`python3.14t`) can run Python threads in parallel; races then lose updates more readily."),
    ("What does the *CPUs busy* column of the GIL table measure?",
     "CPU time divided by wall-clock time: how many CPUs worked at once during the run."),
    ("Why quote the best of several runs rather than one run?",
     "Other programs and the OS interrupt a run at random; the best run is what the machine can "
     "do when nothing gets in the way, and the spread shows how noisy it was."),
    ("Which limits cap the number of threads on Linux?",
     "`threads-max` and `pid_max` for the system, `RLIMIT_NPROC` per user, `pids.max` in a "
     "container's cgroup, and each thread's stack reserving address space."),
    ("Why can 1000 idle threads cost far less memory than 1000 times the stack size?",
     "The stack is reserved address space; the OS backs only the pages a thread touches with "
     "real memory."),
    ("Why can a thread's target be a function defined in a notebook cell, unlike a spawned "
     "process's?",
     "The thread runs in the same interpreter and memory: nothing is pickled or looked up by "
     "name in another process."),
])

ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz
