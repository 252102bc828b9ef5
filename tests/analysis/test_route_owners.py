"""Routers a monolith makes with something other than `APIRouter(...)`, and routes registered on anything else."""

from __future__ import annotations

import ast

import pytest

from splitter.analysis.route_owners import route_decorator_receivers, routers_made_by_calls, unknown_owner_reason


def body(source: str) -> ast.Module:
    return ast.parse(source)


@pytest.mark.parametrize(
    ("source", "receivers"),
    [
        pytest.param("@router.get('/x')\ndef f(): pass", {"router"}, id="verb-with-a-path"),
        pytest.param("@router.get('')\ndef f(): pass", {"router"}, id="empty-path-under-a-prefix"),
        pytest.param("@router.api_route(path='/x')\ndef f(): pass", {"router"}, id="path-keyword"),
        pytest.param("@router.get(f'/{V}/x')\ndef f(): pass", {"router"}, id="f-string-path"),
        pytest.param("@mock.patch('pkg.x')\ndef f(): pass", set(), id="mock-patch-is-no-route"),
        pytest.param("@cache.get(KEY)\ndef f(): pass", set(), id="no-literal-path"),
        pytest.param("@app.router.get('/x')\ndef f(): pass", set(), id="attribute-chain"),
        pytest.param("def f():\n    @inner.get('/x')\n    def g(): pass", set(), id="nested-function"),
    ],
)
def test_route_decorator_receivers(source: str, receivers: set[str]) -> None:
    assert route_decorator_receivers(body(source)) == receivers


@pytest.mark.parametrize(
    ("source", "routers"),
    [
        pytest.param("timed = TimedRouter(prefix='/t')", ["timed"], id="subclass"),
        pytest.param("timed: APIRouter = InferringRouter()", ["timed"], id="annotated"),
        pytest.param("left, right = APIRouter(), APIRouter()", [], id="tuple-unpacking"),
        pytest.param("app = FastAPI()", [], id="the-app"),
        pytest.param("other = make_router()", [], id="no-route-registers-on-it"),
    ],
)
def test_routers_made_by_calls(source: str, routers: list[str]) -> None:
    tree = body(source)
    made = routers_made_by_calls(tree, {"timed", "left", "right", "app"}, {"app"})
    assert [name for name, _ in made] == routers


@pytest.mark.parametrize(
    ("source", "owner"),
    [
        pytest.param("@extra.get('/x')\ndef f(): pass", "extra", id="imported-router"),
        pytest.param("@router.get('/x')\ndef f(): pass", None, id="a-router-of-the-module"),
        pytest.param("@app.get('/x')\ndef f(): pass", None, id="the-app"),
        pytest.param("@mock.patch('pkg.x')\ndef f(): pass", None, id="not-a-route"),
        pytest.param("x = extra.get('/x')", None, id="not-a-function"),
    ],
)
def test_unknown_owner_reason(source: str, owner: str | None) -> None:
    reason = unknown_owner_reason(body(source).body[0], frozenset({"app", "router"}))
    assert (f"`{owner}`" in reason) if owner else reason == ""
