"""Command line: run a built-in scenario in the simulator and print Go-format SCHED lines.

    python -m gmpkit                       # the default scenario, GOMAXPROCS=2, schedtrace every 1 ms
    python -m gmpkit cpu_bound -p 4 -n 16  # 16 CPU-bound goroutines on 4 Ps
    python -m gmpkit blocking_syscalls --no-handoff --detail
    python -m gmpkit cpu_bound --why       # every scheduling decision, with the rule behind it
    python -m gmpkit --list                # the scenarios
    python -m gmpkit problem --seed 7 [-c] # a seeded exercise about the scheduler (problems.py)

Like an OSTEP homework simulator, every option is echoed on the first line so any run can be
reproduced, and the same options always print the same lines.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import scenarios
from .errors import GoExit, SimulationLimit, UsageError
from .hooks import DECISION_KINDS, EVENT_KINDS, Event, Observer, decision_line
from .machine import SWITCHES


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m gmpkit",
        description="Run a built-in scenario in gmpkit's Go scheduler model and print what "
        "GODEBUG=schedtrace would print (SCHED lines in Go 1.27's format).",
    )
    ap.add_argument("scenario", nargs="?", default=scenarios.DEFAULT,
                    help=f"scenario name (default {scenarios.DEFAULT}); see --list")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("-p", "--gomaxprocs", type=int, default=2, help="number of Ps (default 2)")
    ap.add_argument("-n", "--goroutines", type=int, default=None,
                    help="goroutines the scenario starts (default: the scenario's own)")
    ap.add_argument("-s", "--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-t", "--schedtrace", type=int, default=1, metavar="MS",
                    help="print a SCHED line every MS ms of virtual time (default 1)")
    ap.add_argument("--detail", action="store_true", help="scheddetail=1: per P, M and G lines")
    ap.add_argument("--asyncpreemptoff", action="store_true",
                    help="GODEBUG=asyncpreemptoff=1: call-free loops cannot be preempted")
    ap.add_argument("--until-ms", type=float, default=60_000,
                    help="virtual-time limit in ms (default 60000)")
    ap.add_argument("--summary", action="store_true",
                    help="after the SCHED lines, print the program's output and a summary")
    ap.add_argument("--why", action="store_true",
                    help="instead of the SCHED lines, print every scheduling decision with the "
                    "rule of proc.go behind it (hooks.RULES) and why it fired")
    ap.add_argument("--kinds", default="", metavar="K1,K2",
                    help="with --why: only these event kinds (e.g. GoStart,Steal; default: "
                    "every decision, sysmon's ticks left out)")
    for name in SWITCHES:
        ap.add_argument(f"--no-{name.replace('_', '-')}", dest=f"sw_{name}", action="store_false",
                        help=f"turn off {name.replace('_', ' ')}")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # e.g. `python -m gmpkit | head`: stop quietly like Unix tools
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


class WhyPrinter(Observer):
    """Prints each decision as it happens: time, kind, G/M/P, ``[rule]`` and the sentence."""

    def __init__(self, kinds: frozenset[str], out=None) -> None:
        self.kinds = kinds
        self.out = out if out is not None else sys.stdout

    def event(self, ev: Event) -> None:
        if ev.kind in self.kinds:
            print(decision_line(ev), file=self.out)


def _kinds(spec: str) -> frozenset[str]:
    if not spec:
        return DECISION_KINDS
    kinds = frozenset(k.strip() for k in spec.split(",") if k.strip())
    unknown = sorted(kinds - set(EVENT_KINDS))
    if unknown:
        raise UsageError(f"unknown event kind(s) {', '.join(unknown)} in --kinds; choose from "
                         f"{', '.join(EVENT_KINDS)}")
    return kinds


def _main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["problem"]:
        from . import problems

        return problems.cli(argv[1:])
    args = build_parser().parse_args(argv)
    if args.list:
        print(scenarios.describe())
        return 0
    if args.scenario not in scenarios.names():
        print(f"unknown scenario {args.scenario!r}; choose one of: "
              f"{', '.join(scenarios.names())}", file=sys.stderr)
        return 2
    params = {"seed": args.seed}
    if args.goroutines is not None:
        params["n"] = args.goroutines
    godebug = f"schedtrace={args.schedtrace}" + (",scheddetail=1" if args.detail else "")
    if args.asyncpreemptoff:
        godebug += ",asyncpreemptoff=1"
    switches = {name: getattr(args, f"sw_{name}") for name in SWITCHES}
    off = [f"--no-{k.replace('_', '-')}" for k, v in switches.items() if not v]
    why = ""
    if args.why:
        why = " --why" + (f" --kinds {args.kinds}" if args.kinds else "")
        try:
            kinds = _kinds(args.kinds)
        except UsageError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    print(f"# gmpkit: scenario={args.scenario} gomaxprocs={args.gomaxprocs} "
          f"goroutines={args.goroutines if args.goroutines is not None else 'default'} "
          f"seed={args.seed} godebug={godebug}" + (" " + " ".join(off) if off else "") + why)
    try:
        observers = [WhyPrinter(kinds)] if args.why else []
        sc = scenarios.get(args.scenario, **params)
        trace = sc.run(gomaxprocs=args.gomaxprocs, godebug=godebug, record=False, check=False,
                       until_ms=args.until_ms, observers=observers, **switches)
    except (UsageError, TypeError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SimulationLimit as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    if not args.why:
        for line in trace.schedtrace_lines:
            print(line)
    if args.summary or trace.exit_code:
        if trace.stdout:
            print(trace.stdout, end="")
        err = trace.stderr.split("\n")
        tail = [ln for ln in err if ln and not ln.startswith(("SCHED", "  "))]
        if tail:
            print("\n".join(tail), file=sys.stderr)
        print(f"# exit status {trace.exit_code} after {trace.now_ns / 1e6:.3f} ms of virtual "
              f"time, {len(trace.sched.allm)} threads, {trace.steps} scheduler events")
    return trace.exit_code


if __name__ == "__main__":  # pragma: no cover
    try:
        sys.exit(main())
    except GoExit as e:  # pragma: no cover - check=False above
        sys.exit(e.exit_code)
