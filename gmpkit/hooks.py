"""Observer hooks: how the scheduler tells the world what it decided (``Event``, ``Observer``).

Go's runtime reports its decisions to the execution tracer (``runtime/trace*.go``): a goroutine was
created, started on a P, blocked for a reason, was stolen, and so on. The model does the same
through observers. The scheduler builds an :class:`Event` and hands it to every attached observer
at each decision -- and only if one is attached: every call site is guarded by
``if self.observers``, so a run without observers pays nothing.

Observers only read. The standard one, ``gmpkit.trace.Recorder``, turns events into tables and
charts; it is attached from outside the core (by ``gk.run``, ``gk.Sim``, or by passing
``observers=[...]``), so the core never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


class Event:
    """One scheduler decision, as observers receive it. Ids, not objects, so it can be kept.

    ``kind`` is one of :data:`EVENT_KINDS`; ``t`` is the virtual time in ns; ``g``, ``m``, ``p``
    are the ids of the goroutine, thread and processor it concerns (None where none applies);
    ``reason``, ``source`` and ``extra`` carry what the kind's description says.
    """

    __slots__ = ("t", "kind", "g", "m", "p", "reason", "source", "extra")

    def __init__(self, t: int, kind: str, g: int | None, m: int | None, p: int | None,
                 reason: str | None, source: str | None, extra: Any):
        self.t = t
        self.kind = kind
        self.g = g
        self.m = m
        self.p = p
        self.reason = reason
        self.source = source
        self.extra = extra

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.t, self.kind, self.g, self.m, self.p, self.reason, self.source, self.extra)

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
        return "<" + " ".join(parts) + ">"


class Observer:
    """Base class for observers. ``attach`` is called once with the scheduler before the program
    starts (read its state there or in ``event``; never change it); ``event`` for every
    decision, in order, at the virtual time it happens."""

    def attach(self, sched: Sched) -> None:  # pragma: no cover - default does nothing
        pass

    def event(self, ev: Event) -> None:  # pragma: no cover - default does nothing
        pass
