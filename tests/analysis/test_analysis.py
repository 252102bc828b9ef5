"""analyze_source: the app, its registrations in order, its hooks, local routers and the diagnostics."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from splitter.analysis.analyze import analyze_source
from splitter.errors import SplitterError
from splitter.analysis.model import Analysis
from tests.helpers import code

MAIN = Path("main.py")


def analyze(source: str) -> Analysis:
    return analyze_source(code(source), MAIN)


def routes(analysis: Analysis) -> list[tuple[str, str | None, tuple[str, ...] | None, str | None]]:
    return [(r.kind, r.function, r.methods, r.path) for r in analysis.registrations]


def diagnostic_codes(analysis: Analysis) -> list[str]:
    return [d.code for d in analysis.diagnostics]


# --- the app ---------------------------------------------------------------------------------------------

APPS = [
    ("FastAPI()", "from fastapi import FastAPI\napp = FastAPI()\n", ("app",)),
    ("fastapi.FastAPI()", "import fastapi\napi = fastapi.FastAPI(title='x')\n", ("api",)),
    ("import fastapi as fa", "import fastapi as fa\nserver = fa.FastAPI()\n", ("server",)),
    ("from fastapi import FastAPI as F", "from fastapi import FastAPI as F\nservice = F()\n", ("service",)),
    ("annotated assignment", "from fastapi import FastAPI\napp: FastAPI = FastAPI(debug=True)\n", ("app",)),
    ("fastapi.applications", "from fastapi.applications import FastAPI\napp = FastAPI()\n", ("app",)),
    (
        "created in both branches of an if",
        "from fastapi import FastAPI\nif DEV:\n    v1 = FastAPI()\nelse:\n    v1 = FastAPI(docs_url=None)\n",
        ("v1",),
    ),
    (
        "created in every branch of an elif chain",
        "import fastapi\nif A:\n    api = fastapi.FastAPI()\nelif B:\n    api = fastapi.FastAPI(title='b')\n"
        "else:\n    x = 1\n    api = fastapi.FastAPI(title='c')\n",
        ("api",),
    ),
]


@pytest.mark.parametrize(("source", "names"), [r[1:] for r in APPS], ids=[r[0] for r in APPS])
def test_app_detection(source: str, names: tuple[str, ...]) -> None:
    analysis = analyze_source(source, MAIN)
    assert analysis.app_names == names
    assert analysis.diagnostics == []


ROUTES_MODULES = [
    (
        "one router",
        "from fastapi import APIRouter\nrouter = APIRouter(prefix='/api')\n\n@router.get('/a')\ndef a(): ...\n",
        "router",
        {},
    ),
    (
        "the router holding the most routes, its route class repeated by every generated router",
        "import fastapi\nfrom fastapi import APIRouter\nsmall = APIRouter()\n"
        "api = fastapi.APIRouter(route_class=Timed, tags=['t'])\n\n@small.get('/s')\ndef s(): ...\n\n"
        "@api.get('/a')\ndef a(): ...\n\n@api.post('/a')\ndef b(): ...\n",
        "api",
        {"route_class": "Timed"},
    ),
    (
        "routes on a router beside an app factory in the same module, which stays in main.py",
        "from fastapi import APIRouter, FastAPI\n\ndef make():\n    app = FastAPI()\n    app.include_router(r)\n"
        "    return app\n\nr = APIRouter()\n\n@r.get('/')\ndef home(): ...\n",
        "r",
        {},
    ),
    (
        "peers, none holding most routes: none is split, each moves whole, settings and lifespan its own",
        "from fastapi import APIRouter\na = APIRouter(route_class=T, lifespan=L)\nb = APIRouter()\n\n"
        "@a.get('/a')\ndef f(): ...\n\n"
        "@b.get('/b')\ndef g(): ...\n",
        "",
        {},
    ),
]


@pytest.mark.parametrize(
    ("source", "primary", "settings"), [r[1:] for r in ROUTES_MODULES], ids=[r[0] for r in ROUTES_MODULES]
)
def test_a_routes_module_without_an_app_splits_its_router(source: str, primary: str, settings: dict) -> None:
    analysis = analyze_source(source, MAIN)
    kind = "router" if primary else "routers"
    assert analysis.lifespan is None
    assert (analysis.app_names, analysis.primary_kind, analysis.router_settings) == ((primary,), kind, settings)
    assert primary not in analysis.local_routers  # what is split, not a router whose routes move with it
    factories = [u.name for u in analysis.units if u.pinned_reason == "makes the FastAPI app (an app factory)"]
    assert factories == (["make"] if "def make" in source else [])
    assert {r.owner for r in analysis.registrations if r.kind == "route"} <= {primary, *analysis.local_routers}


NO_APP = [
    ("no FastAPI at all", "import os\nx = 1\n"),
    ("empty module", ""),
    ("a FastAPI class from another package", "from other import FastAPI\napp = FastAPI()\n"),
    (
        "an app created inside a factory function",
        "from fastapi import FastAPI\n\ndef make():\n    app = FastAPI()\n    return app\n",
    ),
    ("FastAPI imported but never called", "from fastapi import FastAPI\napp = FastAPI\n"),
    ("an app created in an if without else", "from fastapi import FastAPI\nif DEV:\n    app = FastAPI()\n"),
    ("an APIRouter no route is registered on", "from fastapi import APIRouter\nrouter = APIRouter()\n"),
    (
        "an app created in one branch only",
        "from fastapi import FastAPI\nif DEV:\n    app = FastAPI()\nelif B:\n    app = FastAPI()\n"
        "else:\n    app = None\n",
    ),
]


@pytest.mark.parametrize("source", [r[1] for r in NO_APP], ids=[r[0] for r in NO_APP])
def test_no_app_is_a_splitter_error(source: str) -> None:
    with pytest.raises(SplitterError) as raised:
        analyze_source(source, MAIN)
    assert "no FastAPI app" in raised.value.message
    assert raised.value.path == "main.py"
    line = 4 if "def make" in source else 1  # a factory: the line that makes the app
    assert raised.value.render().startswith(f"error: main.py:{line}: ")


def test_syntax_error_is_a_splitter_error_with_its_line() -> None:
    with pytest.raises(SplitterError) as raised:
        analyze_source("from fastapi import FastAPI\napp = FastAPI()\n\ndef f(:\n    pass\n", MAIN)
    assert raised.value.line == 4


# --- registrations, in order ------------------------------------------------------------------------------

REGISTRATIONS = code("""
    from fastapi import FastAPI, APIRouter
    from fastapi.staticfiles import StaticFiles

    PREFIX = "/items"
    VERSION = "v2"
    BASE = "/api/" + VERSION

    app = FastAPI()
    users = APIRouter(prefix="/users")


    @app.post("/b")
    @app.get("/a")
    def stacked():
        pass


    @app.get(PREFIX)
    def in_constant():
        pass


    @app.get(f"/{VERSION}/things/{{thing_id}}")
    def in_fstring(thing_id: int):
        pass


    @app.get(BASE + "/concat")
    def concatenated():
        pass


    @app.get(
        "/multi"
        "/line",
        tags=["x"],
    )
    def multi_line():
        pass


    @app.api_route("/any", methods=["put", "GET"])
    def any_method():
        pass


    @app.websocket("/ws")
    async def socket(websocket):
        pass


    def health():
        return {}


    app.add_api_route("/health", health, methods=["HEAD", "GET"])
    app.include_router(users, prefix="/v1")
    app.mount("/static", StaticFiles(directory="static"), name="static")
    register_admin(app)

    if DEBUG:
        @app.get("/debug")
        def debug():
            pass


    @users.get("/{user_id}")
    def get_user(user_id: int):
        pass
