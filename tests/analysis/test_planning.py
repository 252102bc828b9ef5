"""Planning on the real fixtures (invariants every plan must keep) and on small synthetic monoliths (one
placement rule each). Synthetic sources are written to tmp_path, outside any git repository, so
`load_project` sees only the file itself.
"""

from __future__ import annotations

import json
import keyword
from collections import Counter
from pathlib import Path

import pytest

from splitter.analysis.blocks import environment_preparers
from splitter.planning.handover import handover_names
from splitter.planning.destination import CORE, HOOKS, MAIN, SHARED, Destination, Role
from splitter.planning.plan_notes import named_as_the_monolith
from splitter.planning.plan_io import Plan, check_group_name, plan_from_json, plan_to_json
from splitter.planning.project import Project, load_project, plan_project
from tests.helpers import code

REPO = Path(__file__).resolve().parents[2]
FIXTURES = [
    "fixtures/shopapi/shopapi/main.py",
    "fixtures/notes_backend/main.py",
    "fixtures/inventory_src/src/inventory/api/server.py",
]


def plan_for(path: Path) -> tuple[Project, Plan]:
    project = load_project(path)
    return project, plan_project(project)


@pytest.fixture(scope="module", params=FIXTURES, ids=[Path(f).parent.name + "/" + Path(f).name for f in FIXTURES])
def fixture_plan(request: pytest.FixtureRequest) -> tuple[Project, Plan]:
    return plan_for(REPO / request.param)


def endpoint_functions(project: Project) -> set[str]:
    """Functions registered on the app by a decorator, outside any block: the ones a plan may move."""
    analysis = project.analysis
    return {
        r.function
        for r in analysis.registrations
        if r.owner == analysis.app_names[0]
        and r.form == "decorator"
        and r.kind in ("route", "websocket")
        and not r.conditional
        and r.function
    }


def warned_about(plan: Plan, name: str) -> bool:
    return any(f"`{name}`" in warning for warning in plan.warnings)


# --- invariants on the real fixtures ------------------------------------------------------------------------


def test_every_endpoint_is_in_exactly_one_group_or_pinned_in_main_with_a_warning(
    fixture_plan: tuple[Project, Plan],
) -> None:
    project, plan = fixture_plan
    endpoints = endpoint_functions(project)
    assert len(endpoints) > 10  # the fixtures are real monoliths
    groups_of: dict[str, set[str]] = {}
    for group in plan.groups:
        for endpoint in group.endpoints:
            groups_of.setdefault(endpoint.function, set()).add(group.name)
    for function in sorted(endpoints):
        in_groups = groups_of.get(function, set())
        if function in plan.main:
            assert not in_groups, f"{function} is both in main and in {in_groups}"
            assert warned_about(plan, function), f"{function} stays in main.py without a warning naming it"
        else:
            assert len(in_groups) == 1, f"{function} is in groups {in_groups}"


def destination_lists(plan: Plan) -> list[tuple[Destination, list[str]]]:
    """Every list of the plan that places unit names, with the destination it stands for."""
    lists = [(MAIN, plan.main), (CORE, plan.core), (HOOKS, plan.hooks), (SHARED, plan.shared)]
    lists += sorted(plan.extra_modules.items())  # overflow modules such as services.shared_2
    for group in plan.groups:
        # A function registered by stacked decorators is one endpoint per route, but one unit.
        endpoints = sorted({e.function for e in group.endpoints})
        lists.append((Destination.router(group.name), endpoints + group.router_symbols))
        lists.append((Destination.service(group.name), group.service_symbols))
    return lists


def test_every_unit_has_exactly_one_destination(fixture_plan: tuple[Project, Plan]) -> None:
    project, plan = fixture_plan
    placement = plan.placement()  # raises SplitterError when a name is put in two destinations
    counts = Counter(name for _destination, names in destination_lists(plan) for name in names)
    # Imports are copied into every module that needs them and the docstring stays: neither is placed.
    units = [u for u in project.analysis.units if u.kind not in ("import", "docstring") and not u.type_checking]
    assert len({u.name for u in units}) == len(units)
    for unit in units:
        assert unit.name in placement, f"{unit.name} has no destination"
        assert counts[unit.name] == 1, f"{unit.name} is listed {counts[unit.name]} times"
    assert set(placement) == {u.name for u in units}


def test_destinations_are_known_modules(fixture_plan: tuple[Project, Plan]) -> None:
    _project, plan = fixture_plan
    known = {destination for destination, _names in destination_lists(plan)}
    placement = plan.placement()
    assert set(placement.values()) <= known
    assert placement[plan.app] == MAIN  # the app itself never moves
    for destination in plan.extra_modules:
        assert destination.role in (Role.SERVICE, Role.ROOT) and destination.name.isidentifier()


