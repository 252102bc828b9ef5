"""Where `SeamQualifier` would write `core.x` for a seam `x`, found with `ast` on the monolith's own tree.

The codemod (codemods/qualify_seams.py) is the reference and both read splitter's one scope model
(`splitter.analysis.scopes`): a name is qualified when the scope it is read in resolves it to the module, and it is
a lookup at all (a `with ... as x` target is not; attribute names, keywords, parameters, definitions and imports
are not `ast.Name`s). Bodies of functions, classes and lambdas and whole comprehensions are their own scopes, except
a comprehension's first iterable, which is read outside it (as `ScopeTracking` enters them on the CST).
Offsets are exact; a statement this finder cannot place exactly (a `match` statement, a seam inside an f-string
on Python < 3.12, which reports its positions unreliably) gets None, and the caller runs the codemod instead.

A function living apart from a global it rebinds (analysis/rebinders.py) also loses that name from its `global`
statement: the codemod's edit, done here only where the text says exactly what libcst would print (a `global`
line of its own, with a statement after it in its block), else None.
"""

from __future__ import annotations

import ast
import re
import sys
from itertools import accumulate

from splitter.analysis.ast_walk import child_nodes
from splitter.analysis.rebinders import kept_bare, unsafe_in
from splitter.analysis.scopes import Scope, build_scopes

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_SCOPE_NODES = _FUNCTIONS + (ast.ClassDef, ast.Lambda, ast.withitem, ast.JoinedStr) + _COMPREHENSIONS
_IGNORED = (ast.Import, ast.ImportFrom, ast.Nonlocal)
_BODIES = ("body", "orelse", "finalbody")
# PEP 701: from 3.12 the names inside an f-string's braces have their own exact positions
_EXACT_FSTRING_POSITIONS = sys.version_info >= (3, 12)


class Unsupported(Exception):
    """The statement needs the libcst codemod."""


class _Finder:
    def __init__(self, seams: frozenset[str], root: Scope) -> None:
        self.seams = seams
        self.scope_of = {id(scope.node): scope for scope in root.walk()}
        self.stack = [root]
        self.found: list[ast.Name] = []
        self.fields: list[ast.FormattedValue] = []  # `{seam}` in an f-string: `{seam=}` prints its own text
        self.expressions: list[ast.FormattedValue] = []  # `{seam + 1}`: `{seam + 1=}` too, the codemod's case
        self.globals: list[tuple[ast.Global, list[str]]] = []  # `global` statements and the names they keep
        self.unsafe: dict[int, dict[str, tuple[int, str]]] = {}

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            if self._qualified(node):
                self.found.append(node)
        elif isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name):
            if self._qualified(node.value):
                self.fields.append(node)
            if node.format_spec is not None:
                self.visit(node.format_spec)
        elif isinstance(node, ast.FormattedValue):
            before = len(self.found)
            self.children(node)
            if len(self.found) > before:
                self.expressions.append(node)
        elif isinstance(node, ast.Global):
            self._global(node)
        elif isinstance(node, ast.NamedExpr):
            self.visit(node.value)  # `x := v` cannot name an attribute: the codemod leaves the target
        elif isinstance(node, _SCOPE_NODES):
            self._scope(node)
        elif isinstance(node, ast.Match):
            raise Unsupported("match")
        elif not isinstance(node, _IGNORED):
            self.children(node)

    def _qualified(self, node: ast.Name) -> bool:
        scope = self.stack[-1]
        return (
            node.id in self.seams and scope.resolves_to_module(node.id) and not kept_bare(scope, node.id, self.unsafe)
        )

    def children(self, node: ast.AST) -> None:
        for child in child_nodes(node):
            if not isinstance(child, ast.Constant):  # nothing below a constant can name a seam
                self.visit(child)

    def within(self, scope: Scope, nodes: list[ast.AST]) -> None:
        self.stack.append(scope)
        for node in nodes:
            self.visit(node)
        self.stack.pop()

    def _global(self, node: ast.Global) -> None:
        scope = self.stack[-1]
        if scope.kind != "function" or not self.seams.intersection(node.names):
            return
        unsafe = unsafe_in(scope, self.unsafe)
        kept = [name for name in node.names if name not in self.seams or name in unsafe]
        if len(kept) < len(node.names):
            self.globals.append((node, kept))

    def _own(self, node: ast.AST) -> Scope:
        scope = self.scope_of.get(id(node))
        if scope is None:
            raise Unsupported("no scope for a nested definition")
        return scope

    def _scope(self, node: ast.AST) -> None:
        if isinstance(node, _FUNCTIONS):  # decorators, defaults and annotations are read outside the body
            for part in [*node.decorator_list, node.args, node.returns]:
                if part is not None:
                    self.visit(part)
            self.within(self._own(node), node.body)
        elif isinstance(node, ast.ClassDef):
            for part in [*node.decorator_list, *node.bases, *node.keywords]:
                self.visit(part)
            self.within(self._own(node), node.body)
        elif isinstance(node, ast.Lambda):
            self.visit(node.args)
            self.within(self._own(node), [node.body])
        elif isinstance(node, ast.withitem):
            self.visit(node.context_expr)
            if node.optional_vars is not None:
                self.visit(node.optional_vars)  # `as x` binds the seam when the function declares it `global`
        elif isinstance(node, ast.JoinedStr):
            if _EXACT_FSTRING_POSITIONS:
                self.children(node)
            elif any(isinstance(n, ast.Name) and n.id in self.seams for n in ast.walk(node)):
                raise Unsupported("f-string")
        else:
            first = node.generators[0]
            self.visit(first.iter)  # evaluated in the enclosing scope: `[db for db in db]` reads the outer `db`
            inside = [child for child in ast.iter_child_nodes(node) if child is not first]
            self.within(self._own(node), [first.target, *first.ifs, *inside])


