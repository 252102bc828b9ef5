"""The monolith's top-level statements as exact text, cut where libcst would cut them, without parsing it.

Moved code is byte-for-byte, so a statement no transformer touches needs no syntax tree: `RawStatement` carries
its text and the blank and comment lines above it, and prints them as they were. Only the statements a
transformer rewrites (seams, hooks, `__name__`, ...) and the imports every module filters are parsed with libcst,
each on its own; the rest of the monolith is never parsed twice.

The cuts follow libcst's ownership rules (checked against libcst on real files in tests/test_source_statements.py):
lines above the first statement are the module's header; blank and comment lines between two statements belong to
the second, except that an indented block owns the lines after it up to the last one that starts with the block's
indentation (and so does every block it ends with); what follows the last statement is the module's footer.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst._add_slots import add_slots

from splitter.analysis.ast_walk import walk
from splitter.analysis.model import Analysis, Unit
from splitter.analysis.source import python_lines
from splitter.errors import SplitterError

_EMPTY_LINE = re.compile(r"[ \t]*(#[^\n]*)?\n")
_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While)
_TRY = (ast.Try,) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
_COMPOUND += (ast.With, ast.AsyncWith) + _TRY
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@add_slots
@dataclass(frozen=True)
class RawStatement(cst.BaseStatement):
    """A top-level statement kept as its source text (ends with a newline), with libcst's leading lines."""

    text: str
    leading_lines: Sequence[cst.EmptyLine] = ()
    is_definition: bool = False  # a def or class (isort and black want two blank lines before one)

    def _visit_and_replace_children(self, visitor: cst.CSTVisitorT) -> RawStatement:
        lines = [line.visit(visitor) for line in self.leading_lines]
        return RawStatement(text=self.text, leading_lines=lines, is_definition=self.is_definition)

    def _codegen_impl(self, state) -> None:
        for line in self.leading_lines:
            line._codegen(state)
        state.add_token(self.text[:-1])
        state.add_token(state.default_newline)  # its own token: a module without a final newline pops it


def is_definition(statement: cst.CSTNode) -> bool:
    """A def or class, parsed or raw."""
    if isinstance(statement, RawStatement):
        return statement.is_definition
    return isinstance(statement, (cst.FunctionDef, cst.ClassDef))


def empty_lines(lines: list[str]) -> list[cst.EmptyLine]:
    """libcst's nodes for blank and comment lines at the top level."""
    result = []
    for line in lines:
        body = line[:-1]
        stripped = body.lstrip(" \t")
        whitespace = cst.SimpleWhitespace(body[: len(body) - len(stripped)])
        result.append(cst.EmptyLine(whitespace=whitespace, comment=cst.Comment(stripped) if stripped else None))
    return result


def _indented_body(body: list[ast.stmt], lines: list[str]) -> str | None:
    """The indentation of a clause's body, or None when it sits on the clause's line (`else: pass`)."""
    first = body[0]
    prefix = lines[first.lineno - 1][: first.col_offset]
    return prefix if prefix.strip(" \t") == "" else None


def _last_body(node: ast.stmt, lines: list[str]) -> list[ast.stmt] | None:
    """The body of the statement's last clause (the block that ends it); None for a simple statement."""
    if isinstance(node, ast.If) and node.orelse:
        nested = node.orelse[0]
        is_elif = len(node.orelse) == 1 and isinstance(nested, ast.If) and nested.col_offset == node.col_offset
        if is_elif and lines[nested.lineno - 1][nested.col_offset :].startswith("elif"):
            return _last_body(nested, lines)
        return node.orelse
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return node.orelse or node.body
    if isinstance(node, _TRY):
        return node.finalbody or node.orelse or (node.handlers[-1].body if node.handlers else node.body)
    if isinstance(node, _COMPOUND):
        return node.body
    return None


def _block_indents(node: ast.stmt, lines: list[str]) -> list[str] | None:
    """Indentation of every block the statement ends with, outermost first; None when libcst's footer rule is
    not mirrored here (a `match` statement)."""
    indents: list[str] = []
    while True:
        if isinstance(node, ast.Match):
            return None
        body = _last_body(node, lines)
        if body is None:
            return indents
        indent = _indented_body(body, lines)
        if indent is None:
            return indents
        indents.append(indent)
        node = body[-1]


def _footer_length(gap: list[str], indents: list[str]) -> int:
    """How many gap lines the ending blocks own: up to the last one starting with one of their indentations."""
    owned = 0
    for position, line in enumerate(gap):
        if any(line.startswith(indent) for indent in indents):
            owned = position + 1
    return owned