def test_group_names_are_valid_identifiers(fixture_plan: tuple[Project, Plan]) -> None:
    _project, plan = fixture_plan
    names = [g.name for g in plan.groups]
    assert len(names) == len(set(names))
    for name in names:
        assert name.isidentifier() and not keyword.iskeyword(name)
        assert check_group_name(name, "plan") == name  # not reserved (main, core, hooks, shared, dunder)


def test_plan_json_round_trips_unchanged(fixture_plan: tuple[Project, Plan]) -> None:
    _project, plan = fixture_plan
    data = plan_to_json(plan)
    text = json.dumps(data)
    again = plan_to_json(plan_from_json(json.loads(text)))
    assert again == data
    assert plan_from_json(json.loads(text)) == plan


def test_planning_is_deterministic(fixture_plan: tuple[Project, Plan]) -> None:
    project, plan = fixture_plan
    _again_project, again = plan_for(project.analysis.path)
    assert json.dumps(plan_to_json(again), sort_keys=True) == json.dumps(plan_to_json(plan), sort_keys=True)


def test_json_contract(fixture_plan: tuple[Project, Plan]) -> None:
    """The keys tools and people rely on when they read or edit a plan file (docs/plan-format.md)."""
    _project, plan = fixture_plan
    data = json.loads(json.dumps(plan_to_json(plan)))
    assert data["version"] == 2
    assert isinstance(data["groups"], list) and data["groups"]
    for group in data["groups"]:
        assert isinstance(group["name"], str)
        assert group["prefix"] == "" and group["common_path"].startswith("/")  # a router prefix only by an edit
        assert isinstance(group["endpoints"], list)
        for endpoint in group["endpoints"]:
            assert isinstance(endpoint["function"], str)
            assert isinstance(endpoint["methods"], list) and all(isinstance(m, str) for m in endpoint["methods"])
            assert endpoint["path"] is None or endpoint["path"].startswith("/")
    for key in ("main", "core", "hooks", "shared", "seams", "warnings"):
        assert isinstance(data[key], list)


def test_shopapi_specific_placements() -> None:
    """A few decisions on the biggest fixture that follow directly from docs/design.md."""
    project, plan = plan_for(REPO / FIXTURES[0])
    placement = plan.placement()
    assert placement["app"] == MAIN
    assert placement["spa_fallback"] == MAIN  # a catch-all inside `if`; main.py fits, so it stays there
    assert any("register_admin_tools" in w and "registration-call" in w for w in plan.warnings)
    rebound = set().union(*(u.rebinds_globals for u in project.analysis.units))
    moved_rebound = {name for name in rebound if placement.get(name, MAIN) != MAIN}
    assert moved_rebound <= set(plan.seams)  # every moved global rebound with `global` is a seam


# --- synthetic monoliths: one rule each -----------------------------------------------------------------------

HEADER = "from fastapi import FastAPI, Request\n\napp = FastAPI()\n\n\n"


def plan_source(tmp_path: Path, body: str) -> Plan:
    main = tmp_path / "main.py"
    main.write_text(HEADER + code(body))
    return plan_for(main)[1]


def test_literal_route_before_parameter_route_stays_in_one_group(tmp_path: Path) -> None:
    plan = plan_source(
        tmp_path,
        """
        @app.get("/items/me")
        def read_my_item():
            return {}


        @app.get("/items/{item_id}")
        def read_item(item_id: int):
            return {}


        @app.post("/items")
        def create_item():
            return {}
    """,
    )
    [group] = plan.groups
    assert group.name == "items"
    assert [(e.function, e.path, e.router) for e in group.endpoints] == [
        ("read_my_item", "/items/me", "router"),
        ("read_item", "/items/{item_id}", "router"),
        ("create_item", "/items", "router"),
    ]
    assert plan.main == ["app"]
    assert plan.warnings == []


def test_global_rebound_by_a_setter_is_a_seam_kept_with_its_setter(tmp_path: Path) -> None:
    plan = plan_source(
        tmp_path,
        """
        _mode = "normal"


        def set_mode(value):
            global _mode
            _mode = value


        @app.get("/mode")
        def get_mode():
            return {"mode": _mode}


        @app.post("/mode")
        def put_mode(value: str):
            set_mode(value)
            return {}


        @app.get("/users")
        def users():
            return [_mode]


        @app.get("/users/{uid}")
        def user(uid: int):
            return {}
    """,
    )
    placement = plan.placement()
    assert placement["_mode"] == placement["set_mode"]
    assert placement["_mode"] != MAIN
    assert plan.seams == ["_mode"]


