"""Constructs from real monoliths that once broke a split: before and after the split, the app serves the same
OpenAPI document, route table (in matching order), middleware and handlers, and the project's own tests pass.

A fixture is either one file (saved as `server.py`, its test module in the trailing docstring, see
fixtures/regressions/README.md) or a folder laid out as a small project with a `case.json` naming the monolith
and its app.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.project import load_project, plan_project
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot

REGRESSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "regressions"
CASES = sorted(p.name for p in REGRESSIONS.iterdir() if p.suffix == ".py" or (p / "case.json").is_file())


def lay_out(name: str, folder: Path) -> dict:
    """Copy the fixture into `folder`; return its case description (target file, app, extra import paths)."""
    source = REGRESSIONS / name
    if source.is_dir():
        shutil.copytree(source, folder, dirs_exist_ok=True)
        case = json.loads((folder / "case.json").read_text())
        if case.get("git"):  # the repository is what the plan reads, not just the monolith's import root
            git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t"]
            for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fixture"]):
                subprocess.run(git + args, check=True)
        return case
    text = source.read_text(encoding="utf-8")
    (folder / "server.py").write_text(text)
    docstrings = [
        n.value.value
        for n in ast.parse(text).body
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
    ]
    test_name, body = docstrings[-1].split(":\n", 1)
    (folder / test_name.strip()).write_text(body)
    return {"target": "server.py", "app": "server:app"}


def run_tests(folder: Path, case: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GREETING", "SIGNING_KEY")}
    env["PYTHONPATH"] = os.pathsep.join(str(folder / p) for p in case.get("paths", ["."]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a rewritten module can keep the original's size and mtime second
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def snapshot(folder: Path, case: dict) -> dict:
    return take_snapshot(case["app"], folder, sys.executable, [folder / p for p in case.get("paths", ["."])])


@pytest.mark.parametrize("name", CASES)
def test_split_keeps_what_clients_see_and_the_tests_pass(name: str, tmp_path: Path) -> None:
    case = lay_out(name, tmp_path)
    before_tests = run_tests(tmp_path, case)
    assert before_tests.returncode == 0, before_tests.stdout[-2000:]
    before = snapshot(tmp_path, case)
    result = apply_split(tmp_path / case["target"], None, ApplyOptions(module_name=case.get("module")))
    assert any(p.parent.name == "routers" for p in result.changes)  # it really was split
    for path, text in result.changes.items():
        compile(text, str(path), "exec")
    report = compare(before, snapshot(tmp_path, case))
    assert not report.findings, [f.message for f in report.findings]
    after_tests = run_tests(tmp_path, case)
    assert after_tests.returncode == 0, after_tests.stdout[-3000:]


@pytest.mark.parametrize("name", CASES)
def test_the_split_module_split_again_changes_nothing(name: str, tmp_path: Path) -> None:
    """A second run finds nothing to do, as a codemod run until nothing changes must: pingpong's second run
    split its one-route app once the sub-app it had split held only included routers, and tideway's moved a
    statement the first run kept in main.py (it reads a name imported from a router) into an app_core.py."""
    case = lay_out(name, tmp_path)
    target = tmp_path / case["target"]
    first = apply_split(target, None, ApplyOptions(module_name=case.get("module")))
    assert first.written
    options = ApplyOptions(module_name=case.get("module"), dry_run=True, allow_dirty=True)
    again = apply_split(target, None, options)
    assert [g.name for g in again.plan.groups] == []
    changed = {p: t for p, t in again.changes.items() if not p.is_file() or p.read_bytes().decode() != t}
    assert changed == {}, sorted(map(str, changed))


PYFLAKES = "F401,F811,F821,F823,RUF100"  # unused or redefined imports, undefined names, needless noqa


def pyflakes_findings(folder: Path, files: list[Path]) -> list[str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--select",
            PYFLAKES,
            "--output-format",
            "concise",
            *map(str, files),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    found = [line for line in done.stdout.splitlines() if ".py:" in line]
    return [line for line in found if " RUF100 " not in line or "unused: `F401`" in line]  # a noqa F401 we wrote


@pytest.mark.parametrize("name", CASES)
def test_split_adds_no_unused_import_and_no_undefined_name(name: str, tmp_path: Path) -> None:
    case = lay_out(name, tmp_path)
    target = tmp_path / case["target"]
    before = pyflakes_findings(tmp_path, [target])
    result = apply_split(target, None, ApplyOptions(module_name=case.get("module")))
    created = [p for p in result.changes if p != target.resolve() and p.exists()]
    findings = pyflakes_findings(tmp_path, created)
    assert created and findings == []
    # the slim main.py trades no finding for another (an F811 of the monolith must not come back as an F401)
    assert set(map(_rule_and_name, pyflakes_findings(tmp_path, [target]))) <= set(map(_rule_and_name, before))


def _rule_and_name(finding: str) -> str:
    """`server.py:12:18: F401 [*] `auth.verify_token` imported but unused` -> `F401 verify_token`."""
    rule = finding.split(": ", 1)[1].split(" ", 1)[0]
    return f"{rule} {re.findall(r'`(?:[A-Za-z0-9_]+[.])*([A-Za-z0-9_]+)`', finding)}"


@pytest.mark.parametrize("name", CASES)
def test_a_first_wave_alone_keeps_what_clients_see_and_the_tests_pass(name: str, tmp_path: Path) -> None:
    """One router per pull request: after moving only the plan's first group, main.py keeps the rest and still
    has every name that code reads (an `if TYPE_CHECKING:` block kept for annotations needs `TYPE_CHECKING`)."""
    case = lay_out(name, tmp_path)
    target = tmp_path / case["target"]
    before = snapshot(tmp_path, case)
    plan = plan_project(load_project(target, case.get("module")))
    first = plan.groups[0].name
    result = apply_split(target, plan, ApplyOptions(only=(first,), module_name=case.get("module")))
    assert any(p.parent.name == "routers" or p.parent.parent.name == "routers" for p in result.changes), first
    report = compare(before, snapshot(tmp_path, case))
    assert not report.findings, [f.message for f in report.findings]
    after_tests = run_tests(tmp_path, case)
    assert after_tests.returncode == 0, after_tests.stdout[-3000:]
