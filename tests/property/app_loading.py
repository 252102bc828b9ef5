"""Import a generated project's app in-process, describe it, and forget it again.

Every example uses a fresh package name, and the package is purged from `sys.modules` after each
import, so the original and the split app never share a cached module.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.property.route_order import expected_order, router_of_endpoints, swapped_overlapping_pairs

try:  # the project's own snapshot/compare, when present, is the reference comparison
    from splitter.verification.compare import compare
    from splitter.verification.snapshot import snapshot_app
except ImportError:  # pragma: no cover - depends on what is implemented yet
    compare = snapshot_app = None


def unique_package_name() -> str:
    return f"splitpkg_{uuid.uuid4().hex[:12]}"


def purge_package(package: str) -> None:
    for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
        del sys.modules[name]


@contextlib.contextmanager
def no_bytecode():
    """A rewritten main.py can keep the size and mtime second of the original: a .pyc would then shadow it."""
    previous = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = previous


def effective_routes(app: Any) -> list[Any]:
    """Routes in matching order. FastAPI >= 0.137 keeps an included router as one lazy `_IncludedRouter`
    entry in `app.routes` and yields the prefixed routes from `iter_route_contexts`; older versions copy
    every route into `app.routes` at include time."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def route_table(app: Any) -> list[tuple[str, tuple[str, ...], str, str]]:
    """What decides which endpoint serves a request, in matching order."""
    table = []
    for route in effective_routes(app):
        endpoint = getattr(route, "endpoint", None)
        table.append(
            (
                getattr(route, "path", ""),
                tuple(sorted(getattr(route, "methods", None) or ())),
                getattr(route, "name", ""),
                getattr(endpoint, "__name__", repr(endpoint)),
            )
        )
    return table


def describe_app(root: Path, package: str) -> dict[str, Any]:
    """Import `<package>.main:app` from `root` and return its route table, OpenAPI and snapshot."""
    importlib.invalidate_caches()  # new routers/ and services/ directories must be seen
    sys.path.insert(0, str(root))
    try:
        with no_bytecode():
            app = importlib.import_module(f"{package}.main").app
        return {
            "routes": route_table(app),
            "openapi": app.openapi(),
            "snapshot": snapshot_app(app) if snapshot_app else None,
        }
    finally:
        sys.path.remove(str(root))
        purge_package(package)


def _table(routes: list) -> str:
    return "\n".join(f"    {methods} {path} -> {name}" for path, methods, name, _ in routes)


def differences(before: dict[str, Any], after: dict[str, Any], plan: Any = None) -> list[str]:
    """Human-readable differences a client could notice, or the design forbids; empty when none.

    The route table must hold the same routes; their order must be exactly the original order with each
    router's routes gathered at its first route (design.md, "Route order"), and no two overlapping routes
    may swap. Without a plan the order must be unchanged.
    """
    found = []
    old, new = before["routes"], after["routes"]
    if sorted(old) != sorted(new):
        lost, gained = sorted(set(old) - set(new)), sorted(set(new) - set(old))
        found.append(f"routes differ: lost {lost}, gained {gained}")
    expected = expected_order(old, router_of_endpoints(plan)) if plan is not None else old
    if new != expected and sorted(old) == sorted(new):
        found.append(f"route order:\n  expected\n{_table(expected)}\n  got\n{_table(new)}")
    for first, second in swapped_overlapping_pairs(old, new):
        found.append(f"overlapping routes swapped: {first[1]} {first[0]} now after {second[1]} {second[0]}")
    if before["openapi"] != after["openapi"]:
        found.append("openapi() changed")
    if compare is not None and before["snapshot"] is not None:
        report = compare(before["snapshot"], after["snapshot"])
        if report.has_breaking or report.of_severity("non-breaking"):
            found.append(report.to_text())
    return found
