"""The scope walk of `splitter.analysis.scopes`, also noting each node's parent: reference retargeting, where it
edits a name, looks at what holds it (an attribute chain, a call, a keyword)."""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import child_nodes, walk
from splitter.analysis.scopes import _HANDLERS, Scope, _Builder


class _ParentsBuilder(_Builder):
    """The same walk, also noting each node's parent (where a codemod edits a name, it looks at what holds it)."""

    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[ast.AST, ast.AST] = {}

    def visit(self, scope: Scope, node: ast.AST) -> None:
        handler = _HANDLERS.get(type(node))
        if handler is None or handler(self, scope, node):
            parents = self.parents
            for child in child_nodes(node):
                parents[child] = node
                self.visit(scope, child)

    def _annotate(self, scope: Scope, annotation: ast.expr | None) -> None:
        super()._annotate(scope, annotation)
        for node in walk(annotation) if annotation is not None else ():
            for child in child_nodes(node):
                self.parents[child] = node


def scopes_and_parents(node: ast.AST) -> tuple[Scope, dict[ast.AST, ast.AST]]:
    """`build_scopes`, and the parent of every node the walk entered through its generic children (all that hold
    a name, in an attribute chain, a call or a keyword; not the statements and parts a scope rule routes itself)."""
    builder = _ParentsBuilder()
    return builder.build(node), builder.parents
