"""RouteDecoratorsToRouter: one (before, after) row per construct, each also checked to be a fixed point.

`python -m libcst.tool codemod route_to_router.RouteDecoratorsToRouter` only finds the codemod when a
`.libcst.codemod.yaml` lists the `codemods` package (it exits 1 with "Could not find route_to_router in any
configured modules" otherwise), so the tool path is covered here through `libcst.codemod.transform_module`,
the function the CLI runs for each file.
"""

from __future__ import annotations

import argparse

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, TransformSuccess, transform_module

from splitter.codemods.route_to_router import RouteDecoratorsToRouter
from tests.helpers import check_noop, check_transformed, code


def run(source: str, app_name: str = "app", router_name: str = "router") -> str:
    module = cst.parse_module(source)
    return module.visit(RouteDecoratorsToRouter(CodemodContext(), app_name, router_name)).code


VERBS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]

# (id, before, after, app name, router name)
ROWS = [
    pytest.param(
        'def register():\n    @app.get("/x")\n    def f():\n        pass\n',
        'def register():\n    @router.get("/x")\n    def f():\n        pass\n',
        "app",
        "router",
        id="a nested function's route on the module-level app",
    ),
    *[
        pytest.param(
            f'@app.{verb}("/items")\ndef f():\n    pass\n',
            f'@router.{verb}("/items")\ndef f():\n    pass\n',
            "app",
            "router",
            id=f"@app.{verb}",
        )
        for verb in VERBS
    ],
    pytest.param(
        '@app.api_route("/items", methods=["GET", "POST"])\nasync def f():\n    pass\n',
        '@router.api_route("/items", methods=["GET", "POST"])\nasync def f():\n    pass\n',
        "app",
        "router",
        id="api_route with methods",
    ),
    pytest.param(
        '@app.websocket("/ws")\nasync def ws(websocket):\n    pass\n',
        '@router.websocket("/ws")\nasync def ws(websocket):\n    pass\n',
        "app",
        "router",
        id="websocket",
    ),
    pytest.param(
        code("""
            @app.get(  # the listing
                "/items",   # path
                # a comment on its own line
                response_model=list[Item] ,
                tags = ["items"],
            )
            def list_items():  # trailing
                return []
        """),
        code("""
            @router.get(  # the listing
                "/items",   # path
                # a comment on its own line
                response_model=list[Item] ,
                tags = ["items"],
            )
            def list_items():  # trailing
                return []
        """),
        "app",
        "router",
        id="multi-line decorator call: comments, odd spacing and trailing comma kept byte-for-byte",
    ),
    pytest.param(
        code("""
            # Listing
            @app.get("/a")
            # second registration
            @app.post("/a")
            def a():
                pass
        """),
        code("""
            # Listing
            @router.get("/a")
            # second registration
            @router.post("/a")
            def a():
                pass
        """),
        "app",
        "router",
        id="comments above and between decorators stay where they are",
    ),
    pytest.param(
        code("""
            @app.get("/cached")
            @functools.lru_cache(maxsize=None)
            @trace
            def cached():
                pass
        """),
        code("""
            @router.get("/cached")
            @functools.lru_cache(maxsize=None)
            @trace
            def cached():
                pass
        """),
        "app",
        "router",
        id="other decorators on the same function are untouched",
    ),
    pytest.param(
        'def health():\n    return {}\n\n\napp.add_api_route("/health", health, methods=["GET"])\n',
        'def health():\n    return {}\n\n\nrouter.add_api_route("/health", health, methods=["GET"])\n',
        "app",
        "router",
        id="module-level app.add_api_route statement",
    ),
    pytest.param(
        'app.add_api_websocket_route("/ws", ws)\n',
        'router.add_api_websocket_route("/ws", ws)\n',
        "app",
        "router",
        id="app.add_api_websocket_route statement",
    ),
    pytest.param(
        code("""
            @api.get("/items")
            def items():
                pass


            @api.websocket("/ws")
            async def ws(websocket):
                pass


            api.add_api_route("/health", health)
        """),
        code("""
            @items_router.get("/items")
            def items():
                pass


            @items_router.websocket("/ws")
            async def ws(websocket):
                pass


            items_router.add_api_route("/health", health)
        """),
        "api",
        "items_router",
        id="custom app and router names",
    ),
    pytest.param(
        '@app.get("/x")\n@api.get("/y")\ndef f():\n    pass\n',
        '@app.get("/x")\n@router.get("/y")\ndef f():\n    pass\n',
        "api",
        "router",
        id="with a custom app name, @app.get belongs to something else",
    ),
]


@pytest.mark.parametrize(("before", "after", "app_name", "router_name"), ROWS)
def test_rewrites(before: str, after: str, app_name: str, router_name: str) -> None:
    check_transformed(lambda source: run(source, app_name, router_name), before, after)


UNTOUCHED = [
    pytest.param(
        'def register(app):\n    @app.get("/x")\n    def f():\n        pass\n\n    app.add_api_route("/y", f)\n',
        id="routes registered on a parameter named like the app",
    ),
    pytest.param(
        '@other.get("/x")\ndef f():\n    pass\n\n\n@app.router.get("/y")\ndef g():\n    pass\n',
        id="another object's route decorator",
    ),
    pytest.param(
        code("""
            @app.middleware("http")
            async def mw(request, call_next):
                return await call_next(request)


            @app.exception_handler(ValueError)
            def on_error(request, exc):
                pass


            @app.get
            def not_a_call():
                pass
        """),
        id="non-route attributes of the app and bare (uncalled) decorators",
    ),
    pytest.param(
        'app.include_router(users.router, prefix="/users")\napp.mount("/static", files)\napp.add_middleware(Gzip)\n',
        id="app statements that are not route registrations",
    ),
    pytest.param(
        'route = app.add_api_route("/x", f)\nother.add_api_route("/y", f)\n',
        id="assigned add_api_route result and add_api_route on another object",
    ),
    pytest.param('@application.get("/x")\ndef f():\n    pass\n', id="name that only starts like the app"),
    pytest.param(
        "import os  \n\n\n# comment\nx = {  'a' :1 }\r\ny = 2",
        id="a module with no routes, odd whitespace and a missing final newline",
    ),
]


@pytest.mark.parametrize("source", UNTOUCHED)
def test_untouched_input_is_byte_identical(source: str) -> None:
    check_noop(run, source)


def test_transform_module_the_function_libcst_tool_runs() -> None:
    source = code("""
        @app.post(
            "/orders",  # create
            status_code=201,
        )
        def create():
            pass
    """)
    result = transform_module(RouteDecoratorsToRouter(CodemodContext(), "app", "orders_router"), source)
    assert isinstance(result, TransformSuccess)
    assert result.code == source.replace("@app.post(", "@orders_router.post(")


def test_command_line_arguments_reach_the_constructor() -> None:
    parser = argparse.ArgumentParser()
    RouteDecoratorsToRouter.add_args(parser)
    options = vars(parser.parse_args(["--app-name", "api", "--router-name", "r"]))
    assert run('@api.get("/x")\ndef f():\n    pass\n', **options) == '@r.get("/x")\ndef f():\n    pass\n'
    assert vars(parser.parse_args([])) == {"app_name": "app", "router_name": "router"}
