"""Describe a FastAPI/Starlette app as plain JSON: OpenAPI document, route table, middleware, handlers, hooks.

This file runs inside the *target* project's interpreter (see `runner.py`), where splitter is usually not
installed, so it imports only the standard library and, lazily, fastapi/starlette. Usage:

    python path/to/snapshot.py MODULE:APP [--output FILE]
    python -m splitter.verification.snapshot MODULE:APP

Every value is reduced to names, never module paths or object ids: a split moves code to other modules on
purpose, and `0x7f..` addresses differ between runs, so neither may show up as a difference.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import re
import sys
import types
from enum import Enum
from pathlib import Path
from typing import Any

SNAPSHOT_FORMAT = 1
_MOUNT_DEPTH = 4  # sub-applications mounted inside sub-applications: a bound, not a real limit

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# `typing.Optional[main.Item]` -> `Optional[Item]`: dotted prefixes name modules, which a split changes.
_MODULE_PREFIX = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*)")


def stable_repr(value: Any) -> str:
    """A repr that survives moving code between modules and restarting the interpreter."""
    # Generic aliases (`list[Item]`) pass for classes on some versions and forward `__qualname__` to their
    # origin, which would drop the `[Item]` part.
    is_plain_class = isinstance(value, type) and not hasattr(value, "__origin__")
    if is_plain_class or isinstance(value, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
        return value.__qualname__
    text = _ADDRESS.sub("", repr(value))
    text = re.sub(r"<class '([\w.]+)'>", lambda m: m.group(1).rsplit(".", 1)[-1], text)
    return _MODULE_PREFIX.sub("", text)


def callable_name(func: Any) -> str | None:
    """`__name__` of a function or class; the class name for callable instances; unwraps partials."""
    if func is None:
        return None
    inner = getattr(func, "func", None)  # functools.partial
    if inner is not None and callable(inner):
        return callable_name(inner)
    name = getattr(func, "__name__", None)
    return name if isinstance(name, str) else type(func).__name__


def _qualname(func: Any) -> str | None:
    if func is None:
        return None
    return getattr(func, "__qualname__", None) or callable_name(func)


def _unwrap_default(value: Any) -> Any:
    # FastAPI wraps defaults in DefaultPlaceholder(value) so it can tell "not given" from "given".
    if type(value).__name__ == "DefaultPlaceholder":
        return getattr(value, "value", value)
    return value


def _dependency_names(dependant: Any) -> list[str]:
    """Names of every dependency callable, depth first, route-level `dependencies=` first (FastAPI's order)."""
    names: list[str] = []
    for sub in getattr(dependant, "dependencies", None) or []:
        name = callable_name(getattr(sub, "call", None))
        if name is not None:
            names.append(name)
        names.extend(_dependency_names(sub))
    return names


def _effective_routes(routes: list[Any]) -> list[Any]:
    """Routes as the app matches them, in order.

    FastAPI >= 0.137 keeps included routers lazily (`_IncludedRouter`) and exposes the prefixed routes through
    `iter_route_contexts`; older versions copy each route into `app.router.routes` at include time.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(routes)
    return [
        _materialized(route) if _route_kind(route) == "websocket" else route for route in iter_route_contexts(routes)
    ]


def _route_kind(route: Any) -> str:
    from starlette.routing import Mount, Route, WebSocketRoute

    original = getattr(route, "original_route", route)
    if isinstance(original, Route):
        return "route"
    if isinstance(original, WebSocketRoute) or type(original).__name__ == "APIWebSocketRoute":
        return "websocket"
    if isinstance(original, Mount):
        return "mount"
    return "other"


def _tag_names(tags: Any) -> list[str]:
    return [tag.value if isinstance(tag, Enum) else str(tag) for tag in tags or []]


def _materialized(route: Any) -> Any:
    """The route to read a websocket's path, name and endpoint from.

    FastAPI 0.137 to 0.14x fill a route context only for HTTP routes: a websocket of an included router comes out
    of `iter_route_contexts` with an empty path, name and endpoint, while the prefixed route the app matches is
    kept beside it (`starlette_route`). Reading the blanks would report a moved websocket as changed and hide a
    real change of its path.
    """
    context = getattr(route, "_route_context", None)
    built = getattr(context, "starlette_route", None)
    if built is not None and not getattr(route, "path", None):
        return built
    return route


def _mounted_application(route: Any) -> Any | None:
    """The application a mount serves when it has routes of its own (`app.mount("/api/v1", v1)`), not a
    StaticFiles or an empty app: what it serves is what clients reach under the mount's path."""
    app = getattr(route, "app", None)
    router = getattr(app, "router", None)
    return app if getattr(router, "routes", None) else None


def describe_route(route: Any, depth: int = 0) -> dict[str, Any]:
    kind = _route_kind(route)
    path = getattr(route, "path", None)
    entry: dict[str, Any] = {"kind": kind, "path": path}
    if kind == "mount":
        entry["name"] = getattr(route, "name", None)
        entry["app"] = type(getattr(route, "app", None)).__name__
        mounted = _mounted_application(route)
        if mounted is not None and depth < _MOUNT_DEPTH:  # a split may move every route of a sub-application
            entry["mounted"] = _described(mounted, depth + 1)
        return entry
    if kind == "other":
        original = getattr(route, "original_route", route)
        entry["class"] = type(original).__name__
        entry["name"] = getattr(route, "name", None)
        return entry
    methods = getattr(route, "methods", None)
    entry["methods"] = sorted(methods) if methods is not None else None
    entry["name"] = getattr(route, "name", None)
    entry["endpoint"] = _qualname(getattr(route, "endpoint", None))
    if kind == "route":
        response_model = getattr(route, "response_model", None)
        response_class = _unwrap_default(getattr(route, "response_class", None))
        entry["status_code"] = getattr(route, "status_code", None)
        entry["response_model"] = None if response_model is None else stable_repr(response_model)
        entry["response_class"] = None if response_class is None else callable_name(response_class)
        entry["include_in_schema"] = bool(getattr(route, "include_in_schema", True))
        entry["tags"] = _tag_names(getattr(route, "tags", None))
        # what OpenAPI cannot show: an APIRoute subclass (app.router.route_class) changes every response
        entry["route_class"] = type(getattr(route, "original_route", route)).__name__
    entry["dependencies"] = _dependency_names(getattr(route, "dependant", None))
    return entry


def describe_middleware(app: Any) -> list[dict[str, Any]]:
    from starlette.middleware.base import BaseHTTPMiddleware

    stack = []
    for middleware in getattr(app, "user_middleware", None) or []:
        cls = getattr(middleware, "cls", None)
        args = tuple(getattr(middleware, "args", ()) or ())
        # Starlette < 0.35 called the keyword arguments `options`.
        kwargs = dict(getattr(middleware, "kwargs", None) or getattr(middleware, "options", None) or {})
        dispatch = None
        if isinstance(cls, type) and issubclass(cls, BaseHTTPMiddleware):
            dispatch_func = kwargs.pop("dispatch", None) or getattr(cls, "dispatch", None)
            dispatch = callable_name(dispatch_func)
        stack.append(
            {
                "class": callable_name(cls),
                "dispatch": dispatch,
                "args": [stable_repr(arg) for arg in args],
                "kwargs": {key: stable_repr(kwargs[key]) for key in sorted(kwargs)},
            }
        )
    return stack


def describe_exception_handlers(app: Any) -> dict[str, str | None]:
    handlers = getattr(app, "exception_handlers", None) or {}
    described = {
        (str(key) if isinstance(key, int) else callable_name(key)): callable_name(handler)
        for key, handler in handlers.items()
    }
    return {key: described[key] for key in sorted(described)}


def _closure_values(func: Any) -> dict[str, Any]:
    code = getattr(func, "__code__", None)
    cells = getattr(func, "__closure__", None) or ()
    if code is None:
        return {}
    values = {}
    for name, cell in zip(code.co_freevars, cells, strict=False):
        with contextlib.suppress(ValueError):  # an empty cell
            values[name] = cell.cell_contents
    return values


def lifespan_names(context: Any) -> list[str]:
    """User lifespans behind `router.lifespan_context`, outermost first.

    FastAPI's default lifespan (runs on_startup/on_shutdown) is not a user lifespan. `include_router` wraps the
    app's lifespan and the router's in `merged_lifespan`, so a split adds wrappers without changing behaviour:
    look through them.
    """
    if context is None or type(context).__name__ == "_DefaultLifespan":
        return []
    inner = context
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    if getattr(inner, "__name__", None) == "merged_lifespan":
        parts = _closure_values(inner)
        if "original_context" in parts and "nested_context" in parts:
            return lifespan_names(parts["original_context"]) + lifespan_names(parts["nested_context"])
    return [_qualname(inner) or type(inner).__name__]


def _openapi(app: Any, depth: int = 0) -> dict[str, Any] | None:
    build = getattr(app, "openapi", None)
    if not callable(build):
        return None
    if depth == 0:
        return build()
    try:
        return build()
    except Exception as error:  # a mounted app whose document cannot be built must not cost the whole snapshot
        return {"error": type(error).__name__}


def snapshot_app(app: Any) -> dict[str, Any]:
    """Everything about `app` that a pure move of code must not change, as JSON-ready data."""
    router = getattr(app, "router", None)
    if router is None or not hasattr(router, "routes"):
        raise TypeError(f"{type(app).__name__} object is not a FastAPI/Starlette application")
    snapshot = {"format": SNAPSHOT_FORMAT, **_described(app, 0)}
    # One round trip makes the in-process result identical to what a subprocess prints (tuples -> lists,
    # enum keys -> strings); key order is kept on purpose, compare.py reports reordering as cosmetic.
    return json.loads(json.dumps(snapshot, default=stable_repr))


def _described(app: Any, depth: int) -> dict[str, Any]:
    """The app's OpenAPI document, route table (mounted applications inside), middleware, handlers, hooks."""
    router = app.router
    names = lifespan_names(getattr(router, "lifespan_context", None))
    return {
        "openapi": _openapi(app, depth),
        "routes": [describe_route(route, depth) for route in _effective_routes(router.routes)],
        "middleware": describe_middleware(app),
        "exception_handlers": describe_exception_handlers(app),
        "startup": [callable_name(h) for h in getattr(router, "on_startup", None) or []],
        "shutdown": [callable_name(h) for h in getattr(router, "on_shutdown", None) or []],
        "lifespan": {"set": bool(names), "names": names},
    }


def _module_of(func: Any) -> str | None:
    inner = getattr(func, "func", None)  # functools.partial
    if inner is not None and callable(inner):
        return _module_of(inner)
    module = getattr(func, "__module__", None)
    return module if isinstance(module, str) else None


def _dependency_modules(dependant: Any, found: dict[str, str | None]) -> None:
    for sub in getattr(dependant, "dependencies", None) or []:
        call = getattr(sub, "call", None)
        name = callable_name(call)
        if name is not None:
            found.setdefault(name, _module_of(call))
        _dependency_modules(sub, found)


def code_locations(app: Any) -> dict[str, Any]:
    """Where each route's endpoint and each dependency is defined (`--with-modules`, for router tests).

    Kept apart from `snapshot_app` on purpose: a split moves code between modules, so module names must never
    enter the snapshot that `compare` diffs. Route modules come in the route table's order.
    """
    routes = _effective_routes(app.router.routes)
    dependencies: dict[str, str | None] = {}
    for route in routes:
        _dependency_modules(getattr(route, "dependant", None), dependencies)
    return {
        "route_modules": [_module_of(getattr(route, "endpoint", None)) for route in routes],
        "dependency_modules": {name: dependencies[name] for name in sorted(dependencies)},
    }


def load_app(target: str) -> Any:
    """Import `module:attr` (attr may be dotted, or `factory()` to call an app factory without arguments)."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"target must look like MODULE:APP, got {target!r}")
    call = attribute.endswith("()")
    attribute = attribute[:-2] if call else attribute
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise AttributeError(f"{target}: module {module_name!r} has no attribute {attribute!r}")
        obj = getattr(obj, part)
    return obj() if call else obj


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a JSON snapshot of a FastAPI app.")
    parser.add_argument("target", help="MODULE:APP")
    parser.add_argument("--output", help="write the JSON here instead of stdout")
    parser.add_argument("--with-modules", action="store_true", help="add `code_locations` (for router tests)")
    options = parser.parse_args(argv)
    # Importing the app may print; keep stdout for the JSON alone.
    with contextlib.redirect_stdout(sys.stderr):
        app = load_app(options.target)
        snapshot = snapshot_app(app)
        if options.with_modules:
            snapshot["code_locations"] = code_locations(app)
    text = json.dumps(snapshot, indent=2) + "\n"
    if options.output:
        Path(options.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _drop_own_directory_from_path() -> None:
    # Run by file path, sys.path[0] is this directory; its modules (compare, cli, ...) must not shadow
    # same-named modules of the target project.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != here]


if __name__ == "__main__":
    _drop_own_directory_from_path()
    sys.exit(main())
