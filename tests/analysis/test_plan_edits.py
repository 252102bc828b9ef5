"""A hand-edited plan is honoured: renamed, moved and merged groups, helpers following the endpoints moved,
and a wrong name in the edit named without being told to plan again (which would discard the edits)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.errors import SplitterError
from splitter.planning.plan_io import Endpoint, Group, Plan
from splitter.planning.project import load_project, plan_project

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
