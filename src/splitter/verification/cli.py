"""Command functions for `splitter snapshot` / `splitter verify`, and `verify_around` for `apply --verify`.

The typer app lives in `splitter/cli.py`, which registers these functions; errors are raised as
SplitterError and rendered there (one line, exit 2).
"""

from __future__ import annotations

import os

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from splitter.errors import SplitterError
from splitter.verification import contract
from splitter.verification.compare import compare
from splitter.verification.findings import BREAKING, Finding, Report
from splitter.verification.git_snapshot import snapshot_at_revision
from splitter.verification.runner import take_snapshot
from splitter.verification.tests_runner import regressions, run_test_command

OUTPUT_FORMATS = ("text", "json")


class VerificationFailed(SplitterError):
    """The change was rolled back because it broke the API or the tests; `report` says how."""

    def __init__(self, report: Report) -> None:
        counts = report.counts()
        super().__init__(f"verification failed ({counts[BREAKING]} breaking finding(s)); the changes were rolled back")
        self.report = report


def snapshot_command(
    target: Annotated[str, typer.Argument(help="the app to snapshot, as MODULE:APP")],
    out: Annotated[Path, typer.Option("-o", "--out", help="write the snapshot JSON here")],
    python: Annotated[str | None, typer.Option(help="the project's interpreter (default: its .venv)")] = None,
    cwd: Annotated[Path, typer.Option(help="the project's root directory")] = Path("."),
    emit_contract_test: Annotated[
        Path | None,
        typer.Option(help="also write test_api_contract.py + api_contract_snapshot.json into this directory"),
    ] = None,
) -> None:
    """Record the app's OpenAPI document, route table, middleware and handlers as JSON."""
    snapshot = take_snapshot(target, Path(cwd), python)
    Path(out).write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"wrote {out} ({len(snapshot['routes'])} routes)")
    if emit_contract_test is not None:
        for path in contract.emit_contract_test(target, snapshot, emit_contract_test, project_root=Path(cwd)):
            typer.echo(f"wrote {path}")


def load_reference(target: str, against: str, cwd: Path, python: str | None) -> dict:
    """`against` is a snapshot JSON file if one exists at that path, else a git revision."""
    for candidate in (Path(against), Path(cwd) / against):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise SplitterError(f"not a snapshot JSON file: {exc.msg}", candidate, exc.lineno) from None
    return snapshot_at_revision(target, Path(cwd), against, python)


def verify_command(
    target: Annotated[str, typer.Argument(help="the app to check, as MODULE:APP")],
    against: Annotated[str, typer.Option(help="a git revision (e.g. HEAD) or a snapshot JSON file")],
    python: Annotated[str | None, typer.Option(help="the project's interpreter (default: its .venv)")] = None,
    cwd: Annotated[Path, typer.Option(help="the project's root directory")] = Path("."),
    format: Annotated[str, typer.Option(help="text or json")] = "text",
    allow_tags: Annotated[bool, typer.Option(help="report added OpenAPI tags as cosmetic (for --tags splits)")] = False,
) -> None:
    """Compare the app now with the app at --against; exit 1 when something breaking changed."""
    if format not in OUTPUT_FORMATS:
        raise SplitterError(f"unknown format {format!r}; use one of: {', '.join(OUTPUT_FORMATS)}")
    if python and os.sep in python and not os.path.isabs(python):
        python = os.path.abspath(python)  # a git-revision snapshot runs in another folder
    before = load_reference(target, against, Path(cwd), python)
    after = take_snapshot(target, Path(cwd), python)
    report = compare(before, after, allowed_tag_additions=allow_tags)
    typer.echo(report.to_json() if format == "json" else report.to_text(), nl=False)
    if report.has_breaking:
        raise typer.Exit(code=1)


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
