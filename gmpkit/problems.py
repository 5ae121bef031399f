"""Endless seeded problems about the scheduler, with answers from the model and the decisions behind them.

Like the homework simulators of *Operating Systems: Three Easy Pieces*, one command poses a new
problem for every seed, echoes every parameter so any problem can be posed again, and prints the
answer with ``-c``::

    python -m gmpkit problem --seed 7            # a random kind
    python -m gmpkit problem --seed 7 --kind chan
    python -m gmpkit problem --seed 7 --kind chan -c
    python -m gmpkit problem --list              # the kinds

A problem is a small random Go program, printed as Go code and as the same program in gmpkit
Python, with its GOMAXPROCS and teaching switches, and one question about it: what it prints,
which goroutine runs first on P1, how many threads exist at the end, where a goroutine is when
``main`` blocks. The answer is never written by hand: the printed Python program is run in the
model, and the answer is read from that run; ``-c`` also prints the chain of scheduling
decisions that produces it, each with the rule of ``proc.go`` behind it (``hooks.RULES``).

In a notebook (``gk.problems``)::

    p = gk.problems.new("runnext", seed=3)   # shows the programs and the question
    p.check(["c", "a", "b"])                 # right or not, never an exception
    p.hint()                                 # hints, one at a time
    p.solution()                             # the answer and the decisions behind it
    p.stepper()                              # step through the run one decision at a time

    practice = gk.problems.Practice(["runnext", "gosched"])   # endless practice
    practice.next()                                           # the next problem

The same kind and seed give the same problem on every machine (the generator draws from
``random.Random("<kind>:<seed>")``, which Python seeds the same way everywhere).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exercises import Exercise, Feedback, Text
from .hooks import Event, Observer, decision_line

if TYPE_CHECKING:  # pragma: no cover
    from .api import Trace
    from .stepper import Stepper

__all__ = ["KINDS", "Practice", "Problem", "cli", "kinds", "new"]

#: Lines of the decision chain shown in full; a longer chain keeps its start and its end.
CHAIN_MAX = 40
#: Model seeds a "what does it print?" answer must not depend on (select and steal order).
STABLE_SEEDS = (1, 2, 3)
#: Attempts to draw a program whose answer is stable, before giving up (never reached in tests).
MAX_DRAWS = 50


# ---------------------------------------------------------------------------------------------
# Programs: a tiny statement language rendered as Go and as gmpkit Python
# ---------------------------------------------------------------------------------------------
#
# A program is ``main`` plus goroutine functions (closures defined at the top of main, so the
# Go and the Python read alike). Every goroutine ends with ``wg.Done()``; main calls
# ``wg.Add(total)`` before its first go statement, waits, and prints ``out``, the list the
# goroutines append to. Statements are tuples:
#
#   ("rec", label)              out = append(out, label)
#   ("go", fn)                  go fn()
#   ("go_many", n, fn)          for i := 0; i < n; i++ { go fn() }
#   ("gosched",)                runtime.Gosched()
#   ("work", us)                spin(us µs): keep the CPU busy (preemptible)
#   ("syscall", us)             a blocking system call of us µs (the thread blocks)
#   ("send", ch, value)         ch <- value
#   ("recv", ch, who)           v, ok := <-ch; record who=v (or who=closed)
#   ("close", ch)               close(ch)
#   ("select", chans, default, yield)  select over receives; record ch=v or default (then
#                               Gosched if yield)
#   ("repeat", n, body)         for i := 0; i < n; i++ { body }


@dataclass
class Fn:
    """A goroutine's function: ``name`` and its ``body`` (then ``wg.Done()``)."""

    name: str
    body: list[tuple[Any, ...]]


@dataclass
class Program:
    """One generated program: goroutine functions (children before parents), channels
    (name -> capacity), main's statements, GOMAXPROCS and the teaching switches."""

    fns: list[Fn]
    main: list[tuple[Any, ...]]
    gomaxprocs: int
    chans: dict[str, int] = field(default_factory=dict)
    switches: dict[str, bool] = field(default_factory=dict)
    prints: bool = True  # main prints out at the end

    def fn(self, name: str) -> Fn:
        return next(f for f in self.fns if f.name == name)

    def starts(self, body: list[tuple[Any, ...]]) -> int:
        """How many goroutines ``body`` starts, counting the ones they start."""
        n = 0
        for st in body:
            if st[0] == "go":
                n += 1 + self.starts(self.fn(st[1]).body)
            elif st[0] == "go_many":
                n += st[1] * (1 + self.starts(self.fn(st[2]).body))
            elif st[0] == "repeat":
                n += st[1] * self.starts(st[2])
        return n

    def records(self) -> bool:
        """Whether the program uses ``out`` (it records or prints something)."""
        return self.prints or any(self.uses(op) for op in ("rec", "recv", "select"))

    def uses(self, op: str) -> bool:
        def walk(body):
            return any(st[0] == op or (st[0] == "repeat" and walk(st[2])) for st in body)
        return walk(self.main) or any(walk(f.body) for f in self.fns)


