"""Runs of an app factory's own set-up statements, taken out into a function it calls in their place.

What an app factory keeps once its routes are out (analysis/factory_routes.py) is its set-up: a custom OpenAPI
function, middleware, exception handlers, mounts. A run of such statements, next to each other, becomes
`def configure_app(app):` holding them as they were, called where they were: nothing moves past anything, so
the app is set up in the same order. A statement stays in the factory when the factory's other code reads a
name it binds (a closure would see it), when it binds what the factory declares `global`, and when it returns,
awaits or yields (the factory's own control flow); the factory's locals the run reads are passed in, each bound
before the run and, when a function in the run reads it later, never bound again after it. Helper functions the
routes below call (`def _check(auth):`, E.V.: 530 lines of them) are the exception: the run returns them, and the
factory binds them where it was, `_check, _body = define_helpers(config)`.
"""

from __future__ import annotations

import ast

from splitter.analysis.factory_routes import FactoryBody, Run
from splitter.analysis.scopes import DYNAMIC_CALLS

# Shorter runs stay where they are: a function and its call for a few lines make the factory no shorter.
SETUP_MIN_LINES = 10
_FLOW = (ast.Return, ast.Await, ast.Yield, ast.YieldFrom)
_NAMESPACE_CALLS = frozenset(DYNAMIC_CALLS) | {"dir"}  # `globals()` included: conservative, it would see the same
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def setup_runs(body: FactoryBody, routes: set[int]) -> list[Run]:
    """Runs of the factory's statements (between its routes) that can become one function each."""
    binds = body.bound_at
    handlers = _handlers(body)
    movable = [p for p in range(len(body.factory.body)) if p not in routes | handlers and _movable(body, p, binds[p])]
    runs = _contiguous(movable)
    changed = True
    everywhere = list(range(len(body.factory.body)))
    only_handlers = {n for n in body.handler_names if _handler_names_only(body, n, everywhere)}  # `e`
    leaks = [names - only_handlers for names in binds]
    while changed:  # a statement whose names are read outside its run stays (unless the run can return them)
        changed = False
        for run in list(runs):
            anchored = {p for p in run if any(_leaks(body, p, name, run) for name in leaks[p])}
            if anchored:
                runs.remove(run)
                runs += _contiguous([p for p in run if p not in anchored])
                changed = True
    found = []
    for positions in sorted(runs):
        returns = [name for p in positions for name in sorted(leaks[p]) if body.reads_outside(name, set(positions))]
        run = Run("define_helpers" if returns else "configure_app", positions, setup=True, returns=returns)
        run.lines = body.starts[positions[-1]] - body.starts[positions[0]] + _last_lines(body, positions[-1])
        params = _params(body, positions)
        if params is not None and run.lines >= SETUP_MIN_LINES:
            run.params = params
            found.append(run)
    return found


def _leaks(body: FactoryBody, position: int, name: str, run: list[int]) -> bool:
    """Whether the factory's code outside the run reads a name the statement binds, so that the statement must
    stay. A helper function the routes below call (`def _check(auth):`) need not: the run returns it and the
    factory binds it where the run was (`_check, _body = define_helpers(config)`), when nothing else binds it and
    only functions defined after the run read it, in their bodies (code before could call it while the run is
    still defining it; `Depends(_check)` would list the dependency under another `__qualname__`)."""
    outside = body.readers.get(name, set()) - set(run)
    if not outside:
        return False
    statement = body.factory.body[position]
    helper = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == name
    late = min(outside) > run[-1] and not any(name in body.def_time[p] for p in outside)
    return not (helper and late and body.binding_statements.get(name) == {position})


def _movable(body: FactoryBody, position: int, binds: set[str]) -> bool:
    statement = body.factory.body[position]
    if position in body.nonlocal_at or body.app in binds or _binds_a_global(statement, body.declared_global):
        return False
    if isinstance(statement, (ast.Global, ast.Nonlocal)) or (position == 0 and _is_docstring(statement)):
        return False
    return not any(isinstance(n, _FLOW) or _reads_the_namespace(n) for n in _own_nodes(statement))


