"""Turn a monolith *specification* (plain dataclasses) into FastAPI source text.

The seeded generator (`benchmarks/synth.py`) and the hypothesis strategy
(`tests/property/strategies.py`) both build a `MonolithSpec` and render it here, so every
synthetic monolith comes from structure, never from editing text, and is valid by construction.
"""

from __future__ import annotations

from benchmarks.synth_spec import (
    MODEL_FIELDS,
    ROUTE_KINDS,
    STATEMENT_TEMPLATES,
    GroupSpec,
    HelperSpec,
    MonolithSpec,
    RouteSpec,
    Stmt,
)


def indent(text: str, level: int = 1) -> str:
    pad = "    " * level
    return "\n".join(pad + line if line else line for line in text.splitlines())


def render_stmt(stmt: Stmt) -> str:
    return STATEMENT_TEMPLATES[stmt.template % len(STATEMENT_TEMPLATES)].format(k=stmt.key, n=max(1, stmt.number))


def render_header(spec: MonolithSpec) -> str:
    constants = "".join(f"{name} = {value}\n" for name, value in spec.constants)
    return f'''"""{spec.title}: one module holding every route, helper and piece of state."""

import time
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

app = FastAPI(title="{spec.title}", version="1.0.0")

SETTINGS: dict[str, Any] = {{"page_size": 20, "region": "eu", "max_items": 500}}
FEATURE_FLAG = False
STARTED_AT: float | None = None
REQUEST_COUNT = 0
AUDIT_LOG: list[str] = []
{constants}

class DomainError(Exception):
    """Raised by helpers; turned into a 422 response by the exception handler."""


def get_settings() -> dict[str, Any]:
    return SETTINGS


def get_db(settings: dict[str, Any] = Depends(get_settings)) -> dict[str, Any]:
    return {{"region": settings["region"], "pool": settings["page_size"] // 2}}


def get_current_user(
    db: dict[str, Any] = Depends(get_db), x_token: str | None = Header(default=None)
) -> dict[str, Any]:
    if x_token == "invalid":
        raise HTTPException(status_code=401, detail="bad token")
    return {{"id": 7, "name": "demo", "region": db["region"], "banned": False}}


def audit_request(request: Request) -> None:
    AUDIT_LOG.append(request.url.path)
    del AUDIT_LOG[:-100]'''


def render_app_hooks(spec: MonolithSpec) -> list[str]:
    parts = []
    if spec.flag_setter:
        parts.append(
            "def set_feature_flag(value: bool) -> bool:\n    global FEATURE_FLAG\n"
            "    previous = FEATURE_FLAG\n    FEATURE_FLAG = value\n    return previous"
        )
    if spec.middleware:
        parts.append(
            '@app.middleware("http")\nasync def count_requests(request: Request, call_next):\n'
            "    global REQUEST_COUNT\n    REQUEST_COUNT += 1\n    response = await call_next(request)\n"
            '    response.headers["x-request-count"] = str(REQUEST_COUNT)\n    return response'
        )
    if spec.exception_handler:
        parts.append(
            "@app.exception_handler(DomainError)\n"
            "async def handle_domain_error(request: Request, exc: DomainError) -> JSONResponse:\n"
            '    return JSONResponse(status_code=422, content={"detail": str(exc)})'
        )
    if spec.startup:
        parts.append(
            '@app.on_event("startup")\nasync def record_startup_time() -> None:\n'
            "    global STARTED_AT\n    STARTED_AT = time.time()"
        )
    return parts


def render_helper(helper: HelperSpec) -> str:
    lines = ["data = dict(data)"]
    lines += [render_stmt(stmt) for stmt in helper.body]
    lines += [f"data = {callee}(data)" for callee in helper.calls]
    if helper.cache:
        lines.append(f"if len({helper.cache}) > 256:\n    {helper.cache}.clear()")
        lines.append(f'{helper.cache}[str(data.get("id"))] = data')
    lines.append("return data")
    body = indent("\n".join(lines))
    return f"def {helper.name}(data: dict[str, Any]) -> dict[str, Any]:\n{body}"


