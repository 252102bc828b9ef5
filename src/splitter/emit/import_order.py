"""Import blocks ordered the way ruff's isort rules (I001) and isort order them, with the project's settings.

A split must not fail the project's lint: generated modules get sorted, sectioned import blocks, and in files
whose import blocks were already sorted (main.py, retargeted tests) new import lines land where isort puts them.
Files whose imports were not sorted keep their order: reordering them would be a change nobody asked for.

Order (ruff defaults): sections future, standard library, third party, first party, local folder (relative),
one blank line between them; in a section `import x` lines first, then `from x import`, each by module name
(case-insensitive, natural), relative imports furthest first; names in a `from` import constants, then classes,
then the rest; `a as b` imports stay one per statement unless combine-as-imports.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import libcst as cst
from libcst.helpers import get_full_name_for_node

from splitter.analysis.top_level_chunks import NotCut, python_lines, statements_of_chunks, top_level_chunks
from splitter.analysis.top_level_chunks import top_level_import_runs
from splitter.emit import nodes
from splitter.emit.source_statements import is_definition

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)
_SECTIONS = {
    "future": FUTURE,
    "standard-library": STDLIB,
    "third-party": THIRD_PARTY,
    "first-party": FIRST_PARTY,
    "local-folder": LOCAL,
}
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}


@dataclass(frozen=True)
class SortSettings:
    root: Path = Path(".")
    src: tuple[str, ...] = (".", "src")
    known: tuple[tuple[str, int], ...] = ()  # (module prefix, section) from known-first-party etc.
    force_sort_within_sections: bool = False
    combine_as_imports: bool = False
    order_by_type: bool = True
    case_sensitive: bool = False
    lines_after_imports: int = -1
    line_length: int = 88
    extra_first_party: frozenset[str] = field(default_factory=frozenset)  # packages the split creates
    # top-level name -> whether it is a module under `src`, asked once per settings (one apply)
    on_disk: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def with_first_party(self, names: set[str]) -> SortSettings:
        return SortSettings(**{**self.__dict__, "extra_first_party": self.extra_first_party | frozenset(names)})


def read_toml(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10: no TOML reader in the standard library; ruff's defaults apply
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _isort_table(folder: Path) -> tuple[dict, dict] | None:
    """(isort options, ruff top-level options) of the nearest configuration in `folder`, if any."""
    for name in ("ruff.toml", ".ruff.toml"):
        if (folder / name).is_file():
            ruff = read_toml(folder / name)
            return ruff.get("lint", {}).get("isort", ruff.get("isort", {})), ruff
    if (folder / "pyproject.toml").is_file():
        tool = read_toml(folder / "pyproject.toml").get("tool", {})
        if "ruff" in tool:
            ruff = tool["ruff"]
            return ruff.get("lint", {}).get("isort", ruff.get("isort", {})), ruff
        if "isort" in tool:
            isort = tool["isort"]
            return {k.replace("_", "-"): v for k, v in isort.items()}, {"line-length": isort.get("line_length")}
    return None


@lru_cache(maxsize=64)
def settings_for(folder: Path, stop: Path | None = None) -> SortSettings:
    """The import-order settings that apply to files in `folder` (nearest ruff/isort configuration upwards)."""
    for candidate in [folder, *folder.parents]:
        found = _isort_table(candidate)
        if found is not None:
            return _settings(candidate, *found)
        if stop is not None and candidate == stop:
            break
    return SortSettings(root=stop or folder)


def _settings(root: Path, isort: dict, ruff: dict) -> SortSettings:
    known = []
    for key, section in (
        ("known-first-party", FIRST_PARTY),
        ("known-third-party", THIRD_PARTY),
        ("known-local-folder", LOCAL),
        ("extra-standard-library", STDLIB),
    ):
        known += [(str(name), section) for name in isort.get(key, []) or []]
    line_length = ruff.get("line-length") or 88
    return SortSettings(
        root=root,
        src=tuple(ruff.get("src", [".", "src"])),
        known=tuple(known),
        force_sort_within_sections=bool(isort.get("force-sort-within-sections", False)),
        combine_as_imports=bool(isort.get("combine-as-imports", isort.get("combine-as", False))),
        order_by_type=bool(isort.get("order-by-type", True)),
        case_sensitive=bool(isort.get("case-sensitive", False)),
        lines_after_imports=int(isort.get("lines-after-imports", -1)),
        line_length=int(line_length),
    )


# ---- keys ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # a generated module's imports are sorted and merged several times over
def _natural(text: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(text) if part)


_DIGITS = re.compile(r"(\d+)")


def _text_key(text: str, settings: SortSettings) -> tuple:
    return (_natural(text if settings.case_sensitive else text.lower()), _natural(text))


def member_key(name: str, asname: str | None, settings: SortSettings) -> tuple:
    rank = 0
    if settings.order_by_type:
        if len(name) > 1 and name.upper() == name and name.lower() != name:
            rank = 0  # CONSTANT
        elif name[:1].isupper():
            rank = 1  # Class
        else:
            rank = 2
    return (rank, _text_key(name, settings), _text_key(asname or "", settings))


def section_of(module: str, level: int, settings: SortSettings) -> int:
    if level:
        return LOCAL
    if module == "__future__":
        return FUTURE
    best = None
    for prefix, section in settings.known:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, section)
    if best is not None:
        return best[1]
    top = module.split(".")[0]
    if top in settings.extra_first_party:
        return FIRST_PARTY
    if top in _STDLIB:
        return STDLIB
    on_disk = settings.on_disk.get(top)
    if on_disk is None:  # every import line of every written file asks; each answer is file-system calls
        on_disk = settings.on_disk[top] = any(_is_module(settings.root / src, top) for src in settings.src)
    return FIRST_PARTY if on_disk else THIRD_PARTY


def _is_module(base: Path, top: str) -> bool:
    return (base / top).is_dir() or (base / f"{top}.py").is_file()


@dataclass(frozen=True)
class ImportInfo:
    section: int
    key: tuple


def _alias_names(alias: cst.ImportAlias) -> tuple[str, str | None]:
    name = get_full_name_for_node(alias.name) or ""
    asname = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None
    return name, asname


def import_info(statement: cst.CSTNode, settings: SortSettings) -> ImportInfo | None:
    """Section and sort key of a one-import line; None for anything else (it ends an import block)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        name, asname = _alias_names(small.names[0])
        section = section_of(name, 0, settings)
        kind = 0 if not settings.force_sort_within_sections else 1
        return ImportInfo(section, (kind, 0, _text_key(name, settings), member_key(name, asname, settings)))
    if isinstance(small, cst.ImportFrom):
        level = len(small.relative)
        module = get_full_name_for_node(small.module) if small.module is not None else ""
        section = section_of(module or "", level, settings)
        if isinstance(small.names, cst.ImportStar):
            first = (-1,)
        else:
            first = member_key(*_alias_names(small.names[0]), settings)
        return ImportInfo(section, (1, -level, _text_key(module or "", settings), first))
    return None


