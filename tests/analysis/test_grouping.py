"""Grouping on small synthetic route tables: which endpoints share a router, what the groups are called, and
why (the plan explains itself). One rule per case; see src/splitter/group_assign.py."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from splitter.planning.group_assign import GroupAssigner, GroupingInput
from splitter.analysis.path_keys import DEFAULT_SKIP_SEGMENTS
from splitter.planning.plan_io import plan_from_json, plan_to_json
from splitter.planning.project import load_project, plan_project


def route(path: str, uses: str = "", lines: int = 10, function: str = "") -> tuple[str, frozenset[str], int, str]:
    return path, frozenset(uses.split()), lines, function


def groups_for(routes: list[tuple], min_endpoints: int = 2, max_lines: int = 500, overrides=None) -> dict:
    """{group: [paths]} for a route table of (path, uses, lines, function)."""
    members = [
        GroupingInput(i, [path], [function or f"f{i}"], lines, i * 20, uses)
        for i, (path, uses, lines, function) in enumerate(routes)
    ]
    grouping = GroupAssigner(members, DEFAULT_SKIP_SEGMENTS, max_lines, min_endpoints, overrides).run()
    result: dict[str, list[str]] = {}
    for block, group in sorted(grouping.group_of.items()):
        result.setdefault(group, []).append(routes[block][0])
    return result


CASES = [
    pytest.param(
        [route("/songs/upload"), route("/song/{id}"), route("/song/{id}/meta")],
        {"song": ["/songs/upload", "/song/{id}", "/song/{id}/meta"]},
        id="plural-and-singular-are-one-resource",
    ),
    pytest.param(
        [route("/people"), route("/api/people/{id}"), route("/api/v1/people")],
        {"people": ["/people", "/api/people/{id}", "/api/v1/people"]},
        id="html-page-sits-with-the-api-it-renders",
    ),
    pytest.param(
        [route("/"), route("/healthz"), route("/api/version"), route("/robots.txt"), route("/metrics")],
        {"system": ["/", "/healthz", "/api/version", "/robots.txt", "/metrics"]},
        id="health-version-root-and-top-level-files-form-one-system-router",
    ),
    pytest.param(
        [route("/login"), route("/logout"), route("/register"), route("/api/auth/token")],
        {"auth": ["/login", "/logout", "/register", "/api/auth/token"]},
        id="sign-in-paths-form-one-auth-router",
    ),
    pytest.param(
        [
            route("/orders", "OrderRepo get_db"),
            route("/orders/{id}", "OrderRepo get_db"),
            route("/invoices/{id}", "OrderRepo get_db"),
            route("/users", "UserRepo get_db"),
            route("/users/{id}", "UserRepo get_db"),
        ],
        {"orders": ["/orders", "/orders/{id}", "/invoices/{id}"], "users": ["/users", "/users/{id}"]},
        id="single-endpoint-joins-the-group-sharing-its-specific-helper-not-the-ubiquitous-one",
    ),
    pytest.param(
        [
            route("/artists/raw"),
            route("/artist-aliases"),
            route("/artist-aliases/{id}"),
            route("/loops"),
            route("/loops/{id}"),
        ],
        {
            "artist-aliases": ["/artists/raw", "/artist-aliases", "/artist-aliases/{id}"],
            "loops": ["/loops", "/loops/{id}"],
        },
        id="single-endpoint-joins-the-group-whose-name-it-shares",
    ),
    pytest.param(
        [
            route("/tags", "db"),
            route("/favorites/toggle", "db"),
            route("/saved", "db"),
            route("/loops", "x"),
            route("/loops/{id}", "x"),
        ],
        {"misc": ["/tags", "/favorites/toggle", "/saved"], "loops": ["/loops", "/loops/{id}"]},
        id="unrelated-single-endpoints-batch-into-one-router-not-one-file-each",
    ),
    pytest.param(
        [route("/wanted", "db"), route("/loops", "db x"), route("/loops/{id}", "db x")],
        {"loops": ["/wanted", "/loops", "/loops/{id}"]},
        id="a-lone-unrelated-endpoint-joins-the-group-it-shares-anything-with",
    ),
    pytest.param(
        [route("/a"), route("/a/{id}"), route("/b"), route("/b/{id}")],
        {"a": ["/a", "/a/{id}"], "b": ["/b", "/b/{id}"]},
        id="two-endpoint-resources-keep-their-router",
    ),
]


CASES += [
    pytest.param(
        [
            route("/user-profiles"),
            route("/user-profiles/{id}"),
            route("/device-profiles"),
            route("/device-profiles/{id}"),
        ],
        {"profiles": ["/user-profiles", "/user-profiles/{id}", "/device-profiles", "/device-profiles/{id}"]},
        id="sibling-resources-named-by-one-noun-share-a-router",
    ),
    pytest.param(
        [route("/audit"), route("/audit/{id}"), route("/self-audit/run"), route("/self-audit/reports")],
        {"audit": ["/audit", "/audit/{id}", "/self-audit/run", "/self-audit/reports"]},
        id="siblings-join-the-bare-noun",
    ),
    pytest.param(
        [route("/ws", "manager", lines=300), route("/chat", "manager"), route("/chat/{id}", "manager")],
        {"ws": ["/ws"], "chat": ["/chat", "/chat/{id}"]},
        id="one-endpoint-of-half-a-file-keeps-its-own-module",
    ),
]


@pytest.mark.parametrize(("routes", "expected"), CASES)
def test_groups(routes: list[tuple], expected: dict[str, list[str]]) -> None:
    assert groups_for(routes) == expected


def test_large_group_splits_by_sub_resource_and_never_into_one_route_modules() -> None:
    routes = [
        route("/song/{id}", lines=150),
        route("/song/{id}/user-meta", lines=100),
        route("/song/{id}/art", lines=200),
        route("/song/{id}/art/upload", lines=200),
        route("/song/{id}/meta", lines=40),  # one small route: not worth a module of its own
    ]
    assert groups_for(routes, max_lines=500) == {
        "song": ["/song/{id}", "/song/{id}/user-meta", "/song/{id}/meta"],
        "song/art": ["/song/{id}/art", "/song/{id}/art/upload"],
    }


def test_a_package_module_still_too_big_is_cut_by_its_next_segment_into_modules_of_the_same_package() -> None:
    routes = [
        route("/admin", lines=100),
        route("/admin/users", lines=100),
        route("/admin/events", lines=100),
        route("/admin/events/{id}", lines=100),
        route("/admin/events/{id}/rooms", lines=150),
        route("/admin/events/{id}/rooms/{room}", lines=150),
        route("/admin/events/{id}/rooms/{room}/edit", lines=150),
    ]
    assert groups_for(routes, max_lines=500) == {  # a budget of 400 lines per module
        "admin": ["/admin", "/admin/users"],
        "admin/events": ["/admin/events", "/admin/events/{id}"],
        "admin/rooms": [
            "/admin/events/{id}/rooms",
            "/admin/events/{id}/rooms/{room}",
            "/admin/events/{id}/rooms/{room}/edit",
        ],
    }


def test_a_group_of_one_sub_resource_over_the_budget_is_left_whole_and_keeps_its_name() -> None:
    routes = [route("/ws/highway/{id}", "manager", lines=900), route("/chat", "manager"), route("/chat/{id}")]
    assert groups_for(routes, max_lines=500)["ws"] == ["/ws/highway/{id}"]


def test_many_small_one_route_sub_resources_are_cut_into_runs_of_neighbours_not_one_module_each() -> None:
    names = ["cointime", "nupl", "sopr", "puell", "mvrv", "hodl", "rhodl", "nvt", "thermo"]
    routes = [route("/api/metrics")] + [route(f"/api/metrics/{n}", lines=120) for n in names]
    groups = groups_for(routes, max_lines=500)  # 1090 lines: a budget of 400 per module
    assert sorted(groups) == ["metrics", "metrics/puell", "metrics/rhodl"]
    assert groups["metrics"] == ["/api/metrics"] + [f"/api/metrics/{n}" for n in names[:3]]
    assert groups["metrics/puell"] == [f"/api/metrics/{n}" for n in names[3:6]]
    assert groups["metrics/rhodl"] == [f"/api/metrics/{n}" for n in names[6:]]


@pytest.mark.parametrize(
    "trailing",
    [
        pytest.param(["e"], id="two-runs"),  # df-storyteller's lore pages: IndexError, no plan at all
        pytest.param(["e", "f", "g"], id="three-runs"),  # the first run was silently left in the group
    ],
)
def test_one_trailing_route_joins_the_run_before_it_however_many_runs(trailing: list[str]) -> None:
    """Every sub-resource here is one route under half the budget, so the group (over 500 lines) is cut into runs
    of neighbours; a last run of one route small enough to fit joins the run before it instead of a module."""
    sizes = {"a": 190, "b": 190, "c": 180, "d": 180}
    if len(trailing) > 1:
        sizes |= {"e": 190, "f": 180}
    sizes[trailing[-1]] = 120  # the last run and it: 490 lines, and a header under 10 lines
    routes = [route("/lore")] + [route(f"/lore/{s}", lines=n) for s, n in sizes.items()]
    groups = groups_for(routes, max_lines=500)  # a budget of 400 per module, 500 at most
    assert groups["lore"] == ["/lore", "/lore/a", "/lore/b"]
    assert groups["lore/c"] == ["/lore/c", "/lore/d"] + (["/lore/e"] if len(trailing) == 1 else [])
    if len(trailing) > 1:
        assert groups["lore/e"] == ["/lore/e", "/lore/f", "/lore/g"]
    assert sorted(groups) == (["lore", "lore/c"] if len(trailing) == 1 else ["lore", "lore/c", "lore/e"])


def test_a_sub_resource_still_over_max_lines_is_cut_into_runs_of_its_endpoints_in_source_order() -> None:
    """codeframe's /api/projects/{id}/checkpoints: six endpoints, 600 lines, split off `projects` as one module of
    614 lines. A module over max_lines after the sub-resource split is cut again, neighbours together, by its
    next path segment where it has one (a module of the same package, named by the segment, not numbered)."""
    checkpoints = [("", 76), ("", 103), ("/{cid}", 74), ("/{cid}", 69), ("/{cid}/restore", 113), ("/{cid}/diff", 164)]
    routes = [route("/api/projects", lines=150), route("/api/projects/{id}/agents", lines=150)]
    routes += [
        route(f"/api/projects/{{id}}/checkpoints{tail}", lines=n, function=f"c{i}")
        for i, (tail, n) in enumerate(checkpoints)
    ]
    groups = groups_for(routes, max_lines=500)  # a budget of 400 per module, 500 at most
    first = [f"/api/projects/{{id}}/checkpoints{tail}" for tail, _ in checkpoints[:4]]
    rest = [f"/api/projects/{{id}}/checkpoints{tail}" for tail, _ in checkpoints[4:]]
    assert groups["projects/checkpoints"] == first  # 322 lines
    assert groups["projects/restore"] == rest  # 277 lines: its next path segments (`restore`, `diff`) name it
    assert groups["projects"] == ["/api/projects", "/api/projects/{id}/agents"]
    assert len(groups) == 3


@pytest.mark.parametrize(
    ("names", "cut"), [pytest.param(70, True, id="many-imports"), pytest.param(5, False, id="few-imports")]
)
def test_a_module_under_max_lines_but_over_it_with_its_imports_is_cut(names: int, cut: bool) -> None:
    """superdesigndev/treg's `calls`: three endpoints, 483 lines (one of them 385), under max_lines; they read 70
    names of other modules, and the router written was 559 lines, 68 of them imports. Counting a line per name
    read, the module is cut into runs; a group reading few names stays whole."""
    uses = " ".join(f"n{i}" for i in range(names))
    routes = [route("/calls", uses, 60), route("/calls/{ref}", uses, 38), route("/call/{rest}", uses, 385)]
    groups = groups_for(routes, max_lines=500)  # a budget of 400 per module, 500 at most
    if cut:
        assert groups == {"calls": ["/calls", "/calls/{ref}"], "calls_2": ["/call/{rest}"]}
    else:
        assert groups == {"calls": ["/calls", "/calls/{ref}", "/call/{rest}"]}


def test_metadata_segments_are_system_unless_the_app_has_them_as_a_resource() -> None:
    routes = [route("/version"), route("/metrics"), route("/api/metrics/cointime"), route("/api/metrics/sopr")]
    assert groups_for(routes) == {
        "system": ["/version"],
        "metrics": ["/metrics", "/api/metrics/cointime", "/api/metrics/sopr"],
    }
    assert groups_for([route("/metrics"), route("/healthz")]) == {"system": ["/metrics", "/healthz"]}


def test_group_that_fits_is_not_split() -> None:
    routes = [route("/song/{id}", lines=100), route("/song/{id}/art", lines=100), route("/song/{id}/meta", lines=100)]
    assert groups_for(routes, max_lines=500) == {"song": [r[0] for r in routes]}


def test_overrides_pin_endpoints_by_path_prefix_or_function_and_are_never_merged() -> None:
    routes = [
        route("/orders", "repo"),
        route("/orders/{id}", "repo"),
        route("/orders/{id}/invoice", "repo"),
        route("/refunds", "repo", function="refund_order"),
    ]
    overrides = {"billing": ["/orders/{id}/invoice", "refund_order"]}
    assert groups_for(routes, overrides=overrides) == {
        "orders": ["/orders", "/orders/{id}"],
        "billing": ["/orders/{id}/invoice", "/refunds"],
    }


MONOLITH = """
from fastapi import FastAPI