""")


@pytest.fixture(scope="module")
def registered() -> Analysis:
    return analyze_source(REGISTRATIONS, MAIN)


def test_registrations_in_registration_order(registered: Analysis) -> None:
    assert routes(registered) == [
        ("route", "stacked", ("GET",), "/a"),  # the bottom decorator registers first
        ("route", "stacked", ("POST",), "/b"),
        ("route", "in_constant", ("GET",), "/items"),
        ("route", "in_fstring", ("GET",), "/v2/things/{thing_id}"),
        ("route", "concatenated", ("GET",), "/api/v2/concat"),
        ("route", "multi_line", ("GET",), "/multi/line"),
        ("route", "any_method", ("GET", "PUT"), "/any"),
        ("websocket", "socket", ("WEBSOCKET",), "/ws"),
        ("route", "health", ("GET", "HEAD"), "/health"),
        ("include", "users", None, "/v1"),
        ("mount", None, None, "/static"),
        ("call", "register_admin", None, None),
        ("route", "debug", ("GET",), "/debug"),
        ("route", "get_user", ("GET",), "/{user_id}"),
    ]


def test_registration_forms_owners_and_lines(registered: Analysis) -> None:
    by_function = {(r.function, r.path): r for r in registered.registrations}
    assert [r.form for r in registered.registrations] == (
        ["decorator"] * 8 + ["add_api_route", "include_router", "mount", "call", "decorator", "decorator"]
    )
    assert by_function[("get_user", "/{user_id}")].owner == "users"
    assert {r.owner for r in registered.registrations if r.function != "get_user"} == {"app"}
    lines = REGISTRATIONS.splitlines()
    line_text = {(r.function, r.path): lines[r.line - 1].strip() for r in registered.registrations}
    assert line_text[("stacked", "/a")] == '@app.get("/a")'
    assert line_text[("stacked", "/b")] == '@app.post("/b")'
    assert line_text[("multi_line", "/multi/line")] == "@app.get("  # where the call starts
    assert line_text[("health", "/health")].startswith("app.add_api_route(")
    assert line_text[("users", "/v1")].startswith("app.include_router(")
    assert line_text[(None, "/static")].startswith("app.mount(")
    assert line_text[("register_admin", None)] == "register_admin(app)"


def test_only_the_route_inside_if_is_conditional(registered: Analysis) -> None:
    conditional = [r.function for r in registered.registrations if r.conditional]
    assert conditional == ["debug"]


def test_route_owner_of_units(registered: Analysis) -> None:
    owners = {u.name: u.route_owner for u in registered.units if u.kind == "function"}
    assert owners == {
        "stacked": "app",
        "in_constant": "app",
        "in_fstring": "app",
        "concatenated": "app",
        "multi_line": "app",
        "any_method": "app",
        "socket": "app",
        "health": None,
        "get_user": "users",
    }


def test_local_api_router(registered: Analysis) -> None:
    router_unit = registered.local_routers["users"]
    assert registered.units[router_unit].binds == ("users",)
    assert registered.local_router_prefixes == {"users": "/users"}
    assert set(registered.local_routers) == {"users"}


def test_path_that_cannot_be_computed_is_none_with_a_diagnostic() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        app = FastAPI()

        @app.get(f"/{settings.root}/x")
        def computed():
            pass

        @app.get("/{x}", name=f"{y!r}")
        def literal():
            pass
    """)
    assert routes(analysis) == [("route", "computed", ("GET",), None), ("route", "literal", ("GET",), "/{x}")]
    assert diagnostic_codes(analysis) == ["unknown-path"]
    assert analysis.diagnostics[0].line == 4


