"""A router package's modules included through the package's own router: main.py includes the package once.

A group too big for one file becomes a package (planning/size_split.py), one module per sub-resource, and each
module's router was included by main.py on its own: 250 routes made 50 routers and a main.py of 200 lines of
imports and includes. FastAPI's way for a package is what a team writes by hand: the package's router includes
its modules' routers (`router.include_router(history.router)`) and main.py includes the package's router alone.

That registers all of them where the first of them was, the package's own routes first and then each module's
in turn. So a module joins only when that flips no two routes that can match the same request (first match
wins), and only when the package's router adds nothing to what it includes: no prefix, tags or app-level router
settings (an included route gets them again). Decided from the plan and what this apply moves, so a wave that
moves the rest of a package nests it then, and the last wave writes what a one-shot apply writes.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from splitter.planning.destination import Role
from splitter.planning.grouping import RouteSpec, order_violations, specs_of, specs_overlap
from splitter.planning.plan_io import Plan
from splitter.planning.route_order import included_router_specs

if TYPE_CHECKING:
    from splitter.emit.build import Routers
    from splitter.emit.emitter import Emitter
    from splitter.emit.main_module import MainRouting

Key = tuple[str, str]  # (group, router variable in its module)
Event = tuple[int, Hashable | None, list[RouteSpec]]


@dataclass
class Nesting:
    """package group -> the (module group, router variable) pairs its router includes, in order."""

    included: dict[str, list[Key]] = field(default_factory=dict)


def nest_package_routers(emitter: Emitter, plan: Plan, routers: Routers, routing: MainRouting) -> Nesting:
    """Which module routers each package's router includes; `routing` (main.py's includes) loses them."""
    nesting = Nesting()
    if emitter.tags or emitter.analysis.router_settings:
        return nesting
    parents = {key: _parent(key, plan, routers.variables, routing) for key in routing.router_alias}
    candidates = [(key, parent) for key, parent in parents.items() if parent is not None]
    if not candidates:
        return nesting
    events, unit_at = _events(emitter, routers)
    before = set(order_violations(events))
    owner = dict(candidates)  # in include order: each package's router includes its modules in that order
    while culprits := _culprits(events, owner, before):
        owner = {key: parent for key, parent in owner.items() if key not in culprits}
    for key, parent in owner.items():
        nesting.included.setdefault(parent[0], []).append(key)
    _include_through_packages(routing, owner, events, unit_at)
    return nesting


def _parent(key: Key, plan: Plan, variables: dict[str, dict[str, str]], routing: MainRouting) -> Key | None:
    """The package router that may include `key`: the first router of a package's module, the package moving too
    with a plain router of splitter's own (no prefix; a monolith's own router keeps its settings)."""
    group, variable = key
    package, dot, module = group.partition(".")
    if not dot or "." in module or variables.get(group, {}).get("router") != variable:
        return None
    parent = (package, variables.get(package, {}).get("router", ""))
    planned = next((g for g in plan.groups if g.name == package), None)
    if parent not in routing.router_alias or planned is None or planned.prefix or planned.router != "router":
        return None
    return parent


def _events(emitter: Emitter, routers: Routers) -> tuple[list[Event], dict[int, int]]:
    """The app's registrations in order: (position, the router a moved route is included through, what it
    matches), as planning/route_order.py reads them; and the unit of each position."""
    analysis = emitter.analysis
    router_specs = included_router_specs(analysis)
    events: list[Event] = []
    unit_at: dict[int, int] = {}
    for position, registration in enumerate(analysis.registrations):
        if registration.owner != emitter.app:
            continue
        destination = emitter.placement.get(registration.unit)
        key = None
        if destination is not None and destination.role is Role.ROUTER and registration.form == "decorator":
            group = destination.name
            key = (group, routers.variables[group][routers.planned_var.get(registration.unit, "router")])
        events.append((position, key, specs_of(registration, router_specs)))
        unit_at[position] = registration.unit
    return events, unit_at


def _through(events: list[Event], owner: dict[Key, Key]) -> list[Event]:
    """The events with each nested router's routes included through its package's router."""
    return [(position, owner.get(key, key) if key else None, specs) for position, key, specs in events]


def _culprits(events: list[Event], owner: dict[Key, Key], before: set[tuple[int, int]]) -> set[Key]:
    """The nested routers to include from main.py again: one per package whose routes would match out of order.
    A flip involving a nested router's route is that router's doing; one between two routes of neither, a package's
    own routes landing earlier, is the doing of its module whose first route came first."""
    key_at = {position: key for position, key, _ in events}
    first: dict[Key, int] = {}
    for position, key, _ in events:
        if key is not None:
            first.setdefault(key, position)
    culprits: dict[Key, Key] = {}  # package -> the one nested router it gives up in this pass
    for earlier, later in sorted(set(order_violations(_through(events, owner))) - before):
        nested = [key_at[p] for p in (later, earlier) if key_at[p] in owner]
        package = owner[nested[0]] if nested else key_at[later] if key_at[later] in owner.values() else key_at[earlier]
        if package not in owner.values():
            return set(owner)  # not a nesting's doing, as far as this can tell: nest nothing
        if package in culprits:
            continue
        family = [key for key in owner if owner[key] == package]
        culprits[package] = nested[0] if nested else min(family, key=first.__getitem__)
    for package in set(owner.values()) - set(culprits):
        shadowed = _shadowed(events, [package] + [key for key in owner if owner[key] == package])
        if shadowed is not None:
            culprits[package] = shadowed
    return set(culprits.values())


def _shadowed(events: list[Event], members: list[Key]) -> Key | None:
    """The first member of a package's router (its own router, then the nested ones in order) a route of which
    came before an overlapping route of an earlier member: that one would now match first."""
    routes = {member: [(p, specs) for p, key, specs in events if key == member] for member in members}
    for rank, member in enumerate(members):
        for earlier_member in members[:rank]:
            if any(
                a < b and _overlap(specs_a, specs_b)
                for a, specs_a in routes[member]
                for b, specs_b in routes[earlier_member]
            ):
                return member
    return None


def _overlap(specs_a: list[RouteSpec], specs_b: list[RouteSpec]) -> bool:
    return any(specs_overlap(a, b) for a in specs_a for b in specs_b)


def _include_through_packages(
    routing: MainRouting, owner: dict[Key, Key], events: list[Event], unit_at: dict[int, int]
) -> None:
    """main.py imports and includes each package's router alone, where the first route of any of its routers was."""
    for key in owner:
        del routing.router_alias[key]
    first = {unit: key for unit, key in routing.first_route.items() if key not in owner}
    for parent in set(owner.values()):
        earliest = min(position for position, key, _ in events if key is not None and owner.get(key, key) == parent)
        first = {unit: key for unit, key in first.items() if key != parent}
        first[unit_at[earliest]] = parent
    routing.first_route = first
