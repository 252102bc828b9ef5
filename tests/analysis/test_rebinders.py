"""A function rebinding a global with `global`, apart from the global (analysis/rebinders.py,
planning/rebinders_apart.py): which can be, when the plan does it, and what apply writes."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from splitter.analysis.analyze import analyze_source
from splitter.analysis.rebinders import rebinders
from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.destination import CORE, MAIN, Destination
from splitter.planning.plan_io import plan_from_json, plan_to_json
from splitter.planning.planner import PlanOptions, make_plan
from splitter.planning.project import load_project, plan_project
from tests.helpers import code

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures/regressions/cli_entry_point_rebinds_globals.py"
HEADER = "from fastapi import FastAPI\n\napp = FastAPI()\nX = 0\n\n\n"

BLOCKERS = [
    pytest.param("def f(v):\n    global X\n    X = v\n", "", id="assignment"),
    pytest.param("def f(v):\n    global X\n    X += v\n    del X\n", "", id="augmented assignment and del"),
    pytest.param("def f(v):\n    global X\n    for X in v:\n        pass\n", "", id="for target"),
    pytest.param("def f(v):\n    global X\n    with v as X:\n        pass\n", "", id="with target"),
    pytest.param("def f(v):\n    global X\n    (X, y) = v, 1\n", "", id="tuple target"),
    pytest.param(
        "def f(v):\n    global X\n    return (X := v)\n", "line 9 binds it with an assignment expression", id="walrus"
    ),
    pytest.param(
        "def f(v):\n    global X\n    return [X := i for i in v]\n",
        "line 9 binds it with an assignment",
        id="walrus in a comprehension",
    ),
    pytest.param("def f():\n    global X\n    import os as X\n", "line 9 binds it with an import", id="import as"),
    pytest.param(
        "def f():\n    global X\n    try:\n        pass\n    except OSError as X:\n        pass\n",
        "line 11 binds it with `except ... as`",
        id="except as",
    ),
    pytest.param("def f():\n    global X\n\n    def X():\n        pass\n", "line 10 binds it with a `def`", id="def"),
    pytest.param(
        "def f(v):\n    global X\n    match v:\n        case [X]:\n            pass\n",
        "line 10 binds it with a `case` pattern",
        id="case capture",
    ),
    pytest.param("def f(v):\n    global X\n    globals()['X'] = v\n", "it uses globals() (line 7)", id="globals()"),
    pytest.param(
        "class K:\n    def m(self, v):\n        global X\n        X = v\n", "", id="a method of a class rebinding it"
    ),
]


@pytest.mark.parametrize(("rebinder", "blocker"), BLOCKERS)
def test_which_rebinders_can_live_apart_from_their_global(rebinder: str, blocker: str) -> None:
    analysis = analyze_source(HEADER + rebinder, Path("main.py"))
    (found,) = rebinders(analysis)
    assert found.name == "X"
    assert (found.blocker and blocker in found.blocker) or (found.blocker == blocker == ""), found.blocker


def test_a_name_without_a_module_level_binding_has_no_home_to_move_to() -> None:
    analysis = analyze_source(HEADER + "def f():\n    global Y\n    Y = 1\n", Path("main.py"))
    assert rebinders(analysis) == []


KEPT_TOGETHER = code("""
    from fastapi import FastAPI

    app = FastAPI()
    counter = 0


    @app.get("/orders")
    def orders():
        global counter
        counter += 1
        return {"n": counter}


    @app.get("/orders/count")
    def orders_count():
        return {"n": counter}
