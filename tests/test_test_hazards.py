"""Tests that see the split although every name still resolves are named in the plan (analysis/test_hazards.py):
a read of the app's route list, and a second import of the monolith as a new module when moved code reads the app
at call time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from splitter.analysis.route_list_reads import route_list_reads
from splitter.analysis.test_hazards import FRESH_IMPORT, ROUTES, find_hazards
from splitter.planning.project import load_project, plan_project

MODULE = "pkg.main"


def hazards(text: str) -> list[tuple[str, int, str]]:
    found = find_hazards([(Path("tests/test_x.py"), text)], MODULE, lambda path: "tests")
    return [(h.kind, h.line, h.shown) for h in found if h.kind != ROUTES or h.target == "app"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("from pkg.main import app\nn = len(app.routes)\n", [(ROUTES, 2, "app.routes")], id="imported-app"),
        pytest.param(
            "from pkg.main import app as web\npaths = [r.path for r in web.router.routes]\n",
            [(ROUTES, 2, "web.router.routes")],
            id="aliased-app-router",
        ),
        pytest.param(
            "import pkg.main\nn = len(pkg.main.app.routes)\n", [(ROUTES, 2, "pkg.main.app.routes")], id="module"
        ),
        pytest.param(
            "from pkg.main import items_router\nn = items_router.routes\n", [], id="a-local-router-is-not-the-app"
        ),
        pytest.param("from other import app\nn = len(app.routes)\n", [], id="another-modules-app"),
        pytest.param(
            'import sys\nif "pkg.main" in sys.modules:\n    del sys.modules["pkg.main"]\n',
            [(FRESH_IMPORT, 3, 'sys.modules["pkg.main"]')],
            id="del-entry",
        ),
        pytest.param(
            'import sys\nsys.modules.pop("pkg.main", None)\n', [(FRESH_IMPORT, 2, 'sys.modules["pkg.main"]')], id="pop"
        ),
        pytest.param(
            'import sys\ndef test(monkeypatch):\n    monkeypatch.delitem(sys.modules, "pkg.main")\n',
            [(FRESH_IMPORT, 3, 'sys.modules["pkg.main"]')],
            id="monkeypatch-delitem",
        ),
        pytest.param('import sys\nsys.modules.pop("pkg.other", None)\n', [], id="another-module-dropped"),
    ],
)
def test_hazards_found_in_a_test_file(text: str, expected: list) -> None:
    assert hazards(text) == expected


MONOLITH = """from fastapi import FastAPI

app = FastAPI()


def supervisor():
    return app.state.supervisor


@app.get("/items")
def items():
    return supervisor()


@app.get("/users")
def users():
    return []
"""


@pytest.mark.parametrize(
    ("test_text", "monolith", "expected"),
    [
        pytest.param(
            'import sys\nsys.modules.pop("main", None)\nimport main\n',
            MONOLITH,
            ["tests/test_main.py:2: imports main again as a new module", "(`supervisor`)"],
            id="fresh-import-with-a-reader-of-the-app",
        ),
        pytest.param(
            'import sys\nsys.modules.pop("main", None)\nimport main\n',
            MONOLITH.replace("return app.state.supervisor", "return None"),
            [],
            id="fresh-import-nothing-reads-the-app",
        ),
        pytest.param(
            "from main import app\n\ndef test_count():\n    assert len(app.routes) == 6\n",
            MONOLITH,
            ["tests/test_main.py:4: reads `app.routes`: FastAPI 0.137 and later keep each included router"],
            id="route-count",
        ),
    ],
)
def test_plan_names_them(tmp_path: Path, test_text: str, monolith: str, expected: list[str]) -> None:
    (tmp_path / "main.py").write_text(monolith)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_main.py").write_text(test_text)
    warnings = [w for w in plan_project(load_project(tmp_path / "main.py")).warnings if w.startswith("tests/")]
    assert all(any(part in w for w in warnings) for part in expected) and bool(warnings) == bool(expected), warnings


HEAD_WIDENING = """from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

