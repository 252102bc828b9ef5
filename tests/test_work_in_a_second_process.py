"""Work done in a second process changes nothing: `plan` scans the repository while it analyses the monolith, and
`apply` retargets the repository from the relocation it expects while it builds the modules (the files it writes
are the same as retargeting afterwards, whether the guess was right or not)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from splitter.emit import apply, moved_names
from splitter.planning import project as projects
from splitter.planning.plan_io import plan_to_json_text

FIXTURES = Path(__file__).parent.parent / "fixtures"
MONOLITHS = {
    "shopapi": "shopapi/main.py",
    "notes_backend": "main.py",
    "inventory_src": "src/inventory/api/server.py",
}

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")


def split(repo: Path, name: str) -> dict[Path, str]:
    options = apply.ApplyOptions(dry_run=True, allow_dirty=True, force=True)
    return apply.apply_split(repo / MONOLITHS[name], None, options).changes


@pytest.fixture
def retargeted_here(monkeypatch) -> list[int]:
    """The processes that ran `retarget_repository` and reported back here (a child's calls stay in the child)."""
    calls: list[int] = []
    real = apply.retarget_repository

    def spy(*args, **kwargs):
        calls.append(os.getpid())
        return real(*args, **kwargs)

    monkeypatch.setattr(apply, "retarget_repository", spy)
    monkeypatch.setattr(apply, "MIN_EARLY_RETARGETING", 0)
    return calls


def copied(name: str, tmp_path: Path) -> Path:
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return repo


@pytest.mark.parametrize("name", sorted(MONOLITHS))
def test_the_early_retargeting_is_used_and_writes_what_retargeting_afterwards_writes(
    name: str, tmp_path: Path, monkeypatch, retargeted_here: list[int]
) -> None:
    repo = copied(name, tmp_path)
    monkeypatch.setenv("SPLITTER_JOBS", "1")
    afterwards = split(repo, name)
    assert retargeted_here == [os.getpid()]
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    early = split(repo, name)
    assert retargeted_here == [os.getpid()]  # the second split used the child's files
    assert early == afterwards
    if name != "inventory_src":  # its tests read only what main.py keeps (`app`)
        assert any(p.name.startswith("test_") for p in early)  # the fixture's tests were retargeted


def test_the_imports_of_early_retargeted_files_are_tidied_in_another_child(
    tmp_path: Path, monkeypatch, retargeted_here: list[int]
) -> None:
    """Tidying needs libcst: a second child forked once this process imported it does it while this one builds."""
    repo = copied("shopapi", tmp_path)
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    tidied_here: list[int] = []
    real = apply.finish_retargeting

    def spy(*args, **kwargs):
        tidied_here.append(os.getpid())  # a child's calls stay in the child
        return real(*args, **kwargs)

    monkeypatch.setattr(apply, "finish_retargeting", spy)
    changes = split(repo, "shopapi")
    assert tidied_here == [] and retargeted_here == []
    assert any(p.name.startswith("test_") for p in changes)


@pytest.mark.parametrize("name", sorted(MONOLITHS))
def test_a_wrong_guess_is_thrown_away_and_the_repository_retargeted_again(
    name: str, tmp_path: Path, monkeypatch, retargeted_here: list[int]
) -> None:
    repo = copied(name, tmp_path)
    monkeypatch.setenv("SPLITTER_JOBS", "1")
    afterwards = split(repo, name)
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    guess = moved_names.expected_relocation
    monkeypatch.setattr(moved_names, "expected_relocation", lambda *args: {**guess(*args), "nothing_moved": "x.y"})
    assert split(repo, name) == afterwards
    assert retargeted_here == [os.getpid(), os.getpid()]


def test_a_first_wave_is_retargeted_afterwards(tmp_path: Path, monkeypatch, retargeted_here: list[int]) -> None:
    """--only moves less than the plan says: no guess is made."""
    repo = copied("shopapi", tmp_path)
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    plan = apply.plan_project(apply.load_project(repo / MONOLITHS["shopapi"]))
    options = apply.ApplyOptions(dry_run=True, allow_dirty=True, only=(plan.groups[0].name,))
    assert apply.apply_split(repo / MONOLITHS["shopapi"], plan, options).changes
    assert retargeted_here == [os.getpid()]


def test_what_the_child_runs_never_imports_libcst() -> None:
    """The child starts before this process imports libcst; importing it there too would cost as much CPU as the
    overlap saves (on a busy machine, more)."""
    import sys

    code = (
        "import sys, splitter.apply_command, splitter.emit.retarget_fast, splitter.analysis.top_level_chunks;"
        "print('libcst' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("read", [True, False], ids=["read here", "read there"])
@pytest.mark.parametrize("name", sorted(MONOLITHS))
def test_plan_scans_the_repository_in_a_second_process_and_plans_the_same(
    name: str, read: bool, tmp_path: Path, monkeypatch
) -> None:
    repo = copied(name, tmp_path)
    calls: list[int] = []
    real = projects.scan_repository

    def spy(*args):
        calls.append(os.getpid())
        return real(*args)

    monkeypatch.setattr(projects, "scan_repository", spy)
    monkeypatch.setattr(projects, "MIN_SCAN_AHEAD", 0)
    monkeypatch.setattr(projects, "MIN_FILES_AHEAD", 0)
    plans = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("SPLITTER_JOBS", jobs)
        project = projects.load_project(repo / MONOLITHS[name], scan_ahead=True, read=read)
        assert (project.scanned is not None) == (jobs == "2")
        assert (project.sources is None) == (jobs == "2" and not read)
        plans.append(plan_to_json_text(projects.plan_project(project)))
    assert calls == [os.getpid()]  # the second plan used what the child scanned
    assert plans[0] == plans[1]


NAMESPACE_MONOLITH = """from fastapi import FastAPI

app = FastAPI()


def helper():
    return 1


@app.get("/items")
def items():
    return [helper()]
"""
NAMESPACE_TEST = """from unittest.mock import patch

from app.main import app


def test_items():
    with patch("app.main.helper", return_value=2):
        assert app
"""


def test_a_module_name_settled_by_the_reading_process_is_the_one_planned_with(tmp_path: Path, monkeypatch) -> None:
    """`app/main.py` without `app/__init__.py`, imported as `app.main`: only reading the tests tells the name."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(NAMESPACE_MONOLITH)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(NAMESPACE_TEST)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # the repository: tests/ is read too
    monkeypatch.setattr(projects, "MIN_FILES_AHEAD", 0)
    plans = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("SPLITTER_JOBS", jobs)
        project = projects.load_project(tmp_path / "app" / "main.py", scan_ahead=True, read=False)
        plans.append(projects.plan_project(project))
        assert project.analysis.module_name == "app.main"
    assert plans[0].module == "app.main" and "helper" in plans[0].seams
    assert plan_to_json_text(plans[0]) == plan_to_json_text(plans[1])


def test_a_guess_that_fails_leaves_the_split_as_it_was(tmp_path: Path, monkeypatch, retargeted_here: list[int]) -> None:
    repo = copied("shopapi", tmp_path)
    monkeypatch.setenv("SPLITTER_JOBS", "1")
    afterwards = split(repo, "shopapi")
    monkeypatch.setenv("SPLITTER_JOBS", "2")

    def broken(*args):
        raise KeyError("a bug in the guess")

    monkeypatch.setattr(moved_names, "expected_relocation", broken)
    assert split(repo, "shopapi") == afterwards
    assert retargeted_here == [os.getpid(), os.getpid()]


def test_a_small_repository_is_read_and_scanned_here(tmp_path: Path, monkeypatch) -> None:
    """Below a hundred files (and 100,000 characters) a fork costs more than the overlap saves."""
    repo = copied("notes_backend", tmp_path)
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    project = projects.load_project(repo / MONOLITHS["notes_backend"], scan_ahead=True, read=False)
    assert project.scanned is None and project.sources
