"""Routes modules with no app (analysis/apps.py): the router holding most routes is split as an app would be;
routers that are peers (one per resource) each move whole. Behaviour is checked by tests/test_regressions.py on
the same fixtures; this checks the plans."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.planner import PlanOptions
from splitter.planning.project import load_project, plan_project

REGRESSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "regressions"


def plan_of(fixture: str, target: str, module: str, options: PlanOptions | None = None):
    return plan_project(load_project(REGRESSIONS / fixture / target, module), options)


def test_peer_routers_each_move_whole_and_the_module_keeps_nothing() -> None:
    plan = plan_of("routes_module_of_peer_routers", "ledger/routes.py", "ledger.routes")
    assert plan.app == ""
    routers = {group.name: group.router for group in plan.groups}
    assert routers == {"accounts": "account_router", "entities": "entity_router", "health": "health_router"}
    assert all(e.router == g.router for g in plan.groups for e in g.endpoints)
    assert not [w for g in plan.groups for w in g.why if "included at its original place" in w]
    # what the table shows: each route's path under its router's own prefix (`@entity_router.get("")` included)
    assert {g.name: g.shown_path for g in plan.groups} == {
        "accounts": "/accounts",
        "entities": "/entities",
        "health": "/health",
    }
    assert plan.main == []


def test_the_router_holding_most_routes_is_split_into_generated_routers() -> None:
    plan = plan_of("routes_module_beside_an_app_factory", "shop/routes.py", "shop.routes")
    assert plan.app == "router"
    assert {group.name for group in plan.groups} == {"orders", "products"}
    assert {group.router for group in plan.groups} == {"router"}  # generated: the split router includes them


def test_routes_of_a_router_with_a_resource_prefix_are_grouped_by_the_paths_they_serve() -> None:
    """`/{roadmap_id}/concepts/...` on `APIRouter(prefix="/roadmaps")` is the roadmaps resource, not a root page."""
    plan = plan_of("routes_module_router_with_a_resource_prefix", "atlas/roadmap.py", "atlas.roadmap")
    assert plan.app == "router"
    groups = {group.name: group for group in plan.groups}
    assert set(groups) == {"roadmaps", "users"}
    assert len(groups["roadmaps"].endpoints) == 7
    assert groups["roadmaps"].shown_path == "/roadmaps"
    assert "resource `roadmaps`: /roadmaps" in groups["roadmaps"].why


def test_a_group_override_names_a_router_module_route_as_served_or_as_written() -> None:
    for pattern in ("/roadmaps/{roadmap_id}/concepts", "/{roadmap_id}/concepts"):
        options = PlanOptions(group_overrides={"learning": [pattern]})
        plan = plan_of("routes_module_router_with_a_resource_prefix", "atlas/roadmap.py", "atlas.roadmap", options)
        learning = next(group for group in plan.groups if group.name == "learning")
        assert {e.function for e in learning.endpoints} == {"get_tutorials", "get_quiz", "regenerate_quiz"}, pattern


def test_a_routes_module_left_with_no_statement_of_its_own_is_laid_out_as_ruff_formats_it(tmp_path: Path) -> None:
    """Its imports all moved: the compatibility import follows the docstring, and the call after it, each
    after a blank line (they followed each other with none)."""
    shutil.copytree(REGRESSIONS / "routes_module_of_peer_routers", tmp_path, dirs_exist_ok=True)
    target = tmp_path / "ledger" / "routes.py"
    apply_split(target, None, ApplyOptions(module_name="ledger.routes"))
    text = target.read_text()
    assert text.endswith('"""\n\nfrom ledger import compat\n\ncompat.forward_moved_names(__name__)\n'), text
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--check", str(target)], capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout
