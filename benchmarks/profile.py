"""Where the time goes: one case of one implementation under cProfile.

    python -m benchmarks.profile gmpkit W2 1 200000      # impl, workload, its arguments
    python -m benchmarks.profile gmpkit+rec W3 100 2000 8 --top 20

Prints the functions with the most self time (``tottime``) as a share of the whole run, then the
same time summed per source file. cProfile's own overhead inflates functions that are called
very often and do little; read the shares as an ordering, not as exact costs.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats

from benchmarks.impls import IMPLS, load


def profile(name: str, workload: str, args: list[int], gomaxprocs: int = 1) -> pstats.Stats:
    impl = load(name, gomaxprocs=gomaxprocs)
    fn = getattr(impl, workload.lower())
    if workload == "W4":
        args = [*args, lambda: None]
    prof = cProfile.Profile()
    prof.enable()
    fn(*args)
    prof.disable()
    return pstats.Stats(prof)


def _where(key: tuple[str, int, str]) -> str:
    file, line, func = key
    if file == "~":
        return func  # a builtin, e.g. <method 'send' of 'coroutine' objects>
    parts = file.replace(os.sep, "/").split("/")
    short = "/".join(parts[-2:]) if len(parts) > 1 else file
    return f"{short}:{line}({func})"


def summary(stats: pstats.Stats, top: int = 25) -> str:
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in entries.values()) or 1e-12
    rows = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)
    out = [f"total self time {total:.2f} s (under cProfile)", "",
           "| self % | cum % | calls | function |", "|---:|---:|---:|---|"]
    for key, (_cc, nc, tt, ct, _callers) in rows[:top]:
        out.append(f"| {100 * tt / total:.1f} | {100 * ct / total:.1f} | {nc:,} | "
                   f"`{_where(key)}` |")
    per_file: dict[str, float] = {}
    for (file, _line, _func), v in entries.items():
        f = "builtins" if file == "~" else "/".join(file.replace(os.sep, "/").split("/")[-2:])
        per_file[f] = per_file.get(f, 0.0) + v[2]
    out += ["", "| self % | file |", "|---:|---|"]
    for f, tt in sorted(per_file.items(), key=lambda kv: kv[1], reverse=True)[:10]:
        out.append(f"| {100 * tt / total:.1f} | `{f}` |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # not the compiled columns: cProfile does not see inside mypyc-compiled functions
    ap.add_argument("impl", choices=[n for n, (module, _) in IMPLS.items() if module != "compiled"])
    ap.add_argument("workload", choices=["W1", "W2", "W3", "W4"])
    ap.add_argument("args", type=int, nargs="+")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--gomaxprocs", type=int, default=1)
    a = ap.parse_args(argv)
    print(f"## {a.impl} {a.workload} {' '.join(map(str, a.args))}\n")
    print(summary(profile(a.impl, a.workload, a.args, a.gomaxprocs), a.top))


if __name__ == "__main__":
    main()