def _default_indent(lines: list[str], tree: ast.Module, end: int) -> str:
    """libcst's default indentation: that of the first indented block in the module's first `end` lines (4 spaces
    when there is none), the indentation of the first statement there that starts a logical line below column 0.
    Found with `ast`: tokenize compiles its patterns on first use, a tenth of applying a small plan. It still says
    where `ast` cannot: a `match` statement (its `case` lines are no statements), a backslash ending a line that
    holds a `#`."""
    for node in tree.body:
        if node.end_lineno is None or node.end_lineno > end:
            break
        try:
            line = _first_indented_line(node, lines)
        except _AskTokenize:
            return _first_indent_token("".join(lines[:end]))
        if line is not None:
            return line[: len(line) - len(line.lstrip(" \t"))]
    return " " * 4


class _AskTokenize(Exception):
    pass


def _first_indented_line(node: ast.AST, lines: list[str]) -> str | None:
    """The first line, in source order, of a statement in `node`'s blocks that starts a logical line: only blanks
    before it, and no backslash joining it to the line above (`if a: x = 1; \\` then `y = 2`)."""
    if isinstance(node, ast.Match):
        raise _AskTokenize
    for field in ("body", "handlers", "orelse", "finalbody"):
        for child in getattr(node, field, None) or ():
            if isinstance(child, ast.stmt) and child.col_offset:
                line, above = lines[child.lineno - 1], lines[child.lineno - 2] if child.lineno > 1 else ""
                joined = above.rstrip("\r\n").endswith("\\")
                if joined and "#" in above:  # in a comment the backslash joins nothing
                    raise _AskTokenize
                if not joined and not line[: child.col_offset].strip(" \t"):
                    return line
            found = _first_indented_line(child, lines)
            if found is not None:
                return found
    return None


def _first_indent_token(text: str) -> str:
    """The first INDENT token of `text`, by tokenize (4 spaces when there is none)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.INDENT:
                return token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return " " * 4


@dataclass
class SourceStatements:
    template: cst.Module  # header, footer and conventions of the monolith; no body
    statements: list[cst.BaseStatement]  # one per unit; RawStatement unless parsed


def cut_statements(source: str, units: list[Unit], tree: ast.Module, first_piece: int) -> SourceStatements | None:
    """The statements of `source` as text, or None when its layout is one this cut does not mirror (then the
    caller parses the whole monolith with libcst). `first_piece`: lines libcst's template parse would see."""
    if "\r" in source or "\f" in source or not source.endswith("\n") or not units or len(tree.body) != len(units):
        return None
    lines = source.split("\n")[:-1]
    lines = [line + "\n" for line in lines]
    spans = [(u.first_line - 1, u.last_line) for u in units]
    if any(end > start for (_, end), (start, _) in zip(spans, spans[1:], strict=False)):
        return None  # `a = 1; b = 2`: two units on one line
    statements: list[cst.BaseStatement] = []
    leading: list[str] = []
    for index, (node, (start, end)) in enumerate(zip(tree.body, spans, strict=True)):
        following = spans[index + 1][0] if index + 1 < len(spans) else len(lines)
        gap = lines[end:following]
        indents = _block_indents(node, lines)
        if indents is None or not all(_EMPTY_LINE.fullmatch(line) for line in gap):
            return None
        owned = _footer_length(gap, indents)
        text = "".join(lines[start:end] + gap[:owned])
        statements.append(RawStatement(text, empty_lines(leading), isinstance(node, _DEFINITIONS)))
        leading = gap[owned:]
    header = lines[: spans[0][0]]
    if not all(_EMPTY_LINE.fullmatch(line) for line in header):
        return None
    template = cst.Module(
        body=[],
        header=empty_lines(header),
        footer=empty_lines(leading),
        default_indent=_default_indent(lines, tree, first_piece),
    )
    return SourceStatements(template, statements)


def parsed(statements: list[RawStatement], module: cst.Module) -> list[cst.BaseStatement]:
    """libcst nodes for raw statements, parsed together in one call (same text, same leading lines)."""
    if not statements:
        return []
    config = cst.PartialParserConfig(default_indent=module.default_indent, default_newline=module.default_newline)
    body = cst.parse_module("".join(s.text for s in statements), config=config).body
    if len(body) != len(statements):  # pragma: no cover - cut_statements refuses semicolon lines
        raise AssertionError(f"{len(body)} libcst statements for {len(statements)} raw ones")
    return [node.with_changes(leading_lines=raw.leading_lines) for node, raw in zip(body, statements, strict=True)]


