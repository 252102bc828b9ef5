"""A monolith's own APIRouter serving a whole API (the Emergent-style `api_router = APIRouter(prefix="/api")`),
too big for a file: cut by resource into modules of its package (planning/router_resources.py), not by position."""

from __future__ import annotations

import shutil
from pathlib import Path

from splitter.analysis.analyze import analyze_source
from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.destination import Destination
from splitter.planning.planner import PlanOptions, make_plan
from splitter.planning.project import load_project, plan_project
from splitter.planning.router_resources import import_order

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "regressions" / "api_router_cut_by_resource" / "server.py"
HEAD = 'from fastapi import APIRouter, FastAPI\napp = FastAPI()\napi_router = APIRouter(prefix="/api")\n'


def route(method: str, path: str, name: str, body: str = "return 1") -> str:
    filler = "".join(f"    step_{i} = {i}\n" for i in range(6))  # big enough that the router needs several files
    return f'@api_router.{method}("{path}")\ndef {name}():\n{filler}    {body}\n'


def placement_of(source: str) -> dict[str, Destination]:
    plan = make_plan(
        analyze_source(source + "app.include_router(api_router)\n", Path("main.py")), PlanOptions(max_lines=60)
    )
    return plan.placement()


def test_the_fixtures_router_gets_a_module_per_resource_and_keeps_its_creation_in_the_package() -> None:
    plan = plan_project(load_project(FIXTURE))
    by_group = {g.name: sorted(e.function for e in g.endpoints) for g in plan.groups}
    assert by_group["api_routes.users"] == ["current_user", "get_user", "list_users"]
    assert by_group["api_routes.movements"] == ["create_movement", "list_movements"]
    assert by_group["api_routes.authorizations"] == ["list_authorizations", "resolve_authorization"]
    # `/movements/stats` registered on its module's first route would match before `/{kind}/stats`
    assert by_group["api_routes.movements_2"] == ["get_movement", "movement_stats"]
    assert plan.placement()["api_router"] == Destination.router("api_routes")
    assert not any("part_" in name for name in by_group), by_group
    why = next(g.why for g in plan.groups if g.name == "api_routes.users")
    assert "`api_router` for /api/users" in why[0]


def test_interleaved_resources_are_gathered_where_no_overlapping_route_is_jumped() -> None:
    source = HEAD + "".join(
        route(method, path, name)
        for method, path, name in [
            ("get", "/users", "list_users"),
            ("get", "/movements", "list_movements"),
            ("get", "/users/{user_id}", "get_user"),
            ("post", "/movements", "create_movement"),
            ("get", "/authorizations", "list_authorizations"),
            ("post", "/authorizations/{auth_id}", "resolve_authorization"),
            ("delete", "/users/{user_id}", "delete_user"),
        ]
    )
    placement = placement_of(source)
    assert placement["list_users"] == placement["get_user"] == placement["delete_user"]
    assert placement["list_users"] == Destination.router("api_routes.users")
    assert placement["list_movements"] == placement["create_movement"] == Destination.router("api_routes.movements")
    assert placement["list_authorizations"] == Destination.router("api_routes.authorizations")


RESOURCES = [
    ("get", "/users", "list_users"),
    ("get", "/users/{user_id}", "get_user"),
    ("get", "/movements", "list_movements"),
    ("post", "/movements", "create_movement"),
    ("get", "/authorizations", "list_authorizations"),
    ("post", "/authorizations/{auth_id}", "resolve_authorization"),
]


def test_a_module_calling_an_endpoint_of_a_later_module_is_imported_after_it() -> None:
    """Its import of the later module registers that module's routes first: the package imports that one first."""
    calls = {"get_user": "return list_movements()"}
    source = HEAD + "".join(route(m, p, n, calls.get(n, "return 1")) for m, p, n in RESOURCES)
    analysis = analyze_source(source + "app.include_router(api_router)\n", Path("main.py"))
    plan = make_plan(analysis, PlanOptions(max_lines=60))
    placement = plan.placement()
    assert placement["get_user"] == Destination.router("api_routes.users")
    assert placement["list_movements"] == Destination.router("api_routes.movements")
    modules = [
        [u.index for u in analysis.units if placement.get(u.name) == Destination.router(f"api_routes.{m}")]
        for m in ("users", "movements", "authorizations")
    ]
    assert import_order(analysis, modules) == [1, 0, 2]


