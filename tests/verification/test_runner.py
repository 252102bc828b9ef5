"""take_snapshot: the real subprocess in the project's interpreter, and its one-line errors."""

from __future__ import annotations

import os
import stat
import sys

import pytest
from verification_support import ITEM_BY_ID, MONOLITH, app_source, write_project

from splitter.errors import SplitterError
from splitter.verification.runner import detect_python, take_snapshot


def test_subprocess_snapshot_equals_in_process_snapshot(tmp_path, snap):
    write_project(tmp_path, {"main.py": MONOLITH})
    assert take_snapshot("main:app", tmp_path) == snap(MONOLITH)


def test_src_layout_package_is_importable(tmp_path):
    write_project(
        tmp_path,
        {"src/shop/__init__.py": "", "src/shop/main.py": MONOLITH},
    )
    snapshot = take_snapshot("shop.main:app", tmp_path)
    assert "/items/me" in [r["path"] for r in snapshot["routes"]]


def test_extra_paths_are_importable(tmp_path):
    write_project(
        tmp_path,
        {"lib/helpers_for_app.py": "PREFIX = '/extra'\n", "main.py": "import helpers_for_app\n" + MONOLITH},
    )
    with pytest.raises(SplitterError):
        take_snapshot("main:app", tmp_path)
    assert take_snapshot("main:app", tmp_path, extra_paths=[tmp_path / "lib"])["routes"]


def test_unimportable_module_becomes_one_line_error(tmp_path):
    write_project(tmp_path, {"main.py": "import definitely_missing_module_xyz\n" + MONOLITH})
    with pytest.raises(SplitterError) as caught:
        take_snapshot("main:app", tmp_path)
    message = caught.value.message
    assert "\n" not in message
    assert message.endswith("ModuleNotFoundError: No module named 'definitely_missing_module_xyz'")
    assert caught.value.path == str(tmp_path)


def test_missing_app_attribute_is_named(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    with pytest.raises(SplitterError, match="has no attribute 'application'"):
        take_snapshot("main:application", tmp_path)


def test_project_venv_interpreter_is_used(tmp_path):
    marker = tmp_path / "venv-python-was-used"
    wrapper = tmp_path / ".venv" / "bin" / "python"
    wrapper.parent.mkdir(parents=True)
    # A stand-in for the project's venv interpreter: records that it ran, then runs the real one.
    wrapper.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    write_project(tmp_path, {"main.py": app_source(ITEM_BY_ID)})
    assert detect_python(tmp_path) == str(wrapper)
    take_snapshot("main:app", tmp_path)
    assert marker.exists()


def test_explicit_python_wins_and_default_is_current_interpreter(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").write_text("")
    assert detect_python(tmp_path, "/opt/py/bin/python3") == "/opt/py/bin/python3"
    assert detect_python(tmp_path) == str(tmp_path / "venv" / "bin" / "python")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert detect_python(empty) == sys.executable


def test_missing_interpreter_is_reported(tmp_path):
    write_project(tmp_path, {"main.py": MONOLITH})
    missing = str(tmp_path / "no" / "python")
    with pytest.raises(SplitterError, match="python interpreter not found"):
        take_snapshot("main:app", tmp_path, python=missing)


def test_snapshot_leaves_no_bytecode_in_the_project(tmp_path):
    write_project(tmp_path, {"pkg/__init__.py": "", "pkg/main.py": MONOLITH})
    take_snapshot("pkg.main:app", tmp_path)
    assert not list(tmp_path.rglob("__pycache__"))
    assert sorted(os.listdir(tmp_path / "pkg")) == ["__init__.py", "main.py"]
