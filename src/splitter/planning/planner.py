"""Turn an Analysis into a Plan: group endpoints, then give every unit exactly one destination.

Layering (docs/design.md): core <- shared <- services/<g> <- routers/<g> <- hooks <- main. Units are placed
users-first, so a unit lands in the lowest module that all of its users can import without a cycle.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from splitter.analysis.blocks import Block, build_blocks, strongly_connected
from splitter.planning.app_setup_runs import move_setup_runs, setup_module_notes
from splitter.analysis.path_keys import DEFAULT_SKIP_SEGMENTS, group_key
from splitter.planning.grouping import identifier
from splitter.analysis.model import Analysis
from splitter.planning.destination import CORE, HOOKS, MAIN, SHARED, Destination, Role
from splitter.planning.beside_router import router_beside
from splitter.planning.endpoint_callers import below_routers, keep_users_above
from splitter.planning.registrar_shells import release_registrar_shells
from splitter.planning.handover import handover_names, header_reads, reads_only_at_call_time
from splitter.planning.name_lookups import keep_lookups_of_relayed_names
from splitter.planning.plan_io import Endpoint, Group, Layout, Plan
from splitter.gcpause import without_gc
from splitter.planning.main_estimate import estimate_main_lines
from splitter.planning.plan_notes import named_as_the_monolith, plan_notes
from splitter.planning.rebinders_apart import rebinders_apart
from splitter.planning.route_order import keep_route_order
from splitter.planning.router_parts import cut_routers_by_resource, split_local_routers
from splitter.planning.group_assign import GroupAssigner, GroupingInput, common_path, cyclic_groups, explain_groups
from splitter.planning.size_split import import_sources

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__loader__", "__package__"}


@dataclass
class PlanOptions:
    skip_segments: tuple[str, ...] = DEFAULT_SKIP_SEGMENTS
    max_lines: int = 500
    main_max_lines: int = 200
    min_endpoints: int = 2
    group_overrides: dict[str, list[str]] = field(default_factory=dict)  # group -> path prefixes or functions
    patched_names: dict[str, list] = field(default_factory=dict)  # names tests rebind through the old module
    existing_modules: frozenset[str] = frozenset()  # group names whose files exist already
    schema_clashes: dict[str, str] = field(default_factory=dict)  # class -> another module defining that name
    layout: Layout = field(default_factory=Layout)


class _Planner:
    def __init__(
        self, analysis: Analysis, options: PlanOptions, apart: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        self.analysis = analysis
        self.options = options
        self.apart = apart  # (global, rebinding unit) pairs planned apart (planning/rebinders_apart.py)
        self.blocks, self.block_of_unit = build_blocks(analysis, apart)
        self.warnings: list[str] = []
        self.dest: dict[int, Destination] = {}  # block id -> destination
        self.group_of_block: dict[int, str] = {}  # block id -> group key (a group name, or a local router's key)
        self.local_router_label: dict[str, str] = {}  # group key of a monolith's own APIRouter -> its name's base
        self.group_reasons: dict[str, list[str]] = defaultdict(list)  # group key -> why its endpoints are together
        self.segment_of_block: dict[int, int] = {}
        self.overflow: set[Destination] = set()  # extra modules for helpers that outgrew one file
        self.unit_dest: dict[int, Destination] = {}  # a unit placed apart from its block: a part of a router's package
        self.split_routers: set[int] = set()  # blocks of a monolith's APIRouter cut into parts (planning/router_parts)
        self.part_reasons: dict[str, list[str]] = {}  # module of a router's package cut by resource -> why
        self.held_back: set[int] = set()  # blocks beside a router whose users below it stay in main.py (a cycle)
        self.users: dict[int, set[int]] = defaultdict(set)
        self.deps: dict[int, set[int]] = defaultdict(set)
        binder: dict[str, int] = {}
        for block in self.blocks:
            for name in block.binds:
                binder.setdefault(name, block.id)
        self.binder = binder
        self.handover = handover_names(analysis, frozenset(options.patched_names), self.header_reads)
        keep_lookups_of_relayed_names(self)
        for block in self.blocks:
            registry_reads = (analysis.units[u].registry_reads for u in block.units)
            for name in block.uses.union(*registry_reads):
                other = binder.get(name)
                if other is not None and other != block.id:
                    self.deps[block.id].add(other)
                    self.users[other].add(block.id)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"{self.analysis.path}:{line}: {message}")

    # -- which blocks must stay in main -------------------------------------------------------------------
    def endpoint_names(self, block_id: int) -> list[str]:
        units = set(self.blocks[block_id].units)
        names = [
            r.function
            for r in self.analysis.registrations
            if r.unit in units
            and r.function
            and r.kind in ("route", "websocket")
            and r.form == "decorator"
            and r.owner == self.analysis.app_names[0]
        ]
        for index in self.blocks[block_id].units:  # the routes an app factory's generated function registers
            names += [route.function for route in self.analysis.factory_routes.get(self.analysis.units[index].name, ())]
        return list(dict.fromkeys(names))

    def pin_closure(self, roots: list[int], reason: dict[int, str], name_roots: bool = False) -> None:
        """Keep these blocks in main.py, and every block that uses them (nothing may import main)."""
        stack = list(roots)
        while stack:
            block_id = stack.pop()
            if self.dest.get(block_id) == MAIN:
                continue
            self.dest[block_id] = MAIN
            self.group_of_block.pop(block_id, None)
            block = self.blocks[block_id]
            endpoints = self.endpoint_names(block_id)
            users = [u for u in self.users[block_id] if self.dest.get(u) != MAIN and not self.hands_over(block_id, u)]
            # A root is named when it holds others back (`try: ... app.middleware(...) ... except`): their
            # warnings say "it uses `x`, which stays there", and this one says why x does.
            app_maker = block.name in (self.analysis.factory, *self.analysis.factory_registrars)
            named_root = block_id in roots and (users or name_roots) and not app_maker
            if endpoints or (block_id not in roots and block.is_definition) or named_root:
                names = ", ".join(f"`{n}`" for n in endpoints) or f"`{block.name}`"
                self.warn(block.line, f"{names} stays in main.py: {reason.get(block_id, 'pinned')}")
            for user in users:
                reason.setdefault(user, f"it uses `{block.name}`, which stays there")
                stack.append(user)

    @cached_property
    def header_reads(self) -> dict[int, frozenset[str]]:
        return header_reads(self.analysis)

    def hands_over(self, block_id: int, user: int) -> bool:
        """`user` reads what `block_id` binds only at call time, and main.py can hand those names to core."""
        block, using = self.blocks[block_id], self.blocks[user]
        names = using.uses & set(block.binds)
        if not names or any(self.handover.get(n) not in block.units for n in names):
            return False
        units = [self.analysis.units[u] for u in using.units]
        return all(reads_only_at_call_time(self.header_reads, u, names) for u in units if u.uses & names)

    def looked_up_by_name(self, block: Block) -> set[int]:
        """Blocks that `globals()`/`eval` in `block` may reach through strings, in it or in what it reads."""
        units = [self.analysis.units[u] for u in block.units]
        strings = set().union(*(u.strings for u in units))
        for dependency in self.deps[block.id]:
            strings |= set().union(*(self.analysis.units[u].strings for u in self.blocks[dependency].units))
        prefixes = tuple(s[:-1] for s in strings if s.endswith("*"))
        names = {n for n in self.binder if n in strings or (prefixes and n.startswith(prefixes))}
        return {self.binder[n] for n in names} - {block.id}

    def pin_main(self) -> None:
        roots, reason = [], {}
        for block in self.blocks:
            if block.must_stay:
                roots.append(block.id)
                reason[block.id] = block.must_stay
                dynamic = any(d != "__file__" for u in block.units for d in self.analysis.units[u].dynamic)
                for target in self.looked_up_by_name(block) if dynamic else ():
                    roots.append(target)
                    reason.setdefault(target, f"`{block.name}` may look it up by name at run time")
        self.pin_closure(roots, reason)

    # -- groups --------------------------------------------------------------------------------------------
    def assign_groups(self) -> None:
        skip = self.options.skip_segments
        inputs = []
        imported = {i.bound for u in self.analysis.units if u.is_copied for i in u.imports if i.name is not None}
        known = set(self.binder) | imported  # helpers, models, globals, imported functions: not modules, builtins
        for block in self.blocks:
            if block.id in self.dest:
                continue
            if block.router_var:
                router_prefix = block.router_prefix or ""
                label = group_key(router_prefix, skip) or block.router_var.replace("router", "") or block.router_var
                key = f"router:{label}"  # apart from the route groups' keys, which are plain names
                self.local_router_label[key] = label
                self.group_of_block[block.id] = key
                self.group_reasons[key].append(f"the monolith's own APIRouter `{block.router_var}`")
            elif block.endpoint_paths:
                functions = self.endpoint_names(block.id) or [block.name]
                uses = (block.uses & known) - set(self.analysis.app_names)
                # grouped by the paths they serve: `/{id}/quiz` on `APIRouter(prefix="/roadmaps")` is a sub-path of
                # the roadmaps resource, not a top-level page
                prefix = self.analysis.primary_prefix
                paths = [prefix + p if prefix and p is not None else p for p in block.endpoint_paths]
                inputs.append(GroupingInput(block.id, paths, functions, block.lines, block.line, uses, prefix))
        assigner = GroupAssigner(
            inputs,
            skip,
            self.options.max_lines,
            self.options.min_endpoints,
            self.options.group_overrides,
            import_sources(self.analysis),
        )
        grouping = assigner.run()
        self.group_of_block.update(grouping.group_of)
        for group, reasons in grouping.reasons.items():
            self.group_reasons[group] += reasons
        self._merge_cyclic_groups()

    def _merge_cyclic_groups(self) -> None:
        """Groups whose endpoints call (or `Depends` on) each other's endpoints would import each other's router
        modules: a cycle. Such groups become one group."""
        for names in cyclic_groups(self.group_of_block, self.deps, self.dest):
            self.warnings.append(
                f"{self.analysis.path}: groups {', '.join(names)} call each other's endpoints: "
                f"merged into `{names[0]}` so their routers do not import each other"
            )
            for block_id, group in list(self.group_of_block.items()):
                if group in names:
                    self.group_of_block[block_id] = names[0]
            self.group_reasons[names[0]].append(
                f"with {', '.join(f'`{n}`' for n in names[1:])}: their endpoints call each other"
            )

    # -- route order ---------------------------------------------------------------------------------------
    def keep_route_order(self) -> None:
        keep_route_order(self)

    # -- destinations ----------------------------------------------------------------------------------------
    def group_names(self) -> dict[str, str]:
        return name_groups(
            set(self.group_of_block.values()),
            self.options.existing_modules,
            self.local_router_label,
            _bound_names(self),
        )

    def place(self, main_lines_budget: int) -> None:
        names = self.group_names()
        for block_id, key in self.group_of_block.items():
            self.dest[block_id] = Destination.router(names[key])
        hooks_in_main = main_lines_budget <= self.options.main_max_lines
        for block in self.blocks:
            if block.is_hook and block.id not in self.dest:
                self.dest[block.id] = MAIN if hooks_in_main else HOOKS
        if not hooks_in_main:
            release_registrar_shells(self)
        free = [b.id for b in self.blocks if b.id not in self.dest and b.placeable]
        components = strongly_connected(free, self.deps)
        for component in reversed(components):  # users before what they use
            self._place_component(component)

    def _place_component(self, component: list[int]) -> None:
        blocks = [self.blocks[b] for b in component]
        user_dests = {self.dest.get(u) for b in component for u in self.users[b] if u not in component}
        user_dests.discard(None)
        uses_router = {
            self.dest[d]
            for b in component
            for d in self.deps[b]
            if d not in component and d in self.dest and self.dest[d].role is Role.ROUTER
        }
        below = below_routers(self.dest, self.deps, user_dests, uses_router)
        beside = router_beside(self, component, uses_router, user_dests) if uses_router else None
        if beside and below:
            keep_users_above(self, component, beside, set(below))
        if beside:
            destination = beside  # it calls an endpoint: it lives beside it
        elif any(b.impure for b in blocks) or CORE in user_dests or (not user_dests and self._works(blocks)):
            # nothing imports it for a name, yet defining it does something: only core, which main.py imports for
            # its setup, surely runs it (in services/shared.py it never ran)
            destination = CORE
        else:
            groups = {d.group for d in user_dests if d.role in (Role.ROUTER, Role.SERVICE)}
            if SHARED in user_dests or len(groups) > 1:
                destination = SHARED
            elif groups:
                destination = Destination.service(groups.pop())
            else:  # a helper of main.py's own code (core is for import-time work), or used by nothing here: tests
                destination = SHARED  # or other modules may import it
        for block_id in component:
            self.dest[block_id] = destination

    def _works(self, blocks: list[Block]) -> bool:
        """Binding nothing (`celery_app.conf.task_always_eager = True`), or a definition a decorator registers
        (`@scheduler.scheduled_job`): it does its work when it runs, not when a name of it is used."""
        units = [self.analysis.units[u] for b in blocks for u in b.units]
        return not any(b.binds for b in blocks) or any(u.registers_when_defined for u in units)

    def estimate_main_lines(self, packages_once: bool = False) -> int:
        return estimate_main_lines(self, packages_once)

    def seams(self) -> list[str]:
        rebound = set()
        for unit in self.analysis.units:  # rebound by `global`, or maybe never bound (`from core import x` fails)
            rebound |= unit.rebinds_globals | unit.maybe_unbound
        wanted = rebound | set(self.options.patched_names)
        found = []
        for block in self.blocks:
            if self.dest.get(block.id, MAIN) != MAIN:
                found += [name for name in block.binds if name in wanted]
        imported = {i.bound for u in self.analysis.units if u.kind == "import" or u.is_import_block for i in u.imports}
        found += [name for name in self.options.patched_names if name in imported and name not in self.binder]
        return sorted(set(found))

    def split_oversized(self) -> None:
        """Cut a helper module over the size limit into several, dependencies first, so imports stay acyclic."""
        by_dest: dict[Destination, list[int]] = defaultdict(list)
        for block_id, destination in self.dest.items():
            by_dest[destination].append(block_id)
        budget = int(self.options.max_lines * 0.8)  # room for the header and imports
        for destination, ids in sorted(by_dest.items()):
            if destination.role in (Role.MAIN, Role.ROUTER):
                continue
            if sum(self.blocks[b].lines for b in ids) <= budget:
                continue
            chunks: list[list[int]] = [[]]
            size = 0
            for component in strongly_connected(sorted(ids), self.deps):
                lines = sum(self.blocks[b].lines for b in component)
                if chunks[-1] and size + lines > budget:
                    chunks.append([])
                    size = 0
                chunks[-1] += component
                size += lines
            taken = {d.name for d in self.dest.values()} | {d.name for d in self.overflow}
            taken |= self.options.existing_modules
            number = 1
            for chunk in chunks[1:]:
                number += 1
                while (overflow := self._overflow_module(destination, number)).name in taken:
                    number += 1  # `system_2` is the second run of group `system`'s routes: its services module
                self.overflow.add(overflow)
                for block_id in chunk:
                    self.dest[block_id] = overflow

    def _overflow_module(self, destination: Destination, number: int) -> Destination:
        """The `number`th module of a destination cut in parts: services/shared_2.py, core_2.py beside main.py."""
        layout = self.options.layout
        if destination.role is Role.SHARED:
            return Destination.service(f"{layout.shared_module}_{number}")
        if destination.role in (Role.CORE, Role.HOOKS):
            module = layout.core_module if destination.role is Role.CORE else layout.hooks_module
            return Destination.root(f"{module}_{number}")
        return Destination(destination.role, f"{destination.name}_{number}")


def _bound_names(planner: _Planner) -> frozenset[str]:
    """Every name the monolith binds at module level, its imports' included."""
    return frozenset(planner.binder) | {i.bound for u in planner.analysis.units for i in u.imports}