def test_endpoints_of_two_resources_calling_each_other_share_a_module() -> None:
    calls = {"get_user": "return list_movements()", "create_movement": "return get_user()"}
    source = HEAD + "".join(route(m, p, n, calls.get(n, "return 1")) for m, p, n in RESOURCES)
    placement = placement_of(source)
    assert placement["get_user"] == placement["list_movements"] == placement["list_users"]
    assert placement["list_authorizations"] != placement["get_user"]


def test_a_route_its_module_would_register_before_an_overlapping_earlier_route_starts_a_module_of_its_own() -> None:
    """`/movements/stats` after `/{kind}/stats`: with the rest of movements it would match first."""
    order = RESOURCES[:4] + [("get", "/{kind}/stats", "kind_stats"), ("get", "/movements/stats", "stats")]
    placement = placement_of(HEAD + "".join(route(*r) for r in order + RESOURCES[4:]))
    assert placement["list_movements"] == Destination.router("api_routes.movements")
    assert placement["stats"] == Destination.router("api_routes.movements_2")


def test_a_router_of_one_resource_or_with_statements_among_its_routes_is_cut_in_source_order() -> None:
    one_resource = HEAD.replace('"/api"', '"/api/items"') + "".join(
        route("get", f"/{n}", n) for n in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta")
    )
    assert {d.name for d in placement_of(one_resource).values() if "." in d.name} == {"items.part_2"}
    users = [("get", "/users", "a"), ("get", "/users/{i}", "b"), ("delete", "/users/{i}", "c")]
    movements = [("get", "/movements", "d"), ("post", "/movements", "e"), ("delete", "/movements/{i}", "f")]
    setting_between = HEAD + "".join(route(*r) for r in users) + "api_router.tags.append('late')\n"
    setting_between += "".join(route(*r) for r in movements)
    assert any("part_" in d.name for d in placement_of(setting_between).values())


def test_helpers_of_one_module_go_beside_it_and_apply_keeps_each_where_the_plan_put_it(tmp_path: Path) -> None:
    """`USERS` only users.py reads: services/api_routes/users.py; `MOVEMENTS` two modules read and `count_call` the
    router's creation: the package's services. apply honours a plan as if hand-edited (planning/plan_edits.py),
    and took the router's block, whose routes the plan lists in several modules, for its last module alone."""
    shutil.copytree(FIXTURE.parent, tmp_path, dirs_exist_ok=True)
    plan = plan_project(load_project(tmp_path / "server.py"))  # as `apply --plan` reads it
    result = apply_split(tmp_path / "server.py", plan, ApplyOptions(dry_run=True))
    services = {str(p.relative_to(tmp_path)): text for p, text in result.changes.items() if p.parent.name != "routers"}
    assert sorted(s for s in services if s.startswith("services")) == [
        "services/__init__.py",
        "services/api_routes/__init__.py",
        "services/api_routes/authorizations.py",
        "services/api_routes/users.py",
    ]
    assert "def count_call" in services["services/api_routes/__init__.py"]
    assert "MOVEMENTS = " in services["services/api_routes/__init__.py"]
    assert "USERS = " in services["services/api_routes/users.py"]
    assert "AUTHORIZATIONS = " in services["services/api_routes/authorizations.py"]


def test_two_routes_whose_functions_share_a_name_stay_in_one_module() -> None:
    """4th-Dimension's `get_project_tasks`, defined for two routes: each registers its route and the module keeps
    the last; a plan names each unit by its name, so the two cannot live in two modules."""
    source = HEAD + "".join(
        route(method, path, name)
        for method, path, name in [
            ("get", "/users", "list_users"),
            ("get", "/users/{user_id}", "get_user"),
            ("get", "/movements", "list_movements"),
            ("post", "/movements", "create_movement"),
            ("get", "/authorizations", "list_authorizations"),
            ("get", "/users/me", "list_movements"),
        ]
    )
    placement = placement_of(source)  # raised "plan puts `list_movements` in both ..." when they were apart
    assert placement["list_users"] == placement["list_movements"]
    assert placement["list_authorizations"] != placement["list_users"]


def test_a_router_cut_in_source_order_keeps_two_functions_of_one_name_in_one_part() -> None:
    """The same for a router whose other statements sit among its routes: it is cut into parts in source order."""
    routes = [route("get", f"/things/{i}", f"thing_{i}") for i in range(12)]
    routes[10] = route("get", "/things/10", "thing_9")
    source = HEAD + routes[0] + "api_router.tags.append('x')\n" + "".join(routes[1:])
    placement = placement_of(source)  # raised "plan puts `thing_9` in both ..." when they were apart
    assert placement["thing_0"] == Destination.router("api_routes")
    assert placement["thing_9"] == placement["thing_11"] != placement["thing_0"]