def _py_stmts(body: list[tuple[Any, ...]], ind: str) -> list[str]:
    out: list[str] = []
    for st in body:
        op = st[0]
        if op == "rec":
            out.append(f'{ind}out.append("{st[1]}")')
        elif op == "go":
            out.append(f"{ind}gk.go({st[1]})")
        elif op == "go_many":
            out += [f"{ind}for _ in range({st[1]}):", f"{ind}    gk.go({st[2]})"]
        elif op == "gosched":
            out.append(f"{ind}await gk.gosched()")
        elif op == "work":
            out.append(f"{ind}await gk.work(us={st[1]})")
        elif op == "syscall":
            out.append(f"{ind}await gk.syscall(us={st[1]})")
        elif op == "send":
            out.append(f'{ind}await {st[1]}.send("{st[2]}")')
        elif op == "recv":
            out += [f"{ind}v, ok = await {st[1]}.recv2()",
                    f'{ind}out.append("{st[2]}=" + v if ok else "{st[2]}=closed")']
        elif op == "close":
            out.append(f"{ind}{st[1]}.close()")
        elif op == "select":
            chans, default, yld = st[1], st[2], st[3]
            cases = ", ".join(f"gk.recv({c})" for c in chans)
            out.append(f"{ind}i, v, ok = await gk.select({cases}"
                       + (", default=True)" if default else ")"))
            for k, c in enumerate(chans):
                out += [f"{ind}{'if' if k == 0 else 'elif'} i == {k}:",
                        f'{ind}    out.append("{c}=" + v)']
            if default:
                out += [f"{ind}else:", f'{ind}    out.append("default")']
                if yld:
                    out.append(f"{ind}    await gk.gosched()")
        elif op == "repeat":
            out.append(f"{ind}for _ in range({st[1]}):")
            out += _py_stmts(st[2], ind + "    ")
        else:  # pragma: no cover - the generators only use the statements above
            raise ValueError(f"unknown statement {st!r}")
    return out


def render_python(prog: Program, run_line: str) -> str:
    """The program as gmpkit Python: ``main`` with its goroutines as closures, then the run."""
    lines = ["import gmpkit as gk", "", "", "async def main():",
             "    out, wg = [], gk.WaitGroup()" if prog.records() else "    wg = gk.WaitGroup()"]
    for name, cap in prog.chans.items():
        lines.append(f"    {name} = gk.Chan({cap})" if cap else f"    {name} = gk.Chan()")
    for f in prog.fns:
        lines += ["", f"    async def {f.name}():"]
        lines += _py_stmts(f.body, "        ")
        lines.append("        wg.done()")
    lines += ["", f"    wg.add({prog.starts(prog.main)})"]
    lines += _py_stmts(prog.main, "    ")
    lines.append("    await wg.wait()")
    if prog.prints:
        lines.append("    gk.println(out)")
    lines += ["", "", run_line]
    return "\n".join(lines) + "\n"


def _go_stmts(body: list[tuple[Any, ...]], ind: str) -> list[str]:
    out: list[str] = []
    for st in body:
        op = st[0]
        if op == "rec":
            out.append(f'{ind}out = append(out, "{st[1]}")')
        elif op == "go":
            out.append(f"{ind}go {st[1]}()")
        elif op == "go_many":
            out += [f"{ind}for i := 0; i < {st[1]}; i++ {{", f"{ind}\tgo {st[2]}()", f"{ind}}}"]
        elif op == "gosched":
            out.append(f"{ind}runtime.Gosched()")
        elif op == "work":
            out.append(f"{ind}spin({st[1]} * time.Microsecond)")
        elif op == "syscall":
            out.append(f"{ind}blockingSleep({st[1]} * time.Microsecond)")
        elif op == "send":
            out.append(f'{ind}{st[1]} <- "{st[2]}"')
        elif op == "recv":
            out += [f"{ind}if v, ok := <-{st[1]}; ok {{",
                    f'{ind}\tout = append(out, "{st[2]}="+v)',
                    f"{ind}}} else {{",
                    f'{ind}\tout = append(out, "{st[2]}=closed")',
                    f"{ind}}}"]
        elif op == "close":
            out.append(f"{ind}close({st[1]})")
        elif op == "select":
            chans, default, yld = st[1], st[2], st[3]
            out.append(f"{ind}select {{")
            for c in chans:
                out += [f"{ind}case v := <-{c}:", f'{ind}\tout = append(out, "{c}="+v)']
            if default:
                out += [f"{ind}default:", f'{ind}\tout = append(out, "default")']
                if yld:
                    out.append(f"{ind}\truntime.Gosched()")
            out.append(f"{ind}}}")
        elif op == "repeat":
            out.append(f"{ind}for i := 0; i < {st[1]}; i++ {{")
            out += _go_stmts(st[2], ind + "\t")
            out.append(f"{ind}}}")
        else:  # pragma: no cover
            raise ValueError(f"unknown statement {st!r}")
    return out


_GO_SPIN = """
// spin keeps the CPU busy for d: a loop that never blocks (sysmon may preempt it).
func spin(d time.Duration) {
\tfor start := time.Now(); time.Since(start) < d; {
\t}
}
"""
_GO_SYSCALL = """
// blockingSleep blocks the thread in the kernel for d: a raw nanosleep system call
// (retried when a signal interrupts it), not the runtime's timer-based time.Sleep.
func blockingSleep(d time.Duration) {
\tts := syscall.NsecToTimespec(int64(d))
\tfor syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
\t}
}
"""


