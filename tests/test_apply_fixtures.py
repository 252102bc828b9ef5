"""End to end on the realistic fixtures: split, then the project's own suite, ruff, sizes and idempotency."""

from __future__ import annotations

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
CASES = {
    "shopapi": "shopapi/main.py",
    "notes_backend": "main.py",
    "inventory_src": "src/inventory/api/server.py",
}
runner = CliRunner()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def copy_fixture(name: str, tmp_path: Path) -> Path:
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    git(repo, "init", "-q")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "before")
    return repo


def run_suite(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )


def split(repo: Path, monolith: str, *extra: str):
    return runner.invoke(app, ["apply", str(repo / monolith), "--yes", *extra])


APPS = {  # what each fixture serves: module:app, and the folder it is imported from
    "shopapi": ("shopapi.main:app", "."),
    "notes_backend": ("main:app", "."),
    "inventory_src": ("inventory.api.server:app", "src"),
}
SNAPSHOTS: dict[str, tuple[dict, dict]] = {}  # name -> (before, after)


def snapshot(repo: Path, name: str) -> dict:
    target, folder = APPS[name]
    return take_snapshot(target, repo / folder, sys.executable, [repo / folder])


@pytest.fixture(scope="module", params=sorted(CASES))
def split_fixture(request, tmp_path_factory):
    name = request.param
    repo = copy_fixture(name, tmp_path_factory.mktemp("split"))
    before = snapshot(repo, name)
    git(repo, "clean", "-qfdx")
    result = split(repo, CASES[name])
    assert result.exit_code == 0, result.output
    SNAPSHOTS[name] = (before, snapshot(repo, name))
    return name, repo


def test_split_serves_the_same_openapi_routes_and_middleware(split_fixture):
    """OpenAPI document (schema names included), route table in matching order, middleware and handlers."""
    name, _repo = split_fixture
    before, after = SNAPSHOTS[name]
    report = compare(before, after)
    assert not [f for f in report.findings if f.severity != "cosmetic"], report.to_text()


def test_fixture_suite_passes_after_split(split_fixture):
    name, repo = split_fixture
    done = run_suite(repo)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_generated_code_is_ruff_clean_and_small(split_fixture):
    name, repo = split_fixture
    changed = [repo / line[3:] for line in git(repo, "status", "--porcelain", "-uall").splitlines()]
    python_files = [p for p in changed if p.suffix == ".py" and "tests" not in p.parts]
    assert len(python_files) > 5
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401,F811,F821", *map(str, python_files)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    for path in python_files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
        assert path.read_text(encoding="utf-8").count("\n") < 500, path
    assert (repo / CASES[name]).read_text(encoding="utf-8").count("\n") < 200


def test_apply_on_its_own_output_changes_nothing(split_fixture):
    name, repo = split_fixture
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "after")
    again = runner.invoke(app, ["apply", str(repo / CASES[name]), "--dry-run", "--check"])
    assert again.exit_code == 0, again.output
    assert again.output == ""


def test_dry_run_patch_applied_with_git_equals_real_apply(tmp_path):
    planned = copy_fixture("notes_backend", tmp_path / "a")
    real = copy_fixture("notes_backend", tmp_path / "b")
    dry = runner.invoke(app, ["apply", str(planned / "main.py"), "--dry-run"])
    assert dry.exit_code == 0 and dry.output.startswith("diff --git")
    assert git(planned, "status", "--porcelain") == ""  # a dry run writes nothing
    subprocess.run(["git", "apply", "-"], cwd=planned, input=dry.output, text=True, check=True)
    assert split(real, "main.py").exit_code == 0
    files_a = {p.relative_to(planned): p.read_text() for p in planned.rglob("*.py")}
    files_b = {p.relative_to(real): p.read_text() for p in real.rglob("*.py")}
    assert files_a == files_b


PAGE_BREAKS = (FIXTURES / "edge" / "page_breaks.py").read_text(encoding="utf-8")
TEST_OF_PAGE_BREAKS = """import main


def test_joined(monkeypatch):
    monkeypatch.setattr(main, "SEPARATOR", "-")
    assert main.joined(["a", "b"]) == "a-b"
"""


