"""Chapter 8: the capstone's checkers accept workloads that do the named thing and reject ones
that do not; the comparison table is measured once per kernel and reused; the chapter's summary
tables read that one pass."""

from __future__ import annotations

import threading

import gmpkit as gk
from gmpkit.demos import compare, summary
from gmpkit.demos.measure import from_samples
from gmpkit.lessons import ch08

# -- workloads ---------------------------------------------------------------------------------


async def _blocked(wg):
    await gk.syscall(ms=5)
    wg.done()


async def _compute(wg, us=200):
    await gk.work(us=us)
    wg.done()


def _spawn_and_wait(fn, n):
    """A workload (an ``async def`` with no parameters) that starts ``n`` goroutines running
    ``fn(wg)`` and waits for them all."""
    async def workload():
        wg = gk.WaitGroup()
        wg.add(n)
        for _ in range(n):
            gk.go(fn, wg)
        await wg.wait()
    return workload


many_syscalls = _spawn_and_wait(_blocked, 20)
few_syscalls = _spawn_and_wait(_blocked, 6)
computing = _spawn_and_wait(_compute, 20)


async def _link(stop):
    if stop[0]:
        return
    await gk.work(us=5)
    gk.go(_link, stop)


async def respawning_chains():
    stop = [False]
    gk.go(_link, stop)
    gk.go(_link, stop)
    await gk.sleep(us=100)
    await gk.gosched()
    stop[0] = True


async def _spin():
    await gk.work(ms=100)


async def behind_a_spinner():
    """Waits in the global queue behind one long computation: sysmon, not the check, decides."""
    gk.go(_spin)
    await gk.sleep(us=100)
    await gk.gosched()


async def yield_alone():
    await gk.gosched()


async def _spawner(k, wg):
    for _ in range(k):
        gk.go(_compute, wg, 100)
    await gk.work(us=50)
    wg.done()


async def spawners():
    wg = gk.WaitGroup()
    wg.add(4 + 4 * 40)
    for _ in range(4):
        gk.go(_spawner, 40, wg)
    await wg.wait()


async def main_spawns_all():
    wg = gk.WaitGroup()
    wg.add(40)
    for _ in range(40):
        gk.go(_compute, wg, 100)
    await wg.wait()


async def needs_an_argument(n):
    await gk.work(us=n)


async def panics():
    gk.panic("boom")


def test_the_end_of_course_questionnaire_has_at_least_15_questions():
    assert len(ch08.quiz) >= 15
    assert len(ch08.lesson.predictions) >= 5


# -- capstone 1 --------------------------------------------------------------------------------


def test_threads_past_ten_accepts_many_blocking_syscalls_and_rejects_the_rest():
    assert ch08.threads_seen(many_syscalls) > ch08.THREADS_NEEDED
    assert ch08.ex1.check(many_syscalls)
    for wrong in (few_syscalls, computing):
        fb = ch08.ex1.check(wrong)
        assert not fb and f"at most {ch08.threads_seen(wrong)} threads" in fb.message
    assert ch08.threads_seen(computing) <= 3


def test_checkers_explain_what_is_not_a_workload():
    coro = many_syscalls()
    fb = ch08.ex1.check(coro)
    assert not fb and "without calling it" in fb.message
    assert coro.cr_frame is None  # closed: no "never awaited" warning
    assert "no arguments" in ch08.ex1.check(needs_an_argument).message
    assert "async def" in ch08.ex2.check(lambda: None).message
    assert "async def" in ch08.ex3.check(42).message
    assert "failed in the model" in ch08.ex1.check(panics).message


# -- capstone 2 --------------------------------------------------------------------------------


def test_starved_global_queue_needs_the_check_to_be_what_rescues_it():
    off, limited = ch08.global_waits(respawning_chains, global_check=False)
    on, _ = ch08.global_waits(respawning_chains, global_check=True)
    assert limited and max(off.values()) >= ch08.STARVED_MS
    assert max(on.values()) < 1.0  # the 1-in-61 check brings main back within 61 links
    assert ch08.ex2.check(respawning_chains)


def test_starved_global_queue_rejects_other_waits():
    fb = ch08.ex2.check(many_syscalls)
    assert not fb and "ever went to the global queue" in fb.message
    fb = ch08.ex2.check(yield_alone)
    assert not fb and "longest wait" in fb.message
    # Behind a long computation main waits as long with the check on: sysmon decides.
    fb = ch08.ex2.check(behind_a_spinner)
    assert not fb and "even with the 1-in-61 check on" in fb.message


# -- capstone 3 --------------------------------------------------------------------------------


def test_steal_in_every_p():
    assert ch08.stealers(spawners) == [0, 1, 2, 3]
    assert ch08.ex3.check(spawners)
    took = ch08.stealers(main_spawns_all)
    assert 0 not in took and took  # the others steal from main's P, which never needs to
    fb = ch08.ex3.check(main_spawns_all)
    assert not fb and "P0 never did" in fb.message
    fb = ch08.ex3.check(yield_alone)  # only the runtime's start-up goroutines are stolen
    assert not fb and "never did" in fb.message


def test_the_solutions_shown_are_workloads_the_checkers_accept():
    """The code in each capstone's solution, run as written, passes its checker."""
    for ex in (ch08.ex1, ch08.ex2, ch08.ex3):
        text = ex._solution
        source = text.split("```python\n", 1)[1].split("```", 1)[0]
        space: dict = {"gk": gk}
        exec(source, space)
        assert ex.check(space["workload"]), ex.name


# -- the comparison table: one source, measured once -------------------------------------------


def _row(unit: str, us: float, kib: float | None = 1.0) -> compare.Row:
    t = from_samples(unit, [us * 1e-6, us * 1.5e-6])
    return compare.Row(unit, t, kib, t, "how")


