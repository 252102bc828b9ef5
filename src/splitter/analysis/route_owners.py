"""What a route decorator registers on, when it is not the app or an `APIRouter(...)` of the monolith.

A router made by a subclass (`class TimedRouter(APIRouter)`, fastapi-utils' `InferringRouter()`) or a factory is
a router all the same: its routes move with it. A decorator registering on anything else (a router imported from
another module, one bound by tuple unpacking or inside a block) cannot be moved safely: moved, its function would
register at another time, or never; it stays in main.py with a warning.
"""

from __future__ import annotations

import ast

from splitter.analysis.model import ROUTE_DECORATORS


def route_decorator_receivers(tree: ast.Module) -> set[str]:
    """Names that top-level functions' decorators register routes on: `@router.get(...)` -> `router`."""
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found |= {owner for d in node.decorator_list if (owner := _receiver(d))}
    return found


def routers_made_by_calls(tree: ast.Module, receivers: set[str], apps: set[str]) -> list[tuple[str, ast.stmt]]:
    """`router = TimedRouter(prefix="/timed")` at module level, for a name route decorators register on."""
    found = []
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or not isinstance(node.value, ast.Call):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id in receivers - apps:
            found.append((targets[0].id, node))
    return found


def unknown_owner_reason(node: ast.stmt, known: frozenset[str]) -> str:
    """Why a function stays in main.py when a route decorator on it registers on neither an app nor a router of
    the monolith ("" when none does)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ""
    owner = next((owner for d in node.decorator_list if (owner := _receiver(d)) and owner not in known), None)
    if owner is None:
        return ""
    return (
        f"its decorator registers a route on `{owner}`, which is not a router this module creates: moved, it would "
        "register at another time, or never"
    )


def _receiver(decorator: ast.expr) -> str | None:
    """`@router.get("/x")` -> `router`: a route method given a path (every route path starts with "/", or is ""
    under a prefix), so `@mock.patch("pkg.x")` is no route."""
    func = decorator.func if isinstance(decorator, ast.Call) else None
    if not isinstance(func, ast.Attribute) or func.attr not in ROUTE_DECORATORS or not isinstance(func.value, ast.Name):
        return None
    path = next((k.value for k in decorator.keywords if k.arg == "path"), decorator.args[0] if decorator.args else None)
    if isinstance(path, ast.JoinedStr) and path.values:
        path = path.values[0]
    if isinstance(path, ast.Constant) and isinstance(path.value, str) and path.value[:1] in ("", "/"):
        return func.value.id
    return None