@pytest.mark.parametrize(
    ("line_end", "bom"),
    [
        pytest.param("\n", "", id="form feeds"),
        pytest.param("\r\n", "", id="CRLF"),
        pytest.param("\n", "\ufeff", id="byte order mark"),  # read as not Python; the monolith lost it
    ],
)
def test_dry_run_patch_applied_with_git_equals_the_split_whatever_the_line_ends(tmp_path, line_end, bom):
    # a diff cut at a form feed (str.splitlines does), or one against text read with CRLF turned into LF, is not a
    # patch git applies; a test retargeted after such a read was written back with LF on every line
    repos = []
    for name in ("a", "b"):
        repo = tmp_path / name
        (repo / "tests").mkdir(parents=True)
        (repo / "main.py").write_bytes((bom + PAGE_BREAKS.replace("\n", line_end)).encode("utf-8"))
        test = bom + TEST_OF_PAGE_BREAKS.replace("\n", line_end)
        (repo / "tests" / "test_main.py").write_bytes(test.encode("utf-8"))
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "before")
        repos.append(repo)
    planned, real = repos
    plan = tmp_path / "plan.json"
    made = runner.invoke(app, ["plan", str(planned / "main.py"), "--min-endpoints", "1", "--out", str(plan)])
    assert made.exit_code == 0, made.output
    dry = runner.invoke(app, ["apply", str(planned / "main.py"), "--dry-run", "--plan", str(plan)])
    assert dry.exit_code == 0 and b"\f" in dry.stdout_bytes  # the runner's `stdout` would read CRLF as LF
    subprocess.run(["git", "apply", "-"], cwd=planned, input=dry.stdout_bytes, check=True)
    assert split(real, "main.py", "--plan", str(plan)).exit_code == 0
    files_a = {p.relative_to(planned): p.read_bytes() for p in planned.rglob("*.py")}
    assert files_a == {p.relative_to(real): p.read_bytes() for p in real.rglob("*.py")}
    assert len(files_a) > 3
    test_diff = git(real, "diff", "--numstat", "--", "tests")
    assert test_diff.split()[:2] == ["3", "3"], test_diff  # the import and the two reads, nothing else
    bare_line_feeds = sorted(str(path) for path, data in files_a.items() if data.replace(b"\r\n", b"").count(b"\n"))
    assert bare_line_feeds == ([] if line_end == "\r\n" else sorted(map(str, files_a))), bare_line_feeds
    kept = [Path("main.py"), Path("tests/test_main.py")]
    assert all(files_a[path].startswith(bom.encode()) for path in kept)


def test_only_one_group_then_the_rest(tmp_path):
    repo = copy_fixture("notes_backend", tmp_path)
    first = split(repo, "main.py", "--only", "runs")
    assert first.exit_code == 0, first.output
    assert (repo / "routers" / "runs.py").exists() and not (repo / "routers" / "notes.py").exists()
    assert run_suite(repo).returncode == 0
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "wave 1")
    second = split(repo, "main.py")
    assert second.exit_code == 0, second.output
    assert (repo / "routers" / "notes.py").exists()
    done = run_suite(repo)
    assert done.returncode == 0, done.stdout[-3000:]


def test_refuses_dirty_tree_and_existing_files_without_changing_anything(tmp_path):
    repo = copy_fixture("notes_backend", tmp_path)
    (repo / "main.py").write_text((repo / "main.py").read_text() + "\n# local edit\n")
    before = {p: p.read_bytes() for p in repo.rglob("*.py")}
    refused = split(repo, "main.py")
    assert refused.exit_code == 2
    assert refused.output.strip().startswith("error:") and "--allow-dirty" in refused.output
    assert {p: p.read_bytes() for p in repo.rglob("*.py")} == before
    git(repo, "checkout", "main.py")
    (repo / "routers").mkdir()
    (repo / "routers" / "runs.py").write_text("# someone else's module\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "existing router module")
    planned = runner.invoke(app, ["plan", str(repo / "main.py"), "--out", str(tmp_path / "plan.json")])
    assert "runs_api" in planned.output and "runs_2" not in planned.output  # never a group's name, nor silent
    assert "a module `runs` exists already" in (tmp_path / "plan.json").read_text()
    edited = (tmp_path / "plan.json").read_text().replace('"name": "runs_api"', '"name": "runs"')
    (tmp_path / "plan.json").write_text(edited)
    refused = split(repo, "main.py", "--plan", str(tmp_path / "plan.json"))
    assert refused.exit_code == 2 and refused.output.count("\n") == 1, refused.output
    assert "routers/runs.py" in refused.output and "splitter did not write it" in refused.output
    assert (repo / "routers" / "runs.py").read_text() == "# someone else's module\n"


def test_a_monorepo_with_two_main_modules_only_retargets_references_to_the_split_one(tmp_path):
    repo = tmp_path / "mono"
    (repo / "svc1").mkdir(parents=True)
    (repo / "svc2").mkdir()
    (repo / "tests").mkdir()
    shutil.copyfile(FIXTURES / "edge" / "global_rebind.py", repo / "svc1" / "main.py")
    (repo / "svc2" / "main.py").write_text("ACTIVE_REGION = 'eu'\n")
    other = 'import main\n\n\ndef test_other(monkeypatch):\n    monkeypatch.setattr(main, "ACTIVE_REGION", "us")\n'
    (repo / "svc2" / "test_other.py").write_text(other)
    (repo / "tests" / "test_root.py").write_text('import sys\nsys.path.insert(0, "svc1")\n' + other)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "mono")
    result = split(repo, "svc1/main.py")
    assert result.exit_code == 0, result.output
    assert (repo / "svc2" / "test_other.py").read_text() == other  # svc2's own main: untouched
    assert (repo / "tests" / "test_root.py").read_text() != 'import sys\nsys.path.insert(0, "svc1")\n' + other
