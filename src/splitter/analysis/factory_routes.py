"""Routes an app factory registers inside itself, cut into runs a module-level function can register.

`def create_app(): app = FastAPI(...); ... @app.get("/items") def list_items(): ...; return app` holds its routes
as nested definitions, out of a pure move's reach (docmind: 84 routes in one 3,600-line `create_app()`). Each run
of one resource's routes becomes `def register_items(app, ...)` holding those definitions as they were, called by
the factory where the run's first route was (analysis/factory_extract.py writes it); the pipeline then moves these
functions into routers/ like any definition. The factory's locals the routes read are passed in. A route joins a
run only when registering it at the run's place changes nothing it sees:

- no route of another run that one request could match stands between (first match wins), nor a statement that
  adds to the routing table some other way (`app.include_router(...)`, `app.mount(...)`, `setup(app)`);
- a local its decorators or defaults read (evaluated when defined) is not bound again between, and a local its
  body reads (a closure reads the last binding) is bound before the run and never again; a local bound only in a
  branch or loop, or through `nonlocal`, keeps the route in the factory, as do `nonlocal` in the route itself and
  a route function the factory's own code reads by name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from splitter.analysis.ast_walk import walk
from splitter.analysis.model import HOOK_DECORATORS, ROUTE_DECORATORS
from splitter.analysis.overlap import routes_overlap
from splitter.analysis.path_keys import DEFAULT_SKIP_SEGMENTS, group_key
from splitter.analysis.registrations import call_argument, literal_string, route_methods
from splitter.analysis.scopes import Scope, build_scopes

# A run of routes is cut at this many lines, so the planner can still pack runs into modules under the file size
# limit (500 lines with their imports) and put a large resource's runs into several modules.
RUN_MAX_LINES = 300
# App methods that do not add to the routing table: a route may be registered before or after them alike.
_ORDER_NEUTRAL_CALLS = frozenset(
    {"add_middleware", "add_exception_handler", "add_event_handler", "middleware", "exception_handler", "on_event"}
)


@dataclass(frozen=True)
class FactoryRoute:
    function: str
    path: str | None
    methods: tuple[str, ...] | None
    line: int  # the line of its route decorator in the monolith
    owner: str = ""  # what it is registered on: the app, or an APIRouter the factory makes and includes


@dataclass
class Run:
    """Routes (and their positions in the factory's body) registered by one generated function."""

    key: str
    positions: list[int]
    params: list[str] = field(default_factory=list)
    lines: int = 0
    name: str = ""
    setup: bool = False  # statements setting the app up, kept in order: `configure_app(app)`
    returns: list[str] = field(default_factory=list)  # helpers it defines that the factory reads later


@dataclass
class FactoryRuns:
    factory: ast.FunctionDef | ast.AsyncFunctionDef
    app: str  # the factory's local holding the app
    owners: dict[str, str]  # the app and the APIRouters the factory makes -> their literal prefixes
    routes: dict[int, list[FactoryRoute]]  # body position -> the routes its definition registers
    runs: list[Run]
    kept: list[tuple[int, str]]  # (line, why) routes left in the factory
    above: int = 0  # where the module statement before the factory ends
    before: list[ast.stmt] = field(default_factory=list)  # the module's statements above the factory
    maker: str = ""  # when `factory` is a registrar given the app: the function making the app
    also_cut: list[str] = field(default_factory=list)  # other registrars to cut after it, the most routes first
    after: list[ast.stmt] = field(default_factory=list)  # the module's statements below the factory


def find_factory(tree: ast.Module) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, str, dict[str, str]] | None:
    """The module-level function that makes a FastAPI app in its own body and registers routes there, on the app
    or on APIRouters it makes too (owner -> its literal `prefix=`, "" for the app)."""
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        app = next((name for statement in node.body if (name := find_app_local(statement))), None)
        if app is None:
            continue
        owners = {app: ""} | dict(r for s in node.body if (r := _router_local(s)) and r[0] != app)
        if factory_routes(node, owners, {}):
            return node, app, owners
    return None


