"""Naming groups from paths, and keeping first-match-wins order when routes move into routers."""

from __future__ import annotations

import keyword
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from functools import lru_cache
from collections.abc import Callable, Hashable
from typing import NamedTuple

from splitter.analysis.model import Registration
from splitter.analysis.overlap import routes_overlap

RESERVED = frozenset(
    {"main", "core", "hooks", "shared", "routers", "services", "app", "router", "api", "test", "tests"}
)


def identifier(text: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A readable, valid, unused Python identifier for a group: 'user-profiles' -> 'user_profiles'."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "root"
    if name[0].isdigit():
        name = f"r_{name}"
    if keyword.iskeyword(name) or name in RESERVED:
        name = f"{name}_routes"
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}_{counter}", counter + 1
    return candidate


class RouteSpec(NamedTuple):
    path: str | None
    methods: frozenset[str] | None


def specs_of(registration: Registration, router_specs: Callable[[str, str], list[RouteSpec]]) -> list[RouteSpec]:
    """What a registration adds to the routing table, as paths that can match requests."""
    methods = frozenset(registration.methods) if registration.methods else None
    if registration.kind in ("route", "websocket"):
        return [RouteSpec(registration.path, methods)]
    if registration.kind == "mount":
        if registration.path is None:
            return [RouteSpec(None, None)]
        base = registration.path.rstrip("/")
        return [RouteSpec(base + "/{path:path}", None), RouteSpec(base or "/", None)]
    if registration.kind == "include" and registration.function:
        return router_specs(registration.function, registration.path or "")
    return [RouteSpec(None, None)]  # a helper that receives the app: anything may be registered


def order_violations(events: list[tuple[int, Hashable | None, list[RouteSpec]]]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of overlapping registrations whose order flips when groups are included at the
    position of their first route. events: (original position, router it is included through or None for main,
    specs), in order.

    Only a moved route can jump: it lands at its group's first position, before everything registered in
    between that does not land even earlier. So each moved route is checked against that window alone, and
    within it only against registrations whose leading path segments could match its own (found by bisecting
    per-prefix position lists), which keeps this near-linear.
    """
    first_of: dict[Hashable, int] = {}
    for position, group, _ in events:
        if group is not None:
            first_of.setdefault(group, position)
    by_position = {event[0]: event for event in events}
    by_first: dict[str | None, list[int]] = defaultdict(list)
    by_pair: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)
    for position, _, specs in events:
        for key in {_leading(spec.path) for spec in specs}:
            by_first[key[0]].append(position)
            by_pair[key].append(position)
    every = [event[0] for event in events]
    violations = []
    for position_b, group_b, specs_b in events:
        if group_b is None or first_of[group_b] == position_b:
            continue
        start = first_of[group_b]
        candidates: set[int] = set()
        for key in {_leading(spec.path) for spec in specs_b}:
            if key[0] is None:
                lists = [every]
            elif key[1] is None:
                lists = [by_first[key[0]], by_first[None]]
            else:
                lists = [by_pair[key], by_pair[(key[0], None)], by_first[None]]
            for positions in lists:
                candidates.update(positions[bisect_right(positions, start) : bisect_left(positions, position_b)])
        for position_a in sorted(candidates):
            _, group_a, specs_a = by_position[position_a]
            if group_a == group_b:
                continue
            landing = first_of[group_a] if group_a is not None else position_a
            if landing < start:
                continue  # it lands before this group's include too: the order between them holds
            if any(specs_overlap(a, b) for a in specs_a for b in specs_b):
                violations.append((position_a, position_b))
    return sorted(violations)


def _leading_literals(path: str | None) -> tuple[str | None, str | None]:
    """The first two path segments, None where a parameter (or an unknown path) could match anything."""
    if path is None:
        return (None, None)
    parts = [p for p in path.split("/")[1:3]] + ["", ""]
    return tuple(None if "{" in p else p for p in parts[:2])  # type: ignore[return-value]


def _may_overlap(a: RouteSpec, b: RouteSpec) -> bool:
    """A cheap necessary condition, checked before the exact one."""
    for x, y in zip(_leading(a.path), _leading(b.path), strict=True):
        if x is not None and y is not None and x != y:
            return False
        if x is None or y is None:
            return True
    return True


_leading = lru_cache(maxsize=65536)(_leading_literals)


@lru_cache(maxsize=262144)
def specs_overlap(a: RouteSpec, b: RouteSpec) -> bool:
    """Cached: the order check runs again after each fix, over mostly the same pairs."""
    return _may_overlap(a, b) and routes_overlap(a.path, a.methods, b.path, b.methods)
