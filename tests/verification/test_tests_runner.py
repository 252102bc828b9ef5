"""run_test_command / regressions on a real, tiny pytest run."""

from __future__ import annotations

import shlex
import sys

import pytest
from verification_support import write_project

from splitter.errors import SplitterError
from splitter.verification.tests_runner import (
    is_pytest_command,
    parse_junit,
    regressions,
    run_test_command,
)

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"

TESTS = """
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")


def test_passes():
    assert True


def test_fails():
    assert 1 == 2


def test_skipped():
    pytest.skip("not today")


def test_errors(broken):
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n == 1
"""


def test_outcomes_are_read_from_the_junit_report(tmp_path):
    write_project(tmp_path, {"test_tiny.py": TESTS})
    outcomes = run_test_command(PYTEST, tmp_path)
    assert outcomes == {
        "test_tiny::test_passes": "passed",
        "test_tiny::test_fails": "failed",
        "test_tiny::test_skipped": "skipped",
        "test_tiny::test_errors": "error",
        "test_tiny::test_param[1]": "passed",
        "test_tiny::test_param[2]": "failed",
    }
    assert not list(tmp_path.glob("*.xml"))  # the report goes to a temporary directory


def test_regressions_are_tests_that_passed_before_and_not_after():
    before = {"a": "passed", "b": "passed", "c": "failed", "d": "passed", "e": "skipped"}
    after = {"a": "passed", "b": "failed", "c": "passed", "e": "failed"}
    assert regressions(before, after) == ["b", "d"]


def test_regression_found_after_breaking_a_real_test(tmp_path):
    write_project(tmp_path, {"calc.py": "def add(a, b):\n    return a + b\n"})
    write_project(tmp_path, {"test_calc.py": "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"})
    before = run_test_command(PYTEST, tmp_path)
    write_project(tmp_path, {"calc.py": "def add(a, b):\n    return a - b - 0\n"})
    after = run_test_command(PYTEST, tmp_path)
    assert regressions(before, after) == ["test_calc::test_add"]


def test_non_pytest_command_counts_as_one_test(tmp_path):
    ok = f"{shlex.quote(sys.executable)} -c pass"
    bad = f"{shlex.quote(sys.executable)} -c 'raise SystemExit(3)'"
    assert run_test_command(ok, tmp_path) == {ok: "passed"}
    assert run_test_command(bad, tmp_path) == {bad: "failed"}


def test_pytest_usage_error_without_report_is_an_error(tmp_path):
    with pytest.raises(SplitterError, match="produced no report"):
        run_test_command(f"{PYTEST} --no-such-option", tmp_path)


def test_missing_command_is_an_error(tmp_path):
    with pytest.raises(SplitterError, match="test command not found"):
        run_test_command("definitely-not-a-command-xyz --flag", tmp_path)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pytest -q", True),
        (".venv/bin/pytest tests", True),
        ("python -m pytest", True),
        ("uv run pytest -x", True),
        ("make test", False),
        ("python -m unittest", False),
    ],
)
def test_pytest_commands_are_recognised(command, expected):
    assert is_pytest_command(shlex.split(command)) is expected


def test_unreadable_report_is_an_error(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text("<testsuites><testcase")
    with pytest.raises(SplitterError, match="unreadable JUnit report"):
        parse_junit(report)
