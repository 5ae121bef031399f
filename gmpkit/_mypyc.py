"""mypyc's class options for the compiled build (README.md, "Compiled build"), without needing
``mypy_extensions`` at run time: when it is absent the decorator does nothing, as it does in the
pure build anyway. mypyc reads the option when it compiles a class the decorator marks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr
else:
    try:
        from mypy_extensions import mypyc_attr
    except ImportError:
        def mypyc_attr(*attrs: Any, **kwattrs: Any) -> Any:
            return lambda cls: cls

__all__ = ["mypyc_attr"]
