"""sysmon, the runtime's monitor thread (``proc.go: sysmon``, ``retake``, ``preemptone``).

sysmon runs on its own M and never holds a P. It wakes on a schedule of its own and:

1. backs off: 20 us while it keeps finding work, doubling after 50 idle rounds up to 10 ms;
2. sleeps deeply (until the next timer, at most 60 s) when every P is idle, unless schedtrace is
   on; a goroutine entering a syscall, or leaving one onto an idle P, wakes it;
3. polls the network if nobody has for 10 ms;
4. ``retake``: preempts the goroutine of any P whose ``schedtick`` has not moved for 10 ms, and
   takes Ps away from threads blocked in system calls (``handoffp``);
5. prints the ``schedtrace`` line every X ms when ``GODEBUG=schedtrace=X``.

Because a preemption does not reset the back-off, a CPU-bound program drives sysmon to its 10 ms
period, and a goroutine is preempted on the *second* 10 ms observation: the effective time slice
is 10-20 ms (go-scheduler.md §7.4, §14 B7). The GOMAXPROCS auto-update (1 s) and the forced GC
(2 min) are not modelled: the model has no GC and its GOMAXPROCS is always set by the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import timers
from .dump import schedtrace_text
from .machine import NS_PER_MS
from .runtime2 import FORCE_PREEMPT_NS, GStatus, M, PStatus

if TYPE_CHECKING:  # type names only
    from .sched import Sched

SYSMON_MIN_DELAY_NS = 20_000  #: usleep(20): sysmon's shortest sleep
SYSMON_MAX_DELAY_NS = 10_000_000  #: it never sleeps longer than 10 ms while some P is busy
SYSMON_IDLE_ROUNDS = 50  #: idle rounds before the delay starts doubling
SYSMON_NETPOLL_NS = 10_000_000  #: poll the network if nobody has for this long
SYSMON_DEEP_SLEEP_MAX_NS = 60_000_000_000  #: forcegcperiod/2: longest deep sleep
SYSCALL_RETAKE_GRACE_NS = 10_000_000  #: a syscall P with nothing to do is left alone this long
#: sysmon's ``usleep(delay)`` lasts this much longer than asked: Linux's default timer slack for
#: a normal thread (``prctl(PR_SET_TIMERSLACK)``: 50 µs). Go cannot sleep shorter, so its first
#: 50 rounds take ~3.5 ms, not 1 ms, and its steady period is 10.05 ms: a CPU hog's second
#: observation, and its preemption, come 20.1 ms after its slice began (§14 B7, B8: 20.1).
USLEEP_SLACK_NS = 50_000


class Sysmon:
    """sysmon's state (``idle``, ``delay``, ``lasttrace``) and its loop as virtual-time events."""

    __slots__ = ("sched", "m", "idle", "delay", "deep_sleep", "evseq", "lasttrace",
                 "starttime")

    def __init__(self, sched: Sched):
        self.sched = sched
        self.m: M | None = None
        self.idle = 0
        self.delay = SYSMON_MIN_DELAY_NS
        self.deep_sleep = False  # sched.sysmonwait
        self.evseq = 0
        self.lasttrace = -1
        self.starttime = -1

    def start(self) -> None:
        """``newm(sysmon, nil)``: its own thread (M1), counted in ``nmsys``."""
        s = self.sched
        self.m = s.newm_struct(system=True)
        if s.observers:
            s.emit("MCreate", m=self.m, reason="sysmon", cause=("newm-sysmon",))
        self._sleep()

    def _sleep(self) -> None:
        """``usleep(delay)``: schedule the next tick, backing off after idle rounds."""
        if self.idle == 0:
            self.delay = SYSMON_MIN_DELAY_NS
        elif self.idle > SYSMON_IDLE_ROUNDS:
            self.delay *= 2
        if self.delay > SYSMON_MAX_DELAY_NS:
            self.delay = SYSMON_MAX_DELAY_NS
        s = self.sched
        self.evseq = s.at(s.now + self.delay + USLEEP_SLACK_NS, self._tick, None)

    def wake(self) -> None:
        """``sysmonwake``: end a deep sleep early (syscall entry, syscall exit onto an idle P)."""
        if self.deep_sleep:
            s = self.sched
            self.evseq = s.at(s.now, self._after_deep_sleep, True)

    def _tick(self, _: object, seq: int) -> None:
        """One wake-up of sysmon's loop: deep sleep if every P is idle, else do its work."""
        if seq != self.evseq:
            return
        s = self.sched
        if not s.godebug.schedtrace and s.npidle == s.gomaxprocs:
            nxt = timers.earliest(s.allp)
            if nxt == 0 or nxt > s.now:
                sleep = SYSMON_DEEP_SLEEP_MAX_NS
                if nxt and nxt - s.now < sleep:
                    sleep = nxt - s.now
                self.deep_sleep = True
                self.evseq = s.at(s.now + sleep, self._after_deep_sleep, False)
                return
        self._body()

    def _after_deep_sleep(self, woken: bool, seq: int) -> None:
        """Back from a deep sleep, at its end or ``woken`` early (which resets the back-off)."""
        if seq != self.evseq:
            return
        self.deep_sleep = False
        if woken:
            self.idle = 0
            self.delay = SYSMON_MIN_DELAY_NS
        self._body()

    def _body(self) -> None:
        """sysmon's work each round: poll the network if stale, retake, print schedtrace."""
        s = self.sched
        np = s.netpoll
        if np.waiters and np.blocked_m is None and np.lastpoll + SYSMON_NETPOLL_NS < s.now:
            np.lastpoll = s.now
            ready = np.poll(s.now)
            if ready:
                s.injectglist(ready, None)
        if self.retake(s.now):
            self.idle = 0
        else:
            self.idle += 1
        st = s.godebug.schedtrace
        if st > 0 and (self.lasttrace < 0 or self.lasttrace + st * NS_PER_MS <= s.now):
            self.lasttrace = s.now
            if self.starttime < 0:
                self.starttime = s.now
            text = schedtrace_text(s, (s.now - self.starttime) // NS_PER_MS,
                                   s.godebug.scheddetail)
            s.result.schedtrace_lines.append(text)
            s.result.stderr.append(text + "\n")
            if s.observers:
                s.emit("Schedtrace", extra=text, cause=("schedtrace",))
        if s.observers:
            s.emit("Sysmon", m=self.m, extra=self.delay, cause=("sysmon-tick", self.idle))
        self._sleep()

    def retake(self, now: int) -> int:
        """``retake``: preempt long-running Gs; take Ps from syscalls. Returns Ps taken."""
        s = self.sched
        n = 0
        for p in s.allp:
            if p.status != PStatus.RUNNING:
                continue
            sysretake = False
            t = p.schedtick
            if p.sysmon_schedtick != t:
                p.sysmon_schedtick = t
                p.sysmon_schedwhen = now
            elif p.sysmon_schedwhen + FORCE_PREEMPT_NS <= now:
                if s.sw_preemption:
                    s.preemptone(p)
                sysretake = True
            m = p.m
            if m is None or m.p is not p or m.curg is None or m.curg.status != GStatus.SYSCALL:
                continue
            t = p.syscalltick
            second = p.sysmon_syscalltick == t  # for observers: not taken on a first look
            if not sysretake and p.sysmon_syscalltick != t:
                p.sysmon_syscalltick = t
                p.sysmon_syscallwhen = now
                continue
            if (not p.runq and p.runnext is None and s.nmspinning + s.npidle > 0
                    and p.sysmon_syscallwhen + SYSCALL_RETAKE_GRACE_NS > now):
                continue
            if not s.sw_handoff:
                continue
            s.take_syscall_p(p)
            n += 1
            if s.observers:
                queued = len(p.runq) + (p.runnext is not None)
                rule = ("retake-work" if queued else
                        "retake-nobody" if s.nmspinning + s.npidle == 0 else "retake-grace")
                s.emit("Retake", m.curg, m, p, cause=(rule, p.sysmon_syscallwhen, second, queued))
            s.handoffp(p)
        return n
