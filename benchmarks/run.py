"""Run every workload in every implementation in one session and print per-operation costs.

    python -m benchmarks              # full suite (about 15 minutes on 2 cores)
    python -m benchmarks --quick      # small sizes, under a minute: a smoke run
    python -m benchmarks --save       # full suite, then write benchmarks/results.json and the
                                      # table section of benchmarks/RESULTS.md

W1-W3 run in this process, every implementation on every case in turn (the order rotates
between repeats), so ratios compare runs made under the same conditions; the compiled build's
two columns run the same cases in a worker process each (benchmarks/compiled.py), which measures
there. W4 (memory) runs each implementation in a fresh subprocess. Each run's checksum is checked against the value computed
from the parameters; a wrong checksum marks the row FAIL and the exit status non-zero.

Costs are CPU time (``time.process_time``) and wall time (``time.perf_counter``) per operation,
the best of ``--repeat`` runs; ratios are CPU-time ratios against asyncio-rendezvous.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import workloads
from benchmarks.compiled import COMPILED_IMPLS as _COMPILED
from benchmarks.compiled import NOT_BUILT, NotBuilt, compiled_dir, is_built
from benchmarks.impls import BASELINE, IMPLS, load
from benchmarks.workloads import Case

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_MD = HERE / "RESULTS.md"
RESULTS_JSON = HERE / "results.json"
BEGIN, END = "<!-- BEGIN GENERATED RESULTS -->", "<!-- END GENERATED RESULTS -->"

KB = 1024


# ----------------------------------------------------------------------------- the machine


def machine() -> dict:
    """What the numbers were measured on."""
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "load_avg": _loadavg(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
        distro = dict(
            ln.split("=", 1) for ln in Path("/etc/os-release").read_text().splitlines() if "=" in ln
        )
        info["os"] += ", " + distro.get("PRETTY_NAME", "").strip('"')
    except OSError:
        pass
    try:
        import simpy

        info["simpy"] = simpy.__version__
    except ImportError:
        info["simpy"] = "not installed"
    try:
        info["gmpkit_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        info["gmpkit_commit"] = "unknown"
    return info


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# ----------------------------------------------------------------------------- measuring


def time_case(impl, case: Case) -> dict:
    """Run one case once in this process (or, for the compiled build, once in its worker, which
    measures there); return its costs and checksum."""
    if hasattr(impl, "measure"):
        return impl.measure(case)
    fn = getattr(impl, case.workload.lower())
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    checksum = fn(*case.args)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    if hasattr(impl, "trace"):
        impl.trace = None  # free a recorded trace before the next run
    return {"cpu": cpu, "wall": wall, "checksum": checksum}


def memory_case(name: str, case: Case, gomaxprocs: int, impl=None) -> dict:
    """Run W4 for one implementation in a fresh interpreter (see benchmarks/memory.py)."""
    if hasattr(impl, "memory"):  # the compiled build: a fresh interpreter on its path
        return impl.memory(case)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "benchmarks.memory", name, str(case.args[0]),
           "--gomaxprocs", str(gomaxprocs)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_suite(cases: list[Case], names: list[str], repeat: int, gomaxprocs: int,
              log=print, compiled: Path | None = None) -> list[dict]:
    impls: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            impls[name] = load(name, gomaxprocs=gomaxprocs, compiled_dir=compiled)
        except NotBuilt:
            errors[name] = NOT_BUILT
        except Exception as e:  # an implementation that cannot load is reported, not fatal
            errors[name] = f"{type(e).__name__}: {e}"
    try:
        return _run_cases(cases, names, repeat, gomaxprocs, log, impls, errors)
    finally:
        for impl in impls.values():
            if hasattr(impl, "close"):
                impl.close()  # the compiled build's workers


def _run_cases(cases: list[Case], names: list[str], repeat: int, gomaxprocs: int, log,
               impls: dict[str, object], errors: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    for case in cases:
        results: dict[str, list[dict]] = {name: [] for name in names}
        for r in range(repeat if case.workload != "W4" else 1):
            order = names[r % len(names):] + names[: r % len(names)]
            for name in order:
                if name in errors:
                    continue
                try:
                    if case.workload == "W4":
                        res = memory_case(name, case, gomaxprocs, impls[name])
                    else:
                        res = time_case(impls[name], case)
                except Exception as e:
                    results[name].append({"error": f"{type(e).__name__}: {e}"})
                    continue
                results[name].append(res)
                log(f"  {case.key:<22} {name:<20} {res['cpu'] / case.ops * 1e6:9.3f} us/op cpu"
                    f"{'' if res['checksum'] == case.expected else '  CHECKSUM MISMATCH'}")
        for name in names:
            row = {"case": case.key, "workload": case.workload, "args": list(case.args),
                   "op": case.op, "ops": case.ops, "impl": name, "expected": case.expected}
            runs = [x for x in results[name] if "error" not in x]
            if name in errors or not runs:
                bad = errors.get(name) or (results[name][0]["error"] if results[name] else "")
                row.update(status=NOT_BUILT if bad == NOT_BUILT else "ERROR", error=bad)
            else:
                best = min(runs, key=lambda x: x["cpu"])
                row.update(best)
                row["cpu"] = min(x["cpu"] for x in runs)
                row["wall"] = min(x["wall"] for x in runs)
                row["runs"] = len(runs)
                row["status"] = "ok" if all(x["checksum"] == case.expected for x in runs) else "FAIL"
            rows.append(row)
    base = {r["case"]: r for r in rows if r["impl"] == BASELINE and r["status"] == "ok"}
    for row in rows:
        if row["status"] == "ok":
            row["us_cpu"] = row["cpu"] / row["ops"] * 1e6
            row["us_wall"] = row["wall"] / row["ops"] * 1e6
            b = base.get(row["case"])
            row["ratio"] = row["cpu"] / b["cpu"] if b else None
    return rows


# ----------------------------------------------------------------------------- reporting


def _fmt_us(x: float) -> str:
    return f"{x:.2f}" if x >= 1 else f"{x:.3f}"


def tables(rows: list[dict], names: list[str]) -> str:
    """Markdown: the CPU matrix with ratios, W4 memory, then every number in long form."""
    cases = list(dict.fromkeys(r["case"] for r in rows))
    by = {(r["case"], r["impl"]): r for r in rows}
    out = []
    timed = [c for c in cases if not c.startswith("W4")]
    if timed:
        out.append("CPU time per operation in µs (best of the runs), and × asyncio-rendezvous:\n")
        out.append("| case | op | " + " | ".join(names) + " |")
        out.append("|---|---|" + "---:|" * len(names))
        for c in timed:
            cells = []
            for n in names:
                r = by.get((c, n))
                if r is None or r["status"] != "ok":
                    cells.append(r["status"] if r else "–")
                else:
                    ratio = f" ({r['ratio']:.2f}×)" if r.get("ratio") else ""
                    cells.append(_fmt_us(r["us_cpu"]) + ratio)
            out.append(f"| {c} | {by[(c, names[0])]['op']} | " + " | ".join(cells) + " |")
        out.append("")
    mem = [c for c in cases if c.startswith("W4")]
    if mem:
        out.append("W4, each implementation in a fresh process: KB of RSS per parked goroutine "
                   "(channel included), and CPU µs per goroutine for create + park + release:\n")
        out.append("| case | " + " | ".join(names) + " |")
        out.append("|---|" + "---:|" * len(names))
        for c in mem:
            cells = []
            for n in names:
                r = by.get((c, n))
                if r is None or r["status"] != "ok":
                    cells.append(r["status"] if r else "–")
                else:
                    cells.append(f"{r['per_goroutine'] / KB:.2f} KB, {_fmt_us(r['us_cpu'])} µs")
            out.append(f"| {c} | " + " | ".join(cells) + " |")
        out.append("")
    out.append("<details><summary>Every run: CPU and wall µs/op, ops/s, checksum</summary>\n")
    out.append("| case | impl | ops | µs/op CPU | µs/op wall | ops/s (CPU) | × base (CPU) | check |")
    out.append("|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if r["status"] == "ok":
            ratio = f"{r['ratio']:.2f}" if r.get("ratio") else "–"
            out.append(f"| {r['case']} | {r['impl']} | {r['ops']:,} | {_fmt_us(r['us_cpu'])} | "
                       f"{_fmt_us(r['us_wall'])} | {1e6 / r['us_cpu']:,.0f} | {ratio} | ok |")
        else:
            err = r.get("error", "")[:80].replace("|", "/")
            err = "" if err == r["status"] else err
            out.append(f"| {r['case']} | {r['impl']} | {r['ops']:,} | | | | | "
                       f"{r['status']} {err} |")
    out.append("\n</details>\n")
    return "\n".join(out)


def targets(rows: list[dict]) -> str:
    """The suite's targets for gmpkit, each checked against this run: reported, never asserted."""
    ok = {(r["case"], r["impl"]): r for r in rows if r["status"] == "ok"}
    missing = {r["impl"]: r["status"] for r in rows if r["status"] == NOT_BUILT}

    def ratios(impl: str, workloads_: tuple[str, ...]) -> list[tuple[str, float]]:
        return [(c, r["ratio"]) for (c, i), r in ok.items()
                if i == impl and r["workload"] in workloads_ and r.get("ratio")]

    def listed(rs: list[tuple[str, float]]) -> str:
        return ", ".join(f"{c}: {x:.2f}×" for c, x in rs)

    def verdict(good: bool | None) -> str:
        return "–" if good is None else ("yes" if good else "**no**")

    def absent(impl: str) -> str:
        return missing.get(impl, "not run")

    lines = ["| target | measured | met? |", "|---|---|---|"]
    for impl, limit in (("gmpkit", 0.7), ("gmpkit+rec", 1.5), ("gmpkit-compiled", 0.5)):
        rs = ratios(impl, ("W2", "W3"))
        worst = max((x for _, x in rs), default=None)
        lines.append(f"| W2, W3 per handoff, {impl} ≤ {limit}× asyncio-rendezvous | "
                     f"{listed(rs) or absent(impl)} | "
                     f"{verdict(None if worst is None else worst <= limit)} |")
    for impl in ("gmpkit", "gmpkit-compiled"):
        big = [r for (c, i), r in ok.items() if i == impl and r["workload"] == "W1"]
        if big:
            r = max(big, key=lambda x: x["ops"])
            good = r["ratio"] is not None and r["ratio"] <= 0.5
            lines.append(f"| W1 per spawn at the largest N ({r['case']}), {impl} ≤ 0.5× asyncio, "
                         f"all complete | {r['ratio']:.2f}×, {r['ops']:,} goroutines done | "
                         f"{verdict(good)} |")
        elif impl in missing:
            lines.append(f"| W1 per spawn at the largest N, {impl} ≤ 0.5× asyncio | "
                         f"{absent(impl)} | – |")
    for rec, base in (("gmpkit+rec", "gmpkit"), ("gmpkit-compiled+rec", "gmpkit-compiled")):
        rs = [(c, r["cpu"] / ok[(c, base)]["cpu"]) for (c, i), r in ok.items()
              if i == rec and r["workload"] in ("W1", "W2", "W3") and (c, base) in ok
              and ok[(c, base)]["cpu"] > 0]
        worst = max((x for _, x in rs), default=None)
        lines.append(f"| W1–W3, recorder on ≤ 1.5× the same build without it ({rec} / {base}) "
                     f"| {listed(rs) or absent(rec if rec in missing else base)} | "
                     f"{verdict(None if worst is None else worst <= 1.5)} |")
    for impl in ("gmpkit", "gmpkit+rec", "gmpkit-compiled", "gmpkit-compiled+rec"):
        mem = [r for (c, i), r in ok.items() if i == impl and r["workload"] == "W4"]
        if mem:
            r = max(mem, key=lambda x: x["ops"])
            kb = r["per_goroutine"] / KB
            lines.append(f"| W4 ({r['case']}), {impl} ≤ 1 KB per parked goroutine | {kb:.2f} KB | "
                         f"{'(reported)' if impl.endswith('+rec') else verdict(kb <= 1.0)} |")
        elif impl in missing and any(r["workload"] == "W4" for r in rows):
            lines.append(f"| W4, {impl} ≤ 1 KB per parked goroutine | {absent(impl)} | – |")
    for r in rows:
        if r["workload"] != "playground":
            continue
        limit_ms = r.get("limit_ms", 250)
        what = (f"Playground redraw, {r['goroutines']:,} goroutines, ≤ {limit_ms} ms"
                if r.get("goroutines") else f"Playground slider change ≤ {limit_ms} ms")
        what += f", {r['impl']}"
        if r["status"] == "ok":
            tm = r.get("timings", {})
            lines.append(f"| {what} ({r.get('scenario')}) | "
                         f"{r['wall'] * 1e3:.0f} ms wall, median of {r['changes']} changes "
                         f"(simulate {tm.get('simulate_ms', 0):.0f} ms, figures "
                         f"{tm.get('figures_ms', 0):.0f} ms; slowest {r['max_wall'] * 1e3:.0f} "
                         f"ms) | {verdict(r['wall'] * 1e3 <= limit_ms)} |")
        else:
            lines.append(f"| {what} | {r.get('error', 'not run')} | – |")
    return "\n".join(lines) + "\n"