def name_groups(
    keys: set[str], existing: frozenset[str], labels: dict[str, str], bound: frozenset[str] = frozenset()
) -> dict[str, str]:
    """group key -> module name: the resource's name (`labels` names the monolith's own routers' keys), unless
    an existing module has it (a group never shadows or overwrites one): then `<name>_api`, which the group's
    `why` explains. A module of a package never takes a name of the monolith (`bound`): importing
    `admin.booths` sets `booths` in the package's `__init__.py`, which holds the rest of the resource and may
    read a global `booths`; it is `booths_routes` then."""
    taken = set(existing)
    names: dict[str, str] = {}
    inside: dict[str, set[str]] = defaultdict(set)  # package -> its module names
    for key in sorted(keys, key=lambda k: (k.count("/"), k)):  # a package's name before its modules'
        parent, _, sub = key.partition("/")
        if parent not in names:
            label = labels.get(parent, parent)
            wanted = identifier(label or "root")
            names[parent] = identifier(f"{wanted}_api" if wanted in existing else wanted, taken)
            taken.add(names[parent])
        if sub:  # a sub-resource cut off by size: a module of the resource's package
            package = names[parent]
            wanted = identifier(sub)
            wanted = f"{wanted}_routes" if wanted in bound | BUILTINS else wanted
            names[key] = f"{package}.{identifier(wanted, inside[package] | bound | BUILTINS)}"
            inside[package].add(names[key].split(".")[1])
    return {key: names[key] for key in keys}


