"""Every file a split writes, built from one plan: the generated modules, the slim main.py and the support files.

This is the part of `apply` that needs libcst (apply.py imports it only once retargeting has started).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from splitter.analysis.model import COMPAT_HOOK_REASON, Analysis
from splitter.emit import nodes
from splitter.emit.compat import compat_modules, existing_homes, forward_call, imports_now_elsewhere, moved_homes
from splitter.emit.emitter import Emitter, ModuleDraft, group_summary, names_router_settings_read
from splitter.emit.router_nesting import Nesting, nest_package_routers
from splitter.emit.import_order import SortSettings, settings_for
from splitter.emit.main_module import MainModule, MainRouting
from splitter.analysis.route_list_reads import route_list_reads
from splitter.emit.route_reads import HELPER as ROUTES_HELPER, routes_listed
from splitter.emit.moved_names import created_packages, destinations_of, handed_over, relocation, seam_homes
from splitter.emit.router_prefix import shorten_route_paths
from splitter.emit.source_statements import monolith_statements
from splitter.errors import SplitterError
from splitter.analysis.blocks import environment_preparers
from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import COMPAT, CORE, MAIN, Destination, Role
from splitter.planning.layout import GENERATED_MARKER, Destinations
from splitter.planning.plan_io import Plan
from splitter.planning.project import Project, schema_name_clashes
from splitter.planning.router_resources import import_order
from splitter.planning.validate import unit_placement

if TYPE_CHECKING:
    from splitter.emit.apply import ApplyOptions


def _moved_for_only(
    analysis: Analysis, placement: dict[int, Destination], only: tuple[str, ...], plan: Plan
) -> dict[int, Destination]:
    """With --only, move the chosen groups and what they need from shared/core; keep the rest in main.py."""
    names = {g.name for g in plan.groups}
    unknown = [g for g in only if g not in names | plan.packages()]
    if unknown:
        raise SplitterError(
            f"--only names no group of the plan: {', '.join(unknown)} (groups: {', '.join(sorted(names))})", plan.source
        )
    only = tuple(plan.with_their_modules(only))
    if names <= set(only):
        return placement  # the wave that completes the plan moves the rest too, as a one-shot apply does
    chosen = {Destination.router(g) for g in only} | {Destination.service(g) for g in only}
    binders: dict[str, list[int]] = defaultdict(list)  # every one: `x = None`, then `if ...: x = X()`
    for index in placement:
        for name in analysis.units[index].binds:
            binders[name].append(index)
    # the generated routers repeat the app router's settings (`route_class=TimedRoute`): what they name moves too
    settings = names_router_settings_read(analysis.router_settings)
    moving: set[int] = set()
    stack = [i for i, d in placement.items() if d in chosen] + [i for n in settings for i in binders.get(n, [])]
    stack += sorted(environment_preparers(analysis))  # the first wave sets the environment up where later ones do
    while stack:
        _move_with_what_they_use(analysis, placement, binders, stack, moving)
        stack = _core_work_above(analysis, placement, moving)
    return {i: (d if i in moving else MAIN) for i, d in placement.items()}


def _move_with_what_they_use(
    analysis: Analysis, placement: dict[int, Destination], binders: dict, stack: list[int], moving: set[int]
) -> None:
    """Add the statements on `stack` to `moving`, with every statement binding a name they use, and so on."""
    while stack:
        index = stack.pop()
        if index in moving or placement[index] == MAIN:
            continue
        moving.add(index)
        stack += [other for name in analysis.units[index].uses for other in binders.get(name, [])]


def _core_work_above(analysis: Analysis, placement: dict[int, Destination], moving: set[int]) -> list[int]:
    """The import-time work core.py holds above a statement the wave moves there and the wave leaves behind:
    main.py imports core.py above it, so it would run after what followed it in the monolith (qfinance's
    `load_dotenv(...)` below the imports, then `MONGO_URL = os.environ["MONGO_URL"]`: KeyError at import)."""
    last = max((i for i in moving if placement[i] == CORE), default=-1)
    return [i for i in range(last) if placement.get(i) == CORE and i not in moving and analysis.units[i].impure]


def _free_variable(name: str, taken: set[str]) -> str:
    while name in taken:
        name = f"api_{name}"
    return name


def _compat_lines(emitter: Emitter) -> list[cst.BaseStatement]:
    """main.py imports the compatibility module and hands it its own module object (see compat.py)."""
    alias = emitter.alias_for(MAIN, COMPAT)
    return [nodes.module_import(emitter.where, MAIN, COMPAT, alias), forward_call(alias)]


def _package_init(init: Path, monolith: str, changes: dict[Path, str], plan: Plan, where: Destinations) -> str:
    """The docstring of routers/__init__.py lists every router module (and its prefix) for readers."""
    title = f"{init.parent.name.capitalize()} split out of {monolith} by splitter"
    if init.parent != where.routers_folder():
        return f'"""{title}."""\n'
    listed = init.read_text(encoding="utf-8") if init.exists() else ""  # an earlier --only wave's listing
    prefixes = {name: prefix for name, prefix in re.findall(r"^- (\w+) \((.*)\)$", listed, re.MULTILINE)}
    prefixes.update({g.name: g.shown_path for g in plan.groups})
    modules = {p.stem for p in changes if p.parent == init.parent} | {p.stem for p in init.parent.glob("*.py")}
    modules |= {p.parent.name for p in changes if p.parent.parent == init.parent}  # packages of groups cut by size
    lines = [f"- {m}" + (f" ({prefixes[m]})" if prefixes.get(m) else "") for m in sorted(modules - {"__init__"})]
    return f'"""{title}, one module per route group:\n\n' + "\n".join(lines) + '\n"""\n'


def _import_settings(project: Project, plan: Plan) -> SortSettings:
    """The project's isort settings; for a top-level monolith the new packages count as first-party."""
    settings = settings_for(project.analysis.path.parent.resolve(), project.root.resolve())
    return settings if project.analysis.package else settings.with_first_party(created_packages(plan))


