"""The package's shape: the simulator core is layered like a reader of proc.go expects.

These tests read the source (``ast``), not the imported modules, so they see every import: at
module level and inside functions. Imports under ``if TYPE_CHECKING:`` are left out on purpose:
they never run, and exist only so that type checkers know the names of types defined higher up.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "gmpkit"

#: The simulator core, bottom layer first. A module may import modules of lower layers only
#: (docs/model.md draws the same picture). Everything else in the package sits above the core.
CORE_LAYERS = [
    ["_mypyc", "errors", "runtime2"],
    ["hooks", "machine", "ops", "recording"],
    ["chan", "sync", "dump"],
    ["timers", "netpoll", "gomaxprocs"],
    ["sysmon"],
    ["sched"],
    ["sim"],
]
CORE = {m for layer in CORE_LAYERS for m in layer}
LAYER = {m: i for i, layer in enumerate(CORE_LAYERS) for m in layer}
#: The one third-party import the core may make: mypyc's class options, only when installed
#: (gmpkit/_mypyc.py; the compiled build reads them, the pure one does without).
OPTIONAL_THIRD_PARTY = {"mypy_extensions"}
#: No module of the package is longer than this many lines.
MAX_LINES = 1200


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name relative to ``gmpkit`` (``demos.threads``)."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1] or ["__init__"]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> set[str]:
    """What module ``name`` imports when it runs: absolute names (``gmpkit.x`` or third party),
    from every import statement except those guarded by ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ["gmpkit", *name.split(".")]
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    mod = ".".join(base + ([child.module] if child.module else []))
                    if child.module:
                        found.add(mod)
                    for alias in child.names:  # `from . import timers` imports a module
                        candidate = f"{mod}.{alias.name}"
                        if candidate.removeprefix("gmpkit.") in MODULES:
                            found.add(candidate)
                else:
                    found.add(child.module or "")
            visit(child)

    visit(tree)
    return found


def _internal(imported: set[str]) -> set[str]:
    """The package modules among the imported names (``gmpkit.x.y`` -> ``x.y``)."""
    out = set()
    for full in imported:
        if full == "gmpkit":
            out.add("__init__")
        elif full.startswith("gmpkit."):
            short = full.removeprefix("gmpkit.")
            while short not in MODULES and "." in short:
                short = short.rsplit(".", 1)[0]
            out.add(short)
    return out


GRAPH = {name: _internal(_imports(name, path)) - {name} for name, path in MODULES.items()}


def test_the_walker_sees_function_level_and_relative_imports(tmp_path):
    """The graph comes from real import statements, function-level ones included."""
    src = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from . import timers\n"
        "from .ops import Op\n"
        "if TYPE_CHECKING:\n    from .api import Trace\n"
        "def f():\n    from .trace import Recorder\n    import pandas\n"
    )
    path = tmp_path / "probe.py"
    path.write_text(src)
    got = _imports("probe", path)
    assert {"gmpkit.timers", "gmpkit.ops", "gmpkit.trace", "pandas"} <= got
    assert "gmpkit.api" not in got


def test_every_core_module_exists_and_is_placed_in_a_layer():
    """The layer list names real modules, and every module outside it is above the core."""
    assert CORE <= set(MODULES), CORE - set(MODULES)


def test_the_package_import_graph_has_no_cycles():
    """No two modules of the package import each other, directly or through others, even
    inside functions."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                dfs(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            dfs(node)


@pytest.mark.parametrize("name", sorted(CORE))
def test_core_modules_import_only_lower_layers_and_the_standard_library(name):
    """The core never imports the public API, the recorder, charts, widgets or any third-party
    package, and each core module imports only modules of the layers below its own."""
    imported = _imports(name, MODULES[name])
    third_party = {
        full.split(".")[0] for full in imported
        if not full.startswith("gmpkit") and full.split(".")[0] not in sys.stdlib_module_names
        and full != "__future__" and full not in OPTIONAL_THIRD_PARTY
    }
    assert not third_party, f"{name} imports {sorted(third_party)}"
    for dep in GRAPH[name]:
        assert dep in CORE, f"core module {name} imports {dep}, which is above the core"
        assert LAYER[dep] < LAYER[name], (
            f"{name} (layer {LAYER[name]}) imports {dep} (layer {LAYER[dep]}): a module may "
            "import only lower layers"
        )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_longer_than_the_limit(name):
    """Each module is one concern a reader can hold in mind: at most MAX_LINES lines."""
    lines = MODULES[name].read_text().count("\n")
    assert lines <= MAX_LINES, f"gmpkit/{name} has {lines} lines (limit {MAX_LINES})"