def _name_reasons(planner: _Planner) -> dict[str, list[str]]:
    """group name -> why its endpoints are together, and which existing module took its resource's name."""
    existing = planner.options.existing_modules
    reasons = {}
    bound = _bound_names(planner)
    for key, name in planner.group_names().items():
        reasons[name] = list(planner.group_reasons.get(key, []))
        module = name.partition(".")[2]
        if module.removesuffix("_routes") in (bound | BUILTINS) - {module}:
            reasons[name].append(
                f"named `{module}`: importing a module `{module.removesuffix('_routes')}` of the package would "
                "replace that name (a global or a builtin such as `list`) in the package's __init__.py"
            )
        wanted = name.removesuffix("_api")
        if wanted != name and wanted in existing:
            reasons[name].append(
                f"named `{name}`: a module `{wanted}` exists already (in routers/, services/ or beside "
                f"{planner.analysis.path.name}, or imported by it), and a new module never shadows or replaces one"
            )
    return reasons | planner.part_reasons


@without_gc
def make_plan(analysis: Analysis, options: PlanOptions | None = None) -> Plan:
    options = options or PlanOptions()
    planner = rebinders_apart(_planned(analysis, options), lambda apart: _planned(analysis, options, apart))
    return _to_plan(analysis, options, planner)