def test_routes_in_loops_and_functions_are_conditional() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        app = FastAPI()

        for name in NAMES:
            app.add_api_route(f"/lookups/{name}", make(name))

        def install(target):
            @app.get("/admin")
            def admin():
                pass

        @app.get("/plain")
        def plain():
            pass
    """)
    flags = [(r.function, r.conditional) for r in analysis.registrations]
    assert flags == [(None, True), ("admin", True), ("plain", False)]
    messages = [d.message for d in analysis.diagnostics if d.code == "conditional-route"]
    assert [m.split(" is registered")[0] for m in messages] == ["`app.add_api_route(...)`", "route '/admin'"]


@pytest.mark.parametrize(
    "separator",
    [pytest.param("\n", id="newlines"), pytest.param("\r\n", id="CRLF"), pytest.param("\n\f\n", id="form feed")],
)
def test_registrations_in_function_bodies_are_found_whatever_the_line_ends(separator: str) -> None:
    lines = [
        "from fastapi import FastAPI",
        "app = FastAPI()",
        "def helper():",
        "    return 1",
        "def install(target):",
        "    x = helper()",
        "    app.add_api_route('/late', target)",
        "def setup():",
        "    register(app)",
    ]
    analysis = analyze_source(separator.join(lines) + separator, Path("main.py"), "main")
    found = [(r.kind, r.path, r.conditional) for r in analysis.registrations]
    assert found == [("route", "/late", True), ("call", None, True)]


# --- hooks --------------------------------------------------------------------------------------------------

HOOKS = code("""
    from contextlib import asynccontextmanager
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware


    @asynccontextmanager
    async def lifespan(app):
        yield


    app = FastAPI(lifespan=lifespan)


    @app.middleware("http")
    async def add_header(request, call_next):
        return await call_next(request)


    app.add_middleware(CORSMiddleware, allow_origins=["*"])


    @app.exception_handler(ValueError)
    async def on_value_error(request, exc):
        pass


    @app.on_event("startup")
    def start():
        pass


    @app.on_event("shutdown")
    @app.on_event("startup")
    def both():
        pass


    app.add_exception_handler(KeyError, on_key_error)