def render_go(prog: Program) -> str:
    """The same program in Go (run it with ``GOMAXPROCS=n go run main.go``)."""
    imports = ["fmt"] if prog.prints else []
    if any(st[0] == "gosched" or (st[0] == "select" and st[3]) for st in _all_stmts(prog)):
        imports.append("runtime")
    imports.append("sync")
    if prog.uses("syscall"):
        imports.append("syscall")
    if prog.uses("work") or prog.uses("syscall"):
        imports.append("time")
    lines = [f"// Run with: GOMAXPROCS={prog.gomaxprocs} go run main.go", "package main", "",
             "import ("] + [f'\t"{i}"' for i in sorted(imports)] + [")"]
    if prog.uses("work"):
        lines += _GO_SPIN.rstrip("\n").split("\n")
    if prog.uses("syscall"):
        lines += _GO_SYSCALL.rstrip("\n").split("\n")
    lines += ["", "func main() {"]
    if prog.records():
        lines.append("\tvar out []string")
    lines.append("\tvar wg sync.WaitGroup")
    if prog.records() and not prog.prints:
        lines.append("\t_ = out")
    for name, cap in prog.chans.items():
        lines.append(f"\t{name} := make(chan string, {cap})" if cap else
                     f"\t{name} := make(chan string)")
    for f in prog.fns:
        lines += ["", f"\t{f.name} := func() {{"]
        lines += _go_stmts(f.body, "\t\t")
        lines += ["\t\twg.Done()", "\t}"]
    lines += ["", f"\twg.Add({prog.starts(prog.main)})"]
    lines += _go_stmts(prog.main, "\t")
    lines.append("\twg.Wait()")
    if prog.prints:
        lines.append("\tfmt.Println(out)")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _all_stmts(prog: Program):
    def walk(body):
        for st in body:
            yield st
            if st[0] == "repeat":
                yield from walk(st[2])
    yield from walk(prog.main)
    for f in prog.fns:
        yield from walk(f.body)


# ---------------------------------------------------------------------------------------------
# Questions: what is asked, how the answer is read from a run, how an answer is checked
# ---------------------------------------------------------------------------------------------


@dataclass
class Question:
    """What a problem asks. ``kind`` says how the answer is read from the run:

    - ``prints``: the program's output;
    - ``first_on``: the first of the program's goroutines to run on P ``p``;
    - ``first_steal``: how many goroutines P ``p`` took in its first steal;
    - ``threads``: how many threads (Ms) exist at the end, sysmon's included;
    - ``where``: where goroutine ``target`` is when main blocks in ``wg.Wait()``;
    - ``queued``: how many goroutines wait in ``queue`` (``local`` or ``global``) then;
    - ``preempted``: how many times goroutine ``target`` is preempted.
    """

    kind: str
    text: str
    p: int = 1
    target: str = ""
    queue: str = ""


_PLACES = {
    "runnext": "runnext", "local": "local", "local queue": "local", "lrq": "local",
    "global": "global", "global queue": "global", "grq": "global",
    "running": "running", "done": "done", "finished": "done", "dead": "done",
    "not started": "not started", "waiting": "waiting", "blocked": "waiting",
}


def _tokens(answer: Any) -> list[str]:
    """An output as tokens: ``"[a b c]"``, ``"a b c"``, ``["a", "b", "c"]`` all give a, b, c."""
    if isinstance(answer, (list, tuple)):
        return [str(x) for x in answer]
    text = str(answer).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [t for t in re.split(r"[\s,]+", text) if t]


# ---------------------------------------------------------------------------------------------
# The kinds
# ---------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """What a kind's generator draws: the program, the question, the parameters to echo, the
    hints, and which events make the decision chain."""

    program: Program
    question: Question
    params: dict[str, Any]
    hints: list[str]
    chain: Callable[[Event, dict[int, str]], bool]
    golive: bool = False  # real Go decides the answer deterministically (checked by tests)


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(n)]


def _named_goroutine(ev: Event, names: dict[int, str]) -> bool:
    return ev.g is not None and ev.g in names


def _chain_program(kinds: frozenset[str]) -> Callable[[Event, dict[int, str]], bool]:
    """Events of these kinds that concern main or one of the program's goroutines."""
    return lambda ev, names: ev.kind in kinds and _named_goroutine(ev, names)


_RUN_ORDER = frozenset({"GoCreate", "GoStart", "GoBlock", "GoUnblock", "GoSched", "GoPreempt",
                        "GoEnd", "RunqOverflow"})


def gen_runnext(rng: random.Random) -> Draft:
    n = rng.randint(3, 6)
    top = _letters(n)
    parents = rng.sample(top, rng.choice([0, 1, 1, 2]))
    fns = []
    for x in top:
        body: list[tuple[Any, ...]] = [("rec", x)]
        if x in parents:
            fns.append(Fn(x + "2", [("rec", x + "2")]))
            body.append(("go", x + "2"))
        fns.append(Fn(x, body))
    runnext = rng.random() >= 0.2
    prog = Program(fns, [("go", x) for x in top], gomaxprocs=1,
                   switches={} if runnext else {"runnext": False})
    if rng.random() < 0.7:
        q = Question("prints", "What does the program print?")
    else:
        target = rng.choice(top)
        q = Question("where", f"When main blocks in wg.Wait(), where is goroutine {target}: "
                     "in P0's runnext slot, in P0's local queue, in the global queue, "
                     "running, or finished?", target=target)
    hints = ["A go statement puts the new goroutine in the runnext slot of the current P and "
             "moves the goroutine that was there to the tail of the local queue.",
             "When main blocks, the P takes runnext first, then the local queue, oldest first; "
             "a goroutine started by a running goroutine goes into runnext again."]
    if not runnext:
        hints = ["The runnext switch is off: every new goroutine goes to the tail of the local "
                 "queue, so the queue is plain first in, first out."] + hints[1:]
    return Draft(prog, q, {"goroutines": n + len(parents), "nested": len(parents)}, hints,
                 _chain_program(_RUN_ORDER), golive=runnext and q.kind == "prints")


