"""Observer hooks: how the scheduler tells the world what it decided (``Event``, ``Observer``).

Go's runtime reports its decisions to the execution tracer (``runtime/trace*.go``): a goroutine was
created, started on a P, blocked for a reason, was stolen, and so on. The model does the same
through observers. The scheduler builds an :class:`Event` and hands it to every attached observer
at each decision -- and only if one is attached: every call site is guarded by
``if self.observers``, so a run without observers pays nothing.

Each event also says *why*: ``Event.rule`` is the code of the rule of ``proc.go`` that produced
the decision (:data:`RULES`: which step of ``findRunnable`` found the goroutine, which ``handoffp``
rule fired, why sysmon preempted or retook, why a thread started, spun or parked) and
``Event.args`` its arguments; ``Event.why`` turns both into a sentence.

Observers only read. The standard one, ``gmpkit.trace.Recorder``, turns events into tables and
charts; it is attached from outside the core (by ``gk.run``, ``gk.Sim``, or by passing
``observers=[...]``), so the core never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._mypyc import mypyc_attr

if TYPE_CHECKING:  # type names only; the scheduler is never imported at run time from here
    from .sched import Sched

#: Every event kind the scheduler emits, with what its fields mean (g/m/p: to whom it happened).
EVENT_KINDS = {
    "GoCreate": "a goroutine was created (extra = the creating goroutine's id)",
    "GoStart": "a goroutine started running on P (source: runnext, local, global, global-61, "
               "steal:Pk, netpoll, exitsyscall)",
    "GoBlock": "the goroutine parked (reason = wait reason)",
    "GoUnblock": "a parked goroutine was made runnable (source = where it was queued: runnext, "
                 "local; extra = the waker's id)",
    "GoSched": "the goroutine called Gosched (to the global queue)",
    "GoPreempt": "the goroutine was preempted (to the global queue)",
    "GoEnd": "the goroutine returned",
    "GoSysCall": "the goroutine entered a blocking system call (its M blocks with it)",
    "GoSysExit": "the goroutine left its system call (reason: fast, oldp, idlep, global)",
    "PreemptRequest": "sysmon asked the goroutine running on P to stop",
    "Steal": "P stole from another P (source: runq or runnext; extra = (victim, n))",
    "RunqOverflow": "P's full local queue spilled to the global queue (extra = n moved)",
    "Retake": "sysmon took P from an M blocked in a system call",
    "Handoff": "handoffp decided what to do with P (reason = the rule that fired: work, spin, "
               "last, idle)",
    "PAcquire": "M acquired P",
    "PRelease": "P went to the idle list",
    "MCreate": "a new thread (reason: why it was started)",
    "MWake": "an idle thread was woken (reason: why)",
    "MSpin": "a thread started spinning (looking for work)",
    "MSpinStop": "a spinning thread stopped spinning",
    "MIdle": "a thread parked on the idle list",
    "MNetpoll": "a thread blocked in the network poller (extra = its deadline, 0: none)",
    "TimerFire": "a sleeper's timer fired and readied it onto P",
    "NetpollReady": "the poller made a goroutine runnable (source: global or local)",
    "GOMAXPROCS": "GOMAXPROCS changed (extra = (old, new))",
    "Sysmon": "sysmon woke up (extra = its next delay in ns)",
    "Schedtrace": "sysmon printed a schedtrace block (extra = the text)",
    "Exit": "the program ended (extra = exit code; reason: panic or fatal on failure)",
}


@mypyc_attr(allow_interpreted_subclasses=True)  # the stepper's Decision extends it
class Event:
    """One scheduler decision, as observers receive it. Ids, not objects, so it can be kept.

    ``kind`` is one of :data:`EVENT_KINDS`; ``t`` is the virtual time in ns; ``g``, ``m``, ``p``
    are the ids of the goroutine, thread and processor it concerns (None where none applies);
    ``reason``, ``source`` and ``extra`` carry what the kind's description says.

    ``cause`` says *why* the decision was taken: the code of the rule of ``proc.go`` that
    produced it (a key of :data:`RULES`), then that rule's arguments, named by
    ``RULES[code].params``. For a goroutine stolen from P0, ``cause == ("steal", 0, 4, 7, 1)``:
    4 of P0's 7 queued goroutines, in round 1. :attr:`rule` and :attr:`args` are its two parts,
    :attr:`why` the same as a sentence a learner reads.
    """

    __slots__ = ("t", "kind", "g", "m", "p", "reason", "source", "extra", "cause")

    def __init__(self, t: int, kind: str, g: int | None, m: int | None, p: int | None,
                 reason: str | None, source: str | None, extra: Any,
                 cause: tuple[Any, ...] = (None,)):
        self.t = t
        self.kind = kind
        self.g = g
        self.m = m
        self.p = p
        self.reason = reason
        self.source = source
        self.extra = extra
        self.cause = cause

    @property
    def rule(self) -> str | None:
        """The code of the rule behind the decision (a key of :data:`RULES`)."""
        return self.cause[0]

    @property
    def args(self) -> tuple[Any, ...]:
        """The rule's arguments, in the order of ``RULES[rule].params``."""
        return self.cause[1:]

    @property
    def why(self) -> str:
        """The rule that produced this decision, as a sentence (:func:`why_text`)."""
        return why_text(self.kind, self.g, self.m, self.p, self.reason, self.cause, self.t)

    def rule_args(self) -> dict[str, Any]:
        """The rule's arguments by name (``RULES[rule].params``); empty without a rule."""
        r = RULES.get(self.rule) if self.rule is not None else None
        return dict(zip(r.params, self.args)) if r is not None else {}

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.t, self.kind, self.g, self.m, self.p, self.reason, self.source, self.extra,
                self.cause)

    def __repr__(self) -> str:
        parts = [f"{self.t}ns {self.kind}"]
        for k in ("g", "m", "p"):
            v = getattr(self, k)
            if v is not None:
                parts.append(f"{k.upper()}{v}")
        for k in ("reason", "source", "extra"):
            v = getattr(self, k)
            if v is not None:
                parts.append(f"{k}={v!r}")
        if self.rule is not None:
            parts.append(f"cause={self.cause!r}")
        return "<" + " ".join(parts) + ">"


