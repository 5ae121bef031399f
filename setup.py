"""Build hook for the optional compiled core (mypyc).

``pip install .`` / ``pip wheel .`` give the pure-Python package, as always. With
``GMPKIT_USE_MYPYC=1`` set at build time, the simulator's core modules are compiled with mypyc
(mypy's compiler, pinned below) into C extensions beside the same ``.py`` source, giving a
platform wheel that imports them first. The pure source stays the reference: see README.md,
"Compiled build".
"""

from __future__ import annotations

import os

from setuptools import setup

#: The mypy (and so mypyc) release the compiled build is made and tested with.
MYPY_PIN = "mypy==2.4.1"

#: The modules compiled: the scheduler and the mechanisms on its hot path. Left interpreted:
#: errors (exceptions inheriting from two builtins), api (gk.go reads its caller's frame), the
#: recorder, the lessons, widgets and the Go-comparison tools.
COMPILED = [
    "gmpkit/runtime2.py", "gmpkit/sched.py", "gmpkit/machine.py", "gmpkit/chan.py",
    "gmpkit/timers.py", "gmpkit/netpoll.py", "gmpkit/sync.py", "gmpkit/sysmon.py",
    "gmpkit/gomaxprocs.py", "gmpkit/ops.py", "gmpkit/dump.py", "gmpkit/hooks.py",
    "gmpkit/sim.py", "gmpkit/recording.py",
]

kwargs: dict = {}
if os.environ.get("GMPKIT_USE_MYPYC", "0") not in ("", "0"):
    try:
        from mypyc.build import mypycify
    except ImportError:  # a build frontend's first pass: ask it for the compiler, then rerun
        kwargs["setup_requires"] = [MYPY_PIN]
    else:
        opt = os.environ.get("MYPYC_OPT_LEVEL", "3")
        kwargs["ext_modules"] = mypycify(COMPILED, opt_level=opt, debug_level="0",
                                          group_name="gmpkit_core", target_dir="build/mypyc")

setup(**kwargs)
