"""The plan: a plain, typed, versioned value that a person can edit and `apply` honours (docs/plan-format.md)."""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from splitter.errors import SplitterError
from splitter.planning.destination import COMPAT, CORE, HOOKS, MAIN, SHARED, Destination, Role

PLAN_VERSION = 2  # 2: `prefix` is the router's APIRouter(prefix=...); version 1 used it as `common_path`
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIXED_MODULES = ("main", "core", "hooks", "shared")


@dataclass
class Endpoint:
    function: str
    methods: list[str]
    path: str | None
    line: int
    router: str = "router"  # a group included at several places has one router per place
    # an app factory's route: the generated function registering it (analysis/factory_split.py), which moves
    registered_by: str = ""


@dataclass
class Group:
    name: str
    prefix: str  # APIRouter(prefix=...), decorators shortened by it; "" keeps the full paths in the decorators
    endpoints: list[Endpoint] = field(default_factory=list)
    router_symbols: list[str] = field(default_factory=list)  # other units that live in routers/<name>.py
    service_symbols: list[str] = field(default_factory=list)  # units that live in services/<name>.py
    router: str = "router"  # the APIRouter variable; a local router of the monolith keeps its own name
    why: list[str] = field(default_factory=list)  # why these endpoints are together (prefix, helpers, merges)
    common_path: str = ""  # the literal path its endpoints share (informational; set `prefix` to use it)

    @property
    def shown_path(self) -> str:
        """The path a reader knows the group by: its router prefix, else the path its endpoints share."""
        return self.prefix or self.common_path


@dataclass
class Layout:
    routers_package: str = "routers"
    services_package: str = "services"
    shared_module: str = "shared"  # inside services_package
    core_module: str = "core"  # beside the monolith, so __file__-relative paths keep their meaning
    hooks_module: str = "hooks"  # beside the monolith
    compat_module: str = "compat"  # beside the monolith: moved names stay reachable as main.NAME

    def part_of(self, destination: Destination) -> Destination:
        """The module an overflow module is a part of (`core_2` -> core, `services/shared_3` -> shared); else
        the destination itself. Plans name overflow modules `<module>_<n>` (planner._overflow_module)."""
        for module, whole in ((self.core_module, CORE), (self.hooks_module, HOOKS), (self.shared_module, SHARED)):
            role = Role.ROOT if whole != SHARED else Role.SERVICE
            if destination.role is role and re.fullmatch(rf"{re.escape(module)}_\d+", destination.name or ""):
                return whole
        return destination


@dataclass
class Plan:
    source: str
    module: str
    app: str
    groups: list[Group]
    main: list[str]
    core: list[str]
    hooks: list[str]
    shared: list[str]
    seams: list[str]
    layout: Layout = field(default_factory=Layout)
    extra_modules: dict[Destination, list[str]] = field(default_factory=dict)  # overflow: services/shared_2.py
    settings: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    version: int = PLAN_VERSION
    source_blob: str = ""  # git blob id of the monolith planned: later waves re-read that text from git

    def packages(self) -> frozenset[str]:
        """Groups cut into a package by size: `orders` when the plan has `orders.refunds`."""
        return frozenset(g.name.split(".")[0] for g in self.groups if "." in g.name)

    def with_their_modules(self, names: Iterable[str]) -> set[str]:
        """The named groups and, for a package (`song`), every module of it (`song.art`)."""
        wanted = set(names)
        return wanted | {g.name for g in self.groups if g.name.split(".")[0] in wanted}

    def placement(self) -> dict[str, Destination]:
        """unit name -> destination (main, core, hooks, shared, an extra module, a group's router or services)."""
        table: dict[str, Destination] = {}

        def put(name: str, destination: Destination) -> None:
            if name in table and table[name] != destination:
                raise SplitterError(f"plan puts `{name}` in both {table[name]} and {destination}", self.source)
            table[name] = destination

        for destination, names in (
            (MAIN, self.main),
            (CORE, self.core),
            (HOOKS, self.hooks),
            (SHARED, self.shared),
            *self.extra_modules.items(),
        ):
            for name in names:
                put(name, destination)
        for group in self.groups:
            for endpoint in group.endpoints:
                if not endpoint.registered_by:  # a nested definition: its function moves it
                    put(endpoint.function, Destination.router(group.name))
            for name in group.router_symbols:
                put(name, Destination.router(group.name))
            for name in group.service_symbols:
                put(name, Destination.service(group.name))
        return table