def test_helper_used_by_two_groups_goes_to_shared_and_by_one_to_its_service(tmp_path: Path) -> None:
    plan = plan_source(
        tmp_path,
        """
        def shared_helper(x):
            return x


        def orders_only(x):
            return x


        @app.get("/orders")
        def list_orders():
            return orders_only(shared_helper(1))


        @app.get("/orders/{oid}")
        def get_order(oid: int):
            return orders_only(oid)


        @app.get("/users")
        def list_users():
            return shared_helper(2)


        @app.get("/users/{uid}")
        def get_user(uid: int):
            return {}
    """,
    )
    placement = plan.placement()
    assert placement["shared_helper"] == SHARED
    assert placement["orders_only"] == Destination.service("orders")
    orders, users = Destination.router("orders"), Destination.router("users")
    assert {n: placement[n] for n in ("list_orders", "get_order", "list_users", "get_user")} == {
        "list_orders": orders,
        "get_order": orders,
        "list_users": users,
        "get_user": users,
    }


def test_import_time_work_goes_to_core(tmp_path: Path) -> None:
    plan = plan_source(
        tmp_path,
        """
        CLIENT = make_client()
        TIMEOUT = 5


        @app.get("/users")
        def list_users():
            return CLIENT.get("/users", timeout=TIMEOUT)


        @app.get("/users/{uid}")
        def get_user(uid: int):
            return CLIENT.get(f"/users/{uid}")
    """,
    )
    placement = plan.placement()
    assert placement["CLIENT"] == CORE
    assert placement["TIMEOUT"] == Destination.service("users")  # a plain constant follows its only user


def test_an_endpoint_caller_moves_beside_the_endpoint_and_its_import_time_user_stays_in_main() -> None:
    # fixtures/regressions/core_instance_of_class_calling_an_endpoint.py, from feedBack's providers (issue 9)
    fixture = REPO / "fixtures/regressions/core_instance_of_class_calling_an_endpoint.py"
    project, plan = plan_for(fixture)
    placement = plan.placement()
    assert placement["LocalLibraryProvider"] == Destination.router("song")  # it awaits get_song_art at call time
    assert placement["_local_library_provider"] == MAIN  # in core.py it would import routers/song.py: a cycle
    # reading the instance only when called, the endpoints using it move: main.py hands it over to core
    assert placement["get_song"] == Destination.router("song")
    assert any("read `_local_library_provider` at call time" in w for w in plan.warnings)
    # the slim module keeps the monolith's name, and the warning says so
    warning = next(w for w in plan.warnings if f"`_local_library_provider` stays in {fixture.name}" in w)
    line = project.analysis.source.splitlines().index("_local_library_provider = LocalLibraryProvider()") + 1
    assert warning.startswith(f"{project.analysis.path}:{line}: ") and "in core it would import" in warning


def test_a_function_calling_locals_moves_and_no_warning_says_it_cannot() -> None:
    # fixtures/regressions/locals_inside_a_moved_function.py, from PinePods' clientapi.py (issue 9)
    project, plan = plan_for(REPO / "fixtures/regressions/locals_inside_a_moved_function.py")
    placement = plan.placement()
    assert MAIN not in (placement["podcast_extras"], placement["Episode"])
    assert placement["podcast_extras"].name == placement["Episode"].name == placement["extras"].name
    assert not any("locals()" in w or "vars()" in w for w in plan.warnings), plan.warnings


def test_a_literal_globals_lookup_moves_with_the_name_it_reads_unless_that_name_is_a_seam() -> None:
    # fixtures/regressions/globals_lookup_of_a_name_it_reads.py, from strategyos-mvp's api.py (issue 9)
    fixture = REPO / "fixtures/regressions/globals_lookup_of_a_name_it_reads.py"
    _, plan = plan_for(fixture)
    placement = plan.placement()
    assert MAIN not in (placement["describe"], placement["shout"], placement["humanize_token"])
    assert placement["rated"] == placement["RATE"] == MAIN
    kept = [w for w in plan.warnings if f"`rated` stays in {fixture.name}" in w]
    assert kept and "asks globals() for `RATE`" in kept[0], plan.warnings
    assert not any("`describe`" in w or "`shout`" in w or "cannot be traced" in w for w in plan.warnings)


def test_a_plain_assignment_kept_for_the_app_hands_its_names_over_to_core() -> None:
    # fixtures/regressions/gateway_built_from_the_app_at_the_end.py, from oompah's server.py (issue 9)
    project, plan = plan_for(REPO / "fixtures/regressions/gateway_built_from_the_app_at_the_end.py")
    placement = plan.placement()
    assert placement["_gateway"] == placement["_gateway_app"] == MAIN
    assert placement["gateway_status"] != MAIN
    lines = project.analysis.source.splitlines()
    built = [lines.index("_gateway = Gateway(app)") + 1, lines.index("_gateway_app = _gateway.asgi()") + 1]
    notes = [n for n in plan.warnings if "`gateway_status` reads `_gateway`, `_gateway_app`" in n]
    assert notes and notes[0].endswith(f"after the lines {built[0]} and {built[1]} that bind them")


