"""Waves: plan once, then `apply --plan plan.json --only GROUP` once per pull request, committing after each.

The same plan keeps working after earlier waves moved code (its `@<line>` names included), every wave keeps the
OpenAPI document, route order and the project's tests, and the last wave ends with exactly the files a one-shot
apply writes (no shared_2.py, core_2.py or app_core.py beside the first wave's modules).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli import app
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
runner = CliRunner()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def notes_backend(folder: Path, fixture: str = "notes_backend", line_end: str = "\n") -> Path:
    shutil.copytree(FIXTURES / fixture, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    for source in folder.rglob("*.py"):  # as a Windows team commits them
        source.write_bytes(source.read_bytes().replace(b"\n", line_end.encode()))
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "the monolith")
    return folder


def apply(repo: Path, plan: Path, *only: str, monolith: str = "main.py"):
    return runner.invoke(
        app,
        [
            "apply",
            str(repo / monolith),
            "--plan",
            str(plan),
            "--yes",
            *[arg for group in only for arg in ("--only", group)],
        ],
    )


def make_plan(repo: Path, plan: Path, monolith: str = "main.py") -> None:
    result = runner.invoke(app, ["plan", str(repo / monolith), "--out", str(plan)])
    assert result.exit_code == 0, result.output


def files(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
    }


def snapshot(repo: Path) -> dict:
    return take_snapshot("main:app", repo, sys.executable, [repo])


def apply_waves(repo: Path, plan: Path, waves: list[list[str]], monolith: str = "main.py") -> None:
    """Each wave applied (exit 0 asserted) and committed, as a team does one pull request at a time."""
    for wave in waves:
        result = apply(repo, plan, *wave, monolith=monolith)
        assert result.exit_code == 0, result.output
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"split: {' '.join(wave) or 'the rest'}", "--allow-empty")


def assert_tests_pass(repo: Path) -> None:
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert suite.returncode == 0, suite.stdout[-3000:]


def every_group(plan: Path) -> list[list[str]]:
    return [[group["name"]] for group in json.loads(plan.read_text())["groups"]]


def test_waves_keep_the_app_and_end_with_the_one_shot_files(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    one_shot = notes_backend(tmp_path / "one")
    repo = notes_backend(tmp_path / "waves")
    make_plan(repo, plan)
    assert apply(one_shot, plan).exit_code == 0
    before = snapshot(repo)
    for wave in (["runs"], ["sessions", "notes"], []):
        result = apply(repo, plan, *wave)
        assert result.exit_code == 0, result.output
        assert all((repo / "routers" / f"{group}.py").exists() for group in wave)
        report = compare(before, snapshot(repo))
        assert not [f for f in report.findings if f.severity != "cosmetic"], report.to_text()
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert suite.returncode == 0, suite.stdout[-3000:]
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"split: {' '.join(wave) or 'the rest'}")
    assert files(repo) == files(one_shot)


@pytest.mark.parametrize("line_end", [pytest.param("\n", id="LF"), pytest.param("\r\n", id="CRLF")])
def test_waves_on_shopapi_end_with_the_one_shot_files_tests_and_references_included(
    tmp_path: Path, line_end: str
) -> None:
    """Waves that bring `routers/admin.py` and `services/admin.py` in different pull requests still give a test
    module importing both the aliases a one-shot apply gives them: references are rewritten from the text the
    first wave found. With CRLF, the second wave refused compat.py and core.py as edited by hand: read with LF,
    they differed from the first wave rebuilt on every line."""
    plan, monolith = tmp_path / "plan.json", "shopapi/main.py"
    one_shot = notes_backend(tmp_path / "one", "shopapi", line_end)
    repo = notes_backend(tmp_path / "waves", "shopapi", line_end)
    make_plan(repo, plan, monolith)
    assert apply(one_shot, plan, monolith=monolith).exit_code == 0
    for wave in (["orders"], ["products"], ["system"], []):
        result = apply(repo, plan, *wave, monolith=monolith)
        assert result.exit_code == 0, result.output
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"split: {' '.join(wave) or 'the rest'}")
    assert files(repo) == files(one_shot)
    ends = {name: text.replace(b"\r\n", b"").count(b"\n") == 0 for name, text in files(repo).items() if ".py" in name}
    assert set(ends.values()) == {line_end == "\r\n"}, ends  # every line of every file ends alike


def test_a_hand_edit_between_waves_is_kept(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    repo = notes_backend(tmp_path / "repo")
    make_plan(repo, plan)
    assert apply(repo, plan, "runs").exit_code == 0
    runs = repo / "routers" / "runs.py"
    runs.write_text(runs.read_text() + "\n# reviewed in the first wave's pull request\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "wave 1, reviewed")
    result = apply(repo, plan, "sessions")
    assert result.exit_code == 0, result.output
    assert runs.read_text().endswith("# reviewed in the first wave's pull request\n")
    assert (repo / "routers" / "sessions.py").exists()


def test_an_edit_to_code_the_wave_moves_is_refused_naming_the_file(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    repo = notes_backend(tmp_path / "repo")
    make_plan(repo, plan)
    assert apply(repo, plan, "runs").exit_code == 0
    main = repo / "main.py"
    text = main.read_text()
    assert "def create_session(" in text
    main.write_text(text.replace("def create_session(", "def create_session(  # edited\n    ", 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "wave 1, then an edit")
    written = files(repo)
    result = apply(repo, plan, "sessions")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "main.py" in result.output and "edited by hand" in result.output
    assert files(repo) == written


def test_a_plan_of_text_git_never_held_is_checked_against_main_as_it_is(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    repo = notes_backend(tmp_path / "repo")
    main = repo / "main.py"
    main.write_text(main.read_text() + "\n# planned, never committed\n")
    make_plan(repo, plan)
    git(repo, "checkout", "main.py")  # the same statements at the same lines: the plan still fits
    result = apply(repo, plan, "runs")
    assert result.exit_code == 0, result.output
    assert (repo / "routers" / "runs.py").exists()


def test_waves_keep_the_module_name_the_plan_was_made_for(tmp_path: Path) -> None:
    """Retargeting the `api.main` patch strings in the first wave leaves more files naming the top-level `main`:
    the second wave still splits `api.main` (UTXOracle refused its 14th wave, reading main.py as `main`)."""
    plan, monolith = tmp_path / "plan.json", "api/main.py"
    one_shot = notes_backend(tmp_path / "one", "waves_module_name")
    repo = notes_backend(tmp_path / "waves", "waves_module_name")
    make_plan(repo, plan, monolith)
    assert json.loads(plan.read_text())["module"] == "api.main"
    assert apply(one_shot, plan, monolith=monolith).exit_code == 0
    for wave in (["a"], ["b"]):
        result = apply(repo, plan, *wave, monolith=monolith)
        assert result.exit_code == 0, result.output
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert suite.returncode == 0, suite.stdout[-3000:]
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"split: {' '.join(wave)}")
    assert files(repo) == files(one_shot)


def test_a_wave_after_one_that_reflowed_a_line_it_retargeted_runs(tmp_path: Path) -> None:
    """In a ruff-formatted project the first wave reflows the patch line it made too long; the second compares
    the file with that, not with the unreflowed text, and changes the next line (pocketpaw refused its 4th wave)."""
    plan = tmp_path / "plan.json"
    one_shot = notes_backend(tmp_path / "one", "waves_reflowed_tests")
    repo = notes_backend(tmp_path / "waves", "waves_reflowed_tests")
    make_plan(repo, plan)
    assert apply(one_shot, plan).exit_code == 0
    apply_waves(repo, plan, [["a"], ["b"]])
    assert_tests_pass(repo)
    assert files(repo) == files(one_shot)


def test_a_routes_module_whose_routes_all_moved_takes_the_closing_apply(tmp_path: Path) -> None:
    """A module with no app, split as its APIRouter: once every group moved in waves its router has no routes of
    its own, only the routers it includes; the closing apply (no --only) and a repeated wave say there is nothing
    left to do instead of "holds no FastAPI app" (klangk's api.py after its tenth wave)."""
    fixture, monolith = "regressions/routes_module_beside_an_app_factory", "shop/routes.py"
    plan = tmp_path / "plan.json"
    one_shot = notes_backend(tmp_path / "one", fixture)
    repo = notes_backend(tmp_path / "waves", fixture)
    make_plan(repo, plan, monolith)
    assert apply(one_shot, plan, monolith=monolith).exit_code == 0
    groups = every_group(plan)
    apply_waves(repo, plan, groups + [[], groups[0]], monolith)
    assert files(repo) == files(one_shot)


def test_waves_of_an_app_factory_find_the_groups_still_in_it(tmp_path: Path) -> None:
    """An app factory defines its routes inside itself: a group is still to move while the factory (or a function
    its routes were taken out into) defines one of its endpoints. Read as top-level names only, every group
    looked moved after the first wave, and the second refused core.py as deleted (docmind's second wave)."""
    fixture, monolith = "regressions/app_factory_registering_its_routes", "shop/server.py"
    plan = tmp_path / "plan.json"
    one_shot = notes_backend(tmp_path / "one", fixture)
    repo = notes_backend(tmp_path / "waves", fixture)
    make_plan(repo, plan, monolith)
    assert apply(one_shot, plan, monolith=monolith).exit_code == 0
    groups = every_group(plan)
    assert len(groups) > 2
    apply_waves(repo, plan, groups + [[]], monolith)
    assert_tests_pass(repo)
    assert files(repo) == files(one_shot)


@pytest.mark.parametrize(
    ("fixture", "monolith"),
    [
        pytest.param("notes_backend", "main.py", id="an-app"),
        pytest.param("regressions/routes_module_beside_an_app_factory", "shop/routes.py", id="a-routes-module"),
        pytest.param("regressions/routes_module_of_peer_routers", "ledger/routes.py", id="peer-routers"),
        pytest.param("regressions/app_factory_registering_its_routes", "shop/server.py", id="an-app-factory"),
    ],
)
def test_check_after_the_split_finds_nothing_to_do(fixture: str, monolith: str, tmp_path: Path) -> None:
    """`apply --check` in CI once the split is committed: exit 0. A module left holding no app, router or factory
    of its own (peer routers all moved: foledger's routes.py is five lines) was refused as holding no app."""
    plan = tmp_path / "plan.json"
    repo = notes_backend(tmp_path / "repo", fixture)
    make_plan(repo, plan, monolith)
    assert apply(repo, plan, monolith=monolith).exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "split")
    checked = runner.invoke(app, ["apply", str(repo / monolith), "--plan", str(plan), "--check"])
    assert checked.exit_code == 0, checked.output
    assert git(repo, "status", "--porcelain") == ""
