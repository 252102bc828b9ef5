"""A file the split wrote over the plan's limits is named by a warning, once: by the plan, else by apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.emit.apply import apply_split
from splitter.emit.size_check import size_warnings
from splitter.planning.plan_io import Plan
from splitter.planning.project import load_project, plan_project
from splitter.planning.planner import PlanOptions

MONOLITH = """from fastapi import FastAPI

app = FastAPI()


def helper():
    return 1


@app.get("/items")
def list_items():
    return [helper()]


@app.get("/users")
def list_users():
    return [helper()]
"""

TEST = "import main\n\n\ndef test_helper():\n    assert getattr(main, 'helper')() == 1\n"


def _plan(**settings) -> Plan:
    defaults = {"max_lines": 500, "main_max_lines": 200}
    return Plan("main.py", "main", "app", [], [], [], [], [], [], settings={**defaults, **settings})


def _lines(count: int) -> str:
    return "import os\n" + "x = 1\n" * (count - 1)


@pytest.mark.parametrize(
    ("written", "plan_warnings", "named"),
    [
        pytest.param({"routers/items.py": 20}, [], [], id="under-the-limit"),
        pytest.param({"routers/items.py": 31}, [], ["routers/items.py"], id="over-the-limit"),
        pytest.param(
            {"routers/items.py": 31},
            ["main.py:9: `list_items` alone is 29 lines: routers/items.py cannot stay under 30 lines"],
            [],
            id="named-by-the-plan-already",
        ),
        pytest.param({"main.py": 11}, [], ["main.py"], id="slim-main-over-its-own-limit"),
        pytest.param({"main.py": 11}, ["main.py: main.py keeps about 40 lines (limit 10); ..."], [], id="main-named"),
        pytest.param({"compat.py": 31}, [], ["compat.py"], id="compatibility-module"),
    ],
)
def test_files_over_the_limit_are_named_once(written: dict, plan_warnings: list, named: list) -> None:
    plan = _plan(max_lines=30, main_max_lines=10)
    plan.warnings = plan_warnings
    texts = {Path(name): _lines(count) for name, count in written.items()}
    warnings = size_warnings(plan, Path("main.py"), texts)
    assert [w.split(":")[0] for w in warnings] == named
    assert all(f"over the limit of {10 if w.startswith('main.py') else 30}" in w for w in warnings)


def test_a_slim_monolith_over_its_limit_is_named_with_why() -> None:
    plan = _plan(max_lines=30, main_max_lines=10)
    (warning,) = size_warnings(plan, Path("pkg/server.py"), {Path("pkg/server.py"): _lines(11)})
    assert warning.startswith("pkg/server.py:1: written with 11 lines, over the limit of 10: server.py keeps the app")


def test_compat_module_is_said_to_be_uncut_and_imports_are_counted() -> None:
    plan = _plan(max_lines=5)
    router = "from a import b\nfrom c import (\n    d,\n    e,\n)\n\nrouter = 1\n"
    warnings = size_warnings(plan, Path("main.py"), {Path("compat.py"): "x = 1\n" * 6, Path("routers/a.py"): router})
    assert "reachable as `main.NAME`" in warnings[0] and "not cut" in warnings[0]
    assert "(5 lines of imports here)" in warnings[1]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(MONOLITH)
    (tmp_path / "test_main.py").write_text(TEST)
    return tmp_path


def test_apply_names_the_files_the_plan_could_not_foresee(repo: Path) -> None:
    project = load_project(repo / "main.py")
    tight = plan_project(project, PlanOptions(max_lines=14, main_max_lines=200, min_endpoints=1))
    result = apply_split(repo / "main.py", tight)
    over = {Path(w.split(":")[0]) for w in result.plan.warnings if "written with" in w}
    too_long = {p for p, t in result.changes.items() if p.name != "test_main.py" and t.count("\n") > 14}
    assert too_long and over == too_long
    assert not [w for w in apply_split(repo / "main.py").plan.warnings if "written with" in w]


def _calling_each_other(count: int) -> str:
    """Endpoints of `a` and `b` calling each other in one ring (a_0 -> b_0 -> a_1 ... -> a_0): one router, or
    the modules would import each other, and no cut by size divides it."""
    body = "    x = 1\n    x = x + 1\n    x = x * 2\n    x = x - 3\n"
    routes = "".join(
        f"\n\n@app.get('/{group}/{n}')\ndef {group}_{n}():\n{body}"
        f"    return {other}_{(n + step) % count}() if x < 0 else x\n"
        for group, other, step in (("a", "b", 0), ("b", "a", 1))
        for n in range(count)
    )
    return f"from fastapi import FastAPI\n\napp = FastAPI()\n{routes}"


def test_a_module_over_the_limit_by_the_sum_of_its_statements_is_named_by_the_plan(tmp_path: Path) -> None:
    """No statement is near the limit, together they pass it: the plan says so, and apply does not say it again."""
    (tmp_path / "main.py").write_text(_calling_each_other(4))
    project = load_project(tmp_path / "main.py")
    plan = plan_project(project, PlanOptions(max_lines=40, main_max_lines=200, min_endpoints=1))
    by_sum = [w for w in plan.warnings if "lines of moved code" in w]
    assert by_sum and all("cannot stay under 40 lines" in w for w in by_sum)
    result = apply_split(tmp_path / "main.py", plan)
    named = [w for w in result.plan.warnings if "cannot stay under" in w or "written with" in w]
    over = [p for p, t in result.changes.items() if p.name != "main.py" and t.count("\n") > 40]
    assert over and len(named) == len(over)
    assert all(any(p.relative_to(tmp_path).as_posix() in w for w in named) for p in over)