""")


def test_hooks_in_registration_order() -> None:
    analysis = analyze_source(HOOKS, MAIN)
    assert [(h.kind, h.function) for h in analysis.hooks] == [
        ("middleware", "add_header"),
        ("add_middleware", "CORSMiddleware"),
        ("exception_handler", "on_value_error"),
        ("startup", "start"),
        ("startup", "both"),
        ("shutdown", "both"),
        ("exception_handler", "on_key_error"),
    ]
    assert analysis.lifespan == "lifespan"
    assert analysis.registrations == []
    hook_kinds = {u.name: u.hook_kinds for u in analysis.units if u.hook_kinds}
    assert hook_kinds == {
        "add_header": ("middleware",),
        "on_value_error": ("exception_handler",),
        "start": ("startup",),
        "both": ("startup", "shutdown"),
    }
    assert analysis.diagnostics == []


def test_sub_application_created_in_if_else_is_split_and_the_outer_app_stays() -> None:
    """pingpong: every route is on `v1`, created in both branches of an `if`; the outer app mounts it."""
    analysis = analyze("""
        from fastapi import FastAPI

        if DEV:
            v1 = FastAPI(lifespan=run)
        else:
            v1 = FastAPI(lifespan=run, docs_url=None)

        @v1.get("/books")
        def books():
            pass

        app = FastAPI()
        app.mount("/api/v1", v1)
    """)
    assert analysis.app_names == ("v1", "app")
    assert analysis.lifespan == "run"
    assert [(r.owner, r.function) for r in analysis.registrations if r.kind == "route"] == [("v1", "books")]
    assert "unknown-router" not in diagnostic_codes(analysis)


def test_app_created_in_branches_with_different_lifespans_has_none() -> None:
    source = "from fastapi import FastAPI\nif A:\n    app = FastAPI(lifespan=a)\nelse:\n    app = FastAPI()\n"
    assert analyze_source(source, MAIN).lifespan is None


def test_app_without_lifespan() -> None:
    assert analyze_source("from fastapi import FastAPI\napp = FastAPI()\n", MAIN).lifespan is None


# --- units ------------------------------------------------------------------------------------------------


def test_units_kinds_names_and_lines() -> None:
    analysis = analyze('''
        """Docstring."""
        import os
        from fastapi import FastAPI

        CLIENT = make_client()
        LIMIT = 10

        app = FastAPI()


        @app.get("/x")
        def x():
            return helper(LIMIT)


        def helper(n):
            return n


        print("side effect")

        if __name__ == "__main__":
            run()
    ''')
    table = [(u.kind, u.name, u.first_line, u.last_line) for u in analysis.units]
    assert table == [
        ("docstring", "@1", 1, 1),
        ("import", "os", 2, 2),
        ("import", "FastAPI", 3, 3),
        ("assign", "CLIENT", 5, 5),
        ("assign", "LIMIT", 6, 6),
        ("assign", "app", 8, 8),
        ("function", "x", 11, 13),  # first_line includes the decorator
        ("function", "helper", 16, 17),
        ("statement", "@20", 20, 20),
        ("main_guard", "@22", 22, 23),
    ]
    units = {u.name: u for u in analysis.units}
    assert units["CLIENT"].impure and not units["LIMIT"].impure
    assert units["@20"].impure
    assert units["x"].uses == {"helper", "LIMIT", "app"}
    assert not units["x"].app_in_body  # its only use of the app is the route decorator
    assert units["os"].imports[0].module == "os"


def test_handler_reading_app_state_uses_the_app_in_its_body() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/state")
        def state():
            return app.state.value
    """)
    assert next(u for u in analysis.units if u.name == "state").app_in_body


