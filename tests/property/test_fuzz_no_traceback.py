"""Fuzz: whatever bytes main.py holds, the CLI answers with a result or one `error:` line, never a traceback.

Inputs are small generated monoliths and the files under fixtures/edge/, damaged by a few drawn
mutations (lines deleted, duplicated, swapped or re-indented, bytes flipped, text truncated, NUL and
invalid UTF-8 inserted). `plan` must exit 0 or 2; `apply --dry-run` must do the same and leave every
file untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import traceback
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from benchmarks.synth import write_project
from splitter.cli import app as cli_app
from tests.property.strategies import monoliths

ROOT = Path(__file__).resolve().parents[2]
EDGE_FILES = sorted(path for path in (ROOT / "fixtures" / "edge").rglob("*.py") if path.is_file())

INSERTS = (b"\x00", b"\xff\xfe", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\r", b"\t", b"(", b'"""', b"\\")
position = st.integers(0, 1 << 20)
mutations = st.one_of(
    st.tuples(st.just("delete_line"), position),
    st.tuples(st.just("duplicate_line"), position),
    st.tuples(st.just("swap_lines"), position, position),
    st.tuples(st.just("indent_line"), position),
    st.tuples(st.just("flip_byte"), position, st.integers(1, 255)),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("insert"), position, st.sampled_from(INSERTS)),
)
originals = st.one_of(
    monoliths().map(lambda source: source.encode("utf-8")),
    *([st.sampled_from(EDGE_FILES).map(Path.read_bytes)] if EDGE_FILES else []),
)


def mutate(data: bytes, mutation: tuple) -> bytes:
    kind, where, *rest = mutation
    lines = data.splitlines(keepends=True) or [b""]
    line = where % len(lines)
    if kind == "delete_line":
        return b"".join(lines[:line] + lines[line + 1 :])
    if kind == "duplicate_line":
        return b"".join(lines[: line + 1] + lines[line:])
    if kind == "swap_lines":
        other = rest[0] % len(lines)
        lines[line], lines[other] = lines[other], lines[line]
        return b"".join(lines)
    if kind == "indent_line":
        lines[line] = b"    " + lines[line]
        return b"".join(lines)
    offset = where % (len(data) + 1)
    if kind == "flip_byte":
        if not data:
            return data
        offset %= len(data)
        return data[:offset] + bytes([data[offset] ^ rest[0]]) + data[offset + 1 :]
    if kind == "truncate":
        return data[:offset]
    return data[:offset] + rest[0] + data[offset:]  # insert


@st.composite
def damaged_projects(draw) -> tuple[bytes, bool]:
    data = draw(originals)
    for mutation in draw(st.lists(mutations, min_size=1, max_size=4)):
        data = mutate(data, mutation)
    return data, draw(st.booleans())


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@contextlib.contextmanager
def project(data: bytes, package: bool):
    """A fresh directory with the damaged main.py, and a separate working directory for the CLI."""
    root = Path(tempfile.mkdtemp(prefix="fuzz_"))
    previous = os.getcwd()
    try:
        main = write_project(root / "project", "", package=package, package_name="fuzzpkg")
        main.write_bytes(data)
        (root / "cwd").mkdir()
        os.chdir(root / "cwd")  # so a plan.json the CLI may write lands inside the temp dir
        yield root, main
    finally:
        os.chdir(previous)
        shutil.rmtree(root, ignore_errors=True)


def assert_clean_exit(result, data: bytes) -> None:
    event(f"exit {result.exit_code}")  # shown by --hypothesis-show-statistics: both outcomes must occur
    details = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
    assert result.exit_code in (0, 2), f"exit {result.exit_code}\n{result.output}\n{details}"
    if b"Traceback" not in data:  # a file may contain the word itself, and output may quote the file
        assert "Traceback" not in result.output, result.output
    if result.exit_code == 2:
        lines = result.output.strip("\n").splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), result.output


@given(damaged_projects())
def test_plan_answers_without_traceback(damaged):
    data, package = damaged
    with project(data, package) as (_, main):
        result = CliRunner().invoke(cli_app, ["plan", str(main)])
        assert_clean_exit(result, data)


@given(damaged_projects())
def test_apply_dry_run_answers_without_traceback_and_writes_nothing(damaged):
    data, package = damaged
    with project(data, package) as (root, main):
        before = file_hashes(root)
        result = CliRunner().invoke(cli_app, ["apply", str(main), "--dry-run"])
        assert_clean_exit(result, data)
        assert file_hashes(root) == before