def _drafts(emitter: Emitter, homes: dict[str, Destination]) -> dict[Destination, ModuleDraft]:
    """One draft per generated module, holding the units placed there (core also holds the seams it homes)."""
    app = emitter.app
    drafts: dict[Destination, ModuleDraft] = {}
    if CORE in homes.values():
        drafts[CORE] = ModuleDraft(CORE, needs={n for n, home in homes.items() if home == CORE})
    handed = ([app] if app in homes else []) + sorted(emitter.handed_over)
    if handed:
        drafts[CORE].binds.update(handed)
        drafts[CORE].statements += _names_main_sets(emitter, drafts[CORE], handed)
    for index, destination in sorted(emitter.placement.items()):
        if destination != MAIN:
            drafts.setdefault(destination, ModuleDraft(destination)).units.append(index)
    return drafts


def _names_main_sets(emitter: Emitter, core: ModuleDraft, handed: list[str]) -> list[cst.BaseStatement]:
    """core.py's side of the names main.py sets there as it runs (the app, names handed over): a module
    `__getattr__` that runs main.py when one is read before it ran, and for those core.py's own code reads bare, a
    stand-in under `if TYPE_CHECKING:` (linters and type checkers see a binding; at run time the name is unbound
    until main.py sets it, so `core.x` reaches the `__getattr__`). A core.py with a `__getattr__` of its own keeps
    plain `x = None` stand-ins."""
    analysis, source = emitter.analysis, emitter.analysis.path.name
    in_core = [i for i, d in emitter.placement.items() if d == CORE]
    if any("__getattr__" in analysis.units[i].binds for i in in_core):
        return [
            nodes.app_placeholder(n, source, analysis.primary_kind)
            if n == emitter.app
            else nodes.handover_placeholder(n, source)
            for n in handed
        ]
    read_bare = sorted({n for i in in_core for n in analysis.units[i].uses} & set(handed))
    statements: list[cst.BaseStatement] = [nodes.main_run_on_first_read(handed, analysis.module_name, source)]
    if read_bare:
        core.needs.add("TYPE_CHECKING")
        statements.append(nodes.stand_ins_for_checkers(read_bare, source))
    return statements


@dataclass
class Routers:
    planned_var: dict[int, str]  # unit -> the router variable the plan registers it on
    variables: dict[str, dict[str, str]]  # group -> planned router variable -> variable in the module
    nesting: Nesting = field(default_factory=Nesting)  # the package routers that include their modules' routers

    def variable_of(self, group: str, index: int) -> str:
        return self.variables.get(group, {}).get(self.planned_var.get(index, "router"), "router")


def _routers(emitter: Emitter, plan: Plan, drafts: dict[Destination, ModuleDraft]) -> Routers:
    analysis = emitter.analysis
    unit_of = {u.name: u.index for u in analysis.units}
    planned_var = {
        unit_of[e.function]: e.router
        for g in plan.groups
        for e in g.endpoints
        if e.function in unit_of and not e.registered_by  # an app factory's route is no unit of its own
    }
    variables: dict[str, dict[str, str]] = {}
    for destination, draft in drafts.items():
        if destination.role is Role.ROUTER:
            unit_binds = {n for i in draft.units for n in analysis.units[i].binds}
            planned = sorted(
                {planned_var.get(i, "router") for i in draft.units if analysis.units[i].route_owner == emitter.app},
                key=lambda v: (len(v), v),
            )
            taken = unit_binds | emitter.words_of(destination)  # a module global named `router` stays itself
            variables[destination.name] = {v: _free_variable(v, taken) for v in planned}
    return Routers(planned_var, variables)


