"""Move app hook decorators (`@app.middleware("http")`, `@app.exception_handler(E)`, `@app.on_event("startup")`)
off a function and into an equivalent registration statement: `app.middleware("http")(add_trace)`.

A decorator `@d def f` is `f = d(f)`; FastAPI's hook decorators register `f` and return it unchanged, so the call
form registers the same function object in the same order. splitter uses this to move a hook's body out of
main.py while main.py keeps every registration, in order.
"""

from __future__ import annotations

import ast

import libcst as cst

from ._app_command import app_statement_command

HOOK_METHODS = frozenset({"middleware", "exception_handler", "on_event"})


def is_hook_decorator(decorator: cst.Decorator, app_name: str) -> bool:
    call = decorator.decorator
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value == app_name
        and call.func.attr.value in HOOK_METHODS
    )


def hooks_on_top(function: cst.FunctionDef, app_name: str) -> bool:
    """True when every hook decorator sits above every other decorator.

    `@tag @app.on_event("startup") def f` registers the unwrapped f; detached it would register tag(f).
    """
    flags = [is_hook_decorator(d, app_name) for d in function.decorators]
    return all(flags[: flags.count(True)])


def detach(function: cst.FunctionDef, app_name: str) -> tuple[cst.FunctionDef, list[cst.SimpleStatementLine]]:
    """The function without its hook decorators, and the registration statements (bottom decorator first)."""
    if not hooks_on_top(function, app_name):
        return function, []  # detaching would register a differently wrapped function: leave it alone
    kept, registrations, moved_comments = [], [], []
    for decorator in function.decorators:
        if is_hook_decorator(decorator, app_name):
            call = cst.Call(func=decorator.decorator, args=[cst.Arg(cst.Name(function.name.value))])
            registrations.insert(0, cst.SimpleStatementLine([cst.Expr(call)]))
            moved_comments.extend(decorator.leading_lines)  # comments above a removed decorator stay with the def
        else:
            kept.append(decorator)
    if not registrations:
        return function, []
    leading = list(function.leading_lines) + moved_comments
    return function.with_changes(decorators=kept, leading_lines=leading), registrations


def kept_decorators(decorators: list[ast.expr], app_name: str) -> list[ast.expr]:
    """The `ast` decorators `detach` keeps: all of them unless the hooks sit on top, then the others."""
    flags = [_is_hook_call(d, app_name) for d in decorators]
    if not all(flags[: flags.count(True)]):
        return list(decorators)
    return [d for d, hook in zip(decorators, flags, strict=True) if not hook]


def _is_hook_call(decorator: ast.expr, app_name: str) -> bool:
    """`is_hook_decorator` on the `ast` of a decorator."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id == app_name
        and decorator.func.attr in HOOK_METHODS
    )


def _detached(statement: cst.BaseStatement, app_name: str) -> list[cst.BaseStatement]:
    if not isinstance(statement, cst.FunctionDef):
        return [statement]
    function, registrations = detach(statement, app_name)
    return [function, *registrations]


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "DetachAppHooks":
        description = "Turn @app.middleware/@app.exception_handler/@app.on_event decorators into registration calls."
        globals()[attribute] = command = app_statement_command(attribute, description, _detached)
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
