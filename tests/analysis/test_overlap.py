"""routes_overlap: can one request match both routes? Rows follow Starlette's matching (starlette/routing.py
compiles `{name:convertor}` to the convertor's regex and matches the whole path; HEAD is served by GET routes).
The check may say "yes" when unsure, never "no" when a request can match both.
"""

from __future__ import annotations

import pytest
from starlette.routing import compile_path

from splitter.analysis.overlap import methods_overlap, paths_overlap, routes_overlap

GET = frozenset({"GET"})
POST = frozenset({"POST"})
HEAD = frozenset({"HEAD"})
PUT_PATCH = frozenset({"PUT", "PATCH"})
WS = frozenset({"WEBSOCKET"})
ANY = None

# (id, path a, methods a, path b, methods b, overlap)
PAIRS = [
    ("same literal path and method", "/items", GET, "/items", GET, True),
    ("literal vs str parameter", "/items/me", GET, "/items/{item_id}", GET, True),
    ("two parameters", "/items/{a}", GET, "/items/{b}", GET, True),
    ("int convertor vs a non-digit literal", "/items/me", GET, "/items/{item_id:int}", GET, False),
    ("int convertor vs a digit literal", "/items/42", GET, "/items/{item_id:int}", GET, True),
    ("float convertor vs a decimal literal", "/v/1.5", GET, "/v/{x:float}", GET, True),
    ("uuid convertor vs a word", "/u/latest", GET, "/u/{uid:uuid}", GET, False),
    ("parameter inside a segment", "/items/{id}.json", GET, "/items/42.json", GET, True),
    ("parameter inside a segment, other suffix", "/items/{id}.json", GET, "/items/42.xml", GET, False),
    ("different literal", "/items", GET, "/orders", GET, False),
    ("different segment count", "/items/{id}", GET, "/items/{id}/notes", GET, False),
    ("trailing slash is another path", "/items/", GET, "/items", GET, False),
    ("str parameter never matches an empty segment", "/items/", GET, "/items/{id}", GET, False),
    ("path convertor swallows the rest", "/files/a/b/c.txt", GET, "/files/{rest:path}", GET, True),
    ("path convertor matches an empty rest", "/files/", GET, "/files/{rest:path}", GET, True),
    ("path convertor needs its slash", "/files", GET, "/files/{rest:path}", GET, False),
    ("path convertor under another prefix", "/filesx/a", GET, "/files/{rest:path}", GET, False),
    ("catch-all vs anything", "/{full_path:path}", GET, "/api/v1/items/3", GET, True),
    ("catch-all vs root", "/{full_path:path}", GET, "/", GET, True),
    ("HEAD vs GET", "/items", HEAD, "/items", GET, True),
    ("GET vs HEAD", "/items", GET, "/items", HEAD, True),
    ("HEAD vs POST", "/items", HEAD, "/items", POST, False),
    ("disjoint methods", "/items/{id}", PUT_PATCH, "/items/me", GET, False),
    ("intersecting method sets", "/items/{id}", PUT_PATCH, "/items/me", frozenset({"PATCH"}), True),
    ("lower-case methods", "/items", frozenset({"get"}), "/items", GET, True),
    ("websocket vs http on one path", "/ws", WS, "/ws", GET, False),
    ("websocket vs websocket", "/ws/{room}", WS, "/ws/lobby", WS, True),
    ("websocket vs a mount (any method)", "/ws", WS, "/{rest:path}", ANY, True),
    ("mount-style path vs a file below it", "/static/{path:path}", ANY, "/static/app.css", GET, True),
    ("mount-style path vs another prefix", "/static/{path:path}", ANY, "/api/items", POST, False),
    ("unknown path overlaps every path", None, GET, "/anything", GET, True),
    ("unknown path, disjoint methods", None, GET, "/anything", POST, False),
    ("both unknown", None, ANY, None, ANY, True),
]


@pytest.mark.parametrize(
    ("path_a", "methods_a", "path_b", "methods_b", "expected"), [r[1:] for r in PAIRS], ids=[r[0] for r in PAIRS]
)
def test_routes_overlap(path_a, methods_a, path_b, methods_b, expected: bool) -> None:
    assert routes_overlap(path_a, methods_a, path_b, methods_b) is expected
    assert routes_overlap(path_b, methods_b, path_a, methods_a) is expected  # symmetric


def test_methods_overlap_treats_none_as_any() -> None:
    assert methods_overlap(None, GET)
    assert methods_overlap(POST, None)
    assert not methods_overlap(GET, POST)


def test_paths_overlap_without_methods() -> None:
    assert paths_overlap("/users/me", "/users/{user_id}")
    assert not paths_overlap("/users/me", "/users/{user_id:int}")


def _template_and_concrete_path(row: tuple) -> tuple[str, str, bool] | None:
    _id, path_a, methods_a, path_b, methods_b, expected = row
    if path_a is None or path_b is None or not methods_overlap(methods_a, methods_b):
        return None  # the answer is decided by the methods, not by the paths
    if "{" not in path_b:
        return path_a, path_b, expected
    if "{" not in path_a:
        return path_b, path_a, expected
    return None


CONCRETE = [(row[0], found) for row in PAIRS if (found := _template_and_concrete_path(row))]


@pytest.mark.parametrize(("template", "path", "expected"), [c[1] for c in CONCRETE], ids=[c[0] for c in CONCRETE])
def test_rows_with_a_concrete_path_agree_with_starlette(template: str, path: str, expected: bool) -> None:
    """Oracle for the table itself: Starlette's own regex for the template, matched against the concrete path."""
    regex, _format, _convertors = compile_path(template)
    assert (regex.match(path) is not None) is expected