def _main_routing(emitter: Emitter, routers: Routers) -> MainRouting:
    """Each router is included where its first route was registered, under an alias main.py does not use."""
    analysis, routing = emitter.analysis, MainRouting()
    taken = set(emitter.bound_in) | {i.bound for u in analysis.units for i in u.imports}
    for registration in analysis.registrations:
        destination = emitter.placement.get(registration.unit, MAIN)
        on_app = registration.form == "decorator" and registration.owner == emitter.app
        if destination.role is Role.ROUTER and on_app:
            group = destination.name
            key = (group, routers.variables[group][routers.planned_var.get(registration.unit, "router")])
            if key not in routing.router_alias:
                routing.first_route[registration.unit] = key
                alias = f"{group.replace('.', '_')}_{key[1]}"
                while alias in taken:
                    alias += "_"
                routing.router_alias[key] = alias
                taken.add(alias)
    return routing


def _generated_modules(
    emitter: Emitter, plan: Plan, drafts: dict[Destination, ModuleDraft], routers: Routers, fmt: str | None
) -> dict[Path, str]:
    """routers/, services/, core, hooks: each draft's moved statements under its header and imports."""
    analysis, where = emitter.analysis, emitter.where
    groups = {g.name: g for g in plan.groups}
    changes: dict[Path, str] = {}
    heads: dict[Path, int] = {}  # generated file -> length of its generated head (for --formatter)
    for destination, draft in sorted(drafts.items()):
        is_router_module = destination.role is Role.ROUTER
        group = groups.get(destination.name) if is_router_module else None
        is_router = group is not None
        cut = group.prefix if is_router else ""  # the plan's APIRouter(prefix=...): cut from each route's path
        for index in draft.units:
            variable = routers.variable_of(destination.name, index) if is_router_module else "router"
            statement = emitter.moved_statement(index, destination, variable)
            unit = analysis.units[index]
            if cut and unit.route_owner == emitter.app:
                where_cut = (str(analysis.path), unit.first_line)
                statement = shorten_route_paths(emitter.as_node(index, statement), variable, cut, where_cut)
            draft.statements.append(statement)
            draft.binds |= set(unit.binds)
            draft.quoted |= unit.quoted_reads
            uses = unit.uses if unit.app_at_call_time or is_app_setup(destination) else unit.uses - {emitter.app}
            if unit.hook_kinds and emitter.registrations_of.get(index):  # its hook decorators stayed in main.py
                uses -= unit.hook_decorator_names
            draft.needs |= uses
        if is_router:
            _end_router_module(emitter, destination, draft, group, groups, routers)
        variables = list(routers.variables.get(destination.name, {}).values()) if is_router_module else []
        summary = group_summary(group) if is_router else ""
        prefix = group.shown_path if is_router else ""
        lists_routes = is_app_setup(destination) and _reads_route_lists(analysis, draft, plan)
        if lists_routes:  # main.py's setup, run in place: its route-list reads are main.py's (route_reads.py)
            draft.modules.add(COMPAT)
        built = emitter.build(draft, prefix=prefix, router_vars=variables, summary=summary, router_prefix=cut)
        changes[where.path(destination)] = built.code
        if lists_routes:
            alias = emitter.alias_for(destination, COMPAT)
            changes[where.path(destination)] = routes_listed(built.code, set(analysis.app_names), alias)
        if fmt:  # what precedes the moved statements: docstring, imports, routers; all splitter's own
            head = built.with_changes(body=built.body[: draft.head])
            heads[where.path(destination)] = len(head.code)
    if heads:
        from splitter.emit.formatting import format_heads

        changes.update(format_heads({p: changes[p] for p in heads}, heads, fmt))
    return changes


def _reads_route_lists(analysis, draft: ModuleDraft, plan: Plan) -> bool:
    """Whether a module of main.py's setup reads an app's route list whole at import time (route_reads.py)."""
    apps = set(analysis.app_names)
    return (
        analysis.tree is not None
        and any(g.endpoints for g in plan.groups)
        and any(whole for index in draft.units for _node, whole in route_list_reads(analysis.tree.body[index], apps))
    )


