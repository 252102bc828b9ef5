"""An app factory's routes taken out into `register_<resource>(app, ...)` functions it calls (analysis/factory_*.py):
the text analysis works on, as (monolith, expected) pairs; a second run changes nothing."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from splitter.analysis.analyze import analyze_source
from splitter.errors import SplitterError
from tests.helpers import check_transformed, code


def analysed_text(source: str) -> str:
    analysis = analyze_source(source, Path("server.py"))
    if analysis.line_map is not None:  # the tree grafted from the monolith's nodes is the text's own
        dumped = ast.dump(analysis.tree, include_attributes=True)
        assert dumped == ast.dump(ast.parse(analysis.source), include_attributes=True)
    return analysis.source


HEAD = "from fastapi import FastAPI\n\n\n"

TRANSFORMED = [
    pytest.param(
        HEAD
        + code(
            """
            def create_app():
                app = FastAPI()

                # items
                @app.get("/items")
                def list_items():
                    return []

                @app.get("/orders")
                def list_orders():
                    return []

                @app.post("/items")
                def add_item():
                    return {}

                return app
            """
        ),
        HEAD
        + code(
            """
            def register_items(app):
                # items
                @app.get("/items")
                def list_items():
                    return []

                @app.post("/items")
                def add_item():
                    return {}


            def register_orders(app):
                @app.get("/orders")
                def list_orders():
                    return []


            def create_app():
                app = FastAPI()

                register_items(app)
                register_orders(app)

                return app
            """
        ),
        id="one-function-per-resource-at-its-first-route",
    ),
    pytest.param(
        HEAD
        + code(
            """
            def create_app(settings):
                app = FastAPI()
                greeting = settings["greeting"]

                @app.get("/hello")
                def hello():
                    return greeting

                return app
            """
        ),
        HEAD
        + code(
            """
            def register_hello(app, greeting):
                @app.get("/hello")
                def hello():
                    return greeting


            def create_app(settings):
                app = FastAPI()
                greeting = settings["greeting"]

                register_hello(app, greeting)

                return app
            """
        ),
        id="locals-the-routes-read-are-passed-in",
    ),
    pytest.param(
        HEAD
        + code(
            """
            def create_app():
                app = FastAPI()

                @app.get("/items")
                def list_items():
                    return []

                @app.get("/{section}/export")
                def export(section: str):
                    return section

                @app.get("/items/export")
                def export_items():
                    return []

                return app
            """
        ),
        HEAD
        + code(
            """
            def register_items(app):
                @app.get("/items")
                def list_items():
                    return []


            def register_root(app):
                @app.get("/{section}/export")
                def export(section: str):
                    return section


            def register_items_2(app):
                @app.get("/items/export")
                def export_items():
                    return []


            def create_app():
                app = FastAPI()

                register_items(app)
                register_root(app)
                register_items_2(app)

                return app
            """
        ),
        id="a-route-never-jumps-one-that-matches-first",
    ),
    pytest.param(
        HEAD
        + code(
            """
            def create_app():
                app = FastAPI()

                @app.get("/items")
                def list_items():
                    return []

                @app.get("/{section}/export")
                def export(section: str):
                    return section

                @app.get("/items/all")
                @app.get("/items/export")
                def export_items():
                    return []

                return app
            """
        ),
        HEAD
        + code(
            """
            def register_items(app):
                @app.get("/items")
                def list_items():
                    return []


            def register_root(app):
                @app.get("/{section}/export")
                def export(section: str):
                    return section


            def register_items_2(app):
                @app.get("/items/all")
                @app.get("/items/export")
                def export_items():
                    return []


            def create_app():
                app = FastAPI()

                register_items(app)
                register_root(app)
                register_items_2(app)

                return app
            """
        ),
        id="every-route-a-definition-registers-keeps-its-order",
    ),
    pytest.param(
        "from fastapi import APIRouter, FastAPI\n\n\n"
        + code(
            """
            def create_app():
                app = FastAPI()
                api = APIRouter(prefix="/api")

                @api.get("/items")
                def list_items():
                    return []

                @app.get("/health")
                def health():
                    return {}

                @api.get("/orders")
                def list_orders():
                    return []

                @api.post("/items")
                def add_item():
                    return {}

                app.include_router(api)

                @api.get("/items/late")
                def never_served():
                    return []

                return app
            """
        ),
        "from fastapi import APIRouter, FastAPI\n\n\n"
        + code(
            """
            def register_items(api):
                @api.get("/items")
                def list_items():
                    return []

                @api.post("/items")
                def add_item():
                    return {}


            def register_health(app):
                @app.get("/health")
                def health():
                    return {}


            def register_orders(api):
                @api.get("/orders")
                def list_orders():
                    return []


            def register_items_2(api):
                @api.get("/items/late")
                def never_served():
                    return []


            def create_app():
                app = FastAPI()
                api = APIRouter(prefix="/api")

                register_items(api)
                register_health(app)
                register_orders(api)

                app.include_router(api)

                register_items_2(api)

                return app
            """
        ),
        id="routes-on-a-router-the-factory-includes-stay-before-the-include",
    ),
    pytest.param(
        HEAD
        + code(
            """
            def create_app(extra):
                app = FastAPI()

                @app.get("/items")
                def list_items():
                    return []

                app.include_router(extra)

                @app.get("/items/{item_id}")
                def get_item(item_id: int):
                    return item_id

                return app
            """
        ),
        HEAD
        + code(
            """
            def register_items(app):
                @app.get("/items")
                def list_items():
                    return []


            def register_items_2(app):
                @app.get("/items/{item_id}")
                def get_item(item_id: int):
                    return item_id


            def create_app(extra):
                app = FastAPI()

                register_items(app)

                app.include_router(extra)

                register_items_2(app)

                return app
            """
        ),
        id="nothing-jumps-an-include-or-mount",
    ),
    pytest.param(
        HEAD
        + code(
            """
            register_items = None


            def create_app():
                app = FastAPI()

                @app.get("/items")
                def list_items():
                    return register_items

                return app
            """
        ),
        HEAD
        + code(
            """
            register_items = None


            def register_items_2(app):
                @app.get("/items")
                def list_items():
                    return register_items


            def create_app():
                app = FastAPI()

                register_items(app)

                return app
            """
        ).replace("register_items(app)", "register_items_2(app)"),
        id="a-generated-name-shadows-nothing",
    ),
    pytest.param(
        HEAD
        + code(
            """
            async def make(title):
                application = FastAPI(title=title)

                @application.websocket("/ws")
                async def socket(ws):
                    await ws.accept()

                return application
            """
        ),
        HEAD
        + code(
            """
            def register_ws(application):
                @application.websocket("/ws")
                async def socket(ws):
                    await ws.accept()


            async def make(title):
                application = FastAPI(title=title)

                register_ws(application)

                return application
            """
        ),
        id="async-factory-and-another-app-name",
    ),
    pytest.param(
        HEAD
        + code(
            """
            def create_app():
                app = FastAPI()

                @app.get("/raw")
                async def raw(path: str):
                    return await _read(path)

                async def _read(path):
                    return _clean(path)

                def _clean(path):
                    return path.strip()

                @app.get("/items")
                def list_items():
                    return []

                return app
            """
        ),
        HEAD
        + code(
            """
            def register_raw(app):
                @app.get("/raw")
                async def raw(path: str):
                    return await _read(path)

                async def _read(path):
                    return _clean(path)

                def _clean(path):
                    return path.strip()


            def register_items(app):
                @app.get("/items")
                def list_items():
                    return []


            def create_app():
                app = FastAPI()

                register_raw(app)
                register_items(app)

                return app
            """
        ),
        id="helpers-defined-below-the-route-that-only-it-calls-go-with-it",
    ),
]


@pytest.mark.parametrize(("before", "after"), TRANSFORMED)
def test_routes_leave_the_factory(before: str, after: str) -> None:
    check_transformed(analysed_text, before, after)


SETUP = "\n".join(f"    app.state.value_{n} = {n}" for n in range(10))


def test_a_run_of_set_up_statements_becomes_one_function_called_in_place() -> None:
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()
            templates = object()
        {setup}

            @app.get("/page")
            def page():
                return templates

            return app
        """
    ).replace("{setup}", SETUP)
    text = analysed_text(before)
    assert "def configure_app(app):\n" + SETUP + "\n" in text
    assert "    templates = object()\n    configure_app(app)\n    register_page(app, templates)\n" in text