def find_app_local(statement: ast.stmt) -> str | None:
    made = _made_local(statement, "FastAPI")
    return made[0] if made else None


def _router_local(statement: ast.stmt) -> tuple[str, str] | None:
    """(name, literal prefix) of `name = APIRouter(prefix=...)`; a computed prefix reads as ""."""
    made = _made_local(statement, "APIRouter")
    if made is None:
        return None
    prefix = next((k.value for k in made[1].keywords if k.arg == "prefix"), None)
    return made[0], literal_string(prefix, {}) or "" if prefix is not None else ""


def _made_local(statement: ast.stmt, class_name: str) -> tuple[str, ast.Call] | None:
    if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or not isinstance(statement.value, ast.Call):
        return None
    func = statement.value.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    if called != class_name or len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return None
    return targets[0].id, statement.value


def factory_routes(
    factory: ast.FunctionDef | ast.AsyncFunctionDef, owners: dict[str, str], constants: dict[str, str]
) -> dict[int, list[FactoryRoute]]:
    """body position -> the routes its definition's decorators register on one of `owners` (name -> prefix), in
    registration order (the decorator nearest the function first), each path under its owner's prefix."""
    routes: dict[int, list[FactoryRoute]] = {}
    for position, statement in enumerate(factory.body):
        for decorator in reversed(getattr(statement, "decorator_list", ())):
            func = decorator.func if isinstance(decorator, ast.Call) else None
            if not (isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATORS):
                continue
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            if owner not in owners:
                continue
            path = literal_string(call_argument(decorator, 0, "path"), constants)  # type: ignore[arg-type]
            methods = route_methods(decorator, func.attr)  # type: ignore[arg-type]
            full = owners[owner] + path if path is not None else None
            route = FactoryRoute(statement.name, full, methods, decorator.lineno, owner)  # type: ignore[attr-defined]
            routes.setdefault(position, []).append(route)
    return routes