_FIXED_DESTINATIONS = {str(d): d for d in (MAIN, CORE, HOOKS, SHARED, COMPAT)}
_NAMED_DESTINATIONS = {"routers": Destination.router, "services": Destination.service, "root": Destination.root}
# routers and services of a group cut into a package by size are dotted (`services.lore.figure_2`); root is not
_DESTINATION_FORM = re.compile(
    r"^(?:(routers|services)\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)|(root)\.([A-Za-z_]\w*))$", re.ASCII
)


def parse_destination(text: object, source: str) -> Destination:
    """A destination from its plan-file form ('shared', 'routers.orders', 'root.core_2'): the one place the
    string form is read."""
    if isinstance(text, str):
        if text in _FIXED_DESTINATIONS:
            return _FIXED_DESTINATIONS[text]
        match = _DESTINATION_FORM.match(text)
        if match:
            kind, name = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            return _NAMED_DESTINATIONS[kind](name)
    raise SplitterError(
        f"invalid plan: destination {text!r} is not main, core, hooks, shared, compat, "
        "'routers.<group>', 'services.<name>' or 'root.<name>'",
        source,
    )


def _extra_modules(raw: object, source: str) -> dict[Destination, list[str]]:
    """`extra_modules`: overflow modules in the services package or beside the monolith, and their names."""
    wrong = "invalid plan: `extra_modules` keys look like 'services.<name>' or 'root.<name>'"
    if not isinstance(raw, dict):
        raise SplitterError(wrong, source)
    extra = {}
    for key, names in raw.items():
        known = isinstance(key, str) and _DESTINATION_FORM.match(key)
        destination = parse_destination(key, source) if known else None
        if destination is None or destination.role not in (Role.SERVICE, Role.ROOT):
            raise SplitterError(wrong, source)
        extra[destination] = _list_of_str(names, key, source)
    return extra


def check_group_name(name: object, source: str) -> str:
    """An identifier, or `package.module` for a module of a group cut into a package by size."""
    parts = name.split(".") if isinstance(name, str) else [None]
    if len(parts) > 2 or not all(
        isinstance(p, str) and _IDENTIFIER.match(p) and not keyword.iskeyword(p) for p in parts
    ):
        raise SplitterError(
            f"group name {name!r} is not a valid Python identifier (it becomes routers/<name>.py; "
            "`package.module` for a module of a package)",
            source,
        )
    if any(p.startswith("__") for p in parts) or parts[0] in FIXED_MODULES:
        raise SplitterError(f"group name {name!r} is reserved", source)
    return name


def plan_to_json(plan: Plan) -> dict:
    data = asdict(replace(plan, extra_modules={}))
    for group in data["groups"]:
        for endpoint in group["endpoints"]:
            if not endpoint["registered_by"]:
                del endpoint["registered_by"]
    data["extra_modules"] = {str(d): list(names) for d, names in plan.extra_modules.items()}
    return data