def gen_overflow(rng: random.Random) -> Draft:
    n = rng.randint(258, 420)
    prog = Program([Fn("tiny", [])], [("go_many", n, "tiny")], gomaxprocs=1, prints=False)
    queue = rng.choice(["global", "local"])
    q = Question("queued", f"main starts {n} goroutines in one burst, then blocks in "
                 f"wg.Wait(). How many goroutines wait in the {queue} run queue at that "
                 f"moment{' (runnext not counted)' if queue == 'local' else ''}?", queue=queue)
    hints = ["A local run queue has 256 slots, plus the runnext slot beside it.",
             "When a goroutine does not fit, runqputslow moves the oldest half of the local "
             "queue (128) and that goroutine to the global queue, in one batch. Count how many "
             "times that happens as the go statements run. The runtime's own goroutines may "
             "hold a slot too: look at the diagram after the run."]

    def chain(ev: Event, names: dict[int, str]) -> bool:
        return ev.kind == "RunqOverflow" or (ev.kind == "GoBlock" and ev.g == 1)
    return Draft(prog, q, {"goroutines": n}, hints, chain)


def gen_gosched(rng: random.Random) -> Draft:
    k = rng.randint(2, 4)
    fns = []
    for x in _letters(k):
        rounds = rng.choice([0, 1, 1, 2, 2, 3])
        body: list[tuple[Any, ...]] = []
        for j in range(rounds):
            body += [("rec", f"{x}{j}"), ("gosched",)]
        body.append(("rec", f"{x}{rounds}"))
        fns.append(Fn(x, body))
    prog = Program(fns, [("go", f.name) for f in fns], gomaxprocs=1)
    q = Question("prints", "What does the program print?")
    hints = ["runtime.Gosched puts the goroutine at the tail of the *global* queue, not the "
             "local one.",
             "The P drains runnext and its local queue first; only when both are empty does it "
             "take a batch from the global queue, in order."]
    return Draft(prog, q, {"goroutines": k,
                           "gosched_calls": sum(1 for st in _all_stmts(prog) if st[0] == "gosched")},
                 hints, _chain_program(_RUN_ORDER), golive=True)


def gen_steal(rng: random.Random) -> Draft:
    procs = rng.choice([2, 2, 3])
    n = rng.randint(3, 8)
    fns = [Fn(f"w{i + 1}", [("work", rng.randrange(500, 3001, 100))]) for i in range(n)]
    prog = Program(fns, [("go", f.name) for f in fns], gomaxprocs=procs, prints=False)
    if rng.random() < 0.5:
        q = Question("first_on", "Which of the workers (w1, w2, ...) is the first to run on "
                     "P1?", p=1)
    else:
        q = Question("first_steal", "How many goroutines does P1 take in its first steal?", p=1)
    hints = ["The go statements all run on P0: the workers pile up in P0's runnext slot and "
             "local queue, while an idle P gets a spinning thread (wakep).",
             "A thief takes half of the victim's local queue, rounded up, from its head, and "
             "runs the last one it took; runnext is only taken in the last of 4 rounds."]

    def chain(ev: Event, names: dict[int, str]) -> bool:
        return ev.p == 1 or (ev.kind in ("GoCreate", "GoBlock") and _named_goroutine(ev, names))
    return Draft(prog, q, {"workers": n, "work_us": [f.body[0][1] for f in fns]}, hints, chain)


def gen_syscall(rng: random.Random) -> Draft:
    procs = rng.choice([1, 2])
    n = rng.randint(2, 6)
    fns = [Fn(f"s{i + 1}", [("work", rng.randrange(100, 600, 50)),
                            ("syscall", rng.randrange(1000, 8001, 500)),
                            ("work", rng.randrange(100, 600, 50))]) for i in range(n)]
    handoff = rng.random() >= 0.25
    prog = Program(fns, [("go", f.name) for f in fns], gomaxprocs=procs, prints=False,
                   switches={} if handoff else {"handoff": False})
    q = Question("threads", "How many threads (Ms) exist when the program ends, counting "
                 "m0 and sysmon's thread?")
    hints = ["A goroutine in a blocking system call keeps its thread; sysmon takes its P away "
             "(retake) and handoffp may start another thread for the P.",
             "Threads are created only when no idle one can be woken, and never exit. At the "
             "start there are m0, sysmon's thread and one spinning thread."]
    if not handoff:
        hints[0] = ("The handoff switch is off: sysmon never takes a P from a thread in a "
                    "system call, so the P waits for its goroutine to come back.")

    def chain(ev: Event, names: dict[int, str]) -> bool:
        return ev.kind in ("MCreate", "MWake", "Retake", "Handoff", "GoSysCall", "GoSysExit")
    return Draft(prog, q, {"goroutines": n}, hints, chain)