class FactoryBody:
    """What each statement of the factory's body reads and binds among the factory's locals."""

    def __init__(self, factory: ast.FunctionDef | ast.AsyncFunctionDef, app: str) -> None:
        self.factory, self.app = factory, app
        self.starts = [first_line(s) for s in factory.body]
        scope = next(c for c in build_scopes(factory).children if c.node is factory)
        n = len(factory.body)
        self.def_time: list[set[str]] = [set() for _ in range(n)]  # read when the statement runs
        self.call_time: list[set[str]] = [set() for _ in range(n)]  # read later by functions it defines
        self.nonlocal_at: set[int] = set()
        for name in scope.loads:
            if name.lineno >= self.starts[0]:  # not the factory's own signature
                self.def_time[self.position(name.lineno)].add(name.id)
        for child in scope.children:
            position = self.position(first_line(child.node))
            for inner in child.walk():
                self.nonlocal_at |= {position} if inner.declared_nonlocal else set()
                for read in inner.reads | inner.annotation_reads:
                    if inner.binding_scope(read) is scope:
                        self.call_time[position].add(read)
        self.bindings = self._bindings(scope)
        self.declared_global = scope.declared_global
        self.handler_names = {n.name for n in walk(factory) if isinstance(n, ast.ExceptHandler) and n.name}
        self.readers: dict[str, set[int]] = {}  # local -> positions reading it, when run or later
        for position, names in enumerate(map(set.union, self.def_time, self.call_time)):
            for name in names:
                self.readers.setdefault(name, set()).add(position)

    def position(self, line: int) -> int:
        """The body position of the statement holding `line` (-1: the factory's signature)."""
        low, high = 0, len(self.starts) - 1
        if line < self.starts[0]:
            return -1
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if self.starts[middle] <= line else (low, middle - 1)
        return low

    def _bindings(self, scope: Scope) -> dict[str, list[int]]:
        """local -> positions binding it, -1 for a parameter; a binding at an unknown time (in a branch or loop,
        by `nonlocal` in a nested function) counts as one after the whole body. `bound_at` keeps every position
        binding a name itself, however."""
        found: dict[str, list[int]] = {}
        after_all = len(self.factory.body)
        self.bound_at: list[set[str]] = [set() for _ in self.factory.body]
        self.binding_statements: dict[str, set[int]] = {}  # local -> the positions of every statement binding it
        for name in (n for n in scope.bound if scope.is_local(n)):
            positions = []
            for node in scope.binding_nodes(name):
                if isinstance(node, ast.arg):
                    positions.append(-1)
                    self.binding_statements.setdefault(name, set()).add(-1)
                    continue
                position = self.position(node.lineno)  # type: ignore[attr-defined]
                self.binding_statements.setdefault(name, set()).add(position)
                own = node in scope.binders.get(name, ())
                if own and position >= 0:
                    self.bound_at[position].add(name)
                plain = own and isinstance(self.factory.body[position], _PLAIN_BINDERS)
                positions.append(position if plain else after_all)
            found[name] = positions
        return found

    def reads_outside(self, name: str, positions: set[int]) -> bool:
        """Whether code of the factory other than the statements at `positions` reads its local `name`."""
        return not self.readers.get(name, set()) <= positions

    def order_neutral(self, position: int, owner: str) -> bool:
        """Whether the statement leaves the routes of `owner` alone: it does not read it, or (the app) only to add
        middleware, handlers or state (`app.state.db = db`, `app.openapi = custom_openapi`). Including a router
        reads it: a route registered on it later is not served."""
        statement = self.factory.body[position]
        if owner not in self.def_time[position]:
            return True
        if owner != self.app:
            return False
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return all(_hook_decorator(d, self.app) for d in statement.decorator_list if _names(d, self.app))
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            return _neutral_call(statement.value, self.app)
        if isinstance(statement, ast.Assign):
            return all(_state_target(t, self.app) for t in statement.targets) and not _names(statement.value, self.app)
        return False

    def in_binding_order(self, names: set[str]) -> list[str]:
        """Locals passed to a generated function, the app first, then as the factory binds them."""
        return sorted(names, key=lambda n: (n != self.app, min(self.bindings[n]), n))


_PLAIN_BINDERS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_PLAIN_BINDERS += (ast.Import, ast.ImportFrom)


def first_line(node: ast.AST) -> int:
    """A statement's first line, its decorators included."""
    decorators = getattr(node, "decorator_list", None)
    return min([node.lineno] + [d.lineno for d in decorators or ()])  # type: ignore[attr-defined]


def _names(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in walk(node))


def _hook_decorator(decorator: ast.expr, app: str) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == app):
        return False
    return func.attr in HOOK_DECORATORS and not any(_names(a, app) for a in getattr(decorator, "args", ()))


def _neutral_call(call: ast.Call, app: str) -> bool:
    """`app.add_middleware(...)`, `app.exception_handler(E)(handler)`: adds no route."""
    func = call.func.func if isinstance(call.func, ast.Call) else call.func
    is_app_method = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == app
    arguments = [*call.args, *(k.value for k in call.keywords)]
    return is_app_method and func.attr in _ORDER_NEUTRAL_CALLS and not any(_names(a, app) for a in arguments)  # type: ignore[union-attr]


def _state_target(target: ast.expr, app: str) -> bool:
    """`app.state.x`, `app.openapi`, `app.title`: an attribute of the app other than its routes or router."""
    chain = []
    while isinstance(target, ast.Attribute):
        chain.append(target.attr)
        target = target.value  # type: ignore[assignment]
    return isinstance(target, ast.Name) and target.id == app and bool(chain) and chain[-1] not in ("routes", "router")


