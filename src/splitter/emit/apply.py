"""`splitter apply`: carry a plan out with one libcst parse of the monolith, then write everything or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import libcst as cst

from splitter.emit import nodes
from splitter.emit.emitter import Emitter, ModuleDraft, group_summary, parse_statements
from splitter.analysis.blocks import last_leading_import
from splitter.emit.compat import compat_source, existing_homes, forward_call, imports_now_elsewhere, moved_homes
from splitter.errors import SplitterError
from splitter.emit.import_order import (
    SortSettings,
    after_imports,
    import_runs,
    merge_from_imports,
    settings_for,
    sort_block,
)
from splitter.planning.destination import COMPAT, CORE, MAIN, Destination, Role
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
    diff: str
    written: bool
    relocation: dict[str, str] = field(default_factory=dict)
    root: Path = Path(".")
    git_root: Path | None = None  # None: outside a git repository, where nothing can undo a write


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
    binder = {n: i for i, d in placement.items() for n in analysis.units[i].binds}
    moving = {i for i, d in placement.items() if d in chosen}
    stack = list(moving)
    while stack:
        for name in analysis.units[stack.pop()].uses:
            other = binder.get(name)
            if other is not None and other not in moving and placement[other] != MAIN:
                moving.add(other)
                stack.append(other)
    return {i: (d if i in moving else MAIN) for i, d in placement.items()}


def _free_variable(name: str, taken: set[str]) -> str:
    while name in taken:
        name = f"api_{name}"
    return name


def _setup_imports(emitter: Emitter, needs: set[str], modules: list[Destination]) -> list[cst.BaseStatement]:
    """main.py imports every import-time-work module it takes no name from, first: its side effects
    (`logging.basicConfig`, `os.environ.setdefault`, `mkdir`) must still run, before anything else moved."""
    imported = {emitter.bound_in[n] for n in needs if n in emitter.bound_in}
    imported |= {home for name, home in emitter.seams_read_in(MAIN).items() if name in needs}
    statements = []
    for destination in modules:
        if destination in imported:
            continue
        statement = nodes.module_import(emitter.where, MAIN, destination, emitter.alias_for(MAIN, destination))
        comment = cst.Comment("# noqa: F401 - runs its import-time setup")
        statements.append(
            statement.with_changes(
                trailing_whitespace=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=comment)
            )
        )
    return statements


def _main_module(
    emitter: Emitter,
    first_route: dict[int, tuple[str, str]],
    router_alias: dict[tuple[str, str], str],
    setup_modules: list[Destination] = (),
    compat: list[cst.BaseStatement] = (),
    tag_entries: list[tuple[str, str]] = (),
) -> tuple[cst.Module, set[str]]:
    analysis = emitter.analysis
    body: list[cst.BaseStatement] = []
    needs: set[str] = set()
    used_anywhere = set().union(*(u.uses for u in analysis.units))
    import_block_end = 0
    leading_import = last_leading_import(analysis)  # generated imports go after the monolith's own
    main_units = []
    for unit in analysis.units:
        destination = emitter.placement.get(unit.index, MAIN)
        if unit.is_copied:
            main_units.append(("copied", unit))
        elif destination == MAIN:
            main_units.append(("kept", unit))
            needs |= unit.uses
        else:
            main_units.append(("moved", unit))
            for registration in emitter.registrations_of.get(unit.index, []):
                needs |= _names_in(registration) | {unit.name}
    last_include = None
    moved_names = {n for n, home in emitter.bound_in.items() if home != MAIN}
    first_user = None  # the first kept statement that reads a moved name: generated imports must come before it
    for kind, unit in main_units:
        if kind == "kept":
            if first_user is None and (unit.uses & moved_names or emitter.app in unit.binds):
                first_user = len(body)
            body.append(emitter.moved_statement(unit.index, MAIN, "router"))
            if emitter.app in unit.binds and emitter.app in emitter.seams and not _hands_app_over(analysis):
                core = emitter.alias_for(MAIN, CORE)
                body.append(nodes.attribute_assignment(core, emitter.app, emitter.app))
                needs.add(core)
        elif kind == "moved":
            if unit.index in first_route:
                statement = nodes.method_call(emitter.app, "include_router", router_alias[first_route[unit.index]])
                # A run of includes reads as one block: blank lines before the first only, two after a def or
                # class (as ruff format and black want them).
                after_def = bool(body) and isinstance(body[-1], (cst.FunctionDef, cst.ClassDef))
                blank = [cst.EmptyLine()] * (2 if after_def else 1)
                body.append(statement.with_changes(leading_lines=[] if body and body[-1] is last_include else blank))
                last_include = body[-1]
            registrations = emitter.registrations_of.get(unit.index, [])
            if registrations:
                # Keep the blank lines that separated the function from its neighbours; its comments moved with it.
                blank = [line for line in emitter.statements[unit.index].leading_lines if line.comment is None][:2]
                body.append(registrations[0].with_changes(leading_lines=blank))
                body.extend(registrations[1:])
        else:
            if unit.kind == "docstring":
                body.append(emitter.statements[unit.index])
                continue
            elsewhere = {n for n, home in emitter.seams.items() if home != MAIN}  # read as `core.x` now
            keep = {
                i.bound
                for i in unit.imports
                if (i.bound in needs and i.bound not in elsewhere) or i.bound not in used_anywhere or i.name == "*"
            }
            statement = emitter.copied_import(unit.index, keep | {"*"}, MAIN) if keep else None
            if statement is not None:
                original = emitter.statements[unit.index]
                body.append(statement.with_changes(leading_lines=original.leading_lines))
            if unit.index <= leading_import:
                import_block_end = len(body)
    if tag_entries and last_include is not None:
        body.insert(body.index(last_include) + 1, nodes.openapi_tags_extension(emitter.app, tag_entries))
    needs |= set(router_alias.values())
    draft = ModuleDraft(MAIN, binds={n for k, u in main_units if k == "kept" for n in u.binds}, needs=needs)
    generated = emitter.import_lines(draft, copy_originals=False)
    if emitter.app in emitter.seams:  # main.py hands the app to core (see build_changes)
        core = emitter.seams[emitter.app]
        statement = nodes.module_import(emitter.where, MAIN, core, emitter.alias_for(MAIN, core))
        if not any(statement.deep_equals(line) for line in generated):  # seams main reads import it already
            generated.append(statement)
        setup_modules = [m for m in setup_modules if m != core]
    generated = _setup_imports(emitter, needs, setup_modules) + generated
    by_group: dict[str, list[str]] = {}
    for (group, variable), alias in sorted(router_alias.items()):
        by_group.setdefault(group, []).append(f"{variable} as {alias}")
    for group, names in by_group.items():
        generated += emitter.from_import(emitter.where.from_clause(MAIN, Destination.router(group)), names)
    if first_user is not None and first_user < import_block_end:
        import_block_end = _after_imports_before(body, first_user)
    body[import_block_end:import_block_end] = generated + list(compat)
    if generated and emitter.imports_sorted:
        _sort_imports_around(body, import_block_end, emitter)
    return emitter.module.with_changes(body=body), needs


def _hands_app_over(analysis: Analysis) -> bool:
    """main.py already runs `core.app = app` (an earlier apply or wave wrote it)."""
    app = re.escape(analysis.app_names[0])
    return re.search(rf"^\w+\.{app} = {app}$", analysis.source, re.MULTILINE) is not None


def _compat_lines(emitter: Emitter) -> list[cst.BaseStatement]:
    """main.py imports the compatibility module and hands it its own module object (see compat.py)."""
    alias = emitter.alias_for(MAIN, COMPAT)
    return [nodes.module_import(emitter.where, MAIN, COMPAT, alias), forward_call(alias)]


def _after_imports_before(body: list[cst.BaseStatement], position: int) -> int:
    """Right after the last import statement above `position` (a statement that reads a moved name, e.g.
    `FastAPI(openapi_tags=tags_metadata)` between the monolith's imports), else at `position` itself."""
    for index in range(position - 1, -1, -1):
        statement = body[index]
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(
            statement.body[0], (cst.Import, cst.ImportFrom)
        ):
            return index + 1
    return position


def _sort_imports_around(body: list[cst.BaseStatement], position: int, emitter: Emitter) -> None:
    """Sort the import block holding `position` in place; the statement after it gets isort's blank lines."""
    settings = emitter.import_settings
    for start, end in import_runs(body, settings):
        if start <= position < end:
            block = sort_block(merge_from_imports(body[start:end], settings), settings)
            body[start:end] = block
            end = start + len(block)
            if end < len(body):
                body[end] = after_imports(body[end], settings)
            return


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


def _names_in(node: cst.CSTNode) -> set[str]:
    """Plain names a generated statement reads (attribute names excluded)."""
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(_Collect())
    return found


def build_changes(project: Project, plan: Plan, options: ApplyOptions) -> tuple[dict[Path, str], dict[str, str]]:
    analysis = project.analysis
    placement = unit_placement(analysis, plan)
    if options.only:
        placement = _moved_for_only(analysis, placement, options.only, plan)
    relative = any(i.level > 0 for u in analysis.units for i in u.imports)
    where = Destinations(analysis.path.parent, analysis.package, plan.layout, relative, plan.packages())
    module, statements = parse_statements(analysis.source, analysis.units, analysis.path)
    seam_homes: dict[str, Destination] = {}
    for index, destination in placement.items():
        for name in analysis.units[index].binds:
            if name in plan.seams and destination != MAIN:
                seam_homes[name] = destination
    imported = {i.bound for u in analysis.units if u.kind == "import" or u.is_import_block for i in u.imports}
    for name in plan.seams:
        if name not in seam_homes and name in imported:
            seam_homes[name] = CORE  # an imported name tests patch: everyone reads it through core
    app = analysis.app_names[0]
    if any("__file__" in analysis.units[i].dynamic and where.depth(d) for i, d in placement.items() if d != MAIN):
        seam_homes["__file__"] = CORE  # code moved a folder down builds its paths from core.py, beside main.py
    if any(analysis.units[i].app_at_call_time for i, d in placement.items() if d != MAIN):
        seam_homes[app] = CORE  # moved code reads `core.app`, which main.py sets once it has created the app
    schema_classes = frozenset(schema_name_clashes(project))
    emitter = Emitter(
        analysis,
        placement,
        seam_homes,
        where,
        module,
        statements,
        tags=options.tags,
        schema_classes=schema_classes,
        import_settings=_import_settings(project, plan),
    )
    drafts: dict[Destination, ModuleDraft] = {}
    if CORE in seam_homes.values():
        drafts[CORE] = ModuleDraft(CORE, needs={n for n, home in seam_homes.items() if home == CORE})
    if app in seam_homes:
        drafts[CORE].binds.add(app)
        drafts[CORE].statements.append(nodes.app_placeholder(app, analysis.path.name))
    groups = {g.name: g for g in plan.groups}
    for index, destination in sorted(placement.items()):
        if destination == MAIN:
            continue
        draft = drafts.setdefault(destination, ModuleDraft(destination))
        draft.units.append(index)
    unit_of = {u.name: u.index for u in analysis.units}
    planned_var = {unit_of[e.function]: e.router for g in plan.groups for e in g.endpoints if e.function in unit_of}
    router_vars: dict[str, dict[str, str]] = {}  # group -> planned router variable -> variable in the module
    for destination, draft in drafts.items():
        if destination.role is Role.ROUTER:
            unit_binds = {n for i in draft.units for n in analysis.units[i].binds}
            planned = sorted(
                {planned_var.get(i, "router") for i in draft.units if analysis.units[i].route_owner == emitter.app},
                key=lambda v: (len(v), v),
            )
            taken = unit_binds | emitter.words_of(destination)  # a module global named `router` stays itself
            router_vars[destination.name] = {v: _free_variable(v, taken) for v in planned}
    first_route: dict[int, tuple[str, str]] = {}
    router_alias: dict[tuple[str, str], str] = {}
    taken = set(emitter.bound_in) | {i.bound for u in analysis.units for i in u.imports}
    for registration in analysis.registrations:
        destination = placement.get(registration.unit, MAIN)
        if destination.role is Role.ROUTER and registration.form == "decorator" and registration.owner == emitter.app:
            group = destination.name
            key = (group, router_vars[group][planned_var.get(registration.unit, "router")])
            if key not in router_alias:
                first_route[registration.unit] = key
                alias = f"{group.replace('.', '_')}_{key[1]}"
                while alias in taken:
                    alias += "_"
                router_alias[key] = alias
                taken.add(alias)
    changes: dict[Path, str] = {}
    heads: dict[Path, int] = {}  # generated file -> length of its generated head (for --formatter)
    for destination, draft in sorted(drafts.items()):
        is_router = destination.role is Role.ROUTER
        variables = router_vars.get(destination.name, {}) if is_router else {}
        group = groups.get(destination.name) if is_router else None
        is_router = group is not None
        cut = group.prefix if is_router else ""
        for index in draft.units:
            variable = variables.get(planned_var.get(index, "router"), "router")
            statement = emitter.moved_statement(index, destination, variable)
            unit = analysis.units[index]
            if cut and unit.route_owner == emitter.app:
                statement = shorten_route_paths(statement, variable, cut, (str(analysis.path), unit.first_line))
            draft.statements.append(statement)
            draft.binds |= set(unit.binds)
            draft.needs |= unit.uses if unit.app_at_call_time else unit.uses - {app}
        built = emitter.build(
            draft,
            prefix=group.shown_path if is_router else "",
            router_prefix=cut,
            router_vars=list(variables.values()),
            summary=group_summary(group) if is_router else "",
        )
        changes[where.path(destination)] = built.code
        if options.fmt:  # what precedes the moved statements: docstring, imports, routers; all splitter's own
            head = built.with_changes(body=built.body[: len(built.body) - len(draft.statements)])
            heads[where.path(destination)] = len(head.code)
    if heads:
        from splitter.emit.formatting import format_heads

        changes.update(format_heads({p: changes[p] for p in heads}, heads, options.fmt))
    setup = sorted(d for d in drafts if d == CORE or (d.role is Role.ROOT and d.name.startswith("core")))
    tag_entries = []
    if options.tags:
        routed = dict.fromkeys(group for group, _ in router_alias)  # in include order, as the document lists them
        tag_entries = [(name, group_summary(groups[name])) for name in routed if name in groups]
    homes = moved_homes(analysis, placement, seam_homes, where)
    hooked = any(u.pinned_reason == COMPAT_HOOK_REASON for u in analysis.units)  # by an earlier wave
    compat = _compat_lines(emitter) if homes and not hooked else []
    main_module, main_keeps = _main_module(emitter, first_route, router_alias, setup, compat, tag_entries)
    changes[analysis.path] = main_module.code
    if homes:
        forwarded = {name for names in homes.values() for name in names}
        for home, names in imports_now_elsewhere(analysis, placement, changes[analysis.path], where, forwarded).items():
            homes.setdefault(home, []).extend(names)
        for home, names in existing_homes(where.path(COMPAT)).items():
            homes.setdefault(home, []).extend(names)
        line_length = emitter.import_settings.line_length
        text = compat_source(homes, analysis.path.name, analysis.module_name, GENERATED_MARKER, line_length)
        changes[where.path(COMPAT)] = text
    for init in where.package_inits():
        if init in changes:
            continue  # the module of a group cut into a package: its __init__.py
        ours = not init.exists() or f"split out of {analysis.path.name} by splitter" in init.read_text(encoding="utf-8")
        if ours and any(p.parent == init.parent or init.parent in p.parents for p in changes):
            changes[init] = _package_init(init, analysis.path.name, changes, plan, where)
    relocation = relocation_for(analysis, placement, where, main_keeps)
    for name, home in seam_homes.items():
        if name not in (app, "__file__"):  # the app stays in main.py; core only holds a reference to it
            relocation[name] = where.dotted(home, analysis.module_name)
    return changes, relocation


@without_gc
def apply_split(path: str | Path, plan: Plan | None = None, options: ApplyOptions | None = None) -> ApplyResult:
    options = options or ApplyOptions()
    project = load_project(Path(path), options.module_name)
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
            return build_changes(planned, plan, replace(options, only=only))

        changes, relocation, earlier = wave_changes(wave, plan, options.only, build)
    else:
        changes, relocation = build_changes(project, plan, options)
    generated = [p for p in changes if p != project.analysis.path]
    if options.update_references and relocation:
        first_party = frozenset() if project.analysis.package else _created_packages(plan)

        def retarget(files: Project, moved: dict[str, str]) -> dict[Path, str]:
            return retarget_repository(files, moved, exclude=set(changes), first_party=first_party)

        changes.update(wave.references(retarget, relocation) if wave else retarget(project, relocation))
    changes.update(_reflowed(project, changes))
    if not options.force:  # each wave extends compat.py; modules an earlier wave wrote are regenerated
        refuse_overwrites(changes, [p for p in generated if p not in earlier], f"{plan.layout.compat_module}.py")
    if not options.allow_dirty and project.git_root is not None:
        refuse_dirty(changes, project.git_root)
    diff = unified_diff(changes, project.root)
    if not options.dry_run and diff:
        write_all({p: t for p, t in changes.items() if not p.exists() or p.read_text(encoding="utf-8") != t})
    return ApplyResult(
        plan=plan,
        changes=changes,
        diff=diff,
        written=not options.dry_run and bool(diff),
        relocation=relocation,
        root=project.root,
        git_root=project.git_root,
    )


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