app = FastAPI()


def order_repo():
    return {}


@app.get("/orders")
def list_orders():
    return order_repo()


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    return order_repo()


@app.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: int):
    return order_repo()


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.get("/")
def index():
    return {}
"""


def test_plan_explains_each_group_in_the_json_and_the_report(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(textwrap.dedent(MONOLITH).lstrip(), encoding="utf-8")
    project = load_project(tmp_path / "main.py")
    plan = plan_project(project)
    groups = {g.name: g for g in plan.groups}
    assert set(groups) == {"orders", "system"}
    why = " | ".join(groups["orders"].why)
    assert "resource `orders`" in why and "`invoices`" in why and "`order_repo`" in why
    assert plan_from_json(json.loads(json.dumps(plan_to_json(plan)))).groups[0].why == plan.groups[0].why
    from typer.testing import CliRunner

    from splitter.cli import app

    report = CliRunner().invoke(app, ["plan", str(tmp_path / "main.py")], env={"COLUMNS": "400"})
    assert report.exit_code == 0, report.output
    assert "`invoices`" in report.output and "health checks" in report.output


# --- [tool.splitter] in pyproject.toml ------------------------------------------------------------------------


def write_project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'shop'\n\n{table}", encoding="utf-8")
    main = tmp_path / "main.py"
    main.write_text(textwrap.dedent(MONOLITH).lstrip(), encoding="utf-8")
    return main


def test_pyproject_settings_drive_the_plan_when_no_options_are_given(tmp_path: Path) -> None:
    main = write_project(
        tmp_path,
        '[tool.splitter]\nmax_lines = 300\nmin_endpoints = 1\n\n[tool.splitter.groups]\nbilling = ["/invoices"]\n',
    )
    plan = plan_project(load_project(main))  # what `apply` without --plan does, wave after wave
    groups = {g.name: [e.path for e in g.endpoints] for g in plan.groups}
    assert groups["billing"] == ["/invoices/{invoice_id}"]
    assert "/invoices/{invoice_id}" not in groups["orders"]
    assert plan.settings["max_lines"] == 300 and plan.settings["groups"] == {"billing": ["/invoices"]}


def test_command_line_options_win_over_pyproject(tmp_path: Path) -> None:
    from splitter.planning.settings import plan_options, read_settings

    main = write_project(tmp_path, '[tool.splitter]\nmax_lines = 300\nskip_segments = ["rest"]\n')
    table, found = read_settings(main, tmp_path)
    assert found == tmp_path / "pyproject.toml"
    options = plan_options(table, max_lines=800, skip_segments=["internal2"])
    assert options.max_lines == 800 and options.main_max_lines == 200
    assert options.skip_segments[-2:] == ("rest", "internal2")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param("[tool.splitter]\nmax_line = 300\n", "no option 'max_line'", id="typo-in-an-option"),
        pytest.param("[tool.splitter]\nmax_lines = 'big'\n", "max_lines must be a positive integer", id="not-int"),
        pytest.param("[tool.splitter.groups]\nclass = ['/x']\n", "not a valid Python identifier", id="bad-name"),
        pytest.param("[tool.splitter.groups]\nbilling = '/x'\n", "billing must be a list", id="not-a-list"),
        pytest.param("[tool.splitter\n", "not valid TOML", id="broken-toml"),
    ],
)
def test_bad_pyproject_settings_fail_with_one_line_and_write_nothing(tmp_path: Path, table: str, message: str) -> None:
    from typer.testing import CliRunner

    from splitter.cli import app

    main = write_project(tmp_path, table)
    result = CliRunner().invoke(app, ["plan", str(main), "--out", str(tmp_path / "plan.json")])
    assert result.exit_code == 2
    output = result.output.strip()
    assert message in output and "pyproject.toml" in output and len(output.splitlines()) == 1
    assert not (tmp_path / "plan.json").exists()


@pytest.mark.parametrize(
    ("pyproject", "table"),
    [
        pytest.param("[tool.ruff]\nline-length = 100\n", {}, id="other-tools-only"),
        pytest.param("[tool.ruff\n", {}, id="broken-but-not-ours"),  # ruff's to report, not a reason to stop planning
        pytest.param("[tool]\nsplitter.max_lines = 300\n", {"max_lines": 300}, id="dotted-key"),
        pytest.param("[tool]\nsplitter = { max_lines = 300 }\n", {"max_lines": 300}, id="inline-table"),
    ],
)
def test_settings_are_read_from_every_spelling_of_the_table(tmp_path: Path, pyproject: str, table: dict) -> None:
    from splitter.planning.settings import read_settings

    main = write_project(tmp_path, pyproject)
    assert read_settings(main, tmp_path) == (table, tmp_path / "pyproject.toml")
