"""Command functions for `splitter snapshot` / `splitter verify`.

The typer app lives in `splitter/cli.py`, which registers these functions; errors are raised as
SplitterError and rendered there (one line, exit 2).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from splitter.errors import SplitterError
from splitter.verification import contract
from splitter.verification.compare import compare
from splitter.verification.git_snapshot import snapshot_at_revision
from splitter.verification.runner import detect_python, take_snapshot

OUTPUT_FORMATS = ("text", "json")


Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="print only errors and requested output")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="print more detail")]


def snapshot_command(
    target: Annotated[str, typer.Argument(help="the app to snapshot, as MODULE:APP")],
    out: Annotated[Path, typer.Option("-o", "--out", help="write the snapshot JSON here ('-': stdout)")],
    python: Annotated[str | None, typer.Option(help="the project's interpreter (default: its .venv)")] = None,
    cwd: Annotated[Path, typer.Option(help="the project's root directory")] = Path("."),
    emit_contract_test: Annotated[
        Path | None,
        typer.Option(help="also write test_api_contract.py + api_contract_snapshot.json into this directory"),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Record the app's OpenAPI document, route table, middleware and handlers as JSON."""
    from splitter import console

    with console.progress(f"importing {target}"):
        snapshot = take_snapshot(target, Path(cwd), python)
    text = json.dumps(snapshot, indent=2) + "\n"
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SplitterError(f"cannot write snapshot: {exc.strerror or exc}", out) from None
    console.say(f"wrote {out} ({len(snapshot['routes'])} routes)", to_err=str(out) == "-")
    if emit_contract_test is not None:
        written = contract.emit_contract_test(target, snapshot, emit_contract_test, project_root=Path(cwd))
        with console.progress("recording the contract in the project's own test run"):
            contract.record_in_test_run(written[0], Path(cwd), detect_python(Path(cwd), python))
        for path in written:
            console.say(f"wrote {path}", to_err=str(out) == "-")


def load_reference(target: str, against: str, cwd: Path, python: str | None) -> dict:
    """`against` is a snapshot JSON file if one exists at that path ('-': stdin), else a git revision."""
    if against == "-":
        try:
            return json.loads(sys.stdin.read())
        except json.JSONDecodeError as exc:
            raise SplitterError(f"not a snapshot JSON file: {exc.msg}", "<stdin>", exc.lineno) from None
    for candidate in (Path(against), Path(cwd) / against):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise SplitterError(f"not a snapshot JSON file: {exc.msg}", candidate, exc.lineno) from None
    return snapshot_at_revision(target, Path(cwd), against, python)


def verify_command(
    target: Annotated[str, typer.Argument(help="the app to check, as MODULE:APP")],
    against: Annotated[str, typer.Option(help="a git revision (e.g. HEAD) or a snapshot JSON file ('-': stdin)")],
    python: Annotated[str | None, typer.Option(help="the project's interpreter (default: its .venv)")] = None,
    cwd: Annotated[Path, typer.Option(help="the project's root directory")] = Path("."),
    format: Annotated[str, typer.Option(help="text or json")] = "text",
    allow_tags: Annotated[bool, typer.Option(help="report added OpenAPI tags as cosmetic (for --tags splits)")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Compare the app now with the app at --against; exit 1 when something breaking changed."""
    from splitter import console
    from splitter.report import envelope, print_verify_report

    if format not in OUTPUT_FORMATS:
        raise SplitterError(f"unknown format {format!r}; use one of: {', '.join(OUTPUT_FORMATS)}")
    if python and os.sep in python and not os.path.isabs(python):
        python = os.path.abspath(python)  # a git-revision snapshot runs in another folder
    with console.progress(f"comparing {target} with {against}"):
        before = load_reference(target, against, Path(cwd), python)
        after = take_snapshot(target, Path(cwd), python)
    report = compare(before, after, allowed_tag_additions=allow_tags)
    if format == "json":
        sys.stdout.write(envelope("verify", not report.has_breaking, verify=report.to_dict()))
    elif not quiet or report.has_breaking:
        print_verify_report(report)
    if report.has_breaking:
        raise typer.Exit(code=1)