def route_runs(body: FactoryBody, routes: dict[int, list[FactoryRoute]]) -> tuple[list[Run], list[tuple[int, str]]]:
    """Runs of one resource's routes in body order; a route that cannot join its resource's open run starts one
    at its own place, or stays in the factory (why, by line)."""
    runs: list[Run] = []
    open_runs: dict[tuple[str, str], Run] = {}  # (owner, resource) -> the run a route of theirs may join
    kept: list[tuple[int, str]] = []
    taken: set[int] = set()  # helpers that went with the route above them
    for position in range(len(body.factory.body)):
        registered = routes.get(position)
        if position in taken:
            continue
        if registered is None:
            for owner in [o for o in open_runs if not body.order_neutral(position, o[0])]:
                del open_runs[owner]  # a route registered after it stays after it
            continue
        unit = [position, *_companions(body, routes, position)]
        unit += _callers_below(body, routes, unit)
        why = _stays_in_factory(body, unit, routes)
        if why:
            kept.append((registered[-1].line, why))
            continue
        key = group_key(registered[-1].path, DEFAULT_SKIP_SEGMENTS) or "root"  # the decorator written first
        run = open_runs.get((registered[-1].owner, key))
        if run is None or not _may_join(body, routes, run, unit):
            run = open_runs[registered[-1].owner, key] = Run(key, [])
            runs.append(run)
        run.positions += unit
        run.lines += sum(_lines(body, p) for p in unit)
        taken.update(unit)
    for run in runs:
        run.params = _params(body, run)
    return runs, kept


def _companions(body: FactoryBody, routes: dict[int, list[FactoryRoute]], position: int) -> list[int]:
    """Plain functions defined right below a route that only it (and the ones before) read: `api_fs_raw` calls
    `_api_fs_raw_read`, defined after it (fused-render). They go with the route, in order, so when called it finds
    them as before; left behind, they were a local bound after the route, and the route stayed in the factory."""
    found: list[int] = []
    for following in range(position + 1, len(body.factory.body)):
        statement = body.factory.body[following]
        plain = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and not statement.decorator_list
        if following in routes or not plain or following in body.nonlocal_at:
            break
        unit, name = {position, *found}, statement.name  # type: ignore[union-attr]
        readers = body.readers.get(name, set())  # read by the route or a helper before it, by nothing else
        if body.bindings.get(name) != [following] or not readers & unit or readers - unit - {following}:
            break
        found.append(following)
    return found


def _callers_below(body: FactoryBody, routes: dict[int, list[FactoryRoute]], unit: list[int]) -> list[int]:
    """Routes right below the unit that call one of its functions (nexus: `/ws/events` awaits the websocket route
    above it, `websocket_events`): they go with it, registered by the same function, where each finds the other
    as before; left behind, the route they call was read by the factory's own code, and stayed."""
    names = {body.factory.body[p].name for p in unit}  # type: ignore[attr-defined]
    found: list[int] = []
    for following in range(unit[-1] + 1, len(body.factory.body)):
        if following not in routes or not any(following in body.readers.get(n, ()) for n in names):
            break
        found.append(following)
        names.add(body.factory.body[following].name)  # type: ignore[attr-defined]
    return found


def _stays_in_factory(body: FactoryBody, unit: list[int], routes: dict[int, list[FactoryRoute]]) -> str:
    """Why the route (a definition's routes, with the helpers and the routes calling it going with it) cannot
    leave the factory at all ("" when it can)."""
    for position in (p for p in unit if p in routes):
        why = _route_stays(body, unit, routes[position])
        if why:
            return why
    stays = f"`{routes[unit[0]][0].function}` stays in `{body.factory.name}()`"
    for reader in unit:
        late = _seen_differently(body, reader, unit[0], unit)
        if late:
            name = body.factory.body[reader].name  # type: ignore[attr-defined]
            who = (
                "it"
                if reader == unit[0]
                else f"`{name}`, {'a route calling it' if reader in routes else 'which only it calls'},"
            )
            return (
                f"{stays}: {who} reads the factory's local `{late}`, which is bound after it, in a branch or loop, "
                "or by `nonlocal` (passed to a function, it could hold another value)"
            )
    return ""