def _planned(analysis: Analysis, options: PlanOptions, apart: frozenset[tuple[str, int]] = frozenset()) -> _Planner:
    planner = _Planner(analysis, options, apart)
    planner.pin_main()
    planner.assign_groups()
    planner.keep_route_order()
    planner.place(planner.estimate_main_lines())
    cut_routers_by_resource(planner)
    planner.split_oversized()
    split_local_routers(planner)
    move_setup_runs(planner)
    return planner


def _to_plan(analysis: Analysis, options: PlanOptions, planner: _Planner) -> Plan:
    by_dest: dict[Destination, list[str]] = defaultdict(list)
    for block in planner.blocks:
        destination = planner.dest.get(block.id, MAIN)
        for unit in (analysis.units[u] for u in block.units if not analysis.units[u].is_copied):
            by_dest[planner.unit_dest.get(unit.index, destination)].append(unit.name)
    groups = _plan_groups(analysis, planner, by_dest)
    for group in groups.values():
        group.common_path = common_path(analysis, group.endpoints)
    explain_groups(
        groups.values(), _name_reasons(planner), analysis.factory, analysis.factory_routes, analysis.factory_given_app
    )
    warnings = [d.render(str(analysis.path)) for d in analysis.diagnostics] + planner.warnings
    warnings += plan_notes(analysis, planner)
    warnings = setup_module_notes(planner, warnings)
    if analysis.line_map is not None:  # an app factory's routes left it: name the lines as the monolith has them
        from splitter.analysis.factory_split import lines_as_written

        warnings = lines_as_written(analysis, warnings)
    warnings = named_as_the_monolith(warnings, analysis.path)
    return Plan(
        source=str(analysis.path),
        module=analysis.module_name,
        app=analysis.app_names[0],
        groups=sorted(groups.values(), key=lambda g: g.name),
        main=by_dest[MAIN],
        core=by_dest[CORE],
        hooks=by_dest[HOOKS],
        shared=by_dest[SHARED],
        seams=planner.seams(),
        extra_modules={d: by_dest[d] for d in sorted(planner.overflow)},
        layout=options.layout,
        settings={
            "max_lines": options.max_lines,
            "main_max_lines": options.main_max_lines,
            "skip_segments": list(options.skip_segments),
            "min_endpoints": options.min_endpoints,
            "groups": options.group_overrides,
        },
        warnings=warnings,
    )


