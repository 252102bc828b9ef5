"""A file of the repository naming the monolith that Python cannot parse (a `try:` that lost its `except`, a leftover
Python 2 script): apply leaves it as it is and says so among the plan's warnings, with file:line and the parser's
message. MyPortal's apply died in the libcst codemod on such a test file after a clean plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter import fanout
from splitter.emit import apply
from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.project import load_project, plan_project

MONOLITH = """from fastapi import FastAPI

app = FastAPI()


def supervisor():
    return "sup"


@app.get("/items")
def items():
    return supervisor()


@app.get("/users")
def users():
    return []
"""

LOST_EXCEPT = "from main import supervisor\n\ndef test_supervisor():\n    try:\n        supervisor()\n"
PYTHON_2 = 'from main import supervisor\n\nprint "supervisor:", supervisor()\n'


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        pytest.param(
            "tests/test_main.py", LOST_EXCEPT, "tests/test_main.py:5: does not parse as Python 3.", id="lost-except"
        ),
        pytest.param("scripts/report.py", PYTHON_2, "scripts/report.py:3: does not parse as Python 3.", id="python-2"),
    ],
)
@pytest.mark.parametrize("how", ["one-shot", "early-retargeting", "first-wave"])
def test_apply_leaves_it_as_it_is_and_warns(
    tmp_path: Path, monkeypatch, path: str, text: str, expected: str, how: str
) -> None:
    if how == "early-retargeting":  # the repository retargeted in a forked child while the split is built
        monkeypatch.setattr(apply, "MIN_EARLY_RETARGETING", 0)
        monkeypatch.setattr(fanout, "can_work_in_parallel", lambda: True)
        monkeypatch.setattr(apply, "retarget_repository", None)  # not called: the child's result is used
    (tmp_path / "main.py").write_text(MONOLITH)
    (tmp_path / path).parent.mkdir()
    (tmp_path / path).write_text(text)
    plan = plan_project(load_project(tmp_path / "main.py"))
    only = (plan.groups[0].name,) if how == "first-wave" else ()
    result = apply_split(tmp_path / "main.py", plan, ApplyOptions(dry_run=True, only=only))
    assert any(p.parent.name == "routers" for p in result.changes)
    assert (tmp_path / path).resolve() not in {p.resolve() for p in result.changes}
    warned = [w for w in result.plan.warnings if w.startswith(expected)]
    assert len(warned) == 1 and "it is left as it is: what it takes from main it keeps taking" in warned[0], warned
    assert not any(w.startswith(path) for w in plan.warnings)  # the plan reads only what names the monolith


def test_a_file_that_parses_is_retargeted_as_before(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(MONOLITH)
    (tmp_path / "tests").mkdir()
    test_text = "from main import supervisor\n\n\ndef test_x():\n    supervisor()\n"
    (tmp_path / "tests" / "test_main.py").write_text(test_text)
    result = apply_split(tmp_path / "main.py", None, ApplyOptions(dry_run=True))
    changed = {p.resolve(): t for p, t in result.changes.items()}
    assert "main import supervisor" not in changed[(tmp_path / "tests" / "test_main.py").resolve()]
    assert not any("does not parse" in w for w in result.plan.warnings)