class _Counting:
    def __init__(self, monkeypatch):
        self.calls: dict[str, int] = {}
        for name, unit, us, kib in (("measure_process", "process (x)", 1000.0, 2000.0),
                                    ("measure_thread", "thread", 50.0, 16.0),
                                    ("measure_coroutine", "coroutine (asyncio task)", 10.0, 1.0)):
            monkeypatch.setattr(compare, name, self._fake(name, unit, us, kib))
        monkeypatch.setattr(compare.processes, "demo_methods", lambda: ["fork", "spawn"])

    def _fake(self, name, unit, us, kib):
        def measure(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            label = f"process ({args[0]})" if name == "measure_process" else unit
            return _row(label, us, kib)
        return measure


def test_measurements_measure_each_row_once_per_kernel(monkeypatch):
    counting = _Counting(monkeypatch)
    monkeypatch.setattr(compare, "_MEASURED", {})
    m = compare.measurements()
    assert compare.measurements() is m  # the same pass for every chapter cell in this kernel
    first = m.table()
    again = m.table()
    assert again is first and list(first.index) == [
        "process (fork)", "process (spawn)", "thread", "coroutine (asyncio task)"]
    m.rows()
    _ = m.thread, m.coroutine, m.processes
    assert counting.calls == {"measure_process": 2, "measure_thread": 1, "measure_coroutine": 1}
    assert m.measured == {"process (fork)": 1, "process (spawn)": 1, "thread": 1,
                          "coroutine": 1}
    assert compare.comparison_table() is not first  # rebuilt, but from the same rows
    assert counting.calls["measure_thread"] == 1
    fresh = compare.measurements(refresh=True)
    assert fresh is not m and fresh.thread is not m.thread
    assert counting.calls["measure_thread"] == 2


def test_the_goroutine_row_comes_from_one_go_run(monkeypatch):
    from gmpkit.demos import gofacts

    runs = []
    recorded = gofacts.recorded("goroutine_costs")

    def costs(runs_=3, prefer_recorded=False, **kw):
        runs.append(1)
        return recorded

    monkeypatch.setattr(gofacts, "goroutine_costs", lambda runs=3, prefer_recorded=False:
                        costs(runs))
    _Counting(monkeypatch)
    m = compare.Measurements()
    assert m.go_facts is m.go_facts and m.goroutine is m.goroutine
    table = m.table(goroutines=True)
    assert len(runs) == 1 and "goroutine (real Go, recorded)" in table.index
    assert table.loc["goroutine (real Go, recorded)", "source"].startswith("real Go")


def test_coroutine_async_measures_once(monkeypatch):
    calls = []

    async def fake(quick=True, runs=5):
        calls.append(1)
        return _row("coroutine (asyncio task)", 10.0)

    monkeypatch.setattr(compare, "measure_coroutine_async", fake)
    m = compare.Measurements()
    import asyncio

    def run(coro):
        # In a thread of its own: a test before this one (the browser tests' Playwright) may
        # leave an event loop running in this one, and asyncio.run refuses to nest.
        out = []
        t = threading.Thread(target=lambda: out.append(asyncio.run(coro)))
        t.start()
        t.join()
        return out[0]

    a = run(m.coroutine_async())
    b = run(m.coroutine_async())
    assert a is b is m.coroutine and calls == [1]


def test_usual_table_verdicts_follow_the_measured_order(monkeypatch):
    _Counting(monkeypatch)
    m = compare.Measurements()
    m._rows["goroutine (real Go)"] = _row("goroutine (real Go)", 2.0, kib=4.0)
    view = summary.usual_vs_measured(m)
    create = view.xs("creation cost 创建开销")
    assert (create.verdict == "holds").all()
    fits = view.xs("concurrency 并发能力")
    # The asyncio task (1 KiB) holds more per GiB than the goroutine (4 KiB): reversed.
    assert fits.loc["goroutine (real Go)", "verdict"] == "reversed beside coroutine (asyncio task)"
    assert fits.loc["coroutine (asyncio task)", "verdict"].startswith("reversed beside goroutine")
    assert fits.loc["thread", "verdict"] == "holds"
    assert "spread ×1.5" in create.loc["thread", "this course found"]
    m._rows["thread"] = _row("thread", 5000.0)  # dearer than a forked process
    create = summary.usual_vs_measured(m).xs("creation cost 创建开销")
    assert create.loc["thread", "verdict"].startswith("reversed beside process")


def test_the_three_claims_are_contradicted_by_their_experiments():
    t = summary.threads_vs_procs()
    assert t["Ps"] == 2 and t["threads"] > t["Ps"] + 5
    c = summary.channel_race()
    assert c["received"] == c["expected"] and c["counter"] < c["expected"]
    table = summary.claims_tested()
    assert len(table) == 3


def test_model_and_recorded_go_differ_only_where_expected(monkeypatch):
    from gmpkit import golang

    monkeypatch.setenv("GMPKIT_GO", "none")
    model, real = summary.model_and_go()
    assert real.recorded and real.label == "real Go (recorded)"
    diff = summary.differences(model, real)
    assert diff.loc["user goroutines", "model"] == diff.loc["user goroutines", real.label]
    assert diff.loc["system calls by user goroutines", "model"] == 6
    assert diff.loc["system calls by user goroutines", real.label] == 6
    assert diff.loc["Ps that ran a user goroutine", "model"] == 2
    assert diff.loc["Ps that ran a user goroutine", real.label] == 2
    for side in ("model", real.label):  # one thread per blocked goroutine, past the two Ps
        assert diff.loc["most threads at once (sysmon apart)", side] > 4
    assert not golang.go_available()
