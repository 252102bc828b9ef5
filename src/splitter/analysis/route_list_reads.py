"""Reads of an app's route list (`app.routes`, `app.router.routes`) in one top-level statement of the monolith,
and which of them `apply` can point at the routes themselves (emit/route_reads.py).

FastAPI 0.137 and later keep an included router as one entry of the list, and serve its routes through contexts
it builds from them once, when first asked. So a list of the routes in its place reads the same only where the
routes are read at import time and never kept: a loop or comprehension that reads (or sets) attributes of each
(`for r in app.routes: r.methods = {...}`), `len(app.routes)`, `app.routes[-1].path`. A route kept for later
(`WIDENED.append(r)`, treg's loop, whose list a function changes again when the OpenAPI document is made) would
be changed after FastAPI built its contexts, which then no longer follow: such reads stay plan warnings.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from splitter.analysis.model import Analysis
from splitter.analysis.patched_names import dotted_name

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
# calls that look at a route and keep nothing of it
_LOOKERS = frozenset({"isinstance", "getattr", "hasattr", "setattr", "str", "repr", "type", "id", "print"})


class RouteRead(NamedTuple):
    statement: int  # its top-level statement (the unit's index)
    line: int
    shown: str
    whole: bool  # read at import time and never kept (`route_list_reads`): apply lists the routes there


def monolith_route_reads(analysis: Analysis) -> list[RouteRead]:
    """Each read of the app's route list in the monolith's own code (treg widened every GET route to HEAD by a
    loop over `app.routes` after registering them: split, the loop found no route). Only statements whose text
    has `.routes` are walked."""
    if ".routes" not in analysis.source:
        return []
    apps, found = set(analysis.app_names), []
    for index, statement in enumerate(analysis.tree.body):
        if ".routes" in analysis.text_of(statement.lineno, statement.end_lineno):
            found += [
                RouteRead(index, node.lineno, f"{dotted_name(node.value)}.routes", whole)
                for node, whole in route_list_reads(statement, apps)
            ]
    return found


def route_list_reads(statement: ast.stmt, apps: set[str]) -> list[tuple[ast.Attribute, bool]]:
    """Each read in `statement`, but not one handed to FastAPI as `routes=` (`get_openapi(routes=app.routes)`
    reads included routers as the app does), with whether it runs at import time and only reads the routes."""
    found: list[tuple[ast.Attribute, bool]] = []
    handed: set[int] = set()

    def visit(node: ast.AST, parents: list[ast.AST], nested: bool) -> None:
        if isinstance(node, ast.Call):
            handed.update(id(k.value) for k in node.keywords if k.arg == "routes")
        if isinstance(node, ast.Attribute) and node.attr == "routes" and id(node) not in handed:
            owner = dotted_name(node.value)
            if owner and owner.removesuffix(".router") in apps:
                found.append((node, not nested and _routes_only_read(node, parents)))
                return
        inner = nested or isinstance(node, _SCOPES)
        for child in ast.iter_child_nodes(node):
            comprehended = isinstance(node, _COMPREHENSIONS) and child is not node.generators[0]
            visit(child, [*parents, node], inner or comprehended)

    visit(statement, [], False)
    return found


def _routes_only_read(node: ast.Attribute, parents: list[ast.AST]) -> bool:
    parent = parents[-1] if parents else None
    if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
        return _only_looked_at(parent.target, parent.body + parent.orelse)
    if isinstance(parent, ast.comprehension) and parent.iter is node and len(parents) >= 2:
        comprehension = parents[-2]
        parts = [getattr(comprehension, f) for f in ("elt", "key", "value") if hasattr(comprehension, f)]
        parts += [p for generator in comprehension.generators for p in (*generator.ifs, generator.iter)]
        return _only_looked_at(parent.target, [p for p in parts if p is not node])
    if isinstance(parent, ast.Call):
        return isinstance(parent.func, ast.Name) and parent.func.id == "len" and parent.args == [node]
    if isinstance(parent, ast.Subscript) and parent.value is node and len(parents) >= 2:
        return isinstance(parents[-2], ast.Attribute) and isinstance(parents[-2].ctx, ast.Load)
    return False


def _only_looked_at(target: ast.AST, region: list[ast.AST]) -> bool:
    """Whether the loop variable is only looked at in `region`: its attributes read or set, or handed to a call
    in `_LOOKERS`; never kept, passed on, rebound or yielded."""
    if not isinstance(target, ast.Name):
        return False
    for part in region:
        if isinstance(part, ast.Name) and part.id == target.id:  # `[r for r in app.routes]`: the routes kept
            return False
        for parent in ast.walk(part):
            for child in ast.iter_child_nodes(parent):
                if isinstance(child, ast.Name) and child.id == target.id and not _looks_at(parent, child):
                    return False
    return True


def _looks_at(parent: ast.AST, name: ast.Name) -> bool:
    if isinstance(parent, ast.Attribute):
        return parent.value is name
    if isinstance(parent, ast.Call):
        return isinstance(parent.func, ast.Name) and parent.func.id in _LOOKERS and name in parent.args
    return isinstance(parent, ast.Compare)