def _plan_groups(analysis: Analysis, planner: _Planner, by_dest: dict[Destination, list[str]]) -> dict[str, Group]:
    """The groups: endpoints in route-table order (with the router variable of their place), then symbols."""
    groups: dict[str, Group] = {}
    for registration in analysis.registrations:
        block_id = planner.block_of_unit[registration.unit]
        if registration.form == "add_api_route" and registration.function in planner.binder:
            block_id = planner.binder[registration.function]  # the handler moves; its registration stays
        elif registration.form != "decorator":
            continue
        destination = planner.unit_dest.get(registration.unit, planner.dest.get(block_id, MAIN))
        if registration.owner != analysis.app_names[0] and registration.owner not in analysis.local_routers:
            continue
        if destination.role is not Role.ROUTER or not registration.function:
            continue
        name = destination.name
        group = groups.setdefault(name, Group(name=name, prefix=""))
        segment = planner.segment_of_block.get(block_id, 0)
        router = f"router_{segment + 1}" if segment else "router"
        if registration.owner in analysis.local_routers:
            group.router = router = registration.owner  # it moves whole with its routes: no router is generated
        group.endpoints.append(
            Endpoint(
                registration.function, list(registration.methods or ()), registration.path, registration.line, router
            )
        )
    for unit in (u for u in analysis.units if u.name in analysis.factory_routes):  # an app factory's routes
        destination = planner.unit_dest.get(unit.index, planner.dest.get(planner.block_of_unit[unit.index], MAIN))
        if destination.role is Role.ROUTER:
            group = groups.setdefault(destination.name, Group(name=destination.name, prefix=""))
            for route in analysis.factory_routes[unit.name]:
                methods = list(route.methods or ())
                group.endpoints.append(
                    Endpoint(route.function, methods, route.path, route.line, registered_by=unit.name)
                )
    for destination, names in by_dest.items():
        if destination.role in (Role.ROUTER, Role.SERVICE) and destination not in planner.overflow:
            group = groups.setdefault(destination.name, Group(name=destination.name, prefix=""))
            endpoint_functions = {e.function for e in group.endpoints}
            target = group.router_symbols if destination.role is Role.ROUTER else group.service_symbols
            target += [n for n in names if n not in endpoint_functions]
    return groups
