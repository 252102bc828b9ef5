"""Plan options from `[tool.splitter]` in the target project's pyproject.toml, so every wave plans alike.

    [tool.splitter]
    max_lines = 500              # size limit of a generated file
    main_max_lines = 200         # size main.py should end up under
    min_endpoints = 2            # smaller groups join their closest group
    skip_segments = ["rest"]     # extra path segments (regex) to skip when naming groups, added to the defaults
    exclude = ["legacy/*"]       # files (globs on the path from the repository root) references are left alone in
    [tool.splitter.groups]       # group -> path prefixes ("/orders/{id}/invoice") or endpoint function names
    billing = ["/invoices", "refund_order"]

Command-line options given explicitly win over the file.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from splitter.errors import SplitterError
from splitter.planning.planner import PlanOptions
from splitter.planning.plan_io import check_group_name

INTEGERS = ("max_lines", "main_max_lines", "min_endpoints")
KNOWN = (*INTEGERS, "skip_segments", "groups", "exclude")


def find_pyproject(monolith: Path, root: Path) -> Path | None:
    """The pyproject.toml nearest the monolith, looking no higher than the repository root."""
    root = root.resolve()
    for folder in monolith.resolve().parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if folder == root:
            break
    return None


def read_settings(monolith: Path, root: Path) -> tuple[dict, Path | None]:
    """The `[tool.splitter]` table (checked) and the file it came from; ({}, None) when there is none."""
    path = find_pyproject(monolith, root)
    if path is None:
        return {}, None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SplitterError(f"cannot read {path.name}: {exc}", path) from None
    if "splitter" not in text:  # no table of ours in any TOML spelling; importing tomllib was a tenth of a small plan
        return {}, path
    table = _toml(text, path).get("tool", {}).get("splitter", {})
    if not isinstance(table, dict):
        raise SplitterError("[tool.splitter] must be a table", path)
    _check(table, path)
    return table, path


def _toml(text: str, path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SplitterError(f"{path.name} is not valid TOML: {exc}", path) from None


def _check(table: dict, path: Path) -> None:
    unknown = sorted(set(table) - set(KNOWN))
    if unknown:
        raise SplitterError(f"[tool.splitter] has no option {unknown[0]!r} (known: {', '.join(KNOWN)})", path)
    for key in INTEGERS:
        value = table.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SplitterError(f"[tool.splitter] {key} must be a positive integer, not {value!r}", path)
    segments = table.get("skip_segments", [])
    if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
        raise SplitterError("[tool.splitter] skip_segments must be a list of strings (regular expressions)", path)
    excluded = table.get("exclude", [])
    if not isinstance(excluded, list) or not all(isinstance(g, str) and g for g in excluded):
        raise SplitterError("[tool.splitter] exclude must be a list of globs (`legacy/*`, `scripts`)", path)
    groups = table.get("groups", {})
    if not isinstance(groups, dict):
        raise SplitterError("[tool.splitter.groups] must map group names to lists of paths or functions", path)
    for name, patterns in groups.items():
        check_group_name(name, str(path))
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise SplitterError(f"[tool.splitter.groups] {name} must be a list of path prefixes or functions", path)


def plan_options(
    table: dict,
    max_lines: int | None = None,
    main_max_lines: int | None = None,
    min_endpoints: int | None = None,
    skip_segments: list[str] | tuple[str, ...] = (),
) -> PlanOptions:
    """PlanOptions from the file, with the options given on the command line (not None) winning."""
    options = PlanOptions()
    given = {"max_lines": max_lines, "main_max_lines": main_max_lines, "min_endpoints": min_endpoints}
    for key in INTEGERS:
        value = given[key] if given[key] is not None else table.get(key)
        if value is not None:
            options = replace(options, **{key: value})
    extra = tuple(table.get("skip_segments", ())) + tuple(skip_segments)
    return replace(
        options,
        skip_segments=tuple(options.skip_segments) + extra,
        group_overrides={k: list(v) for k, v in table.get("groups", {}).items()},
    )