def _end_router_module(emitter: Emitter, destination: Destination, draft, group, groups: dict, routers) -> None:
    """The imports of a cut router's modules (before statements that ran after its last route), then the
    includes of a package's nested routers."""
    trailing = _after_the_parts(emitter, destination, draft)
    kept = len(draft.statements) - len(trailing)
    on_top = _imported_whole_on_top(emitter, draft)
    draft.statements[kept:] = _router_parts_import(emitter, destination, group, groups, on_top) + trailing
    draft.statements += _nested_includes(emitter, destination, routers, on_top)


def _imported_whole_on_top(emitter: Emitter, draft) -> set[Destination]:
    """Modules the draft's imports bind as a whole: the homes of the seams it reads through them (tideway's
    routers/player/__init__.py reads `_snapshot_dict` through its module `dismiss_pause_reason`). Importing one of
    them again at the end, under the same name, is a redefinition ruff reports (F811) and does nothing."""
    seams = emitter.seams_read_in(draft.destination)
    return set(draft.modules) | {seams[n] for n in draft.needs - draft.binds if n in seams}


def _router_parts_import(
    emitter: Emitter, destination: Destination, group, groups: dict, on_top: set[Destination]
) -> list[cst.BaseStatement]:
    """At the end of the package of a monolith's APIRouter cut into parts (planning/router_parts.py) or into a
    module per resource (planning/router_resources.py): the import of its modules, which register their routes on
    the router, in the order of their first statements, once everything above exists."""
    if "." in destination.name or not _holds_a_monolith_router(emitter, destination):
        return []  # a part itself; the group's router may be called `router` like generated ones
    # every part, whichever router it registers on: a cut block can hold several of the monolith's routers (one
    # includes another, or their endpoints call each other), and a part nobody imports never registers anything
    index_of = {unit.name: unit.index for unit in emitter.analysis.units}
    inside = [g for g in groups.values() if g.name.startswith(f"{destination.name}.") and g.name.count(".") == 1]
    units = [
        [index_of[n] for n in [e.function for e in g.endpoints] + g.router_symbols if n in index_of] for g in inside
    ]
    parts = [inside[k] for k in import_order(emitter.analysis, units)]
    parts = [part for part in parts if Destination.router(part.name) not in on_top]
    if not parts:
        return []
    statements = []
    for part in parts:
        target = Destination.router(part.name)
        statement = nodes.module_import(emitter.where, destination, target, emitter.alias_for(destination, target))
        registrar = part.router if part.router != "router" else group.router  # "router": a part without routes
        directive = f"# noqa: E402,F401 - registers its routes on {registrar}, after these"
        statements.append(nodes.with_directive(statement, directive))
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return statements


def _after_the_parts(emitter: Emitter, destination: Destination, draft: ModuleDraft) -> list[cst.BaseStatement]:
    """The last statements of a package of a monolith's APIRouter that came after all of its routes in the monolith
    and bind nothing (`api.include_router(feature_router)` at the end, planning/router_resources.py): they run
    after its modules registered their routes, as they did."""
    prefix = f"{destination.name}."
    in_parts = [i for i, d in emitter.placement.items() if d.role is Role.ROUTER and d.name.startswith(prefix)]
    if "." in destination.name or not in_parts:
        return []
    last = max(emitter.analysis.units[i].first_line for i in in_parts)
    units = emitter.analysis.units
    count = 0
    for index in reversed(draft.units):
        if units[index].first_line < last or units[index].binds:
            break
        count += 1
    return draft.statements[len(draft.statements) - count :] if count else []


def _holds_a_monolith_router(emitter: Emitter, destination: Destination) -> bool:
    """The package creates one of the monolith's own APIRouters (its modules register on it), not a router of
    splitter's own (its modules have their own routers, which it may include: router_nesting.py)."""
    routers = set(emitter.analysis.local_routers)
    units = emitter.analysis.units
    return any(placed == destination and routers & set(units[i].binds) for i, placed in emitter.placement.items())