def render_group_defs(group: GroupSpec) -> list[str]:
    fields = "".join(f"    {name}: {MODEL_FIELDS[name][0]} = {MODEL_FIELDS[name][1]}\n" for name in group.model_fields)
    parts = [
        f"class {group.title}In(BaseModel):\n"
        "    name: str = Field(min_length=1, max_length=80)\n"
        f"    qty: int = Field(default=0, ge=0)\n{fields}".rstrip("\n"),
        f"class {group.title}Out(BaseModel):\n    id: int\n    name: str\n    tags: list[str] = []\n{fields}".rstrip(
            "\n"
        ),
    ]
    state = []
    if group.has_cache:
        state.append(f"_{group.ident.upper()}_CACHE: dict[str, dict[str, Any]] = {{}}")
    if group.has_counter:
        state.append(f"_{group.ident}_hits = 0")
    if state:
        parts.append("\n".join(state))
    if group.has_counter:
        parts.append(
            f"def _{group.ident}_bump_hits() -> int:\n    global _{group.ident}_hits\n"
            f"    _{group.ident}_hits += 1\n    return _{group.ident}_hits"
        )
    if group.has_guard:
        parts.append(
            f"def require_{group.ident}_access(\n    user: dict[str, Any] = Depends(get_current_user),\n"
            ') -> dict[str, Any]:\n    if user.get("banned"):\n'
            '        raise HTTPException(status_code=403, detail="forbidden")\n    return user'
        )
    parts += [render_helper(helper) for helper in group.helpers]
    return parts


ITEM_KINDS = {"get", "update", "patch", "delete", "history", "tag"}
OUT_KINDS = {"me", "create", "get", "update", "patch", "tag"}
LIST_KINDS = {"list", "search"}


def _route_params(route: RouteSpec, group: GroupSpec) -> list[str]:
    kind = route.kind
    params = ["item_id: int"] if kind in ITEM_KINDS else []
    params += {"tag": ["tag: str"], "files": ["file_path: str"]}.get(kind, [])
    if kind in ("create", "update"):
        params.append(f"body: {group.title}In")
    params += {
        "me": ["user: dict[str, Any] = Depends(get_current_user)"],
        "stats": ["settings: dict[str, Any] = Depends(get_settings)"],
        "search": [
            'q: str = Query(default="", max_length=50)',
            "limit: int = Query(default=10, ge=1, le=100)",
        ],
        "list": ["limit: int = Query(default=20, ge=1, le=200)", "offset: int = 0"],
        "patch": ["name: str | None = None"],
        "history": ["limit: int = 5"],
        "export": ['fmt: str = Query(default="json", pattern="^(json|csv)$")'],
    }.get(kind, [])
    if route.auth and kind != "me":
        dependency = f"require_{group.ident}_access" if route.auth == "guard" else "get_current_user"
        params.append(f"user: dict[str, Any] = Depends({dependency})")
    return params


def _initial_data(route: RouteSpec, group: GroupSpec) -> str:
    kind = route.kind
    if kind == "me":
        return '{"id": user["id"], "name": str(user["name"])}'
    if kind in ("create", "update"):
        ident = "item_id" if kind == "update" else "0"
        return f'{{**body.model_dump(), "id": {ident}}}'
    if kind == "tag":
        return '{"id": item_id, "name": tag}'
    if kind == "files":
        return '{"id": len(file_path), "name": file_path}'
    if kind == "search":
        return f'{{"id": 0, "name": q or "{group.ident}"}}'
    ident = "item_id" if kind in ITEM_KINDS else f"offset + {len(group.ident)}" if kind == "list" else "0"
    return f'{{"id": {ident}, "name": "{group.ident}"}}'


def _return_statement(kind: str) -> str:
    if kind in OUT_KINDS:
        return 'return {"id": data["id"], "name": str(data["name"]), "tags": sorted(str(key) for key in data)[:3]}'
    if kind in LIST_KINDS:
        return (
            'return [\n    {"id": data["id"] + i, "name": f"{data[\'name\']}-{i}", "tags": []}\n'
            "    for i in range(min(limit, 3))\n]"
        )
    return {
        "stats": 'return {"keys": len(data), "page_size": settings["page_size"]}',
        "export": 'return {"format": fmt, "rows": len(data)}',
        "files": 'return {"path": file_path, "size": len(data)}',
        "history": 'return {"item": item_id, "events": sorted(str(key) for key in data)[:limit]}',
        "delete": "return None",
    }[kind]


