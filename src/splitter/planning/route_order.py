"""Route order: Starlette matches first-registered first, so moving routes into routers must not reorder two
routes that can match the same request (docs/design.md, "Route order")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from splitter.planning.destination import MAIN
from splitter.planning.grouping import RouteSpec, order_violations, specs_of

if TYPE_CHECKING:
    from splitter.analysis.model import Analysis
    from splitter.planning.planner import _Planner


def keep_route_order(planner: _Planner) -> None:
    """Split a group into a second router where moving it would let a route match before an earlier
    overlapping one; keep the route in main.py where that cannot help."""
    analysis = planner.analysis
    router_specs = included_router_specs(analysis)
    primary = analysis.app_names[0]
    first_position: dict[int, int] = {}
    for position, registration in enumerate(analysis.registrations):
        if registration.owner == primary and registration.form == "decorator":
            first_position.setdefault(planner.block_of_unit[registration.unit], position)
    while True:
        events = []
        for position, registration in enumerate(analysis.registrations):
            if registration.owner != primary:
                continue
            block_id = planner.block_of_unit[registration.unit]
            moved = planner.dest.get(block_id) != MAIN and registration.form == "decorator"
            group = planner.group_of_block.get(block_id) if moved else None
            router = (group, planner.segment_of_block.get(block_id, 0)) if group is not None else None
            events.append((position, router, specs_of(registration, router_specs)))
        violations = order_violations(events)
        if not violations:
            return
        touched: set[str] = set()  # one fix per group per pass: a fix changes that group's windows
        for _earlier, later in violations:
            block_id = planner.block_of_unit[analysis.registrations[later].unit]
            group = planner.group_of_block.get(block_id)
            if group is None or group in touched or planner.dest.get(block_id) == MAIN:
                continue
            touched.add(group)
            _resolve(planner, later, first_position)


def included_router_specs(analysis: Analysis) -> Callable[[str, str], list[RouteSpec]]:
    """What `app.include_router(name, prefix=...)` adds: the routes of the monolith's own router `name`, else
    (a router imported from elsewhere) anything under the prefix."""
    local_routes: dict[str, list[RouteSpec]] = defaultdict(list)
    for registration in analysis.registrations:
        if registration.owner in analysis.local_routers and registration.kind in ("route", "websocket"):
            local_routes[registration.owner].append(
                RouteSpec(registration.path, frozenset(registration.methods or ()) or None)
            )

    def router_specs(name: str, prefix: str) -> list[RouteSpec]:
        if name in local_routes:
            return [RouteSpec(prefix + s.path if s.path is not None else None, s.methods) for s in local_routes[name]]
        return [RouteSpec(prefix.rstrip("/") + "/{rest:path}" if prefix else None, None)]

    return router_specs


def _resolve(planner: _Planner, later: int, first_position: dict[int, int]) -> None:
    """Include the rest of the group from `later` on through a second router, at `later`'s position;
    when that cannot help (the route already starts its router), keep the route in main.py."""
    registration = planner.analysis.registrations[later]
    block_id = planner.block_of_unit[registration.unit]
    group = planner.group_of_block.get(block_id)
    segment = planner.segment_of_block.get(block_id, 0)
    same = [
        b for b, g in planner.group_of_block.items() if g == group and planner.segment_of_block.get(b, 0) == segment
    ]
    starts_segment = first_position.get(block_id) == min(first_position.get(b, 1 << 30) for b in same)
    if group is not None and first_position.get(block_id) == later and not starts_segment:
        new_segment = 1 + max(
            planner.segment_of_block.get(b, 0) for b, g in planner.group_of_block.items() if g == group
        )
        for other in same:
            if first_position.get(other, -1) >= later:
                planner.segment_of_block[other] = new_segment
        return
    planner.pin_closure(
        [block_id], {block_id: "moving it into a router would let it match before an earlier overlapping route"}
    )