def machine_md(info: dict) -> str:
    return "\n".join(f"- {k}: {v}" for k, v in info.items()) + "\n"


def save(info: dict, rows: list[dict], body: str, argv: list[str]) -> None:
    RESULTS_JSON.write_text(json.dumps({"machine": info, "argv": argv, "rows": rows},
                                       indent=1) + "\n")
    section = (f"{BEGIN}\n\nCommand: `python -m benchmarks {' '.join(argv)}`\n\n"
               f"### Machine\n\n{machine_md(info)}\n{body}\n{END}")
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    RESULTS_MD.write_text(head + section + tail)


# ----------------------------------------------------------------------------- the command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run (< 1 min)")
    ap.add_argument("--impl", action="append", choices=list(IMPLS), help="only these (repeatable)")
    ap.add_argument("--workload", action="append", choices=["W1", "W2", "W3", "W4", "playground"],
                    help="only these workloads (repeatable)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs per case, best kept (default 1; 2 or more on a quiet machine)")
    ap.add_argument("--gomaxprocs", type=int, default=1, help="gmpkit's Ps (default 1)")
    ap.add_argument("--compiled-dir", type=Path, default=None,
                    help="the compiled build for the gmpkit-compiled columns (default: "
                         "$GMPKIT_COMPILED_DIR, else build/compiled, made by `make compiled`)")
    ap.add_argument("--json", type=Path, help="write every row as JSON to this file")
    ap.add_argument("--save", action="store_true",
                    help="write benchmarks/results.json and the tables into benchmarks/RESULTS.md")
    args = ap.parse_args(argv)
    names = args.impl or list(IMPLS)
    if BASELINE not in names:
        names.append(BASELINE)
    cases = workloads.QUICK if args.quick else workloads.FULL
    only = args.workload or ["W1", "W2", "W3", "W4", "playground"]
    cases = [c for c in cases if c.workload in only]
    repeat = args.repeat or 1

    info = machine()
    info["gomaxprocs (gmpkit)"] = args.gomaxprocs
    built = compiled_dir(args.compiled_dir)
    info["compiled build"] = (str(built.relative_to(ROOT)) if built.is_relative_to(ROOT)
                              else str(built)) if is_built(built) else NOT_BUILT
    if any(n.startswith("gmpkit") and n not in _COMPILED for n in names):
        import gmpkit

        info["gmpkit build in this process"] = "compiled" if gmpkit.COMPILED else "pure"
    info["repeat"] = repeat
    print("# gmpkit benchmarks" + (" (--quick)" if args.quick else ""), flush=True)
    print(machine_md(info), flush=True)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    rows = run_suite(cases, names, repeat, args.gomaxprocs, log=log, compiled=built)
    if "playground" in only and any(n.startswith("gmpkit") and n not in _COMPILED for n in names):
        from benchmarks.playground import measure_playground

        rows.append(measure_playground(quick=args.quick))
        rows.append(measure_playground(quick=args.quick, goroutines=1000))
    if "playground" in only and any(n in _COMPILED for n in names):
        from benchmarks.compiled import playground

        for n in (None, 1000):
            rows.append(playground(built, args.quick, n))
    info["load_avg_end"] = _loadavg()
    info["duration"] = f"{time.perf_counter() - t0:.0f} s"
    body = "### Results\n\n" + tables([r for r in rows if r["workload"] != "playground"], names)
    body += "\n### Targets (gmpkit, ratios from this run)\n\n" + targets(rows)
    print(body)
    print(f"load average at end: {info['load_avg_end']}; took {info['duration']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=1) + "\n")
    if args.save:
        save(info, rows, body, argv)
    bad = [r for r in rows if r["status"] == "FAIL"]
    return 1 if bad else 0