def test_a_short_set_up_or_one_a_later_statement_reads_stays() -> None:
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()
        {setup}
            value = 1

            @app.get("/page")
            def page():
                return value

            return app
        """
    ).replace("{setup}", SETUP)
    text = analysed_text(before)
    assert "def configure_app(app):\n" + SETUP + "\n" in text
    assert "    configure_app(app)\n    value = 1\n" in text, "`value` is read by the route: it stays"


@pytest.mark.parametrize(
    "handler",
    [
        pytest.param('    @app.on_event("startup")\n    async def warm():\n        pass\n', id="decorated"),
        pytest.param(
            '    async def warm():\n        pass\n\n    app.router.add_event_handler("startup", warm)\n', id="added"
        ),
    ],
)
def test_an_event_handler_stays_in_the_factory_between_set_up_runs(handler: str) -> None:
    """Its `__qualname__` (`create_app.<locals>.warm`) is what the app's handler lists show."""
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()
        {setup}
        {handler}
        {setup}

            @app.get("/page")
            def page():
                return 1

            return app
        """
    ).replace("{setup}", SETUP).replace("{handler}\n", handler)
    text = analysed_text(before)
    assert "    configure_app(app)\n" + handler.split("\n\n")[0] in text
    assert "warm():" not in text.split("def create_app():")[0]
    namespace: dict = {}
    exec(compile(text, "server.py", "exec"), namespace)  # noqa: S102 - the test's own generated module
    app = namespace["create_app"]()
    assert [f.__qualname__ for f in app.router.on_startup] == ["create_app.<locals>.warm"]
    assert app.state.value_9 == 9


KEPT = [
    pytest.param("late = 1", "return late", "late", id="local-bound-after-the-route"),
    pytest.param("", "nonlocal counter\n            counter += 1", "nonlocal", id="nonlocal"),
]


@pytest.mark.parametrize(("after_route", "body", "fragment"), KEPT)
def test_a_route_that_would_see_other_values_stays_with_a_warning(after_route: str, body: str, fragment: str) -> None:
    source = HEAD + code(
        f"""
        def create_app():
            app = FastAPI()
            counter = 0

            @app.get("/kept")
            def kept():
                {body}

            {after_route}

            @app.get("/moved")
            def moved():
                return 1

            return app
        """
    )
    analysis = analyze_source(source, Path("server.py"))
    assert "def register_moved(app):" in analysis.source
    assert '    @app.get("/kept")' in analysis.source.split("def create_app")[1]
    (warning,) = [d for d in analysis.diagnostics if d.code == "factory-route-kept"]
    assert "`kept` stays in `create_app()`" in warning.message and fragment in warning.message
    assert analysis.original_line(warning.line) == source.splitlines().index('    @app.get("/kept")') + 1


def test_a_factory_none_of_whose_routes_can_leave_is_refused_with_the_reason() -> None:
    source = HEAD + code(
        """
        def create_app(prefix):
            app = FastAPI()

            @app.get(prefix + "/")
            def root():
                return 1

            return app
        """
    )
    with pytest.raises(SplitterError, match=r"registers its 1 route inside it.*`root` stays.*not a literal"):
        analyze_source(source, Path("server.py"))


def test_the_factory_keeps_its_docstring_and_what_reads_its_namespace() -> None:
    before = HEAD + code(
        '''
        def create_app():
            """Make the app."""
        {setup}
            print(locals())
        {setup}
            app = FastAPI()

            @app.get("/page")
            def page():
                return 1

            return app
        '''
    ).replace("{setup}", SETUP.replace("app.state", "state"))
    text = analysed_text(before)
    factory = text.split("def create_app():\n")[1]
    assert factory.startswith(
        '    """Make the app."""\n    configure_app()\n    print(locals())\n    configure_app_2()\n'
    )


def test_a_set_up_run_reading_a_local_it_also_rebinds_is_passed_the_factorys_value() -> None:
    before = HEAD + code(
        """
        def create_app(x):
            app = FastAPI()
            app.state.first = x
            x = 2
        {setup}

            @app.get("/page")
            def page():
                return 1

            return app
        """
    ).replace("{setup}", SETUP)
    text = analysed_text(before)
    assert "def configure_app(app, x):\n    app.state.first = x\n    x = 2\n" in text
    assert "    app = FastAPI()\n    configure_app(app, x)\n" in text


def test_a_set_up_run_whose_function_reads_a_local_bound_again_after_it_stays() -> None:
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()
            x = 1
        {setup}
            app.state.later = lambda: x

            @app.get("/page")
            def page():
                return 1

            x = 2
            return app
        """
    ).replace("{setup}", SETUP)
    assert "configure_app" not in analysed_text(before)