def _binds_a_global(statement: ast.stmt, declared: set[str]) -> bool:
    """Whether the statement binds a name the factory declares `global` (`limiter = Limiter(...)` after `global
    limiter`: nexus): in a function of its own it would bind that function's local, and the module's global would
    keep its old value. (The scope model lists only locals as bound, so the statement's own nodes are read.)"""
    if not declared:
        return False
    for node in _own_nodes(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in declared:
            return True
        named = getattr(node, "name", None) if isinstance(node, (*_SCOPES, ast.ExceptHandler)) else None
        if isinstance(node, ast.alias):
            named = node.asname or node.name.split(".")[0]
        if named in declared:
            return True
    return False


def _handlers(body: FactoryBody) -> set[int]:
    """Definitions the app lists as its event handlers or middleware classes (`@app.on_event("startup") def warm():`,
    `app.add_event_handler("shutdown", close)`, `app.add_middleware(Timing)`): their `__qualname__`
    (`create_app.<locals>.warm`) names the function defining them, and `app.router.on_startup` or
    `app.user_middleware` show it; they stay in the factory. (`@app.middleware` wraps its function in Starlette's own
    class, and exception handlers are listed by exception: those move.)"""
    app, statements = body.app, body.factory.body
    registered = set()
    for statement in statements:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and _on_app(call.func, app):
            registered |= {a.id for a in call.args if isinstance(a, ast.Name)}
    return {
        position
        for position, statement in enumerate(statements)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and (statement.name in registered or any(_event_decorator(d, app) for d in statement.decorator_list))
    }


def _on_app(func: ast.Attribute, app: str) -> bool:
    """`app.add_event_handler`, `app.add_middleware`, `app.router.add_event_handler`."""
    owner = func.value.value if isinstance(func.value, ast.Attribute) and func.value.attr == "router" else func.value
    return isinstance(owner, ast.Name) and owner.id == app and func.attr in ("add_event_handler", "add_middleware")


def _event_decorator(decorator: ast.expr, app: str) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    owner = func.value if isinstance(func, ast.Attribute) else None
    return isinstance(owner, ast.Name) and owner.id == app and func.attr == "on_event"


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _reads_the_namespace(node: ast.AST) -> bool:
    """`locals()`, `vars()`, `exec(...)`: in a function of its own, the statement would see that function's."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _NAMESPACE_CALLS


def _own_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The statement's nodes outside the functions, classes and lambdas it defines (their bodies run later)."""
    found, todo = [], [statement]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, _SCOPES):
            todo += [*getattr(node, "decorator_list", ()), *_defaults(node)]
        else:
            todo += ast.iter_child_nodes(node)
    return found


def _defaults(node: ast.AST) -> list[ast.expr]:
    args = getattr(node, "args", None)
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)] if isinstance(args, ast.arguments) else []


def _contiguous(positions: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for position in sorted(positions):
        if runs and runs[-1][-1] == position - 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def _params(body: FactoryBody, positions: list[int]) -> list[str] | None:
    """The factory's locals the run reads that may hold a value from before it (the app first), or None when the
    run cannot be a function: a local it reads is never bound before it (nor plainly inside it), or a function of
    the run reads a local the factory binds again after the run (a closure sees the factory's last binding)."""
    start, end = positions[0], positions[-1]
    params = []
    for name in set().union(*(body.def_time[p] | body.call_time[p] for p in positions)):
        bound = body.bindings.get(name)
        if bound is None or _run_own(body, name, positions) or _handler_names_only(body, name, positions):
            continue  # not a local of the factory, or one only the run binds and reads: the function's own
        read_later = any(name in body.call_time[p] for p in positions)
        if read_later and any(b > end for b in bound):
            return None
        if any(b < start for b in bound):
            params.append(name)  # rebound in the run or not, it starts with the factory's value
        elif not any(start <= b <= end for b in bound):
            return None
    return body.in_binding_order(set(params))


def _run_own(body: FactoryBody, name: str, positions: list[int]) -> bool:
    """A local only the run's statements bind (in a branch too: `except ImportError as e`, `try: from x import
    router`) and read: it is the generated function's own local, as it was the factory's."""
    inside = set(positions)
    return body.binding_statements.get(name, {-1}) <= inside and not body.reads_outside(name, inside)


def _handler_names_only(body: FactoryBody, name: str, positions: list[int]) -> bool:
    """Whether the run reads `name` only inside `except ... as name:` handlers (`e`, which three `try` blocks of
    nexus's create_app bind): Python unbinds it when the handler ends, so no value comes in from the factory."""
    if name not in body.handler_names:
        return False
    return all(_reads_in_own_handler(body.factory.body[p], name, False) for p in positions)


def _reads_in_own_handler(node: ast.AST, name: str, bound: bool) -> bool:
    if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
        return bound
    if isinstance(node, _SCOPES):  # a function reading it later would see another binding: not the handler's
        if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)):
            return False
    bound = bound or (isinstance(node, ast.ExceptHandler) and node.name == name)
    return all(_reads_in_own_handler(child, name, bound) for child in ast.iter_child_nodes(node))


def _last_lines(body: FactoryBody, position: int) -> int:
    statement = body.factory.body[position]
    return statement.end_lineno - body.starts[position] + 1  # type: ignore[operator]