# ---- blocks ----------------------------------------------------------------------------------------------


def _has_comment(line: cst.EmptyLine) -> bool:
    return line.comment is not None


def _members_sorted(statement: cst.SimpleStatementLine, settings: SortSettings) -> bool:
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return len(small.names) == 1
    if isinstance(small.names, cst.ImportStar):
        return True
    keys = [member_key(*_alias_names(alias), settings) for alias in small.names]
    aliased = any(alias.asname is not None for alias in small.names)
    return keys == sorted(keys) and (len(keys) == 1 or not aliased or settings.combine_as_imports)


def is_sorted(block: list[cst.SimpleStatementLine], settings: SortSettings) -> bool:
    """True when the block is in isort order with one blank line between sections and none inside one."""
    infos = [import_info(s, settings) for s in block]
    if any(i is None for i in infos) or not all(_members_sorted(s, settings) for s in block):
        return False
    clauses = [_clause(s.body[0]) for s in block if _mergeable(s, settings)]
    if len(clauses) != len(set(clauses)):
        return False  # two lines import from one module: isort merges them
    for index in range(1, len(block)):
        previous, info = infos[index - 1], infos[index]
        if (info.section, info.key) < (previous.section, previous.key):
            return False
        blanks = sum(1 for line in block[index].leading_lines if not _has_comment(line))
        if blanks != (1 if info.section != previous.section else 0):
            return False
    return True


def sort_block(block: list[cst.SimpleStatementLine], settings: SortSettings) -> list[cst.SimpleStatementLine]:
    """The block in isort order: the first line keeps the block's leading lines, comments stay with their import."""
    if not block:
        return block
    infos = {id(s): import_info(s, settings) for s in block}
    ordered = sorted(block, key=lambda s: (infos[id(s)].section, infos[id(s)].key))
    head = block[0].leading_lines
    result = []
    for position, statement in enumerate(ordered):
        # The first line's own leading lines (a licence, a "# imports" comment) stay at the top of the block.
        comments = [] if statement is block[0] else [line for line in statement.leading_lines if _has_comment(line)]
        if position == 0:
            lines = [*head, *comments]
        elif infos[id(statement)].section != infos[id(ordered[position - 1])].section:
            lines = [cst.EmptyLine(), *comments]
        else:
            lines = comments
        result.append(statement.with_changes(leading_lines=lines))
    return result


