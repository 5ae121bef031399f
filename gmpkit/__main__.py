"""Command line: run a built-in scenario in the simulator and print Go-format SCHED lines.

    python -m gmpkit                       # the default scenario, GOMAXPROCS=2, schedtrace every 1 ms
    python -m gmpkit cpu_bound -p 4 -n 16  # 16 CPU-bound goroutines on 4 Ps
    python -m gmpkit blocking_syscalls --no-handoff --detail
    python -m gmpkit --list                # the scenarios

Like an OSTEP homework simulator, every option is echoed on the first line so any run can be
reproduced, and the same options always print the same lines.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import scenarios
from .errors import GoExit, SimulationLimit, UsageError
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


def _main(argv: Sequence[str] | None = None) -> int:
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
    print(f"# gmpkit: scenario={args.scenario} gomaxprocs={args.gomaxprocs} "
          f"goroutines={args.goroutines if args.goroutines is not None else 'default'} "
          f"seed={args.seed} godebug={godebug}" + (" " + " ".join(off) if off else ""))
    try:
        sc = scenarios.get(args.scenario, **params)
        trace = sc.run(gomaxprocs=args.gomaxprocs, godebug=godebug, record=False, check=False,
                       until_ms=args.until_ms, **switches)
    except (UsageError, TypeError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SimulationLimit as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
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
