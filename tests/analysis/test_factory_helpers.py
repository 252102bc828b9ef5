"""An app factory's nested helper functions, called by the routes below them, leave it with those routes: a run
of them becomes `_check, _body = define_helpers(config)`, a function returning them that the factory calls where
they were (analysis/factory_setup.py); helpers that would be seen differently stay (E.V.'s create_app kept 530
lines of helpers before)."""

from __future__ import annotations

import subprocess
import sys

from tests.analysis.test_factory_routes import HEAD, analysed_text
from tests.helpers import code

HELPERS = code(
    """
    def _check(auth):
        if auth != config["token"]:
            raise KeyError(auth)
        return True

    def _load(name):
        value = store.get(name)
        if value is None:
            return []
        return value
    """
)


def indented(text: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in text.splitlines())


ROUTES = code(
    """
    @app.get("/items")
    def list_items(auth: str):
        _check(auth)
        return _load("items")

    @app.get("/orders")
    def list_orders(auth: str):
        _check(auth)
        return _load("orders")

    return app
    """
)


def factory(above: str = "", below: str = "") -> str:
    """A factory: its app, `above`, the helpers, `below`, two routes calling the helpers (each part indented)."""
    parts = ["app = FastAPI()\n", above, HELPERS, below, ROUTES]
    return HEAD + "def create_app(config, store):\n" + "\n".join(indented(p) for p in parts if p)


def test_helpers_only_the_routes_below_call_are_returned_by_a_function_called_in_their_place() -> None:
    text = analysed_text(factory())
    # a blank line before the `return`, as `ruff format` puts one below a nested function
    assert "def define_helpers(config, store):\n" + indented(HELPERS) + "\n    return _check, _load\n" in text
    assert ruff_formatted(factory()) == factory() and ruff_formatted(text) == text, "formatted before: and after"
    assert "    app = FastAPI()\n\n    _check, _load = define_helpers(config, store)\n" in text
    assert "    register_items(app, _check, _load)\n    register_orders(app, _check, _load)\n" in text
    namespace: dict = {}
    exec(compile(text, "server.py", "exec"), namespace)  # noqa: S102 - the test's own generated module
    app = namespace["create_app"]({"token": "t"}, {"items": [1]})
    endpoints = {route.path: route.endpoint for route in app.routes if route.path in ("/items", "/orders")}
    assert endpoints["/items"]("t") == [1] and endpoints["/orders"]("t") == []


def test_a_helper_a_route_above_calls_stays_and_so_does_what_the_run_was_cut_around() -> None:
    """`first` calls `_check` when requested: it could be before the run defined it, as it was in the factory."""
    above = '@app.get("/first")\ndef first(auth: str):\n    return _check(auth)\n'
    text = analysed_text(factory(above=above))
    assert "define_helpers" not in text
    assert "    def _check(auth):\n" in text.split("def create_app")[1]


def test_a_helper_a_route_lists_as_a_dependency_stays() -> None:
    """`Depends(_load_all)` reads it when the route is defined: the route table names it by `__qualname__`."""
    below = code(
        """
        def _load_all():
            return store

        @app.get("/everything")
        def everything(found: dict = Depends(_load_all)):
            return found
        """
    )
    text = analysed_text(factory(below=below).replace("import FastAPI", "import Depends, FastAPI"))
    assert "_check, _load = define_helpers(config, store)\n" in text
    assert "    def _load_all():\n" in text.split("def create_app")[1]


def test_a_helper_bound_again_stays() -> None:
    """A route rebinding it (`nonlocal _load`) would rebind the factory's, not the one the routes were given (the
    routes calling it stay too; `/health` leaves)."""
    below = code(
        """
        @app.get("/health")
        def health():
            return {}

        @app.post("/reset")
        def reset():
            nonlocal _load
            _load = lambda name: []
            return {}
        """
    )
    text = analysed_text(factory(below=below))
    assert "_load = define_helpers" not in text and "_check, _load = " not in text
    assert "    def _load(name):\n" in text.split("def create_app")[1]


def ruff_formatted(text: str) -> str:
    ruff = [sys.executable, "-m", "ruff", "format", "--isolated", "-"]
    return subprocess.run(ruff, input=text, capture_output=True, text=True, check=True).stdout