def test_names_bound_again_around_the_app_setup_are_handed_over_after_each_binding() -> None:
    # fixtures/regressions/names_bound_again_around_app_setup.py, from 4th-Dimension and mcp-context-forge (issue 9)
    project, plan = plan_for(REPO / "fixtures/regressions/names_bound_again_around_app_setup.py")
    placement = plan.placement()
    assert placement["logger"] == placement["_service"] == MAIN
    assert MAIN not in {placement["list_orders"], placement["get_order"], placement["list_users"]}
    lines = project.analysis.source.splitlines()
    bound = [n + 1 for n, line in enumerate(lines) if line.startswith("logger = ")]
    notes = [w for w in plan.warnings if "`list_users` reads `logger` at call time" in w]
    assert len(bound) == 2 and notes and notes[0].endswith(f"after the lines {bound[0]} and {bound[1]} that bind them")


def test_a_plain_assignment_kept_for_a_sys_path_line_hands_its_names_over_to_core() -> None:
    # fixtures/regressions/constant_held_by_a_sys_path_line.py, from radon's scripts/api/server.py (issue 9)
    project, plan = plan_for(REPO / "fixtures/regressions/constant_held_by_a_sys_path_line.py")
    placement = plan.placement()
    assert placement["SCRIPTS_DIR"] == placement["DATA_DIR"] == placement["CACHE_DIR"] == MAIN
    assert MAIN not in {placement["scan"], placement["scan_one"], placement["orders"]}
    notes = [w for w in plan.warnings if "`scan` reads `CACHE_DIR`, `DATA_DIR` at call time" in w]
    assert len(notes) == 1, plan.warnings


def test_a_plain_assignment_read_only_by_statements_at_import_is_not_handed_over(tmp_path: Path) -> None:
    # warehouse_system's `_wh_router = ResourceRouter(app=app, ...)` then `_wh_router.register()`: app setup that
    # moves as a run to app_setup.py; handing `_wh_router` over held both in main.py (303 lines, limit 200)
    source = HEADER + code(
        """
        class ResourceRouter:
            def __init__(self, app, prefix):
                self.app, self.prefix = app, prefix

            def register(self):
                self.app.get(self.prefix)(lambda: [])


        _wh_router = ResourceRouter(app=app, prefix="/api/warehouses")
        _wh_router.register()


        @app.get("/users")
        def list_users():
            return []
        """
    )
    (tmp_path / "main.py").write_text(source)
    project, _plan = plan_for(tmp_path / "main.py")
    assert "_wh_router" not in handover_names(project.analysis)


def test_a_definition_using_an_endpoint_caller_follows_it_into_the_router() -> None:
    # fixtures/regressions/endpoint_caller_typed_by_another_class.py: feedBack's SmartCollectionProvider
    project, plan = plan_for(REPO / "fixtures/regressions/endpoint_caller_typed_by_another_class.py")
    placement = plan.placement()
    assert placement["LocalLibraryProvider"] == placement["SmartCollectionProvider"] == Destination.router("song")
    kept = ("_local_library_provider", "_c")
    assert {name: placement[name] for name in kept} == dict.fromkeys(kept, MAIN)
    # they read the instance when called: main.py hands it over to core, and they move
    assert placement["_sync_collection_provider"] == Destination.router("song")
    assert placement["create_collection"] == Destination.router("sources")
    line = project.analysis.source.splitlines().index('for _c in [{"id": 1}]:') + 1
    scan = f"{project.analysis.path}:{line}: `_c` stays in {project.analysis.path.name}"
    assert any(w.startswith(scan) and "import cycle" in w for w in plan.warnings)


def test_a_block_kept_for_the_app_says_why_when_it_holds_others_back(tmp_path: Path) -> None:
    # utxoracle's api/main.py: a `try` block imports a metrics collector and registers its middleware on the app;
    # here the except branch does not bind the name, so main.py cannot hand it over to core
    plan = plan_source(
        tmp_path,
        """
        try:
            from metrics_collector import MetricsCollector, metrics_middleware

            metrics_collector = MetricsCollector()
            app.middleware("http")(metrics_middleware(metrics_collector))
        except ImportError:
            pass


        @app.get("/metrics")
        def performance_metrics():
            return metrics_collector.get_metrics()
    """,
    )
    line = HEADER.count("\n") + 1
    assert plan.placement()["performance_metrics"] == MAIN
    root = [w for w in plan.warnings if f"main.py:{line}: " in w]
    assert len(root) == 1 and "stays in main.py: uses the app object at import time" in root[0]
    name = root[0].split("`")[1]  # the block is named by a name it binds
    assert any(f"`performance_metrics` stays in main.py: it uses `{name}`" in w for w in plan.warnings)


HANDED_OVER = """
    {before}
    try:
        from metrics_collector import MetricsCollector, metrics_middleware

        metrics_collector = MetricsCollector()
        app.middleware("http")(metrics_middleware(metrics_collector))
    except ImportError:
        {handler}
    {extra}

    @app.get("/metrics")
    def performance_metrics({parameters}):
        return metrics_collector.get_metrics()
"""


