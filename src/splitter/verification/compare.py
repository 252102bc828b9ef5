"""Compare two app snapshots (see snapshot.py) and classify every difference.

The OpenAPI document is diffed oasdiff-style (openapi_diff.py). Everything else in the snapshot describes
runtime behaviour that OpenAPI cannot show, so any change there is breaking: a route added, dropped or
changed, two routes that can match one request swapping order (first match wins), middleware order or set,
exception handlers, startup/shutdown handlers and lifespan.
"""

from __future__ import annotations

import re

from dataclasses import replace
from typing import Any

from splitter.errors import SplitterError
from splitter.verification.findings import BREAKING, COSMETIC, NON_BREAKING, Finding, Report
from splitter.verification.openapi_diff import diff_openapi

__all__ = ["BREAKING", "COSMETIC", "NON_BREAKING", "Finding", "Report", "compare"]

# Route fields whose change alters behaviour. `tags` is left to the OpenAPI diff, which knows that an opt-in
# tag addition is allowed; `path`/`methods`/`kind` identify the route.
_ROUTE_FIELDS = (
    "name",
    "endpoint",
    "status_code",
    "response_model",
    "response_class",
    "dependencies",
    "include_in_schema",
    "app",
    "class",
)

RouteKey = tuple[str, Any, Any, int]


def _routes_overlap(path_a, methods_a, path_b, methods_b) -> bool:
    # Imported late: the overlap module belongs to the planner and verification must load without it.
    from splitter.analysis.overlap import routes_overlap

    return routes_overlap(path_a, methods_a, path_b, methods_b)


def route_label(route: dict) -> str:
    if route["kind"] == "route":
        methods = ",".join(route.get("methods") or []) or "ANY"
        return f"{methods} {route['path']}"
    return f"{route['kind'].upper()} {route.get('path')}"


def overlap_arguments(route: dict) -> tuple[str | None, frozenset[str] | None]:
    """The (path, methods) pair `routes_overlap` expects for one route-table entry."""
    kind, path = route["kind"], route.get("path")
    if kind == "route":
        methods = route.get("methods")
        return path, None if methods is None else frozenset(methods)
    if kind == "websocket":
        return path, frozenset({"WEBSOCKET"})
    if kind == "mount":
        return (path or "").rstrip("/") + "/{path:path}", None
    return None, None  # e.g. a Host route: unknown, overlaps everything


def _keyed(routes: list[dict]) -> list[tuple[RouteKey, dict]]:
    """Identify routes by kind, path and methods; the n-th duplicate of a route gets n (it is shadowed)."""
    seen: dict[tuple, int] = {}
    keyed = []
    for route in routes:
        methods = route.get("methods")
        base = (route["kind"], route.get("path"), tuple(methods) if methods is not None else None)
        seen[base] = seen.get(base, 0) + 1
        keyed.append(((*base, seen[base]), route))
    return keyed


def compare_routes(before: list[dict], after: list[dict]) -> list[Finding]:
    findings: list[Finding] = []
    old, new = _keyed(before), _keyed(after)
    new_index = {key: index for index, (key, _) in enumerate(new)}
    old_keys = {key for key, _ in old}
    for key, route in old:
        if key not in new_index:
            findings.append(Finding("route-removed", BREAKING, "route removed", route_label(route)))
            continue
        other = new[new_index[key]][1]
        changed = [name for name in _ROUTE_FIELDS if _seen(route.get(name)) != _seen(other.get(name))]
        if "route_class" in route and "route_class" in other and route["route_class"] != other["route_class"]:
            changed.append("route_class")  # older snapshots do not record it
        for name in changed:
            message = f"{name} {route.get(name)!r} -> {other.get(name)!r}"
            findings.append(Finding("route-changed", BREAKING, message, route_label(route)))
    for key, route in new:
        if key not in old_keys:
            findings.append(Finding("route-added", BREAKING, "route added", route_label(route)))
    findings.extend(_order_changes(old, new_index))
    return findings


def _seen(value: Any) -> Any:
    """A route field as a client sees it: a function an app factory defined (`create_app.<locals>.list_items`)
    is the same function once the split has it defined by the function the factory calls
    (`register_items.<locals>.list_items`, analysis/factory_split.py)."""
    if isinstance(value, str):
        return _LOCALS.sub("", value)
    if isinstance(value, list):
        return [_seen(v) for v in value]
    return value


_LOCALS = re.compile(r"[\w.]*<locals>\.")


