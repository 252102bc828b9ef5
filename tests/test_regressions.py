"""Constructs from real monoliths that once broke a split: the project's test passes before and after."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from splitter.apply import ApplyOptions, apply_split

REGRESSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "regressions"


def lay_out(source: Path, folder: Path) -> None:
    text = source.read_text(encoding="utf-8")
    (folder / "server.py").write_text(text)
    docstrings = [n.value.value for n in ast.parse(text).body
                  if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)]
    name, body = docstrings[-1].split(":\n", 1)
    (folder / name.strip()).write_text(body)


def run_tests(folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GREETING", "SIGNING_KEY")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
                          cwd=folder, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("name", sorted(p.name for p in REGRESSIONS.glob("*.py")))
def test_project_tests_pass_before_and_after_the_split(name: str, tmp_path: Path) -> None:
    lay_out(REGRESSIONS / name, tmp_path)
    before = run_tests(tmp_path)
    assert before.returncode == 0, before.stdout[-2000:]
    result = apply_split(tmp_path / "server.py", None, ApplyOptions())
    assert any(p.parent.name == "routers" for p in result.changes)  # it really was split
    after = run_tests(tmp_path)
    assert after.returncode == 0, after.stdout[-3000:]
