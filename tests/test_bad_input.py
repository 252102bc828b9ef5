"""Every bad input: one `error:` line, exit code 2, no traceback, and nothing on disk changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
runner = CliRunner()

SMALL = """from fastapi import FastAPI

app = FastAPI()


def helper():
    return 1


@app.get("/v1/items")
def list_items():
    return [helper()]


@app.get("/v1/users")
def list_users():
    return [helper()]
"""


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_one_error_line(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(SMALL)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("syntax_error.py", ("does not parse as Python 3.", ":19:", "run with that Python")),
        ("no_app.py", ("no FastAPI app",)),
        ("binary.py", ("binary data",)),
        ("latin1.py", ("not utf-8 text", "UTF-8")),
        ("empty.py", ("no FastAPI app",)),
        ("app_factory.py", (":11:", "`create_app()` makes the app and registers its 1 route", "not a literal")),
    ],
)
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_files_that_cannot_be_split(tmp_path: Path, name: str, fragments: tuple[str, ...], command: str) -> None:
    target = tmp_path / name
    shutil.copyfile(FIXTURES / "edge" / name, target)
    before = tree_digest(tmp_path)
    result = runner.invoke(app, [command, str(target)] + (["--yes"] if command == "apply" else []))
    assert_one_error_line(result, name, *fragments)
    assert tree_digest(tmp_path) == before


def test_missing_path_and_directory(tmp_path: Path) -> None:
    assert_one_error_line(runner.invoke(app, ["plan", str(tmp_path / "nope.py")]), "no such file")
    assert_one_error_line(runner.invoke(app, ["apply", str(tmp_path), "--yes"]), "is a directory")


@pytest.mark.parametrize(
    ("plan", "fragments"),
    [
        ("not json at all", ("not valid JSON",)),
        ('{"version": 99, "groups": []}', ("unsupported plan version",)),
        ('{"version": 1}', ("`groups` must be a list",)),
        ('{"version": 1, "groups": [{"name": "../../x", "endpoints": []}]}', ("not a valid Python identifier",)),
        ('{"version": 1, "groups": [{"name": "main", "endpoints": []}]}', ("reserved",)),
    ],
)
def test_invalid_plans(project: Path, plan: str, fragments: tuple[str, ...]) -> None:
    (project / "plan.json").write_text(plan)
    before = tree_digest(project)
    result = runner.invoke(app, ["apply", str(project / "main.py"), "--plan", str(project / "plan.json"), "--yes"])
    assert_one_error_line(result, *fragments)
    assert tree_digest(project) == before


def test_stale_plan_names_the_function_main_no_longer_defines(project: Path) -> None:
    planned = runner.invoke(app, ["plan", str(project / "main.py"), "--out", str(project / "plan.json")])
    assert planned.exit_code == 0, planned.output
    (project / "main.py").write_text(SMALL.replace("def list_users", "def all_users"))
    before = tree_digest(project)
    result = runner.invoke(app, ["apply", str(project / "main.py"), "--plan", str(project / "plan.json"), "--yes"])
    assert_one_error_line(result, "`list_users`", "does not define")
    assert tree_digest(project) == before


def test_edited_plan_that_splits_a_global_from_its_setter_is_refused(tmp_path: Path) -> None:
    """The setter binds the name with `:=`, which it cannot do through another module (a plain assignment it can:
    analysis/rebinders.py), so the two must move together."""
    source = (
        SMALL
        + """

_mode = "a"


def set_mode(value):
    global _mode
    return (_mode := value)