def gen_preempt(rng: random.Random) -> Draft:
    k = rng.randint(2, 4)
    fns = [Fn(f"w{i + 1}", [("work", rng.randrange(5000, 40001, 1000)), ("rec", f"w{i + 1}")])
           for i in range(k)]
    preemption = rng.random() >= 0.2
    prog = Program(fns, [("go", f.name) for f in fns], gomaxprocs=1,
                   switches={} if preemption else {"preemption": False})
    if rng.random() < 0.6 or not preemption:
        q = Question("prints", "Each worker records its name when it finishes. What does the "
                     "program print?")
    else:
        target = rng.choice(fns).name
        q = Question("preempted", f"How many times is worker {target} preempted?",
                     target=target)
    hints = ["sysmon preempts a goroutine whose P has not scheduled anything new for 10 ms; "
             "it checks every 20 µs at first, backing off to 10 ms, so a slice lasts 10-20 ms.",
             "A preempted goroutine goes to the tail of the global queue; the P takes its local "
             "work first."]
    if not preemption:
        hints[0] = ("The preemption switch is off: sysmon never preempts, so a goroutine runs "
                    "until it finishes.")
    work = {f.name: f.body[0][1] for f in fns}
    return Draft(prog, q, {"workers": k, "work_us": list(work.values())}, hints,
                 _chain_program(frozenset({"GoStart", "GoPreempt", "PreemptRequest", "GoEnd",
                                           "GoBlock"})))


def gen_chan(rng: random.Random) -> Draft:
    variant = rng.choice(["handoff", "close", "buffered"])
    if variant == "buffered":
        cap = rng.randint(1, 3)
        m = cap + rng.randint(1, 3)
        producer = Fn("producer", [st for i in range(m) for st in
                                   (("rec", f"send{i}"), ("send", "ch", f"x{i}"),
                                    ("rec", f"sent{i}"))])
        consumer = Fn("consumer", [("recv", "ch", "got")] * m)
        prog = Program([producer, consumer], [("go", "consumer"), ("go", "producer")],
                       gomaxprocs=1, chans={"ch": cap})
        params: dict[str, Any] = {"variant": variant, "capacity": cap, "values": m}
    else:
        k = rng.randint(2, 4)
        fns = [Fn(f"r{i + 1}", [("recv", "ch", f"r{i + 1}")]) for i in range(k)]
        main: list[tuple[Any, ...]] = []
        for f in fns:
            main += [("go", f.name), ("gosched",)]
        if variant == "close":
            main.append(("close", "ch"))
        else:
            main += [("send", "ch", f"x{i + 1}") for i in range(k)]
        prog = Program(fns, main, gomaxprocs=1, chans={"ch": 0})
        params = {"variant": variant, "receivers": k}
    q = Question("prints", "What does the program print?")
    hints = ["A receiver that finds nothing parks on the channel's queue of receivers, first "
             "come, first served; a send to a waiting receiver hands the value over directly "
             "and readies it into the sender's runnext slot, and the sender runs on.",
             "close readies every waiting receiver in reverse order through runnext, so the "
             "first waiter ends up in runnext and the others in the local queue. A buffered "
             "channel lets a sender run ahead until the buffer is full."]
    return Draft(prog, q, params, hints, _chain_program(_RUN_ORDER), golive=True)


def gen_select(rng: random.Random) -> Draft:
    chans = ["a", "b"]
    s = rng.randint(2, 4)
    seq = [rng.choice(chans) for _ in range(s)]
    default = rng.random() < 0.5
    loops = 2 * s + 1 if default else s
    worker = Fn("worker", [("repeat", loops, [("select", chans, default, default)])])
    main = [("go", "worker")] + [("send", c, f"{c}{i + 1}") for i, c in enumerate(seq)]
    prog = Program([worker], main, gomaxprocs=1, chans={c: 0 for c in chans})
    q = Question("prints", "What does the program print?")
    hints = ["select takes a case that is ready now (in a random order if several are); with "
             "no case ready it takes default, or, without default, waits on every channel at "
             "once and the first send wins.",
             "A send with a receiver waiting in select hands the value over and readies it into "
             "runnext; the sender runs on until its next send blocks."]
    return Draft(prog, q, {"sends": s, "default": default, "order": "".join(seq)}, hints,
                 _chain_program(_RUN_ORDER), golive=True)


#: Every kind: name -> (what it teaches, generator).
KINDS: dict[str, tuple[str, Callable[[random.Random], Draft]]] = {
    "runnext": ("runnext order: each go statement takes the runnext slot", gen_runnext),
    "overflow": ("local-queue overflow: 256 slots, then half to the global queue", gen_overflow),
    "gosched": ("Gosched sends a goroutine to the global queue", gen_gosched),
    "steal": ("work stealing: an idle P takes half of another's queue", gen_steal),
    "syscall": ("syscall handoff and how many threads it takes", gen_syscall),
    "preempt": ("preemption: sysmon's 10 ms time slice", gen_preempt),
    "chan": ("channel wake order: hand-off, close, buffers", gen_chan),
    "select": ("select: the ready case, default, the first sender", gen_select),
}


def kinds() -> list[str]:
    return list(KINDS)


# ---------------------------------------------------------------------------------------------
# A problem
# ---------------------------------------------------------------------------------------------


