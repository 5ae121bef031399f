"""Step through a run one scheduling decision at a time, with the reason for each; predict the next.

:class:`Stepper` runs a program in the simulator (a built-in scenario, a :class:`Scenario`, or any
``async def main`` a learner writes) and stops after every scheduling decision: a goroutine
created, started, blocked, readied, stolen; a thread started, spinning, parked; a P handed off.
For each it shows the G/M/P diagram of that instant with the decision's goroutine, thread and P
highlighted, the rule of ``proc.go`` that produced it (``hooks.RULES``) as a sentence, and the
decisions so far.

    >>> from gmpkit.stepper import Stepper
    >>> st = Stepper("cpu_bound", n=8, gomaxprocs=2, seed=1)   # doctest: +SKIP
    >>> st                      # the widget: buttons, diagram, reason, history   # doctest: +SKIP
    >>> st.forward()            # one decision (what the "next" button does)     # doctest: +SKIP
    >>> st.decision.why         # the rule behind it, as a sentence               # doctest: +SKIP
    >>> st.back()               # one decision back                              # doctest: +SKIP

Moving: :meth:`forward` (one decision, or ``n``), :meth:`next_on` (the next decision on a given
P), :meth:`next_start` (the next goroutine to start running), :meth:`run_to` (a virtual time),
:meth:`until` (a condition), :meth:`goto` (decision number ``i``), :meth:`back` and
:meth:`reset`. Going back replays the program from the start with the same seed: a run is
deterministic, so the replay passes through exactly the same states (a replay that differs,
because ``main`` reads state from outside itself, is reported as an error, never shown).

**Predict mode.** Before a goroutine starts, guess which one it will be, on which P, and where
it comes from (``runnext``, ``local``, ``global``, ``steal``, ``netpoll``): :meth:`predict`
reveals the next start and scores the guess, one point per part right. In the widget: tick
*predict*, pick the three answers, press *reveal*.

The stepper keeps the live simulation in :attr:`sim` (read ``stepper.sim.sched``, never change
it) and every decision so far in :attr:`decisions`; :meth:`history` is the same as a table.
Everything works without a browser (the methods above are what the buttons call), which is how
the tests drive it.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import scenarios as sc
from .errors import UsageError, UsageTypeError, UsageValueError
from .hooks import DECISION_KINDS, RULES, Event, Observer
from .machine import NS_PER_MS
from .trace import Snapshot, take_snapshot

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .sched import Sched

__all__ = ["Decision", "Guess", "PLACES", "Stepper", "place_of"]

#: Where a goroutine that starts running can come from, as predict mode asks it.
PLACES = ("runnext", "local", "global", "steal", "netpoll")
_PLACE_OF_RULE = {
    "runnext": "runnext", "timer": "runnext", "local": "local", "global": "global",
    "global-recheck": "global", "global-61": "global", "steal": "steal",
    "steal-runnext": "steal", "steal-timer": "steal", "netpoll": "netpoll",
    "netpoll-wake": "netpoll",
}
#: What learners may type for a place (any case; "G7"/"P1" work for goroutines and Ps).
_PLACE_WORDS = {
    "runnext": "runnext", "next": "runnext", "timer": "runnext",
    "local": "local", "local queue": "local", "lrq": "local", "runq": "local",
    "global": "global", "global queue": "global", "grq": "global", "global-61": "global",
    "steal": "steal", "stolen": "steal", "stealing": "steal", "work stealing": "steal",
    "netpoll": "netpoll", "netpoller": "netpoll", "network": "netpoll",
}
#: Decisions reported before they take effect (the goroutine is queued just after the event):
#: their picture is taken once the scheduler has finished that step.
_AFTER_EFFECT = frozenset({"GoCreate", "GoSched", "GoPreempt", "NetpollReady", "GoSysExit"})
#: A stepper never runs more decisions than this (a program that never ends is stopped).
MAX_DECISIONS = 200_000
#: Decisions listed in the widget's history.
HISTORY_ROWS = 12
#: Queue entries kept per queue in the stepper's pictures (a whole local queue, and more).
QUEUE_IDS = 1024


def place_of(rule: str | None) -> str | None:
    """The predict-mode place (``PLACES``) of a GoStart rule: ``timer`` counts as runnext
    (the timer put it there), the 1-in-61 check as global, every kind of steal as steal."""
    return _PLACE_OF_RULE.get(rule or "")


class Decision(Event):
    """One scheduling decision: the event (with its ``rule``, ``args`` and ``why``), its
    ``number`` (decisions counted from 0), and the G/M/P picture right after it took effect
    (``snapshot``; kept only while it may be shown: going back replays the run)."""

    __slots__ = ("number", "snapshot")

    def __init__(self, number: int, ev: Event) -> None:
        super().__init__(ev.t, ev.kind, ev.g, ev.m, ev.p, ev.reason, ev.source, ev.extra,
                         ev.cause)
        self.number = number
        self.snapshot: Snapshot | None = None

    @property
    def place(self) -> str | None:
        """For a start: where the goroutine came from (one of :data:`PLACES`)."""
        return place_of(self.rule) if self.kind == "GoStart" else None

    def key(self) -> tuple[Any, ...]:
        """What a replay must reproduce exactly."""
        return (self.t, self.kind, self.g, self.m, self.p, self.reason, self.source, self.cause)

    def headline(self) -> str:
        who = " ".join(f"{k}{v}" for k, v in (("G", self.g), ("M", self.m), ("P", self.p))
                       if v is not None)
        return f"#{self.number} at {self.t / NS_PER_MS:.3f} ms: {self.kind} {who}".rstrip()

    def __str__(self) -> str:
        return f"{self.headline()} [{self.rule}] {self.why}"


@dataclass(frozen=True)
class Guess:
    """A prediction and how it scored: ``right`` maps each part asked (``g``, ``p``,
    ``place``) to whether it was right; ``points`` of ``asked``."""

    g: int | None
    p: int | None
    place: str | None
    actual: Decision
    right: dict[str, bool]

    @property
    def points(self) -> int:
        return sum(self.right.values())

    @property
    def asked(self) -> int:
        return len(self.right)

    @property
    def correct(self) -> bool:
        return bool(self.right) and all(self.right.values())

    def message(self) -> str:
        """``2/3: goroutine G9 ✓, P: you said P0, it was P1 ✗, from steal ✓. Why: ...``"""
        a = self.actual
        said = {"g": f"G{self.g}", "p": f"P{self.p}", "place": str(self.place)}
        was = {"g": f"G{a.g}", "p": f"P{a.p}", "place": str(a.place)}
        what = {"g": "goroutine", "p": "on", "place": "from"}
        parts = [f"{what[k]} {was[k]} ✓" if ok else
                 f"{what[k]}: you said {said[k]}, it was {was[k]} ✗"
                 for k, ok in self.right.items()]
        return f"{self.points}/{self.asked}: " + ", ".join(parts) + f". Why: {a.why}"

    def __str__(self) -> str:
        return self.message()


class _Tap(Observer):
    """Collects the decisions of one run, each with its G/M/P picture. A decision that takes
    effect after its event (``_AFTER_EFFECT``) gets its picture at the next event or when the
    scheduler's step ends (:meth:`settle`), whichever comes first; a goroutine readied by the
    poller, at the step's end (``injectglist`` reports a whole batch, then queues it, starting
    threads on the way)."""

    def __init__(self, kinds: frozenset[str]) -> None:
        self.kinds = kinds
        self.sched: Sched | None = None
        self.out: list[Decision] = []
        self.pending: list[int] = []

    def attach(self, sched: Sched) -> None:
        self.sched = sched

    def event(self, ev: Event) -> None:
        if self.pending:
            self.settle(step_end=False)
        if ev.kind not in self.kinds:
            return
        if len(self.out) >= MAX_DECISIONS:
            raise UsageError(f"the stepper stops after {MAX_DECISIONS} decisions; step a "
                             "shorter program (or use gk.run for long ones)")
        d = Decision(len(self.out), ev)
        self.out.append(d)
        if ev.kind in _AFTER_EFFECT:
            self.pending.append(d.number)
        else:
            self._picture(d.number)

    def settle(self, step_end: bool = True) -> None:
        """Picture the decisions waiting for it (at a step's end, all of them)."""
        keep = []
        for i in self.pending:
            if step_end or self.out[i].kind != "NetpollReady":
                self._picture(i)
            else:
                keep.append(i)
        self.pending = keep

    def _picture(self, i: int) -> None:
        assert self.sched is not None
        d = self.out[i]
        d.snapshot = take_snapshot(self.sched, d.number, d.kind, QUEUE_IDS)

    def drop_pictures(self, before: int) -> None:
        """Forget the pictures of decisions before ``before`` (a replay brings them back)."""
        for d in self.out[:before]:
            d.snapshot = None


def _split_scenario_params(name: str, options: dict[str, Any]) -> tuple[dict[str, Any],
                                                                         dict[str, Any]]:
    """Scenario knobs (the factory's parameters) apart from ``gk.Sim`` options; ``seed``
    goes to both, as ``Scenario.run`` does."""
    knobs = set(inspect.signature(sc.SCENARIOS[name]).parameters)
    params = {k: v for k, v in options.items() if k in knobs}
    run = {k: v for k, v in options.items() if k not in knobs or k == "seed"}
    return params, run


class Stepper:
    """A run of ``program`` paused after each scheduling decision (see the module docstring).

    ``program``: a scenario name (``"cpu_bound"``; its knobs such as ``n=8`` may be given as
    keywords), a :class:`gmpkit.scenarios.Scenario`, or an ``async def main`` (with ``*args``).
    Other keywords are ``gk.Sim`` options: ``gomaxprocs``, ``seed``, ``godebug``, the teaching
    switches. ``kinds``: which event kinds count as decisions (default: every decision but
    sysmon's ticks). ``predict``: start in predict mode.
    """

    def __init__(self, program: str | sc.Scenario | Callable[..., Coroutine[Any, Any, Any]]
                 = "cpu_bound", *args: Any, kinds: frozenset[str] | set[str] | None = None,
                 predict: bool = False, **options: Any) -> None:
        self.kinds = frozenset(kinds) if kinds is not None else DECISION_KINDS
        unknown = sorted(self.kinds - DECISION_KINDS - {"Sysmon", "Schedtrace"})
        if unknown:
            raise UsageValueError(f"unknown event kind(s) {unknown}; kinds are "
                                  f"{sorted(DECISION_KINDS)}")
        self.main, self.args, self.options, self.label = self._program(program, args, options)
        self.guesses: list[Guess] = []
        self.error = ""
        self._widget: Any = None
        self._predict = predict
        self._start()

    # ----- the program ------------------------------------------------------------------------

    @staticmethod
    def _program(program: Any, args: tuple[Any, ...], options: dict[str, Any]):
        if isinstance(program, str):
            if program not in sc.SCENARIOS:
                raise UsageValueError(f"unknown scenario {program!r}; choose one of "
                                      f"{', '.join(sc.SCENARIOS)}, or pass an async def main")
            params, run = _split_scenario_params(program, options)
            program = sc.get(program, **params)
            options = run
        if isinstance(program, sc.Scenario):
            opts = program.run_options(**options)
            opts.pop("record", None)
            knobs = ", ".join(f"{k}={v!r}" for k, v in program.params.items())
            return program.main, (), opts, f"{program.name}({knobs})"
        if not inspect.iscoroutinefunction(program):
            raise UsageTypeError(
                f"Stepper needs a scenario name, a Scenario or an async def main, got "
                f"{program!r}")
        opts = dict(options)
        opts.pop("record", None)
        name = getattr(program, "__qualname__", "main")
        return program, args, opts, f"{name}()"

    def _start(self) -> None:
        """A fresh run from the start (same program, same seed), before its first decision."""
        from .api import Sim

        self.tap = _Tap(self.kinds)
        self.sim = Sim(self.main, *self.args, record=False, observers=[self.tap], **self.options)
        self.position = -1

    @property
    def decisions(self) -> list[Decision]:
        """Every decision up to the current one (the run may have computed a few more)."""
        return self.tap.out[: self.position + 1]

    @property
    def decision(self) -> Decision | None:
        """The current decision (None before the first)."""
        return self.tap.out[self.position] if self.position >= 0 else None

    @property
    def snapshot(self) -> Snapshot | None:
        """The G/M/P picture right after the current decision."""
        d = self.decision
        return d.snapshot if d is not None else None

    @property
    def done(self) -> bool:
        """The program has ended and the last decision is shown."""
        return self.sim.done and self.position >= len(self.tap.out) - 1

    def options_text(self) -> str:
        """The program and options, so that any state can be reproduced."""
        opts = " ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.label} {opts}".strip()

    # ----- moving -----------------------------------------------------------------------------

    def _have(self, i: int) -> bool:
        """Run the simulation until decision ``i`` exists with its picture; False if the
        program ends first."""
        tap = self.tap
        while len(tap.out) <= i or tap.out[i].snapshot is None:
            if self.sim.done:
                tap.settle()
                if self.sim.error is not None:
                    self.error = str(self.sim.error)
                if len(tap.out) > i:
                    continue
                return False
            self.sim.step()
            tap.settle()  # the step is over: a decision still waiting gets its picture now
        return True

    def _moved(self) -> Stepper:
        self.tap.drop_pictures(self.position)
        self._redraw()
        return self

    def forward(self, n: int = 1) -> Stepper:
        """``n`` decisions forward (stops at the program's end)."""
        self._check_count(n)
        for _ in range(n):
            if not self._have(self.position + 1):
                break
            self.position += 1
        return self._moved()

    next = forward

    def until(self, predicate: Callable[[Decision], bool], *, limit: int = MAX_DECISIONS
              ) -> Stepper:
        """Forward to the next decision for which ``predicate(decision)`` is true (or to the
        end of the program)."""
        for _ in range(limit):
            if not self._have(self.position + 1):
                break
            self.position += 1
            if predicate(self.tap.out[self.position]):
                break
        return self._moved()

    def next_on(self, p: int | str) -> Stepper:
        """Forward to the next decision that concerns P ``p`` (``1`` or ``"P1"``)."""
        pid = self._pid(p)
        return self.until(lambda d: d.p == pid)

    def next_start(self, p: int | str | None = None) -> Stepper:
        """Forward to the next goroutine that starts running (on P ``p``, if given)."""
        pid = self._pid(p) if p is not None else None
        return self.until(lambda d: d.kind == "GoStart" and (pid is None or d.p == pid))

    def run_to(self, ms: float) -> Stepper:
        """Forward to the last decision at or before ``ms`` of virtual time."""
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
            raise UsageValueError(f"run_to needs a time in ms >= 0, got {ms!r}")
        t = int(ms * NS_PER_MS)
        while self._have(self.position + 1) and self.tap.out[self.position + 1].t <= t:
            self.position += 1
        return self._moved()

    def goto(self, number: int) -> Stepper:
        """Decision number ``number`` (from 0), forward or back."""
        if isinstance(number, bool) or not isinstance(number, int) or number < -1:
            raise UsageValueError(f"goto needs a decision number >= 0, got {number!r}")
        if number < self.position:
            return self._replay(number)
        while self.position < number and self._have(self.position + 1):
            self.position += 1
        return self._moved()

    def back(self, n: int = 1) -> Stepper:
        """``n`` decisions back: the program is replayed from the start with the same seed."""
        self._check_count(n)
        return self._replay(max(-1, self.position - n))

    def reset(self) -> Stepper:
        """Back to the start of the run (before its first decision)."""
        return self._replay(-1)

    def _replay(self, number: int) -> Stepper:
        """Run the program again from the start to decision ``number``, checking that it
        passes through the same decisions as before."""
        seen = [d.key() for d in self.tap.out[: max(self.position, number) + 1]]
        self._start()
        while self.position < number and self._have(self.position + 1):
            self.position += 1
        again = [d.key() for d in self.tap.out[: len(seen)]]
        if again[: number + 1] != seen[: number + 1]:
            first = next(i for i, (a, b) in enumerate(zip(again, seen)) if a != b)
            raise UsageError(
                f"replaying the program gave a different decision #{first} "
                f"({again[first][1]} instead of {seen[first][1]}): a run must depend only on "
                "its seed. Does main use state made outside it (a list or channel created "
                "before the stepper, a global)? Create everything main needs inside main.")
        return self._moved()

    @staticmethod
    def _check_count(n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise UsageValueError(f"the number of decisions must be an int >= 1, got {n!r}")

    def _pid(self, p: int | str) -> int:
        if isinstance(p, str) and p[:1] in "Pp" and p[1:].isdigit():
            p = int(p[1:])
        if isinstance(p, bool) or not isinstance(p, int) or not (
                0 <= p < len(self.sim.sched.allp_all)):
            raise UsageValueError(f"no P {p!r}: this run has P0..P{self.sim.sched.gomaxprocs - 1}")
        return p

    # ----- predict mode -----------------------------------------------------------------------

    def candidates(self) -> list[tuple[int, str]]:
        """The goroutines that could start next, with where each is at the current decision:
        the queued ones first (runnext, local queues, global queue), then the running ones and
        the others, as ``(goid, "G7 in P0.runnext")``."""
        snap = self.snapshot
        if snap is None:
            snap = take_snapshot(self.sim.sched, -1, "start", QUEUE_IDS)
        where: dict[int, str] = {}
        for p in snap.ps:
            if p.runnext is not None:
                where[p.runnext] = f"in P{p.id}.runnext"
        for p in snap.ps:
            for k, g in enumerate(p.runq):
                where.setdefault(g, f"P{p.id} local queue #{k + 1}")
        for k, g in enumerate(snap.grq):
            where.setdefault(g, f"global queue #{k + 1}")
        for p in snap.ps:
            if p.curg is not None:
                where.setdefault(p.curg, f"running on P{p.id}")
        out = [(goid, f"G{goid} {w}") for goid, w in where.items()]
        rest = []
        for gs in self.sim.sched.allg:  # the others: parked, in a syscall (as the run is now)
            if gs.goid in where or gs.status.name == "DEAD":
                continue
            state = gs.waitreason if gs.status.name == "WAITING" else gs.status.name.lower()
            rest.append((gs.goid, f"G{gs.goid} ({state})"))
        return out + sorted(rest)

    def predict(self, g: int | str | None = None, p: int | str | None = None,
                place: str | None = None) -> Guess:
        """Guess the next goroutine to start: its id (``7`` or ``"G7"``), its P (``1`` or
        ``"P1"``) and where it comes from (one of :data:`PLACES`); leave out what you do not
        want to guess. Reveals that start (the stepper moves to it) and scores the guess."""
        gid = self._gid(g) if g is not None else None
        pid = self._pid(p) if p is not None else None
        want = self._place(place) if place is not None else None
        if gid is None and pid is None and want is None:
            raise UsageValueError("predict needs at least one of g=, p= and place=")
        start = self.position
        self.next_start()
        d = self.decision
        if d is None or d.kind != "GoStart" or self.position == start:
            raise UsageError("no goroutine starts any more: the program has ended")
        right = {}
        if gid is not None:
            right["g"] = gid == d.g
        if pid is not None:
            right["p"] = pid == d.p
        if want is not None:
            right["place"] = want == d.place
        guess = Guess(gid, pid, want, d, right)
        self.guesses.append(guess)
        self._redraw()
        return guess

    @property
    def score(self) -> tuple[int, int]:
        """(points, points possible) over every prediction so far."""
        return (sum(x.points for x in self.guesses), sum(x.asked for x in self.guesses))

    @staticmethod
    def _gid(g: int | str) -> int:
        if isinstance(g, str) and g[:1] in "Gg" and g[1:].isdigit():
            g = int(g[1:])
        if isinstance(g, bool) or not isinstance(g, int) or g < 1:
            raise UsageValueError(f"a goroutine is an id like 7 or 'G7', got {g!r}")
        return g

    @staticmethod
    def _place(place: str) -> str:
        key = str(place).strip().lower()
        if key.startswith("steal"):
            key = "steal"
        if key not in _PLACE_WORDS:
            raise UsageValueError(f"where a goroutine comes from is one of {', '.join(PLACES)}; "
                                  f"got {place!r}")
        return _PLACE_WORDS[key]

    # ----- tables and text ------------------------------------------------------------------

    def history(self) -> pd.DataFrame:
        """The decisions so far as a table: number, time, kind, G, M, P, rule, why."""
        import pandas as pd

        rows = [(d.number, d.t / NS_PER_MS, d.kind, d.g, d.m, d.p, d.rule, d.why)
                for d in self.decisions]
        df = pd.DataFrame(rows, columns=["decision", "time_ms", "kind", "g", "m", "p", "rule",
                                         "why"])
        for c in ("g", "m", "p"):
            df[c] = df[c].astype("Int64")
        return df

    def reason_text(self) -> str:
        """What the reason line shows: the current decision and the rule behind it."""
        d = self.decision
        if d is None:
            return (f"{self.options_text()}: before the first decision. Press next (or call "
                    "forward()) to step.")
        go = RULES[d.rule].go if d.rule in RULES else ""
        tail = ""
        if self.done:
            res = self.sim.sched.result
            first = "".join(res.stderr).strip().split("\n")[0] if res.exit_code else ""
            tail = f" The program has ended (exit status {res.exit_code}{': ' if first else ''}"
            tail += f"{first})."
        return f"{d.headline()} — [{d.rule}: {go}] {d.why}.{tail}"

    def diagram_spec(self) -> dict[str, Any]:
        """The plotly spec of the current instant's GMP diagram, the decision highlighted."""
        from .viz import gmp_snapshot_spec

        d = self.decision
        snap = d.snapshot if d is not None else take_snapshot(self.sim.sched, -1, "start")
        assert snap is not None
        title = (f"{d.headline()} [{d.rule}]" if d is not None
                 else "G, M and P before the first decision")
        highlight = {"g": d.g, "m": d.m, "p": d.p} if d is not None else None
        ncols = max(len(self.sim.sched.allp_all), 1)
        return gmp_snapshot_spec(snap, ncols=ncols, highlight=highlight, title=title)

    def __repr__(self) -> str:
        d = self.decision
        pts, of = self.score
        where = str(d) if d is not None else "before the first decision"
        return (f"<Stepper {self.options_text()}: {where}"
                + (f"; predictions {pts}/{of}" if of else "") + ">")

    # ----- the widget -------------------------------------------------------------------------

    @property
    def widget(self) -> Any:
        """The ipywidgets app (built on first use)."""
        if self._widget is None:
            self._widget = _StepperWidget(self)
        return self._widget.box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _redraw(self) -> None:
        if self._widget is not None:
            self._widget.redraw()


class _StepperWidget:
    """Buttons, the predict row, the reason, the diagram and the history, for one Stepper.
    Every button calls the Stepper method of the same name; errors show in the widget."""

    def __init__(self, st: Stepper) -> None:
        import ipywidgets as W

        self.st = st
        lay = W.Layout
        wide = {"description_width": "initial"}

        def button(label: str, css: str, tip: str, width: str = "auto") -> Any:
            b = W.Button(description=label, tooltip=tip, layout=lay(width=width))
            b.add_class(css)
            return b

        self.reset_b = button("◀◀ start", "gmpkit-stepper-reset", "back to the start")
        self.back_b = button("◀ back", "gmpkit-stepper-back", "one decision back (replays)")
        self.next_b = button("next ▶", "gmpkit-stepper-next", "one decision forward")
        self.start_b = button("next start ▶", "gmpkit-stepper-start",
                              "forward to the next goroutine that starts running")
        nprocs = len(st.sim.sched.allp_all)
        self.on_p = W.Dropdown(options=[f"P{i}" for i in range(nprocs)], value="P0",
                               layout=lay(width="70px"))
        self.on_b = button("next on P ▶", "gmpkit-stepper-on", "the next decision on this P")
        self.to_ms = W.BoundedFloatText(value=1.0, min=0, max=1e9, step=0.5,
                                        description="ms", style=wide, layout=lay(width="130px"))
        self.to_b = button("run to ▶", "gmpkit-stepper-to", "forward to this virtual time")
        self.predict_t = W.ToggleButton(value=st._predict, description="predict",
                                        tooltip="guess each start before it is revealed")
        self.predict_t.add_class("gmpkit-stepper-predict")
        self.guess_g = W.Dropdown(description="goroutine", style=wide, layout=lay(width="260px"))
        self.guess_p = W.Dropdown(options=[f"P{i}" for i in range(nprocs)], description="on",
                                  style=wide, layout=lay(width="110px"))
        self.guess_place = W.Dropdown(options=list(PLACES), description="from", style=wide,
                                      layout=lay(width="160px"))
        self.reveal_b = button("reveal", "gmpkit-stepper-reveal", "score the guess")
        self.score_h = W.HTML()
        self.score_h.add_class("gmpkit-stepper-score")
        self.guess_row = W.HBox([self.guess_g, self.guess_p, self.guess_place, self.reveal_b,
                                 self.score_h])
        self.options_h = W.HTML(f"<code>{html.escape(st.options_text())}</code>")
        self.reason = W.HTML()
        self.reason.add_class("gmpkit-stepper-reason")
        self.error = W.HTML(layout=lay(display="none"))
        self.error.add_class("gmpkit-stepper-error")  # (the playground owns .gmpkit-error)
        # The height is reserved before plotly draws, so the page does not move under the reader.
        self.diagram = W.Output(layout=lay(width="100%", min_height="480px"))
        self.diagram.add_class("gmpkit-stepper-diagram")
        self.history = W.HTML()
        self.history.add_class("gmpkit-stepper-history")
        self.box = W.VBox([
            self.options_h,
            W.HBox([self.reset_b, self.back_b, self.next_b, self.start_b, self.on_p, self.on_b,
                    self.to_ms, self.to_b, self.predict_t]),
            self.guess_row, self.reason, self.error, self.diagram, self.history])
        self.box.add_class("gmpkit-stepper")
        self.reset_b.on_click(lambda _: self._do(st.reset))
        self.back_b.on_click(lambda _: self._do(st.back))
        self.next_b.on_click(lambda _: self._do(st.forward))
        self.start_b.on_click(lambda _: self._do(st.next_start))
        self.on_b.on_click(lambda _: self._do(st.next_on, self.on_p.value))
        self.to_b.on_click(lambda _: self._do(st.run_to, self.to_ms.value))
        self.reveal_b.on_click(lambda _: self._reveal())
        self.predict_t.observe(lambda _: self.redraw(), names="value")
        self.last_guess: Guess | None = None
        self.redraw()

    def _do(self, fn: Callable[..., Any], *args: Any) -> None:
        self.st.error = ""
        try:
            fn(*args)
        except Exception as e:  # shown in the widget: a learner must see what went wrong
            self.st.error = f"{type(e).__name__}: {e}"
            self.redraw()

    def _reveal(self) -> None:
        self.st.error = ""
        try:
            self.last_guess = self.st.predict(self.guess_g.value, self.guess_p.value,
                                              self.guess_place.value)
        except Exception as e:
            self.st.error = f"{type(e).__name__}: {e}"
        self.redraw()

    def redraw(self) -> None:
        from .widgets import _put_spec, show_error

        st = self.st
        predicting = self.predict_t.value
        self.guess_row.layout.display = None if predicting else "none"
        if predicting:
            opts = [(label, goid) for goid, label in st.candidates()]
            self.guess_g.options = opts
            if opts:
                self.guess_g.value = opts[0][1]
        pts, of = st.score
        g = self.last_guess
        verdict = ""
        if g is not None and predicting:
            verdict = (f"<span style='color:{'#15803d' if g.correct else '#b91c1c'}'>"
                       f"{html.escape(g.message().split('. Why:')[0])}</span> · ")
        self.score_h.value = f"{verdict}score <b>{pts}/{of}</b>" if of or verdict else ""
        self.reason.value = (
            "<div style='padding:4px 8px;border-left:4px solid #dc2626;background:#fef9c3'>"
            f"{html.escape(st.reason_text())}</div>")
        try:
            _put_spec(self.diagram, st.diagram_spec(), "GMP diagram")
        except Exception as e:  # pragma: no cover - shown, not raised
            st.error = st.error or f"drawing the diagram failed: {type(e).__name__}: {e}"
        rows = st.decisions[-HISTORY_ROWS:]
        items = "".join(
            f"<li style='{'font-weight:bold' if d is st.decision else 'color:#555'}'>"
            f"{html.escape(d.headline())} <code>[{html.escape(str(d.rule))}]</code></li>"
            for d in rows)
        more = f"<li style='color:#888'>… {st.position + 1 - len(rows)} earlier</li>" if (
            st.position + 1 > len(rows)) else ""
        self.history.value = (f"<details open><summary>decisions so far "
                              f"({st.position + 1})</summary><ul style='margin:0;"
                              f"list-style:none;padding-left:1em'>{more}{items}</ul></details>")
        self.back_b.disabled = st.position < 0
        self.next_b.disabled = st.done
        show_error(self.error, st.error)
