"""App factories (analysis/factory_*.py): the plans of the fixtures and what a hand-edited plan may change.
Behaviour (same app, tests pass) is checked by tests/test_regressions.py on the same fixtures."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.errors import SplitterError
from splitter.planning.project import load_project, plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "regressions" / "app_factory_registering_its_routes"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path / "shop" / "server.py"


def test_the_plan_lists_each_route_under_the_function_registering_it(shop: Path) -> None:
    plan = plan_project(load_project(shop, "shop.server"))
    registered = {e.function: (g.name, e.registered_by) for g in plan.groups for e in g.endpoints}
    assert registered["list_items"] == ("items", "register_items")
    assert registered["export_items"] == ("items", "register_items_2")  # behind the catch-all: a second run
    assert registered["order_item"] == ("orders", "register_orders")
    assert "say_greeting" not in registered and "ping" not in registered  # they stay in the factory
    assert all(e.registered_by in g.router_symbols for g in plan.groups for e in g.endpoints)
    assert plan.main == ["create_app", "app"]
    lines = FIXTURE.joinpath("shop", "server.py").read_text().splitlines()
    kept = [w for w in plan.warnings if "factory-route-kept" in w]
    assert [int(w.split(":")[1]) for w in kept] == [
        lines.index('    @app.get("/greeting")') + 1,
        lines.index('    @app.get("/ping")') + 1,
    ]


def test_a_route_moved_apart_from_its_function_in_an_edited_plan_is_refused(shop: Path) -> None:
    plan = plan_project(load_project(shop, "shop.server"))
    items, orders = (next(g for g in plan.groups if g.name == name) for name in ("items", "orders"))
    moved = next(e for e in items.endpoints if e.function == "list_items")
    items.endpoints.remove(moved)
    orders.endpoints.append(moved)
    before = shop.read_text()
    with pytest.raises(
        SplitterError, match="`list_items` is in group `orders`, but `register_items`, which registers it"
    ):
        apply_split(shop, plan, ApplyOptions(module_name="shop.server"))
    assert shop.read_text() == before


def test_a_prefix_on_a_group_of_factory_routes_is_refused(shop: Path) -> None:
    plan = plan_project(load_project(shop, "shop.server"))
    plan.groups = [replace(g, prefix="/orders") if g.name == "orders" else g for g in plan.groups]
    with pytest.raises(SplitterError, match="a prefix cannot be cut from them"):
        apply_split(shop, plan, ApplyOptions(module_name="shop.server"))


def test_router_tests_of_a_factory_app_ask_for_the_app_before_writing(shop: Path) -> None:
    from typer.testing import CliRunner

    from splitter.cli import app

    before = shop.read_text()
    result = CliRunner().invoke(app, ["apply", str(shop), "--yes", "--force", "--emit-tests", str(shop.parent / "t")])
    assert result.exit_code == 2
    assert "--emit-tests needs the app: shop.server makes none at module level" in result.output
    assert shop.read_text() == before and not (shop.parent / "routers").exists()


def test_the_factory_staying_in_main_is_the_design_not_a_warning(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE.parent / "app_factory_calling_route_registrars", tmp_path, dirs_exist_ok=True)
    plan = plan_project(load_project(tmp_path / "shop" / "server.py", "shop.server"))
    assert plan.main == ["create_app", "app"]
    assert plan.warnings == []  # `plan --strict` passes: the factory is meant to stay


def test_a_helper_given_the_app_is_cut_into_a_function_per_resource(tmp_path: Path) -> None:
    """`create_app()` hands its app to `_register_routes(app)`, which registers every route (nexus): its runs of
    one resource's routes leave it as `register_<resource>(app, ...)` functions grouped like endpoints, and the
    helper, calling all of them, stays beside the factory in main.py."""
    shutil.copytree(FIXTURE.parent / "routes_registered_by_a_helper_given_the_app", tmp_path, dirs_exist_ok=True)
    plan = plan_project(load_project(tmp_path / "shop" / "server.py", "shop.server"))
    registered = {e.function: (g.name, e.registered_by) for g in plan.groups for e in g.endpoints}
    assert registered["health"] == registered["health_all"] == ("system", "register_health")  # it calls `health`
    assert registered["user_books"] == ("users", "register_users")
    assert registered["add_book"] == ("books", "register_books")
    assert plan.main == ["create_app", "_register_routes", "app"]
    assert plan.warnings == []
    # the factory's own set-up left it too (its docstring names `configure_app`: the function is `_2`)
    assert plan.placement()["configure_app_2"] != plan.placement()["create_app"]


def test_a_route_left_in_the_helper_is_warned_about_once(tmp_path: Path) -> None:
    """A route the helper's own code reads stays in it (a route far below calls it): one factory-route-kept
    warning, not a second one for the helper staying beside the factory."""
    shutil.copytree(FIXTURE.parent / "routes_registered_by_a_helper_given_the_app", tmp_path, dirs_exist_ok=True)
    server = tmp_path / "shop" / "server.py"
    kept = '\n    @app.get("/books/health")\n    def books_health() -> dict:\n        return health()\n'
    added = '        return {"added": title}\n'
    server.write_text(server.read_text().replace(added, added + kept))
    plan = plan_project(load_project(server, "shop.server"))
    assert [w.split(": ", 1)[1] for w in plan.warnings] == [
        "warning factory-route-kept: `health` stays in `_register_routes()`: the factory's own code reads `health`"
    ]
