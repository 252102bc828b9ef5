"""compare(): each kind of difference and its severity, on snapshots of real (in-process) apps."""

from __future__ import annotations

import json

import pytest
from verification_support import CREATE_ITEM, ITEM_BY_ID, ITEMS_ME, MONOLITH, SPLIT, USERS, app_source

from splitter.errors import SplitterError
from splitter.verification.compare import compare
from splitter.verification.findings import BREAKING, COSMETIC, NON_BREAKING, Finding, Report


def kinds(report: Report, severity: str | None = None) -> set[str]:
    return {f.kind for f in report.findings if severity is None or f.severity == severity}


def test_identical_apps_have_zero_findings(snap):
    report = compare(snap(MONOLITH), snap(MONOLITH))
    assert report.findings == []
    assert not report.has_breaking
    assert report.to_text() == "verify: no differences\n"


def test_correct_split_into_routers_is_only_cosmetic(snap):
    report = compare(snap(MONOLITH), snap(SPLIT))
    assert not report.has_breaking
    assert report.of_severity(NON_BREAKING) == []
    # /users moved behind /items: the OpenAPI paths object lists them in another order
    assert kinds(report) == {"key-order-changed"}


def test_dropped_route_is_breaking(snap):
    report = compare(snap(MONOLITH), snap(app_source(ITEMS_ME, ITEM_BY_ID, CREATE_ITEM)))
    assert report.has_breaking
    assert Finding("route-removed", BREAKING, "route removed", "GET /users") in report.findings
    assert Finding("path-removed", BREAKING, "path removed (GET)", "/users") in report.findings


def test_added_route_is_breaking_in_route_table_and_non_breaking_in_openapi(snap):
    report = compare(snap(app_source(ITEMS_ME, ITEM_BY_ID)), snap(app_source(ITEMS_ME, ITEM_BY_ID, USERS)))
    assert kinds(report, BREAKING) == {"route-added"}
    assert kinds(report, NON_BREAKING) == {"path-added"}


def test_reordering_overlapping_routes_names_both_routes(snap):
    before = snap(app_source(ITEMS_ME, ITEM_BY_ID, USERS))
    after = snap(app_source(ITEM_BY_ID, ITEMS_ME, USERS))
    report = compare(before, after)
    order = [f for f in report.findings if f.kind == "route-order-changed"]
    assert len(order) == 1
    assert order[0].severity == BREAKING
    assert order[0].location == "GET /items/me / GET /items/{item_id}"
    assert "GET /items/me was matched before GET /items/{item_id}" in order[0].message


def test_reordering_non_overlapping_routes_is_not_a_finding(snap):
    before = snap(app_source(ITEMS_ME, USERS, CREATE_ITEM))
    after = snap(app_source(USERS, CREATE_ITEM, ITEMS_ME))
    report = compare(before, after)
    assert not report.has_breaking
    assert kinds(report) == {"key-order-changed"}


def test_same_paths_with_disjoint_methods_may_swap(snap):
    post_by_id = """
    @app.post("/items/{item_id}")
    def replace_item(item_id: int):
        return {}
    """
    report = compare(snap(app_source(ITEMS_ME, post_by_id)), snap(app_source(post_by_id, ITEMS_ME)))
    assert "route-order-changed" not in kinds(report)


def mounted_api(*routes: str) -> str:
    """An outer app serving nothing but a sub-application, `v1`, mounted at /api/v1 (pingpong's layout)."""
    snippets = [route.replace("@app.", "@v1.") for route in routes]
    return app_source(*snippets, app_line="v1 = FastAPI()", tail='app = FastAPI()\napp.mount("/api/v1", v1)\n')


def test_a_route_dropped_from_a_mounted_application_is_breaking(snap):
    """A split that moves a sub-application's routes is checked on them, not on the mount alone."""
    report = compare(snap(mounted_api(ITEMS_ME, USERS)), snap(mounted_api(ITEMS_ME)))
    assert report.has_breaking
    assert Finding("route-removed", BREAKING, "route removed", "MOUNT /api/v1 GET /users") in report.findings
    assert Finding("path-removed", BREAKING, "path removed (GET)", "MOUNT /api/v1 /users") in report.findings


