"""Snapshots at a git revision, via a temporary worktree, in a throwaway repository."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
import typer
from verification_support import CREATE_ITEM, ITEM_BY_ID, ITEMS_ME, MONOLITH, app_source, write_project

from splitter.errors import SplitterError
from splitter.verify_command import verify_command
from splitter.verification.git_snapshot import snapshot_at_revision
from splitter.verification.runner import take_snapshot


def git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    completed = subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return completed.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write_project(root, {"main.py": MONOLITH})
    commit_all(root, "monolith")
    return root


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Route every temporary directory into one place, to check that nothing is left behind."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def worktree_count(repo: Path) -> int:
    return git(repo, "worktree", "list", "--porcelain").count("worktree ")


def test_verify_against_head_finds_a_route_dropped_in_the_working_tree(repo, scratch, capsys):
    write_project(repo, {"main.py": app_source(ITEMS_ME, ITEM_BY_ID, CREATE_ITEM)})  # /users dropped
    with pytest.raises(typer.Exit) as caught:
        verify_command("main:app", against="HEAD", python=None, cwd=repo, format="text", allow_tags=False)
    assert caught.value.exit_code == 1
    output = capsys.readouterr().out
    assert "route-removed" in output and "GET /users" in output
    assert list(scratch.iterdir()) == []
    assert worktree_count(repo) == 1


def test_verify_against_head_passes_for_an_unchanged_app(repo, scratch, capsys):
    verify_command("main:app", against="HEAD", python=None, cwd=repo, format="text", allow_tags=False)
    assert capsys.readouterr().out == "verify: no differences\n"
    assert list(scratch.iterdir()) == []


def test_snapshot_at_older_revision_sees_committed_code(repo):
    write_project(repo, {"main.py": app_source(ITEMS_ME)})
    commit_all(repo, "smaller")
    old = snapshot_at_revision("main:app", repo, "HEAD~1")
    new = snapshot_at_revision("main:app", repo, "HEAD")
    assert "/users" in [r["path"] for r in old["routes"]]
    assert "/users" not in [r["path"] for r in new["routes"]]


def test_worktree_is_removed_when_the_snapshot_fails(repo, scratch):
    write_project(repo, {"main.py": "import no_such_module_at_this_revision\n"})
    commit_all(repo, "broken")
    with pytest.raises(SplitterError, match="No module named 'no_such_module_at_this_revision'"):
        snapshot_at_revision("main:app", repo, "HEAD")
    assert list(scratch.iterdir()) == []
    assert worktree_count(repo) == 1


def test_unknown_revision_is_a_clear_error(repo, scratch):
    with pytest.raises(SplitterError, match="unknown git revision 'no-such-branch'"):
        snapshot_at_revision("main:app", repo, "no-such-branch")
    assert list(scratch.iterdir()) == []


def test_project_in_a_subdirectory_with_src_layout(tmp_path):
    repo = tmp_path / "mono-repo"
    project = repo / "services" / "shop"
    project.mkdir(parents=True)
    git(repo, "init", "-q")
    write_project(project, {"src/shop/__init__.py": "", "src/shop/main.py": MONOLITH})
    commit_all(repo, "shop")
    at_head = snapshot_at_revision("shop.main:app", project, "HEAD")
    assert at_head == take_snapshot("shop.main:app", project)


def test_directory_outside_a_repository_is_an_error(tmp_path):
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(SplitterError, match="git rev-parse failed"):
        snapshot_at_revision("main:app", outside, "HEAD")