def test_a_route_whose_helper_below_it_reads_what_another_route_shares_stays_with_a_warning() -> None:
    """`_read` only serves `raw`, but `_clean`, which `_read` calls, serves `list_items` too: it stays in the factory,
    bound after `raw`, so `raw` (and its helper) stay, and the warning says which helper reads what."""
    source = HEAD + code(
        """
        def create_app():
            app = FastAPI()

            @app.get("/raw")
            def raw(path: str):
                return _read(path)

            def _read(path):
                return _clean(path)

            def _clean(path):
                return path.strip()

            @app.get("/items")
            def list_items():
                return _clean("x")

            return app
        """
    )
    analysis = analyze_source(source, Path("server.py"))
    assert "def register_items(app, _clean):" in analysis.source
    assert '    @app.get("/raw")' in analysis.source.split("def create_app")[1]
    (warning,) = [d for d in analysis.diagnostics if d.code == "factory-route-kept"]
    assert "`_read`, which only it calls, reads the factory's local `_clean`" in warning.message


def test_a_set_up_run_keeps_the_names_only_it_binds_in_a_branch_as_its_own_locals() -> None:
    """`try: from x import router ... except ImportError as e:` binds `router` and `e` in branches, for the run
    alone (nexus: four optional routers included in `_register_routes`): they are the function's own locals,
    not the factory's to pass in. Counted as bound at an unknown time, they kept the whole run in the factory."""
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()
            try:
                from extra import router as extra_router

                app.include_router(extra_router)
            except ImportError as e:
                print(f"no extra routes: {e}")
        {setup}

            @app.get("/page")
            def page():
                return 1

            return app
        """
    ).replace("{setup}", SETUP)
    text = analysed_text(before)
    assert "def configure_app(app):\n    try:\n        from extra import router as extra_router\n" in text
    assert "    app = FastAPI()\n    configure_app(app)\n" in text


def test_a_route_calling_the_route_right_above_it_goes_with_it() -> None:
    """nexus: `@app.websocket("/ws/events")` awaits `websocket_events`, the route above it. The factory's own code
    read it, so it stayed; both are registered by one function now, where the caller still finds it."""
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()

            @app.websocket("/ws/events/{sid}")
            async def events(websocket, sid: str):
                await websocket.close()

            @app.websocket("/ws/events")
            async def all_events(websocket):
                await events(websocket, "all")

            return app
        """
    )
    analysis = analyze_source(before, Path("server.py"))
    assert not [d for d in analysis.diagnostics if d.code == "factory-route-kept"]
    assert [r.function for r in analysis.factory_routes["register_ws"]] == ["events", "all_events"]