@mypyc_attr(allow_interpreted_subclasses=True)  # observers are Python classes extending it
class Observer:
    """Base class for observers. ``attach`` is called once with the scheduler before the program
    starts (read its state there or in ``event``; never change it); ``event`` for every
    decision, in order, at the virtual time it happens."""

    def attach(self, sched: Sched) -> None:  # pragma: no cover - default does nothing
        pass

    def event(self, ev: Event) -> None:  # pragma: no cover - default does nothing
        pass


# ---------------------------------------------------------------------------------------------
# Why: the rule behind each decision
# ---------------------------------------------------------------------------------------------
#
# Every event the scheduler emits names the rule of proc.go that produced it (``Event.rule``)
# with that rule's arguments (``Event.args``). A program matches the code; a learner reads the
# sentence :func:`why_text` makes from it. The sentence is built only when asked for (a table,
# the command line's ``--why``, the stepper), so a run with observers pays for two more fields
# per event, and a run without observers for nothing.
#
# Parameter names say how a value is shown: ``*_g`` is a goroutine id (G7), ``*_p`` a P id (P1),
# ``*_m`` an M id (M2), ``*_at`` a virtual time (shown in ms), ``*_ns`` a duration.


class Rule:
    """One rule: its ``code``, the event ``kinds`` it explains, the Go function (or step of
    ``findRunnable``, numbered as in go-scheduler.md §5.2) it mirrors, its ``params`` (the names
    of ``Event.args``) and the sentence ``text`` (a ``str.format`` template over the event's
    ``g``, ``m``, ``p``, ``reason``, ``t`` and the params, or a function of that mapping)."""

    __slots__ = ("code", "kinds", "go", "params", "text")

    def __init__(self, code: str, kinds: str, go: str, params: tuple[str, ...],
                 text: str | Callable[[dict[str, Any]], str]):
        self.code = code
        self.kinds = tuple(kinds.split())
        self.go = go
        self.params = params
        self.text = text

    def __repr__(self) -> str:
        return f"<Rule {self.code} ({'/'.join(self.kinds)}): {self.go}>"


#: Every rule code, with its Go function, parameters and sentence.
RULES: dict[str, Rule] = {}


