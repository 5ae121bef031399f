"""The exercise helper: answers are checked, hints advance, solutions reveal, bad setups fail."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from gmpkit.exercises import Exercise, Feedback

ROOT = Path(__file__).resolve().parent.parent


def make() -> Exercise:
    return Exercise(
        "How many updates are lost?",
        expected=2,
        hints=["Count the writes.", "Each writes the same value."],
        solution="Three writes of the same value leave **2** lost.",
    )


def test_right_answer_is_truthy_and_renders_as_markdown() -> None:
    fb = make().check(2)
    assert fb.ok and bool(fb)
    assert "Correct" in fb._repr_markdown_()
    assert str(fb).startswith("Correct")


def test_wrong_answer_gives_advice_without_raising() -> None:
    fb = make().check(3)
    assert not fb
    assert "hint" in fb.message


def test_missing_answer_explains_what_to_do() -> None:
    ex = make()
    for missing in (None, ...):
        fb = ex.check(missing)
        assert not fb and "check(answer)" in fb.message
    assert not ex.check()


def test_wrong_type_is_named() -> None:
    fb = make().check("2")
    assert not fb and "expected a int, got a str" in fb.message


def test_numbers_within_tolerance() -> None:
    ex = Exercise("About how many?", expected=100.0, rel_tol=0.1)
    assert ex.check(95)
    assert not ex.check(80)
    assert "number" in ex.check("lots").message


def test_checker_may_return_bool_message_or_raise() -> None:
    assert Exercise("even?", checker=lambda a: a % 2 == 0).check(4)
    assert not Exercise("even?", checker=lambda a: a % 2 == 0).check(3)
    fb = Exercise("even?", checker=lambda a: None if a % 2 == 0 else "odd, try again").check(3)
    assert not fb and fb.message == "odd, try again"

    def strict(a: int) -> None:
        if a <= 10:  # a plain raise: pytest rewrites `assert` messages in test files
            raise AssertionError("too small")

    assert Exercise("big?", checker=strict).check(11)
    assert Exercise("big?", checker=strict).check(1).message == "too small"


def test_choices_reject_answers_outside_them() -> None:
    ex = Exercise(
        "Which is cheapest?", expected="coroutine", choices=["process", "thread", "coroutine"]
    )
    assert ex.check("coroutine")
    fb = ex.check("goroutine")
    assert not fb and "choose one of" in fb.message
    assert "`'thread'`" in ex._repr_markdown_()


def test_hints_advance_then_stay_on_the_last() -> None:
    ex = make()
    assert "1/2" in str(ex.hint())
    assert "2/2" in str(ex.hint())
    assert "2/2" in str(ex.hint())
    assert "Count" in str(ex.hint(1))
    with pytest.raises(ValueError, match="choose 1..2"):
        ex.hint(3)


def test_solution_and_question_render_in_markdown_and_text() -> None:
    ex = make()
    assert "**2**" in ex.solution()._repr_markdown_()
    assert "How many updates" in repr(ex)
    assert ex._repr_markdown_().startswith("**Exercise.**")
    assert "**2**" not in ex._repr_markdown_()
    assert "`2`" in str(Exercise("q", expected=2).solution())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one"),
        ({"expected": 1, "checker": bool}, "exactly one"),
        ({"checker": bool, "rel_tol": 0.1}, "rel_tol"),
        ({"expected": 1, "rel_tol": -1}, "rel_tol"),
        ({"expected": "x", "choices": ["a", "b"]}, "not among"),
    ],
)
def test_bad_setups_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Exercise("q", **kwargs)


def test_feedback_plain_text() -> None:
    assert str(Feedback(True, "")) == "Correct."
    assert str(Feedback(False, "")) == "Not yet."


# -- Question, Quiz -----------------------------------------------------------------------------


def test_question_keeps_its_answer_until_asked() -> None:
    from gmpkit.exercises import Question

    q = Question("What comes first?", "Nine, then the rest.", reveal='ch9.answer("1")',
                 label="(§1)")
    shown = q._repr_markdown_() + repr(q)
    assert "What comes first?" in shown and "Nine" not in shown
    assert 'ch9.answer("1")' in shown
    assert "Nine, then the rest." in q.answer()._repr_markdown_()
    with pytest.raises(ValueError, match="kind"):
        Question("q", "a", kind="guess")
    with pytest.raises(ValueError, match="prompt and an answer"):
        Question("q", " ")


def test_quiz_reveals_one_answer_or_all() -> None:
    from gmpkit.exercises import Quiz

    quiz = Quiz([("Q one?", "A one."), ("Q two?", "A two.")], name="chX.quiz")
    shown = quiz._repr_markdown_()
    assert "1. Q one?" in shown and "2. Q two?" in shown and "A one" not in shown
    assert "A two." in str(quiz.answer(2)) and "A one." not in str(quiz.answer(2))
    assert "A one." in str(quiz.answers()) and "A two." in str(quiz.answers())
    for bad in (0, 3, True, "1"):
        with pytest.raises(ValueError, match="choose 1..2"):
            quiz.answer(bad)
    with pytest.raises(ValueError):
        Quiz([])


def test_exercise_display_never_shows_the_answer() -> None:
    ex = make()
    shown = ex._repr_markdown_() + repr(ex)
    assert "**2**" not in shown and "Count the writes" not in shown
    assert set(ex.revealable_texts) == {"Count the writes.", "Each writes the same value.",
                                        "Three writes of the same value leave **2** lost.", "2"}


# -- the chapters' lessons ----------------------------------------------------------------------

from gmpkit.demos import compare, measure  # noqa: E402
from gmpkit.lessons import MIN_QUIZ_QUESTIONS, Lesson, all_lessons  # noqa: E402

LESSONS = all_lessons()


def _rows(fork_ms: float | None, spawn_ms: float) -> dict:
    def row(ms: float) -> compare.Row:
        return compare.Row("p", measure.from_samples("c", [ms / 1000]), None, None, "how")

    rows = {"spawn": row(spawn_ms)}
    if fork_ms is not None:
        rows["fork"] = row(fork_ms)
    return rows


def _increment_locked(counter, lock) -> None:
    with lock:
        seen = counter.value
        time.sleep(0)
        counter.value = seen + 1


def _increment_unlocked(counter, lock) -> None:
    seen = counter.value
    time.sleep(0)
    counter.value = seen + 1


def _increment_lock_around_write_only(counter, lock) -> None:
    seen = counter.value
    with lock:
        counter.value = seen + 1


def _increment_behind_the_lock(counter, lock) -> None:
    counter._value += 1  # the right count, but no lock: must not pass


def _ch08_measurements(thread_us: float, goroutine_us: float) -> compare.Measurements:
    m = compare.Measurements()
    for unit, us in (("thread", thread_us), ("goroutine (real Go)", goroutine_us)):
        m._rows[unit] = compare.Row(unit, measure.from_samples("c", [us * 1e-6]), 1.0, None, "how")
    return m


import test_ch08 as _cap  # noqa: E402  (the capstone's workloads, right and wrong)

#: For every exercise of every chapter: how to build it (for factories), and answers that must
#: pass and answers that must fail. A new exercise without an entry here fails
#: ``test_every_exercise_has_a_right_and_a_wrong_answer``.
CASES: dict[str, tuple] = {
    "ch01.ex1": (None, [0], [100, 1, "0"]),
    "ch01.ex2": (None, [-9], [9, 0, "-9"]),
    "ch01.ex3": ((_rows(4.0, 60.0),), [15, 12.0, 20], [2, 40, "fifteen"]),
    "ch02.ex1": (None, [500], [1500, 1000]),
    "ch02.ex2": (None, ["about 1x"], ["about 4x", "about 2x", "1x"]),
    "ch02.ex3": (None, [_increment_locked],
                 [_increment_unlocked, _increment_lock_around_write_only,
                  _increment_behind_the_lock, lambda c: None, 42]),
    "ch03.ex1": (None, [["A0", "B0", "A1", "B1", "B2"]],
                 [["A0", "A1", "B0", "B1", "B2"], "A0 B0 A1 B1 B2"]),
    "ch03.ex2": (None, [25], [5, 30, 24]),
    "ch03.ex3": (None, [2.0, 2, 1.8], [0.1, 1.0, "two"]),
    "ch04.ex1": (None, [[4, 0, 1, 2, 3]], [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]]),
    "ch04.ex2": (None, [1000], [3000, 2000]),
    "ch04.ex3": (None, [True], [False, "True"]),
    "ch04.ex4": (None, [-1], [0, 1]),
    "ch05.ex1": (None, ["G20"], ["G9", "G5", "g20"]),
    "ch05.ex2": (None, [3], [1, 2, 4]),
    "ch05.ex3": (None, [2], [6, 1]),
    "ch06.ex1": (None, [5], [4, 9, "5"]),
    "ch06.ex2": (None, [5], [3, 4, 1000, 1002]),
    "ch06.ex3": (None, ["fast"], ["oldp", "idlep", "global", "Fast"]),
    "ch06.ex4": (None, ["work"], ["spin", "last", "idle"]),
    "ch06.ex5": ((pd.DataFrame({"GOMAXPROCS": [1, 1, 8, 8], "stealing": ["on", "off"] * 2,
                                "took (ms)": [40.0, 40.0, 6.0, 40.0]}),),
                 [6.67, 6.5, 7], [1, 40, 0.15]),
    "ch07.ex1": (None, [100, 100.05, 101], [11.2, 20, 200]),
    "ch07.ex2": (None, [61], [60, 64, 10, "61"]),
    "ch07.ex3": (None, [["g1.0", "g0.0", "g1.1", "g0.1"]],
                 [["g0.0", "g1.0", "g0.1", "g1.1"], ["g1.0", "g1.1", "g0.0", "g0.1"],
                  "g1.0 g0.0 g1.1 g0.1"]),
    "ch07.ex4": (None, [1, 1.1, 0.9], [10, 20, 0.1]),
    "ch07.ex5": (None, ["never"], ["soon after it fires", "after one time slice"]),
    "ch08.ex1": (None, [_cap.many_syscalls], [_cap.few_syscalls, _cap.computing, 42]),
    "ch08.ex2": (None, [_cap.respawning_chains],
                 [_cap.behind_a_spinner, _cap.yield_alone, _cap.many_syscalls]),
    "ch08.ex3": (None, [_cap.spawners], [_cap.main_spawns_all, _cap.yield_alone]),
    "ch08.ex4": ((_ch08_measurements(60.0, 2.0),), [30, 28, 33.0], [3, 60, 0.03, "thirty"]),
    "ch08.ex5": (None, ["the number of Ps"], ["the number of Ms", "Ps"]),
}


def _exercise(lesson: Lesson, key: str, build_args: tuple | None):
    if key in lesson.factories:
        return lesson.factories[key](*build_args)
    return lesson.exercises[key]


def test_every_exercise_has_a_right_and_a_wrong_answer() -> None:
    """The pattern for new chapters: every checked exercise needs an entry in CASES."""
    declared = {f"{name}.{key}" for name, lesson in LESSONS.items()
                for key in [*lesson.exercises, *lesson.factories]}
    assert declared == set(CASES), (
        f"missing right/wrong answers for {sorted(declared - set(CASES))}; "
        f"stale entries {sorted(set(CASES) - declared)}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_checker_accepts_right_and_rejects_wrong_answers(case: str) -> None:
    chapter, key = case.split(".")
    build_args, right, wrong = CASES[case]
    ex = _exercise(LESSONS[chapter], key, build_args)
    for answer in right:
        fb = ex.check(answer)
        assert fb, f"{case}: the right answer {answer!r} was rejected: {fb}"
    for answer in wrong:
        fb = ex.check(answer)
        assert not fb, f"{case}: the wrong answer {answer!r} was accepted"
        assert fb.message
    assert not ex.check(None)


def test_spawn_vs_fork_without_fork_asks_for_milliseconds() -> None:
    ex = LESSONS["ch01"].factories["ex3"](_rows(None, 80.0))
    assert "milliseconds" in ex.question and ex.check(80) and not ex.check(8)
    assert ex.name == "ex3" and ex.title == "Exercise 3"


def test_increment_checker_reports_a_lock_that_is_never_released() -> None:
    from gmpkit.lessons import ch02

    def leaks(counter, lock) -> None:
        lock.acquire()
        counter.value = counter.value + 1

    old = ch02._OwnedLock.WAIT_S
    ch02._OwnedLock.WAIT_S = 0.2
    try:
        fb = ch02.ex3.check(leaks)
    finally:
        ch02._OwnedLock.WAIT_S = old
    assert not fb and "never released" in fb.message


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_every_chapter_has_predictions_a_questionnaire_and_reveal_calls(name: str) -> None:
    lesson = LESSONS[name]
    assert lesson.name == name and (ROOT / "notebooks" / lesson.notebook).exists()
    assert len(lesson.predictions) >= 5
    assert len(lesson.quiz) >= MIN_QUIZ_QUESTIONS
    for section, q in lesson.predictions.items():
        assert q.reveal == f'{name}.answer("{section}")'
        assert str(lesson.answer(section)).startswith("**Answer")
    with pytest.raises(KeyError, match="sections with one"):
        lesson.ask("99")


def test_a_short_questionnaire_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        Lesson(99, "x", "x.ipynb").questionnaire([("q", "a")] * 3)


# -- what the answers say about the model, checked against the model ---------------------------

import gmpkit as gk  # noqa: E402
from gmpkit import scenarios  # noqa: E402
from gmpkit.demos import traces  # noqa: E402


async def _record(i, out, wg):
    out.append(i)
    wg.done()


async def _spawn_and_wait(n, gosched_first=False):
    if gosched_first:
        await gk.gosched()
    out, wg = [], gk.WaitGroup()
    wg.add(n)
    for i in range(n):
        gk.go(_record, i, out, wg)
    await wg.wait()
    gk.println(" ".join(map(str, out)))


def _order(n: int, **kw) -> list[int]:
    return [int(x) for x in gk.run(_spawn_and_wait, n, **kw).stdout.split()]


def test_runnext_orders_in_the_answers() -> None:
    """ch04 ex1, ch04 §7 and ch05 §2: the newest goroutine first, then FIFO; FIFO without
    runnext."""
    assert _order(5, gomaxprocs=1) == [4, 0, 1, 2, 3]
    assert LESSONS["ch04"].exercises["ex1"].check(_order(5, gomaxprocs=1))
    assert [int(x) for x in gk.run(_spawn_and_wait, 10, True, gomaxprocs=1).stdout.split()] == \
        [9, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert _order(10, gomaxprocs=1, runnext=False) == list(range(10))


async def _add(state, n, wg):
    for _ in range(n):
        x = state["counter"]
        await gk.gosched()
        state["counter"] = x + 1
    wg.done()


async def _race(k, n):
    state, wg = {"counter": 0}, gk.WaitGroup()
    wg.add(k)
    for _ in range(k):
        gk.go(_add, state, n, wg)
    await wg.wait()
    gk.println(state["counter"])


def test_race_counts_in_the_answers() -> None:
    """ch04 §8 (two goroutines, two Ps) and ch04 ex2 (three goroutines, one P)."""
    assert int(gk.run(_race, 2, 1000, gomaxprocs=2).stdout) == 1000
    assert LESSONS["ch04"].exercises["ex2"].check(int(gk.run(_race, 3, 1000, gomaxprocs=1).stdout))


async def _blocking(wg):
    await gk.syscall(ms=5)
    wg.done()


async def _twelve_reads():
    wg = gk.WaitGroup()
    wg.add(12)
    for _ in range(12):
        gk.go(_blocking, wg)
    await wg.wait()


def test_syscalls_make_more_threads_than_ps_by_retake() -> None:
    """ch04 ex3: more threads than GOMAXPROCS, and the P is taken by sysmon (retake) and handed
    off, not given up by the thread entering the syscall."""
    t = gk.run(_twelve_reads, gomaxprocs=3)
    assert LESSONS["ch04"].exercises["ex3"].check(len(t.sched.allm) > 3)
    ev = t.events
    assert (ev.event == "Retake").any()
    handed = ev[(ev.event == "MCreate") & ev.reason.fillna("").str.startswith("handoff")]
    assert len(handed) >= 1


async def _poll():
    i, _, _ = await gk.select(gk.recv(gk.Chan()), default=True)
    gk.println(i)


def test_select_default_index() -> None:
    assert LESSONS["ch04"].exercises["ex4"].check(int(gk.run(_poll).stdout))


async def _worker(i, mu, shared, wg):
    await gk.work(us=100 * (5 - i))
    await mu.lock()
    shared.append(i)
    mu.unlock()
    wg.done()


async def _team():
    mu, wg, shared = gk.Mutex(), gk.WaitGroup(), []
    for i in range(5):
        wg.add(1)
        gk.go(_worker, i, mu, shared, wg)
    await wg.wait()
    gk.println(" ".join(map(str, shared)))


def test_mutex_order_answer_matches_its_trace() -> None:
    """ch04 §4: P0 runs worker 4 first (runnext); P1 steals workers 0 and 1 and runs worker 1
    first; P0 then runs 2 and 3, P1 runs 0; the list is in finishing order."""
    t = gk.run(_team, gomaxprocs=2)
    order = [int(x) for x in t.stdout.split()]
    table = traces.finish_order(t)
    # G7 is worker 0 ... G11 worker 4 (the program links os: G6 is the finalizer goroutine)
    worker = {f"G{7 + i}": i for i in range(5)}
    assert [worker[g] for g in table.index] == order == [4, 2, 1, 3, 0]
    by_worker = {worker[g]: row for g, row in table.iterrows()}
    assert by_worker[4]["P"] == "P0" and by_worker[4]["started (ms)"] < by_worker[1]["started (ms)"]
    assert by_worker[1]["P"] == by_worker[0]["P"] == "P1"
    assert by_worker[2]["P"] == by_worker[3]["P"] == "P0"
    assert by_worker[1]["started (ms)"] < by_worker[0]["started (ms)"]
    assert by_worker[2]["started (ms)"] < by_worker[3]["started (ms)"]
    stolen = t.events[(t.events.event == "GoStart") & (t.events.g == 8)]
    assert stolen.source.iloc[0] == "stolen from P0"


def test_storm_overflow_answers() -> None:
    """ch05 §2.2 (300: queue 256, one overflow of 129) and ch05 ex2 (600: three overflows). The
    first comes at the 256th go: when main.main starts, two runtime goroutines (the GOMAXPROCS
    updater and the finalizer goroutine) still wait in P0's local queue; then every 129 more."""
    small = scenarios.get("goroutine_storm", n=300, seed=1).run(gomaxprocs=1)
    assert int(small.queues["P0"].max()) == 256 and int(small.queues["global"].max()) == 129
    assert int((small.events.event == "RunqOverflow").sum()) == 1
    big = scenarios.get("goroutine_storm", n=600, seed=1).run(gomaxprocs=1)
    user = set(big.goroutines.g) - {1}
    created, at = 0, []
    for kind, g in zip(big.events.event, big.events.g):
        if kind == "GoCreate" and g in user:
            created += 1
        elif kind == "RunqOverflow":
            at.append(created)
    assert at == [256, 385, 514]
    assert LESSONS["ch05"].exercises["ex2"].check(len(at))


