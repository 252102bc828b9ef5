"""An endpoint rebinding a global with `global` holds the global in its router's module, and every helper the
group uses that reads the global with it (the router imports the services, not the other way round): tideway's
`settings`, rebound by `update_settings`, kept 17 statements, 797 lines, in routers/settings.py. When that module
passes max_lines the plan is made again with the endpoint apart from the global (planning/rebinders_apart.py),
and kept when fewer lines pass a limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from splitter.emit.apply import apply_split
from splitter.planning.planner import PlanOptions
from splitter.planning.project import load_project, plan_project

HELPERS, MAX_LINES = 12, 80


def monolith() -> str:
    helpers = "".join(
        f"\n\ndef level_{k}():\n    value = settings['level']\n    value = value + {k}\n    value = value * 2\n"
        f"    value = value - {k}\n    value = value // 2\n    return value\n"
        for k in range(HELPERS)
    )
    calls = " + ".join(f"level_{k}()" for k in range(HELPERS))
    return (
        "from fastapi import FastAPI\n\napp = FastAPI()\nsettings = {'level': 1}\n"
        + helpers
        + f"\n\n@app.get('/settings')\ndef get_settings():\n    return {{'value': {calls}}}\n"
        + "\n\n@app.put('/settings')\ndef update_settings(level: int):\n    global settings\n"
        + "    settings = {'level': level}\n    return {'level': level}\n"
        + "\n\n@app.get('/other')\ndef other():\n    return {'ok': True}\n"
    )


TEST = """\
from fastapi.testclient import TestClient

import main


def test_the_rebound_global_is_what_every_helper_reads():
    client = TestClient(main.app)
    assert client.get("/settings").json()["value"] == sum(((1 + k) * 2 - k) // 2 for k in range(12))
    client.put("/settings", params={"level": 5})
    assert client.get("/settings").json()["value"] == sum(((5 + k) * 2 - k) // 2 for k in range(12))
    assert main.settings == {"level": 5}
"""


def test_the_endpoint_lives_apart_from_the_global_and_each_module_fits(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(monolith())
    (tmp_path / "test_settings.py").write_text(TEST)
    before = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path)
    assert before.returncode == 0
    options = PlanOptions(max_lines=MAX_LINES, main_max_lines=200, min_endpoints=1)
    plan = plan_project(load_project(tmp_path / "main.py"), options)
    assert any("`update_settings` rebinds `settings` with `global` and lives apart" in w for w in plan.warnings)
    result = apply_split(tmp_path / "main.py", plan)
    moved = {p.name: t.count("\n") for p, t in result.changes.items() if p.parent.name in ("routers", "services")}
    assert moved and all(lines < MAX_LINES for lines in moved.values()), moved
    after = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path, capture_output=True, text=True
    )
    assert after.returncode == 0, after.stdout[-2000:]
