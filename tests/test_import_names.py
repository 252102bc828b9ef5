"""The other names a repository imports the monolith by (planning/import_names.py), and the compatibility module
reaching the split modules in whichever package it was imported from
(fixtures/regressions/package_imported_under_a_second_name)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from splitter.emit.compat import compat_source
from splitter.planning.import_names import other_import_names
from splitter.planning.project import load_project, plan_project


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_name_an_import_statement_uses_is_another_name(tmp_path: Path) -> None:
    _write(tmp_path, {"backend/app/main.py": "", "tests/test_a.py": "import backend.app.main as main\n"})
    monolith = tmp_path / "backend/app/main.py"
    sources = {tmp_path / "tests/test_a.py": "import backend.app.main as main\n"}
    assert other_import_names(monolith, "app.main", sources, tmp_path) == ["backend.app.main"]


def test_a_comment_a_single_part_and_another_file_of_that_path_are_not(tmp_path: Path) -> None:
    text = "# import backend.app.main would need the root on sys.path\nimport main\nfrom app.main import x\n"
    _write(tmp_path, {"backend/app/main.py": "", "app/main.py": "", "tests/test_a.py": text})
    sources = {tmp_path / "tests/test_a.py": text}
    assert other_import_names(tmp_path / "backend/app/main.py", "app.main", sources, tmp_path) == []
    assert other_import_names(tmp_path / "backend/app/main.py", "backend.app.main", sources, tmp_path) == []


def test_a_name_patched_through_another_name_is_a_seam(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "backend/app/__init__.py": "",
            "backend/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n\ndef label():\n    return 1\n",
            "tests/test_a.py": "import backend.app.main as main\n\ndef test(monkeypatch):\n"
            "    monkeypatch.setattr(main, 'label', lambda: 2)\n",
        },
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # the repository's root: where names start
    project = load_project(tmp_path / "backend/app/main.py")
    assert project.analysis.module_name == "app.main"
    assert "label" in plan_project(project).seams


def test_the_compatibility_module_reaches_homes_in_the_package_it_was_imported_from(tmp_path: Path) -> None:
    homes = {"app.core": ["LIMIT"], "app.services.shared": ["label"]}
    _write(
        tmp_path,
        {
            "backend/app/__init__.py": "",
            "backend/app/compat.py": compat_source(homes, "main.py", "app.main", "by splitter"),
            "backend/app/core.py": "LIMIT = 3\n",
            "backend/app/services/__init__.py": "",
            "backend/app/services/shared.py": "def label():\n    return 'shared'\n",
            "backend/app/main.py": "from . import compat\n\ncompat.forward_moved_names(__name__)\n",
        },
    )
    script = (
        "import backend.app.main as main, backend.app.core as core\n"
        "main.LIMIT = 4\n"
        "print(core.LIMIT, main.label(), sorted(m for m in __import__('sys').modules if m.startswith('app')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["4", "shared", "[]"]


def test_a_route_list_read_through_another_name_is_warned_about(tmp_path: Path) -> None:
    monolith = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/a')\ndef a():\n    return 1\n"
    test = "import backend.app.main as main\n\ndef test():\n    assert [r.path for r in main.app.routes]\n"
    _write(tmp_path, {"backend/app/__init__.py": "", "backend/app/main.py": monolith, "tests/test_a.py": test})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    plan = plan_project(load_project(tmp_path / "backend/app/main.py"))
    assert any("tests/test_a.py:4" in warning and "app.routes" in warning for warning in plan.warnings)