@pytest.mark.parametrize(
    ("before", "handler", "extra", "parameters", "moves"),
    [
        pytest.param("", "metrics_collector = None", "", "", True, id="read-in-the-body"),
        pytest.param(
            "",
            "metrics_collector = None",
            "",
            "window: int = len(metrics_collector.names)",
            False,
            id="read-in-a-default",
        ),
        # main.py hands it over after each statement binding it (4th-Dimension, mcp-context-forge)
        pytest.param("", "metrics_collector = None", "metrics_collector = None", "", True, id="bound-again-after"),
        pytest.param("metrics_collector = None", "pass", "", "", True, id="a-default-before-a-block-that-may-bind-it"),
        pytest.param("", "pass", "metrics_collector = None", "", False, id="unbound-on-one-path-before-bound-again"),
        pytest.param("metrics_collector = None", "pass", "metrics_collector += 1", "", False, id="augmented-again"),
    ],
)
def test_names_a_block_kept_for_the_app_binds_are_handed_to_core_when_read_at_call_time(
    tmp_path: Path, before: str, handler: str, extra: str, parameters: str, moves: bool
) -> None:
    source = HANDED_OVER.format(before=before, handler=handler, extra=extra, parameters=parameters)
    plan = plan_source(tmp_path, source)
    assert (plan.placement()["performance_metrics"] != MAIN) is moves
    noted = [w for w in plan.warnings if "`performance_metrics` reads `metrics_collector` at call time" in w]
    assert len(noted) == int(moves)


def test_one_note_tells_every_function_reading_the_same_handed_over_names(tmp_path: Path) -> None:
    # 4th-Dimension: 140 endpoints read `logger`, one note each drowned the plan's other warnings
    endpoints = "".join(
        f'\n    @app.get("/metrics/{n}")\n    def metrics_{n}():\n        return metrics_collector.get_metrics()\n'
        for n in range(3)
    )
    source = HANDED_OVER.format(before="", handler="metrics_collector = None", extra="", parameters="") + endpoints
    plan = plan_source(tmp_path, source)
    notes = [w for w in plan.warnings if "read `metrics_collector` at call time" in w]
    assert len(notes) == 1, plan.warnings
    assert "4 moved functions read" in notes[0] and "`metrics_2` (line" in notes[0]


def test_handler_using_app_state_moves_and_the_plan_says_how(tmp_path: Path) -> None:
    plan = plan_source(
        tmp_path,
        """
        @app.get("/state")
        def read_state(request: Request):
            return {"visits": app.state.visits}


        @app.get("/users")
        def list_users():
            return []


        @app.get("/users/{uid}")
        def get_user(uid: int):
            return {}
    """,
    )
    placement = plan.placement()
    assert placement["read_state"] != MAIN  # it reads core.app at call time (issue 9, class 4)
    assert any("`read_state` uses the app in its body" in w and "core.app" in w for w in plan.warnings)
    assert placement["list_users"] == Destination.router("users")


PINNED_WITHOUT_A_WORD = [
    (
        "uses the app at import time, in a default argument",
        """
        @app.get("/state")
        def read_state(title: str = app.title):
            return {"title": title}
        """,
        "read_state",
    ),
    (
        "shares a block (a `global`) with a route pinned for route order",
        """
        HITS = 0


        @app.get("/users/me")
        def me():
            global HITS
            if (HITS := HITS + 1) > 0:  # a name `:=` binds cannot be assigned through another module
                return {"who": "me"}


        @app.get("/{collection}/stats")
        def stats(collection: str, title: str = app.title):
            return {"stats": collection, "title": title}


        @app.get("/users/{user_id}")
        def user(user_id: str):
            global HITS
            if (HITS := HITS + 1) > 0:
                return {"user": user_id}
        """,
        "me",
    ),
]


@pytest.mark.parametrize(
    ("body", "function"), [r[1:] for r in PINNED_WITHOUT_A_WORD], ids=[r[0] for r in PINNED_WITHOUT_A_WORD]
)
def test_an_endpoint_kept_in_main_is_named_in_a_warning(tmp_path: Path, body: str, function: str) -> None:
    """docs/design.md: what uses the app stays in main "with a warning"; fixtures/edge/README.md says the same
    for handler_uses_app.py. Without one, a user cannot tell why an endpoint was not moved."""
    plan = plan_source(tmp_path, body)
    assert plan.placement()[function] == MAIN
    assert warned_about(plan, function), plan.warnings


def _two_groups_sharing_a_helper(helper_lines: int) -> str:
    """A monolith whose `orders` and `users` routes all call one `big_helper` of `helper_lines` lines."""
    body = "".join(f"    total += {i}\n" for i in range(helper_lines - 3))
    routes = "".join(
        f'@app.get("/{name}")\ndef {name}():\n    return big_helper()\n@app.get("/{name}/{{key}}")\n'
        f"def one_of_{name}(key: int):\n    return big_helper()\n"
        for name in ("orders", "users")
    )
    source = "from fastapi import FastAPI\napp = FastAPI()\ndef big_helper():\n    total = 0\n" + body
    return source + "    return total\n" + routes


