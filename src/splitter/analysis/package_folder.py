"""Expressions naming the folder of the monolith's package through a module of it: `os.path.dirname(calls.__file__)`,
`Path(calls.__file__).parent` (`from fused_render import calls`). Joined to the monolith's file name they name the
monolith as surely as `ROOT / "fused_render" / "server.py"` (fused-render's test_calls.py opened
`os.path.join(os.path.dirname(calls.__file__), "server.py")` and grepped its text), though the package is spelled
only in an import (analysis/source_file_reads.py)."""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import walk
from splitter.analysis.patched_names import dotted_name

# what a module's `__file__` may be wrapped in before its folder is taken
_SAME_FILE = frozenset({"abspath", "realpath", "normpath", "resolve", "absolute", "Path", "PurePath"})


def package_modules(tree: ast.AST, package: str) -> set[str]:
    """Names bound to the package or to one of its modules: `from pkg import calls`, `import pkg.calls as calls`,
    `import pkg` (`package` is the package's last part, as `spelled_ending` has it)."""
    names = set()
    for node in walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == package:
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if package in parts[-2:] and (alias.asname or len(parts) == 1):
                    names.add(alias.asname or alias.name)
    return names


def is_package_folder(node: ast.AST | None, modules: set[str]) -> bool:
    """`dirname(calls.__file__)`, `Path(calls.__file__).parent`, `Path(calls.__file__).resolve().parent`, with
    `calls` one of `modules`."""
    if isinstance(node, ast.Call) and (dotted_name(node.func) or "").rpartition(".")[2] == "dirname":
        return len(node.args) == 1 and _module_file(node.args[0], modules)
    return isinstance(node, ast.Attribute) and node.attr == "parent" and _module_file(node.value, modules)


def _module_file(node: ast.AST, modules: set[str]) -> bool:
    """`calls.__file__`, also inside `abspath(...)`, `Path(...)`, `.resolve()`."""
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "__file__":
            return isinstance(node.value, ast.Name) and node.value.id in modules
        if not isinstance(node, ast.Call):
            return False
        callee = node.func
        name = (dotted_name(callee) or "").rpartition(".")[2] if not isinstance(callee, ast.Attribute) else callee.attr
        if name not in _SAME_FILE:
            return False
        node = node.args[0] if node.args else callee.value if isinstance(callee, ast.Attribute) else None  # type: ignore[assignment]