""")


def test_a_global_whose_block_pins_nothing_stays_with_its_rebinder(tmp_path: Path) -> None:
    """Apart only when together they would stay in main.py or make a cycle: an endpoint counting its calls keeps
    its counter beside it, read bare, as before."""
    (tmp_path / "main.py").write_text(KEPT_TOGETHER)
    project = load_project(tmp_path / "main.py")
    plan = plan_project(project)
    assert plan.placement()["counter"] == plan.placement()["orders"] == Destination.router("orders")
    assert not [w for w in plan.warnings if "rebinds" in w]
    changes = apply_split(tmp_path / "main.py", plan, ApplyOptions()).changes
    router = next(text for path, text in changes.items() if path.name == "orders.py")
    assert "    global counter\n    counter += 1\n" in router


def test_a_hand_edited_plan_may_place_a_rebinder_apart_from_its_global(tmp_path: Path) -> None:
    """The rewrite is what makes the edit valid: the plan check accepts it, and the setter assigns through core."""
    (tmp_path / "main.py").write_text(KEPT_TOGETHER + "\n\ndef reset():\n    global counter\n    counter = 0\n")
    plan = plan_project(load_project(tmp_path / "main.py"))
    data = json.loads(json.dumps(plan_to_json(plan)))
    for group in data["groups"]:
        for key in ("router_symbols", "service_symbols"):
            group[key] = [n for n in group[key] if n != "counter"]
    data["core"].append("counter")
    edited = plan_from_json(data)
    assert edited.placement()["counter"] == CORE and edited.placement()["reset"] != CORE
    changes = apply_split(tmp_path / "main.py", edited, ApplyOptions()).changes
    texts = {path.name: text for path, text in changes.items()}
    assert "counter = 0\n" in texts["core.py"]
    reset_home = next(text for text in texts.values() if "def reset():" in text)
    assert "def reset():\n    core.counter = 0\n" in reset_home
    assert "    core.counter += 1\n" in texts["orders.py"] and "global" not in texts["orders.py"]


def test_the_cli_entry_point_fixture_moves_every_reader_out_of_main(tmp_path: Path) -> None:
    (tmp_path / "server.py").write_text(FIXTURE.read_text())
    plan = plan_project(load_project(tmp_path / "server.py"))
    placement = plan.placement()
    assert placement["TMUX_SESSION_NAME"] == placement["wild_engine"] == CORE
    assert placement["main"] == Destination.router("cluster")
    assert MAIN not in {placement[n] for n in ("wild_status", "wild_plan", "build_plan_state", "MODE_REGISTRY")}
    (note,) = [w for w in plan.warnings if "`main` rebinds" in w]
    line = FIXTURE.read_text().splitlines().index("def main(argv=None):") + 1
    rebound = "`main` rebinds `SERVER_CALLBACK_URL`, `TMUX_SESSION_NAME`"
    assert note.startswith(f"{tmp_path / 'server.py'}:{line}: {rebound}")
    changes = apply_split(tmp_path / "server.py", plan, ApplyOptions()).changes
    router = next(text for path, text in changes.items() if path.name == "cluster.py")
    ast.parse(router)
    assert "global" not in router.split("def main(")[1]
    assert "    # what the server runs with\n    core.SERVER_CALLBACK_URL = f" in router
    assert "    core.TMUX_SESSION_NAME = args.tmux_session\n" in router
    assert 'parser.add_argument("--tmux-session", default=core.TMUX_SESSION_NAME)' in router


def test_a_rebinder_tying_a_cycle_too_big_for_a_module_lives_apart_from_its_global() -> None:
    """grant-radar's `/refresh` rebinds the catalog every helper reads and calls the helpers that warm the caches:
    as one block with the global it closed a cycle no module could hold. Apart, the cycle is gone."""
    fixture = REPO / "fixtures/regressions/global_rebound_by_an_endpoint_in_a_cycle/server.py"
    plan = make_plan(analyze_source(fixture.read_text(), Path("server.py")), PlanOptions(max_lines=40))
    assert not [w for w in plan.warnings if "cannot stay under" in w], plan.warnings
    placement = plan.placement()
    assert placement["_catalog"] != placement["refresh"], placement
    assert any("`refresh` rebinds `_catalog` with `global` and lives apart from it" in w for w in plan.warnings)


IMPORT_REBOUND = code("""
    from fastapi import FastAPI

    from limits import Limiter
    from limits import limiter

    app = FastAPI()


    def configure():
        global limiter
        limiter = Limiter("configured")


    configure()


    @app.get("/health")
    @limiter.exempt
    def health():
        return {"limiter": limiter.name}
""")


def test_an_import_of_a_name_a_function_rebinds_is_its_binding_statement(tmp_path: Path) -> None:
    """Copied, the import gave the route's module the value before `configure()` rebound it (nexus: the app
    factory's `global limiter`): it binds the global instead, a seam every module reads through its home."""
    analysis = analyze_source(IMPORT_REBOUND, Path("main.py"))
    kinds = {u.first_line: u.kind for u in analysis.units}
    assert kinds[3] == "import" and kinds[4] == "assign"
    (tmp_path / "main.py").write_text(IMPORT_REBOUND)
    plan = plan_project(load_project(tmp_path / "main.py"))
    assert "limiter" in plan.seams
    changes = apply_split(tmp_path / "main.py", plan, ApplyOptions()).changes
    router = next(text for path, text in changes.items() if path.parent.name == "routers" and "def health" in text)
    assert "@core.limiter.exempt" in router and "from limits import limiter" not in router


def test_an_import_binding_a_rebound_name_with_others_is_warned_about() -> None:
    two_lines = "from limits import Limiter\nfrom limits import limiter\n"
    source = IMPORT_REBOUND.replace(two_lines, "from limits import Limiter, limiter\n")
    analysis = analyze_source(source, Path("main.py"))
    (warning,) = [d for d in analysis.diagnostics if d.code == "rebound-import"]
    assert warning.line == 3 and "`limiter` is imported here with other names" in warning.message
    assert "`configure`" in warning.message