def test_an_oversized_note_names_the_file_the_layout_writes() -> None:
    from splitter.analysis.analyze import analyze_source
    from splitter.planning.planner import PlanOptions, make_plan

    plan = make_plan(analyze_source(_two_groups_sharing_a_helper(63), Path("main.py")), PlanOptions(max_lines=60))
    notes = [w for w in plan.warnings if "alone is" in w]
    assert notes and all("services/shared.py cannot stay under 60 lines" in n for n in notes), plan.warnings


@pytest.mark.parametrize(
    ("helper_lines", "warned"),
    [
        pytest.param(420, False, id="fits-with-its-imports"),  # roadmap: a 417-line function wrote a 434-line file
        pytest.param(480, True, id="over-once-its-imports-come"),  # warehouse: 479 lines wrote 516
    ],
)
def test_a_definition_is_called_too_big_only_when_its_imports_would_pass_the_limit(
    helper_lines: int, warned: bool
) -> None:
    from splitter.analysis.analyze import analyze_source
    from splitter.planning.planner import PlanOptions, make_plan

    source = _two_groups_sharing_a_helper(helper_lines)
    plan = make_plan(analyze_source(source, Path("main.py")), PlanOptions(max_lines=500))
    assert any("`big_helper` alone is" in w for w in plan.warnings) is warned, plan.warnings


def test_an_oversized_note_on_a_group_cut_into_a_package_names_its_init() -> None:
    """df-storyteller at --max-lines 120: `lore` became a package (`lore.detail`, ...) and its 778-line page
    stayed in routers/lore/__init__.py, but the note named routers/lore.py, a file no split writes."""
    from splitter.analysis.analyze import analyze_source
    from splitter.planning.planner import PlanOptions, make_plan

    def route(path: str, name: str, lines: int) -> str:
        body = "".join(f"    total += {i}\n" for i in range(lines))
        return f'@app.get("{path}")\ndef {name}():\n    total = 0\n{body}    return total\n'

    source = "from fastapi import FastAPI\napp = FastAPI()\n" + route("/lore", "lore_page", 80)
    source += route("/lore/detail", "lore_detail", 30) + route("/lore/event", "lore_event", 30)
    plan = make_plan(analyze_source(source, Path("main.py")), PlanOptions(max_lines=60))
    assert plan.placement()["lore_detail"] == Destination.router("lore.detail"), plan.groups
    notes = [w for w in plan.warnings if "alone is" in w]
    assert notes == [
        "main.py:3: `lore_page` alone is 84 lines: routers/lore/__init__.py cannot stay under 60 lines "
        "without cutting it"
    ], plan.warnings


def test_a_module_of_a_router_package_reaches_what_the_package_imports() -> None:
    """Importing routers/lore/map.py first runs routers/lore/__init__.py (df-storyteller's import cycle)."""
    from splitter.planning.endpoint_callers import module_graph, reaches

    lore, lore_map = Destination.router("lore"), Destination.router("lore.map")
    graph = module_graph({1: lore, 2: SHARED, 3: lore_map}, {1: {2}, 2: set(), 3: set()})
    assert reaches(graph, lore_map, SHARED)
    assert reaches(graph, lore, SHARED)
    assert not reaches(graph, SHARED, lore_map)


def test_a_test_reading_the_monoliths_source_text_is_a_plan_warning(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        code("""
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/items")
        def list_items():
            return []
    """)
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_source.py").write_text(
        "import inspect\n\nimport main\n\n\ndef test_decorated():\n    assert '@app.get' in inspect.getsource(main)\n"
    )
    plan = plan_project(load_project(tmp_path / "main.py"))
    warnings = [w for w in plan.warnings if "inspect.getsource" in w]
    assert len(warnings) == 1 and warnings[0].startswith(f"{Path('tests') / 'test_source.py'}:7: ")


def test_a_test_reading_a_function_the_split_rewrites_is_a_plan_warning(tmp_path: Path) -> None:
    # strategyos-mvp: inspect.getsource(api_module._assistant_chat_response) looked for `llm_qa.chat_status(CONFIG)`
    (tmp_path / "main.py").write_text(
        code("""
        from fastapi import FastAPI

        app = FastAPI()
        CONFIG = {"mode": "auto"}


        def describe():
            return CONFIG["mode"]


        def plain():
            return "plain"


        @app.get("/items")
        def list_items():
            return [describe(), plain()]
    """)
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_source.py").write_text(
        code("""
        import inspect

        import main


        def test_sources(monkeypatch):
            monkeypatch.setattr(main, "CONFIG", {"mode": "manual"})
            assert "CONFIG[" in inspect.getsource(main.describe)
            assert "plain" in inspect.getsource(main.plain)
            assert "@app.get" in inspect.getsource(main.list_items)
    """)
    )
    plan = plan_project(load_project(tmp_path / "main.py"))
    test = Path("tests") / "test_source.py"
    warnings = {w.split(":")[1]: w for w in plan.warnings if "inspect.getsource" in w}
    assert sorted(warnings) == ["10", "8"], plan.warnings
    describe, list_items = warnings["8"], warnings["10"]
    assert describe.startswith(f"{test}:8: reads the source text of `main.describe`") and "`CONFIG`" in describe
    assert list_items.startswith(f"{test}:10: reads the source text of `main.list_items`") and "@router" in list_items


