"""The shape of a synthetic monolith: plain dataclasses plus the vocab they are drawn from.

Both the seeded generator (`benchmarks/synth.py`) and the hypothesis strategy
(`tests/property/strategies.py`) build a `MonolithSpec`; `synth_render.render_module` turns it into source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Keys that statement templates may write. "id" and "name" are excluded on purpose: every
# response is built from them, so no template may overwrite them.
KEY_POOL = ("count", "score", "label", "total", "rank", "note", "size", "level", "weight", "origin")

# Statements that transform `data: dict` in place. `{k}` is a key from KEY_POOL, `{n}` an int >= 1.
# Some read module-level state (SETTINGS, FEATURE_FLAG) so that moved code has real references.
STATEMENT_TEMPLATES = (
    'data["{k}"] = {n}',
    'data["{k}"] = len(data) + {n}',
    'data["{k}"] = str(data.get("name", "{k}")).upper()[:{n}]',
    'if data.get("{k}") is None:\n    data["{k}"] = {n}',
    'data["{k}"] = sum(v for v in data.values() if isinstance(v, int)) % {n}',
    'data["{k}"] = [i * {n} for i in range(3)]',
    'try:\n    data["{k}"] = int(str(data.get("{k}", {n})))\nexcept ValueError:\n    data["{k}"] = -{n}',
    'for key in sorted(data)[:{n}]:\n    data.setdefault(key + "_seen", True)',
    'data["{k}"] = max({n}, SETTINGS["page_size"])',
    'data["{k}"] = {{"nested": {n}, "flag": FEATURE_FLAG}}',
    'while len(data) < {n} % 5 + 2:\n    data[f"pad_{{len(data)}}"] = None',
    'data["{k}"] = "-".join(sorted(str(x) for x in data))[:{n}]',
    'if data.get("{k}") == -{n}:\n    raise DomainError("{k} out of range")',
    'data["{k}"] = round(len(str(data)) / {n}, 2)',
)

# kind -> (HTTP method, path suffix after the group prefix). The order is the "natural"
# registration order: fixed paths (/me, /stats) come before the `{item_id}` routes they overlap.
ROUTE_KINDS = {
    "me": ("GET", "/me"),
    "stats": ("GET", "/stats"),
    "search": ("GET", "/search"),
    "export": ("GET", "/export"),
    "list": ("GET", ""),
    "create": ("POST", ""),
    "get": ("GET", "/{item_id}"),
    "update": ("PUT", "/{item_id}"),
    "patch": ("PATCH", "/{item_id}"),
    "delete": ("DELETE", "/{item_id}"),
    "history": ("GET", "/{item_id}/history"),
    "tag": ("GET", "/{item_id}/tags/{tag}"),
    "files": ("GET", "/files/{file_path:path}"),
}

# Prefix styles: (url prefix before the group word, identifier suffix).
PREFIX_STYLES = (("/v1", "_v1"), ("/v2", "_v2"), ("/api", "_api"), ("/api/v1", "_api_v1"), ("", ""))

NOUNS = (
    "orders",
    "users",
    "items",
    "invoices",
    "payments",
    "carts",
    "reviews",
    "tickets",
    "teams",
    "projects",
    "reports",
    "alerts",
    "devices",
    "sessions",
    "files",
    "comments",
    "tags",
    "events",
    "plans",
    "quotas",
    "shipments",
    "vendors",
    "coupons",
    "refunds",
    "accounts",
    "roles",
    "webhooks",
    "jobs",
    "metrics",
    "notes",
    "threads",
    "folders",
    "tasks",
    "builds",
    "releases",
    "regions",
    "zones",
    "assets",
    "leases",
    "audits",
)
VERBS = (
    "normalize",
    "enrich",
    "stamp",
    "score",
    "clip",
    "merge",
    "tag",
    "rank",
    "audit",
    "fold",
    "mask",
    "weigh",
    "index",
    "patch",
    "seal",
    "trace",
    "round",
    "split",
    "join",
    "pack",
)
# Extra model fields: name -> (annotation, default expression).
MODEL_FIELDS = {
    "score": ("float", "0.0"),
    "note": ("str | None", "None"),
    "active": ("bool", "True"),
    "meta": ("dict[str, int]", "{}"),
    "rank": ("int", "Field(default=0, ge=0)"),
}


@dataclass
class Stmt:
    template: int
    key: str
    number: int


@dataclass
class HelperSpec:
    name: str
    body: list[Stmt] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # helpers it calls; the callers guarantee no cycles
    cache: str | None = None  # module-level dict it fills


@dataclass
class GroupSpec:
    ident: str  # python identifier prefix: "orders_v1"
    prefix: str  # url prefix: "/v1/orders"
    model_fields: list[str] = field(default_factory=list)
    helpers: list[HelperSpec] = field(default_factory=list)
    has_cache: bool = False
    has_counter: bool = False  # `_<g>_hits` rebound through `global` by `_<g>_bump_hits()`
    has_guard: bool = False  # `require_<g>_access` Depends on get_current_user

    @property
    def title(self) -> str:
        return "".join(part.capitalize() for part in self.ident.split("_"))


@dataclass
class RouteSpec:
    group: str | None  # group ident; None for the app-level routes below
    kind: str  # a ROUTE_KINDS key, or "health" / "set_flag" / "root" when group is None
    is_async: bool = False
    auth: str | None = None  # None | "user" | "guard"
    audit: bool = False  # dependencies=[Depends(audit_request)]
    helpers: list[str] = field(default_factory=list)
    body: list[Stmt] = field(default_factory=list)
    bumps_counter: bool = False

    @property
    def name(self) -> str:
        return f"{self.group}_{self.kind}" if self.group else f"app_{self.kind}"


@dataclass
class MonolithSpec:
    groups: list[GroupSpec]
    shared_helpers: list[HelperSpec]
    routes: list[RouteSpec]  # registration order; groups may interleave
    middleware: bool = True
    exception_handler: bool = True
    startup: bool = True
    flag_setter: bool = True
    constants: list[tuple[str, int]] = field(default_factory=list)
    title: str = "synthetic monolith"
