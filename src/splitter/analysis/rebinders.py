"""Functions that rebind a module global with `global`, and whether one can live apart from the global.

A global and the functions rebinding it move together (analysis/blocks.py), unless that pins the global and its
readers in main.py or makes an import cycle (planning/rebinders_apart.py). Then the global moves to its home as
a seam and the rebinder, wherever it lives, reads and assigns it through that module: `core.X = v`, `core.X += 1`,
`del core.X`, `for core.X in ...`, `with f() as core.X`, and its `global` statement drops the name (the codemod
`qualify_seams` and `emit/seam_edits.py`). A binding that cannot name an attribute keeps them together: an
assignment expression (`X := v`), an import, `except ... as X`, a `def`/`class X`, a `case` pattern, or code
reaching the module's namespace itself (`globals()`, `exec`).
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from splitter.analysis.model import Analysis
from splitter.analysis.scopes import Scope, build_scopes


class Rebinder(NamedTuple):
    """`unit` declares `global name` in one of its functions and does not bind `name` at module level."""

    name: str
    unit: int
    blocker: str = ""  # why it cannot live apart from the global ('' = it can), with the line


def attribute_unsafe(scope: Scope) -> dict[str, tuple[int, str]]:
    """Names `scope` declares `global` and binds in a way `home.name` cannot write -> (line, how)."""
    found: dict[str, tuple[int, str]] = {}
    walrus: set[int] | None = None
    for name in sorted(scope.declared_global):
        for node in scope.binders.get(name, ()):
            if isinstance(node, ast.Name):
                if walrus is None:
                    walrus = {id(n.target) for n in ast.walk(scope.node) if isinstance(n, ast.NamedExpr)}
                if id(node) not in walrus:
                    continue
            found[name] = (getattr(node, "lineno", 0), _how_bound(node))
            break
    return found


def unsafe_in(scope: Scope, cache: dict[int, dict[str, tuple[int, str]]]) -> dict[str, tuple[int, str]]:
    """`attribute_unsafe(scope)`, asked once per scope of one statement's walk (`cache`: scope id -> answer)."""
    if id(scope) not in cache:
        cache[id(scope)] = attribute_unsafe(scope)
    return cache[id(scope)]


def kept_bare(scope: Scope, name: str, cache: dict[int, dict[str, tuple[int, str]]]) -> bool:
    """Whether `name`, read or bound in `scope`'s code, is a global that the function declaring it binds in a
    way no attribute can take: that function keeps `global name`, and all its uses of the name stay bare, as
    they were (`cache`: as `unsafe_in` keeps it)."""
    current: Scope | None = scope
    while current is not None and current.kind != "module":
        if name in current.declared_global:
            return name in unsafe_in(current, cache)
        current = current.parent
    return False


def _how_bound(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return "an assignment expression (`:=`)"
    if isinstance(node, ast.alias):
        return "an import"
    if isinstance(node, ast.ExceptHandler):
        return "`except ... as`"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return "a `def`" if not isinstance(node, ast.ClassDef) else "a `class`"
    if isinstance(node, (ast.MatchAs, ast.MatchStar, ast.MatchMapping)):
        return "a `case` pattern"
    return f"a {type(node).__name__}"


def rebinders(analysis: Analysis, only: set[int] | None = None) -> list[Rebinder]:
    """Every (global, unit rebinding it) pair whose global the module binds at its top level, in unit order
    (`only`: of these units)."""
    bound = {name for unit in analysis.units if not unit.is_copied for name in unit.binds}
    found = []
    for unit in analysis.units:
        if only is not None and unit.index not in only:
            continue
        names = sorted((unit.rebinds_globals & bound) - set(unit.binds))
        if not names:
            continue
        blockers = _blockers(analysis, unit.index)
        found += [Rebinder(name, unit.index, blockers.get(name, blockers.get("", ""))) for name in names]
    return found


def _blockers(analysis: Analysis, index: int) -> dict[str, str]:
    """name -> why this unit cannot rebind it through another module ('' key: for every name)."""
    unit = analysis.units[index]
    dynamic = [d for d in unit.dynamic if d != "__file__"]
    if dynamic:
        return {"": f"it uses {', '.join(dynamic)} (line {unit.first_line}), which reach this module's own names"}
    if analysis.tree is None:
        return {"": "its code could not be read"}
    found = {}
    for scope in build_scopes(analysis.tree.body[index]).walk():
        for name, (line, how) in attribute_unsafe(scope).items():
            found.setdefault(name, f"line {line} binds it with {how}, which cannot assign an attribute")
    return found


def separable(analysis: Analysis) -> frozenset[tuple[str, int]]:
    """(global, rebinding unit) pairs that may live in different modules: a plan may place them apart."""
    return frozenset((r.name, r.unit) for r in rebinders(analysis) if not r.blocker)
