"""An app factory's routes taken out into register functions (analysis/factory_*.py) build the same app: generated
factories mixing overlapping routes, a router the factory includes, other includes, locals rebound between routes
and read by them, runs of set-up statements, are run before and after; the route tables (in matching order), what
each endpoint returns and the app's state must be the same."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from splitter.analysis.analyze import analyze_source
from splitter.errors import SplitterError
from tests.property.route_order import swapped_overlapping_pairs

PATHS = [
    "/items",
    "/items/{id}",
    "/items/export",
    "/{section}/export",
    "/orders",
    "/orders/{id}",
    "/{page}",
    "/users/me",
]
PARAMETERS = 'id: str = "", section: str = "", page: str = ""'
READS = ["nothing", "body", "default", "helper"]  # how a route reads `x`: not, when called, when defined, through
# the factory's own `helper()`

route = st.tuples(
    st.just("route"), st.sampled_from(["get", "post"]), st.sampled_from(PATHS), st.booleans(), st.booleans()
)
rebind = st.tuples(st.just("rebind"), st.integers(0, 9))
include = st.tuples(st.just("include"))
setup = st.tuples(st.just("setup"), st.integers(1, 12))  # lines of app state set up, the last one reading `x`
other = st.sampled_from([("helper",), ("mount",), ("middleware",)])  # `helper` defined again; a mount; middleware
statements = st.lists(st.one_of(route, route, route, rebind, include, setup, other), min_size=1, max_size=14)


def factory_source(body: list[tuple], api_included_at: int) -> str:
    lines = ["from fastapi import APIRouter, FastAPI", "", "", "def create_app():", "    app = FastAPI()"]
    lines += ['    api = APIRouter(prefix="/api")', "    x = -1", "", "    def helper():", "        return x", ""]
    for number, statement in enumerate(body):
        if number == api_included_at:
            lines += ["    app.include_router(api)", ""]
        if statement[0] == "route":
            _, method, path, on_router, reads_x = statement
            owner = "api" if on_router else "app"
            value = "x" if reads_x else str(number)
            lines += [
                f'    @{owner}.{method}("{path}")',
                f"    def f{number}({PARAMETERS}):",
                f"        return {value}",
                "",
            ]
        elif statement[0] == "rebind":
            lines += [f"    x = {statement[1]}", ""]
        elif statement[0] == "setup":
            lines += [f"    app.state.s{number}_{k} = {k}" for k in range(statement[1])]
            lines += [f"    app.state.s{number}_x = x", ""]
        elif statement[0] == "helper":
            lines += ["    def helper():", f"        return {number}", ""]
        elif statement[0] == "mount":
            lines += [f'    app.mount("/m{number}", FastAPI())', ""]
        elif statement[0] == "middleware":
            lines += ['    @app.middleware("http")', f"    async def mw{number}(request, call_next):"]
            lines += ["        return await call_next(request)", ""]
        else:
            lines += ["    app.include_router(APIRouter())", ""]
    if api_included_at >= len(body):
        lines += ["    app.include_router(api)", ""]
    return "\n".join(lines + ["    return app", ""])


def served(source: str) -> tuple[list[tuple], dict[str, object]]:
    """The app's route table (path, methods, name, endpoint) in matching order, and what each endpoint returns."""
    namespace: dict = {}
    exec(compile(source, "server.py", "exec"), namespace)  # noqa: S102 - generated above
    app = namespace["create_app"]()
    routes = [r for r in app.routes if getattr(r, "endpoint", None) is not None and r.endpoint.__name__[0] == "f"]
    table = [(r.path, tuple(sorted(r.methods)), r.name, r.endpoint.__name__) for r in routes]
    middleware = [m.kwargs["dispatch"].__name__ for m in app.user_middleware if "dispatch" in m.kwargs]
    mounts = [r.path for r in app.routes if type(r).__name__ == "Mount"]
    answers = {r.endpoint.__name__: r.endpoint() for r in routes}
    return table, answers | {"state": dict(app.state._state), "middleware": middleware, "mounts": mounts}


@settings(max_examples=150, deadline=None)
@given(statements, st.integers(0, 15))
def test_taking_the_routes_out_builds_the_same_app(body: list[tuple], api_included_at: int) -> None:
    source = factory_source(body, api_included_at)
    try:
        analysis = analyze_source(source, Path("server.py"))
    except SplitterError:
        return  # no route could leave: refused, nothing changes
    extracted = analysis.source
    parsed = ast.parse(extracted)  # the tree analysis grafted from the monolith's nodes is the text's own
    assert ast.dump(analysis.tree, include_attributes=True) == ast.dump(parsed, include_attributes=True)
    (before, returned_before), (after, returned_after) = served(source), served(extracted)
    assert sorted(after) == sorted(before) and returned_after == returned_before
    assert swapped_overlapping_pairs(before, after) == []
