"""The `splitter` command: a thin typer layer over analysis, planning, apply and verification."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import typer

from .errors import SplitterError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Split a monolithic FastAPI module into routers/ and services/, safely and reviewably.",
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def guarded(command):
    """One clear line and exit 2 for every error; a traceback only with SPLITTER_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SplitterError as exc:
            _fail(exc.render())
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except RecursionError:
            _fail("error: the source nests too deeply for splitter to analyze")
        except Exception as exc:
            if os.environ.get("SPLITTER_DEBUG"):
                raise
            _fail(f"error: internal error ({exc.__class__.__name__}: {exc}); rerun with SPLITTER_DEBUG=1 and report it")

    return wrapper


@app.command()
@guarded
def plan(
    file: Path = typer.Argument(..., help="the monolith, e.g. app/main.py"),
    out: Path | None = typer.Option(None, "--out", "-o", help="write the editable JSON plan here"),
    module: str | None = typer.Option(None, help="dotted name the project imports the file by, if not detectable"),
    max_lines: int = typer.Option(500, help="size limit of a generated file"),
    main_max_lines: int = typer.Option(200, help="size main.py should end up under"),
    skip_segment: list[str] = typer.Option([], help="extra path segments to skip when grouping (regex)"),
    min_endpoints: int = typer.Option(2, help="groups with fewer endpoints merge into their closest group"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="list where every symbol goes"),
    strict: bool = typer.Option(False, help="treat warnings as errors (exit 2)"),
) -> None:
    """Analyze FILE and propose routers/services (nothing is written but --out)."""
    from .plan_io import write_plan
    from .planning import PlanOptions
    from .project import load_project, plan_project
    from .report import render_plan

    project = load_project(file, module)
    options = PlanOptions(max_lines=max_lines, main_max_lines=main_max_lines, min_endpoints=min_endpoints)
    if skip_segment:
        options.skip_segments = tuple(options.skip_segments) + tuple(skip_segment)
    result = plan_project(project, options)
    if strict and result.warnings:
        raise SplitterError(f"{result.warnings[0]} (--strict: {len(result.warnings)} warnings are errors)")
    if out is not None:
        write_plan(result, out)
    typer.echo(render_plan(project.analysis, result, verbose=verbose))
    if out is not None:
        typer.echo(f"plan written to {out}")


@app.command()
@guarded
def apply(
    file: Path = typer.Argument(..., help="the monolith, e.g. app/main.py"),
    plan_file: Path | None = typer.Option(None, "--plan", help="a plan from `splitter plan --out`; default: plan now"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print a unified diff (`git apply`-able), write nothing"),
    check: bool = typer.Option(False, "--check", help="with --dry-run: exit 1 when there would be changes"),
    only: list[str] = typer.Option([], "--only", help="extract only these groups (repeatable)"),
    yes: bool = typer.Option(False, "--yes", "-y", help="write without asking"),
    force: bool = typer.Option(False, help="overwrite files that already exist"),
    allow_dirty: bool = typer.Option(False, help="allow uncommitted changes in files splitter touches"),
    tags: bool = typer.Option(False, help="give each router tags=[group] (changes the OpenAPI document on purpose)"),
    fmt: str | None = typer.Option(None, "--format", help="format generated code with ruff or black"),
    no_references: bool = typer.Option(False, help="do not rewrite references to moved names elsewhere"),
    module: str | None = typer.Option(None, help="dotted name the project imports the file by"),
    verify: str | None = typer.Option(None, help="MODULE:APP: snapshot before, verify after, roll back on change"),
    run_tests: str | None = typer.Option(None, help="with --verify: test command to run before and after"),
    python: str | None = typer.Option(None, help="with --verify: the target project's Python"),
    strict: bool = typer.Option(False, help="refuse to split when the plan has warnings (exit 2)"),
    emit_tests: Path | None = typer.Option(None, "--emit-tests", help="then write router tests into this folder"),
) -> None:
    """Carry the plan out: write routers/, services/ and a slim main.py, and update references."""
    from .apply import ApplyOptions, apply_split
    from .plan_io import read_plan
    from .report import render_apply

    if fmt not in (None, "ruff", "black"):
        raise SplitterError(f"--format takes ruff or black, not {fmt!r}")
    if emit_tests is not None and dry_run:
        raise SplitterError("--emit-tests runs the split app, so it needs the split written: drop --dry-run")
    options = ApplyOptions(
        dry_run=True,
        only=tuple(only),
        force=force,
        allow_dirty=allow_dirty,
        tags=tags,
        fmt=fmt,
        update_references=not no_references,
        module_name=module,
    )
    chosen = read_plan(plan_file) if plan_file else None
    preview = apply_split(file, chosen, options)
    if strict and preview.plan.warnings:
        raise SplitterError(f"{preview.plan.warnings[0]} (--strict: {len(preview.plan.warnings)} warnings are errors)")
    if dry_run:
        sys.stdout.write(preview.diff)
        if check and preview.diff:
            raise typer.Exit(1)
        return
    target = verify or f"{preview.plan.module}:{preview.plan.app}"
    if emit_tests is not None:
        from .verification.router_tests import check_output_folder

        check_output_folder(emit_tests, preview.root)  # refuse before the split is written, not after
    if not preview.diff:
        typer.echo("nothing to do: the module is already split as planned")
        _emit_router_tests(emit_tests, target, preview.root, python)
        return
    if not yes:
        if not sys.stdin.isatty():
            raise SplitterError("refusing to write without confirmation: pass --yes (or --dry-run to see the diff)")
        typer.echo(render_apply(preview))
        if not typer.confirm(f"write {len(preview.changes)} files?"):
            raise typer.Exit(1)
    options.dry_run = False
    if verify:
        from .verify_apply import apply_with_verification

        report = apply_with_verification(file, chosen, options, verify, run_tests, python)
        typer.echo(report)
    else:
        typer.echo(render_apply(apply_split(file, chosen, options)))
    _emit_router_tests(emit_tests, target, preview.root, python)


def _emit_router_tests(out_dir: Path | None, target: str, root: Path, python: str | None) -> None:
    if out_dir is not None:
        from .verification.router_tests import generate_router_tests

        typer.echo(generate_router_tests(target, root, out_dir, python).summary())


def _register_verification() -> None:
    try:
        from .verification.cli import snapshot_command, verify_command
        from .verification.router_tests import tests_command
    except ImportError:  # pragma: no cover - shipped together
        return
    app.command("snapshot")(guarded(snapshot_command))
    app.command("verify")(guarded(verify_command))
    app.command("tests")(guarded(tests_command))


_register_verification()


def main() -> None:
    """Console entry point: usage mistakes get the same single `error:` line as everything else."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("error: aborted; nothing was written", err=True)
        sys.exit(1)
    except Exception as exc:
        # click's UsageError (vendored inside newer typer): has format_message() and exit code 2.
        if getattr(exc, "exit_code", None) != 2 or not hasattr(exc, "format_message"):
            raise
        message = exc.format_message()
        if not message:  # `splitter` alone: the help was shown, nothing went wrong
            sys.exit(0)
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "splitter"
        typer.echo(f"error: {message} (see `{command} --help`)", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