def import_runs(body: list[cst.CSTNode], settings: SortSettings) -> list[tuple[int, int]]:
    """(start, end) of every run of consecutive one-import lines in a suite."""
    runs, start = [], None
    for index, statement in enumerate([*body, None]):
        is_import = statement is not None and import_info(statement, settings) is not None
        if is_import and start is None:
            start = index
        elif not is_import and start is not None:
            runs.append((start, index))
            start = None
    return runs


def blank_lines_after_imports(following: cst.CSTNode, settings: SortSettings) -> int:
    if settings.lines_after_imports >= 0:
        return settings.lines_after_imports
    lines = list(following.leading_lines)
    while lines and not _has_comment(lines[0]):
        lines.pop(0)
    detached_comment = any(not _has_comment(line) for line in lines)  # a comment block, then a blank line
    return 2 if is_definition(following) and not detached_comment else 1


def after_imports(following: cst.BaseStatement, settings: SortSettings) -> cst.BaseStatement:
    """`following` (the first statement after a module's import block) with the blank lines isort wants."""
    comments = list(following.leading_lines)
    while comments and not _has_comment(comments[0]):
        comments.pop(0)
    blank = [cst.EmptyLine() for _ in range(blank_lines_after_imports(following, settings))]
    return following.with_changes(leading_lines=[*blank, *comments])


def _clause(small: cst.ImportFrom) -> str:
    return "." * len(small.relative) + (get_full_name_for_node(small.module) or "" if small.module else "")


def _mergeable(statement: cst.SimpleStatementLine, settings: SortSettings) -> bool:
    """A `from m import` line isort would merge with another of the same module: no `as` (unless
    combine-as-imports), no comment but one trailing comment on a one-name line (it follows the name)."""
    small = statement.body[0]
    if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
        return False
    if not settings.combine_as_imports and any(a.asname is not None for a in small.names):
        return False
    if any(_has_comment(line) for line in statement.leading_lines):
        return False
    if small.lpar is not None and holds_comment(small):
        return False
    return statement.trailing_whitespace.comment is None or len(small.names) == 1


def holds_comment(small: cst.ImportFrom) -> bool:
    """Whether a comment sits inside the parentheses of `from m import (...)`: only the whitespace inside them
    can be a `ParenthesizedWhitespace`, which holds the comments (writing the import out to look was slower)."""
    spaces = [small.lpar.whitespace_after if small.lpar else None, small.rpar.whitespace_before if small.rpar else None]
    for alias in small.names if not isinstance(small.names, cst.ImportStar) else ():
        if isinstance(alias.comma, cst.Comma):
            spaces += [alias.comma.whitespace_before, alias.comma.whitespace_after]
        if alias.asname is not None:
            spaces += [alias.asname.whitespace_before_as, alias.asname.whitespace_after_as]
    return any(
        isinstance(space, cst.ParenthesizedWhitespace)
        and (space.first_line.comment is not None or any(line.comment is not None for line in space.empty_lines))
        for space in spaces
    )


def _alias_text(alias: cst.ImportAlias) -> str:
    return cst.Module(body=[]).code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))


def merge_from_imports(statements: list[cst.SimpleStatementLine], settings: SortSettings) -> list[cst.BaseStatement]:
    """Lines importing from one module become one line, as isort writes them (`from fastapi import Depends`
    copied from the monolith and a generated `from fastapi import APIRouter`; `from pkg.services import a`
    and `... import b` after retargeting); a trailing comment (noqa for E402) follows its name."""
    groups: dict[str, list[cst.SimpleStatementLine]] = {}
    for statement in statements:
        if import_info(statement, settings) is not None and _mergeable(statement, settings):
            groups.setdefault(_clause(statement.body[0]), []).append(statement)
    result: list[cst.BaseStatement] = []
    for statement in statements:
        group = groups.get(_clause(statement.body[0])) if isinstance(statement.body[0], cst.ImportFrom) else None
        if not group or len(group) == 1 or statement not in group:
            result.append(statement)
        elif statement is group[0]:
            entries: dict[str, str | None] = {}
            for member in group:
                comment = member.trailing_whitespace.comment
                for alias in member.body[0].names:
                    entries.setdefault(_alias_text(alias), comment.value if comment else None)

            def key(text: str) -> tuple:
                name, _, alias = text.partition(" as ")
                return member_key(name, alias or None, settings)

            names = sorted(entries, key=key)
            clause = _clause(statement.body[0])
            comments = set(entries.values())
            one_line = f"from {clause} import {', '.join(names)}  {next(iter(comments)) or ''}"
            if comments == {None}:
                merged = nodes.from_import(clause, names, wrap_at=settings.line_length)
            elif len(comments) == 1 and len(one_line) <= settings.line_length:
                # One shared directive (a noqa for E402) stays on the statement's line, where linters look for it.
                merged = nodes.from_import(clause, names, wrap_at=settings.line_length).with_changes(
                    trailing_whitespace=statement.trailing_whitespace
                )
            else:
                merged = nodes.from_import_commented(clause, [(n, entries[n]) for n in names])
            result.append(merged.with_changes(leading_lines=statement.leading_lines))
    return result


