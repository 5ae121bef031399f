"""The exercise helper: answers are checked, hints advance, solutions reveal, bad setups fail."""

from __future__ import annotations

import pytest

from gmpkit.exercises import Exercise, Feedback


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
