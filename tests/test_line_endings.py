"""Line endings: every file splitter rewrites keeps its own (CRLF in a repository written on Windows, LF in one
file of it), every file it creates takes the monolith's, the dry-run diff applies with `git apply`, and waves end
where a one-shot apply ends.

The fixture (fixtures/regressions/crlf_line_endings) is stored with CRLF endings, but for `tests/test_lf.py`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from splitter.analysis.source import python_lines, with_lf
from splitter.emit.apply import ApplyOptions, apply_split
from splitter.planning.project import load_project, plan_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "regressions" / "crlf_line_endings"


def endings(data: bytes) -> set[str]:
    """The line endings in `data`: {"\\r\\n"}, {"\\n"}, or both when mixed."""
    text = data.decode("utf-8")
    found = {"\r\n"} if "\r\n" in text else set()
    return found | ({"\n"} if "\n" in text.replace("\r\n", "") else set())


def laid_out(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fixture"]):
        subprocess.run(git + args, check=True)
    return tmp_path


def test_the_fixture_is_a_crlf_repository_with_one_lf_file() -> None:
    assert endings((FIXTURE / "claims" / "main.py").read_bytes()) == {"\r\n"}
    assert endings((FIXTURE / "tests" / "test_api.py").read_bytes()) == {"\r\n"}
    assert endings((FIXTURE / "tests" / "test_lf.py").read_bytes()) == {"\n"}


def test_rewritten_files_keep_their_endings_and_new_files_take_the_monolith_s(tmp_path: Path) -> None:
    project = laid_out(tmp_path)
    before = {p: p.read_bytes() for p in project.rglob("*.py")}
    result = apply_split(project / "claims" / "main.py", None, ApplyOptions(module_name="claims.main"))
    assert result.written
    rewritten = [p for p in result.changes if p in before]
    created = [p for p in result.changes if p not in before]
    names = {p.relative_to(project).as_posix() for p in result.changes}
    assert {"claims/__init__.py", "tests/test_api.py", "tests/test_lf.py", "claims/compat.py"} <= names
    assert any(p.parent.name == "routers" for p in created)
    for path in rewritten:
        assert endings(path.read_bytes()) == endings(before[path]), path
    for path in created:
        assert endings(path.read_bytes()) == {"\r\n"}, path


def test_a_rewritten_test_differs_only_where_the_split_changed_it(tmp_path: Path) -> None:
    """Not a diff of every line: the LF-translated texts differ in the retargeted lines alone."""
    project = laid_out(tmp_path)
    test = project / "tests" / "test_api.py"
    old = test.read_bytes().decode().splitlines(keepends=True)
    apply_split(project / "claims" / "main.py", None, ApplyOptions(module_name="claims.main"))
    new = test.read_bytes().decode().splitlines(keepends=True)
    changed = [line for line in new if line not in old]
    assert changed and all("claims." in line for line in changed), changed


def test_the_dry_run_diff_applies_to_the_repository_as_it_is(tmp_path: Path) -> None:
    project = laid_out(tmp_path)
    diff = apply_split(project / "claims" / "main.py", None, ApplyOptions(dry_run=True, module_name="claims.main")).diff
    assert "+++ b/claims/__init__.py" in diff and "+++ b/tests/test_api.py" in diff
    done = subprocess.run(["git", "apply", "--check", "-"], cwd=project, input=diff.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    written = apply_split(project / "claims" / "main.py", None, ApplyOptions(module_name="claims.main"))
    assert written.diff == diff


def test_waves_over_crlf_files_end_where_a_one_shot_apply_ends(tmp_path: Path) -> None:
    """A wave compares what an earlier wave wrote (CRLF on disk) with what it would write: line endings alone are
    no hand edit (before the fix the second wave refused `core.py` as edited by hand)."""
    one_shot, waves = laid_out(tmp_path / "one"), laid_out(tmp_path / "waves")
    apply_split(one_shot / "claims" / "main.py", None, ApplyOptions(module_name="claims.main"))
    target = waves / "claims" / "main.py"
    plan = plan_project(load_project(target, "claims.main"))
    assert len(plan.groups) > 2
    git = ["git", "-C", str(waves), "-c", "user.name=t", "-c", "user.email=t@t"]
    for group in plan.groups:
        apply_split(target, plan, ApplyOptions(only=(group.name,), module_name="claims.main"))
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", group.name], check=True)
    assert tree(waves) == tree(one_shot)


def tree(root: Path) -> dict[str, bytes]:
    found = sorted(p for p in root.rglob("*.py") if ".git" not in p.parts and "__pycache__" not in p.parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in found}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a = 1\r\nb = 2\r\n", "a = 1\nb = 2\n", id="every line CRLF: split as LF"),
        pytest.param("a = 1\r\nb = 2\n", "a = 1\r\nb = 2\n", id="mixed: as it is"),
        pytest.param("a = 1\nb = 2\n", "a = 1\nb = 2\n", id="LF"),
        pytest.param("a = 1\rb = 2\r", "a = 1\rb = 2\r", id="CR alone: as it is"),
    ],
)
def test_a_crlf_monolith_is_split_as_lf_text_and_written_back_crlf(text: str, expected: str) -> None:
    assert with_lf(text) == expected


def test_the_monolith_is_analysed_as_lf_text(tmp_path: Path) -> None:
    repo = laid_out(tmp_path)
    assert b"\r\n" in (repo / "claims" / "main.py").read_bytes()
    project = load_project(repo / "claims" / "main.py")
    assert "\r" not in project.analysis.source  # the emitter's text path, not every statement through libcst


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\x0c", "\x0b", "\x1c", "\x85", "\u2028"])))
def test_lines_are_cut_where_python_cuts_them(text: str) -> None:
    """Only at \\n, \\r\\n and \\r, as `ast` numbers lines: a form feed or U+2028 inside a line does not end it."""
    lines = python_lines(text)
    assert "".join(lines) == text
    assert all(re.fullmatch(r"[^\r\n]*(?:\r\n|\r|\n)?", line) for line in lines)
    assert all(line.endswith(("\n", "\r")) for line in lines[:-1])