def test_gmp_chapter_numbers() -> None:
    """ch05 §1: at most 2 running, 3 threads, the run takes about half its CPU time; §3: P1's
    first goroutine is stolen; §5: more Ps stop helping at 8 goroutines; ex3: 2 running."""
    t = scenarios.get("cpu_bound", n=8, seed=1).run(gomaxprocs=2)
    assert int(t.counts["g_running"].max()) == 2 and len(t.sched.allm) == 3
    assert 0.45 < (t.now_ns / 1e6) / traces.cpu_time_ms(t) < 0.6
    # The runtime's: force gc, sweeper, scavenger, GOMAXPROCS updater, finalizer goroutine.
    assert traces.goroutines_that_ran(t) == {"user": 9, "runtime": 5, "all": 14}
    starts = t.events[(t.events.event == "GoStart") & (t.events.p == 1)]
    assert starts.source.iloc[0].startswith("stolen from P0")
    ends = {p: scenarios.get("cpu_bound", n=8, seed=1).run(gomaxprocs=p).now_ns
            for p in (1, 2, 4, 8, 16)}
    assert ends[1] > ends[2] > ends[4] > ends[8] == ends[16]
    sys6 = scenarios.get("blocking_syscalls", n=6, seed=1).run(gomaxprocs=2)
    assert LESSONS["ch05"].exercises["ex3"].check(int(sys6.counts["g_running"].max()))
    assert len(sys6.sched.allm) > 3
    assert "goroutine 5 [GOMAXPROCS updater (idle)]:" in t.goroutine_dump(include_system=True)


