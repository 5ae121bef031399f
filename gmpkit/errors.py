"""Exceptions raised by gmpkit.

Two families, kept apart on purpose:

* ``GoExit`` and its subclasses mean *the simulated Go program failed the way real Go fails*:
  a panic that nobody recovered, or a fatal runtime error such as a deadlock. They carry Go's exact
  text (``.stderr``), Go's exit status (``.exit_code``, 2) and the trace recorded so far.
* ``UsageError`` means *gmpkit was used wrongly*: a non-``async`` function passed to ``go``, a
  negative duration, an asyncio object awaited inside a goroutine... The message names the mistake
  and the fix. ``SimulationLimit`` means a safety limit (virtual time or steps) ended the run.

``PanicError`` is what a goroutine sees *inside* the simulation when the runtime panics on its
behalf (``send on closed channel``...). Catching it is gmpkit's ``recover()``; letting it escape
ends the program with ``panic: ...`` like Go. ``GoexitUnwind`` is ``runtime.Goexit`` on its way up
a goroutine's stack.
"""

from __future__ import annotations

from typing import Any


class UsageError(Exception):
    """A mistake in how gmpkit is called; the message says what was wrong and how to fix it."""


class UsageTypeError(UsageError, TypeError):
    """A wrong kind of argument (e.g. a plain function passed to ``go``)."""


class UsageValueError(UsageError, ValueError):
    """A wrong value (e.g. ``gomaxprocs=0`` or a negative duration)."""


class PanicError(Exception):
    """A Go panic raised inside a goroutine; ``.value`` is the panic value.

    Raise it with ``gk.panic(value)``; the runtime raises it for channel misuse with Go's texts.
    Catching it inside the goroutine is the model's ``recover()``.
    """

    def __init__(self, value: Any, hint: str = ""):
        super().__init__(value)
        self.value = value
        self.hint = hint  # how to fix it; shown by the Python exception, never in Go's text

    def __str__(self) -> str:
        return str(self.value)


class GoexitUnwind(BaseException):
    """``runtime.Goexit`` unwinding a goroutine (raised by ``gk.goexit()``): as it propagates, the
    goroutine's deferred calls -- its ``finally`` blocks -- run; when it reaches the top, the
    goroutine ends. A BaseException, so that ``except Exception`` (the model's ``recover``)
    does not stop it, as ``recover`` returns nil during Goexit."""


class GoExit(Exception):
    """The simulated Go program ended with a failure: exit status and Go's stderr text."""

    def __init__(self, stderr: str, exit_code: int = 2, trace: Any = None, hint: str = ""):
        super().__init__(stderr.rstrip("\n") + (f"\n\nhint: {hint}" if hint else ""))
        self.stderr = stderr
        self.exit_code = exit_code
        self.trace = trace
        self.hint = hint


class GoPanic(GoExit):
    """An unrecovered panic: ``panic: <value>`` and the panicking goroutine's header."""


class GoFatal(GoExit):
    """A fatal runtime error: deadlock, thread exhaustion... (``fatal error: ...``)."""


class SimulationLimit(Exception):
    """A run hit its virtual-time or step limit; ``.trace`` holds what was recorded so far."""

    def __init__(self, message: str, trace: Any = None):
        super().__init__(message)
        self.trace = trace
