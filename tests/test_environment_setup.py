"""A monolith that sets the environment up above some of its imports (`load_dotenv(...)`, `os.environ.setdefault`):
the set-up moves to the top of core.py, above the imports that followed it there, and every module that runs one
of those imports, main.py included, imports core.py before it
(fixtures/regressions/environment_loaded_above_the_imports).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

from splitter.analysis.analyze import analyze_source
from splitter.analysis.blocks import environment_preparers
from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.project import load_project, plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "regressions" / "environment_loaded_above_the_imports"


def laid_out(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fixture"]):
        subprocess.run(git + args, check=True)
    return tmp_path


def first_line_of(path: Path, predicate) -> int:
    return next(node.lineno for node in ast.parse(path.read_text()).body if predicate(node))


def imports(module: str):
    return lambda node: isinstance(node, ast.ImportFrom) and any(a.name == module for a in node.names)


def test_the_set_up_runs_in_core_before_the_imports_that_followed_it(tmp_path: Path) -> None:
    project = laid_out(tmp_path)
    apply_split(project / "claims" / "main.py", None, ApplyOptions(module_name="claims.main"))
    core = project / "claims" / "core.py"
    set_up = first_line_of(core, lambda node: isinstance(node, ast.If) and "_env_file" in ast.unparse(node.test))
    assert set_up < first_line_of(core, imports("settings"))
    main = project / "claims" / "main.py"
    assert first_line_of(main, imports("core")) < first_line_of(main, imports("FastAPI"))
    router = project / "claims" / "routers" / "claims_api.py"
    assert first_line_of(router, imports("core")) < first_line_of(router, imports("settings"))
    assert "_env_file" not in main.read_text()


def test_waves_set_the_environment_up_from_the_first_one(tmp_path: Path) -> None:
    one_shot, waves = laid_out(tmp_path / "one"), laid_out(tmp_path / "waves")
    apply_split(one_shot / "claims" / "main.py", None, ApplyOptions(module_name="claims.main"))
    target = waves / "claims" / "main.py"
    plan = plan_project(load_project(target, "claims.main"))
    git = ["git", "-C", str(waves), "-c", "user.name=t", "-c", "user.email=t@t"]
    for number, group in enumerate(plan.groups):
        apply_split(target, plan, ApplyOptions(only=(group.name,), module_name="claims.main"))
        assert (number == 0) <= ("_env_file" in (waves / "claims" / "core.py").read_text())
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", group.name], check=True)
    for path in one_shot.rglob("*.py"):
        if ".git" not in path.parts and "__pycache__" not in path.parts:
            assert (waves / path.relative_to(one_shot)).read_bytes() == path.read_bytes(), path


def test_only_environment_set_ups_above_an_import_are_preparers() -> None:
    source = (
        "import os\n"
        "os.environ.setdefault('A', '1')\n"  # above an import: a preparer
        "import sys\n"
        "sys.path.insert(0, '.')\n"  # where modules are found: stays in main.py, as before
        "import json\n"
        "os.environ.setdefault('B', '2')\n"  # above the last import: a preparer too
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "os.environ.setdefault('C', '3')\n"  # below every import: ordinary import-time work
    )
    analysis = analyze_source(source, Path("main.py"), "main")
    lines = {analysis.units[i].first_line for i in environment_preparers(analysis)}
    assert lines == {2, 6}