def _nested_includes(
    emitter: Emitter, destination: Destination, routers: Routers, on_top: set[Destination]
) -> list[cst.BaseStatement]:
    """At the end of a package's __init__.py: its modules' routers, included by the package's (router_nesting.py).
    Imported last, as the parts above are: a module may import what this one defines."""
    included = routers.nesting.included.get(destination.name, [])
    if not included:
        return []
    own = routers.variables[destination.name]["router"]
    names, includes = [], []
    for group, variable in included:
        leaf = group.rpartition(".")[2]
        alias = emitter.alias_for(destination, Destination.router(group))
        if Destination.router(group) not in on_top:
            names.append(leaf if alias == leaf else f"{leaf} as {alias}")
        includes.append(nodes.method_call(own, "include_router", f"{alias}.{variable}"))
    directive = "# noqa: E402 - last: they may import from here"
    where = emitter.where
    clause = "." if where.package and where.relative else where.from_clause(destination, destination)
    imports = [nodes.with_directive(statement, directive) for statement in emitter.from_import(clause, names)]
    if imports:
        imports[0] = imports[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    includes[0] = includes[0].with_changes(leading_lines=[cst.EmptyLine()])
    return imports + includes


def _support_files(emitter: Emitter, plan: Plan, changes: dict[Path, str], homes: dict[str, list[str]]) -> None:
    """compat.py (moved names reachable through the old module) and the packages' __init__.py files."""
    analysis, where = emitter.analysis, emitter.where
    if homes:
        main_text = changes[analysis.path]
        for home, names in imports_now_elsewhere(analysis, emitter.placement, main_text, where, homes).items():
            homes.setdefault(home, []).extend(names)
        for home, names in existing_homes(where.path(COMPAT)).items():
            homes.setdefault(home, []).extend(names)
        line_length = emitter.import_settings.line_length
        setup = {d for d in emitter.placement.values() if is_app_setup(d)}
        in_place = sorted(where.dotted(d, analysis.module_name) for d in setup)
        reads = any(f".{ROUTES_HELPER}(" in text for text in changes.values())
        compat = where.path(COMPAT)
        limits = ((plan.settings or {}).get("max_lines"), compat.stem)
        texts = compat_modules(
            homes, analysis.path.name, analysis.module_name, GENERATED_MARKER, line_length, in_place, reads, limits
        )
        for name, text in texts.items():
            changes[compat.with_name(f"{name}.py")] = text
    for init in where.package_inits():
        if init in changes:
            continue  # the module of a group cut into a package: its __init__.py
        ours = not init.exists() or f"split out of {analysis.path.name} by splitter" in init.read_text(encoding="utf-8")
        if ours and any(p.parent == init.parent or init.parent in p.parents for p in changes):
            changes[init] = _package_init(init, analysis.path.name, changes, plan, where)


def _tag_entries(plan: Plan, routing: MainRouting) -> list[tuple[str, str]]:
    groups = {g.name: g for g in plan.groups}
    routed = dict.fromkeys(group for group, _ in routing.router_alias)  # in include order, as the document lists them
    return [(name, group_summary(groups[name])) for name in routed if name in groups]


def build_changes(project: Project, plan: Plan, options: ApplyOptions) -> tuple[dict[Path, str], dict[str, str]]:
    analysis = project.analysis
    placement = unit_placement(analysis, plan)
    if options.only:
        placement = _moved_for_only(analysis, placement, options.only, plan)
    where = destinations_of(analysis, plan)
    module, statements = monolith_statements(analysis)
    homes_of_seams = seam_homes(analysis, placement, plan.seams, where)
    schema_classes = frozenset(schema_name_clashes(project))
    settings = _import_settings(project, plan)
    emitter = Emitter(
        analysis, placement, homes_of_seams, where, module, statements, options.tags, schema_classes, settings
    )
    emitter.handed_over = handed_over(analysis, placement, plan.seams)
    drafts = _drafts(emitter, homes_of_seams)
    routers = _routers(emitter, plan, drafts)
    routing = _main_routing(emitter, routers)
    tags = _tag_entries(plan, routing) if options.tags else []
    routers.nesting = nest_package_routers(emitter, plan, routers, routing)
    changes = _generated_modules(emitter, plan, drafts, routers, options.fmt)
    setup = sorted(d for d in drafts if plan.layout.part_of(d) == CORE)
    homes = moved_homes(analysis, placement, homes_of_seams, where)
    hooked = any(u.pinned_reason == COMPAT_HOOK_REASON for u in analysis.units)  # by an earlier wave
    compat = _compat_lines(emitter) if homes and not hooked else []
    main_module, main_keeps = MainModule(emitter, routing).build(setup, compat, tags)
    changes[analysis.path] = main_module.code
    if (homes or hooked) and any(g.endpoints for g in plan.groups):  # as the plan notes it (project.py)
        alias = emitter.alias_for(MAIN, COMPAT)
        changes[analysis.path] = routes_listed(changes[analysis.path], set(analysis.app_names), alias)
    _support_files(emitter, plan, changes, homes)
    return changes, relocation(analysis, placement, where, homes_of_seams, emitter.handed_over, main_keeps)