def test_a_mounted_application_unchanged_has_no_findings(snap):
    assert compare(snap(mounted_api(ITEMS_ME, USERS)), snap(mounted_api(ITEMS_ME, USERS))).findings == []


def test_routes_swapped_in_a_mounted_application_are_breaking(snap):
    report = compare(snap(mounted_api(ITEMS_ME, ITEM_BY_ID)), snap(mounted_api(ITEM_BY_ID, ITEMS_ME)))
    order = [f for f in report.findings if f.kind == "route-order-changed"]
    assert [f.location for f in order] == ["MOUNT /api/v1 GET /items/me / GET /items/{item_id}"]


def test_reordering_overlapping_mount_and_route_is_breaking(snap):
    mount = 'from starlette.applications import Starlette\napp.mount("/items", Starlette())\n'
    report = compare(snap(app_source(ITEMS_ME, tail=mount)), snap(app_source(tail=mount + ITEMS_ME)))
    assert kinds(report, BREAKING) == {"route-order-changed"}


MIDDLEWARE_A = "app.add_middleware(GZipMiddleware, minimum_size=10)\n"
MIDDLEWARE_B = "app.add_middleware(CORSMiddleware, allow_origins=['*'])\n"


def test_reordered_middleware_is_breaking(snap):
    report = compare(
        snap(app_source(ITEMS_ME, tail=MIDDLEWARE_A + MIDDLEWARE_B)),
        snap(app_source(ITEMS_ME, tail=MIDDLEWARE_B + MIDDLEWARE_A)),
    )
    assert kinds(report) == {"middleware-order-changed"}
    assert report.has_breaking


def test_removed_or_reconfigured_middleware_is_breaking(snap):
    removed = compare(snap(app_source(tail=MIDDLEWARE_A + MIDDLEWARE_B)), snap(app_source(tail=MIDDLEWARE_A)))
    assert kinds(removed) == {"middleware-changed"}
    reconfigured = compare(
        snap(app_source(tail=MIDDLEWARE_A)),
        snap(app_source(tail=MIDDLEWARE_A.replace("10", "20"))),
    )
    assert kinds(reconfigured, BREAKING) == {"middleware-changed"}


def test_changed_response_model_is_breaking(snap):
    summary_by_id = ITEM_BY_ID.replace("response_model=Item", "response_model=ItemSummary")
    report = compare(snap(app_source(ITEM_BY_ID)), snap(app_source(summary_by_id)))
    assert "response-model-changed" in kinds(report, BREAKING)
    route_changes = [f for f in report.findings if f.kind == "route-changed"]
    assert [f.message for f in route_changes] == ["response_model 'Item' -> 'ItemSummary'"]


def test_changed_status_code_is_breaking(snap):
    report = compare(snap(app_source(CREATE_ITEM)), snap(app_source(CREATE_ITEM.replace("201", "200"))))
    assert {"response-status-removed", "route-changed"} <= kinds(report, BREAKING)


def test_changed_dependency_is_breaking(snap):
    without_user = ITEMS_ME.replace("user=Depends(current_user)", "db=Depends(get_db)")
    report = compare(snap(app_source(ITEMS_ME)), snap(app_source(without_user)))
    messages = [f.message for f in report.findings if f.kind == "route-changed"]
    assert messages == ["dependencies ['current_user', 'get_db'] -> ['get_db']"]


HANDLER = """
@app.exception_handler(ValueError)
async def on_value_error(request, exc):
    return None
"""


def test_removed_exception_handler_is_breaking(snap):
    report = compare(snap(app_source(ITEMS_ME, tail=HANDLER)), snap(app_source(ITEMS_ME)))
    assert report.findings == [
        Finding(
            "exception-handler-removed",
            BREAKING,
            "handler on_value_error removed",
            "exception_handlers[ValueError]",
        )
    ]


def test_startup_and_lifespan_changes_are_breaking(snap):
    startup = '@app.on_event("startup")\nasync def connect():\n    pass\n'
    assert kinds(compare(snap(app_source(tail=startup)), snap(app_source()))) == {"startup-handlers-changed"}
    with_lifespan = """
@asynccontextmanager
async def lifespan(app):
    yield

app = FastAPI(lifespan=lifespan)
"""
    report = compare(snap(app_source()), snap(app_source(app_line=with_lifespan)))
    assert kinds(report) == {"lifespan-changed"}