def _order_changes(old: list[tuple[RouteKey, dict]], new_index: dict[RouteKey, int]) -> list[Finding]:
    """Pairs of overlapping routes whose relative order flipped: a request now reaches the other one."""
    present = [(key, route) for key, route in old if key in new_index]
    findings = []
    for i, (key_a, route_a) in enumerate(present):
        for key_b, route_b in present[i + 1 :]:
            if new_index[key_a] < new_index[key_b]:
                continue
            if not _routes_overlap(*overlap_arguments(route_a), *overlap_arguments(route_b)):
                continue
            first, second = route_label(route_a), route_label(route_b)
            message = f"{first} was matched before {second}; now {second} comes first"
            findings.append(Finding("route-order-changed", BREAKING, message, f"{first} / {second}"))
    return findings


def _middleware_label(entry: dict) -> str:
    return entry["class"] + (f"({entry['dispatch']})" if entry.get("dispatch") else "")


def compare_middleware(before: list[dict], after: list[dict]) -> list[Finding]:
    if before == after:
        return []
    old = [_middleware_label(m) for m in before]
    new = [_middleware_label(m) for m in after]
    sort_key = repr  # entries are dicts; compare them as multisets
    if sorted(before, key=sort_key) == sorted(after, key=sort_key):
        message = f"order {old} -> {new}"
        return [Finding("middleware-order-changed", BREAKING, message, "middleware")]
    message = f"stack {old} -> {new}" if old != new else "middleware options changed"
    return [Finding("middleware-changed", BREAKING, message, "middleware")]


def compare_exception_handlers(before: dict, after: dict) -> list[Finding]:
    findings = []
    for exception in sorted(set(before) | set(after)):
        location = f"exception_handlers[{exception}]"
        if exception not in after:
            message = f"handler {before[exception]} removed"
            findings.append(Finding("exception-handler-removed", BREAKING, message, location))
        elif exception not in before:
            message = f"handler {after[exception]} added"
            findings.append(Finding("exception-handler-added", BREAKING, message, location))
        elif before[exception] != after[exception]:
            message = f"handler {before[exception]} -> {after[exception]}"
            findings.append(Finding("exception-handler-changed", BREAKING, message, location))
    return findings


def compare_lifecycle(before: dict, after: dict) -> list[Finding]:
    findings = []
    for hook in ("startup", "shutdown"):
        old, new = before.get(hook) or [], after.get(hook) or []
        if old != new:
            findings.append(Finding(f"{hook}-handlers-changed", BREAKING, f"{old} -> {new}", hook))
    old_lifespan, new_lifespan = before.get("lifespan") or {}, after.get("lifespan") or {}
    if old_lifespan != new_lifespan:
        message = f"{old_lifespan.get('names')} -> {new_lifespan.get('names')}"
        findings.append(Finding("lifespan-changed", BREAKING, message, "lifespan"))
    return findings


def compare(before: dict, after: dict, allowed_tag_additions: bool = False) -> Report:
    """Every difference between two snapshots; `allowed_tag_additions` makes added tags cosmetic."""
    if before.get("format") != after.get("format"):
        raise SplitterError(
            f"snapshot formats differ ({before.get('format')} vs {after.get('format')}); take both snapshots "
            "with the same splitter version"
        )
    return Report(_compare_app(before, after, allowed_tag_additions))


def _compare_app(before: dict, after: dict, allowed_tag_additions: bool) -> list[Finding]:
    findings = diff_openapi(before.get("openapi"), after.get("openapi"), allowed_tag_additions)
    findings += compare_routes(before.get("routes") or [], after.get("routes") or [])
    findings += _compare_mounted(before.get("routes") or [], after.get("routes") or [], allowed_tag_additions)
    findings += compare_middleware(before.get("middleware") or [], after.get("middleware") or [])
    findings += compare_exception_handlers(
        before.get("exception_handlers") or {}, after.get("exception_handlers") or {}
    )
    findings += compare_lifecycle(before, after)
    return findings


def _compare_mounted(before: list[dict], after: list[dict], allowed_tag_additions: bool) -> list[Finding]:
    """A sub-application mounted in both snapshots is compared as an app of its own (pingpong serves all of
    its 224 routes from `v1`, mounted at /api/v1): each finding's location starts with the mount."""
    new = dict(_keyed(after))
    findings = []
    for key, route in _keyed(before):
        other = new.get(key)
        if route["kind"] != "mount" or other is None or not ("mounted" in route or "mounted" in other):
            continue
        inner = _compare_app(route.get("mounted") or {}, other.get("mounted") or {}, allowed_tag_additions)
        findings += [replace(f, location=f"{route_label(route)} {f.location}") for f in inner]
    return findings