def seam_edits(
    node: ast.stmt, text: str, text_start: int, lines: list[str], aliases: dict[str, str], scopes: Scope | None = None
) -> list[tuple[int, int, str]] | None:
    """(offset, length, new text) edits of `text` (the statement's text, starting at 0-based line `text_start` of
    `lines`) doing what the codemod does: `alias.name` for each seam, and
    `global` statements without the seams a function now assigns through their module. None: only the codemod
    can tell. `scopes`: the statement's scope tree, when the caller has it."""
    finder = _found(node, frozenset(aliases), scopes)
    found = None if finder is None else _name_offsets(finder, text, text_start, lines)
    if finder is None or found is None:
        return None
    edits = [(offset, len(name), f"{aliases[name]}.{name}") for offset, name in found]
    if any(_prints_its_text(field, text, text_start, lines) for field in finder.expressions):
        return None
    for field in finder.fields:
        edit = _field_edit(field, text, text_start, lines, aliases[field.value.id])  # type: ignore[attr-defined]
        if edit is None:
            return None
        edits.append(edit)
    following = _statements_following(node) if finder.globals else set()
    for statement, kept in finder.globals:
        edit = _global_edit(statement, kept, id(statement) in following, text, text_start, lines)
        if edit is None:
            return None
        edits.append(edit)
    return edits


def module_name_edits(
    node: ast.stmt, text: str, text_start: int, lines: list[str], module_name: str, scopes: Scope | None = None
) -> list[tuple[int, int, str]] | None:
    """`__name__` -> `"pkg.main"` where it reads the module's name, as `ModuleNamePinner` writes it. None where the
    codemod must choose: inside an f-string (its quotes must differ from the enclosing ones before 3.12), a
    `global __name__`, or `__name__` bound by the statement itself."""
    if any(isinstance(n, ast.Global) and "__name__" in n.names for n in ast.walk(node)):
        return None
    # an f-string reading it: Unsupported before 3.12, else fields
    finder = _found(node, frozenset({"__name__"}), scopes)
    if finder is None or finder.fields or finder.expressions:
        return None
    found = _name_offsets(finder, text, text_start, lines)
    if found is None or any(not isinstance(n.ctx, ast.Load) for n in finder.found):
        return None
    return [(offset, len(name), f'"{module_name}"') for offset, name in found]


def _found(node: ast.stmt, seams: frozenset[str], scopes: Scope | None = None) -> _Finder | None:
    try:
        finder = _Finder(seams, scopes if scopes is not None else build_scopes(node))
        finder.visit(node)
    except Unsupported:
        return None
    return finder


def char_column(line: str, col_offset: int) -> int:
    """The character column of an `ast` column offset, which counts UTF-8 bytes."""
    return len(line.encode("utf-8")[:col_offset].decode("utf-8", "replace"))