def route_name_offsets(node: ast.stmt, text_start: int, lines: list[str], app: str, methods: frozenset) -> list[int]:
    """Offsets (in the statement's text) of `app` in `@app.get(...)` decorators of a function: what
    `RetargetRouteCalls.rewrite` renames. Empty for anything else."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    offsets = []
    for decorator in node.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in methods:
            if func.value.id == app:
                name = func.value
                line = lines[name.lineno - 1]
                column = len(line.encode("utf-8")[: name.col_offset].decode("utf-8", "replace"))
                offsets.append(sum(len(x) for x in lines[text_start : name.lineno - 1]) + column)
    return offsets


def relative_import_offsets(node: ast.stmt, text_start: int, lines: list[str]) -> list[int] | None:
    """Offsets (in the statement's text) of the first dot of each relative import inside it (`from .x import y`
    in a function body): where `RelativeImportRebaser` adds the levels the code moved down. None when the codemod
    must do it: `__package__` is read (it pins that too), or an import's dots are not on its `from` line."""
    offsets = []
    for inner in walk(node):
        if isinstance(inner, ast.Name) and inner.id == "__package__":
            return None
        if isinstance(inner, ast.ImportFrom) and inner.level:
            line = lines[inner.lineno - 1]
            column = len(line.encode("utf-8")[: inner.col_offset].decode("utf-8", "replace"))
            found = _FROM_DOTS.match(line, column)
            if found is None:
                return None
            offsets.append(sum(len(x) for x in lines[text_start : inner.lineno - 1]) + found.start(1))
    return offsets


_FROM_DOTS = re.compile(r"from[ \t]+(\.)")
CHUNK_LINES = 2000


def _split_lines(statement: cst.SimpleStatementLine) -> list[cst.BaseStatement]:
    """`a = 1; b = 2` becomes two lines, so each unit can move alone."""
    last = len(statement.body) - 1
    return [
        cst.SimpleStatementLine(
            body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
            leading_lines=statement.leading_lines if index == 0 else [],
            trailing_whitespace=statement.trailing_whitespace if index == last else cst.TrailingWhitespace(),
        )
        for index, small in enumerate(statement.body)
    ]


def _chunk_cuts(units: list[Unit], line_count: int) -> list[int]:
    """Line numbers to cut the monolith at for libcst: between statements, every ~CHUNK_LINES lines."""
    cuts = [0]
    for previous, following in zip(units, units[1:], strict=False):
        if previous.last_line - cuts[-1] >= CHUNK_LINES and following.first_line > previous.last_line:
            cuts.append(previous.last_line)
    cuts.append(line_count)
    return cuts


def parse_statements(source: str, units: list[Unit], path: object = None) -> tuple[cst.Module, list[cst.BaseStatement]]:
    """Parse the monolith once, in pieces cut between top-level statements, and return a template module
    (header, footer, newline and indent conventions) plus the libcst statement of each ast unit.

    Every byte is parsed exactly once; pieces of ~2,000 lines keep libcst's parse linear in the file size
    (64k lines in one piece: 10.6 s, in pieces: 6.2 s). Comments between statements belong to the next one.
    """
    lines = python_lines(source)
    cuts = _chunk_cuts(units, len(lines))
    statements: list[cst.BaseStatement] = []
    template: cst.Module | None = None
    last: cst.Module | None = None
    for start, end in zip(cuts, cuts[1:], strict=False):
        try:
            piece = cst.parse_module("".join(lines[start:end]))
        except cst.ParserSyntaxError as exc:
            raise SplitterError(f"libcst cannot parse this syntax: {exc.message}", path, start + exc.raw_line) from None
        body = list(piece.body)
        if template is None:
            template = piece
        elif body:
            body[0] = body[0].with_changes(leading_lines=[*piece.header, *body[0].leading_lines])
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) > 1:
                statements.extend(_split_lines(statement))
            else:
                statements.append(statement)
        last = piece
    if len(statements) != len(units):
        raise SplitterError(f"internal: {len(statements)} libcst statements for {len(units)} ast statements")
    assert template is not None and last is not None
    return template.with_changes(footer=last.footer, has_trailing_newline=last.has_trailing_newline), statements


def monolith_statements(analysis: Analysis) -> tuple[cst.Module, list[cst.BaseStatement]]:
    """The template module and one statement per unit: raw text, except the imports (parsed, every module
    filters them); the whole monolith goes through libcst only when its layout is one the cut does not mirror."""
    source, units = analysis.source, analysis.units
    tree = analysis.tree if analysis.tree is not None else ast.parse(source)
    cut = cut_statements(source, units, tree, _chunk_cuts(units, source.count("\n"))[1])
    if cut is None:
        return parse_statements(source, units, analysis.path)
    imports = [u.index for u in units if u.is_copied and u.kind != "docstring"]
    try:
        nodes = parsed([cut.statements[i] for i in imports], cut.template)
    except cst.ParserSyntaxError:
        return parse_statements(source, units, analysis.path)  # the error names the line in the monolith
    for index, node in zip(imports, nodes, strict=True):
        cut.statements[index] = node
    return cut.template, cut.statements
