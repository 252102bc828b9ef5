"""The emitted contract test passes for the recorded app and fails once the API changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from verification_support import ITEM_BY_ID, ITEMS_ME, MONOLITH, SPLIT, USERS, app_source, write_project

from splitter.verification.contract import emit_contract_test
from splitter.verification.runner import take_snapshot

SRC = Path(__file__).resolve().parents[2] / "src"


def run_pytest(test_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_dir)],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def emit(project: Path) -> list[Path]:
    snapshot = take_snapshot("main:app", project)
    return emit_contract_test("main:app", snapshot, project / "tests", project_root=project)


def test_emits_test_file_and_snapshot(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    written = emit(tmp_path)
    assert [p.name for p in written] == ["test_api_contract.py", "api_contract_snapshot.json"]
    assert all(p.parent == tmp_path / "tests" for p in written)
    compile(written[0].read_text(), str(written[0]), "exec")


def test_contract_holds_for_the_recorded_app_and_a_correct_split(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    emit(tmp_path)
    # run from elsewhere: the test finds the project root on its own
    assert run_pytest(tmp_path / "tests", cwd=tmp_path.parent).returncode == 0
    write_project(tmp_path, {"main.py": SPLIT})
    result = run_pytest(tmp_path / "tests", cwd=tmp_path.parent)
    assert result.returncode == 0, result.stdout


def test_contract_fails_when_a_route_is_dropped_or_reordered(tmp_path):
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME, ITEM_BY_ID, USERS)})
    emit(tmp_path)
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME, ITEM_BY_ID)})
    dropped = run_pytest(tmp_path / "tests", cwd=tmp_path)
    assert dropped.returncode == 1
    assert "route-removed" in dropped.stdout
    write_project(tmp_path, {"main.py": app_source(ITEM_BY_ID, ITEMS_ME, USERS)})
    reordered = run_pytest(tmp_path / "tests", cwd=tmp_path)
    assert reordered.returncode == 1
    assert "route-order-changed" in reordered.stdout


def test_contract_fails_on_non_breaking_additions_too(tmp_path):
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME)})
    emit(tmp_path)
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME, USERS)})
    result = run_pytest(tmp_path / "tests", cwd=tmp_path)
    assert result.returncode == 1
    assert "path-added" in result.stdout


def test_contract_without_splitter_fails_with_an_install_hint(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    emit(tmp_path)
    # sys.modules["splitter"] = None makes `import splitter...` fail even where splitter is installed.
    hide_splitter = (
        "import sys; sys.modules['splitter'] = None; import pytest; "
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', {str(tmp_path / 'tests')!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", hide_splitter],
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "pip install splitter" in result.stdout


CONFTEST_APP = """import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
def items():
    return []


@app.api_route("/multi", methods=["GET", "POST", "PUT", "DELETE"])
def multi():
    return {}


if os.environ.get("EXTRA_ROUTES"):

    @app.get("/debug")
    def debug():
        return {}
"""


def test_contract_emitted_by_the_cli_passes_in_the_projects_own_test_run(tmp_path):
    from typer.testing import CliRunner

    from splitter.cli import app

    # conftest.py changes the app (an environment switch) and the multi-method route's operationId depends on
    # the hash seed: the recorded contract must be what the project's own test run sees, every time.
    conftest = 'import os\n\nos.environ["EXTRA_ROUTES"] = "1"\n'
    write_project(tmp_path, {"main.py": CONFTEST_APP, "tests/conftest.py": conftest})
    result = CliRunner().invoke(
        app,
        [
            "snapshot",
            "main:app",
            "-o",
            str(tmp_path / "s.json"),
            "--cwd",
            str(tmp_path),
            "--emit-contract-test",
            str(tmp_path / "tests"),
        ],
    )
    assert result.exit_code == 0, result.output
    for seed in ("1", "2"):
        env_seed = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
            cwd=tmp_path,
            env={**env_seed, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout
    write_project(tmp_path, {"tests/conftest.py": "\n"})  # without the switch /debug is gone: the contract fails
    broken = run_pytest(tmp_path / "tests", cwd=tmp_path)
    assert broken.returncode == 1 and "/debug" in broken.stdout