# --- diagnostics ------------------------------------------------------------------------------------------


def test_star_import_diagnostic() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        from os.path import *
        app = FastAPI()
    """)
    assert diagnostic_codes(analysis) == ["star-import"]
    assert analysis.diagnostics[0].line == 2
    assert analysis.star_imports == ("os.path",)


def test_exec_and_eval_diagnostics() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        app = FastAPI()

        def convert(expr):
            return eval(expr)

        def lookup(unit):
            return globals().get(f"convert_{unit}")

        exec("X = 1")
    """)
    assert [(d.code, d.line) for d in analysis.diagnostics] == [("dynamic", 4), ("dynamic", 7), ("dynamic", 10)]
    assert "convert" in analysis.diagnostics[0].message and "eval()" in analysis.diagnostics[0].message
    dynamic = {u.name: u.dynamic for u in analysis.units if u.dynamic}
    assert dynamic == {"convert": ("eval()",), "lookup": ("globals()",), "@10": ("exec()",)}


def test_several_apps_diagnostic_names_them_and_splits_the_one_with_most_routes() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        public = FastAPI()
        internal = FastAPI()

        @internal.get("/x")
        def x():
            pass
    """)
    assert analysis.app_names == ("internal", "public")
    assert diagnostic_codes(analysis) == ["several-apps"]
    assert analysis.diagnostics[0].line == 2  # the app that is not split
    assert "public" in analysis.diagnostics[0].message and "internal" in analysis.diagnostics[0].message
    # only routes on the primary app (and local routers) are registrations
    assert [(r.owner, r.function) for r in analysis.registrations] == [("internal", "x")]


def test_conditional_route_and_registration_call_diagnostics(registered: Analysis) -> None:
    assert [(d.code, d.line) for d in registered.diagnostics] == [
        ("registration-call", REGISTRATIONS.splitlines().index("register_admin(app)") + 1),
        ("conditional-route", REGISTRATIONS.splitlines().index('    @app.get("/debug")') + 1),
    ]
    assert "'/debug'" in registered.diagnostics[1].message


def test_a_call_receiving_the_app_inside_a_function_run_later_is_no_registration_warning() -> None:
    # Vibe-Trading's serve_main(): `uvicorn.run(app, ...)` in a function that moves and reads `core.app`; the
    # warning said it "stays in main.py, in order", which was not true. A top-level call still warns; one in the
    # `__main__` block (warehouse, extshield) runs only as a script: it registers nothing on the imported app.
    analysis = analyze("""
        import uvicorn
        from fastapi import FastAPI
        app = FastAPI()

        def serve_main():
            uvicorn.run(app, port=8000)

        def install(target):
            pass

        install(app)

        if __name__ == "__main__":
            uvicorn.run(app, port=8000)
    """)
    assert [(d.code, d.line) for d in analysis.diagnostics] == [("registration-call", 11)]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param("register_admin(app)", id="positional"),
        pytest.param('ResourceRouter(app=app, prefix="/api/users").register()', id="keyword"),  # warehouse_system
    ],
)
def test_a_call_receiving_the_app_is_a_registration_in_order(call: str) -> None:
    analysis = analyze(f"""
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/api/users/me")
        def me():
            pass

        {call}
    """)
    assert [(r.kind, r.form) for r in analysis.registrations] == [("route", "decorator"), ("call", "call")]
    assert [(d.code, d.line) for d in analysis.diagnostics] == [("registration-call", 8)]


@pytest.mark.parametrize(
    ("block", "kept"),
    [
        pytest.param(
            "if LIMITS:\n    limiter = Limiter()\n    app.state.limiter = limiter\n    app.add_middleware(M)\n",
            (1, 2),
            id="setup-and-app-configuration",
        ),
        pytest.param(
            'if os.getenv("LIMITS", "1").lower() == "1":\n    limiter = Limiter()\n    app.state.limiter = limiter\n',
            (1,),
            id="condition-reads-the-environment",
        ),
        pytest.param("if load():\n    x = 1\n    app.state.x = x\n", (), id="condition-calls-a-function"),
        pytest.param("if A:\n    x = 1\n    app.state.x = x\nelse:\n    x = 2\n", (), id="else-branch"),
        pytest.param("if A:\n    x = 1\n    r = app.state\n", (), id="app-statement-binds-a-name"),
        pytest.param("if A:\n    import limits\n    app.state.x = limits\n", (), id="moved-part-imports"),
        pytest.param("if A:\n    app.state.x = 1\n", (), id="nothing-to-move"),
    ],
)
def test_if_blocks_that_configure_the_app_split_only_when_that_is_a_pure_reordering(block, kept):
    from splitter.analysis.app_setup import app_statement_positions

    assert app_statement_positions(ast.parse(block).body[0], "app") == kept


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param('__version__ = "1.4.0"', id="version"),
        pytest.param('__all__ = ["app"]', id="all"),
        pytest.param("def __getattr__(name):\n    raise AttributeError(name)", id="module getattr"),
    ],
)
def test_what_the_module_says_of_itself_stays_and_says_why(statement: str) -> None:
    analysis = analyze(f"from fastapi import FastAPI\n{statement}\napp = FastAPI()\n")
    unit = analysis.units[1]
    assert unit.pinned_reason.endswith("describes the module itself") and not unit.app_in_body


def test_an_app_wrapped_later_is_a_registration_not_a_binder() -> None:
    analysis = analyze("""
        from fastapi import FastAPI
        from wrapper import SocketApp
        app = FastAPI()

        @app.get("/x")
        def read_x():
            return app.title

        other = SocketApp(app)
        app = SocketApp(app)
    """)
    assert [u.wraps_app for u in analysis.units] == [False] * 5 + [True]  # `other` binds another name
    reader = next(u for u in analysis.units if u.name == "read_x")
    assert "line 10 binds `app` to a wrapper of the app" in reader.pinned_reason


def test_a_factory_registering_the_routes_in_a_branch_is_refused_with_their_count() -> None:
    source = (
        "from fastapi import FastAPI\n\ndef create_app(debug):\n    app = FastAPI()\n    if debug:\n"
        "        @app.get('/a')\n        def a(): ...\n\n        @app.post('/b')\n        async def b(): ...\n\n"
        "    return app\n"
    )
    with pytest.raises(SplitterError) as raised:
        analyze_source(source, MAIN)
    assert raised.value.render().startswith("error: main.py:4: ")
    assert "`create_app()` makes one here (an app factory) and registers its 2 routes inside it" in raised.value.message


def test_a_class_based_app_is_refused_naming_the_class_and_its_routes() -> None:
    """`self.app = FastAPI()` in `__init__`, routes registered by a method (`@self.app.get`): no module-level app
    to split, and the message says where the app and its routes are, not that `__init__` is an app factory."""
    source = (
        "from fastapi import FastAPI\n\nclass Server:\n    def __init__(self):\n        self.app = FastAPI()\n"
        "        self._routes()\n\n    def _routes(self):\n        @self.app.get('/a')\n        def a(): ...\n\n"
        "        @self.app.get('/b')\n        def b(): ...\n\napp = Server().app\n"
    )
    with pytest.raises(SplitterError) as raised:
        analyze_source(source, MAIN)
    assert raised.value.render().startswith("error: main.py:5: ")
    expected = "`Server.__init__()` makes one here (a class-based app) and registers its 2 routes in `Server`'s methods"
    assert expected in raised.value.message