app = FastAPI()


@app.get("/items")
def items():
    return []


@app.get("/users")
def users():
    return []


for route in app.routes:
    if isinstance(route, APIRoute) and route.methods == {"GET"}:
        route.methods = {"GET", "HEAD"}


def schema():
    return get_openapi(title="x", version="1", routes=app.routes)


def paths():
    return [r.path for r in app.router.routes]
"""


def test_the_monolith_reading_its_own_route_list_is_named_in_the_plan(tmp_path: Path) -> None:
    """treg widened every GET route to HEAD by a loop over `app.routes` after registering them: split, the loop
    met the routers and HEAD answered 405 on 121 routes, with no warning. Handing the list to FastAPI
    (`get_openapi(routes=app.routes)`) is no hazard: it reads included routers as the app does."""
    (tmp_path / "main.py").write_text(HEAD_WIDENING)
    plan = plan_project(load_project(tmp_path / "main.py"))
    warned = [w.split(": reads ")[0] + " " + w.split("`")[1] for w in plan.warnings if "check it by hand" in w]
    assert warned == ["main.py:28 app.router.routes"]  # in a function: it reads the list when called
    listed = [w for w in plan.warnings if "compat.routes_as_registered(app.routes)" in w]
    assert len(listed) == 1 and listed[0].startswith("main.py:18: reads `app.routes` at import time")


@pytest.mark.parametrize(
    ("code", "listed"),
    [
        pytest.param("for r in app.routes:\n    pass\n", [True], id="loop"),
        pytest.param(
            "for r in app.routes:\n    if r.methods == {'GET'}:\n        r.methods = {'HEAD'}\n",
            [True],
            id="loop-setting-attributes",
        ),
        pytest.param(
            "for r in app.routes:\n    if isinstance(r, APIRoute):\n        names.add(r.name)\n",
            [True],
            id="loop-keeping-attributes",
        ),
        pytest.param("n = len(app.routes)\n", [True], id="len"),
        pytest.param("last = app.routes[-1].path\n", [True], id="indexed-attribute"),
        pytest.param("paths = [r.path for r in app.router.routes]\n", [True], id="comprehension-iterable"),
        pytest.param("has = any(r.path == '/x' for r in app.routes)\n", [True], id="generator"),
        pytest.param("for r in app.routes:\n    widened.append(r)\n", [False], id="loop-keeping-routes"),
        pytest.param("apis = [r for r in app.routes if r.path]\n", [False], id="comprehension-keeping-routes"),
        pytest.param("last = app.routes[-1]\n", [False], id="indexed-route-kept"),
        pytest.param("both = [*app.routes]\n", [False], id="unpacked"),
        pytest.param("ordered = sorted(app.routes, key=str)\n", [False], id="sorted-copy"),
        pytest.param("routes = app.routes\n", [False], id="kept-under-a-name"),
        pytest.param("app.routes.append(extra)\n", [False], id="changed"),
        pytest.param("app.router.routes[0] = extra\n", [False], id="item-set"),
        pytest.param("def f():\n    return len(app.routes)\n", [False], id="in-a-function"),
        pytest.param("f = lambda: len(app.routes)\n", [False], id="in-a-lambda"),
        pytest.param("x = [len(app.routes) for _ in range(2)]\n", [False], id="comprehension-element"),
        pytest.param("schema = get_openapi(routes=app.routes)\n", [], id="handed-to-fastapi"),
        pytest.param("n = len(other.routes)\n", [], id="another-object"),
    ],
)
def test_reads_that_only_read_the_routes_at_import_time(code: str, listed: list[bool]) -> None:
    """Only these `apply` points at the routes: a route kept would miss changes FastAPI 0.137+ no longer follows."""
    statement = ast.parse(code).body[0]
    assert [flag for _node, flag in route_list_reads(statement, {"app"})] == listed