def _list_of_str(value: object, what: str, source: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SplitterError(f"invalid plan: {what} must be a list of names", source)
    return value


def plan_from_json(data: object, source: str = "plan") -> Plan:
    """Validate the shape of an edited plan; unknown or stale names are checked later against the analysis."""
    if not isinstance(data, dict):
        raise SplitterError("invalid plan: expected a JSON object", source)
    if data.get("version") not in (1, PLAN_VERSION):
        raise SplitterError(
            f"unsupported plan version {data.get('version')!r} (this splitter reads {PLAN_VERSION})", source
        )
    if not isinstance(data.get("groups"), list):
        raise SplitterError("invalid plan: `groups` must be a list", source)
    groups, seen = [], set()
    for raw in data["groups"]:
        group = _group_from_json(raw, source)
        if data["version"] == 1:  # its `prefix` only said which path the endpoints share
            group.common_path, group.prefix = group.prefix, ""
        if group.name in seen:
            raise SplitterError(f"invalid plan: two groups are named {group.name!r}", source)
        seen.add(group.name)
        groups.append(group)
    extra = _extra_modules(data.get("extra_modules") or {}, source)
    settings = dict(data.get("settings") or {})
    if "exclude" in settings:  # apply leaves these files alone too
        settings["exclude"] = _list_of_str(settings["exclude"], "settings.exclude", source)
    return Plan(
        source=str(data.get("source", "")),
        module=str(data.get("module", "")),
        app=str(data.get("app", "app")),
        groups=groups,
        main=_list_of_str(data.get("main", []), "main", source),
        core=_list_of_str(data.get("core", []), "core", source),
        hooks=_list_of_str(data.get("hooks", []), "hooks", source),
        shared=_list_of_str(data.get("shared", []), "shared", source),
        seams=_list_of_str(data.get("seams", []), "seams", source),
        layout=_layout_from_json(data.get("layout") or {}, source),
        settings=settings,
        extra_modules=extra,
        warnings=[str(w) for w in data.get("warnings") or []],
        source_blob=str(data.get("source_blob") or ""),
    )


def _group_from_json(raw: object, source: str) -> Group:
    if not isinstance(raw, dict) or not isinstance(raw.get("endpoints"), list):
        raise SplitterError("invalid plan: each group needs `name` and `endpoints`", source)
    name = check_group_name(raw.get("name"), source)
    router = raw.get("router", "router")
    if not isinstance(router, str) or not _IDENTIFIER.match(router):
        raise SplitterError(f"invalid plan: router variable of group {name!r} is not an identifier", source)
    return Group(
        name=name,
        prefix=_router_prefix(raw.get("prefix", ""), name, source),
        common_path=str(raw.get("common_path", "")),
        endpoints=[_endpoint_from_json(item, name, source) for item in raw["endpoints"]],
        router_symbols=_list_of_str(raw.get("router_symbols", []), f"{name}.router_symbols", source),
        service_symbols=_list_of_str(raw.get("service_symbols", []), f"{name}.service_symbols", source),
        router=router,
        why=[str(w) for w in raw.get("why") or []] if isinstance(raw.get("why"), list) else [],
    )


def _router_prefix(value: object, group: str, source: str) -> str:
    if not isinstance(value, str) or (value and not re.match(r"^/[^\s]*[^/\s]$", value)):
        raise SplitterError(
            f"invalid plan: prefix of group {group!r} must start with '/' and not end with one (or be \"\"): {value!r}",
            source,
        )
    return value


def _endpoint_from_json(item: object, group: str, source: str) -> Endpoint:
    if not isinstance(item, dict) or not isinstance(item.get("function"), str):
        raise SplitterError(f"invalid plan: an endpoint of group {group!r} has no `function`", source)
    router = item.get("router", "router")
    if not isinstance(router, str) or not _IDENTIFIER.match(router):
        raise SplitterError(f"invalid plan: router of endpoint {item['function']!r} is not an identifier", source)
    registered_by = item.get("registered_by", "")
    if not isinstance(registered_by, str) or (registered_by and not _IDENTIFIER.match(registered_by)):
        raise SplitterError(f"invalid plan: `registered_by` of {item['function']!r} is not an identifier", source)
    line = int(item.get("line") or 0)
    return Endpoint(item["function"], list(item.get("methods") or []), item.get("path"), line, router, registered_by)


def _layout_from_json(raw: object, source: str) -> Layout:
    if not isinstance(raw, dict):
        raise SplitterError("invalid plan: `layout` must be an object", source)
    layout = Layout(**{k: v for k, v in raw.items() if k in Layout.__dataclass_fields__})
    for value in asdict(layout).values():
        if not isinstance(value, str) or not _IDENTIFIER.match(value):
            raise SplitterError(f"invalid plan: layout name {value!r} is not an identifier", source)
    return layout


def read_plan(path: Path | str) -> Plan:
    """A plan from a JSON file, or from standard input when `path` is '-'."""
    if str(path) == "-":
        return _plan_from_text(sys.stdin.read(), "<stdin>")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SplitterError("plan file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SplitterError(f"cannot read plan: {exc}", path) from None
    return _plan_from_text(text, str(path))


def _plan_from_text(text: str, source: str) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SplitterError(f"plan is not valid JSON: {exc.msg}", source, exc.lineno) from None
    return plan_from_json(data, source)


def plan_to_json_text(plan: Plan) -> str:
    return json.dumps(plan_to_json(plan), indent=2) + "\n"


def write_plan(plan: Plan, path: Path) -> None:
    text = plan_to_json_text(plan)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SplitterError(f"cannot write plan: {exc.strerror or exc}", path) from None