def test_a_monoliths_own_router_too_big_for_a_file_is_cut_into_parts_and_the_note_names_its_largest_route() -> None:
    """A monolith's APIRouter moves with its routes: cut in source order into a package's parts; a route bigger than
    a file stays whole, in the package's __init__.py with the router, and the note says so."""
    from splitter.analysis.analyze import analyze_source
    from splitter.planning.planner import PlanOptions, make_plan

    body = "".join(f"    total += {i}\n" for i in range(40))
    source = "from fastapi import APIRouter, FastAPI\napp = FastAPI()\nrpc_router = APIRouter()\n"
    source += '@rpc_router.post("/rpc")\ndef handle_rpc():\n    total = 0\n' + body + "    return total\n"
    source += "".join(f'@rpc_router.get("/rpc/{n}")\ndef {n}():\n    return 1\n' for n in ("ping", "pong", "peng"))
    source += "app.include_router(rpc_router)\n"
    plan = make_plan(analyze_source(source, Path("main.py")), PlanOptions(max_lines=40))
    placement = plan.placement()
    assert placement["rpc_router"] == placement["handle_rpc"] == Destination.router("rpc")
    assert placement["ping"] == placement["peng"] == Destination.router("rpc.part_2")
    notes = [w for w in plan.warnings if "alone is" in w]
    assert notes == [
        "main.py:4: `handle_rpc` alone is 44 lines: routers/rpc/__init__.py cannot stay under 40 lines "
        "without cutting it"
    ], plan.warnings


GLOBAL_TIE = """import os

from fastapi import FastAPI

app = FastAPI()
SESSION = os.environ.get("SESSION", "s")
state = {}


class Engine:
    def __init__(self, session):
        self.session = session


engine = Engine(SESSION)


@app.post("/cluster/detect")
def detect():
    global state
    state = {"k": 1}
    return state


@app.get("/cluster")
def get_cluster():
    return state


@app.get("/runs/engine")
def engine_status():
    return engine.session


def main():
    global SESSION
    SESSION = "x"
    print(state)
"""


def test_a_name_tied_to_a_router_by_global_says_so(tmp_path: Path) -> None:
    """research-agent's server.py: `main()` rebinds TMUX_SESSION_NAME by `global` and reads `cluster_state`,
    which endpoints rebind by `global` too (so it lives in routers/cluster.py); an import-time instance using the
    name cannot import that router. The warning used to say the constant "calls an endpoint". Here `main` binds
    the name with `:=`, which it cannot do through another module, so the name stays tied to it."""
    (tmp_path / "main.py").write_text(GLOBAL_TIE.replace('SESSION = "x"', '(SESSION := "x")'))
    _, plan = plan_for(tmp_path / "main.py")
    (warning,) = [w for w in plan.warnings if "`engine` stays in main.py" in w]
    assert (
        "uses `SESSION`, which moves with `main`, whose `global` statement rebinds it, and `main` uses `state`, "
        "which lives in routers.cluster beside the endpoints that use it"
    ) in warning
    (kept,) = [w for w in plan.warnings if "`SESSION` stays with `main` (routers.cluster), which rebinds it" in w]
    assert kept.startswith(f"{tmp_path / 'main.py'}:35:") and "line 37 binds it with an assignment expression" in kept


def test_a_name_a_cli_main_rebinds_moves_apart_from_it_as_a_seam(tmp_path: Path) -> None:
    """The same monolith with a plain assignment in `main()`: keeping `SESSION` beside `main` pinned the
    import-time `engine` (and everything using it) in main.py. The name moves to core as a seam; `main` lives beside
    the state it reads and assigns `core.SESSION`, which the plan says."""
    (tmp_path / "main.py").write_text(GLOBAL_TIE)
    _, plan = plan_for(tmp_path / "main.py")
    placement = plan.placement()
    assert placement["SESSION"] == placement["engine"] == CORE
    assert placement["main"] == Destination.router("cluster")
    assert "SESSION" in plan.seams
    assert not [w for w in plan.warnings if "stays in main.py" in w]
    (note,) = [w for w in plan.warnings if "`main` rebinds `SESSION` with `global`" in w]
    assert note.startswith(f"{tmp_path / 'main.py'}:35:") and "through core (`core.SESSION = ...`)" in note


