"""docs/odd-constructs.md, row by row: what splitter does with code it cannot move blindly.

Each edge fixture is planned (the documented decision is asserted) and then split for real: the split app
must serve the same OpenAPI document and route table, in the same matching order, as the original.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import EDGE_BAD_INPUT
from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.destination import CORE, MAIN, Role
from splitter.planning.project import load_project, plan_project
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot

EDGE = Path(__file__).resolve().parent.parent / "fixtures" / "edge"


def plan_for(name: str, tmp_path: Path):
    target = tmp_path / "main.py"
    shutil.copyfile(EDGE / name, target)
    project = load_project(target)
    return project, plan_project(project)


def warned(plan, *fragments: str) -> bool:
    return any(all(f in w for f in fragments) for w in plan.warnings)


# (fixture, check on the plan's placement and warnings)
DECISIONS = {
    "routes_in_loop.py": lambda place, plan: place["entries"] == MAIN,  # the loop registers routes: stays
    "route_in_function.py": lambda place, plan: warned(plan, "registration-call", "install_admin_routes"),
    "two_apps.py": lambda place, plan: place["internal"] == MAIN and warned(plan, "several-apps"),
    "star_import.py": lambda place, plan: warned(plan, "star-import"),
    "exec_eval.py": lambda place, plan: all(
        place[n] == MAIN for n in ("find_converter", "convert_celsius", "convert_miles", "formula")
    ),
    "handler_uses_app.py": lambda place, plan: all(
        place[n] != MAIN and warned(plan, f"`{n}`", "core.app") for n in ("product_detail", "product_index", "visits")
    ),
    "name_clash.py": lambda place, plan: list(place).count("_normalize") == 1,
    "router_local.py": lambda place, plan: (
        place["billing"].role is Role.ROUTER and place["accounts"].role is Role.ROUTER
    ),
    "overlap_order.py": lambda place, plan: True,  # the order itself is checked by the split below
    "conditional_middleware.py": lambda place, plan: place["trace"] == MAIN and place["timing"] == MAIN,
    "global_rebind.py": lambda place, plan: (
        "ACTIVE_REGION" in plan.seams and place["ACTIVE_REGION"] == place["set_region"]
    ),
    "lifespan_app.py": lambda place, plan: place["lifespan"] == place["POOL"] and "POOL" in plan.seams,
    "future_annotations.py": lambda place, plan: place["Task"].role is Role.SERVICE,
    "dunder_file.py": lambda place, plan: place["HERE"] == CORE,  # beside main.py: same folder, same paths
    # moves like any helper; a test patching main's __file__ is named in the plan (tests/test_file_patches.py)
    "file_patched_by_a_test.py": lambda place, plan: place["plugins_dir"] != MAIN and place["BUNDLED"] == CORE,
    "page_breaks.py": lambda place, plan: place["@11"] == CORE and place["joined"].role is Role.SERVICE,
    "module_getattr.py": lambda place, plan: all(place[n] == MAIN for n in ("__getattr__", "PAGE_LIMIT", "_settings")),
}


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_documented_decision(name: str, tmp_path: Path) -> None:
    _, plan = plan_for(name, tmp_path)
    assert DECISIONS[name](plan.placement(), plan), plan.warnings


def test_every_valid_edge_fixture_is_covered() -> None:
    assert {p.name for p in EDGE.glob("*.py")} - EDGE_BAD_INPUT == set(DECISIONS)


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_split_serves_the_same_app(name: str, tmp_path: Path) -> None:
    if name == "two_apps.py":
        target_app = "public"
    else:
        target_app = "app"
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    shutil.copyfile(EDGE / name, project_dir / "main.py")
    if name == "dunder_file.py":
        shutil.copytree(EDGE / "data", project_dir / "data") if (EDGE / "data").exists() else None
    before = take_snapshot(f"main:{target_app}", project_dir, sys.executable)
    apply_split(project_dir / "main.py", None, ApplyOptions())
    assert (project_dir / "routers").exists() or name in ("exec_eval.py", "module_getattr.py")
    after = take_snapshot(f"main:{target_app}", project_dir, sys.executable)
    report = compare(before, after)
    assert not [f for f in report.findings if f.severity != "cosmetic"], report.to_text()
