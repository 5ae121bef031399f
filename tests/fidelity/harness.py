"""Paired fidelity scenarios: the same program in Go and in gmpkit, judged by one rule.

Each scenario lives in ``scenarios/`` as a set of files with a common NAME:

- ``NAME.go`` (or the file named by ``GO_FILE``): the Go program, written so its output is
  deterministic where Go's behaviour is (events recorded in memory and printed at the end,
  GOMAXPROCS pinned, schedtick phase aligned where the 1-in-61 check matters);
- ``NAME.py``: the same program for gmpkit (``async def main``) plus its run options:
  ``KIND`` (``exact`` | ``oneof`` | ``statistical``), ``GOMAXPROCS``, ``GODEBUG``, ``GO_ARGS``,
  ``GO_ENV`` (more environment for Go, e.g. ``GOTRACEBACK``), ``MAIN_ARGS``, ``RUN_OPTIONS``
  (extra ``gk.run`` keywords, e.g. the same ``gotraceback``), ``GO_RUNS``, ``SEEDS``, ``BOUNDS``,
  ``SPEC`` (where the behaviour is described), and optionally ``observe()``, ``SIMPLIFICATION``
  (a deliberate, documented difference) and ``NOTE`` (an explained difference within bounds);
- ``NAME.expected.json``: real Go's recorded raw outputs (distinct outputs with their counts).

The observation function turns raw output (stdout, stderr, exit code) into what is compared. It is
applied identically to Go's and gmpkit's output, so a scenario cannot favour either side.

Kinds:
- ``exact``: every recorded Go run gave the same observation; gmpkit must give it for every seed.
- ``oneof``: Go's observation varies between runs (e.g. goroutine ids); gmpkit's must be one of
  the recorded ones.
- ``statistical``: ``observe`` returns numbers; every Go run and every gmpkit seed must fall within
  ``BOUNDS`` (name -> (low, high), inclusive).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIO_DIR = HERE / "scenarios"
REPO = HERE.parent.parent
REPORT = REPO / "docs" / "fidelity.md"

KINDS = ("exact", "oneof", "statistical")

_SUMMARY = re.compile(r"^(panic: |fatal error: |runtime: |goroutine \d+ \[)")


def stderr_summary(stderr: str) -> list[str]:
    """The lines of a Go failure report that a model can reproduce exactly (spec §12).

    Kept: ``panic: …``, ``fatal error: …``, ``runtime: …`` and goroutine headers
    ``goroutine N [status]:``. Dropped: stack frames, file:line and +0x offsets (gmpkit's frames
    are Python functions), ``[recovered]`` re-panics are kept as printed, schedtrace lines dropped.
    """
    return [ln.rstrip() for ln in stderr.splitlines() if _SUMMARY.match(ln)]


def default_observe(stdout: str, stderr: str, exit_code: int) -> str:
    """stdout, then the failure summary (if any), then the exit status."""
    parts = [stdout.rstrip("\n")]
    parts += stderr_summary(stderr)
    parts.append(f"exit {exit_code}")
    return "\n".join(p for p in parts if p != "")


@dataclass
class Raw:
    stdout: str
    stderr: str
    exit_code: int

    def key(self) -> tuple[str, str, int]:
        return (self.stdout, self.stderr, self.exit_code)


@dataclass
class Scenario:
    name: str
    module: ModuleType
    go_file: Path
    kind: str
    gomaxprocs: int
    godebug: str = ""
    go_args: list[str] = field(default_factory=list)
    go_env: dict[str, str] = field(default_factory=dict)
    main_args: tuple[Any, ...] = ()
    run_options: dict[str, Any] = field(default_factory=dict)
    go_runs: int = 10
    seeds: tuple[int, ...] = (0, 1, 2)
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    spec: str = ""
    simplification: str | None = None
    note: str | None = None  # a known, explained difference that stays within the bounds
    go_timeout: float = 60.0

    @property
    def doc(self) -> str:
        return (self.module.__doc__ or "").strip().splitlines()[0] if self.module.__doc__ else ""

    @property
    def expected_path(self) -> Path:
        return SCENARIO_DIR / f"{self.name}.expected.json"

    def observe(self, raw: Raw) -> Any:
        fn = getattr(self.module, "observe", None)
        if fn is None:
            return default_observe(raw.stdout, raw.stderr, raw.exit_code)
        return fn(raw.stdout, raw.stderr, raw.exit_code)

    # -- Go side -------------------------------------------------------------------------------

    def run_go(self, runs: int | None = None) -> list[Raw]:
        from gmpkit import golang

        prog = golang.build_go(self.go_file)
        out = []
        for _ in range(runs or self.go_runs):
            r = prog.run(
                gomaxprocs=self.gomaxprocs,
                godebug=self.godebug,
                timeout=self.go_timeout,
                args=self.go_args,
                # GOTRACEBACK=single is Go's default; set it so the caller's environment
                # cannot change what a failing program prints.
                env={"GOTRACEBACK": "single", **self.go_env},
            )
            out.append(Raw(r.stdout, r.stderr, r.exit_code))
        return out

    def load_expected(self) -> dict[str, Any]:
        return json.loads(self.expected_path.read_text())

    def recorded(self) -> list[tuple[Raw, int]]:
        data = self.load_expected()
        return [(Raw(o["stdout"], o["stderr"], o["exit_code"]), o["count"]) for o in data["outputs"]]

    def write_expected(self, raws: list[Raw], go_version: str) -> None:
        counts = Counter(r.key() for r in raws)
        outputs = [
            {"stdout": k[0], "stderr": k[1], "exit_code": k[2], "count": n}
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        data = {
            "scenario": self.name,
            "go_version": go_version,
            "gomaxprocs": self.gomaxprocs,
            "godebug": self.godebug,
            "args": self.go_args,
            **({"env": self.go_env} if self.go_env else {}),
            "runs": len(raws),
            "outputs": outputs,
        }
        self.expected_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    # -- gmpkit side ---------------------------------------------------------------------------

    def run_sim(self, seed: int) -> Raw:
        import gmpkit as gk

        try:
            tr = gk.run(
                self.module.main,
                *self.main_args,
                gomaxprocs=self.gomaxprocs,
                seed=seed,
                godebug=self.godebug,
                check=False,
                **self.run_options,
            )
        except gk.SimulationLimit as exc:  # not a Go outcome: make it visible, never equal to Go's
            tr = getattr(exc, "trace", None)
            out = getattr(tr, "stdout", "") if tr is not None else ""
            return Raw(out, f"gmpkit: SimulationLimit: {exc}", -1)
        return Raw(tr.stdout, tr.stderr, tr.exit_code)


def _load_module(path: Path) -> ModuleType:
    name = f"fidelity_scenario_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # scenarios may import `common`
    spec.loader.exec_module(mod)
    return mod


def load(name: str) -> Scenario:
    path = SCENARIO_DIR / f"{name}.py"
    mod = _load_module(path)
    kind = getattr(mod, "KIND", "exact")
    if kind not in KINDS:
        raise ValueError(f"{name}: KIND must be one of {KINDS}, not {kind!r}")
    bounds = dict(getattr(mod, "BOUNDS", {}))
    if kind == "statistical" and not bounds:
        raise ValueError(f"{name}: a statistical scenario needs BOUNDS")
    return Scenario(
        name=name,
        module=mod,
        go_file=SCENARIO_DIR / getattr(mod, "GO_FILE", f"{name}.go"),
        kind=kind,
        gomaxprocs=int(mod.GOMAXPROCS),
        godebug=getattr(mod, "GODEBUG", ""),
        go_args=[str(a) for a in getattr(mod, "GO_ARGS", [])],
        go_env={str(k): str(v) for k, v in getattr(mod, "GO_ENV", {}).items()},
        main_args=tuple(getattr(mod, "MAIN_ARGS", ())),
        run_options=dict(getattr(mod, "RUN_OPTIONS", {})),
        go_runs=int(getattr(mod, "GO_RUNS", 10)),
        seeds=tuple(getattr(mod, "SEEDS", (0, 1, 2))),
        bounds=bounds,
        spec=getattr(mod, "SPEC", ""),
        simplification=getattr(mod, "SIMPLIFICATION", None),
        note=getattr(mod, "NOTE", None),
        go_timeout=float(getattr(mod, "GO_TIMEOUT", 60.0)),
    )


def names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.py") if not p.stem.startswith("_"))


def load_all() -> list[Scenario]:
    return [load(n) for n in names()]


# ------------------------------------------------------------------------------------------------
# Judging
# ------------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    match: bool
    go: str  # Go's observation(s), for the report
    sim: str  # gmpkit's observation(s)
    detail: str = ""


def _fmt(obs: Any) -> str:
    if isinstance(obs, dict):
        return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in obs.items())
    return str(obs)


def out_of_bounds(sc: Scenario, obs: dict[str, float]) -> list[str]:
    """Names of bounded quantities outside their bounds (or missing)."""
    bad = []
    for key, (lo, hi) in sc.bounds.items():
        v = obs.get(key) if isinstance(obs, dict) else None
        if v is None or not (lo <= v <= hi):
            bad.append(f"{key}={v} not in [{lo:g}, {hi:g}]")
    return bad


def go_set(sc: Scenario, recorded: list[tuple[Raw, int]]) -> Counter:
    """Counter of Go observations (as text) over the recorded runs."""
    c: Counter = Counter()
    for raw, n in recorded:
        c[_fmt(sc.observe(raw))] += n
    return c


def judge(sc: Scenario, recorded: list[tuple[Raw, int]], sims: list[Raw]) -> Verdict:
    """Compare recorded Go runs with gmpkit runs (one per seed) under the scenario's kind."""
    sim_obs = [sc.observe(r) for r in sims]
    sim_txt = [_fmt(o) for o in sim_obs]
    gos = go_set(sc, recorded)
    go_txt = " | ".join(f"{k} (×{n})" if len(gos) > 1 else k for k, n in gos.most_common())
    sim_distinct = list(dict.fromkeys(sim_txt))
    sim_show = " | ".join(sim_distinct)
    if sc.kind == "statistical":
        problems = []
        for raw, _ in recorded:
            problems += [f"Go: {p}" for p in out_of_bounds(sc, sc.observe(raw))]
        for seed, o in zip(sc.seeds, sim_obs):
            problems += [f"gmpkit seed {seed}: {p}" for p in out_of_bounds(sc, o)]
        return Verdict(not problems, go_txt, sim_show, "; ".join(problems))
    if sc.kind == "exact" and len(gos) != 1:
        return Verdict(False, go_txt, sim_show, "Go's recorded output varies: not an exact scenario")
    wrong = [(seed, t) for seed, t in zip(sc.seeds, sim_txt) if t not in gos]
    detail = "; ".join(f"seed {s} gave {t!r}" for s, t in wrong)
    return Verdict(not wrong, go_txt, sim_show, detail)