def _statement_span(node: ast.stmt) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return first, node.end_lineno or node.lineno


def _block(lines: list[str], first: int, last: int) -> list[cst.BaseStatement] | None:
    try:
        return list(cst.parse_module("".join(lines[first - 1 : last])).body)
    except cst.ParserSyntaxError:
        return None


def _sorted_before(text: str, settings: SortSettings, runs: list[tuple[int, int, int]] | None = None) -> bool:
    try:
        runs = runs if runs is not None else top_level_import_runs(ast.parse(text))
    except (SyntaxError, ValueError):
        return False
    lines = python_lines(text)
    for first, last, _ in runs:
        block = _block(lines, first, last)
        if block is None or not is_sorted(block, settings):
            return False
    return True


def tidy_import_text(
    original: str, new: str, settings: SortSettings, original_runs: list[tuple[int, int, int]] | None = None
) -> str:
    """After references were retargeted: if every top-level import block of `original` was in isort order,
    put the import blocks of `new` in isort order too (new lines where isort wants them, lines of one module
    merged) and give the statement after a changed block isort's blank lines. Only the import lines are parsed
    with libcst; the rest of the file is left as it is. `original_runs`: `top_level_import_runs` of `original`, if
    at hand (retargeting finds them while it reads the file, in a process without libcst)."""
    if original == new or _import_blocks_untouched(original, new, original_runs):
        return new
    if not _sorted_before(original, settings, original_runs):
        return new
    tree = _import_statements_and_after(new)
    if tree is None:
        return new
    lines = python_lines(new)
    for first, last, following in reversed(top_level_import_runs(tree)):
        block = _block(lines, first, last)
        if block is None or is_sorted(block, settings):
            continue
        tidy = cst.Module(body=sort_block(merge_from_imports(block, settings), settings)).code
        after = _lines_after(lines, last, tree.body[following] if following < len(tree.body) else None, settings)
        lines[first - 1 : after] = python_lines(tidy) + _gap(lines, last, after, tree, following, settings)
    return "".join(lines)


def _import_statements_and_after(text: str) -> ast.Module | None:
    """The top-level statements of every chunk of `text` (`top_level_chunks`) holding a column-0 import, and of
    the chunk after each: what the import runs and the statement after each need, without parsing every test
    of a long file. The whole file when it cannot be cut; None when it does not parse."""
    try:
        chunks = top_level_chunks(text)
        wanted = {i + step for i, (_, chunk) in enumerate(chunks) if _COLUMN_0_IMPORT.search(chunk) for step in (0, 1)}
        return ast.Module(body=statements_of_chunks(chunks, sorted(wanted & set(range(len(chunks))))), type_ignores=[])
    except NotCut:
        pass
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


_COLUMN_0_IMPORT = re.compile(r"^(?:import|from)[ \t\\(.]", re.MULTILINE)


def _import_blocks_untouched(original: str, new: str, original_runs: list[tuple[int, int, int]] | None) -> bool:
    """True when `new` differs from `original` only on lines outside its top-level import statements (a patch
    target or an import inside a test changed): its import blocks are the original's, so there is nothing to
    tidy, and `new` need not be parsed (that parse was most of tidying a repository's tests)."""
    old_lines, new_lines = python_lines(original), python_lines(new)  # numbered as `ast` numbers them
    if original_runs is None or len(old_lines) != len(new_lines):
        return False
    changed = [n for n, (a, b) in enumerate(zip(old_lines, new_lines, strict=True), start=1) if a != b]
    if any(new_lines[n - 1].startswith(("import ", "from ")) for n in changed):
        return False
    return not any(first <= n <= last for first, last, _ in original_runs for n in changed)


def _lines_after(lines: list[str], last: int, following: ast.stmt | None, settings: SortSettings) -> int:
    """Index of the first line of the statement after the block (the gap holds blank lines and comments)."""
    return _statement_span(following)[0] - 1 if following is not None else last


def _gap(
    lines: list[str], last: int, after: int, tree: ast.Module, following: int, settings: SortSettings
) -> list[str]:
    if following >= len(tree.body):
        return lines[last:after]
    gap = lines[last:after]
    while gap and not gap[0].strip():
        gap.pop(0)
    detached = any(not line.strip() for line in gap)
    node = tree.body[following]
    wanted = settings.lines_after_imports
    if wanted < 0:
        is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        wanted = 2 if is_def and not detached else 1
    return ["\n"] * wanted + gap