def _decorator(route: RouteSpec, group: GroupSpec) -> str:
    method, suffix = ROUTE_KINDS[route.kind]
    args = [f'"{group.prefix}{suffix}"']
    if route.kind in OUT_KINDS:
        args.append(f"response_model={group.title}Out")
    elif route.kind in LIST_KINDS:
        args.append(f"response_model=list[{group.title}Out]")
    if route.kind == "create":
        args.append("status_code=201")
    elif route.kind == "delete":
        args.append("status_code=204")
    args.append(f'tags=["{group.ident}"]')
    if route.audit:
        args.append("dependencies=[Depends(audit_request)]")
    return f"@app.{method.lower()}({', '.join(args)})"


def render_group_route(route: RouteSpec, group: GroupSpec) -> str:
    lines = [f"data = {_initial_data(route, group)}"]
    if route.kind == "patch":
        lines.append('if name is not None:\n    data["name"] = name')
    lines += [render_stmt(stmt) for stmt in route.body]
    lines += [f"data = {helper}(data)" for helper in route.helpers]
    if route.bumps_counter and group.has_counter:
        lines.append(f'data["hits"] = _{group.ident}_bump_hits()')
    if group.has_cache and route.kind in ("create", "update"):
        lines.append(f'_{group.ident.upper()}_CACHE[str(data["id"])] = data')
    if group.has_cache and route.kind == "delete":
        lines.append(f"_{group.ident.upper()}_CACHE.pop(str(item_id), None)")
    lines.append(_return_statement(route.kind))
    params = _route_params(route, group)
    signature = ", ".join(params)
    if len(signature) > 80:
        signature = "\n" + ",\n".join("    " + param for param in params) + ",\n"
    keyword = "async def" if route.is_async else "def"
    return f"{_decorator(route, group)}\n{keyword} {route.name}({signature}):\n{indent(chr(10).join(lines))}"


def render_app_route(route: RouteSpec, spec: MonolithSpec) -> str:
    keyword = "async def" if route.is_async else "def"
    if route.kind == "health":
        return (
            f'@app.get("/health")\n{keyword} {route.name}() -> dict[str, Any]:\n'
            '    return {"status": "ok", "up": STARTED_AT is not None, "flag": FEATURE_FLAG, '
            '"requests": REQUEST_COUNT}'
        )
    if route.kind == "set_flag":
        return (
            f'@app.post("/admin/flags", tags=["admin"])\n{keyword} {route.name}(enabled: bool = Query()) '
            '-> dict[str, Any]:\n    return {"previous": set_feature_flag(enabled), "enabled": FEATURE_FLAG}'
        )
    if route.kind == "root":
        return f'@app.get("/")\n{keyword} {route.name}() -> dict[str, str]:\n    return {{"title": app.title}}'
    if route.kind == "legacy":  # overlaps every two-segment GET route registered after it
        return (
            f'@app.get("/{{section}}/{{item_id}}", tags=["legacy"])\n{keyword} {route.name}(section: str, '
            'item_id: str) -> dict[str, str]:\n    return {"section": section, "item": item_id}'
        )
    raise ValueError(f"unknown app-level route kind {route.kind!r}")


def render_module(spec: MonolithSpec) -> str:
    """Header, app hooks, shared helpers, then routes in order; a group's models, state and private
    helpers are emitted right before its first route, so interleaved groups read naturally."""
    groups = {group.ident: group for group in spec.groups}
    parts = [render_header(spec), *render_app_hooks(spec)]
    parts += [render_helper(helper) for helper in spec.shared_helpers]
    emitted: set[str] = set()
    for route in spec.routes:
        if route.group is None:
            parts.append(render_app_route(route, spec))
            continue
        group = groups[route.group]
        if group.ident not in emitted:
            emitted.add(group.ident)
            parts += render_group_defs(group)
        parts.append(render_group_route(route, group))
    for group in spec.groups:  # groups without routes still define their code
        if group.ident not in emitted:
            parts += render_group_defs(group)
    return "\n\n\n".join(parts) + "\n"