def _run_line(prog: Program, seed: int) -> str:
    sw = "".join(f", {k}={v}" for k, v in prog.switches.items())
    return f"trace = gk.run(main, gomaxprocs={prog.gomaxprocs}, seed={seed}{sw})" + (
        '\nprint(trace.stdout, end="")' if prog.prints else "")


def run_source(source: str) -> Trace:
    """Run a problem's printed Python program, exactly as printed (it sets ``trace``)."""
    import gmpkit as gk

    scope: dict[str, Any] = {"__name__": "gmpkit_problem", "gk": gk}
    exec(compile(source, "<problem>", "exec"), scope)  # noqa: S102 - our own generated code
    return scope["trace"]


def _main_of(source: str) -> Any:
    """The ``main`` of a problem's Python program, without running it."""
    import gmpkit as gk

    body = source.split("\n\ntrace = gk.run(")[0]
    scope: dict[str, Any] = {"__name__": "gmpkit_problem", "gk": gk}
    exec(compile(body, "<problem>", "exec"), scope)  # noqa: S102
    return scope["main"]


def _rows(trace: Trace) -> list[Event]:
    """The recorded events of a run."""
    assert trace.recorder is not None
    return trace.recorder.event_objects()


class _Names(Observer):
    """Goroutine id -> the program's name for it (main is G1), noted when each is created (a
    G struct is reused later, with a new id and name)."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {1: "main"}
        self.sched: Any = None

    def attach(self, sched: Any) -> None:
        self.sched = sched

    def event(self, ev: Event) -> None:
        if ev.kind == "GoCreate" and ev.g is not None:
            g = next(x for x in reversed(self.sched.allg) if x.goid == ev.g)
            if not g.system:
                self.names[ev.g] = g.name.rsplit(".", 1)[-1]


class Problem(Exercise):
    """One generated problem: ``kind``, ``seed``, the programs (``go_source``, ``py_source``),
    the question, and everything worked out from running the Python program in the model:
    ``answer``, the decision ``chain`` and the ``trace``. ``check`` / ``hint`` / ``solution``
    as for every exercise; :meth:`text` is what the command line prints."""

    def __init__(self, kind: str | None = None, seed: int = 0) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {seed!r}")
        if kind is None:
            kind = kinds()[random.Random(f"kind:{seed}").randrange(len(KINDS))]
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
        self.kind = kind
        self.seed = seed
        self.teaches = KINDS[kind][0]
        rng = random.Random(f"{kind}:{seed}")
        for draw in range(MAX_DRAWS):
            draft = KINDS[kind][1](rng)
            self.draws = draw + 1
            if self._build(draft):
                break
        else:  # pragma: no cover - every kind's drafts are stable within a few draws
            raise RuntimeError(f"no stable {kind} problem for seed {seed}")
        super().__init__(self.question_text, checker=self._check, hints=draft.hints,
                         solution=self._solution_md(), title=f"Problem ({kind}, seed {seed})")

    # ----- building -------------------------------------------------------------------------

    def _build(self, d: Draft) -> bool:
        """Render the draft, run its Python program, read the answer; False if the answer
        would depend on the model's random choices (then the next draft is drawn)."""
        self.program, self.q, self.params, self.golive = d.program, d.question, d.params, d.golive
        self.gomaxprocs = d.program.gomaxprocs
        self.switches: dict[str, Any] = dict(d.program.switches)
        self.go_source = render_go(d.program)
        self.py_source = render_python(d.program, _run_line(d.program, self.seed))
        import gmpkit as gk

        main = _main_of(self.py_source)
        namer = _Names()
        # The printed program's own run (same main, same options), with the names noted.
        self.trace = gk.run(main, gomaxprocs=self.gomaxprocs, seed=self.seed, check=False,
                            observers=[namer], **self.switches)
        if self.trace.exit_code:
            return False  # e.g. a select loop that ends before the last send: draw again
        self.names = namer.names
        self.events = _rows(self.trace)
        self.answer = self._read_answer(self.trace)
        if self.q.kind == "prints":
            for s in STABLE_SEEDS:
                again = gk.run(main, gomaxprocs=self.gomaxprocs, seed=s, record=False,
                               check=False, **self.switches)
                if again.stdout.strip() != self.answer:
                    return False
        self.chain = self._chain(d.chain)
        self.question_text = self.q.text
        return True

    def _block_index(self, trace: Trace) -> int:
        """The event at which main blocks in wg.Wait()."""
        for i, e in enumerate(self.events):
            if e.kind == "GoBlock" and e.g == 1 and e.reason == "sync.WaitGroup.Wait":
                return i
        raise RuntimeError("main never blocked in wg.Wait()")  # pragma: no cover

    def _program_start(self) -> int:
        """The index of main.main's first go statement (before it: the runtime's start-up)."""
        program = {g for g in self.names if g != 1}
        return next((i for i, e in enumerate(self.events)
                     if e.kind == "GoCreate" and e.g in program), 0)

    def _goid(self, name: str) -> int:
        return next(g for g, n in self.names.items() if n == name)

    def _read_answer(self, trace: Trace) -> Any:
        """The answer, read from the run (see :class:`Question`)."""
        q = self.q
        events = self.events
        if q.kind == "prints":
            return trace.stdout.strip()
        if q.kind == "threads":
            return len(trace.sched.allm)
        if q.kind == "first_on":
            workers = {g for g, n in self.names.items() if n.startswith("w")}
            g = next(e.g for e in events if e.kind == "GoStart" and e.p == q.p and e.g in workers)
            self.answer_goid = g
            return self.names[g]
        if q.kind == "first_steal":  # the first steal once main.main's go statements began
            start = self._program_start()
            return next(e.extra[1] for e in events[start:] if e.kind == "Steal" and e.p == q.p)
        if q.kind == "preempted":
            g = self._goid(q.target)
            return sum(1 for e in events if e.kind == "GoPreempt" and e.g == g)
        snap = trace.snapshot_after(self._block_index(trace))
        p0 = snap.ps[0]
        if q.kind == "queued":
            return p0.runq_len if q.queue == "local" else snap.grq_len
        if q.kind == "where":
            g = self._goid(q.target)
            self.answer_goid = g
            if p0.runnext == g:
                return "runnext"
            if g in p0.runq:
                return "local"
            if g in snap.grq:
                return "global"
            if p0.curg == g:
                return "running"
            created = any(e.kind == "GoCreate" and e.g == g for e in events[:snap.index + 1])
            return "done" if created else "not started"
        raise ValueError(q.kind)  # pragma: no cover

    def _chain(self, keep: Callable[[Event, dict[int, str]], bool]) -> list[Event]:
        """The decisions behind the answer: the kind's events, up to the moment asked about."""
        events = self.events
        if self.q.kind in ("where", "queued"):
            events = events[: self._block_index(self.trace) + 1]
        first = self._program_start()  # the runtime's start-up:
        # left out of the chain
        if self.q.kind in ("first_on", "first_steal"):
            stop = next(i for i, e in enumerate(events) if i >= first and (
                (self.q.kind == "first_on" and e.kind == "GoStart" and e.p == self.q.p
                 and e.g == getattr(self, "answer_goid", None))
                or (self.q.kind == "first_steal" and e.kind == "Steal" and e.p == self.q.p)))
            events = events[: stop + 1]
        return [e for e in events[first:] if keep(e, self.names)]

    # ----- checking -------------------------------------------------------------------------

    def _check(self, answer: Any) -> bool | str | None:
        kind = self.q.kind
        if kind == "prints":
            want, got = _tokens(self.answer), _tokens(answer)
            if got == want:
                return None
            same = 0
            while same < min(len(want), len(got)) and want[same] == got[same]:
                same += 1
            if len(got) != len(want):
                return (f"the program prints {len(want)} items; your answer has {len(got)}. "
                        "Try hint().")
            return f"the first {same} are right; the next is not. Try hint()."
        if kind in ("threads", "first_steal", "preempted", "queued"):
            try:
                n = int(str(answer).strip())
            except ValueError:
                return f"answer with a number, e.g. {7 if kind != 'preempted' else 2}."
            if n == self.answer:
                return None
            return ("too many; try hint()." if n > self.answer else "too few; try hint().")
        if kind == "first_on":
            text = str(answer).strip()
            goid = getattr(self, "answer_goid", None)
            if text == self.answer or text in (f"G{goid}", str(goid)):
                return None
            return "not that one; try hint()."
        if kind == "where":
            place = _PLACES.get(str(answer).strip().lower().replace("p0's ", "").replace(
                "p0.", "").replace(" slot", ""))
            if place is None:
                return f"answer with one of: {', '.join(sorted(set(_PLACES.values())))}."
            return None if place == self.answer else "not there; try hint()."
        raise ValueError(kind)  # pragma: no cover

    # ----- showing ----------------------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """Every parameter of the problem (what the command line echoes)."""
        return {"kind": self.kind, "seed": self.seed, "gomaxprocs": self.gomaxprocs,
                "switches": dict(self.switches) or "all on", **self.params}

    def command(self) -> str:
        return f"python -m gmpkit problem --seed {self.seed} --kind {self.kind}"

    def echo(self) -> str:
        opts = " ".join(f"{k}={v}" for k, v in self.options().items())
        return f"# gmpkit problem: {opts}\n# again: {self.command()}   (add -c for the answer)"

    def chain_lines(self) -> list[str]:
        """The decision chain, one line per decision, goroutines named by the program."""
        lines = [decision_line(e) for e in self.chain]
        if len(lines) > CHAIN_MAX:
            half = CHAIN_MAX // 2
            lines = lines[:half] + [f"    ... {len(lines) - 2 * half} more decisions ..."] + (
                lines[-half:])
        return lines

    def legend(self) -> str:
        """``goroutines: G1 = main, G6 = a, G7-G300 = tiny; ...`` (runs of one name joined)."""
        runs: list[list[Any]] = []  # [first id, last id, name]
        for g, n in sorted(self.names.items()):
            if runs and runs[-1][2] == n and runs[-1][1] == g - 1:
                runs[-1][1] = g
            else:
                runs.append([g, g, n])
        parts = [f"G{a} = {n}" if a == b else f"G{a}-G{b} = {n}" for a, b, n in runs]
        runtime = sorted({e.g for e in self.events if e.g is not None} - set(self.names))
        own = f"; G{runtime[0]}-G{runtime[-1]} are the runtime's own" if runtime else ""
        return "goroutines: " + ", ".join(parts) + own

    def answer_text(self) -> str:
        a = self.answer
        if self.q.kind in ("first_on", "where"):
            goid = getattr(self, "answer_goid", None)
            return f"{a} (G{goid})" if self.q.kind == "first_on" else str(a)
        return str(a)

    def text(self, with_answer: bool = False) -> str:
        """What ``python -m gmpkit problem`` prints (``-c``: with the answer and the chain)."""
        ind = lambda s: "\n".join("    " + ln if ln else "" for ln in s.rstrip("\n").split("\n"))  # noqa: E731
        out = [self.echo(), "", f"Teaches: {self.teaches}.", "",
               f"Go (run with GOMAXPROCS={self.gomaxprocs}):", "", ind(self.go_source), "",
               "The same program in gmpkit (Python):", "", ind(self.py_source), ""]
        if self.switches:
            off = ", ".join(k for k, v in self.switches.items() if not v)
            out += [f"(The gmpkit run switches off: {off}. Real Go has no such switch: this one "
                    "is for the model only.)", ""]
        out += [f"Question: {self.q.text}"]
        if with_answer:
            out += ["", f"Answer: {self.answer_text()}", "",
                    "Why: the scheduler's decisions that produce it, from running the Python "
                    f"program in the model ({self.legend()}):", ""]
            out += self.chain_lines()
        return "\n".join(out) + "\n"

    def _solution_md(self) -> str:
        chain = "\n".join(self.chain_lines())
        return (f"**{self.answer_text()}**\n\nThe decisions that produce it ({self.legend()}):"
                f"\n\n```\n{chain}\n```")

    def _repr_markdown_(self) -> str:
        sw = ""
        if self.switches:
            sw = (" The gmpkit run switches off "
                  + ", ".join(f"`{k}`" for k, v in self.switches.items() if not v) + ".")
        return (f"**{self.title}** — {self.teaches}. GOMAXPROCS={self.gomaxprocs}.{sw}\n\n"
                f"```go\n{self.go_source}```\n\n```python\n{self.py_source}```\n\n"
                f"**Question.** {self.q.text}\n\n*Check an answer with `.check(answer)`; "
                "`.hint()` gives a hint, `.solution()` the answer and the decisions behind it, "
                "`.stepper()` steps through the run.*")

    def __repr__(self) -> str:
        return self.text()

    def stepper(self, **options: Any) -> Stepper:
        """A :class:`~gmpkit.stepper.Stepper` over this problem's program (same options)."""
        from .stepper import Stepper

        opts = {"gomaxprocs": self.gomaxprocs, "seed": self.seed, **self.switches, **options}
        return Stepper(_main_of(self.py_source), **opts)


