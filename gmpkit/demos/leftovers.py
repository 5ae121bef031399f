"""Did a chapter leave anything running? Child processes and threads it started, checked at its end.

A notebook cannot simply compare ``threading.enumerate()`` at its end with its start: the Jupyter
kernel starts threads of its own while the chapter runs (JupyterLab's kernel starts IPython's
``IPythonHistorySavingThread`` at some point after the first cell; nbval's kernel does not), and
those are not the chapter's. :class:`Started` therefore counts a new thread as the chapter's only
when its code is not the kernel's: a thread whose target (or, for a ``Thread`` subclass, whose
class) lives in one of :data:`KERNEL_PACKAGES` belongs to Jupyter. Everything else that is new --
threads whose code is in a notebook cell (``__main__``), in gmpkit, in ``concurrent.futures``,
``multiprocessing``, ``threading`` itself -- was started by the chapter and must have ended.

    >>> started = Started()            # first cell of the chapter
    >>> ...                             # the chapter
    >>> started.report()                # last cell: what is still running, in words
    >>> assert started.clean()

Standard library only.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass

__all__ = ["KERNEL_PACKAGES", "Started", "Leftovers", "owner_module"]

#: Top-level packages whose threads belong to the Jupyter kernel, not to a chapter.
KERNEL_PACKAGES = frozenset({
    "IPython", "ipykernel", "jupyter_client", "jupyter_core", "zmq", "tornado", "traitlets",
    "comm", "debugpy", "pydevd", "_pydevd_bundle", "_pydev_bundle", "ipywidgets", "anywidget",
    "nbclient", "prompt_toolkit", "jedi", "parso", "matplotlib_inline",
})


def owner_module(thread: threading.Thread) -> str:
    """The module whose code the thread runs: its target's module, else its class's module."""
    target = getattr(thread, "_target", None)
    if target is not None:
        module = getattr(target, "__module__", None)
        if module is None and hasattr(target, "__func__"):  # a bound method of a builtin class
            module = getattr(target.__func__, "__module__", None)
        if module:
            return str(module)
    return type(thread).__module__


def _is_kernel_thread(thread: threading.Thread) -> bool:
    return owner_module(thread).split(".")[0] in KERNEL_PACKAGES


@dataclass(frozen=True)
class Leftovers:
    """What was still running at the check: thread names (with the module that started them) and
    child processes."""

    threads: tuple[str, ...]
    children: tuple[str, ...]

    def __bool__(self) -> bool:  # truthy when something is left over
        return bool(self.threads or self.children)

    def __str__(self) -> str:
        if not self:
            return ("Nothing left running: every child process and every thread this chapter "
                    "started has ended.")
        lines = []
        if self.children:
            lines.append(f"child processes still running: {', '.join(self.children)}")
        if self.threads:
            lines.append(f"threads still running: {', '.join(self.threads)}")
        return "\n".join(lines)

    __repr__ = __str__


class Started:
    """Remember the threads and child processes that exist now; later, list the new ones that
    the chapter (not the Jupyter kernel) started and that are still running."""

    def __init__(self) -> None:
        self._threads = set(threading.enumerate())
        self._children = set(multiprocessing.active_children())

    def leftovers(self) -> Leftovers:
        """New threads (not the kernel's) and child processes that are still alive."""
        threads = tuple(
            f"{t.name} ({owner_module(t)})" for t in threading.enumerate()
            if t not in self._threads and t.is_alive() and not _is_kernel_thread(t)
        )
        children = tuple(
            f"{p.name} (pid {p.pid})" for p in multiprocessing.active_children()
            if p not in self._children
        )
        return Leftovers(threads, children)

    def report(self) -> Leftovers:
        """The same as :meth:`leftovers`; it prints as a sentence."""
        return self.leftovers()

    def clean(self) -> bool:
        """True when nothing the chapter started is still running."""
        return not self.leftovers()
