"""Runnable demonstrations for the process, thread and coroutine chapters (notebooks 01–03).

The submodules are small and each demonstrates one idea:

- :mod:`gmpkit.demos.processes` — worker functions that child processes run (they must live in an
  importable module: the ``spawn`` start method pickles a function by its module and name, so a
  function defined in a notebook cell cannot be sent to a spawned child), and the experiments on
  isolation, crashes and IPC.
- :mod:`gmpkit.demos.threads` — shared memory, lost updates and locks, the GIL, thread limits.
- :mod:`gmpkit.demos.coroutines` — an HTTP server on 127.0.0.1 for I/O experiments, a stalled
  event loop, coroutine costs.
- :mod:`gmpkit.demos.measure` — timing helpers and the tables and charts built from them.
- :mod:`gmpkit.demos.compare` — one comparison table (creation cost, memory per unit, switch cost)
  shared by all chapters.

This package imports only the standard library when it is imported, so that a spawned child, which
re-imports the module of its worker function, starts quickly. pandas and plotly are imported by
:mod:`~gmpkit.demos.measure` and :mod:`~gmpkit.demos.compare` only when you use them.
"""

from __future__ import annotations
