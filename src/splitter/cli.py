"""The `splitter` command: a thin typer layer over analysis, planning, apply and verification."""

from __future__ import annotations

import functools
import gc
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from splitter import __version__, console
from splitter.errors import SplitterError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Split a monolithic FastAPI module into routers/ and services/, safely and reviewably.",
)

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="print only errors, warnings and requested output")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="print more detail (every symbol, every file)")]
EXCLUDE_HELP = "leave references in files matching this glob alone (path from the repository root; repeatable)"
OUTPUT_FORMATS = ("text", "json")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise BrokenPipeError again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def guarded(command):
    """One clear line and exit 2 for every error; a traceback only with SPLITTER_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        console.set_verbosity(kwargs.get("quiet", False), kwargs.get("verbose", False))
        try:
            return command(*args, **kwargs)
        except SplitterError as exc:
            _fail(exc.render())
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            _quiet_stdout()  # `splitter plan x.py | head`: the reader left; say nothing more, like ruff and black
            raise typer.Exit(1) from None
        except RecursionError:
            _fail("error: the source nests too deeply for splitter to analyze")
        except Exception as exc:
            if os.environ.get("SPLITTER_DEBUG"):
                raise
            _fail(f"error: internal error ({exc.__class__.__name__}: {exc}); rerun with SPLITTER_DEBUG=1 and report it")

    return wrapper


def check_format(output_format: str) -> None:
    if output_format not in OUTPUT_FORMATS:
        hint = " (the code formatter is --formatter ruff|black)" if output_format in ("ruff", "black") else ""
        raise SplitterError(f"--format takes {' or '.join(OUTPUT_FORMATS)}, not {output_format!r}{hint}")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"splitter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """Split a monolithic FastAPI module into routers/ and services/, safely and reviewably."""


@app.command()
@guarded
def plan(
    file: Path = typer.Argument(..., help="the monolith, e.g. app/main.py"),
    out: str | None = typer.Option(None, "--out", "-o", help="write the editable JSON plan here ('-': stdout)"),
    module: str | None = typer.Option(None, help="dotted name the project imports the file by, if not detectable"),
    max_lines: int | None = typer.Option(None, help="size limit of a generated file [default: 500]"),
    main_max_lines: int | None = typer.Option(None, help="size main.py should end up under [default: 200]"),
    skip_segment: list[str] = typer.Option([], help="extra path segments to skip when grouping (regex)"),
    min_endpoints: int | None = typer.Option(
        None, help="groups with fewer endpoints merge into their closest group [default: 2]"
    ),
    strict: bool = typer.Option(False, help="treat warnings as errors (exit 2)"),
    output_format: str = typer.Option("text", "--format", help="text or json (docs/output.md)"),
    exclude: list[str] = typer.Option([], help=EXCLUDE_HELP),
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Analyze FILE and propose routers/services (nothing is written but --out). Options default to
    `[tool.splitter]` in the project's pyproject.toml."""
    from splitter.dataclass_cache import cached_dataclass_code

    check_format(output_format)
    with cached_dataclass_code("plan"), console.progress(f"planning {file}"):
        from splitter.planning.plan_io import plan_to_json_text, write_plan
        from splitter.planning.project import load_project, plan_project
        from splitter.report import envelope, plan_summary, print_plan
        from splitter.planning.settings import plan_options

        project = load_project(file, module, scan_ahead=True, read=False, exclude=tuple(exclude))
        options = plan_options(project.settings, max_lines, main_max_lines, min_endpoints, skip_segment)
        result = plan_project(project, options)
    if strict and result.warnings:
        raise SplitterError(f"{result.warnings[0]} (--strict: {len(result.warnings)} warnings are errors)")
    if out == "-":
        sys.stdout.write(plan_to_json_text(result))
        console.set_verbosity(True, False)  # stdout holds the plan: the report would corrupt it
    elif out is not None:
        write_plan(result, Path(out))
    if output_format == "json" and out != "-":
        sys.stdout.write(envelope("plan", True, plan=plan_summary(result)))
        return
    print_plan(project.analysis, result, warnings_to_err=out == "-")
    if out not in (None, "-"):
        console.say(f"plan written to {out}")


@app.command()
@guarded
def apply(
    file: Path = typer.Argument(..., help="the monolith, e.g. app/main.py"),
    plan_file: str | None = typer.Option(None, "--plan", help="a plan from `splitter plan -o` ('-': stdin)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print a unified diff (`git apply`-able), write nothing"),
    check: bool = typer.Option(False, "--check", help="write nothing; exit 1 when there are changes to make"),
    only: list[str] = typer.Option([], "--only", help="extract only these groups (repeatable)"),
    yes: bool = typer.Option(False, "--yes", "-y", help="write without asking"),
    force: bool = typer.Option(False, help="overwrite existing files; write outside a git repository"),
    allow_dirty: bool = typer.Option(False, help="allow uncommitted changes in files splitter touches"),
    tags: bool = typer.Option(False, help="give each router tags=[group] (changes the OpenAPI document on purpose)"),
    formatter: str | None = typer.Option(None, "--formatter", help="format generated imports/headers: ruff or black"),
    output_format: str = typer.Option("text", "--format", help="text or json (docs/output.md)"),
    no_references: bool = typer.Option(
        False, "--no-references", help="do not rewrite references to moved names elsewhere"
    ),
    exclude: list[str] = typer.Option([], help=EXCLUDE_HELP),
    module: str | None = typer.Option(None, help="dotted name the project imports the file by"),
    verify: str | None = typer.Option(None, help="MODULE:APP: snapshot before, verify after, roll back on change"),
    run_tests: str | None = typer.Option(None, help="with --verify: test command to run before and after"),
    python: str | None = typer.Option(None, help="with --verify: the target project's Python"),
    summary: str | None = typer.Option(None, help="write a markdown pull-request summary here ('-': stdout)"),
    strict: bool = typer.Option(False, help="refuse to split when the plan has warnings (exit 2)"),
    emit_tests: Path | None = typer.Option(None, "--emit-tests", help="then write router tests into this folder"),
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Carry the plan out: write routers/, services/ and a slim main.py, and update references."""
    from splitter.dataclass_cache import cached_dataclass_code

    check_format(output_format)
    if formatter not in (None, "ruff", "black"):
        raise SplitterError(f"--formatter takes ruff or black, not {formatter!r}")
    arguments = dict(locals())
    with cached_dataclass_code("apply"):
        from splitter.apply_command import ApplyRequest, run_apply

        request = ApplyRequest(**{k: v for k, v in arguments.items() if k in ApplyRequest.__dataclass_fields__})
        code = run_apply(request)
    if code:
        raise typer.Exit(code)


def _register_verification() -> None:
    try:
        from splitter.verify_command import snapshot_command, verify_command
        from splitter.verification.router_tests import tests_command
    except ImportError:  # pragma: no cover - shipped together
        return
    app.command("snapshot")(guarded(snapshot_command))
    app.command("verify")(guarded(verify_command))
    app.command("tests")(guarded(tests_command))


_register_verification()


def main() -> None:
    """Console entry point: usage mistakes get the same single `error:` line as everything else."""
    # A command is one short run: the big passes pause the cyclic collector already (gcpause.py); collecting
    # their cycles after them, and the interpreter's full collection at exit, cost a tenth of a small `plan` and
    # free nothing the exit would not.
    gc.disable()
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