"""
    )
    (tmp_path / "main.py").write_text(source)
    runner.invoke(app, ["plan", str(tmp_path / "main.py"), "--out", str(tmp_path / "plan.json")])
    plan = json.loads((tmp_path / "plan.json").read_text())
    placement = {"main": plan["main"], "core": plan["core"], "shared": plan["shared"]}
    home = next(key for key, names in placement.items() if "set_mode" in names)
    placement[home].remove("set_mode")
    other = "core" if home != "core" else "shared"
    plan[other].append("set_mode")
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    before = tree_digest(tmp_path)
    result = runner.invoke(app, ["apply", str(tmp_path / "main.py"), "--plan", str(tmp_path / "plan.json"), "--yes"])
    assert_one_error_line(result, "must move together")
    assert tree_digest(tmp_path) == before


def test_unknown_only_group(project: Path) -> None:
    result = runner.invoke(app, ["apply", str(project / "main.py"), "--only", "nope", "--yes"])
    assert_one_error_line(result, "--only", "nope")


def test_plan_out_into_missing_folder_changes_nothing(project: Path) -> None:
    before = tree_digest(project)
    result = runner.invoke(app, ["plan", str(project / "main.py"), "--out", str(project / "no" / "plan.json")])
    assert_one_error_line(result, "cannot write plan")
    assert tree_digest(project) == before


def test_interrupted_write_leaves_the_tree_as_it_was(project: Path, monkeypatch) -> None:
    from splitter.emit import writer

    before = tree_digest(project)
    real_replace = os.replace
    calls = []

    def replace_then_interrupt(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        from splitter.emit.apply import ApplyOptions, apply_split

        apply_split(project / "main.py", None, ApplyOptions())
    assert len(calls) == 3
    assert tree_digest(project) == before


def test_write_failure_midway_is_one_line_and_undone(project: Path, monkeypatch) -> None:
    from splitter.emit import writer

    before = tree_digest(project)
    real_replace = os.replace
    calls = []

    def replace_then_fail(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace_then_fail)
    result = runner.invoke(app, ["apply", str(project / "main.py"), "--yes", "--force"])  # --force: no git here
    assert_one_error_line(result, "No space left on device", "nothing was changed")
    assert tree_digest(project) == before


def test_strict_turns_warnings_into_an_error(tmp_path: Path) -> None:
    shutil.copyfile(FIXTURES / "edge" / "star_import.py", tmp_path / "main.py")
    result = runner.invoke(app, ["plan", str(tmp_path / "main.py"), "--strict", "--out", str(tmp_path / "p.json")])
    assert_one_error_line(result, "star-import", "--strict")
    assert not (tmp_path / "p.json").exists()


def test_usage_mistakes_through_the_console_script_are_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).with_name("splitter")
    for args in (["plan", "--bogus", "x.py"], ["plan"], ["apply", "x.py", "--format", "yapf", "--dry-run"]):
        done = subprocess.run([str(script), *args], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, lines)


@pytest.mark.parametrize(
    ("layout", "fragments"),
    [
        pytest.param(
            {"routers_package": "main"}, ("`routers_package` is 'main'", "main.py itself"), id="named-like-main"
        ),
        pytest.param(
            {"core_module": "routers"}, ("`routers_package` and `core_module` are both 'routers'",), id="twice"
        ),
        pytest.param({"compat_module": "import"}, ("`compat_module` is 'import', a Python keyword",), id="keyword"),
    ],
)
def test_edited_layout_that_would_shadow_or_merge_modules_is_refused(project: Path, layout: dict, fragments) -> None:
    planned = runner.invoke(app, ["plan", str(project / "main.py"), "-o", "-"])
    plan = json.loads(planned.stdout)
    plan["layout"].update(layout)
    (project / "plan.json").write_text(json.dumps(plan))
    before = tree_digest(project)
    result = runner.invoke(app, ["apply", str(project / "main.py"), "--plan", str(project / "plan.json"), "--yes"])
    assert_one_error_line(result, *fragments)
    assert tree_digest(project) == before


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_monolith_declaring_another_encoding_with_non_ascii_text_is_refused(tmp_path: Path, command: str) -> None:
    # main.py would keep `coding: latin-1` over UTF-8 bytes: every non-ASCII string would change meaning
    target = tmp_path / "main.py"
    target.write_bytes(b"# -*- coding: latin-1 -*-\n" + SMALL.replace("[helper()]", "['caf\xe9']", 1).encode("latin-1"))
    before = tree_digest(tmp_path)
    result = runner.invoke(app, [command, str(target)] + (["--yes"] if command == "apply" else []))
    assert_one_error_line(result, "main.py:1:", "declares coding iso-8859-1", "save the file as UTF-8")
    assert tree_digest(tmp_path) == before


def test_a_monolith_declaring_another_encoding_over_ascii_text_is_split(tmp_path: Path) -> None:
    target = tmp_path / "main.py"
    target.write_bytes(b"# -*- coding: latin-1 -*-\n" + SMALL.encode("ascii"))
    result = runner.invoke(app, ["plan", str(target), "--min-endpoints", "1"])
    assert result.exit_code == 0, result.output
