"""A seam (a name the tests patch through the monolith, read as `core.os` after the move) that a string
annotation names: the string cannot be qualified, so the module binds the name too (fused-render's
`def _win_protected(entry: "os.DirEntry")` left `os` undefined in services/shared.py: ruff F821)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.project import load_project, plan_project

MONOLITH = """import os

from fastapi import FastAPI

app = FastAPI()


def is_folder(entry: "os.DirEntry") -> bool:
    return os.path.isdir(entry.path)


@app.get("/items")
def list_items():
    return {"folders": sum(is_folder(e) for e in os.scandir("."))}


@app.get("/items/{item_id}")
def get_item(item_id: int):
    return {"id": item_id, "cwd": os.getcwd() != ""}


@app.get("/users")
def list_users():
    return {"folder": is_folder(next(os.scandir(".")))}
"""

TESTS = """import main
from fastapi.testclient import TestClient


def test_items(monkeypatch):
    monkeypatch.setattr(main, "os", main.os)
    assert TestClient(main.app).get("/items").status_code == 200
"""


def test_a_seam_named_in_a_string_annotation_is_bound_where_the_annotation_moved(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(MONOLITH, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_main.py").write_text(TESTS, encoding="utf-8")
    plan = plan_project(load_project(tmp_path / "main.py"))
    assert "os" in plan.seams
    apply_split(tmp_path / "main.py", plan, ApplyOptions(allow_dirty=True, force=True))
    home = next(p for p in tmp_path.rglob("*.py") if "def is_folder" in p.read_text(encoding="utf-8"))
    assert home.name != "main.py"
    text = home.read_text(encoding="utf-8")
    bound = {a.asname or a.name for node in ast.parse(text).body if isinstance(node, ast.Import) for a in node.names}
    assert "os" in bound, text
    assert "return core.os.path.isdir(entry.path)" in text  # the code itself still reads the seam through its home
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