def new(kind: str | None = None, seed: int = 0) -> Problem:
    """The problem of this ``kind`` (one of :data:`KINDS`; None: one chosen by the seed) and
    ``seed``: the same on every machine."""
    return Problem(kind, seed)


class Practice:
    """Endless practice: ``practice.next()`` poses the next problem (seeds counting up from
    ``start``, kinds taken in turn from ``kinds``), ``practice.check(answer)`` checks the
    current one and keeps the score."""

    def __init__(self, kinds: Sequence[str] | None = None, start: int = 1) -> None:
        ks = list(kinds) if kinds is not None else list(KINDS)
        unknown = [k for k in ks if k not in KINDS]
        if unknown or not ks:
            raise ValueError(f"unknown kind(s) {unknown}; choose from {', '.join(KINDS)}")
        self.kinds = ks
        self.seed = start - 1
        self.count = 0
        self.right = 0
        self.problem: Problem | None = None
        self._scored = False

    def next(self) -> Problem:
        self.seed += 1
        kind = self.kinds[self.count % len(self.kinds)]
        self.count += 1
        self.problem = new(kind, self.seed)
        self._scored = False
        return self.problem

    def check(self, answer: Any) -> Feedback:
        if self.problem is None:
            return Feedback(False, "call next() first to get a problem.")
        fb = self.problem.check(answer)
        if fb.ok and not self._scored:
            self.right += 1
            self._scored = True
        return Feedback(fb.ok, f"{fb.message} Score: {self.right}/{self.count}.".strip())

    def hint(self) -> Text:
        return self.problem.hint() if self.problem is not None else Text("call next() first.")

    def solution(self) -> Text:
        return self.problem.solution() if self.problem is not None else Text("call next() "
                                                                              "first.")

    def __repr__(self) -> str:
        return (f"<Practice kinds={self.kinds} problems={self.count} right={self.right}; "
                "next() for the next problem>")


# ---------------------------------------------------------------------------------------------
# The command line: python -m gmpkit problem
# ---------------------------------------------------------------------------------------------


def cli(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m gmpkit problem",
        description="Pose a seeded problem about Go's scheduler: a small program in Go and in "
        "gmpkit Python, and a question. The same seed poses the same problem everywhere; -c "
        "prints the answer and the scheduling decisions behind it.")
    ap.add_argument("-s", "--seed", type=int, default=0, help="which problem (default 0)")
    ap.add_argument("-k", "--kind", default=None,
                    help=f"one of {', '.join(KINDS)} (default: chosen by the seed)")
    ap.add_argument("-c", "--compute", action="store_true",
                    help="print the answer and the decisions that produce it")
    ap.add_argument("--list", action="store_true", help="list the kinds and exit")
    args = ap.parse_args(list(argv))
    if args.list:
        for name, (teaches, _) in KINDS.items():
            print(f"{name:10} {teaches}")
        return 0
    try:
        p = new(args.kind, args.seed)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(p.text(with_answer=args.compute))
    return 0
