"""main.py's own import-time app setup moves, as it is, to app_setup.py imported at its place, only when main.py
would be over its limit and only as a pure move (planning/app_setup_runs.py; issue 9, point 11)."""

from __future__ import annotations

import shutil
from pathlib import Path

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.destination import MAIN, Destination
from splitter.planning.project import load_project, plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "regressions" / "app_setup_runs_in_place"


def split_fixture(tmp_path: Path, main_max_lines: int) -> tuple[dict[Path, str], str]:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(f"[tool.splitter]\nmain_max_lines = {main_max_lines}\n")
    target = tmp_path / "gw" / "main.py"
    original = target.read_text()
    return apply_split(target, None, ApplyOptions(module_name="gw.main")).changes, original


def test_the_setup_after_the_app_moves_as_it_is_and_main_imports_it_in_its_place(tmp_path: Path) -> None:
    changes, original = split_fixture(tmp_path, 70)
    main, setup = changes[tmp_path / "gw" / "main.py"], changes[tmp_path / "gw" / "app_setup.py"]
    assert len(main.splitlines()) <= 70
    # from the `if AUTH_ENABLED:` block to the end of the `if UI_ENABLED:` block, byte for byte; the one-line
    # include before them stays in main.py, which still reads as the app's table of routers
    start = original.index("# Include the team router if auth is enabled")
    end = original.index('        return {"name": app.title, "ui_enabled": False}\n') + 50
    assert original[start:end] in setup
    assert "\nfrom gw.core import AUTH_ENABLED, STATIC_DIR, UI_ENABLED, app\n" in setup
    in_order = [
        "app.include_router(orders_router)\n",
        "\napp.include_router(audit_router)\n",
        "\nfrom gw import app_setup  # noqa: E402,F401 - runs this part of the app setup here, in order\n",
        "\napp.include_router(system_router)\n",
    ]
    assert [main.index(line) for line in in_order] == sorted(main.index(line) for line in in_order)
    assert "\ncore.app = app\n" in main
    compat = changes[tmp_path / "gw" / "compat.py"]
    assert 'IN_PLACE = (\n    "gw.app_setup",\n)' in compat


def test_nothing_moves_while_main_fits(tmp_path: Path) -> None:
    changes, _ = split_fixture(tmp_path, 200)
    assert tmp_path / "gw" / "app_setup.py" not in changes
    assert "if UI_ENABLED:" in changes[tmp_path / "gw" / "main.py"]


MONOLITH = """from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from extras import audit_router, reports_router

FLAG = True
app = FastAPI()


@app.get("/items")
def list_items():
    return []


@app.get("/items/{item_id}")
def get_item(item_id: int):
    return {"id": item_id}


if FLAG:
    STATIC_PATH = "/static"
    app.include_router(audit_router)
    app.include_router(reports_router)
    print("audit and reports included")
    print("static files under", STATIC_PATH)
else:
    STATIC_PATH = "/assets"
    print("audit and reports left out")

app.mount(STATIC_PATH, StaticFiles(directory=".", check_dir=False))

if FLAG:
    try:
        app.include_router(reports_router, prefix="/v2")
        print("v2 reports included")
        print("v2 reports: done")
    except RuntimeError:
        print("v2 reports left out")
        print("v2 reports: not done")
"""


def test_a_statement_binding_what_main_still_reads_stays_and_cuts_the_run(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.splitter]\nmain_max_lines = 5\n")
    (tmp_path / "main.py").write_text(MONOLITH)
    project = load_project(tmp_path / "main.py")
    plan = plan_project(project)
    placement = plan.placement()
    lines = enumerate(MONOLITH.splitlines(), start=1)
    at = {line.split("(")[0]: f"@{n}" for n, line in lines if line.startswith(("app.", "if "))}  # the last `if`
    assert placement["STATIC_PATH"] == MAIN  # `app.mount(STATIC_PATH, ...)` stays in main.py and reads it
    assert placement[at["app.mount"]] == MAIN  # it reads a name main.py binds, and nothing imports main.py
    assert placement[at["if FLAG:"]] == Destination.root("app_setup")  # the last block: core and imports only


def test_an_import_between_two_setup_blocks_ends_the_run(tmp_path: Path) -> None:
    """From app_setup.py's header the import would run before the first block: each block gets its own module,
    and main.py keeps the import between them."""
    block = "if FLAG:\n    try:\n        app.include_router({0})\n{1}    except RuntimeError:\n        print('no')\n\n"
    prints = "".join(f"        print({i})\n" for i in range(6))
    source = "from fastapi import FastAPI\n\nfrom extras import a_router\n\nFLAG = True\napp = FastAPI()\n\n"
    source += '@app.get("/items")\ndef items():\n    return []\n\n\n'
    source += '@app.get("/items/{i}")\ndef item(i: int):\n    return i\n\n'
    source += block.format("a_router", prints) + "from extras import b_router\n\n" + block.format("b_router", prints)
    (tmp_path / "pyproject.toml").write_text("[tool.splitter]\nmain_max_lines = 5\n")
    (tmp_path / "main.py").write_text(source)
    placement = plan_project(load_project(tmp_path / "main.py")).placement()
    first, second = sorted(n for n in placement if n.startswith("@"))
    assert {placement[first], placement[second]} == {Destination.root("app_setup"), Destination.root("app_setup_2")}
