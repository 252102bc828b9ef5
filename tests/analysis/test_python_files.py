"""Which files of a repository splitter reads: every .py file, as a resolved path, outside virtualenvs and caches."""

from __future__ import annotations

from pathlib import Path

from splitter.analysis.source import iter_python_files


def _tree(root: Path) -> None:
    for relative in [
        "app/main.py",
        "app/__init__.py",
        "tests/test_main.py",
        "venv/lib/site.py",
        ".hidden/x.py",
        "app/__pycache__/main.py",
        "notes.txt",
        "app/data.py.bak",
    ]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x = 1\n")
    (root / "venv/pyvenv.cfg").write_text("home = /usr\n")


def test_python_files_outside_virtualenvs_hidden_folders_and_caches(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = {p.relative_to(tmp_path.resolve()).as_posix() for p in iter_python_files(tmp_path)}
    assert found == {"app/main.py", "app/__init__.py", "tests/test_main.py"}


def test_the_excluded_file_is_left_out(tmp_path: Path) -> None:
    _tree(tmp_path)
    monolith = (tmp_path / "app/main.py").resolve()
    assert monolith not in set(iter_python_files(tmp_path, exclude={monolith}))


def test_files_below_a_symbolic_link_come_resolved(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "shared_tests").symlink_to(tmp_path / "tests", target_is_directory=True)
    (tmp_path / "alias.py").symlink_to(tmp_path / "app/main.py")
    found = list(iter_python_files(tmp_path))
    assert all(p == p.resolve() for p in found)
    assert (tmp_path / "tests/test_main.py").resolve() in found
    assert not any("shared_tests" in p.parts or p.name == "alias.py" for p in found)
    monolith = (tmp_path / "app/main.py").resolve()
    assert monolith not in set(iter_python_files(tmp_path, exclude={monolith}))
