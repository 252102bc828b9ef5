"""A router package's modules are included through the package's own router (emit/router_nesting.py): main.py
includes the package once, and the app serves the same routes in the same order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.plan_io import Plan
from splitter.planning.planner import PlanOptions
from splitter.planning.project import load_project, plan_project
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot
from tests.test_size_packages import ROUTES


def endpoint(path: str, name: str, body_lines: int = 30) -> str:
    body = "".join(f"    step_{i} = {i}\n" for i in range(body_lines))
    return f'@app.get("{path}")\ndef {name}():\n{body}    return {{"route": "{name}"}}\n\n\n'


ORDERS = ROUTES[:-1]  # the orders resource (a package of three modules at max_lines=150) and /users


def monolith(routes: list[tuple[str, str]]) -> str:
    return "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n" + "".join(endpoint(p, n) for p, n in routes)


def split(tmp_path: Path, routes: list[tuple[str, str]], **options) -> tuple[Plan, str]:
    """Plan and apply a monolith of `routes`; the slim main.py. The app must serve what it served."""
    main = tmp_path / "main.py"
    main.write_text(monolith(routes), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150))
    before = take_snapshot("main:app", tmp_path, sys.executable, [tmp_path])
    apply_split(main, plan, ApplyOptions(**options))
    report = compare(before, take_snapshot("main:app", tmp_path, sys.executable, [tmp_path]))
    # routers registered as a block list their paths in that order in the OpenAPI document (so do unnested ones)
    assert {f.kind for f in report.findings} <= {"key-order-changed"}, report.to_text()
    return plan, main.read_text(encoding="utf-8")


def test_main_includes_a_package_through_its_own_router(tmp_path: Path) -> None:
    plan, main = split(tmp_path, ORDERS)  # in source order: the OpenAPI document is the same, key order too
    assert sorted(g.name for g in plan.groups) == ["orders", "orders.notes", "orders.refunds", "users"]
    assert "from routers.orders import router as orders_router" in main
    assert "orders_refunds_router" not in main and "orders_notes_router" not in main
    assert main.count("include_router") == 2
    package = (tmp_path / "routers" / "orders" / "__init__.py").read_text(encoding="utf-8")
    assert package.endswith(
        "from routers.orders import notes, refunds  # noqa: E402 - last: they may import from here\n\n"
        "router.include_router(refunds.router)\n"
        "router.include_router(notes.router)\n"
    )


def test_a_module_whose_route_the_package_would_shadow_keeps_its_own_include(tmp_path: Path) -> None:
    # GET /orders/refunds matched list_all_refunds first; the package's router would put get_order before it
    routes = [("/orders/refunds", "list_all_refunds"), ("/orders/refunds/{refund_id}", "get_any_refund")] + ORDERS
    plan, main = split(tmp_path, routes)
    refunds = next(g for g in plan.groups if g.name == "orders.refunds")
    assert {e.function for e in refunds.endpoints} >= {"list_all_refunds", "list_refunds"}
    assert "orders_refunds_router" in main
    assert "refunds.router" not in (tmp_path / "routers" / "orders" / "__init__.py").read_text(encoding="utf-8")
    assert "app.include_router(orders_refunds_router)\napp.include_router(orders_router)" in main


def test_a_module_whose_route_would_jump_an_overlapping_route_between_keeps_its_own_include(tmp_path: Path) -> None:
    # GET /orders/1/notes matched any_notes first, which stays between the package's routes and the notes module's
    routes = ORDERS[:4] + [("/{resource}/{resource_id}/notes", "any_notes")] + ORDERS[4:]
    _, main = split(tmp_path, routes)
    assert "orders_notes_router" in main
    package = (tmp_path / "routers" / "orders" / "__init__.py").read_text(encoding="utf-8")
    assert "router.include_router(refunds.router)" in package and "notes.router" not in package


def test_the_package_router_is_included_where_its_first_module_route_was(tmp_path: Path) -> None:
    # a sub-resource's route first: the package's router takes its place (no route of another router between)
    routes = [("/users", "list_users"), ("/orders/{order_id}/notes", "list_notes")] + ORDERS[:-1]
    _, main = split(tmp_path, routes)
    assert "app.include_router(users_router)\napp.include_router(orders_router)" in main
    assert main.count("include_router") == 2


def test_no_nesting_when_the_package_router_has_a_prefix(tmp_path: Path) -> None:
    """A prefix on the package's router would land on its modules' routes a second time."""
    main = tmp_path / "main.py"
    main.write_text(monolith(ORDERS), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150))
    next(g for g in plan.groups if g.name == "orders").prefix = "/orders"
    before = take_snapshot("main:app", tmp_path, sys.executable, [tmp_path])
    apply_split(main, plan, ApplyOptions())
    text = main.read_text(encoding="utf-8")
    assert "orders_refunds_router" in text and "orders_notes_router" in text
    assert "include_router" not in (tmp_path / "routers" / "orders" / "__init__.py").read_text(encoding="utf-8")
    report = compare(before, take_snapshot("main:app", tmp_path, sys.executable, [tmp_path]))
    assert not report.findings, report.to_text()


def test_no_nesting_with_tags(tmp_path: Path) -> None:
    """`apply --tags` tags each router: the package's tag would land on its modules' routes too."""
    main = tmp_path / "main.py"
    main.write_text(monolith(ORDERS), encoding="utf-8")
    apply_split(main, plan_project(load_project(main), PlanOptions(max_lines=150)), ApplyOptions(tags=True))
    text = main.read_text(encoding="utf-8")
    assert "orders_refunds_router" in text and "orders_notes_router" in text
    package = (tmp_path / "routers" / "orders" / "__init__.py").read_text(encoding="utf-8")
    assert 'APIRouter(tags=["orders"])' in package and "include_router" not in package


def test_waves_moving_a_package_module_first_end_with_the_one_shot_files(tmp_path: Path) -> None:
    """`--only orders.refunds`: main.py includes the module's router itself until the package's router moves too,
    which then includes it; the last wave writes what one apply writes."""
    from tests.test_waves import apply, files, git, make_plan

    repos = {}
    for name in ("one", "waves"):
        repo = repos[name] = tmp_path / name
        repo.mkdir()
        (repo / "main.py").write_text(monolith(ORDERS), encoding="utf-8")
        (repo / "pyproject.toml").write_text("[tool.splitter]\nmax_lines = 150\n", encoding="utf-8")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "the monolith")
    plan = tmp_path / "plan.json"
    make_plan(repos["waves"], plan)
    assert apply(repos["one"], plan).exit_code == 0
    before = take_snapshot("main:app", repos["waves"], sys.executable, [repos["waves"]])
    for wave, router in ((["orders.refunds"], "orders_refunds_router"), ([], "orders_router")):
        result = apply(repos["waves"], plan, *wave)
        assert result.exit_code == 0, result.output
        assert router in (repos["waves"] / "main.py").read_text(encoding="utf-8")
        after = take_snapshot("main:app", repos["waves"], sys.executable, [repos["waves"]])
        assert {f.kind for f in compare(before, after).findings} <= {"key-order-changed"}
        git(repos["waves"], "add", "-A")
        git(repos["waves"], "commit", "-qm", f"split: {' '.join(wave) or 'the rest'}")
    assert "orders_refunds_router" not in (repos["waves"] / "main.py").read_text(encoding="utf-8")
    assert files(repos["waves"]) == files(repos["one"])


def test_a_reload_of_main_runs_the_nested_modules_again(tmp_path: Path) -> None:
    """Tests reload main.py to re-read settings; the split modules then run again in their module objects, the
    package's own modules too, though the package imports them with `from package import module` (warehouse's
    rate limiter, re-made in core.py, was still the old one in the nested module's routes: 7 tests got 429)."""
    split(tmp_path, ORDERS)
    check = (
        "import importlib, sys\n"
        "import main\n"
        "first = sys.modules['routers.orders.refunds']\n"
        "importlib.reload(main)\n"
        "again = sys.modules.get('routers.orders.refunds')\n"
        "print(again is first, sys.modules['routers.orders'].refunds is again)\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "True"], done.stderr[-2000:]


def test_the_plan_counts_a_package_s_include_once_when_it_says_main_py_is_over(tmp_path: Path) -> None:
    # four routers, two of them in main.py once nested: counting each as an import and an include said "over"
    main = tmp_path / "main.py"
    main.write_text(monolith(ORDERS), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150, main_max_lines=28))
    assert not [w for w in plan.warnings if "keeps about" in w], plan.warnings
    result = apply_split(main, plan)
    assert main.read_text(encoding="utf-8").count("\n") <= 28
    assert not [w for w in result.plan.warnings if "written with" in w]