def _route_stays(body: FactoryBody, unit: list[int], registered: list[FactoryRoute]) -> str:
    route = registered[0]
    stays = f"`{route.function}` stays in `{body.factory.name}()`"
    if any(r.path is None for r in registered):
        return f"{stays}: its path is not a literal, so which requests it matches cannot be known"
    if body.position(route.line) in body.nonlocal_at:
        return f"{stays}: it rebinds a local of the factory (`nonlocal`)"
    if body.reads_outside(route.function, set(unit)):
        return f"{stays}: the factory's own code reads `{route.function}`"
    return ""


def _may_join(body: FactoryBody, routes: dict[int, list[FactoryRoute]], run: Run, unit: list[int]) -> bool:
    start, position = run.positions[0], unit[0]
    if run.lines + sum(_lines(body, p) for p in unit) > RUN_MAX_LINES:
        return False
    if any(_seen_differently(body, p, start, unit) for p in unit):
        return False
    members = set(run.positions)
    for between in range(start + 1, position):
        if between not in members and any(_overlap(a, b) for a in routes[position] for b in routes.get(between, ())):
            return False
    return True


def _overlap(a: FactoryRoute, b: FactoryRoute) -> bool:
    """Whether one request could match both (routes of different owners meet only where a router is included)."""
    if a.owner != b.owner:
        return False
    methods = [frozenset(m) if m is not None else None for m in (a.methods, b.methods)]
    return routes_overlap(a.path, methods[0], b.path, methods[1])


def _seen_differently(body: FactoryBody, position: int, start: int, unit: list[int] | None = None) -> str:
    """A local of the factory the route would see otherwise if registered at `start` instead of `position`
    ("" when none): each its definition reads must be bound before `start` and not again before `position`;
    each its body reads (a closure sees the last binding), bound before `start` and never again. The helpers
    going with it (`unit`) are bound with it, as before."""
    own = {body.factory.body[p].name for p in [position, *(unit or ())]}  # type: ignore[attr-defined]
    call_time = body.call_time[position]
    for name in sorted(body.def_time[position] | call_time):  # sorted: the warning names the same local every run
        positions = body.bindings.get(name)
        if positions is None or name in own:
            continue  # not a local of the factory, or bound by the route and its helpers
        limit = len(body.factory.body) + 1 if name in call_time else position
        if not any(p < start for p in positions) or any(start <= p < limit for p in positions):
            return name
    return ""


def _params(body: FactoryBody, run: Run) -> list[str]:
    """The factory's locals the run reads, the app first, in the order the factory binds them."""
    reads = set().union(*(body.def_time[p] | body.call_time[p] for p in run.positions))
    own = {body.factory.body[p].name for p in run.positions}  # type: ignore[attr-defined]
    return body.in_binding_order({n for n in reads - own if n in body.bindings})


def _lines(body: FactoryBody, position: int) -> int:
    """Its lines, with the blank and comment lines after it."""
    following = body.starts[position + 1] if position + 1 < len(body.starts) else body.factory.end_lineno + 1
    return following - body.starts[position]  # type: ignore[operator]


def register_names(runs: list[Run], taken: set[str]) -> None:
    """`register_items`, `register_items_2` for a second run of the resource: names the module does not use."""
    for run in runs:
        resource = re.sub(r"[^0-9a-zA-Z]+", "_", run.key).strip("_").lower() or "root"
        stem = run.key if run.setup else f"register_{resource}"
        name, number = stem, 2
        while name in taken:
            name, number = f"{stem}_{number}", number + 1
        run.name = name
        taken.add(name)
