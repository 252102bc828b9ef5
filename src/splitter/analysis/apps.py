"""Which module-level FastAPI apps the monolith creates, which one to split, and its lifespan.

The app to split is the one most routes are registered on; an app may be created in every branch of a top-level
`if` (pingpong: `v1 = FastAPI()` in development, `FastAPI(openapi_url=None, ...)` otherwise).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from splitter.analysis.ast_walk import walk
from splitter.analysis.conditional_binds import branch_statements
from splitter.analysis.model import FORWARD_FUNCTION, ROUTE_DECORATORS, Diagnostic, Unit
from splitter.analysis.registrations import literal_string
from splitter.errors import SplitterError


def _primary_first(tree: ast.Module, apps: list[tuple[str, ast.stmt]]) -> list[tuple[str, ast.stmt]]:
    """The app to split is the one most routes are registered on (a small sub-application is often created
    first), then the first created; in a module an earlier apply left, a router it includes counts as a route
    (pingpong's `v1` sub-app: its routes all moved, and its `/health` app was split on a second run)."""
    counts = _registration_counts(tree)
    order = {name: position for position, (name, _) in enumerate(apps)}
    return sorted(apps, key=lambda app: (-counts.get(app[0], 0), order[app[0]]))


def route_decorator_counts(tree: ast.Module) -> dict[str, int]:
    """name -> how many top-level definitions a `@name.<method>(...)` decorator registers."""
    counts: dict[str, int] = {}
    for node in tree.body:
        for decorator in getattr(node, "decorator_list", []):
            func = decorator.func if isinstance(decorator, ast.Call) else None
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                counts[func.value.id] = counts.get(func.value.id, 0) + 1
    return counts


def _app_made_in_a_function(tree: ast.Module) -> tuple[int, str, str, ast.AST, str] | None:
    """(line, what makes it, what kind of maker, what registers its routes, where) of the first `FastAPI(...)`
    call inside a top-level function, or inside a method: `self.app = FastAPI()`, routes in the class's methods."""
    for node in tree.body:
        methods = node.body if isinstance(node, ast.ClassDef) else []
        for method in (m for m in methods if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))):
            line = _makes_an_app(method)
            if line is not None:
                return line, f"{node.name}.{method.name}", "a class-based app", node, f"in `{node.name}`'s methods"
    for node in walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            line = _makes_an_app(node)
            if line is not None:
                return line, node.name, "an app factory", node, "inside it"
    return None


def _makes_an_app(function: ast.AST) -> int | None:
    """The line of a `FastAPI(...)` call inside `function`, if any."""
    for inner in walk(function):
        callee = inner.func if isinstance(inner, ast.Call) else None
        name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
        if name == "FastAPI":
            return inner.lineno
    return None


def pin_app_factories(tree: ast.Module, units: list[Unit], lines: list[str]) -> None:
    """In a routes module (no module-level app), a function that makes the app stays in main.py: it is the app's
    creation, and moved, code importing it from its new module would never import main.py, which creates the
    router it includes. (Only functions whose text names `FastAPI` are walked.)"""
    for unit in units:
        node = tree.body[unit.index]
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not any("FastAPI" in line for line in lines[unit.first_line - 1 : unit.last_line]):
            continue
        if _makes_an_app(node) is not None:
            unit.pinned_reason = unit.pinned_reason or "makes the FastAPI app (an app factory)"


def ordered_apps(
    tree: ast.Module,
    path: Path,
    apps: list[tuple[str, ast.stmt]],
    routers: dict[str, ast.stmt] | None = None,
    factory: ast.stmt | None = None,
) -> tuple[list[tuple[str, ast.stmt]], list[Diagnostic]]:
    """The FastAPI apps the module creates (`apps`: name, statement), the one to split first, and a diagnostic
    when there are several. A module with no app whose routes are registered on its own APIRouter (`routes.py`
    beside an app factory that includes it) has that router split instead (`routers`: name -> statement)."""
    if not apps:
        router = _router_split_instead(tree, routers or {})
        if router is not None:
            return [router], []
        if factory is not None:  # its routes were taken out into functions it calls (analysis/factory_routes.py)
            return [("", factory)], []
        made_in = _app_made_in_a_function(tree)
        if made_in is not None and made_in[2] == "an app factory" and split_before(tree):
            return [("", made_in[3])], []  # earlier waves took out every route they could: the rest stays
        if made_in is not None:
            line, function, kind, holder, where = made_in
            inside = _inside(holder, where)
            raise SplitterError(
                f"holds no FastAPI app at module level: `{function}()` makes one here ({kind}){inside}; "
                "splitter splits an app, or an APIRouter and its routes, that the module creates at top level",
                path,
                line,
            )
        forward = _forward_call(tree)
        if forward is not None:  # what a split of peer routers leaves: routers.py and its modules hold them all
            return [("", forward)], []
        raise SplitterError(
            "holds no FastAPI app: no module-level `app = FastAPI(...)`, nor an APIRouter with routes, to split",
            path,
            1,
        )
    apps = _primary_first(tree, apps)
    names = tuple(dict.fromkeys(name for name, _ in apps))
    if len(names) <= 1:
        return apps, []
    message = (
        f"several FastAPI apps ({', '.join(names)}); only `{names[0]}`, which holds the most "
        "routes, is split, the others stay in main.py"
    )
    return apps, [Diagnostic("several-apps", apps[1][1].lineno, message)]


