"""`_client` -> `core._client`: read a rebindable module global through its home module.

A name that is rebound after import (by a `global` statement or by a test's monkeypatch) must be looked up
where it lives; `from core import _client` would copy the binding once and never see the rebinding. Only reads
of the module-level name change (splitter's scope model decides: `_module_scope`); locals, parameters,
comprehension targets, class attributes, attribute names and keyword arguments named alike are left alone.

A function that rebinds a seam with `global` and lives apart from it assigns it there too (`core._client = v`,
`with f() as core._client`), and its `global` statement drops the name (the whole line when none is left, its
comments above handed to the next statement). A name the function binds in a way no attribute can take
(`:=`, an import, `except ... as`, a `def`: analysis/rebinders.py) stays declared and bare.
"""

from __future__ import annotations

import argparse
import json

import libcst as cst

from ._module_scope import ScopeTracking
from splitter.analysis.rebinders import kept_bare, unsafe_in
from splitter.analysis.scopes import Scope


class SeamQualifier(ScopeTracking, cst.CSTTransformer):
    """The transformer itself; cheap to build, so splitter makes one per module and reuses it."""

    def __init__(self, seams: dict[str, str]) -> None:
        super().__init__()
        self._setup(seams)

    def _setup(self, seams: dict[str, str]) -> None:
        self.seams = dict(seams)  # name -> module alias
        self._skip: set[int] = set()
        self._emptied: dict[int, cst.SimpleStatementLine] = {}  # lines whose `global` statements all went
        self._unsafe: dict[int, dict[str, tuple[int, str]]] = {}  # scope id -> globals it binds as no attribute can

    def qualify(self, statement: cst.CSTNode, scopes: Scope | None = None) -> cst.CSTNode:
        """`statement.visit(self)`; `scopes` (`build_scopes` of the same statement's `ast`) saves rebuilding them
        from the statement's code."""
        return self.visit_with_scopes(statement, scopes)

    def _skip_name(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self._skip.add(id(node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip_name(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        self._skip_name(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self._skip_name(node.name)

    def _start_visit(self, node: cst.CSTNode) -> None:
        super()._start_visit(node)
        self._emptied.clear()
        self._unsafe.clear()

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._skip_name(node.target)  # `x := v` cannot name an attribute: such a function keeps `global x`

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._skip_name(node.name.name)  # `except E as x` cannot name an attribute (imports are not visited)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._skip_name(node.name)  # a capture pattern binds; `case core.x` would compare instead

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._skip_name(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        self._skip_name(node.rest)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._skip_name(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._skip_name(node.name)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def leave_Global(self, original_node: cst.Global, updated_node: cst.Global) -> cst.Global | cst.RemovalSentinel:
        """Seams the function now assigns through their module are no longer declared; the rest stay."""
        scope = self._stack[-1]
        if scope.kind != "function":
            return updated_node
        unsafe = unsafe_in(scope, self._unsafe)
        kept = [
            item.name for item in updated_node.names if item.name.value not in self.seams or item.name.value in unsafe
        ]
        if len(kept) == len(updated_node.names):
            return updated_node
        if not kept:
            return cst.RemoveFromParent()
        return updated_node.with_changes(names=[cst.NameItem(name) for name in kept])

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if not updated_node.body and original_node.body:  # libcst drops it, with the comments above it
            self._emptied[id(original_node)] = updated_node
        return updated_node

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        """A `global` line removed: the comments and blank lines above it go to the statement after it."""
        emptied_here = [self._emptied.pop(id(s), None) for s in original_node.body] if self._emptied else []
        removed = sum(line is not None for line in emptied_here)
        if not removed or len(updated_node.body) != len(original_node.body) - removed:
            return updated_node
        kept = iter(updated_node.body)
        body, carried = [], []
        for emptied in emptied_here:
            if emptied is not None:
                carried += emptied.leading_lines
                continue
            following = next(kept)
            if carried:
                following = following.with_changes(leading_lines=[*carried, *following.leading_lines])
                carried = []
            body.append(following)
        return updated_node.with_changes(body=body) if body else updated_node

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False

    def leave_FormattedStringExpression(
        self, original_node: cst.FormattedStringExpression, updated_node: cst.FormattedStringExpression
    ) -> cst.FormattedStringExpression | cst.FlattenSentinel:
        """`f"{LIMIT=}"` prints its own text, `LIMIT=10`: qualified, it would print `core.LIMIT=10`. The text goes
        before the field as it was, and the field renders the value as `=` did (repr, or the format spec's)."""
        literal = debug_text(original_node)
        if literal is None or updated_node.expression.deep_equals(original_node.expression):
            return updated_node
        conversion = original_node.conversion or (None if original_node.format_spec else "r")
        opens_a_brace = cst.Module([]).code_for_node(updated_node.expression).startswith("{")
        field = updated_node.with_changes(
            equal=None,
            conversion=conversion,
            whitespace_before_expression=cst.SimpleWhitespace(" " if opens_a_brace else ""),  # `{{` is a brace
            whitespace_after_expression=cst.SimpleWhitespace(""),
        )
        return cst.FlattenSentinel([cst.FormattedStringText(literal), field])

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        name = original_node.value
        if id(original_node) in self._skip or name not in self.seams or not self._reads_module(name):
            return updated_node  # a local, parameter, class attribute or comprehension target named alike
        if kept_bare(self._stack[-1], name, self._unsafe):
            return updated_node  # its function binds it as no attribute can: it keeps `global` and the bare name
        return cst.Attribute(
            value=cst.Name(self.seams[name]), attr=cst.Name(name), lpar=updated_node.lpar, rpar=updated_node.rpar
        )


def debug_text(field: cst.FormattedStringExpression) -> str | None:
    """What `{expression=}` prints before the value (`LIMIT + 1=`, spaces kept), as an f-string's literal text
    (braces doubled); None for a field without `=`, and for a backslash, which the literal would read as an escape."""
    if field.equal is None:
        return None
    text = cst.Module([]).code_for_node(field.with_changes(conversion=None, format_spec=None))[1:-1]
    return None if "\\" in text else text.replace("{", "{{").replace("}", "}}")


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class QualifySeams(SeamQualifier, VisitorBasedCodemodCommand):
        DESCRIPTION = "Rewrite references to rebindable globals as attribute lookups on their home module."

        def __init__(self, context: CodemodContext, seams: dict[str, str] | str) -> None:
            VisitorBasedCodemodCommand.__init__(self, context)
            self._setup(json.loads(seams) if isinstance(seams, str) else seams)

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument(
                "--seams",
                dest="seams",
                required=True,
                help='JSON object: name -> module alias, e.g. {"_client": "core"}',
            )

    return QualifySeams


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "QualifySeams":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