def _name_offsets(finder: _Finder, text: str, text_start: int, lines: list[str]) -> list[tuple[int, str]] | None:
    if not finder.found:
        return []
    last = max(name.lineno for name in finder.found)
    starts = list(accumulate((len(x) for x in lines[text_start : last - 1]), initial=0))
    found = []
    for name in finder.found:
        line = lines[name.lineno - 1]
        offset = starts[name.lineno - 1 - text_start] + char_column(line, name.col_offset)
        if text[offset : offset + len(name.id)] != name.id:
            return None
        found.append((offset, name.id))
    return found if len({offset for offset, _ in found}) == len(found) else None


def _offset(lines: list[str], text_start: int, lineno: int, col_offset: int) -> int:
    """Where an `ast` position (1-based line, UTF-8 column) falls in the text that starts at line `text_start`."""
    return sum(len(x) for x in lines[text_start : lineno - 1]) + char_column(lines[lineno - 1], col_offset)


def _prints_its_text(field: ast.FormattedValue, text: str, text_start: int, lines: list[str]) -> bool:
    """Whether `=` follows the field's expression (`{a + b=}`); True when that text cannot be read here."""
    value = field.value
    if value.end_lineno is None or value.end_col_offset is None:
        return True
    end = _offset(lines, text_start, value.end_lineno, value.end_col_offset)
    after = text[end:].lstrip(" \t)")  # `{(a + b)=}`: the parentheses are not the expression node's
    return after.startswith("=") and not after.startswith("==")


def _field_edit(
    field: ast.FormattedValue, text: str, text_start: int, lines: list[str], alias: str
) -> tuple[int, int, str] | None:
    """`{x}` -> `{core.x}`; `{x=}` -> `x={core.x!r}` as the codemod writes it (the text `=` printed goes before
    the field, the value rendered as `=` rendered it). None for a field over several lines or in parentheses."""
    name = field.value.id  # type: ignore[attr-defined]
    if field.lineno != field.end_lineno:
        return None
    start = _offset(lines, text_start, field.lineno, field.col_offset)
    source = text[start : _offset(lines, text_start, field.lineno, field.end_col_offset)]  # type: ignore[arg-type]
    debug = re.match(rf"\{{(\s*{name}\s*=\s*)", source)
    if debug is None:
        bare = re.match(rf"\{{\s*({name})\b", source)
        return None if bare is None else (start + bare.start(1), len(name), f"{alias}.{name}")
    conversion = "" if source[debug.end() : debug.end() + 1] in ("!", ":") else "!r"
    return (start, debug.end(), f"{debug.group(1)}{{{alias}.{name}{conversion}")


def _statements_following(node: ast.stmt) -> set[int]:
    """ids of the statements that another statement of the same block follows."""
    found = set()
    for parent in ast.walk(node):
        for field in _BODIES:
            body = getattr(parent, field, None)
            if isinstance(body, list):
                found.update(id(statement) for statement in body[:-1])
    return found


def _global_edit(
    node: ast.Global, kept: list[str], followed: bool, text: str, text_start: int, lines: list[str]
) -> tuple[int, int, str] | None:
    """`global a, b` -> `global b`, or its line deleted when no name is left (libcst then hands the comments above
    it to the next statement: the same text). None for a layout libcst may print otherwise."""
    if node.end_lineno != node.lineno:
        return None
    line = lines[node.lineno - 1]
    line_start = sum(len(x) for x in lines[text_start : node.lineno - 1])
    start = line_start + char_column(line, node.col_offset)
    statement = re.match(r"global[ \t]+\w+(?:[ \t]*,[ \t]*\w+)*", text[start:])
    if statement is None or set(re.findall(r"\w+", statement.group(0))) != {"global", *node.names}:
        return None
    rest = text[start + statement.end() : line_start + len(line)]
    if kept:
        names_at = len(statement.group(0)) - len(statement.group(0)[6:].lstrip(" \t"))
        return (start + names_at, statement.end() - names_at, ", ".join(kept))
    alone = not text[line_start:start].strip() and (not rest.strip() or rest.lstrip().startswith("#"))
    return (line_start, len(line), "") if alone and followed and line.endswith("\n") else None
