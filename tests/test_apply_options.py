"""`apply --tags` and `--format`: opt-in changes, and only the ones asked for."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from splitter.apply import ApplyOptions, apply_split
from splitter.formatting import format_generated
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


def test_format_ruff_formats_generated_files_but_not_moved_main(tmp_path: Path) -> None:
    project = project_with("global_rebind.py", tmp_path)
    plain = apply_split(project / "main.py", None, ApplyOptions(dry_run=True))
    formatted = apply_split(project / "main.py", None, ApplyOptions(dry_run=True, fmt="ruff"))
    assert formatted.changes[project / "main.py"] == plain.changes[project / "main.py"]
    generated = [p for p in plain.changes if p != project / "main.py" and p.name != "__init__.py"]
    assert generated
    again = format_generated({p: formatted.changes[p] for p in generated}, "ruff")
    for path in generated:
        compile(formatted.changes[path], str(path), "exec")
        assert again[path] == formatted.changes[path]  # already formatted: ruff changes nothing more
    assert any(formatted.changes[p] != plain.changes[p] for p in generated)
