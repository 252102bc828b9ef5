"""Files the split wrote over the plan's size limits, counted once they are written.

The plan estimates each module's size before any import is chosen; imports kept as patch points, seams and the
compatibility module's table are only known once the split is built. A file over the limit that no plan warning
names yet gets one here, so a limit the split misses is never silent."""

from __future__ import annotations

import ast
from pathlib import Path

from splitter.planning.layout import is_compat_part
from splitter.planning.plan_io import Plan
from splitter.planning.plan_notes import CANNOT_STAY, MAIN_KEEPS


def size_warnings(plan: Plan, monolith: Path, written: dict[Path, str]) -> list[str]:
    """One warning per written file (the slim monolith included) over its limit that the plan does not name."""
    settings = plan.settings or {}
    max_lines, main_max_lines = settings.get("max_lines"), settings.get("main_max_lines")
    warnings = []
    for path, text in written.items():
        is_main = path == monolith
        limit = main_max_lines if is_main else max_lines
        lines = text.count("\n") + (not text.endswith("\n") and bool(text))
        if not isinstance(limit, int) or lines <= limit or _named_already(plan, path, monolith, is_main):
            continue
        why = _why_main(path) if is_main else _why(plan, path, text)
        warnings.append(f"{path}:1: written with {lines} lines, over the limit of {limit}: {why}")
    return warnings


def _why_main(path: Path) -> str:
    return (
        f"{path.name} keeps the app, every registration in order and what the plan warnings say stays; the plan "
        "counted each router package's include once, and a module whose routes could be matched in another order "
        "through its package is included here on its own"
    )


def _why(plan: Plan, path: Path, text: str) -> str:
    compat = plan.layout.compat_module
    if (path.stem == compat or is_compat_part(path.stem, compat)) and path.name.endswith(".py"):
        return (
            f"the compatibility module that keeps moved names reachable as `{plan.module}.NAME` is a fixed part "
            "plus a table of every moved name, and is not cut"
        )
    return (
        f"the plan estimates a module's imports and header before it chooses them ({_import_lines(text)} lines of "
        "imports here); give part of it to another group in the plan to keep it under"
    )


def _named_already(plan: Plan, path: Path, monolith: Path, is_main: bool) -> bool:
    if is_main:
        return any(MAIN_KEEPS in warning for warning in plan.warnings)
    shown = path.relative_to(monolith.parent).as_posix() if path.is_relative_to(monolith.parent) else str(path)
    return any(f" {shown} {CANNOT_STAY} " in warning for warning in plan.warnings)


def _import_lines(text: str) -> int:
    """Lines held by top-level imports (and `try`/`if` blocks of them)."""
    try:
        body = ast.parse(text).body
    except SyntaxError:
        return 0
    return sum(
        statement.end_lineno - statement.lineno + 1
        for statement in body
        if isinstance(statement, (ast.Import, ast.ImportFrom))
        or (isinstance(statement, (ast.Try, ast.If)) and _only_imports(statement))
    )


def _only_imports(block: ast.Try | ast.If) -> bool:
    inner = [s for s in ast.walk(block) if isinstance(s, ast.stmt) and s is not block]
    return any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in inner) and all(
        isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass, ast.Assign, ast.Raise)) for s in inner
    )
