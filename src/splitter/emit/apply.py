"""`splitter apply`: carry a plan out with one libcst parse of the monolith, then write everything or nothing."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import libcst as cst

from splitter.emit import nodes
from splitter.emit.emitter import Emitter, ModuleDraft, group_summary, names_router_settings_read
from splitter.emit.main_module import MainModule, MainRouting
from splitter.emit.source_statements import monolith_statements
from splitter.emit.compat import compat_source, existing_homes, forward_call, imports_now_elsewhere, moved_homes
from splitter.errors import SplitterError
from splitter.emit.import_order import (
    SortSettings,
    settings_for,
)
from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import COMPAT, CORE, MAIN, Destination, Role
from splitter.planning.handover import handover_names
from splitter.planning.layout import GENERATED_MARKER, Destinations
from splitter.analysis.model import COMPAT_HOOK_REASON, Analysis
from splitter.planning.plan_io import Plan
from splitter.planning.project import Project, load_project, plan_project, schema_name_clashes
from splitter.emit.references import relocation_for, retarget_repository
from splitter.planning.plan_edits import follow_edits
from splitter.emit.waves import planned_wave, wave_changes
from splitter.emit.router_prefix import shorten_route_paths
from splitter.planning.validate import unit_placement
from splitter.emit.writer import refuse_dirty, refuse_overwrites, unified_diff, write_all
from splitter.gcpause import without_gc


@dataclass
class ApplyOptions:
    dry_run: bool = False
    only: tuple[str, ...] = ()
    force: bool = False
    allow_dirty: bool = False
    tags: bool = False
    fmt: str | None = None  # "ruff" or "black" (--formatter): format only what splitter wrote, never moved code
    update_references: bool = True
    module_name: str | None = None


@dataclass
class ApplyResult:
    plan: Plan
    changes: dict[Path, str]
    written: bool
    relocation: dict[str, str] = field(default_factory=dict)
    root: Path = Path(".")
    git_root: Path | None = None  # None: outside a git repository, where nothing can undo a write
    _diff: str | None = field(default=None, repr=False)

    @property
    def diff(self) -> str:
        """The unified diff of the changes, made when first asked (only --dry-run prints it: diffing every file
        retargeting touched cost a tenth of `apply`) from the files as they are then; a write takes it before."""
        if self._diff is None:
            self._diff = unified_diff(self.changes, self.root)
        return self._diff


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
    while stack:
        index = stack.pop()
        if index in moving or placement[index] == MAIN:
            continue
        moving.add(index)
        stack += [other for name in analysis.units[index].uses for other in binders.get(name, [])]
    return {i: (d if i in moving else MAIN) for i, d in placement.items()}


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
    return settings if project.analysis.package else settings.with_first_party(_created_packages(plan))


def _created_packages(plan: Plan) -> frozenset[str]:
    """Top-level names of the modules a split of a top-level monolith creates (routers, services, core, ...)."""
    layout = plan.layout
    extra = {d.name for d in plan.extra_modules if d.role is Role.ROOT}
    modules = {layout.routers_package, layout.services_package, layout.core_module, layout.hooks_module}
    return frozenset(modules | {layout.compat_module} | extra)


def _seam_homes(
    analysis: Analysis, placement: dict[int, Destination], seams: list[str], where: Destinations
) -> dict[str, Destination]:
    """Where each seam lives: with its moved definition, or in core (imported names tests patch, `__file__`
    for code moved a folder down, the app for code that reads it at call time)."""
    homes: dict[str, Destination] = {}
    for index, destination in placement.items():
        for name in analysis.units[index].binds:
            if name in seams and destination != MAIN:
                homes[name] = destination
    imported = {i.bound for u in analysis.units if u.kind == "import" or u.is_import_block for i in u.imports}
    # a wave (--only) may keep a definition the name's later import rebinds: main.py stays its home then
    kept = {name for index, where_to in placement.items() if where_to == MAIN for name in analysis.units[index].binds}
    for name in seams:
        if name not in homes and name in imported and name not in kept:
            homes[name] = CORE  # an imported name tests patch: everyone reads it through core
    moved = [(analysis.units[i], d) for i, d in placement.items() if d != MAIN]
    if any("__file__" in unit.dynamic and where.depth(d) for unit, d in moved):
        homes["__file__"] = CORE  # code moved a folder down builds its paths from core.py, beside main.py
    if any(unit.app_at_call_time or (is_app_setup(d) and analysis.app_names[0] in unit.uses) for unit, d in moved):
        homes[analysis.app_names[0]] = CORE  # moved code reads `core.app`, which main.py sets once it has the app
    for name in handed_over(analysis, placement, seams):
        homes[name] = CORE  # main.py sets `core.x = x` after the block binding it (planning/handover.py)
    return homes


def handed_over(analysis: Analysis, placement: dict[int, Destination], seams: list[str]) -> set[str]:
    """Names a block kept in main.py binds that moved code reads (at call time: the planner checked)."""
    handover = handover_names(analysis, frozenset(seams))
    moved = [analysis.units[i] for i, d in placement.items() if d != MAIN]
    return {n for u in moved for n in u.uses & handover.keys() if placement.get(handover[n], MAIN) == MAIN}


def _drafts(emitter: Emitter, seam_homes: dict[str, Destination]) -> dict[Destination, ModuleDraft]:
    """One draft per generated module, holding the units placed there (core also holds the seams it homes)."""
    analysis, app = emitter.analysis, emitter.app
    drafts: dict[Destination, ModuleDraft] = {}
    if CORE in seam_homes.values():
        drafts[CORE] = ModuleDraft(CORE, needs={n for n, home in seam_homes.items() if home == CORE})
    if app in seam_homes:
        drafts[CORE].binds.add(app)
        drafts[CORE].statements.append(nodes.app_placeholder(app, analysis.path.name))
    for name in sorted(emitter.handed_over):
        drafts[CORE].binds.add(name)
        drafts[CORE].statements.append(nodes.handover_placeholder(name, analysis.path.name))
    for index, destination in sorted(emitter.placement.items()):
        if destination != MAIN:
            drafts.setdefault(destination, ModuleDraft(destination)).units.append(index)
    return drafts


@dataclass
class _Routers:
    planned_var: dict[int, str]  # unit -> the router variable the plan registers it on
    variables: dict[str, dict[str, str]]  # group -> planned router variable -> variable in the module

    def variable_of(self, group: str, index: int) -> str:
        return self.variables.get(group, {}).get(self.planned_var.get(index, "router"), "router")


def _routers(emitter: Emitter, plan: Plan, drafts: dict[Destination, ModuleDraft]) -> _Routers:
    analysis = emitter.analysis
    unit_of = {u.name: u.index for u in analysis.units}
    planned_var = {unit_of[e.function]: e.router for g in plan.groups for e in g.endpoints if e.function in unit_of}
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
    return _Routers(planned_var, variables)


def _main_routing(emitter: Emitter, routers: _Routers) -> MainRouting:
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
    emitter: Emitter, plan: Plan, drafts: dict[Destination, ModuleDraft], routers: _Routers, fmt: str | None
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
            uses = unit.uses if unit.app_at_call_time or is_app_setup(destination) else unit.uses - {emitter.app}
            if unit.hook_kinds and emitter.registrations_of.get(index):  # its hook decorators stayed in main.py
                uses -= unit.hook_decorator_names
            draft.needs |= uses
        if is_router:
            draft.statements += _router_parts_import(emitter, destination, group, groups)
        variables = list(routers.variables.get(destination.name, {}).values()) if is_router_module else []
        summary = group_summary(group) if is_router else ""
        prefix = group.shown_path if is_router else ""
        built = emitter.build(draft, prefix=prefix, router_vars=variables, summary=summary, router_prefix=cut)
        changes[where.path(destination)] = built.code
        if fmt:  # what precedes the moved statements: docstring, imports, routers; all splitter's own
            head = built.with_changes(body=built.body[: len(built.body) - len(draft.statements)])
            heads[where.path(destination)] = len(head.code)
    if heads:
        from splitter.emit.formatting import format_heads

        changes.update(format_heads({p: changes[p] for p in heads}, heads, fmt))
    return changes


def _router_parts_import(emitter: Emitter, destination: Destination, group, groups: dict) -> list[cst.BaseStatement]:
    """At the end of the package of a monolith's APIRouter cut into parts (planning/router_parts.py): the import
    of its parts, which register the following routes on the router, in order, once everything above exists."""
    if group.router == "router" or "." in destination.name:
        return []
    parts = sorted(
        (g for g in groups.values() if g.name.startswith(f"{destination.name}.") and g.router == group.router),
        key=lambda g: int(g.name.rpartition("_")[2]) if g.name.rpartition("_")[2].isdigit() else 0,
    )
    if not parts:
        return []
    statements = []
    for part in parts:
        target = Destination.router(part.name)
        statement = nodes.module_import(emitter.where, destination, target, emitter.alias_for(destination, target))
        directive = f"# noqa: E402,F401 - registers its routes on {group.router}, after these"
        statements.append(nodes.with_directive(statement, directive))
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return statements


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
        text = compat_source(homes, analysis.path.name, analysis.module_name, GENERATED_MARKER, line_length, in_place)
        changes[where.path(COMPAT)] = text
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
    relative = any(i.level > 0 for u in analysis.units for i in u.imports)
    where = Destinations(analysis.path.parent, analysis.package, plan.layout, relative, plan.packages())
    module, statements = monolith_statements(analysis)
    seam_homes = _seam_homes(analysis, placement, plan.seams, where)
    schema_classes = frozenset(schema_name_clashes(project))
    settings = _import_settings(project, plan)
    emitter = Emitter(
        analysis, placement, seam_homes, where, module, statements, options.tags, schema_classes, settings
    )
    emitter.handed_over = handed_over(analysis, placement, plan.seams)
    drafts = _drafts(emitter, seam_homes)
    routers = _routers(emitter, plan, drafts)
    routing = _main_routing(emitter, routers)
    changes = _generated_modules(emitter, plan, drafts, routers, options.fmt)
    setup = sorted(d for d in drafts if plan.layout.part_of(d) == CORE)
    homes = moved_homes(analysis, placement, seam_homes, where)
    hooked = any(u.pinned_reason == COMPAT_HOOK_REASON for u in analysis.units)  # by an earlier wave
    compat = _compat_lines(emitter) if homes and not hooked else []
    tags = _tag_entries(plan, routing) if options.tags else []
    main_module, main_keeps = MainModule(emitter, routing).build(setup, compat, tags)
    changes[analysis.path] = main_module.code
    _support_files(emitter, plan, changes, homes)
    relocation = relocation_for(analysis, placement, where, main_keeps)
    for name, home in seam_homes.items():
        if name not in (emitter.app, "__file__", *emitter.handed_over):  # main.py binds them; core refers to them
            relocation[name] = where.dotted(home, analysis.module_name)
    for name in [n for i, d in placement.items() if is_app_setup(d) for n in analysis.units[i].binds]:
        relocation.pop(name, None)  # importing a setup module runs it: other code keeps reading it through main
    return changes, relocation


@without_gc
def apply_split(path: str | Path, plan: Plan | None = None, options: ApplyOptions | None = None) -> ApplyResult:
    options = options or ApplyOptions()
    # the plan's module name, not one detected again: detection counts how the tests import the monolith, and
    # the waves before this one retargeted them (UTXOracle's `api.main` read as a top-level `main` at wave 14)
    project = load_project(Path(path), options.module_name or (plan.module if plan is not None else None))
    wave = None
    if plan is None:
        plan = plan_project(project)
    else:
        wave = planned_wave(project, plan)  # earlier waves moved code: work from the text the plan was made of
        project = wave.project if wave is not None else project
        plan = follow_edits(project.analysis, plan)  # helpers follow the endpoints a person moved
    earlier: set[Path] = set()
    if wave is not None:

        def build(planned: Project, only: tuple[str, ...]) -> tuple[dict[Path, str], dict[str, str]]:
            built, moved = build_changes(planned, plan, replace(options, only=only))
            built.update(_reflowed(planned, built))  # as the earlier wave wrote it: else it reads as a hand edit
            return built, moved

        changes, relocation, earlier = wave_changes(wave, plan, options.only, build)
    else:
        changes, relocation = build_changes(project, plan, options)
    generated = [p for p in changes if p != project.analysis.path]
    if options.update_references and relocation:
        first_party = frozenset() if project.analysis.package else _created_packages(plan)

        def retarget(files: Project, moved: dict[str, str]) -> dict[Path, str]:
            rewritten = retarget_repository(files, moved, exclude=set(changes), first_party=first_party)
            if wave is not None:  # compared with what the earlier wave wrote, reflowed as it was
                rewritten.update(_reflowed(project, rewritten))
            return rewritten

        changes.update(wave.references(retarget, relocation) if wave else retarget(project, relocation))
    changes.update(_reflowed(project, changes))
    if not options.force:  # each wave extends compat.py; modules an earlier wave wrote are regenerated
        refuse_overwrites(changes, [p for p in generated if p not in earlier], f"{plan.layout.compat_module}.py")
    if not options.allow_dirty and project.git_root is not None:
        refuse_dirty(changes, project.git_root)
    result = ApplyResult(plan, changes, False, relocation, project.root, project.git_root)
    if not options.dry_run:
        pending = {p: t for p, t in changes.items() if not p.exists() or p.read_text(encoding="utf-8") != t}
        result.diff  # noqa: B018 - taken from the files before they are written
        write_all(pending)
        result.written = bool(pending)
    return result


def _reflowed(project: Project, changes: dict[Path, str]) -> dict[Path, str]:
    """In a ruff-formatted project, lines that reading a seam through its module (or retargeting) made longer
    than the line length are formatted, so the split passes `ruff format --check` and E501 as before."""
    from splitter.emit.formatting import reflow_long_lines, ruff_formatted

    analysis = project.analysis
    line_length = settings_for(analysis.path.parent.resolve(), project.root.resolve()).line_length
    known = set(analysis.source.splitlines())
    for path in changes:
        known |= set(project.sources.get(path.resolve(), "").splitlines())
    too_long = {
        p: t for p, t in changes.items() if any(len(x) > line_length and x not in known for x in t.splitlines())
    }
    if not too_long or not ruff_formatted(analysis.path, analysis.source):
        return {}
    return reflow_long_lines(too_long, known, line_length)
