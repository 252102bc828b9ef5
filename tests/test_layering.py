"""The package is laid out as the pipeline, and imports flow one way: a stage never imports a later one."""

import ast
from pathlib import Path

import pytest

import splitter
import splitter.codemods

PACKAGE = Path(splitter.__file__).parent
FOLDERS = {"codemods": Path(splitter.codemods.__file__).parent}
# Each stage may import itself and the stages before it; the shared utilities below are open to all.
STAGES = ["analysis", "planning", "codemods", "emit", "verification"]
UTILITIES = {"errors", "gcpause", "console", "fanout", "__init__"}


def stage_of(module: str) -> str:
    """'splitter.emit.apply' -> 'emit'; 'splitter.errors' -> 'errors'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def splitter_imports(path: Path) -> list[tuple[int, str]]:
    """Every `splitter.*` module a file imports, lazy imports inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("splitter"):
            found.append((node.lineno, node.module))
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("splitter")]
    return found


def stage_files() -> list:
    files = []
    for stage in STAGES:
        files += [
            pytest.param(stage, path, id=f"{stage}/{path.name}")
            for path in sorted(FOLDERS.get(stage, PACKAGE / stage).glob("*.py"))
        ]
    return files


@pytest.mark.parametrize(("stage", "path"), stage_files())
def test_stage_imports_only_earlier_stages(stage, path):
    allowed = set(STAGES[: STAGES.index(stage) + 1]) | UTILITIES
    wrong = [
        f"{path.name}:{line}: {module}" for line, module in splitter_imports(path) if stage_of(module) not in allowed
    ]
    assert not wrong, f"{stage} imports a later stage or the command layer: {wrong}"


def test_every_stage_folder_is_checked():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders | set(FOLDERS) == set(STAGES)
