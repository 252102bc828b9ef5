"""The resource a route path names: '/v1/orders/{id}' -> 'orders'. Planning groups endpoints by it, and analysis
cuts an app factory's routes into runs by it (analysis/factory_routes.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

DEFAULT_SKIP_SEGMENTS = (r"api", r"v\d+(\.\d+)?", r"api[-_]?v\d+", r"rest", r"internal", r"public")


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compiled once per plan: every route's path is keyed, several times."""
    return tuple(re.compile(f"^(?:{pattern})$", re.IGNORECASE) for pattern in patterns)


def group_key(path: str | None, skip_segments: Sequence[str], depth: int = 1) -> str | None:
    """The first `depth` literal segments of a path after version/API segments: '/v1/orders/{id}' -> 'orders'."""
    if path is None:
        return None
    skip = _compiled(tuple(skip_segments))
    segments = [s for s in path.split("/") if s]
    while segments and any(p.match(segments[0]) for p in skip):
        segments.pop(0)
    literal = []
    for segment in segments:
        if "{" in segment:
            if literal:
                continue  # a sub-prefix may sit behind a parameter: /orders/{id}/refunds -> orders/refunds
            break
        literal.append(segment)
        if len(literal) == depth:
            break
    return "/".join(literal) if literal else ""
