"""Names main.py hands over to core.py, as it hands over the app (docs/design.md, "The app at call time").

A block that configures the app stays in main.py, and so did everything using the names it binds:

    try:                                                   # stays in main.py (it registers middleware)
        from metrics_collector import MetricsCollector, metrics_middleware
        metrics_collector = MetricsCollector(max_history=1000)
        app.middleware("http")(metrics_middleware(metrics_collector))
        METRICS_AVAILABLE = True
    except ImportError:
        METRICS_AVAILABLE = False
        metrics_collector = None

    @app.get("/metrics")                                   # reads both names only when a request comes
    async def performance_metrics(): ...

An endpoint that reads such a name only in its body moves: it reads `core.metrics_collector`, which main.py sets
on the line after the block (`core.metrics_collector = metrics_collector`). That holds when the block binds the
name on every path through it (the `try` body and each handler, both sides of an `if`), nothing else binds it,
no `global` statement rebinds it and the repository's tests do not patch it through the old module. A plain
assignment kept in main.py because it uses the app at import time (`_mcp_gateway = build_mcp_gateway(app)`, oompah),
or a name such an assignment binds (`_mcp_gateway_app = _mcp_gateway.streamable_http_app()`), hands over the same way.
"""

from __future__ import annotations

import ast

from splitter.analysis.model import Analysis, Unit

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def handover_names(
    analysis: Analysis, patched: frozenset[str] = frozenset(), headers: dict[int, frozenset[str]] | None = None
) -> dict[str, int]:
    """name -> the unit that binds it: a block kept in main.py for the app, binding it on every path.
    `headers`: `header_reads(analysis)`, when the caller has it already."""
    if analysis.tree is None:
        return {}
    binders: dict[str, list[Unit]] = {}
    for unit in analysis.units:
        for name in unit.binds if not unit.is_copied else ():
            binders.setdefault(name, []).append(unit)
    rebound = set().union(*(u.rebinds_globals for u in analysis.units))
    names: dict[str, int] = {}
    headers = header_reads(analysis) if headers is None else headers
    for unit in analysis.units:
        if unit.app_at_call_time or unit.dynamic:
            continue
        node = analysis.tree.body[unit.index]
        if unit.kind == "compound" and unit.app_in_body:
            bound = _bound_on_every_path(node)
        elif unit.kind == "assign":  # oompah's MCP gateway; radon's `DATA_DIR = PROJECT_ROOT / "data"`
            # only names a function reads when called: an unread one (`routes = Resource(app).register()`), or one
            # a statement reads at import (warehouse's `_wh_router.register()`), is app setup that may move as it
            # is (planning/app_setup_runs.py), which a hand-over would hold in main.py. An assignment that does not
            # touch the app moves unless something holds it in main.py (it reads a name kept there at import, such
            # as radon's `SCRIPTS_DIR` that a `sys.path` line above its imports reads): then it hands over the same
            bound = _read_when_called(analysis, unit, _plain_binds([node]) - set(analysis.app_names), headers)
        else:
            continue
        for name in bound:
            if len(binders[name]) == 1 and name not in rebound and name not in patched:
                names[name] = unit.index
    for name, first in _bound_again(analysis, binders).items():
        if name not in rebound and name not in patched:
            names.setdefault(name, first)
    return names


def _bound_again(analysis: Analysis, binders: dict[str, list[Unit]]) -> dict[str, int]:
    """name -> its first binder, for a name bound more than once, each time by a plain assignment or by a block
    that sets the app up, the first time on every path: 4th-Dimension's `logger = logging.getLogger(__name__)`
    twice around app set-up reading it, mcp-context-forge's `_service = None` before `if enabled: _service = ...;
    app.add_middleware(..., service=_service)`. They stay together in main.py, which sets `core.x = x` after each
    (emit/main_module.py), so moved code reading `x` when called sees the value the monolith's code would."""
    found: dict[str, int] = {}
    for name, units in binders.items():
        if len(units) < 2 or any(u.dynamic or u.app_at_call_time for u in units):
            continue
        first = analysis.tree.body[units[0].index]
        if all(_simple_binder(analysis, u, name) for u in units) and name in _plain_binds([first]):
            found[name] = units[0].index
    return found


def _simple_binder(analysis: Analysis, unit: Unit, name: str) -> bool:
    node = analysis.tree.body[unit.index]
    if unit.kind == "assign":
        return name in _plain_binds([node])
    return unit.kind == "compound" and unit.app_in_body and isinstance(node, (ast.Try, ast.If))


def header_reads(analysis: Analysis) -> dict[int, frozenset[str]]:
    """unit index -> the names a function definition reads at import (its decorators, defaults, annotations), for
    every function unit; built once per plan, as each of a module's constants asks about every function reading it."""
    found: dict[int, frozenset[str]] = {}
    for unit in analysis.units if analysis.tree is not None else ():
        node = analysis.tree.body[unit.index]  # type: ignore[union-attr]
        if isinstance(node, _DEFINITIONS):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            header = [*node.decorator_list, *arguments.defaults, *arguments.kw_defaults, node.returns]
            header += [a.annotation for a in every if a is not None]
            parts = [part for part in header if part is not None]
            found[unit.index] = frozenset(n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name))
    return found


def reads_only_at_call_time(headers: dict[int, frozenset[str]], unit: Unit, names: set[str]) -> bool:
    """A function reading `names` only in its body (`headers`: `header_reads`)."""
    header = headers.get(unit.index)
    return header is not None and header.isdisjoint(names)


def _read_when_called(analysis: Analysis, unit: Unit, names: set[str], headers: dict) -> set[str]:
    """Of `names` (which `unit` binds), those another unit reads only in a function body."""
    found: set[str] = set()
    for other in analysis.units:
        wanted = other.uses & names if other is not unit else set()
        if wanted and reads_only_at_call_time(headers, other, wanted):
            found |= wanted
    return found


def _bound_on_every_path(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Try):
        paths = [node.body + node.orelse] + [handler.body for handler in node.handlers]
        return set.intersection(*(_plain_binds(p) for p in paths)) | _plain_binds(node.finalbody)
    if isinstance(node, ast.If) and node.orelse:
        return _plain_binds(node.body) & _plain_binds(node.orelse)
    return set()


def _plain_binds(statements: list[ast.stmt]) -> set[str]:
    """Names a run of statements always binds by plain assignment (nested try/if-else blocks included)."""
    names = set()
    for statement in statements:
        if isinstance(statement, ast.Assign):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            names.add(statement.target.id)
        elif isinstance(statement, (ast.Try, ast.If)):
            names |= _bound_on_every_path(statement)
    return names
