"""Registrar modules (analysis/factory_split.py, planning/registrar_shells.py): a module with no app whose entry
function is handed the app and hands it on to `_register_<area>_routes(app, ...)` functions (cognithor). Behaviour
(same app, tests pass) is checked by tests/test_regressions.py on the fixture."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from splitter.analysis.analyze import analyze_source
from splitter.planning.planner import PlanOptions
from splitter.planning.project import load_project, plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "regressions" / "registrar_module_given_the_app"


def _fixture(tmp_path: Path, pyproject: bool = True) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    if not pyproject:
        (tmp_path / "pyproject.toml").unlink()
    return tmp_path / "shop" / "routes.py"


def test_the_entry_given_the_app_takes_the_factorys_place(tmp_path: Path) -> None:
    plan = plan_project(load_project(_fixture(tmp_path, pyproject=False), "shop.routes"))
    registered = {e.function: (g.name, e.registered_by) for g in plan.groups for e in g.endpoints}
    assert registered["health"][1] == "_register_system_routes"  # hand-written, of one resource: moved whole
    assert registered["tokens"][1] == "_register_admin_routes"
    assert registered["list_items"] == ("items", "register_items")  # cut out of `_register_store_routes`
    assert registered["list_orders"] == ("orders", "register_orders")
    assert plan.main == ["create_routes", "_register_store_routes"]  # the cut registrar stays while main.py fits
    assert plan.warnings == []  # no "`create_routes` stays in routes.py": it is the factory, meant to stay
    reasons = " ".join(r for g in plan.groups for r in g.why)
    assert "for the app `create_routes()` is given" in reasons and "makes" not in reasons


def test_a_cut_registrar_leaves_main_when_main_would_not_fit(tmp_path: Path) -> None:
    plan = plan_project(load_project(_fixture(tmp_path), "shop.routes"))  # main_max_lines = 40
    assert plan.main == ["create_routes"]
    placement = plan.placement()
    # beside the router holding most of what it calls (items, prices and orders: one each; items is called first)
    assert placement["_register_store_routes"] == placement["register_items"]
    assert not [w for w in plan.warnings if "keeps about" in w]


def _registrar(name: str, resources: list[str], filler: int) -> list[str]:
    """`def name(app)` registering two routes per resource, each body `filler` lines long."""
    lines = [f"def {name}(app):"]
    for resource in resources:
        for suffix in ("", "/{key}"):
            function = f"{name.strip('_')}_{resource}_{'one' if suffix else 'all'}"
            lines += [f'    @app.get("/{resource}{suffix}")', f"    def {function}(key: str = '') -> dict:"]
            lines += [f"        value_{n} = {n}" for n in range(filler)] + ["        return {'key': key}", ""]
    return lines + [""]


def _registrar_module(kept_route: bool = False) -> str:
    lines = ["def create_routes(app):", "    _big(app)", "    _long(app)", "    _small(app)", "", ""]
    lines += _registrar("_big", ["alpha", "beta", "gamma"], 60)  # the most routes: cut whatever its size
    long_lines = _registrar("_long", ["delta", "epsilon"], 75)  # 330 lines: too long to move whole
    if kept_route:  # a route its own code reads stays in it: warned about at the line the monolith has it
        long_lines[-1:-1] = ["    app.state.first = long_delta_all", ""]
    lines += long_lines
    lines += _registrar("_small", ["zeta", "eta"], 3)  # two resources, short: moved whole
    return "\n".join(lines) + "\n"


def test_every_registrar_too_long_to_move_whole_is_cut(tmp_path: Path) -> None:
    source = _registrar_module()
    analysis = analyze_source(source, tmp_path / "routes.py", "routes")
    assert analysis.factory == "create_routes" and analysis.factory_given_app
    assert analysis.factory_registrars == ("_big", "_long")
    registrars = analysis.factory_routes
    assert [r.function for r in registrars["_small"]] == [
        "small_zeta_all",
        "small_zeta_one",
        "small_eta_all",
        "small_eta_one",
    ]
    by_path = {r.path: name for name, routes in registrars.items() for r in routes}
    assert by_path["/delta"] == by_path["/delta/{key}"] != by_path["/epsilon"]  # one function per resource
    assert by_path["/delta"].startswith("register_delta")
    # each cut's tree is grafted from the nodes before it (parts of the text are never parsed again): the same
    # tree a parse of the final text gives, line numbers included
    assert ast.dump(analysis.tree, include_attributes=True) == ast.dump(
        ast.parse(analysis.source), include_attributes=True
    )


def test_a_route_kept_in_the_second_registrar_cut_is_named_at_its_line_in_the_monolith(tmp_path: Path) -> None:
    source = _registrar_module(kept_route=True)
    path = tmp_path / "routes.py"
    path.write_text(source)
    plan = plan_project(load_project(path, "routes"), PlanOptions())
    kept = [w for w in plan.warnings if "factory-route-kept" in w]
    assert len(kept) == 1 and "`long_delta_all` stays in `_long()`" in kept[0]
    assert int(kept[0].split(":")[1]) == source.splitlines().index('    @app.get("/delta")') + 1


def test_main_of_an_app_factory_is_estimated_without_include_lines(tmp_path: Path) -> None:
    """An app factory includes no router: 40 resources cost main.py no 120 lines of imports and includes, only
    the import of what its kept code calls. Estimated as a module-level app's main.py, the cut registrar left a
    main.py of 20 lines for a router (and the plan said main.py would keep about 150)."""
    names = [f"res{n}" for n in range(40)]
    source = "def create_routes(app):\n    _all(app)\n\n\n" + "\n".join(_registrar("_all", names, 1))
    path = tmp_path / "routes.py"
    path.write_text(source)
    plan = plan_project(load_project(path, "routes"), PlanOptions(main_max_lines=150))
    assert plan.main == ["create_routes", "_all"]
    assert not [w for w in plan.warnings if "keeps about" in w]


def _route(path: str, function: str, filler: int) -> list[str]:
    body = [f"        value_{v} = {v}" for v in range(filler)]
    return [f'    @app.get("{path}")', f"    def {function}() -> dict:", *body, "        return {}", ""]


def test_a_cut_registrar_goes_only_to_a_router_with_room_for_it(tmp_path: Path) -> None:
    """Its calls reach `big` (two runs around a catch-all) first, whose 78 lines leave no room for the shell in a
    module of 100 lines (nexus's `share` router, 463 lines, went to 514): it goes beside the next one, `small`."""
    lines = ["def create_routes(app):", "    _all(app)", "", "", "def _all(app):"]
    lines += _route("/big", "big_list", 35) + _route("/small", "small_list", 0) + _route("/{page:path}", "page", 0)
    lines += _route("/big/{key}", "big_get", 35) + _route("/small/{key}", "small_get", 0)
    path = tmp_path / "routes.py"
    path.write_text("\n".join(lines) + "\n")
    plan = plan_project(load_project(path, "routes"), PlanOptions(max_lines=100, main_max_lines=5))
    placement = plan.placement()
    assert placement["register_big"] == placement["register_big_2"]
    assert plan.main == ["create_routes"]
    assert placement["_all"] == placement["register_small"] != placement["register_big"]
