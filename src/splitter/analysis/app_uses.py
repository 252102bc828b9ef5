"""Where a function uses the app while the module runs (its signature, its decorators' arguments): such a use
keeps it in main.py, where the app exists by then; a use in its body alone can read `core.app` at call time."""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import walk
from splitter.analysis.patched_names import dotted_name


def app_in_signature(node: ast.FunctionDef | ast.AsyncFunctionDef, app: str) -> bool:
    """Defaults and annotations are evaluated when the function is defined, at import time."""
    args = node.args
    parts = [*args.defaults, *[d for d in args.kw_defaults if d is not None], node.returns]
    parts += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a]
    return any(isinstance(n, ast.Name) and n.id == app for part in parts if part for n in walk(part))


def app_in_decorator_arguments(decorators: list[ast.expr], app: str) -> bool:
    """`@app.get(app.swagger_ui_oauth2_redirect_url)`, `@cached(app)`: decorators run at import time, and only
    the app's own registration (`app.get`, `app.router.get`) is rewritten for a router."""
    for decorator in decorators:
        call = decorator if isinstance(decorator, ast.Call) else None
        parts = [*call.args, *(k.value for k in call.keywords)] if call else []
        if (dotted_name(call.func if call else decorator) or "").partition(".")[0] != app:
            parts.append(call.func if call else decorator)
        if any(isinstance(n, ast.Name) and n.id == app for part in parts for n in walk(part)):
            return True
    return False
