"""The compiled build's columns: the same programs, run by the mypyc-compiled core in a subprocess.

The pure and the compiled core cannot both be imported in one interpreter (both are called
``gmpkit``), so ``gmpkit-compiled`` and ``gmpkit-compiled+rec`` each run in a worker process of
their own, started once per suite with the compiled build first on ``PYTHONPATH`` and ``python -P``
(the repository root, which holds the pure ``gmpkit/``, must not come first). The suite sends the
worker one case at a time and reads back the CPU and wall time the worker measured around the
program itself, and its checksum; W4 runs ``benchmarks.memory`` in a fresh process on the same
path. Every worker checks ``gmpkit.COMPILED`` before it measures anything.

Where the build is: ``--compiled-dir``, else ``$GMPKIT_COMPILED_DIR``, else ``build/compiled``
(``make compiled`` puts it there). Without one, the columns say "not built (make compiled)".

    python -P -m benchmarks.compiled IMPL [--gomaxprocs G]     # the worker (PYTHONPATH set)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "build" / "compiled"
NOT_BUILT = "not built (make compiled)"

# column name -> the implementation the worker runs (benchmarks.impls), on the compiled core
COMPILED_IMPLS = {"gmpkit-compiled": "gmpkit", "gmpkit-compiled+rec": "gmpkit+rec"}


class NotBuilt(RuntimeError):
    """There is no compiled build where the suite looked."""


def compiled_dir(option: str | Path | None = None) -> Path:
    """The directory the compiled build is looked for in (it may not exist)."""
    chosen = option or os.environ.get("GMPKIT_COMPILED_DIR") or DEFAULT_DIR
    path = Path(chosen)
    return path if path.is_absolute() else (ROOT / path).resolve()


def is_built(path: Path) -> bool:
    """Does ``path`` hold a compiled core (the scheduler's extension module beside the source)?"""
    pkg = path / "gmpkit"
    return (pkg / "__init__.py").exists() and any(
        (pkg / f"sched{suffix}").exists() for suffix in EXTENSION_SUFFIXES)


def subprocess_env(path: Path) -> dict[str, str]:
    """The environment of a process that must import gmpkit from the build at ``path``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(path), str(ROOT)])
    return env


def _last_json(text: str) -> dict:
    lines = [ln for ln in text.strip().splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError("no result from the worker")
    return json.loads(lines[-1])


class CompiledImpl:
    """The parent's handle on one worker; ``measure(case)`` returns what ``time_case`` does."""

    def __init__(self, name: str, path: Path, gomaxprocs: int = 1) -> None:
        if not is_built(path):
            raise NotBuilt(NOT_BUILT)
        self.name, self.base, self.path, self.gomaxprocs = name, COMPILED_IMPLS[name], path, gomaxprocs
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "benchmarks.compiled", self.base,
             "--gomaxprocs", str(gomaxprocs)],
            cwd=ROOT, env=subprocess_env(path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1)
        hello = self._read()
        if not hello.get("compiled"):
            self.close()
            raise RuntimeError(f"{path} is not a compiled build (gmpkit.COMPILED is False, "
                               f"gmpkit from {hello.get('gmpkit_file')})")
        self.gmpkit_file = hello.get("gmpkit_file")

    def _read(self) -> dict:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            self.proc.wait()
            last = err.strip().splitlines()[-1] if err.strip() else "worker exited"
            raise RuntimeError(f"compiled worker: {last}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def measure(self, case) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"workload": case.workload, "args": list(case.args)})
                              + "\n")
        self.proc.stdin.flush()
        return self._read()

    def memory(self, case) -> dict:
        """W4 in a fresh process on the compiled build (benchmarks.memory)."""
        cmd = [sys.executable, "-P", "-m", "benchmarks.memory", self.base, str(case.args[0]),
               "--gomaxprocs", str(self.gomaxprocs)]
        proc = subprocess.run(cmd, cwd=ROOT, env=subprocess_env(self.path), capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed")
        res = _last_json(proc.stdout)
        if not res.get("compiled"):
            raise RuntimeError("the W4 process did not run the compiled core")
        res["impl"] = self.name
        return res

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()


def playground(path: Path, quick: bool, goroutines: int | None) -> dict:
    """The playground row (benchmarks/playground.py) measured on the compiled build, in a fresh
    process; a row saying "not built" when there is none."""
    row = {"case": "playground" + (f" n={goroutines}" if goroutines else ""),
           "workload": "playground", "args": [goroutines] if goroutines else [],
           "op": "slider change", "ops": 1, "impl": "gmpkit-compiled+rec", "expected": None,
           "checksum": None, "goroutines": goroutines, "limit_ms": 100 if goroutines else 250}
    if not is_built(path):
        row.update(status=NOT_BUILT, error=NOT_BUILT)
        return row
    cmd = [sys.executable, "-P", "-m", "benchmarks.playground"]
    cmd += ["--quick"] if quick else []
    cmd += ["--goroutines", str(goroutines)] if goroutines else []
    proc = subprocess.run(cmd, cwd=ROOT, env=subprocess_env(path), capture_output=True,
                          text=True)
    try:
        res = _last_json(proc.stdout)
        if not res.get("compiled"):
            raise RuntimeError("the playground process did not run the compiled core")
    except Exception as e:
        err = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else str(e)
        row.update(status="ERROR", error=err)
        return row
    res["impl"] = row["impl"]
    return res


def main(argv: list[str] | None = None) -> None:
    """The worker: say which gmpkit it imported, then run one case per line of stdin."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("impl", choices=sorted(set(COMPILED_IMPLS.values())))
    ap.add_argument("--gomaxprocs", type=int, default=1)
    args = ap.parse_args(argv)
    out, sys.stdout = sys.stdout, sys.stderr  # nothing a program prints may reach the replies

    def reply(obj: dict) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    import gmpkit
    from benchmarks.impls import load
    from benchmarks.run import time_case
    from benchmarks.workloads import Case

    reply({"compiled": gmpkit.COMPILED, "gmpkit_file": gmpkit.__file__})
    if not gmpkit.COMPILED:
        return
    impl = load(args.impl, gomaxprocs=args.gomaxprocs)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            res = time_case(impl, Case(req["workload"], tuple(req["args"]), ""))
        except Exception as e:  # reported in the row, the worker stays up
            reply({"error": f"{type(e).__name__}: {e}"})
            continue
        reply(res)


if __name__ == "__main__":
    main()
