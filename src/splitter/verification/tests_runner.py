"""Run the project's tests before and after a split and name the tests that stopped passing.

pytest commands get `--junitxml=<tmp>` so each test's outcome is read from the report rather than from
pytest's console output. Any other command counts as one test: passed when it exits 0.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from splitter.errors import SplitterError
from splitter.verification.runner import last_error_line

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


def is_pytest_command(argv: list[str]) -> bool:
    for index, token in enumerate(argv):
        name = os.path.basename(token)
        if name in ("pytest", "py.test"):
            return True
        if token == "-m" and index + 1 < len(argv) and argv[index + 1] == "pytest":
            return True
    return False


def parse_junit(xml_path: Path) -> dict[str, str]:
    """test id (`classname::name`) -> passed/failed/error/skipped, from a JUnit XML report."""
    try:
        root = ElementTree.parse(xml_path).getroot()
    except ElementTree.ParseError as exc:
        raise SplitterError(f"unreadable JUnit report: {exc}", xml_path) from None
    outcomes: dict[str, str] = {}
    for case in root.iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        test_id = f"{classname}::{name}" if classname else name
        children = {child.tag for child in case}
        # A test that failed and then errored in teardown is an error: it did not finish cleanly.
        if "error" in children:
            outcome = ERROR
        elif "failure" in children:
            outcome = FAILED
        elif "skipped" in children:
            outcome = SKIPPED
        else:
            outcome = PASSED
        # Parametrized ids are unique; a duplicate means two phases of one test: keep the worst.
        previous = outcomes.get(test_id)
        outcomes[test_id] = outcome if previous in (None, PASSED, SKIPPED) else previous
    return outcomes


def run_test_command(cmd: str, cwd: Path) -> dict[str, str]:
    """Run `cmd` in `cwd`; return test id -> outcome. Failing tests are an outcome, not an error."""
    argv = shlex.split(cmd)
    if not argv:
        raise SplitterError("empty test command")
    with tempfile.TemporaryDirectory(prefix="splitter-tests-") as scratch:
        report = Path(scratch) / "junit.xml"
        pytest = is_pytest_command(argv)
        if pytest:
            argv = [*argv, f"--junitxml={report}"]
        try:
            # No bytecode: a same-size edit within one second would otherwise run a stale .pyc "after".
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            completed = subprocess.run(argv, check=False, cwd=cwd, env=env, capture_output=True, text=True)
        except FileNotFoundError:
            raise SplitterError(f"test command not found: {argv[0]}", cwd) from None
        if not pytest:
            return {cmd: PASSED if completed.returncode == 0 else FAILED}
        if not report.is_file():
            reason = last_error_line(completed.stderr or completed.stdout, completed.returncode)
            raise SplitterError(f"test command produced no report: {reason}", cwd)
        return parse_junit(report)


def regressions(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Tests that passed before and did not pass after (failed, errored, skipped or disappeared)."""
    return sorted(test for test, outcome in before.items() if outcome == PASSED and after.get(test) != PASSED)
