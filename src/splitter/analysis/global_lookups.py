"""`'name' in globals()`, `globals().get('name')`, `globals()['name']`: the module's namespace asked for one name.

A function that guards a call this way (strategyos' `humanize_token(s) if 'humanize_token' in globals() else s`)
reads one name it also reads directly, so its names can be traced: wherever it goes, its module binds that name
by importing it, and the guard answers as before. Only a name the split reads through another module (a seam:
`shared.x`, the app read as `core.app`) would be missing there; planning/name_lookups.py keeps such code in place.
Any other use of `globals()` (passing it on, iterating it, writing to it) still counts as untraceable.
"""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import walk


def literal_lookups(statement: ast.AST) -> frozenset[str] | None:
    """The names `statement`'s `globals()` calls look up by a literal string, or None when one of those calls is
    used in any other way."""
    looked_up: dict[int, str] = {}
    calls: list[ast.Call] = []
    for node in walk(statement):
        if _is_globals_call(node):
            calls.append(node)  # type: ignore[arg-type]
        found = _lookup(node)
        if found is not None:
            looked_up[id(found[0])] = found[1]
    if any(id(call) not in looked_up for call in calls):
        return None
    return frozenset(looked_up.values())


def _is_globals_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "globals"
        and not node.args
        and not node.keywords
    )


def _name(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _lookup(node: ast.AST) -> tuple[ast.AST, str] | None:
    """(the globals() call, the name) when `node` is one of the three literal lookups."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
        name, container = _name(node.left), node.comparators[0]
        return (container, name) if name and _is_globals_call(container) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        name = _name(node.args[0]) if node.args and len(node.args) <= 2 and not node.keywords else None
        return (node.func.value, name) if name and _is_globals_call(node.func.value) else None
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        name = _name(node.slice)
        return (node.value, name) if name and _is_globals_call(node.value) else None
    return None
