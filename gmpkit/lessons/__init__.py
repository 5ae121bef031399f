"""The course's questions, answers, checkers and solutions: one module per chapter.

A notebook shows a question and lets the learner check an answer; everything the learner should
work out (expected answers, hints, solutions, explanations) lives here, so none of it is in the
notebook's source and none of it is printed by *Run All*. ``docs/lessons.md`` describes the
pattern for new chapters; in short, ``gmpkit/lessons/chNN.py`` holds::

    lesson = Lesson(4, "Goroutines", "04_goroutines.ipynb")

    lesson.predict("2", "Can `sent 0` print before `recv 0`?", answer="Yes: ...")
    ex1 = lesson.exercise("ex1", "In which order ...?", expected=[4, 0, 1, 2, 3], hints=[...],
                          solution="...")

    @lesson.factory("ex3")           # built from this run's measurements; the notebook does
    def spawn_vs_fork(rows) -> Exercise: ...   # ex3 = ch01.spawn_vs_fork(rows)

    lesson.questionnaire([("What is a P?", "..."), ...])   # at least 10 recall questions
    ask, answer, quiz = lesson.ask, lesson.answer, lesson.quiz

and the notebook uses it like this (the reveal cells stay commented, so Run All reveals nothing)::

    from gmpkit.lessons import ch04
    ch04.ask("2")              # the section's predict-then-run question
    ...                        # the experiment
    # ch04.answer("2")         # the learner removes the # to reveal

    ch04.ex1                   # the exercise's question
    ch04.ex1.check(None)       # the learner replaces None with an answer
    # ch04.ex1.hint()
    # ch04.ex1.solution()

    ch04.quiz                  # the questionnaire
    # ch04.quiz.answer(1)

``tests/test_exercises.py`` holds a right and a wrong answer for every exercise (a new exercise
without them fails the suite) and checks every expected answer that depends on the model against
the model; ``tests/test_notebooks.py`` fails if any answer, hint or solution text appears in a
notebook's source, or if a reveal call is not commented out.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from gmpkit.exercises import Exercise, Question, Quiz, Text

__all__ = ["Lesson", "all_lessons", "MIN_QUIZ_QUESTIONS"]

#: Every chapter's questionnaire has at least this many recall questions.
MIN_QUIZ_QUESTIONS = 10


class Lesson:
    """One chapter's questions: a predict-then-run question per section, exercises (fixed or
    built from the learner's measurements by a factory), and the end-of-chapter questionnaire."""

    def __init__(self, chapter: int, title: str, notebook: str) -> None:
        self.chapter = chapter
        self.title = title
        self.notebook = notebook
        self.name = f"ch{chapter:02d}"
        self.predictions: dict[str, Question] = {}
        self.exercises: dict[str, Exercise] = {}
        self.factories: dict[str, Callable[..., Exercise]] = {}
        self.open_exercises: dict[str, Question] = {}
        self._quiz: Quiz | None = None

    def __repr__(self) -> str:
        return (f"<Lesson {self.name} {self.title!r}: {len(self.predictions)} predictions, "
                f"{len(self.exercises) + len(self.factories)} exercises, "
                f"{len(self._quiz or ())} quiz questions>")

    # -- building (in the chapter's module) ---------------------------------------------------

    def predict(self, section: str, prompt: str, answer: str) -> Question:
        """The predict-then-run question that opens section ``section`` ("2", "5.3" ...)."""
        if section in self.predictions:
            raise ValueError(f"{self.name} already has a question for section {section}")
        q = Question(prompt, answer, kind="predict", label=f"(§{section})",
                     reveal=f'{self.name}.answer("{section}")')
        self.predictions[section] = q
        return q

    def exercise(self, key: str, question: str, **kwargs: Any) -> Exercise:
        """A checked exercise; ``kwargs`` are :class:`~gmpkit.exercises.Exercise`'s."""
        self._new_key(key)
        ex = Exercise(question, name=f"{self.name}.{key}",
                      title=kwargs.pop("title", f"Exercise {key.removeprefix('ex')}"), **kwargs)
        self.exercises[key] = ex
        return ex

    def open_exercise(self, key: str, prompt: str, what_to_expect: str) -> Question:
        """An open exercise: no single answer to check, only what to expect, revealed on request
        (``chNN.<key>.answer()``)."""
        self._new_key(key)
        q = Question(prompt, what_to_expect, kind="open", label=key.removeprefix("ex"),
                     reveal=f"{self.name}.{key}.answer()")
        self.open_exercises[key] = q
        return q

    def factory(self, key: str) -> Callable[[Callable[..., Exercise]], Callable[..., Exercise]]:
        """Register a function that builds exercise ``key`` from this run's measurements (its
        expected answer is then never a constant anyone could read in advance)."""
        self._new_key(key)

        def register(fn: Callable[..., Exercise]) -> Callable[..., Exercise]:
            def build(*args: Any, **kwargs: Any) -> Exercise:
                ex = fn(*args, **kwargs)
                ex.name = key  # the notebook keeps it in a variable of this name
                if ex.title == "Exercise":
                    ex.title = f"Exercise {key.removeprefix('ex')}"
                return ex

            build.__name__ = fn.__name__
            build.__doc__ = fn.__doc__
            self.factories[key] = build
            return build

        return register

    def questionnaire(self, items: list[tuple[str, str]]) -> Quiz:
        """The end-of-chapter questionnaire: (question, answer) pairs."""
        if len(items) < MIN_QUIZ_QUESTIONS:
            raise ValueError(f"a questionnaire needs at least {MIN_QUIZ_QUESTIONS} questions, "
                             f"got {len(items)}")
        self._quiz = Quiz(items, name=f"{self.name}.quiz", title=f"Questionnaire ({self.title})")
        return self._quiz

    def _new_key(self, key: str) -> None:
        if key in self.exercises or key in self.factories or key in self.open_exercises:
            raise ValueError(f"{self.name} already has an exercise {key!r}")

    # -- using (in the notebook) -------------------------------------------------------------

    @property
    def quiz(self) -> Quiz:
        if self._quiz is None:
            raise LookupError(f"{self.name} has no questionnaire")
        return self._quiz

    def ask(self, section: str) -> Question:
        """Show section ``section``'s predict-then-run question (not its answer)."""
        try:
            return self.predictions[str(section)]
        except KeyError:
            raise KeyError(f"{self.name} has no question for section {section!r}; sections "
                           f"with one: {', '.join(self.predictions)}") from None

    def answer(self, section: str) -> Text:
        """Reveal the answer to section ``section``'s question."""
        return self.ask(section).answer()

    # -- checking (tests) --------------------------------------------------------------------

    def revealable_texts(self) -> list[str]:
        """Every text this chapter keeps back: answers, hints, solutions, expected values."""
        texts: list[str] = []
        for q in [*self.predictions.values(), *self.open_exercises.values()]:
            texts += q.revealable_texts
        for ex in self.exercises.values():
            texts += ex.revealable_texts
        if self._quiz is not None:
            texts += self._quiz.revealable_texts
        return texts


def all_lessons() -> dict[str, Lesson]:
    """Every chapter's :class:`Lesson`, by module name (``"ch01"`` ...), in chapter order."""
    found: dict[str, Lesson] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("ch") and info.name[2:].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found[info.name] = module.lesson
    return found
