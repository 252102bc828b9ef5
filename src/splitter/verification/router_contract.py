"""Cut an app snapshot (taken `--with-modules`) into one pinned contract per router, for the router tests.

A router is the module that defines a route's endpoint: `app.routers.orders` -> `orders`. Each contract pins
its routes (method, path, name, the overlapping routes that must stay before it), their OpenAPI operations,
the schemas those reference, and which routes a smoke call can reach without data. Plain JSON data in, plain
JSON data out; `router_tests.py` renders and writes it.
"""

from __future__ import annotations

import re
from typing import Any

from splitter.analysis.overlap import routes_overlap
from splitter.verification.compare import overlap_arguments

# Modules whose routes the framework adds (/docs, /openapi.json): not the project's routers.
FRAMEWORK_MODULES = ("fastapi", "starlette")
_REF_PREFIX = "#/components/schemas/"
# Names of dependencies that usually reach the outside world (listed in conftest.py as override candidates).
_OUTSIDE_WORLD = re.compile(
    r"db|database|session|conn|client|http|redis|cache|engine|storage|bucket|s3|mongo|sql|queue|broker|kafka"
    r"|llm|openai|mail|smtp",
    re.IGNORECASE,
)


def route_id(route: dict) -> str:
    """`GET /orders/{order_id}`, `GET,POST /search`, `WEBSOCKET /ws`, `MOUNT /static`: readable test ids.

    The generated conftest.py computes the same id from live route objects; keep both in step.
    """
    if route["kind"] == "route":
        return f"{','.join(route.get('methods') or []) or 'ANY'} {route['path']}"
    return f"{route['kind'].upper()} {route.get('path')}"


def router_name(module: str) -> str:
    """`shop.routers.orders` -> `orders`, `shop.routers.admin.users` -> `admin_users`, `shop.main` -> `main`."""
    parts = module.split(".")
    if "routers" in parts[:-1]:
        return "_".join(parts[parts.index("routers") + 1 :])
    return parts[-1]


def _is_project_module(module: str | None) -> bool:
    return module is not None and module.split(".")[0] not in FRAMEWORK_MODULES


def _schema_refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            found.add(ref[len(_REF_PREFIX) :])
        for value in node.values():
            _schema_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _schema_refs(item, found)


def referenced_schemas(operations: list[dict], components: dict) -> dict[str, Any]:
    """Every component schema the operations reference, directly or through other schemas, by name."""
    pending: set[str] = set()
    _schema_refs(operations, pending)
    pinned: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in pinned or name not in components:
            continue
        pinned[name] = components[name]
        _schema_refs(components[name], pending)
    return {name: pinned[name] for name in sorted(pinned)}


def _operations(route: dict, paths: dict) -> dict[str, dict]:
    if route["kind"] != "route" or not route.get("include_in_schema", True):
        return {}
    item = paths.get(route["path"]) or {}
    operations = {}
    for method in route.get("methods") or []:
        operation = item.get(method.lower())
        if operation is not None:
            operations[method.lower()] = _stable_operation(operation, route)
    return operations


def _stable_operation(operation: dict, route: dict) -> dict:
    if len(route.get("methods") or []) > 1:
        # FastAPI derives a multi-method route's operationId from iterating a set: it differs between runs.
        return {key: value for key, value in operation.items() if key != "operationId"}
    return operation


def smoke_blocker(route: dict, operations: dict[str, dict]) -> str | None:
    """Why a smoke call cannot reach this route without data, or None when a bare GET can."""
    if route["kind"] != "route" or "GET" not in (route.get("methods") or []):
        return "only GET routes get a smoke call (a call must not change state)"
    if "{" in route["path"]:
        return "the path has parameters"
    operation = operations.get("get")
    if operation is None:
        return "not in the OpenAPI document, so its parameters are unknown"
    required = [p.get("name") for p in operation.get("parameters") or [] if p.get("required")]
    if required:
        return f"required parameters: {', '.join(required)}"
    if operation.get("requestBody"):
        return "takes a request body"
    return None


def _earlier_overlapping(routes: list[dict], index: int) -> list[str]:
    route = routes[index]
    return [
        route_id(other)
        for other in routes[:index]
        if routes_overlap(*overlap_arguments(other), *overlap_arguments(route))
    ]


def router_contracts(snapshot: dict) -> dict[str, dict]:
    """One contract per project module that defines endpoints, keyed by router name, in route-table order."""
    routes = snapshot["routes"]
    modules = snapshot["code_locations"]["route_modules"]
    openapi = snapshot.get("openapi") or {}
    paths = openapi.get("paths") or {}
    components = (openapi.get("components") or {}).get("schemas") or {}
    names: dict[str, str] = {}
    contracts: dict[str, dict] = {}
    for index, (route, module) in enumerate(zip(routes, modules, strict=True)):
        if not _is_project_module(module):
            continue
        if module not in names:
            name = router_name(module)
            while name in contracts:
                name += "_2"
            names[module] = name
            contracts[name] = {"router": name, "module": module, "endpoints": [], "schemas": {}}
        operations = _operations(route, paths)
        blocker = smoke_blocker(route, operations)
        endpoint = {
            "id": route_id(route),
            "kind": route["kind"],
            "methods": route.get("methods"),
            "path": route["path"],
            "name": route.get("name"),
            "after": _earlier_overlapping(routes, index),
            "operations": operations,
            "smoke": blocker is None,
        }
        if blocker is not None:
            endpoint["no_smoke_call"] = blocker
        contracts[names[module]]["endpoints"].append(endpoint)
    for contract in contracts.values():
        operations = [op for e in contract["endpoints"] for op in e["operations"].values()]
        contract["schemas"] = referenced_schemas(operations, components)
    return contracts


def outside_world_dependencies(snapshot: dict, contracts: dict[str, dict]) -> dict[str, str | None]:
    """Dependencies of the pinned routes whose names suggest a database, HTTP client, cache or the like."""
    pinned = {(e["id"], e["name"]) for c in contracts.values() for e in c["endpoints"]}
    used: set[str] = set()
    for route in snapshot["routes"]:
        if (route_id(route), route.get("name")) in pinned:
            used.update(route.get("dependencies") or [])
    modules = snapshot["code_locations"]["dependency_modules"]
    return {name: modules.get(name) for name in sorted(used) if _OUTSIDE_WORLD.search(name)}
