"""`apply --tags` and `--format`: opt-in changes, and only the ones asked for."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.verification.compare import compare
from splitter.verification.runner import take_snapshot

EDGE = Path(__file__).resolve().parent.parent / "fixtures" / "edge"


def project_with(name: str, tmp_path: Path) -> Path:
    shutil.copyfile(EDGE / name, tmp_path / "main.py")
    return tmp_path


def test_tags_change_the_document_by_exactly_the_tag_additions(tmp_path: Path) -> None:
    project = project_with("future_annotations.py", tmp_path)
    before = take_snapshot("main:app", project, sys.executable)
    result = apply_split(project / "main.py", None, ApplyOptions(tags=True))
    router = next(p for p in result.changes if p.parent.name == "routers" and p.name != "__init__.py")
    assert f'APIRouter(tags=["{router.stem}"])' in router.read_text()
    after = take_snapshot("main:app", project, sys.executable)
    strict = compare(before, after)
    assert strict.findings and all("tag" in f.kind for f in strict.findings), strict.to_text()
    allowed = compare(before, after, allowed_tag_additions=True)
    assert not allowed.has_breaking and all(f.severity == "cosmetic" for f in allowed.findings)


def test_tags_name_every_router_in_openapi_tags_and_verify_reports_only_those(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "notes_backend"
    plain, tagged = tmp_path / "plain", tmp_path / "tagged"
    for copy in (plain, tagged):
        shutil.copytree(fixture, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = take_snapshot("main:app", plain, sys.executable)
    apply_split(plain / "main.py", None, ApplyOptions())
    apply_split(tagged / "main.py", None, ApplyOptions(tags=True))
    split_only = compare(before, take_snapshot("main:app", plain, sys.executable)).findings
    after = take_snapshot("main:app", tagged, sys.executable)
    report = compare(before, after, allowed_tag_additions=True)
    extra = [f for f in report.findings if f not in split_only]
    assert {f.kind for f in extra} == {"tag-added", "tags-added"} and not report.has_breaking
    assert all(f.severity == "cosmetic" and f.message.endswith("(intended: tags opted in)") for f in extra)
    routers = [p.stem for p in sorted((tagged / "routers").glob("*.py")) if p.stem != "__init__"]
    declared = {tag["name"]: tag["description"] for tag in after["openapi"]["tags"]}
    assert sorted(declared) == routers == sorted(f.message.split("'")[1] for f in extra if f.kind == "tag-added")
    for router in routers:
        docstring = ast.get_docstring(ast.parse((tagged / "routers" / f"{router}.py").read_text()))
        assert docstring.startswith(declared[router] + ": moved from main.py")
    operations = [(path, method) for path, item in after["openapi"]["paths"].items() for method in item]
    tagged_operations = {f.location for f in extra if f.kind == "tags-added"}
    untagged = [op for op in operations if f"{op[1].upper()} {op[0]}" not in tagged_operations]
    assert operations and untagged == []  # every operation lives in a router now, so each gained its tag


UNFORMATTED = """from fastapi import FastAPI
from typing import Optional,Dict
app = FastAPI()
LIMITS = {'a':1}
@app.get("/v1/items")
def list_items( q:Optional[str]=None ):
    return {'n':LIMITS['a'],'q':q}
@app.get("/v1/items/{item_id}")
def get_item(item_id:int)->Dict[str,int]:
    return {'id':item_id,'n':LIMITS['a']}
@app.get("/v1/users")
def list_users( ):
    return [LIMITS ['a']]
@app.get("/v1/users/me")
def me( ):
    return {'me':LIMITS['a']}
"""


@pytest.mark.parametrize("tool", [pytest.param("ruff", id="ruff"), pytest.param("black", id="black")])
def test_formatter_formats_what_splitter_wrote_and_never_the_moved_code(tmp_path: Path, tool: str) -> None:
    (tmp_path / "main.py").write_text(UNFORMATTED)
    plain = apply_split(tmp_path / "main.py", None, ApplyOptions(dry_run=True))
    formatted = apply_split(tmp_path / "main.py", None, ApplyOptions(dry_run=True, fmt=tool))
    assert formatted.changes[tmp_path / "main.py"] == plain.changes[tmp_path / "main.py"]
    router = formatted.changes[tmp_path / "routers" / "items.py"]
    for moved in (
        "def list_items( q:Optional[str]=None ):",
        "    return {'n':LIMITS['a'],'q':q}",
        "def get_item(item_id:int)->Dict[str,int]:",
    ):
        assert moved + "\n" in router  # byte-for-byte, although no formatter would leave it so
    assert "from typing import Dict, Optional" in router or "from typing import Optional, Dict" in router
    docstring, rest = router.split("\n", 1)
    assert docstring.startswith('"""') and rest.startswith("\n")  # a blank line after the module docstring
    assert any(formatted.changes[p] != plain.changes[p] for p in plain.changes)


def test_the_diff_of_a_write_is_the_diff_a_dry_run_shows(tmp_path: Path) -> None:
    """A write keeps what it replaced, so its diff is taken afterwards from those texts, not from the disk."""
    project = project_with("future_annotations.py", tmp_path)
    (project / "test_main.py").write_text("from main import Task\n\n\ndef test_it():\n    assert Task\n")
    preview = apply_split(project / "main.py", None, ApplyOptions(dry_run=True)).diff
    written = apply_split(project / "main.py", None, ApplyOptions(allow_dirty=True))
    assert written.written and written.diff == preview
    assert "+++ b/main.py" in preview and "+++ b/routers/" in preview and "+++ b/test_main.py" in preview
