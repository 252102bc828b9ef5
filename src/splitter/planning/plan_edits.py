"""Honour a hand-edited plan: helpers follow the endpoints a person moved.

A reviewer edits endpoints, not helper lists: moves `get_invoice` from `orders` to `billing`, or merges two
groups by moving every endpoint of one into the other and deleting it. The helpers and models that only those
endpoints used would be left behind in the old group's services module, or in no list at all. Here, before the
plan is checked, every helper whose group no longer holds any of its users goes to the one group that now does,
and a function or class the edited plan leaves out is placed by its users the same way. Everything else stays
exactly as the person wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from splitter.analysis.blocks import Block, build_blocks
from splitter.analysis.model import Analysis
from splitter.analysis.rebinders import separable
from splitter.planning.destination import CORE, HOOKS, MAIN, SHARED, Destination, Role
from splitter.planning.plan_io import Plan


def follow_edits(analysis: Analysis, plan: Plan) -> Plan:
    """The plan with orphaned and missing helpers placed beside their users (a new Plan; the input is kept)."""
    blocks, _ = build_blocks(analysis, separable(analysis))
    names_of = {b.id: [analysis.units[u].name for u in b.units if not analysis.units[u].is_copied] for b in blocks}
    binder = {name: b.id for b in blocks for name in names_of[b.id]}
    users: dict[int, set[int]] = defaultdict(set)
    uses: dict[int, set[int]] = defaultdict(set)
    for block in blocks:
        for name in block.uses:
            other = binder.get(name)
            if other is not None and other != block.id:
                users[other].add(block.id)
                uses[block.id].add(other)
    placement = _placement(plan)
    endpoints = [(e, g) for g in plan.groups for e in g.endpoints if not e.registered_by]  # not a factory's nested
    endpoint_group = _endpoint_groups([(binder[e.function], g.name) for e, g in endpoints if e.function in binder])
    destination = {b.id: _destination(names_of[b.id], placement) for b in blocks}
    group_names = {g.name for g in plan.groups}
    changed: set[int] = set()
    for _ in range(len(blocks)):  # a helper that moves may orphan the helpers only it used
        moved = False
        for block in blocks:
            if block.id in endpoint_group or block.endpoint_paths or not names_of[block.id]:
                continue
            if _tied_to_its_router(block.id, uses[block.id], destination, endpoint_group):
                continue
            new = _new_home(block, destination, users[block.id], endpoint_group, group_names)
            if new is not None and new != destination[block.id]:
                destination[block.id] = new
                changed.add(block.id)
                moved = True
        if not moved:
            break
    moved = {name: destination[b] for b in changed for name in names_of[b]}
    return _rebuild(plan, moved)


def _endpoint_groups(pairs: list[tuple[int, str]]) -> dict[int, set[str]]:
    """block -> the groups its endpoints are in. A monolith's APIRouter moves with all its routes as one block, whose
    routes a plan may put in several modules of one package (`api_routes.users`, `api_routes.movements`, or
    `part_2`...): a helper it uses stays in whichever of them the plan put it (taken for the last module alone,
    they went to services/api_routes/users.py, "used only by the api_routes.users routes")."""
    groups: dict[int, set[str]] = defaultdict(set)
    for block, group in pairs:
        groups[block].add(group)
    return groups


def _tied_to_its_router(
    block: int, uses: set[int], destination: dict[int, Destination | None], endpoint_group: dict[int, set[str]]
) -> bool:
    """A helper the planner put beside a router reads state that router holds (a global an endpoint there
    rebinds): its users elsewhere import it from that router, and moved to them it would import the state from
    one router into another."""
    place = destination[block]
    if place is None or place.role is not Role.ROUTER:
        return False
    return any(destination[other] == place and other not in endpoint_group for other in uses)


def _placement(plan: Plan) -> dict[str, Destination]:
    table = {}
    for name in plan.main:
        table[name] = MAIN
    for key, names in ((CORE, plan.core), (HOOKS, plan.hooks), (SHARED, plan.shared)):
        table.update(dict.fromkeys(names, key))
    for key, names in plan.extra_modules.items():
        table.update(dict.fromkeys(names, key))
    for group in plan.groups:
        table.update(dict.fromkeys(group.router_symbols, Destination.router(group.name)))
        table.update(dict.fromkeys(group.service_symbols, Destination.service(group.name)))
    return table


def _destination(names: list[str], placement: dict[str, Destination]) -> Destination | None:
    return next((placement[n] for n in names if n in placement), None)


def _new_home(
    block: Block,
    destination: dict[int, Destination | None],
    users: set[int],
    endpoint_group: dict[int, set[str]],
    groups: set[str],
) -> Destination | None:
    """Where a helper goes now, or None to leave it. Only a helper whose group lost all its users, or one the
    plan leaves out, moves: to the one group that uses it (one left out and used more widely: shared)."""
    user_groups: set[str] = set()  # the plan's groups its users are in
    elsewhere: set[Destination] = set()  # where its other users are: main, core, shared, an extra module
    for user in users:
        place = destination[user]
        if user in endpoint_group:
            user_groups |= endpoint_group[user]
        elif place is not None and place.group in groups:
            user_groups.add(place.group)
        elif place is not None:
            elsewhere.add(place)
    only_group = next(iter(user_groups)) if len(user_groups) == 1 and not elsewhere else None
    current = destination[block.id]
    if current is not None:
        if current.group not in groups or current.group in user_groups or only_group is None:
            return None
        return Destination(current.role, only_group)
    if block.must_stay or block.impure or not block.is_definition:
        return None  # a statement the plan leaves out is not guessed: the check names it
    if only_group is not None:
        return Destination.service(only_group)
    return CORE if CORE in elsewhere else SHARED


def _rebuild(plan: Plan, moved: dict[str, Destination | None]) -> Plan:
    """The plan with `moved` names (name -> new destination) taken out of their lists and put in the new ones;
    a group left with nothing is dropped."""
    if not moved:
        return plan

    def keep(names: list[str]) -> list[str]:
        return [n for n in names if n not in moved]

    def added(target: Destination) -> list[str]:
        return [n for n, d in moved.items() if d == target]

    groups = [
        replace(
            g,
            router_symbols=keep(g.router_symbols) + added(Destination.router(g.name)),
            service_symbols=keep(g.service_symbols) + added(Destination.service(g.name)),
        )
        for g in plan.groups
    ]
    return replace(
        plan,
        groups=[g for g in groups if g.endpoints or g.router_symbols or g.service_symbols],
        core=keep(plan.core) + added(CORE),
        shared=keep(plan.shared) + added(SHARED),
    )
