"""`splitter apply`: one dry run of the pipeline, then report it, check it, or write exactly what it showed."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import typer

from splitter import console
from splitter.emit.apply import ApplyOptions, ApplyResult, apply_split
from splitter.errors import SplitterError
from splitter.report import changed_files, envelope, plan_summary, print_files, print_verify_report, print_warnings


@dataclass
class ApplyRequest:
    file: Path
    plan_file: str | None = None
    dry_run: bool = False
    check: bool = False
    only: list[str] = field(default_factory=list)
    yes: bool = False
    force: bool = False
    allow_dirty: bool = False
    tags: bool = False
    formatter: str | None = None
    output_format: str = "text"
    no_references: bool = False
    module: str | None = None
    verify: str | None = None
    run_tests: str | None = None
    python: str | None = None
    summary: str | None = None
    strict: bool = False
    emit_tests: Path | None = None
    exclude: list[str] = field(default_factory=list)


def _preview(request: ApplyRequest) -> ApplyResult:
    from splitter.planning.plan_io import read_plan

    options = ApplyOptions(
        dry_run=True,
        only=tuple(request.only),
        force=request.force,
        allow_dirty=request.allow_dirty or request.dry_run or request.check,  # nothing will be written
        tags=request.tags,
        fmt=request.formatter,
        update_references=not request.no_references,
        module_name=request.module,
        exclude=tuple(request.exclude),
    )
    chosen = read_plan(request.plan_file) if request.plan_file else None
    with console.progress(f"splitting {request.file}"):
        preview = apply_split(request.file, chosen, options)
    if request.strict and preview.plan.warnings:
        warnings = preview.plan.warnings
        raise SplitterError(f"{warnings[0]} (--strict: {len(warnings)} warnings are errors)")
    return preview


def undo_command(files: list[dict], git_root: Path) -> str:
    """The git command that takes a written split back: restore modified files, remove created ones."""
    root = shlex.quote(str(git_root))
    modified = [f["path"] for f in files if f["status"] == "modified"]
    created = [f["path"] for f in files if f["status"] == "created"]
    new_tops = set()
    for path in created:  # a new folder (routers/) goes as a whole, so no empty package is left behind
        prefixes = [Path(*Path(path).parts[: i + 1]) for i in range(len(Path(path).parts))]
        new_tops.add(next(p for p in prefixes if not (git_root / p).exists()).as_posix())
    commands = []
    if modified:
        commands.append(f"git -C {root} checkout -- {' '.join(map(shlex.quote, modified))}")
    if new_tops:
        commands.append(f"git -C {root} clean -fdq -- {' '.join(map(shlex.quote, sorted(new_tops)))}")
    return " && ".join(commands)


def _write(preview: ApplyResult, request: ApplyRequest):
    """Write the previewed changes (verified when asked); returns the verification report or None."""
    from splitter.verification.verify_apply import apply_with_verification, changed_only
    from splitter.emit.writer import write_all

    if request.verify:
        from splitter.verification.verify_apply import VerificationFailed

        try:
            with console.progress(f"writing and verifying {request.verify}"):
                return apply_with_verification(
                    preview, request.verify, request.run_tests, request.python, allow_tags=request.tags
                )
        except VerificationFailed as failed:
            _report_verification(failed.report, request)
            if request.summary:
                _write_summary(preview, [], request, failed.report, written=False)
            raise
    write_all(changed_only(preview))
    return None


def _report_verification(report, request: ApplyRequest) -> None:
    """Every finding, exactly as `splitter verify` prints them (stdout, or inside the JSON document)."""
    if request.output_format == "json":
        sys.stdout.write(envelope("apply", False, verify=report.to_dict(), written=False))
    else:
        print_verify_report(report)


def _write_summary(preview: ApplyResult, files: list[dict], request: ApplyRequest, report, written: bool) -> None:
    from splitter.summary import markdown_summary

    text = markdown_summary(preview, files, verify_target=request.verify, report=report, written=written)
    if request.summary == "-":
        sys.stdout.write(text)
        return
    try:
        Path(request.summary).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SplitterError(f"cannot write summary: {exc.strerror or exc}", request.summary) from None


def _confirm(preview: ApplyResult, files: list[dict], request: ApplyRequest) -> None:
    if preview.git_root is None and not request.force:
        raise SplitterError(
            "not inside a git repository, so nothing could undo the split: commit the project to git first, "
            "or pass --force",
            preview.root,
        )
    if request.yes:
        return
    if not sys.stdin.isatty() or request.plan_file == "-":
        raise SplitterError("refusing to write without confirmation: pass --yes (or --dry-run to see the diff)")
    print_files(files, written=False)
    if not typer.confirm(f"write {len(files)} files?"):
        raise typer.Exit(1)


def _emit_router_tests(request: ApplyRequest, preview: ApplyResult) -> None:
    if request.emit_tests is not None:
        from splitter.verification.router_tests import generate_router_tests

        target = request.verify or f"{preview.plan.module}:{preview.plan.app}"
        result = generate_router_tests(target, preview.root, request.emit_tests, request.python)
        console.say(result.summary())


def _report_preview(preview: ApplyResult, files: list[dict], request: ApplyRequest) -> int:
    """--dry-run / --check: the diff, the JSON envelope or the file list; nothing is written."""
    json_out = request.output_format == "json"
    if files and not json_out:  # on stderr: a diff piped to a file or `git apply` stays a diff
        print_warnings(preview.plan.warnings, to_err=True)
    if request.dry_run and not json_out:
        sys.stdout.write(preview.diff)
    elif json_out:
        diff = preview.diff if request.dry_run else None
        summary = plan_summary(preview.plan)
        due = request.check and bool(files)  # ok is the exit status: --check with changes due exits 1
        sys.stdout.write(envelope("apply", not due, plan=summary, files=files, written=False, diff=diff))
    elif files:
        print_files(files, written=False)
    if request.summary:
        _write_summary(preview, files, request, None, written=False)
    return 1 if request.check and files else 0


def _report_written(preview: ApplyResult, files: list[dict], request: ApplyRequest, report, undo: str | None) -> None:
    if request.output_format == "json":
        verified = report.to_dict() if report else None
        summary = plan_summary(preview.plan)
        sys.stdout.write(envelope("apply", True, plan=summary, files=files, written=True, verify=verified, undo=undo))
        return
    print_warnings(preview.plan.warnings)
    if report is not None and report.findings:
        print_verify_report(report)
    print_files(files, written=True)
    if report is not None:
        console.say(f"verified {request.verify}: no breaking change", style="green")
    if undo:
        console.say(f"to undo: {undo}")
        if request.allow_dirty:
            console.say("  (with --allow-dirty, that also drops edits the files had before the split)")


def run_apply(request: ApplyRequest) -> int:
    if request.emit_tests is not None and (request.dry_run or request.check):
        flag = "--dry-run" if request.dry_run else "--check"
        raise SplitterError(f"--emit-tests runs the split app, so it needs the split written: drop {flag}")
    if request.summary == "-" and request.output_format == "text" and not request.dry_run:
        console.set_verbosity(True, False)  # stdout holds the summary; the report would be mixed into it
    preview = _preview(request)
    if request.emit_tests is not None and not request.verify and not preview.plan.app:
        raise SplitterError(  # an app factory, or peer routers: the module holds no app to snapshot by name
            f"--emit-tests needs the app: {preview.plan.module} makes none at module level; pass it as "
            f"--verify MODULE:APP (a factory call works too: --verify '{preview.plan.module}:create_app()')"
        )
    if request.emit_tests is not None:
        from splitter.verification.router_tests import check_output_folder

        check_output_folder(request.emit_tests, preview.root)  # refuse before the split is written, not after
    files = changed_files(preview)
    if request.dry_run or request.check:
        return _report_preview(preview, files, request)
    if not files:
        console.say("nothing to do: the module is already split as planned")
        _emit_router_tests(request, preview)
        return 0
    _confirm(preview, files, request)
    undo = undo_command(files, preview.git_root) if preview.git_root else None  # before new folders exist
    report = _write(preview, request)
    if request.summary:
        _write_summary(preview, files, request, report, written=True)
    _emit_router_tests(request, preview)
    _report_written(preview, files, request, report, undo)
    return 0
