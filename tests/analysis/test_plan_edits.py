"""A hand-edited plan is honoured: renamed, moved and merged groups, helpers following the endpoints moved,
and a wrong name in the edit named without being told to plan again (which would discard the edits)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.errors import SplitterError
from splitter.planning.plan_io import Endpoint, Group, Plan, plan_from_json
from splitter.planning.project import load_project, plan_project
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot

MONOLITH = """
from fastapi import FastAPI

app = FastAPI()


def order_repo():
    return {}


def invoice_pdf(order_id):
    return {"pdf": order_id}


class UserOut:
    name = "x"


@app.get("/orders")
def list_orders():
    return order_repo()


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    return order_repo()


@app.get("/orders/{order_id}/invoice")
def get_invoice(order_id: int):
    return invoice_pdf(order_id)


@app.get("/users")
def list_users():
    return [UserOut.name]


@app.get("/users/{user_id}")
def get_user(user_id: int):
    return UserOut.name
"""


@pytest.fixture
def planned(tmp_path: Path) -> tuple[Path, Plan]:
    main = tmp_path / "main.py"
    main.write_text(textwrap.dedent(MONOLITH).lstrip(), encoding="utf-8")
    plan = plan_project(load_project(main))
    groups = {g.name: g for g in plan.groups}
    assert set(groups) == {"orders", "users"}
    assert "invoice_pdf" in groups["orders"].service_symbols and "UserOut" in groups["users"].service_symbols
    return main, plan


def files_of(main: Path, plan: Plan) -> dict[str, str]:
    result = apply_split(main, plan, ApplyOptions(dry_run=True))
    return {str(p.relative_to(main.parent)): text for p, text in result.changes.items()}


def take(plan: Plan, function: str) -> Endpoint:
    for group in plan.groups:
        for endpoint in group.endpoints:
            if endpoint.function == function:
                group.endpoints.remove(endpoint)
                return endpoint
    raise AssertionError(function)


def test_moved_endpoint_takes_its_exclusive_helper_and_a_renamed_group_keeps_its_own(planned) -> None:
    main, plan = planned
    plan.groups.append(Group(name="billing", prefix="", endpoints=[take(plan, "get_invoice")]))
    next(g for g in plan.groups if g.name == "users").name = "accounts"
    files = files_of(main, plan)
    assert "def get_invoice" in files["routers/billing.py"]
    assert "def invoice_pdf" in files["services/billing.py"]
    assert "invoice_pdf" not in files["services/orders.py"] and "def order_repo" in files["services/orders.py"]
    assert "def get_user" in files["routers/accounts.py"] and "class UserOut" in files["services/accounts.py"]
    assert not any("users" in name for name in files)


def test_merging_two_groups_by_moving_the_endpoints_and_deleting_the_group(planned) -> None:
    main, plan = planned
    orders = next(g for g in plan.groups if g.name == "orders")
    orders.endpoints += [take(plan, "list_users"), take(plan, "get_user")]
    plan.groups = [orders]  # the `users` group, with its helper list, is gone from the edited plan
    files = files_of(main, plan)
    assert "def get_user" in files["routers/orders.py"] and "class UserOut" in files["services/orders.py"]
    assert not any("users" in name for name in files)


def test_a_wrong_function_name_in_an_edited_plan_is_named_without_asking_to_plan_again(planned) -> None:
    main, plan = planned
    take(plan, "get_order")
    next(g for g in plan.groups if g.name == "orders").endpoints.append(Endpoint("get_ordr", ["GET"], "/x", 1))
    with pytest.raises(SplitterError) as error:
        apply_split(main, plan, ApplyOptions(dry_run=True))
    message = error.value.render()
    assert "`get_ordr`" in message and "group `orders`" in message and "splitter plan" not in message


def snapshot(folder: Path) -> dict:
    return take_snapshot("main:app", folder, sys.executable, [folder])


def test_a_group_prefix_goes_to_its_router_and_is_cut_from_its_decorators(planned) -> None:
    main, plan = planned
    before = snapshot(main.parent)
    next(g for g in plan.groups if g.name == "orders").prefix = "/orders"
    apply_split(main, plan, ApplyOptions())
    router = (main.parent / "routers" / "orders.py").read_text()
    assert 'router = APIRouter(prefix="/orders")' in router
    assert '@router.get("")\n' in router and '@router.get("/{order_id}/invoice")\n' in router
    assert '@router.get("/users")' in (main.parent / "routers" / "users.py").read_text()  # no prefix: untouched
    report = compare(before, snapshot(main.parent))
    assert not report.findings, report.to_text()  # the same URLs, OpenAPI document and route order


@pytest.mark.parametrize(
    ("prefix", "fragments"),
    [
        pytest.param("/users", ("`list_orders` (/orders)", "prefix '/users' of group `orders`"), id="another-resource"),
        pytest.param("/order", ("`list_orders` (/orders)",), id="half-a-segment"),
    ],
)
def test_a_prefix_a_route_is_not_under_is_refused_naming_the_route(planned, prefix, fragments) -> None:
    main, plan = planned
    next(g for g in plan.groups if g.name == "orders").prefix = prefix
    with pytest.raises(SplitterError) as error:
        apply_split(main, plan, ApplyOptions(dry_run=True))
    assert all(fragment in error.value.render() for fragment in fragments), error.value.render()


@pytest.mark.parametrize(
    ("raw", "prefix", "common_path"),
    [
        pytest.param({"version": 2, "prefix": "/v1/orders"}, "/v1/orders", "", id="v2-prefix-is-the-router's"),
        pytest.param({"version": 1, "prefix": "/v1/orders"}, "", "/v1/orders", id="v1-prefix-was-informational"),
    ],
)
def test_plan_versions_read_prefix(raw, prefix, common_path) -> None:
    data = {"version": raw["version"], "groups": [{"name": "orders", "prefix": raw["prefix"], "endpoints": []}]}
    group = plan_from_json(data).groups[0]
    assert (group.prefix, group.common_path) == (prefix, common_path)


@pytest.mark.parametrize("prefix", ["/orders/", "orders", "/", 3])
def test_a_prefix_that_is_no_path_is_refused(prefix) -> None:
    data = {"version": 2, "groups": [{"name": "orders", "prefix": prefix, "endpoints": []}]}
    with pytest.raises(SplitterError) as error:
        plan_from_json(data)
    assert "prefix of group 'orders'" in error.value.render()