def _rule(code: str, kinds: str, go: str, params: tuple[str, ...],
          text: str | Callable[[dict[str, Any]], str]) -> None:
    assert code not in RULES, code
    RULES[code] = Rule(code, kinds, go, params, text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# --- where the goroutine that starts came from (GoStart; findRunnable's steps) ---------------

_rule("runnext", "GoStart", "findRunnable step 6: runqget (runnext)", (),
      "{g} was in {p}'s runnext slot, which findRunnable takes before the local queue; it "
      "inherits the current time slice ({p}'s schedtick does not move)")
_rule("timer", "GoStart", "findRunnable step 2: timers.check, then runqget", (),
      "{g}'s timer was due: findRunnable ran {p}'s expired timers first, the timer readied "
      "{g} into {p}'s runnext, and it runs now, inheriting the time slice")
_rule("global-61", "GoStart", "findRunnable step 4: schedtick % 61 == 0, globrunqget",
      ("check_tick", "queued"),
      "{p}'s schedtick was {check_tick}, a multiple of 61: the fairness check takes one "
      "goroutine from the head of the global queue ({queued} waiting) before looking at {p}'s "
      "own queues, so goroutines there cannot starve")
_rule("local", "GoStart", "findRunnable step 6: runqget (local queue)", (),
      "{p}'s runnext was empty, so {g} came from the head of {p}'s local queue (oldest first); "
      "it starts a fresh time slice ({p}'s schedtick moves on)")
_rule("global", "GoStart", "findRunnable step 7: globrunqgetbatch", ("n", "left"),
      lambda c: (f"{c['p']}'s runnext and local queue were empty: findRunnable took a batch of "
                 f"{c['n']} of the {c['n'] + c['left']} goroutines in the global queue (a batch "
                 f"is min(128, queued, queued/GOMAXPROCS + 1)); {c['g']} runs"
                 + (f" and the other {c['n'] - 1} go to {c['p']}'s local queue"
                    if c['n'] > 1 else "")))
_rule("global-recheck", "GoStart", "findRunnable step 11: globrunqgetbatch before dropping the P",
      ("n", "left"),
      lambda c: (f"{c['m']} found nothing and was about to give up {c['p']}, but its last look "
                 f"at the global queue found {c['n'] + c['left']} waiting: it took a batch of "
                 f"{c['n']} and runs {c['g']}"))
_rule("netpoll", "GoStart", "findRunnable step 8: netpoll(0), injectglist", ("ready",),
      lambda c: (f"nothing in {c['p']}'s queues or the global queue: a non-blocking poll of the "
                 f"network found {_plural(c['ready'], 'goroutine')} whose I/O is ready; "
                 f"{c['g']} runs" + (", injectglist queues the rest" if c['ready'] > 1 else "")))
_rule("netpoll-wake", "GoStart", "findRunnable step 13: netpoll(delay) returned",
      ("ready",),
      "{m} was blocked in the network poller; I/O became ready, it took idle {p} and runs the "
      "first ready goroutine, {g}")
_rule("steal", "GoStart", "findRunnable step 9: stealWork, runqsteal",
      ("victim_p", "n", "had", "round"),
      lambda c: (f"{c['m']} found nothing in {c['p']}'s queues, the global queue or the "
                 f"netpoller, so it spun and stole: in round {c['round']} of 4 it took "
                 f"{c['n']} of the {c['had']} goroutines in {c['victim']}'s local queue (half, "
                 f"rounded up, from the head) and runs the last one taken, {c['g']}"))
_rule("steal-runnext", "GoStart", "findRunnable step 9: stealWork, runqsteal (runnext)",
      ("victim_p", "round"),
      "{m} found every local queue empty; in the last round of stealing (round 4, the only one "
      "that may) it took {g} from {victim}'s runnext slot")
_rule("steal-timer", "GoStart", "findRunnable step 9: stealWork, timers.check of the victim",
      ("victim_p",),
      "{m} was stealing; in the last round it ran {victim}'s expired timers on {p}, which readied "
      "{g} here, and it runs it")

# --- goroutines made runnable, blocked, stopped ------------------------------------------------

def _queued(c: dict[str, Any]) -> str:
    """Where runqput(next=true) put the goroutine, and what it pushed out of runnext."""
    if not c["runnext"]:
        return f"it goes to the tail of {c['p']}'s local queue, not runnext"
    if c["raw_kicked_g"] is None:
        return f"it goes into {c['p']}'s runnext slot, which was empty"
    return (f"it goes into {c['p']}'s runnext slot, and the previous occupant, {c['kicked']}, "
            f"moves to the tail of {c['p']}'s local queue")


_rule("newproc", "GoCreate", "newproc: runqput(next=true)", ("parent_g", "kicked_g", "runnext"),
      lambda c: f"the go statement in {c['parent']} created {c['g']}: {_queued(c)}")
_rule("goready", "GoUnblock", "goready: runqput(next=true), wakep",
      ("waker_g", "waited", "kicked_g", "runnext"),
      lambda c: (f"{c['waker']} readied {c['g']}, which was waiting ({c['waited']}); the waker's "
                 f"P is {c['p']}: {_queued(c)}; the waker runs on"))
_rule("gopark", "GoBlock", "gopark", ("until_at",),
      lambda c: (f"{c['g']} sleeps until {c['until']}: its timer goes into {c['p']}'s timer heap,"
                 f" and {c['m']} schedules the next goroutine; when the timer is due, whichever M "
                 f"runs {c['p']}'s timers readies {c['g']}" if c["raw_until_at"] is not None else
                 f"{c['g']} blocked ({c['reason']}): gopark takes it off {c['m']}, which keeps "
                 f"{c['p']} and schedules the next goroutine; whoever completes the operation "
                 f"will ready {c['g']}"))
_rule("gosched", "GoSched", "goschedImpl: globrunqput", (),
      "{g} called runtime.Gosched: it goes to the tail of the global queue (not {p}'s local "
      "queue), and {m} schedules again")
_rule("gopreempt", "GoPreempt", "gopreempt_m: goschedImpl(preempted), globrunqput", (),
      "sysmon's preemption request reached {g} at its next safe point: it goes to the tail of "
      "the global queue, and {m} schedules again")
_rule("goexit", "GoEnd", "goexit0: gdestroy, gfput", (),
      "{g} returned: goexit0 marks it dead and keeps its G for reuse on {p}'s free list; {m} "
      "schedules again")
_rule("runqputslow", "RunqOverflow", "runqputslow", ("moved", "last_g"),
      "{p}'s local queue was full (256): runqputslow moved its oldest 128 and {last} to the "
      "tail of the global queue, {moved} in one batch")
_rule("runqsteal", "Steal", "runqsteal, runqgrab", ("victim_p", "n", "had", "round"),
      "{p} stole {n} of the {had} goroutines in {victim}'s local queue (half, rounded up, from "
      "its head) in round {round} of 4; it will run the last one taken")
_rule("runqsteal-runnext", "Steal", "runqgrab (runnext, last round only)", ("victim_p", "round"),
      "{victim}'s local queue was empty; in round {round}, the last, stealing may take runnext: "
      "{p} took the goroutine in {victim}'s runnext slot")
_rule("timer-fire", "TimerFire", "timers.check: goroutineReady", ("when_at", "heap_p"),
      lambda c: (f"{c['g']}'s timer (due {c['when']}) fired: "
                 + (f"{c['p']}'s M ran {c['p']}'s expired timers"
                    if c['heap'] == c['p'] else
                    f"{c['p']}'s M ran {c['heap']}'s expired timers (stealing, or on waking from "
                    "the poller)")
                 + f", and goready puts {c['g']} in {c['p']}'s runnext slot"))
_rule("injectglist-global", "NetpollReady", "injectglist (no P)", (),
      "{g}'s network I/O is ready; the poller that found it holds no P (sysmon, or a thread "
      "back from the poller without one), so injectglist puts it on the global queue and starts "
      "Ms on idle Ps")
_rule("injectglist-local", "NetpollReady", "injectglist (with a P)", (),
      "{g}'s network I/O is ready; the thread that polled holds a P: injectglist gives one "
      "goroutine to each idle P (through the global queue) and queues the rest locally, never "
      "in runnext")

# --- system calls ------------------------------------------------------------------------------

_rule("entersyscall", "GoSysCall", "entersyscall", (),
      "{g} entered a blocking system call: {m} blocks in the kernel with it and keeps {p} "
      "(still running, no syscall state); only sysmon can take {p} away (retake)")
_rule("exitsyscall-fast", "GoSysExit", "exitsyscall fast path", (),
      "{g} is back from its system call and nobody took {p} meanwhile: it runs on at once")
_rule("exitsyscall-oldp", "GoSysExit", "exitsyscallTryGetP: old P from a syscall M", (),
      "{g} is back; its P {p} had been retaken, but the M now holding it is itself in a system "
      "call, so {g} took {p} back")
_rule("exitsyscall-idlep", "GoSysExit", "exitsyscallTryGetP: pidleget", (),
      "{g} is back; sysmon had taken its P while it was in the kernel, so it took {p}, which "
      "was idle, and runs on")
_rule("exitsyscall-global", "GoSysExit", "exitsyscallNoP: globrunqput, stopm", (),
      "{g} is back but its P was taken and no P is idle: it goes to the tail of the global "
      "queue and {m} parks")

# --- sysmon ------------------------------------------------------------------------------------

_rule("preempt", "PreemptRequest", "retake: preemptone", ("since_at", "tick", "signal"),
      lambda c: (f"sysmon saw {c['p']}'s schedtick move to {c['tick']} at {c['since']}; "
                 f"now, {c['held']} later (≥ 10 ms, a second observation), it has not moved: "
                 f"{c['g']} has held {c['p']} for a whole time slice, so preemptone asks it to "
                 "stop" + (" (asynchronous preemption: a signal stops it at once)"
                           if c['signal'] else
                           " (asyncpreemptoff=1: it stops at its next call or gmpkit operation)")))
def _seen(c: dict[str, Any]) -> str:
    if c["second"] and not c["raw_since_at"]:
        # sysmontick starts at zero, like p.syscalltick: a P's first syscall looks "seen before".
        return (f"sysmon has never recorded a system call on {c['p']} (its record still says "
                f"syscalltick 0, as at start-up), so its first look at {c['g']}'s system call "
                "counts as the second")
    if c["second"]:
        return (f"sysmon saw {c['g']}'s system call on {c['p']} a second time (syscalltick "
                f"unchanged since it first saw it at {c['since']})")
    return (f"{c['p']}'s schedtick has not moved for 10 ms while {c['g']} is in a system call, "
            "so sysmon does not wait for a second look")


_rule("retake-work", "Retake", "retake: second observation, local work",
      ("since_at", "second", "queued"),
      lambda c: (f"{_seen(c)}, and {c['p']} has {_plural(c['queued'], 'goroutine')} waiting "
                 f"to run: sysmon takes {c['p']} from {c['m']} and hands it off"))
_rule("retake-nobody", "Retake", "retake: second observation, nobody spinning or idle",
      ("since_at", "second", "queued"),
      lambda c: (f"{_seen(c)}; {c['p']} has nothing queued, but no M is spinning and no P is "
                 f"idle, so nobody would notice new work: sysmon takes {c['p']} and hands it "
                 "off"))
_rule("retake-grace", "Retake", "retake: 10 ms grace ran out", ("since_at", "second", "queued"),
      lambda c: (f"{c['g']} has been in its system call on {c['p']} since sysmon first saw it "
                 f"at {c['since']}; with nothing queued and other Ms or Ps free, sysmon leaves "
                 f"such a P alone for up to 10 ms, and that grace has run out: it takes "
                 f"{c['p']}"))
_rule("sysmon-tick", "Sysmon", "sysmon loop", ("idle",),
      lambda c: (f"sysmon woke ({_plural(c['idle'], 'round')} in a row without retaking a P "
                 "from a syscall): it sleeps 20 µs while it keeps finding syscalls to retake, "
                 "doubling after 50 idle rounds up to 10 ms"))
_rule("schedtrace", "Schedtrace", "schedtrace", (),
      "GODEBUG=schedtrace=X: sysmon prints a SCHED line when X ms have passed since the last")

# --- P handoff and ownership -------------------------------------------------------------------

_HANDOFF = ("local", "runnext_g", "global")  # what work the P had (all four rules)
_rule("handoff-work", "Handoff", "handoffp rule 1: local or global work", _HANDOFF,
      lambda c: (f"{c['p']}, taken from a system call, has work ({c['local']} in its local "
                 f"queue, runnext {c['runnext'] if c['raw_runnext_g'] is not None else 'empty'}, "
                 f"{c['global']} in the global queue): handoffp starts an M to run it"))
_rule("handoff-spin", "Handoff", "handoffp rule 3: no spinning M and no idle P", _HANDOFF,
      "{p} has no work, but no M is spinning and no P is idle, so nobody would look for new "
      "work: handoffp starts a spinning M on {p}")
_rule("handoff-last", "Handoff", "handoffp rule 6: the last running P", _HANDOFF,
      "{p} has no work, but every other P is idle and no M waits in the netpoller: handoffp "
      "keeps an M running on this last P so someone still polls the network and timers")
_rule("handoff-idle", "Handoff", "handoffp rule 7: pidleput", _HANDOFF,
      "{p} has no work and others can pick up new work: handoffp puts it on the idle P list")
_rule("acquirep-start", "PAcquire", "mstart1 / stopm: acquirep(nextp)", (),
      "{m}, started or woken for {p}, acquires it and schedules")
_rule("acquirep-exitsyscall", "PAcquire", "exitsyscall: acquirep", (),
      "{m}'s goroutine is back from a system call without its P: {m} acquires {p}")
_rule("acquirep-procresize", "PAcquire", "procresize: acquirep", (),
      "procresize: the current thread {m} takes {p} (it had no P, or its P no longer exists)")
_rule("acquirep-netpoll", "PAcquire", "findRunnable step 13: pidleget after netpoll", (),
      "{m} woke from the network poller and acquires idle {p}")
_rule("acquirep-recheck", "PAcquire", "findRunnable step 12: recheck after dropping the P", (),
      "{m} had given up its P and stopped spinning, but a last check found work: it takes idle "
      "{p} again and resumes the search")
_rule("pidleput", "PRelease", "findRunnable step 11 / handoffp rule 7: pidleput", ("by_m",),
      lambda c: (f"{c['by']} found nothing to run (timers, its local queue, the global queue, "
                 f"the netpoller, stealing): it gives {c['p']} back to the idle P list"
                 if c["raw_by_m"] is not None else
                 f"handoffp found nothing for {c['p']} to do: it goes on the idle P list"))

# --- threads -----------------------------------------------------------------------------------

_WAKEP_CALLERS = {
    "newproc": "a go statement made a goroutine runnable",
    "goready": "a goroutine was woken (goready)",
    "gosched": "Gosched put a goroutine on the global queue",
    "resetspinning": "a spinning M found work and hands the search on (resetspinning)",
    "timer": "a timer became a P's earliest (wakeNetPoller)",
    "injectglist": "injectglist queued goroutines",
    "starttheworld": "the world restarted (startTheWorld)",
}


def _m_how(c: dict[str, Any]) -> str:
    if c["kind"] == "MCreate":
        return f"no idle thread to wake, so a new one, {c['m']}, is created"
    return f"the idle thread {c['m']} is woken"


def _startm(c: dict[str, Any]) -> str:
    why = c["reason"]
    if why == "wakep":
        return (f"{_WAKEP_CALLERS.get(c['caller'], c['caller'])}, no M was spinning and "
                f"{c['p']} was idle, so wakep starts one spinning M to look for work: {_m_how(c)}")
    if why.startswith("handoff:"):
        return f"handoffp ({why.split(':', 1)[1]}) needs an M for {c['p']}: {_m_how(c)}"
    if why == "injectglist":
        return (f"the poller readied goroutines while {c['p']} was idle: injectglist starts an "
                f"M for it: {_m_how(c)}")
    return f"the world restarts and {c['p']} has goroutines queued, so it needs an M: {_m_how(c)}"


# ``reason`` is why startm was called: wakep, handoff:<rule>, injectglist or starttheworld;
# ``caller``, for wakep, what made work runnable (newproc, goready, gosched, ...).
_rule("startm", "MCreate MWake", "startm (from wakep, handoffp, injectglist, startTheWorld)",
      ("caller",), _startm)
_rule("newm-sysmon", "MCreate", "runtime.main: newm(sysmon)", (),
      "runtime.main starts sysmon on a thread of its own, {m}; it never holds a P")
_rule("spin-start", "MSpin", "startm(spinning)", ("caller",),
      lambda c: (f"{c['m']} starts spinning on {c['p']}, looking for work to run or steal "
                 f"(started so by {'handoffp' if c['caller'].startswith('handoff') else 'wakep'})"))
_rule("spin-steal", "MSpin", "findRunnable step 9: become spinning", ("nmspinning", "busy"),
      lambda c: (f"{c['m']} found nothing in {c['p']}'s queues, the global queue or the "
                 f"netpoller; the Ms already spinning ({c['nmspinning']}) are fewer than half "
                 f"of the busy Ps ({c['busy']}), so it spins to steal"))
_rule("spin-found", "MSpinStop", "resetspinning", (),
      "{m} found work: it stops spinning, and wakep starts another spinner if a P is still idle, "
      "so threads come up one at a time while each finds work")
_rule("spin-none", "MSpinStop", "findRunnable step 12: drop spinning", (),
      "{m} found nothing in 4 rounds of stealing: it stops spinning before it parks")
_rule("stopm-idle", "MIdle", "findRunnable step 14: stopm", (),
      "{m} found nothing to run anywhere and has given its P back: it parks on the idle M list "
      "until startm gives it a P")
_rule("stopm-exitsyscall", "MIdle", "exitsyscallNoP: stopm", (),
      "{m}'s goroutine went to the global queue (no P was free after its system call), so {m} "
      "parks on the idle M list")
_rule("stopm-stw", "MIdle", "stopTheWorldWithSema: stopm", (),
      "the world stops (runtime.GOMAXPROCS): {m} gives up its P and parks")
_rule("stopm-netpoll", "MIdle", "findRunnable step 13: no idle P after netpoll", (),
      "{m} woke from the network poller but no P was idle: it puts the ready goroutines on the "
      "global queue and parks")
_rule("netpoll-block", "MNetpoll", "findRunnable step 13: netpoll(delay)", ("until_at",
                                                                              "waiters"),
      lambda c: (f"nothing to run anywhere: {c['m']} gave up its P and blocks in the network "
                 f"poller until I/O is ready ({_plural(c['waiters'], 'goroutine')} in IO wait)"
                 + (f" or the next timer at {c['until']}" if c['raw_until_at'] else "")))

# --- the program as a whole --------------------------------------------------------------------

_rule("gomaxprocs", "GOMAXPROCS", "GOMAXPROCS: stopTheWorld, procresize, startTheWorld",
      ("old", "new"),
      "{g} called runtime.GOMAXPROCS({new}): the world stops, procresize makes {new} Ps (was "
      "{old}), and the world starts again")
_rule("exit", "Exit", "runtime.main: exit", ("code",),
      "main.main returned: the program exits with status {code}; no other goroutine runs on")
_rule("panic", "Exit", "fatalpanic", (),
      "an unrecovered panic in {g} ends the program (exit status 2)")
_rule("fatal", "Exit", "fatal / throw", (),
      "a fatal error (deadlock, thread exhaustion) ends the program (exit status 2)")

#: The events that are scheduling decisions a learner steps through (the rest are sysmon's
#: ticks and its schedtrace printing).
DECISION_KINDS = frozenset(k for k in EVENT_KINDS if k not in ("Sysmon", "Schedtrace"))


def decision_line(ev: Event) -> str:
    """One decision on one line: ``    0.057 ms  GoStart   G9 M2 P1   [steal] M2 found ...``
    (the command line's ``--why``, a problem's decision chain)."""
    who = " ".join(f"{k.upper()}{v}" if v is not None else " " * (len(k) + 1)
                   for k, v in (("g", ev.g), ("m", ev.m), ("p", ev.p)))
    return f"{ev.t / 1e6:9.3f} ms  {ev.kind:<14} {who:<14} [{ev.rule}] {ev.why}"


def _ms(ns: int) -> str:
    return f"{ns / 1e6:.3f} ms"


def why_text(kind: str, g: int | None, m: int | None, p: int | None, reason: str | None,
             cause: tuple[Any, ...], t: int = 0) -> str:
    """The sentence for a decision: its rule's text (``RULES[cause[0]]``) filled in with the
    event's fields and the rule's arguments (``cause[1:]``). An event without a rule gets its
    kind's description."""
    rule, args = (cause[0], cause[1:]) if cause else (None, ())
    r = RULES.get(rule) if rule is not None else None
    if r is None:
        return EVENT_KINDS.get(kind, kind)
    c: dict[str, Any] = {
        "kind": kind, "g": f"G{g}" if g is not None else "a goroutine",
        "m": f"M{m}" if m is not None else "an M", "p": f"P{p}" if p is not None else "a P",
        "reason": reason or "", "t": _ms(t),
    }
    for name, value in zip(r.params, args):
        c["raw_" + name] = value
        base, _, suffix = name.rpartition("_")
        if suffix == "g":
            c[base] = f"G{value}" if value is not None else "a timer"
        elif suffix in ("p", "m"):
            c[base] = f"{suffix.upper()}{value}" if value is not None else "nobody"
        elif suffix == "at":
            c[base] = _ms(value) if value is not None else "never"
        elif suffix == "ns":
            c[base] = _ms(value)
        else:
            c[name] = value
    if "raw_since_at" in c:
        c["held"] = _ms(t - c["raw_since_at"])
    text = r.text
    return text(c) if callable(text) else text.format_map(c)