def _with_query(parameter: str) -> str:
    return f"""
    @app.get("/search")
    def search({parameter}):
        return []
    """


def test_parameter_classification(snap):
    base = snap(app_source(_with_query("q: str")))
    optional_added = compare(base, snap(app_source(_with_query("q: str, limit: int = 10"))))
    assert kinds(optional_added) == {"optional-parameter-added"}
    assert not optional_added.has_breaking
    required_added = compare(base, snap(app_source(_with_query("q: str, limit: int"))))
    assert kinds(required_added, BREAKING) == {"required-parameter-added"}
    now_optional = compare(base, snap(app_source(_with_query("q: str = ''"))))
    assert "parameter-required-changed" in kinds(now_optional, BREAKING)
    removed = compare(base, snap(app_source(_with_query(""))))
    assert "parameter-removed" in kinds(removed, BREAKING)


def test_summary_and_description_changes_are_cosmetic(snap):
    documented = ITEMS_ME.replace(
        "response_model=Item)", 'response_model=Item, summary="Mine", description="Your own item")'
    )
    report = compare(snap(app_source(ITEMS_ME)), snap(app_source(documented)))
    assert report.findings
    assert {f.severity for f in report.findings} == {COSMETIC}


def test_field_named_description_is_not_mistaken_for_documentation(snap):
    model = "class Note(BaseModel):\n    description: str\n"
    endpoint = '@app.get("/note", response_model=Note)\ndef note():\n    return {}\n'
    renamed = model.replace("description: str", "description: int")
    report = compare(snap(app_source(tail=model + endpoint)), snap(app_source(tail=renamed + endpoint)))
    assert "response-model-changed" in kinds(report, BREAKING)


TAGGED_ITEMS_ME = ITEMS_ME.replace("response_model=Item)", 'response_model=Item, tags=["items"])')


def test_tag_additions_are_non_breaking_by_default(snap):
    report = compare(snap(app_source(ITEMS_ME, USERS)), snap(app_source(TAGGED_ITEMS_ME, USERS)))
    assert kinds(report) == {"tags-added"}
    assert [f.severity for f in report.findings] == [NON_BREAKING]


def test_tag_additions_are_cosmetic_only_with_the_flag(snap):
    before, after = snap(app_source(ITEMS_ME, USERS)), snap(app_source(TAGGED_ITEMS_ME, USERS))
    report = compare(before, after, allowed_tag_additions=True)
    assert report.findings == [
        Finding("tags-added", COSMETIC, "tags added: items (intended: tags opted in)", "GET /items/me")
    ]
    # the flag covers additions only: removing a tag is still reported as a change
    reverse = compare(after, before, allowed_tag_additions=True)
    assert [(f.kind, f.severity) for f in reverse.findings] == [("tags-removed", NON_BREAKING)]


def test_report_renders_text_and_json(snap):
    report = compare(snap(MONOLITH), snap(app_source(ITEM_BY_ID, ITEMS_ME, USERS, CREATE_ITEM)))
    text = report.to_text()
    assert text.startswith("verify: 1 breaking, 0 non-breaking, 1 cosmetic\n")
    assert "route-order-changed" in text
    data = json.loads(report.to_json())
    assert data["has_breaking"] is True
    assert data["counts"] == {"breaking": 1, "non-breaking": 0, "cosmetic": 1}
    assert {f["kind"] for f in data["findings"]} == {"route-order-changed", "key-order-changed"}


def test_snapshots_of_different_formats_are_refused(snap):
    before = snap(MONOLITH)
    with pytest.raises(SplitterError, match="snapshot formats differ"):
        compare(before, {**before, "format": 999})


def test_unknown_finding_severity_is_rejected():
    with pytest.raises(ValueError):
        Finding("x", "serious", "m", "l")


TIMED_ROUTE = """
from fastapi.routing import APIRoute


class TimedRoute(APIRoute):
    pass


app.router.route_class = TimedRoute
"""


def test_a_lost_route_class_is_breaking_though_openapi_is_the_same(snap):
    report = compare(snap(app_source(TIMED_ROUTE, ITEMS_ME)), snap(app_source(ITEMS_ME)))
    assert kinds(report, BREAKING) == {"route-changed"}
    assert any("route_class 'TimedRoute' -> 'APIRoute'" in f.message for f in report.findings)
