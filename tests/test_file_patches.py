"""A test patching the monolith's `__file__` stops reaching code that reads it when called once that code moves:
the plan names the test line and the functions (fixtures/edge/file_patched_by_a_test.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from splitter.planning.project import load_project, plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "edge" / "file_patched_by_a_test.py"


def lay_out(folder: Path, monolith: str) -> Path:
    """server.py and its test module, the trailing docstring of the fixture."""
    tree = ast.parse(monolith)
    test_name, body = tree.body[-1].value.value.split(":\n", 1)
    (folder / test_name).write_text(body)
    (folder / "server.py").write_text(monolith)
    return folder / "server.py"


def file_notes(folder: Path, monolith: str) -> list[str]:
    plan = plan_project(load_project(lay_out(folder, monolith)))
    return [w for w in plan.warnings if "patches the monolith's `__file__`" in w]


def test_the_plan_names_the_test_and_the_function_that_reads_the_patched_file(tmp_path: Path) -> None:
    notes = file_notes(tmp_path, FIXTURE.read_text())
    assert notes == [
        "test_server.py:10: patches the monolith's `__file__`, which `plugins_dir` reads when called: moved out "
        "of server.py, it reads the `__file__` of its new module, which this patch does not reach; update the "
        "test by hand (patch where the code now reads it)"
    ]


def test_a_module_level_read_of_file_is_not_named(tmp_path: Path) -> None:
    """`BUNDLED` is computed once at import, so the patch never steered it: the same before and after."""
    source = FIXTURE.read_text().replace("return Path(__file__).resolve().parent", "return BUNDLED.parent")
    assert file_notes(tmp_path, source) == []


def test_no_note_without_a_test_patching_file(tmp_path: Path) -> None:
    source = FIXTURE.read_text().replace('patch.object(server, "__file__"', 'patch.object(server, "BUNDLED"')
    assert file_notes(tmp_path, source) == []
