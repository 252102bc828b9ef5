"""A resource too big for one file becomes a package: `routers/orders/__init__.py` keeps the resource's own
routes, `routers/orders/refunds.py` one sub-resource, each with its router, which the package's router includes
(tests/test_router_nesting.py); the app serves the same routes in the same order and "the orders router" is
still one place to review."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.planner import PlanOptions
from splitter.planning.project import load_project, plan_project
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot


def endpoint(path: str, name: str, body_lines: int) -> str:
    body = "".join(f"    step_{i} = {i}\n" for i in range(body_lines))
    return f'@app.get("{path}")\ndef {name}():\n{body}    return {{"ok": True}}\n\n\n'


ROUTES = [
    ("/orders", "list_orders"),
    ("/orders/{order_id}", "get_order"),
    ("/orders/{order_id}/refunds", "list_refunds"),
    ("/orders/{order_id}/refunds/{refund_id}", "get_refund"),
    ("/orders/{order_id}/notes", "list_notes"),
    ("/orders/{order_id}/notes/{note_id}", "get_note"),
    ("/users", "list_users"),
    ("/users/{user_id}", "get_user"),
]


def monolith() -> str:
    head = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    return head + "".join(endpoint(path, name, 30) for path, name in ROUTES)


def test_an_oversized_resource_becomes_a_package_of_sub_resource_modules(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text(monolith(), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150))
    names = sorted(g.name for g in plan.groups)
    assert names == ["orders", "orders.notes", "orders.refunds", "users"], names
    refunds = next(g for g in plan.groups if g.name == "orders.refunds")
    assert any("split from `orders`" in reason for reason in refunds.why)
    before = take_snapshot("main:app", tmp_path, sys.executable, [tmp_path])
    apply_split(main, plan, ApplyOptions())
    routers = tmp_path / "routers"
    assert sorted(str(p.relative_to(routers)) for p in routers.rglob("*.py")) == [
        "__init__.py",
        "orders/__init__.py",
        "orders/notes.py",
        "orders/refunds.py",
        "users.py",
    ]
    assert "def list_orders" in (routers / "orders" / "__init__.py").read_text()
    assert "def get_refund" in (routers / "orders" / "refunds.py").read_text()
    assert "from routers.orders import router as orders_router" in main.read_text()  # it includes its modules'
    assert "router.include_router(refunds.router)" in (routers / "orders" / "__init__.py").read_text()
    report = compare(before, take_snapshot("main:app", tmp_path, sys.executable, [tmp_path]))
    assert not report.findings, report.to_text()
    assert all(p.read_text().count("\n") < 150 for p in routers.rglob("*.py"))


def test_a_package_module_imports_relatively_two_levels_up(tmp_path: Path) -> None:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("LIMIT = 3\n")
    source = monolith().replace("app = FastAPI()", "from .models import LIMIT\n\napp = FastAPI()")
    source = source.replace('    return {"ok": True}\n', '    return {"ok": LIMIT}\n')
    (package / "main.py").write_text(source, encoding="utf-8")
    plan = plan_project(load_project(package / "main.py"), PlanOptions(max_lines=150))
    before = take_snapshot("shop.main:app", tmp_path, sys.executable, [tmp_path])
    apply_split(package / "main.py", plan, ApplyOptions())
    assert "from ...models import LIMIT" in (package / "routers" / "orders" / "refunds.py").read_text()
    report = compare(before, take_snapshot("shop.main:app", tmp_path, sys.executable, [tmp_path]))
    assert not report.findings, report.to_text()


def test_only_a_package_moves_all_of_its_modules(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text(monolith(), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150))
    changes = apply_split(main, plan, ApplyOptions(dry_run=True, only=("orders",))).changes
    written = sorted(str(p.relative_to(tmp_path)) for p in changes if p.parent.name in ("routers", "orders"))
    assert written == [
        "routers/__init__.py",
        "routers/orders/__init__.py",
        "routers/orders/notes.py",
        "routers/orders/refunds.py",
    ]


def test_the_grouping_benchmark_compares_a_package_with_the_teams_one_module(tmp_path: Path) -> None:
    from benchmarks.bench_grouping import pair_scores, plan_assignment

    main = tmp_path / "main.py"
    main.write_text(monolith(), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.splitter]\nmax_lines = 150\n")
    assert "orders.refunds" in {g.name for g in plan_project(load_project(main)).groups}  # cut by size
    planned = plan_assignment(main)
    assert {group for key, group in planned.items() if "/orders" in key} == {"orders"}
    team = {key: "orders" if "/orders" in key else "users" for key in planned}
    assert pair_scores(planned, team) == (1.0, 1.0, 1.0)


def test_a_package_module_never_replaces_a_name_the_package_reads(tmp_path: Path) -> None:
    """Importing `routers/orders/refunds.py` sets `refunds` in `routers/orders/__init__.py`: were the module named
    so, `list_orders` there would read the module instead of the monolith's `refunds` object."""
    state = "app = FastAPI()\n\n\nclass Refunds:\n    count = 3\n\n\nrefunds = Refunds()"
    source = monolith().replace("app = FastAPI()", state)
    source = source.replace("def list_orders():\n", "def list_orders():\n    assert refunds.count == 3\n", 1)
    source = source.replace("def get_refund():\n", "def get_refund():\n    assert refunds.count == 3\n", 1)
    (tmp_path / "main.py").write_text(source, encoding="utf-8")
    plan = plan_project(load_project(tmp_path / "main.py"), PlanOptions(max_lines=150))
    assert "orders.refunds_routes" in {g.name for g in plan.groups}
    apply_split(tmp_path / "main.py", plan, ApplyOptions())
    call = "from fastapi.testclient import TestClient; import main; print(TestClient(main.app).get('/orders').json())"
    done = subprocess.run([sys.executable, "-c", call], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "{'ok': True}", done.stderr[-2000:]


def test_a_package_module_never_replaces_a_builtin_the_package_calls(tmp_path: Path) -> None:
    """warehouse_system's materials package got a module `list.py`: `list(...)` in its __init__.py then called the
    module ('module' object is not callable, 23 tests)."""
    source = monolith().replace("/refunds", "/list").replace("refunds", "lists").replace("refund", "entry")
    source = source.replace("def list_orders():\n", 'def list_orders():\n    assert list("ab") == ["a", "b"]\n', 1)
    (tmp_path / "main.py").write_text(source, encoding="utf-8")
    plan = plan_project(load_project(tmp_path / "main.py"), PlanOptions(max_lines=150))
    assert "orders.list_routes" in {g.name for g in plan.groups}, [g.name for g in plan.groups]
    apply_split(tmp_path / "main.py", plan, ApplyOptions())
    call = "from fastapi.testclient import TestClient; import main; print(TestClient(main.app).get('/orders').json())"
    done = subprocess.run([sys.executable, "-c", call], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "{'ok': True}", done.stderr[-2000:]


def calls_monolith(helpers: int) -> str:
    """Reduced from superdesigndev/treg's api.py: `calls` is three endpoints, one of them long and reading many
    helpers the `users` endpoints read too (so the helpers move to services/ and the router imports them)."""
    names = [f"helper_{i}" for i in range(helpers)]
    helpers_text = "".join(f"def {n}():\n    return 1\n\n\n" for n in names)
    head = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n" + helpers_text
    routes = [
        ("/calls", "list_calls", 8, []),
        ("/calls/{ref}", "get_call", 8, []),
        ("/call/{rest}", "call_tool", 66, names),
        ("/users", "list_users", 2, names),
        ("/users/{user_id}", "get_user", 2, names),
    ]
    body = "".join(
        f'@app.get("{path}")\ndef {name}():\n    total = 0\n'
        + "".join(f"    total += {n}()\n" for n in reads)
        + "".join(f"    step_{i} = {i}\n" for i in range(steps))
        + '    return {"total": total}\n\n\n'
        for path, name, steps, reads in routes
    )
    return head + body


def test_a_group_under_max_lines_is_cut_when_its_imports_would_take_it_over(tmp_path: Path) -> None:
    """treg's `calls` router: 483 lines of endpoints under the 500-line limit, written as 559 lines with its
    imports. Here about 125 lines of endpoints reading 30 names, under max_lines = 150: each file written stays
    under it."""
    main = tmp_path / "main.py"
    main.write_text(calls_monolith(30), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150))
    calls = [g for g in plan.groups if g.name.startswith("calls")]
    assert sorted(g.name for g in calls) == ["calls", "calls_2"], [g.name for g in plan.groups]
    before = take_snapshot("main:app", tmp_path, sys.executable, [tmp_path])
    apply_split(main, plan, ApplyOptions())
    report = compare(before, take_snapshot("main:app", tmp_path, sys.executable, [tmp_path]))
    assert not report.findings, report.to_text()
    written = [p for p in tmp_path.rglob("*.py") if p.name != "__init__.py"]
    assert all(p.read_text().count("\n") < 150 for p in written), {p.name: p.read_text().count("\n") for p in written}