def test_set_up_runs_are_not_held_back_by_the_name_every_except_handler_binds() -> None:
    """`except ImportError as e:` in several `try` blocks binds one name, unbound again as each handler ends
    (nexus's create_app, three times): no value comes in from the factory or goes out of the run."""
    before = HEAD + code(
        """
        def create_app():
            app = FastAPI()
            try:
                from extra import router as extra_router

                app.include_router(extra_router)
            except ImportError as e:
                print(f"no extra routes: {e}")
        {setup}

            @app.get("/page")
            def page():
                return 1

            try:
                import telemetry
            except ImportError as e:
                print(e)
            return app
        """
    ).replace("{setup}", SETUP)
    text = analysed_text(before)
    assert "def configure_app(app):\n    try:\n        from extra import router as extra_router\n" in text
    assert "    app = FastAPI()\n    configure_app(app)\n" in text


def test_the_warning_names_the_same_late_local_whatever_the_hash_seed(tmp_path: Path) -> None:
    """The locals a kept route reads are a set: the warning named one of them by string hash (evweb's OAuth routes
    read five), so two plans of one monolith differed. It names the first in sorted order."""
    names = ("zeta", "alpha", "mu", "kappa", "beta")
    source = HEAD + "def create_app():\n    app = FastAPI()\n\n"
    source += f'    @app.get("/kept")\n    def kept():\n        return {" + ".join(names)}\n\n'
    source += '    @app.get("/moved")\n    def moved():\n        return 1\n\n'
    source += "".join(f"    {name} = 1\n" for name in names) + "    return app\n"
    (tmp_path / "server.py").write_text(source)
    script = (
        "from pathlib import Path; from splitter.analysis.analyze import analyze_source; "
        "a = analyze_source(Path('server.py').read_text(), Path('server.py')); "
        "print([d.message for d in a.diagnostics if d.code == 'factory-route-kept'])"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(seen) == 1 and "the factory's local `alpha`" in seen.pop()
