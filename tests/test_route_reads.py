"""main.py's import-time reads of the route list, wrapped so they list the routes of the routers the split made."""

from __future__ import annotations

import pytest

from splitter.emit.route_reads import routes_listed
from tests.helpers import check_noop, check_transformed


def _listed(text: str) -> str:
    return routes_listed(text, {"app"}, "compat")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "for r in app.routes:\n    r.x = 1\n",
            "for r in compat.routes_as_registered(app.routes):\n    r.x = 1\n",
            id="loop",
        ),
        pytest.param(
            "n = len(app.routes) + len(app.router.routes)\n",
            "n = len(compat.routes_as_registered(app.routes)) + len(compat.routes_as_registered(app.router.routes))\n",
            id="two-on-a-line",
        ),
        pytest.param(
            "label = 'é→ü'; last = app.routes[-1].path\r\nn = 1\r\n",
            "label = 'é→ü'; last = compat.routes_as_registered(app.routes)[-1].path\r\nn = 1\r\n",
            id="crlf-and-wide-characters-before",
        ),
        pytest.param(
            "if DEBUG:\n    paths = [r.path for r in app.routes]\n",
            "if DEBUG:\n    paths = [r.path for r in compat.routes_as_registered(app.routes)]\n",
            id="in-a-block",
        ),
    ],
)
def test_whole_reads_at_import_time_are_wrapped(before: str, after: str) -> None:
    check_transformed(_listed, before, after)  # a second run finds the reads wrapped, not whole: no change


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("def count():\n    return len(app.routes)\n", id="in-a-function"),
        pytest.param("routes = app.routes\n", id="kept-under-a-name"),
        pytest.param("for r in app.routes:\n    widened.append(r)\n", id="routes-kept"),
        pytest.param("app.routes.append(route)\n", id="changed"),
        pytest.param("schema = get_openapi(title='x', version='1', routes=app.routes)\n", id="handed-to-fastapi"),
        pytest.param("n = len(sub.routes)\n", id="another-app"),
    ],
)
def test_other_reads_are_left_as_they_are(source: str) -> None:
    check_noop(_listed, source)
