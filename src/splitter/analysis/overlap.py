"""Can two routes match the same request?  Used to keep first-match-wins order intact.

Starlette matches routes in registration order and stops at the first match, so only pairs that can match one
request constrain the order. The check is conservative: when unsure it answers "yes".
"""

from __future__ import annotations

import re
from functools import lru_cache

# Starlette's own convertor regexes (starlette/convertors.py).
_CONVERTOR_REGEX = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
}
_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


@lru_cache(maxsize=1024)
def normalize_methods(methods: frozenset[str] | None) -> frozenset[str] | None:
    """Starlette answers HEAD with every GET route; None stands for 'any method' (mounts, unknown)."""
    if methods is None:
        return None
    upper = frozenset(m.upper() for m in methods)
    return upper | {"HEAD"} if "GET" in upper else upper


def methods_overlap(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    a, b = normalize_methods(a), normalize_methods(b)
    if a is None or b is None:
        return True
    websocket_a, websocket_b = "WEBSOCKET" in a, "WEBSOCKET" in b
    if websocket_a or websocket_b:
        return websocket_a and websocket_b
    return bool(a & b)


@lru_cache(maxsize=4096)
def _segments(path: str) -> tuple[tuple[str, str], ...]:
    """Split a path template into (kind, regex) segments; kind is 'lit', 'param' or 'rest'."""
    out: list[tuple[str, str]] = []
    for raw in path.split("/")[1:] if path.startswith("/") else path.split("/"):
        if "{" not in raw:
            out.append(("lit", raw))
            continue
        pieces, last, rest = [], 0, False
        for match in _PARAM.finditer(raw):
            pieces.append(re.escape(raw[last : match.start()]))
            convertor = match.group(2) or "str"
            rest = rest or convertor == "path"
            pieces.append(_CONVERTOR_REGEX.get(convertor, "[^/]+"))
            last = match.end()
        pieces.append(re.escape(raw[last:]))
        out.append(("rest" if rest else "param", "".join(pieces)))
        if rest:
            break
    return tuple(out)


def _segment_overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    if a[0] == "lit" and b[0] == "lit":
        return a[1] == b[1]
    if a[0] == "lit":
        return re.fullmatch(b[1], a[1]) is not None
    if b[0] == "lit":
        return re.fullmatch(a[1], b[1]) is not None
    return True  # two patterns: assume some string satisfies both


def paths_overlap(path_a: str, path_b: str) -> bool:
    seg_a, seg_b = _segments(path_a), _segments(path_b)
    for index in range(max(len(seg_a), len(seg_b))):
        if index >= len(seg_a) or index >= len(seg_b):
            return False
        a, b = seg_a[index], seg_b[index]
        if a[0] == "rest" or b[0] == "rest":
            # A {p:path} segment swallows the rest of the path (even slashes): the prefix before it agreed.
            return True
        if not _segment_overlap(a, b):
            return False
    return True


def routes_overlap(
    path_a: str | None,
    methods_a: frozenset[str] | None,
    path_b: str | None,
    methods_b: frozenset[str] | None,
) -> bool:
    """True when one request could match both routes. A path of None (unknown) overlaps everything.

    methods: HTTP methods of a route, ``frozenset({"WEBSOCKET"})`` for a websocket route, None for any
    (a mount, or methods that cannot be known statically). A mount at ``/static`` is passed as
    ``/static/{path:path}``.
    """
    if not methods_overlap(methods_a, methods_b):
        return False
    if path_a is None or path_b is None:
        return True
    return paths_overlap(path_a, path_b)
