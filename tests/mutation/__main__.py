"""Mutation testing of gmpkit's scheduler: does some test fail when a mechanism is broken?

    python -m tests.mutation                      # every mutation, 2 workers; writes REPORT.md
    python -m tests.mutation --list               # the mutations and the rule each breaks
    python -m tests.mutation steal_floor_half     # only these (the report is not rewritten)
    python -m tests.mutation --workers 1 --timeout 300
    python -m tests.mutation --named-only x y     # only the tests each mutation names: quick

Run it from the repository root with the venv's Python. It is slow (a test run per mutation), so
it runs on demand, not in CI. The machine is shared: keep ``--workers`` at 2 or less.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from . import runner
from .catalog import MUTATIONS, by_name

REPORT = runner.REPO / "tests" / "mutation" / "REPORT.md"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="mutations to run (default: all)")
    ap.add_argument("--list", action="store_true", help="list the mutations and exit")
    ap.add_argument("--workers", type=int, default=2, help="parallel test runs (default 2)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="seconds allowed for one pytest run (default 600)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip checking that the unmutated copy passes")
    ap.add_argument("--named-only", action="store_true",
                    help="run only the tests each mutation names (a quick check while writing "
                         "them; implies --no-baseline; the report is not rewritten)")
    args = ap.parse_args(argv)
    table = by_name()
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:42} {m.area:10} {m.rule:24} {m.what}")
        return 0
    unknown = [n for n in args.names if n not in table]
    if unknown:
        ap.error(f"unknown mutation(s): {', '.join(unknown)} (see --list)")
    if not 1 <= args.workers <= 2:
        ap.error("--workers must be 1 or 2 (the machine is shared)")
    chosen = [table[n] for n in args.names] if args.names else list(MUTATIONS)
    command = "python -m tests.mutation" + (
        f" --workers {args.workers}" if args.workers != 2 else "")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gmpkit-mut-src-") as tmp:
        src = Path(tmp)
        files = runner.snapshot(src)
        if not (args.no_baseline or args.named_only):
            bad = runner.run_baseline(files, args.timeout, src)
            if bad:
                print(f"the unmutated tests do not pass ({bad}): fix that first",
                      file=sys.stderr)
                return 1
        outcomes = runner.run_all(chosen, args.workers, args.timeout, src, files,
                                  args.named_only)
        elapsed = time.monotonic() - t0
        text = runner.report(outcomes, command, elapsed, src)
    caught = sum(o.caught for o in outcomes)
    named = sum(o.caught and o.names_rule for o in outcomes)
    print(f"{caught}/{len(outcomes)} caught, {named} by a test naming the rule, "
          f"{elapsed / 60:.1f} min", file=sys.stderr)
    if not args.names and not args.named_only:
        REPORT.write_text(text)
        print(f"wrote {REPORT.relative_to(runner.REPO)}", file=sys.stderr)
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