async def _hello(name):
    gk.println(name)


async def _two():
    gk.go(_hello, "A")
    gk.go(_hello, "B")
    gk.println("main")
    await gk.sleep(ms=1)


async def _producer(ch, n):
    for i in range(n):
        gk.println("send", i)
        await ch.send(i)
        gk.println("sent", i)
    ch.close()


async def _consumer():
    ch = gk.Chan()
    gk.go(_producer, ch, 3)
    while True:
        v, ok = await ch.recv2()
        if not ok:
            break
        gk.println("recv", v)


def test_goroutine_chapter_orderings() -> None:
    """ch04 §1 (main first, then B before A) and §2 (`sent 0` before `recv 0`, but never before
    the receiver has the value); §5: 10 000 goroutines on fewer than ten threads."""
    assert gk.run(_two).stdout.split() == ["main", "B", "A"]
    lines = gk.run(_consumer, gomaxprocs=1).stdout.splitlines()
    assert lines.index("sent 0") < lines.index("recv 0")
    assert all(lines.index(f"sent {i}") > lines.index(f"send {i}") for i in range(3))


def test_one_goroutine_runs_on_several_threads_in_the_model() -> None:
    """ch04 §5.1 and ch05 §1: G and M are many-to-many."""
    t = scenarios.get("channel_pipeline", seed=1).run(gomaxprocs=2)
    per_g = traces.threads_per_goroutine(t)
    per_m = traces.goroutines_per_thread(t)
    assert per_g["distinct Ms"].max() >= 2 and per_m["distinct Gs"].min() >= 2
    producer = int(t.goroutines.query("name == 'producer'").g.iloc[0])
    assert traces.runs_of(t, producer).m.nunique() >= 2
