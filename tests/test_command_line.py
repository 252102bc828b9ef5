"""The command line as other Python tools behave: --version, -m, -q, '-' for stdio, --check, json, git safety."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter import __version__, console
from splitter.cli import app
from splitter.planning.plan_io import plan_from_json
from splitter.verification.findings import BREAKING, Finding, Report

runner = CliRunner()

MONOLITH = '''"""A small app."""

from fastapi import FastAPI

app = FastAPI()


def helper():
    return 1


@app.get("/v1/items")
def list_items():
    return [helper()]


@app.get("/v1/items/{item_id}")
def get_item(item_id: int):
    return {"id": item_id}


@app.get("/v1/users")
def list_users():
    return [helper()]


@app.get("/v1/users/me")
def me():
    return {"me": True}
'''


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def snapshot_tree(root: Path) -> dict[str, bytes]:
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts]
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(MONOLITH)
    return tmp_path


@pytest.fixture
def repo(project: Path) -> Path:
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "monolith")
    return project


def test_version_and_python_dash_m(project: Path) -> None:
    assert runner.invoke(app, ["--version"]).output.strip() == f"splitter {__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "splitter", "plan", str(project / "main.py"), "-q"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # -q: nothing but warnings, and this monolith has none
    helped = subprocess.run([sys.executable, "-m", "splitter", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "apply" in helped.stdout


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["plan", "X"], id="plan"),
        pytest.param(["apply", "X"], id="apply"),
        pytest.param(["snapshot", "main:app", "-o", "x.json"], id="snapshot"),
        pytest.param(["verify", "main:app", "--against", "HEAD"], id="verify"),
    ],
)
def test_every_command_takes_quiet_and_verbose(command: list[str]) -> None:
    helped = runner.invoke(app, [command[0], "--help"])
    assert "--quiet" in helped.output and "-q" in helped.output
    assert "--verbose" in helped.output and "-v" in helped.output


def test_plan_to_stdout_feeds_apply_from_stdin(repo: Path) -> None:
    planned = runner.invoke(app, ["plan", str(repo / "main.py"), "-o", "-"])
    assert planned.exit_code == 0, planned.output
    plan = plan_from_json(json.loads(planned.stdout))
    assert sorted(g.name for g in plan.groups) == ["items", "users"]
    assert not (repo / "-").exists()
    edited = json.loads(planned.stdout)
    edited["groups"][0]["name"] = "catalog"
    from_stdin = runner.invoke(
        app, ["apply", str(repo / "main.py"), "--plan", "-", "--dry-run"], input=json.dumps(edited)
    )
    assert from_stdin.exit_code == 0, from_stdin.output
    assert "b/routers/catalog.py" in from_stdin.stdout and "routers/items.py" not in from_stdin.stdout


@pytest.mark.parametrize("extra", [pytest.param([], id="check"), pytest.param(["--dry-run"], id="check-dry-run")])
def test_check_never_writes_and_exits_1_only_while_changes_are_due(repo: Path, extra: list[str]) -> None:
    before = snapshot_tree(repo)
    due = runner.invoke(app, ["apply", str(repo / "main.py"), "--check", *extra])
    assert due.exit_code == 1, due.output
    assert snapshot_tree(repo) == before
    due_even_with_yes = runner.invoke(app, ["apply", str(repo / "main.py"), "--check", "--yes", *extra])
    assert due_even_with_yes.exit_code == 1 and snapshot_tree(repo) == before
    assert runner.invoke(app, ["apply", str(repo / "main.py"), "--yes"]).exit_code == 0
    done = runner.invoke(app, ["apply", str(repo / "main.py"), "--check", *extra])
    assert done.exit_code == 0, done.output


def test_refuses_to_write_outside_git_unless_forced(project: Path) -> None:
    before = snapshot_tree(project)
    refused = runner.invoke(app, ["apply", str(project / "main.py"), "--yes"])
    assert refused.exit_code == 2 and "not inside a git repository" in refused.output and "--force" in refused.output
    assert snapshot_tree(project) == before
    forced = runner.invoke(app, ["apply", str(project / "main.py"), "--yes", "--force"])
    assert forced.exit_code == 0, forced.output
    assert (project / "routers" / "items.py").exists()


def test_inside_git_says_how_to_undo_and_the_command_does(repo: Path) -> None:
    before = snapshot_tree(repo)
    result = runner.invoke(app, ["apply", str(repo / "main.py"), "--yes"])
    assert result.exit_code == 0, result.output
    undo = next(line for line in result.output.splitlines() if line.startswith("to undo: "))
    assert snapshot_tree(repo) != before
    subprocess.run(undo.removeprefix("to undo: "), shell=True, check=True)
    assert snapshot_tree(repo) == before


def test_json_output_of_plan_apply_and_verify_share_one_envelope(repo: Path) -> None:
    planned = json.loads(runner.invoke(app, ["plan", str(repo / "main.py"), "--format", "json"]).stdout)
    assert planned["command"] == "plan" and planned["ok"] is True and planned["schema"] == 1
    assert [g["router_module"] for g in planned["plan"]["groups"]] == ["routers/items.py", "routers/users.py"]
    snapshot = runner.invoke(app, ["snapshot", "main:app", "-o", "-", "--cwd", str(repo)])
    assert snapshot.exit_code == 0, snapshot.output
    checked = json.loads(runner.invoke(app, ["apply", str(repo / "main.py"), "--check", "--format", "json"]).stdout)
    assert checked["ok"] is False and checked["written"] is False and checked["files"]  # changes are due
    applied = runner.invoke(app, ["apply", str(repo / "main.py"), "--yes", "--format", "json"])
    document = json.loads(applied.stdout)
    assert document["command"] == "apply" and document["written"] is True
    assert {f["path"]: f["status"] for f in document["files"]}["routers/items.py"] == "created"
    assert document["plan"] == planned["plan"]
    verified = runner.invoke(
        app,
        ["verify", "main:app", "--against", "-", "--cwd", str(repo), "--format", "json"],
        input=json.loads(json.dumps(snapshot.stdout)),
    )
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["command"] == "verify" and report["ok"] is True and report["verify"]["has_breaking"] is False


def test_format_is_the_output_format_and_formatter_the_code_formatter(repo: Path) -> None:
    wrong = runner.invoke(app, ["apply", str(repo / "main.py"), "--dry-run", "--format", "ruff"])
    assert wrong.exit_code == 2 and "--formatter" in wrong.output
    formatted = runner.invoke(app, ["apply", str(repo / "main.py"), "--dry-run", "--formatter", "ruff"])
    assert formatted.exit_code == 0, formatted.output


def test_summary_markdown_names_groups_symbols_and_verification(repo: Path) -> None:
    summary = repo.parent / "pr.md"
    result = runner.invoke(app, ["apply", str(repo / "main.py"), "--yes", "--summary", str(summary)])
    assert result.exit_code == 0, result.output
    text = summary.read_text()
    assert "| items | /v1/items | 2 | `routers/items.py` |" in text
    assert "`list_users`" in text and "`helper`" in text
    assert "### Verification" in text and "Not run" in text


def test_verify_rollback_prints_every_finding_like_verify(repo: Path, monkeypatch) -> None:
    from splitter.verification.verify_apply import VerificationFailed

    report = Report(
        [
            Finding("route-removed", BREAKING, "no longer served", "GET /v1/items"),
            Finding("route-order-changed", BREAKING, "now matched after /v1/{x}", "GET /v1/users/me"),
        ]
    )

    def fail(preview, *args, **kwargs):
        raise VerificationFailed(report)

    monkeypatch.setattr("splitter.verification.verify_apply.apply_with_verification", fail)
    before = snapshot_tree(repo)
    result = runner.invoke(app, ["apply", str(repo / "main.py"), "--yes", "--verify", "main:app"])
    assert result.exit_code == 2
    rows = [line.split() for line in result.stdout.splitlines()]
    for finding in report.findings:
        assert any(row[:3] == [finding.severity, finding.kind, *finding.location.split()[:1]] for row in rows), rows
        assert finding.message in result.stdout
    assert "rolled back" in result.output
    assert snapshot_tree(repo) == before


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "no_color", "coloured"),
    [
        pytest.param(Terminal, "", True, id="terminal"),
        pytest.param(Terminal, "1", False, id="terminal-NO_COLOR"),
        pytest.param(io.StringIO, "", False, id="piped"),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(monkeypatch, stream, no_color: str, coloured: bool) -> None:
    monkeypatch.setenv("NO_COLOR", no_color)
    captured = stream()
    monkeypatch.setattr(sys, "stdout", captured)
    console.set_verbosity(False, False)
    console.say("warnings (1):", style="yellow")
    console.print_table(console.table(["group", "routes"], [["items", "2"]], numeric=(1,)))
    text = captured.getvalue()
    assert ("\x1b[33m" in text) is coloured  # yellow; NO_COLOR still allows bold (no-color.org)
    assert "items" in text
    if stream is io.StringIO:
        assert "\x1b[" not in text
        assert all(line == line.rstrip() for line in text.splitlines())


def test_routers_package_lists_its_routers_also_after_a_second_wave(repo: Path) -> None:
    assert runner.invoke(app, ["apply", str(repo / "main.py"), "--yes", "--only", "items"]).exit_code == 0
    assert "- items (/v1/items)" in (repo / "routers" / "__init__.py").read_text()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "wave 1")
    assert runner.invoke(app, ["apply", str(repo / "main.py"), "--yes"]).exit_code == 0
    listing = (repo / "routers" / "__init__.py").read_text()
    assert "- items (/v1/items)" in listing and "- users (/v1/users)" in listing


def test_verified_apply_reports_the_verification_in_output_and_summary(repo: Path) -> None:
    summary = repo.parent / "pr.md"
    result = runner.invoke(
        app,
        [
            "apply",
            str(repo / "main.py"),
            "--yes",
            "--verify",
            "main:app",
            "--python",
            sys.executable,
            "--summary",
            str(summary),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "verified main:app: no breaking change" in result.output
    assert "`main:app`: routes, route order, OpenAPI document, middleware and handlers unchanged" in summary.read_text()
    assert (repo / "routers" / "items.py").exists()


def test_pre_commit_hook_entry_fails_while_a_split_is_due(repo: Path) -> None:
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    entry = next(line.split(":", 1)[1].split() for line in hooks.splitlines() if line.strip().startswith("entry:"))
    assert entry[:3] == ["splitter", "apply", "--check"] and "id: splitter-check" in hooks
    due = runner.invoke(app, [*entry[1:], str(repo / "main.py")])
    assert due.exit_code == 1 and due.output == ""  # --quiet: the exit status says it
    assert runner.invoke(app, ["apply", str(repo / "main.py"), "--yes"]).exit_code == 0
    assert runner.invoke(app, [*entry[1:], str(repo / "main.py")]).exit_code == 0


def test_a_monolith_named_through_a_linked_folder_splits_as_through_the_real_one(repo: Path, tmp_path_factory) -> None:
    """git names the repository by its real folder: a path through a symbolic link (`/home/me/repo` ->
    `/data/repo`) must still lie below it, for plan and apply alike (it crashed with a ValueError)."""
    (repo / "test_main.py").write_text("import main\n\n\ndef test_helper():\n    assert main.helper() == 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tests")
    linked = tmp_path_factory.mktemp("elsewhere") / "linked"
    linked.symlink_to(repo, target_is_directory=True)
    through_link = runner.invoke(app, ["plan", str(linked / "main.py"), "-o", "-"])
    direct = runner.invoke(app, ["plan", str(repo / "main.py"), "-o", "-"])
    assert through_link.exit_code == 0, through_link.output
    assert plan_from_json(json.loads(through_link.stdout)) == plan_from_json(json.loads(direct.stdout))
    direct_diff = runner.invoke(app, ["apply", str(repo / "main.py"), "--dry-run"]).stdout
    applied = runner.invoke(app, ["apply", str(linked / "main.py"), "--yes"])
    assert applied.exit_code == 0, applied.output
    assert "main.py" in direct_diff and (repo / "routers").is_dir()
    assert "routers" in (repo / "main.py").read_text()


def test_dry_run_says_the_warnings_on_stderr_and_keeps_stdout_a_diff(repo: Path) -> None:
    (repo / "main.py").write_text(MONOLITH + "\n\ndef register_extra(app):\n    pass\n\n\nregister_extra(app)\n")
    git(repo, "commit", "-qam", "a call that receives the app")
    preview = runner.invoke(app, ["apply", str(repo / "main.py"), "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "registration-call" in preview.stderr and "register_extra" in preview.stderr
    assert preview.stdout.startswith("diff --git ") and "warning" not in preview.stdout


def test_the_preview_is_the_same_however_the_monolith_is_named(repo: Path, monkeypatch) -> None:
    """Relative, absolute or through `..`: one diff and one file list, in the order of the paths shown."""
    (repo / "tests").mkdir()
    (repo / "tests" / "test_main.py").write_text("import main\n\n\ndef test_helper():\n    assert main.helper() == 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tests")
    monkeypatch.chdir(repo)
    named = {"relative": "main.py", "absolute": str(repo / "main.py"), "through ..": "tests/../main.py"}
    diffs = {how: runner.invoke(app, ["apply", path, "--dry-run"]).stdout for how, path in named.items()}
    lists = {how: runner.invoke(app, ["apply", path, "--check"]).stdout for how, path in named.items()}
    assert diffs["relative"] == diffs["absolute"] == diffs["through .."] and "tests/test_main.py" in diffs["absolute"]
    assert lists["relative"] == lists["absolute"] == lists["through .."]
    shown = [line.split()[1] for line in lists["absolute"].splitlines()[2:] if line.split()]
    assert shown == sorted(shown) and "tests/test_main.py" in shown


def test_the_plan_says_what_the_monolith_keeps_by_its_own_name(tmp_path: Path) -> None:
    monolith = tmp_path / "server.py"
    monolith.write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/items')\ndef items():\n    return []\n"
    )
    planned = runner.invoke(app, ["plan", str(monolith)])
    assert planned.exit_code == 0, planned.output
    assert "server.py keeps: app creation" in planned.output and "main.py" not in planned.output


REFERENCE = "import main\n\n\ndef test_helper():\n    assert main.helper() == 1\n"


@pytest.mark.parametrize(
    ("options", "pyproject"),
    [
        pytest.param(["--exclude", "legacy"], "", id="option-naming-a-folder"),
        pytest.param(["--exclude", "legacy/*.py"], "", id="option-glob"),
        pytest.param([], '[tool.splitter]\nexclude = ["legacy/*"]\n', id="pyproject"),
    ],
)
def test_excluded_files_keep_their_references_and_the_plan_says_so(
    tmp_path: Path, options: list[str], pyproject: str
) -> None:
    (tmp_path / "main.py").write_text(MONOLITH)
    (tmp_path / "tests").mkdir()
    (tmp_path / "legacy").mkdir()
    for folder in ("tests", "legacy"):
        (tmp_path / folder / "test_main.py").write_text(REFERENCE)
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "monolith")
    planned = runner.invoke(app, ["plan", str(tmp_path / "main.py"), "--out", "-", *options])
    assert planned.exit_code == 0, planned.output
    plan = plan_from_json(json.loads(planned.stdout), "-")
    assert plan.settings["exclude"] == [options[1] if options else "legacy/*"]
    (tmp_path / "plan.json").write_text(planned.stdout)
    applied = runner.invoke(app, ["apply", str(tmp_path / "main.py"), "--plan", str(tmp_path / "plan.json"), "--yes"])
    assert applied.exit_code == 0, applied.output
    assert (tmp_path / "legacy" / "test_main.py").read_text() == REFERENCE
    assert (tmp_path / "tests" / "test_main.py").read_text() != REFERENCE  # reaches `helper` where it lives now


def test_an_exclude_setting_that_is_not_a_list_of_globs_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(MONOLITH)
    (tmp_path / "pyproject.toml").write_text('[tool.splitter]\nexclude = "legacy"\n')
    result = runner.invoke(app, ["plan", str(tmp_path / "main.py")])
    assert result.exit_code == 2
    assert "[tool.splitter] exclude must be a list of globs" in result.output
