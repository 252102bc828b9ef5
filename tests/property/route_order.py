"""The route order a split may produce, written down independently of splitter's own code.

design.md: each group's router is included once, at the registration point of its first route
(a group included at several places has one router per place), and any route whose order against an
overlapping route would change is pinned in main. So from the original table and the plan's
assignment of endpoints to (group, router) the split table is fully determined; and, separately,
no two overlapping routes may swap.
"""

from __future__ import annotations

from typing import Any

Entry = tuple[str, tuple[str, ...], str, str]  # (path, methods, name, endpoint __name__)


def router_of_endpoints(plan: Any) -> dict[str, tuple[str, str]]:
    """endpoint function name -> (group, router variable) for every route the plan moves out of main."""
    return {
        endpoint.function: (group.name, getattr(endpoint, "router", "router"))
        for group in plan.groups
        for endpoint in group.endpoints
    }


def expected_order(before: list[Entry], moved: dict[str, tuple[str, str]]) -> list[Entry]:
    """`before` with every router's routes gathered at the position of that router's first route."""
    first_position: dict[tuple[str, str], int] = {}
    for position, entry in enumerate(before):
        if entry[3] in moved:
            first_position.setdefault(moved[entry[3]], position)

    def key(item: tuple[int, Entry]) -> tuple[int, int]:
        position, entry = item
        router = moved.get(entry[3])
        return (first_position[router] if router else position, position)

    return [entry for _, entry in sorted(enumerate(before), key=key)]


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def paths_overlap(a: str, b: str) -> bool:
    """Can one request path match both? A `{param}` matches one non-empty segment, `{p:path}` the rest."""
    left, right = _segments(a), _segments(b)
    for index in range(max(len(left), len(right))):
        x = left[index] if index < len(left) else None
        y = right[index] if index < len(right) else None
        if x is None or y is None:
            # One path ended. `{p:path}` may match an empty rest, but only after a slash the other path ends with.
            longer, shorter = (b, a) if x is None else (a, b)
            rest = (y if x is None else x) or ""
            return rest.endswith(":path}") and shorter.endswith("/") and not longer.endswith("/")
        if x.endswith(":path}") or y.endswith(":path}"):
            return True
        if x == y:
            continue
        if not (_is_param(x) and y) and not (_is_param(y) and x):  # a `{param}` never matches ""
            return False
    return True


def methods_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """HEAD counts with GET; no methods (a mount) matches every method."""
    if not a or not b:
        return True
    return bool(_with_head(a) & _with_head(b))


def _with_head(methods: tuple[str, ...]) -> set[str]:
    return set(methods) | ({"HEAD"} if "GET" in methods else set())


def swapped_overlapping_pairs(before: list[Entry], after: list[Entry]) -> list[tuple[Entry, Entry]]:
    """Overlapping routes whose first-match order differs between the two tables."""
    position = {entry: index for index, entry in enumerate(after)}
    swapped = []
    for i, first in enumerate(before):
        for second in before[i + 1 :]:
            if first not in position or second not in position or position[first] < position[second]:
                continue
            if paths_overlap(first[0], second[0]) and methods_overlap(first[1], second[1]):
                swapped.append((first, second))
    return swapped
