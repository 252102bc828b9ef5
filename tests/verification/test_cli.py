"""snapshot/verify command functions (direct calls and through a typer app) and verify_around."""

from __future__ import annotations

import json
import shlex
import sys

import pytest
import typer
from typer.testing import CliRunner
from verification_support import ITEM_BY_ID, ITEMS_ME, MONOLITH, SPLIT, USERS, app_source, write_project

from splitter.errors import SplitterError
from splitter.verification.verify_apply import VerificationFailed, verify_around
from splitter.verify_command import snapshot_command, verify_command


def typer_app() -> typer.Typer:
    """Registered the way splitter/cli.py registers them."""
    app = typer.Typer()
    app.command("snapshot")(snapshot_command)
    app.command("verify")(verify_command)
    return app


def test_snapshot_command_writes_snapshot_and_contract_test(tmp_path, capsys):
    write_project(tmp_path, {"main.py": MONOLITH})
    out = tmp_path / "before.json"
    snapshot_command("main:app", out=out, cwd=tmp_path, emit_contract_test=tmp_path / "tests")
    snapshot = json.loads(out.read_text())
    assert "/items/me" in [r["path"] for r in snapshot["routes"]]
    assert (tmp_path / "tests" / "test_api_contract.py").is_file()
    assert json.loads((tmp_path / "tests" / "api_contract_snapshot.json").read_text()) == snapshot
    assert f"wrote {out}" in capsys.readouterr().out


def test_verify_against_snapshot_file(tmp_path, capsys):
    write_project(tmp_path, {"main.py": MONOLITH})
    snapshot_command("main:app", out=tmp_path / "before.json", cwd=tmp_path)
    capsys.readouterr()
    write_project(tmp_path, {"main.py": SPLIT})
    verify_command("main:app", against=str(tmp_path / "before.json"), cwd=tmp_path, format="json")
    data = json.loads(capsys.readouterr().out)
    assert data["verify"]["has_breaking"] is False
    assert data["verify"]["counts"]["cosmetic"] == 1


def test_verify_exits_1_on_breaking_findings(tmp_path, capsys):
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME, ITEM_BY_ID)})
    snapshot_command("main:app", out=tmp_path / "before.json", cwd=tmp_path)
    write_project(tmp_path, {"main.py": app_source(ITEM_BY_ID, ITEMS_ME)})
    with pytest.raises(typer.Exit) as caught:
        verify_command("main:app", against="before.json", cwd=tmp_path)  # relative to cwd
    assert caught.value.exit_code == 1
    assert "route-order-changed" in capsys.readouterr().out


def test_verify_rejects_unknown_format_and_bad_snapshot_file(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH, "broken.json": "{not json"})
    with pytest.raises(SplitterError, match="unknown format 'yaml'"):
        verify_command("main:app", against="HEAD", cwd=tmp_path, format="yaml")
    with pytest.raises(SplitterError, match="not a snapshot JSON file"):
        verify_command("main:app", against="broken.json", cwd=tmp_path)


def test_commands_work_through_typer(tmp_path):
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME, USERS)})
    runner = CliRunner()
    out = tmp_path / "snap.json"
    snapshot = runner.invoke(typer_app(), ["snapshot", "main:app", "-o", str(out), "--cwd", str(tmp_path)])
    assert snapshot.exit_code == 0, snapshot.output
    unchanged = runner.invoke(typer_app(), ["verify", "main:app", "--against", str(out), "--cwd", str(tmp_path)])
    assert unchanged.exit_code == 0, unchanged.output
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME)})
    broken = runner.invoke(
        typer_app(), ["verify", "main:app", "--against", str(out), "--cwd", str(tmp_path), "--format", "json"]
    )
    assert broken.exit_code == 1
    assert json.loads(broken.output)["verify"]["has_breaking"] is True


TAGGED_ME = ITEMS_ME.replace("response_model=Item)", 'response_model=Item, tags=["items"])')


def test_allow_tags_flag_reaches_compare(tmp_path, capsys):
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME)})
    snapshot_command("main:app", out=tmp_path / "before.json", cwd=tmp_path)
    write_project(tmp_path, {"main.py": app_source(TAGGED_ME)})
    capsys.readouterr()
    verify_command("main:app", against="before.json", cwd=tmp_path, format="json", allow_tags=True)
    assert json.loads(capsys.readouterr().out)["verify"]["counts"] == {"breaking": 0, "non-breaking": 0, "cosmetic": 1}


class Recorder:
    """action/rollback pair that rewrites main.py and restores it."""

    def __init__(self, project, new_source):
        self.main = project / "main.py"
        self.original = self.main.read_text()
        self.new_source = new_source
        self.calls = []

    def action(self):
        self.calls.append("action")
        self.main.write_text(self.new_source)

    def rollback(self):
        self.calls.append("rollback")
        self.main.write_text(self.original)


def test_verify_around_keeps_a_safe_change(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    change = Recorder(tmp_path, SPLIT)
    report = verify_around("main:app", tmp_path, None, change.action, change.rollback, None)
    assert change.calls == ["action"]
    assert not report.has_breaking
    assert (tmp_path / "main.py").read_text() == SPLIT


def test_verify_around_rolls_back_a_breaking_change(tmp_path):
    write_project(tmp_path, {"main.py": app_source(ITEMS_ME, ITEM_BY_ID)})
    change = Recorder(tmp_path, app_source(ITEM_BY_ID, ITEMS_ME))
    with pytest.raises(VerificationFailed) as caught:
        verify_around("main:app", tmp_path, None, change.action, change.rollback, None)
    assert change.calls == ["action", "rollback"]
    assert "\n" not in caught.value.message
    assert [f.kind for f in caught.value.report.of_severity("breaking")] == ["route-order-changed"]
    assert (tmp_path / "main.py").read_text() == change.original


def test_verify_around_rolls_back_on_test_regression(tmp_path):
    # Same API, but a behaviour the project's test checks changed.
    changed = MONOLITH.replace("return []", 'return ["surprise"]')
    write_project(
        tmp_path,
        {
            "main.py": MONOLITH,
            "test_main.py": "import main\n\ndef test_users_empty():\n    assert main.list_users() == []\n",
        },
    )
    change = Recorder(tmp_path, changed)
    test_cmd = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"
    with pytest.raises(VerificationFailed) as caught:
        verify_around("main:app", tmp_path, None, change.action, change.rollback, test_cmd)
    assert change.calls == ["action", "rollback"]
    regressions = [f for f in caught.value.report.findings if f.kind == "test-regression"]
    assert [f.location for f in regressions] == ["test_main::test_users_empty"]


def test_verify_around_rolls_back_when_the_changed_app_cannot_be_imported(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    change = Recorder(tmp_path, "import missing_after_split_xyz\n")
    with pytest.raises(SplitterError, match="missing_after_split_xyz"):
        verify_around("main:app", tmp_path, None, change.action, change.rollback, None)
    assert change.calls == ["action", "rollback"]
    assert (tmp_path / "main.py").read_text() == MONOLITH
