"""Destinations are typed values from plan to emit; their string form lives only in plan files (plan_io)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from splitter.errors import SplitterError
from splitter.planning.destination import COMPAT, CORE, HOOKS, MAIN, SHARED, Destination, Role
from splitter.planning.layout import Destinations
from splitter.planning.plan_io import Group, Layout, Plan, parse_destination, plan_from_json, plan_to_json

DOCS = Path(__file__).resolve().parents[2] / "docs"

FORMS = [
    pytest.param("main", MAIN, id="the monolith"),
    pytest.param("core", CORE, id="core"),
    pytest.param("hooks", HOOKS, id="hooks"),
    pytest.param("shared", SHARED, id="shared"),
    pytest.param("compat", COMPAT, id="compat"),
    pytest.param("routers.orders", Destination(Role.ROUTER, "orders"), id="a group's router"),
    pytest.param("services.orders", Destination(Role.SERVICE, "orders"), id="a group's services"),
    pytest.param("services.shared_2", Destination(Role.SERVICE, "shared_2"), id="an overflow of shared"),
    pytest.param("root.core_2", Destination(Role.ROOT, "core_2"), id="an overflow of core beside the monolith"),
    pytest.param("routers._private9", Destination(Role.ROUTER, "_private9"), id="underscore and digits"),
    pytest.param(
        "services.lore.figure_2",
        Destination(Role.SERVICE, "lore.figure_2"),
        id="an overflow of a module of a group cut into a package (df-storyteller)",
    ),
    pytest.param("routers.song.art", Destination(Role.ROUTER, "song.art"), id="a module of a router package"),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_string_form_reads_as_destination(text: str, expected: Destination) -> None:
    assert parse_destination(text, "plan.json") == expected
    assert str(expected) == text  # and is written back the same way


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("routers", id="package without a group"),
        pytest.param("routers.", id="empty group"),
        pytest.param("routers.1orders", id="group starting with a digit"),
        pytest.param("router.orders", id="singular package"),
        pytest.param("root.a.b", id="nested module beside the monolith"),
        pytest.param("root.core-2", id="not an identifier"),
        pytest.param("Main", id="wrong case"),
        pytest.param(" shared", id="leading space"),
        pytest.param("router:orders", id="a planner group key"),
        pytest.param("orders#1", id="a route-order label"),
        pytest.param(42, id="not a string"),
        pytest.param(None, id="null"),
    ],
)
def test_invalid_string_form_is_one_clear_error(text: object) -> None:
    with pytest.raises(SplitterError) as caught:
        parse_destination(text, "plan.json")
    rendered = caught.value.render()
    assert rendered.startswith("error: plan.json: invalid plan: destination ")
    assert repr(text) in rendered and "\n" not in rendered


def test_destinations_sort_as_their_plan_forms() -> None:
    """Generated imports and `extra_modules` are listed in this order: it must stay the string order."""
    destinations = [expected for _text, expected in (p.values for p in FORMS)]
    assert [str(d) for d in sorted(destinations)] == sorted(str(d) for d in destinations)


def test_a_string_is_never_equal_to_a_destination() -> None:
    """A leftover `destination == "main"` would silently be False: it fails loudly instead."""
    with pytest.raises(TypeError, match="compared with the string 'main'"):
        _ = MAIN == "main"


@pytest.mark.parametrize(
    ("role", "name"),
    [
        pytest.param(Role.ROUTER, "", id="router without a group"),
        pytest.param(Role.ROOT, "", id="root module without a name"),
        pytest.param(Role.CORE, "core_2", id="core with a name"),
    ],
)
def test_a_destination_has_a_name_exactly_when_its_role_needs_one(role: Role, name: str) -> None:
    with pytest.raises(ValueError, match=role.value):
        Destination(role, name)


LAYOUT = Layout(
    routers_package="api_routers",
    services_package="app_services",
    shared_module="common",
    core_module="settings",
    hooks_module="middleware",
    compat_module="legacy",
)


@pytest.mark.parametrize(
    ("destination", "subpath", "depth"),
    [
        pytest.param(CORE, "settings", 0, id="core beside the monolith"),
        pytest.param(HOOKS, "middleware", 0, id="hooks beside the monolith"),
        pytest.param(COMPAT, "legacy", 0, id="compat beside the monolith"),
        pytest.param(SHARED, "app_services.common", 1, id="shared in the services package"),
        pytest.param(Destination.router("orders"), "api_routers.orders", 1, id="router"),
        pytest.param(Destination.service("orders"), "app_services.orders", 1, id="services"),
        pytest.param(Destination.root("settings_2"), "settings_2", 0, id="overflow beside the monolith"),
    ],
)
def test_layout_gives_each_destination_its_module(destination: Destination, subpath: str, depth: int) -> None:
    where = Destinations(Path("/repo/shop"), "shop", LAYOUT, relative=False)
    assert where.subpath(destination) == subpath
    assert where.depth(destination) == depth
    assert where.path(destination) == Path("/repo/shop", *subpath.split(".")).with_suffix(".py")
    assert where.dotted(destination, "shop.main") == f"shop.{subpath}"
    assert where.dotted(MAIN, "shop.main") == "shop.main"


def _plan(extra: dict[Destination, list[str]]) -> Plan:
    group = Group(name="orders", prefix="/orders", service_symbols=["total"])
    return Plan(
        source="main.py",
        module="main",
        app="app",
        groups=[group],
        main=["app"],
        core=["DB"],
        hooks=[],
        shared=["helper"],
        seams=[],
        extra_modules=extra,
    )


def test_destinations_round_trip_through_plan_json() -> None:
    extra = {
        Destination.service("shared_2"): ["helper_b"],
        Destination.root("core_2"): ["CLIENT"],
        Destination.service("lore.figure_2"): ["_build_festivals"],  # what df-storyteller's plan holds
    }
    data = json.loads(json.dumps(plan_to_json(_plan(extra))))
    assert data["extra_modules"] == {
        "services.shared_2": ["helper_b"],
        "root.core_2": ["CLIENT"],
        "services.lore.figure_2": ["_build_festivals"],
    }
    again = plan_from_json(data)
    assert again == _plan(extra)
    assert again.placement() == {
        "app": MAIN,
        "DB": CORE,
        "helper": SHARED,
        "helper_b": Destination.service("shared_2"),
        "CLIENT": Destination.root("core_2"),
        "total": Destination.service("orders"),
        "_build_festivals": Destination.service("lore.figure_2"),
    }


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("routers.orders", id="a router is not an overflow module"),
        pytest.param("shared", id="a fixed destination"),
        pytest.param("services.", id="no name"),
        pytest.param("bogus", id="not a destination"),
    ],
)
def test_extra_modules_keys_are_services_or_root_modules(key: str) -> None:
    data = plan_to_json(_plan({}))
    data["extra_modules"] = {key: ["helper_b"]}
    with pytest.raises(SplitterError, match=re.escape("`extra_modules` keys look like 'services.<name>'")):
        plan_from_json(data, "plan.json")


def test_the_documented_plan_still_loads() -> None:
    """docs/plan-format.md's example is a plan users copy: it keeps loading, destinations included."""
    text = (DOCS / "plan-format.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.DOTALL).group(1)
    plan = plan_from_json(json.loads(example), "plan-format.md")
    assert plan.extra_modules == {Destination.service("shared_2"): ["..."]}
    placement = plan.placement()
    assert placement["create_order"] == Destination.router("orders")
    assert placement["order_total"] == Destination.service("orders")
    assert placement["_payment_client"] == CORE and placement["@2210"] == MAIN


@pytest.mark.parametrize(
    ("layout", "destination", "whole"),
    [
        pytest.param(Layout(), Destination.root("core_2"), CORE, id="core part"),
        pytest.param(Layout(), Destination.root("hooks_3"), HOOKS, id="hooks part"),
        pytest.param(Layout(), Destination.service("shared_2"), SHARED, id="shared part"),
        pytest.param(Layout(core_module="app_core"), Destination.root("app_core_2"), CORE, id="renamed core"),
        pytest.param(
            Layout(core_module="app_core"),
            Destination.root("core_2"),
            Destination.root("core_2"),
            id="not a part of the renamed core",
        ),
        pytest.param(
            Layout(),
            Destination.service("shared_links"),
            Destination.service("shared_links"),
            id="a group's services named like shared",
        ),
        pytest.param(Layout(), Destination.router("core_2"), Destination.router("core_2"), id="a router"),
        pytest.param(Layout(), CORE, CORE, id="core itself"),
    ],
)
def test_an_overflow_module_is_a_part_of_the_module_it_extends(layout, destination, whole) -> None:
    assert layout.part_of(destination) == whole


@pytest.mark.parametrize(
    "destination",
    [
        pytest.param(Destination.router("admin"), id="a router package's __init__"),
        pytest.param(Destination.router("admin.events"), id="a module of a router package"),
        pytest.param(Destination.service("admin"), id="a services package's __init__"),
        pytest.param(Destination.router("orders"), id="a router module"),
        pytest.param(SHARED, id="shared"),
        pytest.param(CORE, id="core"),
    ],
)
def test_depth_counts_the_folders_below_the_monolith_s_folder(destination: Destination) -> None:
    where = Destinations(Path("/repo/shop"), "shop", LAYOUT, relative=False, packages=frozenset({"admin"}))
    assert where.depth(destination) == len(where.path(destination).relative_to(where.folder).parts) - 1
