"""Self-checked exercises for the notebooks: ``check``, ``hint`` and ``solution``.

An :class:`Exercise` holds a question, a way to check an answer, hints and a worked solution::

    ex = Exercise(
        "How many updates are lost when 3 threads each add 1 once, all reading before any writes?",
        expected=2,
        hints=["Each thread writes back the same value."],
        solution="All three read 0 and write 1: the counter ends at 1, so **2** updates are lost.",
    )
    ex            # shows the question
    ex.check(2)   # ✅ Correct.
    ex.hint()     # the next hint
    ex.solution() # the worked answer

Every result renders as Markdown in Jupyter and as plain text everywhere else. ``check`` never
raises for a wrong answer (a learner's notebook keeps running); it returns a :class:`Feedback`
that is truthy only when the answer is right, so ``assert ex.check(x)`` works in tests.

Two lighter kinds of question have an answer to reveal but nothing to check:

- :class:`Question`: a prompt and its answer. A *predict* question opens a section ("what will
  the next cell print?"), a *recall* question belongs to a chapter's questionnaire.
- :class:`Quiz`: a numbered list of recall questions; ``quiz.answer(3)`` reveals one answer.

None of these objects shows an answer, a hint or a solution until a method that says so is
called. The chapters keep their exercises in :mod:`gmpkit.lessons`, one module per chapter
(see ``docs/lessons.md``), so that nothing a learner should work out is in a notebook's source.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: A checker takes the learner's answer and returns True/False, or a message (str) explaining
#: what is wrong, or None for "right". It may also raise AssertionError with a message.
Checker = Callable[[Any], "bool | str | None"]

_NO_ANSWER = object()


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``ok`` and a message for the learner."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return (
            f"{'Correct' if self.ok else 'Not yet'}: {self.message}"
            if self.message
            else ("Correct." if self.ok else "Not yet.")
        )

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        mark = "✅ **Correct.**" if self.ok else "❌ **Not yet.**"
        return f"{mark} {self.message}".rstrip()


@dataclass(frozen=True)
class Text:
    """A piece of Markdown that shows as Markdown in Jupyter and as itself in plain text."""

    markdown: str

    def __str__(self) -> str:
        return self.markdown

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return self.markdown


class Exercise:
    """A question whose answer a learner can check, with hints and a solution to reveal.

    Give exactly one of ``expected`` (compared with ``==``, or within ``rel_tol`` for numbers)
    and ``checker`` (a function: see :data:`Checker`). ``choices`` turns the exercise into a
    multiple-choice question: the answer must be one of them.
    """

    def __init__(
        self,
        question: str,
        *,
        expected: Any = _NO_ANSWER,
        checker: Checker | None = None,
        rel_tol: float | None = None,
        choices: Sequence[Any] | None = None,
        hints: Sequence[str] = (),
        solution: str = "",
        title: str = "Exercise",
        name: str = "",
    ) -> None:
        if (expected is _NO_ANSWER) == (checker is None):
            raise ValueError("give exactly one of `expected` and `checker`")
        if rel_tol is not None and (expected is _NO_ANSWER or rel_tol < 0):
            raise ValueError("rel_tol needs `expected` and must be >= 0")
        if choices is not None and expected is not _NO_ANSWER and expected not in choices:
            raise ValueError(f"expected {expected!r} is not among the choices {list(choices)}")
        if not question.strip():
            raise ValueError("the question must not be empty")
        self.question = question
        self.title = title
        self.name = name  # how the notebook refers to it, e.g. "ch02.ex3" (for the reveal hints)
        self.expected = expected
        self.checker = checker
        self.rel_tol = rel_tol
        self.choices = list(choices) if choices is not None else None
        self.hints = list(hints)
        self._solution = solution
        self._hints_shown = 0

    # -- showing the question ---------------------------------------------------------------

    def _choices_md(self) -> str:
        if not self.choices:
            return ""
        return "\n\n" + "\n".join(f"- `{c!r}`" for c in self.choices)

    def _how(self) -> str:
        who = self.name or "ex"
        return (f"Check your answer with `{who}.check(answer)`; `{who}.hint()` gives a hint, "
                f"`{who}.solution()` the worked solution.")

    def _repr_markdown_(self) -> str:
        return f"**{self.title}.** {self.question}{self._choices_md()}\n\n*{self._how()}*"

    def __repr__(self) -> str:
        choices = "".join(f"\n  - {c!r}" for c in self.choices or ())
        return f"{self.title}. {self.question}{choices}\n({self._how()})"

    @property
    def revealable_texts(self) -> list[str]:
        """Everything this exercise keeps back until asked: the expected answer, the hints and
        the solution (tests check that none of it is in a notebook's source)."""
        texts = [*self.hints, self._solution]
        if self.expected is not _NO_ANSWER:
            texts.append(repr(self.expected))
        return [t for t in texts if t]

    # -- checking ---------------------------------------------------------------------------

    def check(self, answer: Any = _NO_ANSWER) -> Feedback:
        """Check ``answer``; a wrong or missing answer gives advice, never an exception."""
        if answer is _NO_ANSWER or answer is None or answer is Ellipsis:
            return Feedback(False, "write your answer in the cell, then run `check(answer)`.")
        if self.choices is not None and answer not in self.choices:
            return Feedback(False, f"choose one of {self.choices}.")
        if self.checker is not None:
            try:
                verdict = self.checker(answer)
            except AssertionError as exc:
                return Feedback(False, str(exc) or "that is not it.")
            if verdict is None or verdict is True:
                return Feedback(True, "")
            if verdict is False:
                return Feedback(False, "that is not it; try `hint()`.")
            return Feedback(False, str(verdict))
        return self._compare(answer)

    def _compare(self, answer: Any) -> Feedback:
        expected = self.expected
        if self.rel_tol is not None:
            try:
                close = math.isclose(float(answer), float(expected), rel_tol=self.rel_tol)
            except (TypeError, ValueError):
                return Feedback(False, f"expected a number, got {type(answer).__name__}.")
            if close:
                return Feedback(True, "")
            return Feedback(False, "not close enough; try `hint()`.")
        if answer == expected:
            return Feedback(True, "")
        if type(answer) is not type(expected) and not (
            isinstance(answer, (int, float)) and isinstance(expected, (int, float))
        ):
            return Feedback(
                False,
                f"expected a {type(expected).__name__}, got a {type(answer).__name__}.",
            )
        return Feedback(False, "that is not it; try `hint()`.")

    # -- hints and solution -----------------------------------------------------------------

    def hint(self, number: int | None = None) -> Text:
        """The next hint (or hint ``number``, counting from 1)."""
        if not self.hints:
            return Text("No hints for this one: look at the experiment just above.")
        if number is None:
            index = min(self._hints_shown, len(self.hints) - 1)
            self._hints_shown += 1
        else:
            if not 1 <= number <= len(self.hints):
                raise ValueError(
                    f"there are {len(self.hints)} hint(s): choose 1..{len(self.hints)}"
                )
            index = number - 1
        return Text(f"💡 Hint {index + 1}/{len(self.hints)}: {self.hints[index]}")

    def solution(self) -> Text:
        """The worked solution (try first!)."""
        if not self._solution:
            if self.expected is not _NO_ANSWER:
                return Text(f"Solution: `{self.expected!r}`")
            return Text("No written solution for this one.")
        return Text(f"**Solution.** {self._solution}")


class Question:
    """A question whose answer is shown only on request: ``q`` shows the prompt, ``q.answer()``
    the answer.

    ``kind`` is ``"predict"`` (asked before an experiment: guess, run, then reveal) or
    ``"recall"`` (a questionnaire question). ``reveal`` is how the notebook calls the answer up,
    e.g. ``ch01.answer("2")``, shown under the prompt so the learner knows what to type.
    """

    KINDS = {"predict": "Predict", "recall": "Question", "open": "Open exercise"}

    def __init__(self, prompt: str, answer: str, *, kind: str = "predict", reveal: str = "",
                 label: str = "") -> None:
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {list(self.KINDS)}, not {kind!r}")
        if not prompt.strip() or not answer.strip():
            raise ValueError("a question needs a prompt and an answer")
        self.prompt = prompt
        self._answer = answer
        self.kind = kind
        self.reveal = reveal
        self.label = label

    def _title(self) -> str:
        word = self.KINDS[self.kind]
        return f"{word} {self.label}".strip()

    def _footer(self) -> str:
        how = f"`{self.reveal}`" if self.reveal else "`.answer()`"
        if self.kind == "predict":
            return f"Write down your guess, run the experiment below, then reveal the answer: {how}"
        if self.kind == "open":
            return f"Try it in a cell of your own; then compare with what to expect: {how}"
        return f"Answer it for yourself first; then reveal: {how}"

    def _repr_markdown_(self) -> str:
        return f"**{self._title()}.** {self.prompt}\n\n*{self._footer()}*"

    def __repr__(self) -> str:
        return f"{self._title()}. {self.prompt}\n({self._footer()})"

    def answer(self) -> Text:
        """The answer (after you have thought about it)."""
        return Text(f"**Answer{' ' + self.label if self.label else ''}.** {self._answer}")

    @property
    def revealable_texts(self) -> list[str]:
        return [self._answer]


class Quiz:
    """A chapter's questionnaire: numbered recall questions, each answer revealed on its own
    (``quiz.answer(3)``) or all at once (``quiz.answers()``)."""

    def __init__(self, items: Sequence[tuple[str, str]], *, name: str = "quiz",
                 title: str = "Questionnaire") -> None:
        if not items:
            raise ValueError("a quiz needs at least one question")
        self.name = name
        self.title = title
        self.questions = [
            Question(q, a, kind="recall", label=str(i), reveal=f"{name}.answer({i})")
            for i, (q, a) in enumerate(items, start=1)
        ]

    def __len__(self) -> int:
        return len(self.questions)

    def _question(self, number: int) -> Question:
        if isinstance(number, bool) or not isinstance(number, int) or not (
                1 <= number <= len(self.questions)):
            raise ValueError(f"there are {len(self.questions)} questions: choose 1.."
                             f"{len(self.questions)}")
        return self.questions[number - 1]

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.title}** ({len(self)} questions; answer each for yourself, then "
                 f"reveal it with `{self.name}.answer(n)`, or all with `{self.name}.answers()`)",
                 ""]
        lines += [f"{i}. {q.prompt}" for i, q in enumerate(self.questions, start=1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_().replace("**", "")

    def answer(self, number: int) -> Text:
        """The answer to question ``number`` (counting from 1)."""
        q = self._question(number)
        return Text(f"**{number}.** {q.prompt}\n\n{q._answer}")

    def answers(self) -> Text:
        """Every answer, in order."""
        return Text("\n\n".join(f"**{i}.** {q.prompt}  \n→ {q._answer}"
                                  for i, q in enumerate(self.questions, start=1)))

    @property
    def revealable_texts(self) -> list[str]:
        return [q._answer for q in self.questions]