def test_a_module_the_package_reads_a_seam_through_is_imported_once(tmp_path: Path) -> None:
    """tideway: routers/player/__init__.py read `_snapshot_dict` through `dismiss_pause_reason`, its module the
    global it reads lives in, and imported that module again at its end to include its router: ruff's F811."""
    text = (
        monolith(ORDERS)
        .replace("def list_notes():\n", "def list_notes():\n    global last_note\n    last_note = 'seen'\n")
        .replace("def get_order():\n", "def get_order():\n    print(last_note)\n")
    )
    main = tmp_path / "main.py"
    main.write_text(text.replace("app = FastAPI()\n", "app = FastAPI()\nlast_note = None\n"), encoding="utf-8")
    plan = plan_project(load_project(main), PlanOptions(max_lines=150))
    assert any(g.name == "orders.notes" for g in plan.groups)
    apply_split(main, plan, ApplyOptions())
    package = (tmp_path / "routers" / "orders" / "__init__.py").read_text(encoding="utf-8")
    assert package.count("import notes") == 1, package
    assert "print(notes.last_note)" in package and "router.include_router(notes.router)" in package
    lint = [sys.executable, "-m", "ruff", "check", "--select", "F401,F811,F821", "--isolated", str(tmp_path)]
    assert subprocess.run(lint, capture_output=True, text=True).returncode == 0
    run = subprocess.run([sys.executable, "-c", "import main"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