def _inside(node: ast.AST, where: str) -> str:
    """` and registers its 83 routes inside it`, when the factory (or the class) does (a pure move cannot take
    them out)."""
    decorated = [
        inner
        for inner in walk(node)
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.decorator_list and inner is not node
    ]
    routes = sum(1 for f in decorated for d in f.decorator_list if _is_route_decorator(d))
    return (
        f" and registers its {routes} route{'s' * (routes != 1)} {where}, out of a pure move's reach" if routes else ""
    )


def _is_route_decorator(decorator: ast.expr) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else None
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATORS


def _router_split_instead(tree: ast.Module, routers: dict[str, ast.stmt]) -> tuple[str, ast.stmt] | None:
    """The module-level APIRouter most routes are registered on, when the module makes no app at module level (an
    app factory here stays in main.py: `pin_app_factories`)."""
    counts = _registration_counts(tree)
    ranked = sorted(routers.items(), key=lambda item: -counts.get(item[0], 0))
    if not ranked or not counts.get(ranked[0][0], 0):
        return None
    total = sum(counts.get(name, 0) for name in routers)
    if 2 * counts[ranked[0][0]] <= total:  # peers (a router per resource): each moves whole, none is split
        return "", ranked[0][1]
    return ranked[0]


def split_before(tree: ast.Module) -> bool:
    """The module is what an earlier apply left: it runs `compat.forward_moved_names(__name__)`."""
    return _forward_call(tree) is not None


def _forward_call(tree: ast.Module) -> ast.stmt | None:
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == FORWARD_FUNCTION:
            return node
    return None


def routers_hold_routes(tree: ast.Module, routers: dict[str, ast.stmt]) -> bool:
    """Whether a module-level APIRouter registers routes, or, in a module an earlier apply left, includes the
    routers its routes moved to (then it is split again, not an app factory beside it)."""
    counts = _registration_counts(tree)
    return any(counts.get(name) for name in routers)


def _registration_counts(tree: ast.Module) -> dict[str, int]:
    """name -> the routes registered on it; in a module an earlier apply left, each router it includes counts as
    one too: the routes that apply moved went there."""
    counts = route_decorator_counts(tree)
    if split_before(tree):
        for name, included in _include_counts(tree).items():
            counts[name] = counts.get(name, 0) + included
    return counts


def pin_readers_of_split_routers(tree: ast.Module, units: list[Unit], package: str | None) -> None:
    """In a module an earlier apply left, what reads a name it imports from the routers that apply wrote stays
    in main.py: the first apply kept it there (moved to core.py or shared.py it would import a router, which
    imports them), and a second run must find nothing new to move (tideway's restore call went to app_core.py)."""
    if not split_before(tree):
        return
    prefix = f"{package}." if package else ""
    from_routers = {
        alias.bound
        for unit in units
        if unit.kind == "import"
        for alias in unit.imports
        if _ROUTERS_PACKAGE.match(alias.module if alias.level else alias.module.removeprefix(prefix))
    }
    for unit in units:
        read = sorted(unit.uses & from_routers)
        if read and unit.kind != "import" and not unit.route_owner and not unit.pinned_reason:
            unit.pinned_reason = f"reads `{read[0]}`, imported from a router an earlier split wrote"


_ROUTERS_PACKAGE = re.compile(r"(?:\w+_)?routers(?:_\d+)?(?:\.|$)")  # `routers`, `api_routers` (layout.py)


def _include_counts(tree: ast.Module) -> dict[str, int]:
    """name -> how many top-level `name.include_router(...)` statements include a router into it."""
    counts: dict[str, int] = {}
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        func = call.func if isinstance(call, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr == "include_router" and isinstance(func.value, ast.Name):
            counts[func.value.id] = counts.get(func.value.id, 0) + 1
    return counts


def app_lifespan(app_statement: ast.stmt) -> str | None:
    """The function `lifespan=` names, when every statement creating the app (one, or each branch's) names it."""
    named = set()
    for statement in branch_statements(app_statement):
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(statement.value, ast.Call):
            keyword = next((k for k in statement.value.keywords if k.arg == "lifespan"), None)
            named.add(keyword.value.id if keyword and isinstance(keyword.value, ast.Name) else None)
    return named.pop() if len(named) == 1 else None


def router_settings(tree: ast.Module, app: str, made_by: ast.stmt) -> dict[str, str]:
    """`app.router.route_class = TimedRoute` at module level, or `router = APIRouter(route_class=TimedRoute)` when
    that router is what is split: routes registered on a generated APIRouter would otherwise be plain APIRoutes (a
    header, timing or logging the route class adds silently lost; an including router keeps each route's class).
    The including router's other settings (prefix, tags, dependencies, responses...) reach included routes."""
    settings = {}
    call = getattr(made_by, "value", None)
    for keyword in call.keywords if isinstance(call, ast.Call) else ():
        if keyword.arg == "route_class":
            settings["route_class"] = ast.unparse(keyword.value)
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        owner = target.value if isinstance(target, ast.Attribute) else None
        if (
            isinstance(owner, ast.Attribute)
            and owner.attr == "router"
            and isinstance(owner.value, ast.Name)
            and owner.value.id == app
            and target.attr == "route_class"
        ):
            settings[target.attr] = ast.unparse(node.value)
    return settings


def router_prefixes(routers: dict[str, ast.stmt]) -> dict[str, str]:
    """router variable -> the literal `prefix=` of its `APIRouter(...)` ("" when none or not a literal)."""
    return {
        name: literal_string(next((k.value for k in node.value.keywords if k.arg == "prefix"), None), {}) or ""
        for name, node in routers.items()
    }
