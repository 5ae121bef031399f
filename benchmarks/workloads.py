"""The four workloads, their sizes, how many operations each performs and the checksum it must give.

Every implementation runs the same programs (the code is in ``impl_*.py``, one file per
implementation, written in that implementation's own idiom). A run is valid only if its checksum
equals the one computed here from the parameters alone.

W1 spawn-join  main starts N goroutines; goroutine i stores i*i in slot i and ends; main waits
               (WaitGroup), then sums the slots.                          op = one spawn
W2 ping-pong   P pairs, each with two unbuffered channels. A sends v (starting at its pair index),
               B adds v to its total and replies v+1, A takes the reply as its next v; K round
               trips. Checksum: every A's final v plus every B's total.  op = one handoff (2 per trip)
W3 pipeline    source -> S relay stages (v+1) -> W workers (v*v) -> one shared fan-in channel
               -> sink. The source sends 0..M-1 and then W end markers (None), which each stage
               passes on and which stop one worker each. Checksum: the sink's sum.
                                                        op = one handoff; (S+2)*(M+W) in all
W4 parked      N goroutines each blocked receiving on its own unbuffered channel; memory per parked
               goroutine (its channel included) from RSS before and after, measured in a fresh
               process; then main sends i to goroutine i and waits for all. Checksum: sum of i.
                                                        op = one goroutine parked and released
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One workload at one size: what to call, with which arguments, and what it must return."""

    workload: str  # "W1" .. "W4"
    args: tuple[int, ...]
    label: str  # human-readable size, e.g. "N=100k"
    op: str = field(default="op")  # what one operation is, for the table header

    @property
    def ops(self) -> int:
        return count_ops(self.workload, self.args)

    @property
    def expected(self) -> int:
        return expected_checksum(self.workload, self.args)

    @property
    def key(self) -> str:
        return f"{self.workload} {self.label}"


def _k(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def w1(n: int) -> Case:
    return Case("W1", (n,), f"N={_k(n)}", "spawn")


def w2(p: int, k: int) -> Case:
    return Case("W2", (p, k), f"P={_k(p)} K={_k(k)}", "handoff")


def w3(s: int, m: int, w: int) -> Case:
    return Case("W3", (s, m, w), f"S={_k(s)} M={_k(m)} W={w}", "handoff")


def w4(n: int) -> Case:
    return Case("W4", (n,), f"N={_k(n)}", "goroutine")


FULL: list[Case] = [
    w1(10_000), w1(100_000), w1(1_000_000),
    w2(1, 200_000), w2(1_000, 200), w2(10_000, 20),
    w3(100, 2_000, 8), w3(1_000, 2_000, 8),
    w4(100_000), w4(1_000_000),
]

QUICK: list[Case] = [
    w1(1_000), w1(10_000),
    w2(1, 5_000), w2(100, 50), w2(1_000, 5),
    w3(10, 200, 4), w3(50, 100, 8),
    w4(10_000),
]


def count_ops(workload: str, args: tuple[int, ...]) -> int:
    if workload == "W1":
        (n,) = args
        return n
    if workload == "W2":
        p, k = args
        return 2 * p * k
    if workload == "W3":
        s, m, w = args
        return (s + 2) * (m + w)
    if workload == "W4":
        (n,) = args
        return n
    raise ValueError(workload)


def expected_checksum(workload: str, args: tuple[int, ...]) -> int:
    if workload == "W1":
        (n,) = args
        return sum(i * i for i in range(n))
    if workload == "W2":
        p, k = args
        # pair i: A ends with v = i + k; B received i, i+1, ..., i+k-1
        return sum((i + k) + (k * i + k * (k - 1) // 2) for i in range(p))
    if workload == "W3":
        s, m, _w = args
        return sum((i + s) ** 2 for i in range(m))
    if workload == "W4":
        (n,) = args
        return n * (n - 1) // 2
    raise ValueError(workload)
