"""W4 in a fresh process: memory per parked goroutine, from RSS before and after.

    python -m benchmarks.memory IMPL N [--gomaxprocs G]

prints one JSON object: rss_before, rss_parked (bytes), per_goroutine (bytes), checksum, cpu and
wall seconds for the whole run (create, park, release, join). A fresh process per implementation
keeps one implementation's heap out of another's measurement.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time

from benchmarks.impls import load

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss() -> int:
    """Resident set size of this process in bytes (Linux /proc, else psutil)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss


def measure(name: str, n: int, **options) -> dict:
    impl = load(name, **options)
    impl.w4(1000, lambda: None)  # warm up: imports, code objects, first-use caches
    gc.collect()
    before = rss()
    seen: dict[str, int] = {}

    def on_parked() -> None:
        gc.collect()
        seen["rss"] = rss()

    c0, w0 = time.process_time(), time.perf_counter()
    checksum = impl.w4(n, on_parked)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    gmpkit = sys.modules.get("gmpkit")
    return {
        "impl": name,
        "n": n,
        "rss_before": before,
        "rss_parked": seen["rss"],
        "per_goroutine": (seen["rss"] - before) / n,
        "checksum": checksum,
        "cpu": cpu,
        "wall": wall,
        "compiled": bool(getattr(gmpkit, "COMPILED", False)),  # which gmpkit build ran
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("impl")
    ap.add_argument("n", type=int)
    ap.add_argument("--gomaxprocs", type=int, default=1)
    args = ap.parse_args(argv)
    json.dump(measure(args.impl, args.n, gomaxprocs=args.gomaxprocs), sys.stdout)
    print()


if __name__ == "__main__":
    main()
