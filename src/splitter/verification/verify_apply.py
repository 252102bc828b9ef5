"""`splitter apply --verify MODULE:APP`: snapshot before, write, verify after, and roll back if anything changed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from splitter.emit.apply import ApplyResult
from splitter.emit.writer import write_all
from splitter.errors import SplitterError
from splitter.verification.compare import compare
from splitter.verification.findings import BREAKING, Finding, Report
from splitter.verification.runner import take_snapshot
from splitter.verification.tests_runner import regressions, run_test_command


class VerificationFailed(SplitterError):
    """The change was rolled back because it broke the API or the tests; `report` says how."""

    def __init__(self, report: Report) -> None:
        counts = report.counts()
        super().__init__(f"verification failed ({counts[BREAKING]} breaking finding(s)); the changes were rolled back")
        self.report = report


def changed_only(preview: ApplyResult) -> dict[Path, str]:
    """The files of a dry run whose text differs from what is on disk (line ends included: a CRLF file read with
    `read_text` differed from its own text, and was written again)."""
    from splitter.emit.writer import text_on_disk

    return {p: t for p, t in preview.changes.items() if text_on_disk(p) != t}


def apply_with_verification(
    preview: ApplyResult, target: str, test_cmd: str | None, python: str | None, allow_tags: bool = False
) -> Report:
    """Write the dry run's changes between two snapshots; raises VerificationFailed (after rolling back)."""
    changes = changed_only(preview)
    originals = {p: p.read_bytes() for p in changes if p.exists()}
    new_dirs = sorted(
        {parent for p in changes if not p.exists() for parent in p.parents if not parent.exists()},
        key=lambda d: len(d.parts),
    )

    def rollback() -> None:
        for path in changes:
            if path in originals:
                path.write_bytes(originals[path])
            else:
                path.unlink(missing_ok=True)
        for folder in new_dirs:
            shutil.rmtree(folder, ignore_errors=True)

    return verify_around(
        target, preview.root, python, lambda: write_all(changes), rollback, test_cmd, allowed_tag_additions=allow_tags
    )


def verify_around(
    target: str,
    cwd: Path,
    python: str | None,
    action: Callable[[], None],
    rollback: Callable[[], None],
    test_cmd: str | None,
    allowed_tag_additions: bool = False,
) -> Report:
    """Snapshot (and test) before and after `action`; on breaking findings or test regressions call
    `rollback` and raise VerificationFailed (its `.report` holds the details). Returns the report otherwise.

    `rollback` also runs when `action` raises or the changed app cannot be imported any more.
    """
    cwd = Path(cwd)
    before = take_snapshot(target, cwd, python)
    tests_before = run_test_command(test_cmd, cwd) if test_cmd else None
    try:
        action()
        after = take_snapshot(target, cwd, python)
        report = compare(before, after, allowed_tag_additions=allowed_tag_additions)
        if test_cmd:
            for test_id in regressions(tests_before or {}, run_test_command(test_cmd, cwd)):
                message = "passed before the change, not after"
                report.findings.append(Finding("test-regression", BREAKING, message, test_id))
    except BaseException:
        rollback()
        raise
    if report.has_breaking:
        rollback()
        raise VerificationFailed(report)
    return report