def test_a_helper_reading_dunder_file_follows_an_endpoint_caller_into_the_router(tmp_path: Path) -> None:
    # fixtures/regressions/endpoint_caller_user_reading_dunder_file.py, from research-agent's launch_run_in_tmux,
    # with `main` binding the name by `:=`: it cannot live apart from it, so the name lives in the router
    source = (REPO / "fixtures/regressions/endpoint_caller_user_reading_dunder_file.py").read_text()
    (tmp_path / "server.py").write_text(source.replace('SESSION = "cli"', '(SESSION := "cli")'))
    _, plan = plan_for(tmp_path / "server.py")
    placement = plan.placement()
    assert placement["launch"] == Destination.router("cluster")  # reads core.__file__ there
    assert MAIN not in (placement["create_run"], placement["start_sweep"])
    assert placement["engine"] == MAIN  # an instance built at import time cannot import the router


def test_functions_using_the_app_at_call_time_share_one_note_naming_each_line(tmp_path: Path) -> None:
    plan = plan_source(
        tmp_path,
        """
        @app.get("/state")
        def read_state():
            return {"visits": app.state.visits}


        @app.get("/users")
        def list_users():
            return app.state.users


        @app.get("/users/{uid}")
        def get_user(uid: int):
            return app.state.users[uid]
    """,
    )
    noted = [w for w in plan.warnings if "core.app" in w]
    assert len(noted) == 1, plan.warnings
    source = (tmp_path / "main.py").read_text().splitlines()
    routes = ('@app.get("/state")', '@app.get("/users")', '@app.get("/users/{uid}")')
    lines = [n for n, text in enumerate(source, 1) if text.startswith(routes)]
    named = zip(("read_state", "list_users", "get_user"), lines, strict=True)
    assert noted[0].endswith(": " + ", ".join(f"`{name}` (line {line})" for name, line in named))


@pytest.mark.parametrize("page_break", [pytest.param("", id="plain"), pytest.param("\f\n", id="form feed line")])
def test_a_statement_preparing_later_imports_stays_whatever_page_breaks_come_before_it(
    tmp_path: Path, page_break: str
) -> None:
    # Python numbers lines at \n only; `str.splitlines` also cuts at a form feed (Emacs page breaks between
    # sections), which shifted every statement's text by a line and hid `os.environ` from the check
    main = tmp_path / "main.py"
    main.write_text(
        "import os\n"
        f"{page_break}"
        "# the settings module reads MODE when imported\n"
        "os.environ.setdefault('MODE', 'test')\n"
        "from settings import MODE\n"
        "from fastapi import FastAPI\n\n"
        "app = FastAPI()\n\n\n"
        "@app.get('/mode')\n"
        "def mode():\n"
        "    return MODE\n"
    )
    (tmp_path / "settings.py").write_text("import os\n\nMODE = os.environ['MODE']\n")
    project, plan = plan_for(main)
    environ_line = 3 if not page_break else 4
    preparers = environment_preparers(project.analysis)
    assert {project.analysis.units[i].first_line for i in preparers} == {environ_line}
    assert plan.placement()[f"@{environ_line}"] == CORE  # at the top of core.py, above the imports below it


def test_a_statement_binding_nothing_goes_to_core_which_main_imports(tmp_path: Path) -> None:
    # in services/shared.py (where a statement nothing uses went) no module imported it: it never ran
    plan = plan_source(
        tmp_path,
        """
        WORKER = make_worker()
        WORKER.conf.eager = True


        @app.get("/users")
        def list_users():
            return WORKER.run("users")


        @app.get("/items")
        def list_items():
            return WORKER.run("items")
    """,
    )
    placement = plan.placement()
    assert placement["WORKER"] == CORE
    assert placement["@7"] == CORE


def test_warnings_name_the_monolith_by_its_own_file_name(tmp_path: Path) -> None:
    """The slim module keeps the monolith's name: a plan for server.py says what stays in server.py."""
    source = code(
        """
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/users")
        def list_users():
            return []


        for _path in ["/a", "/b"]:
            app.add_api_route(_path, list_users)
        """
    )
    (tmp_path / "server.py").write_text(source)
    _, plan = plan_for(tmp_path / "server.py")
    assert any("stays in server.py" in w for w in plan.warnings), plan.warnings
    assert not any("main.py" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("warning", "expected"),
    [
        pytest.param("x.py:3: `a` stays in main.py: why", "x.py:3: `a` stays in server.py: why", id="the word"),
        pytest.param("app/main.py:3: reads it", "app/main.py:3: reads it", id="a path"),
        pytest.param("main.py:12: a launcher", "main.py:12: a launcher", id="another file's line"),
    ],
)
def test_only_the_word_main_py_is_renamed(warning: str, expected: str) -> None:
    assert named_as_the_monolith([warning], Path("pkg/server.py")) == [expected]
    assert named_as_the_monolith([warning], Path("pkg/main.py")) == [warning]
