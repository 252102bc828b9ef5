"""The names an annotation reads: `Name`s to evaluate, and the names inside string annotations (forward
references), except the values a `Literal[...]` holds. Read by the scope model (analysis/scopes.py) and by the
postponed-annotation namespace of moved models (emit/annotation_namespace.py)."""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import walk


def annotation_names(node: ast.expr | None) -> tuple[list[ast.Name], set[str]]:
    """(Name nodes, names inside string forward references) of an annotation; `Literal["csv", "json"]` (also
    `typing.Literal`, `te.Literal`) holds values, not forward references."""
    names: list[ast.Name] = []
    hints: set[str] = set()
    if node is None:
        return names, hints
    values = {
        id(const)
        for sub in walk(node)
        if isinstance(sub, ast.Subscript) and is_literal(sub.value)
        for const in walk(sub.slice)
    }
    for sub in walk(node):
        if isinstance(sub, ast.Name):
            names.append(sub)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and id(sub) not in values:
            try:
                parsed = ast.parse(sub.value.strip(), mode="eval")
            except SyntaxError:
                continue
            hints |= {n.id for n in walk(parsed) if isinstance(n, ast.Name)}
    return names, hints


def is_literal(node: ast.expr) -> bool:
    """`Literal`, `typing.Literal`, `te.Literal`: a subscript of it holds values, not forward references."""
    return (isinstance(node, ast.Name) and node.id == "Literal") or (
        isinstance(node, ast.Attribute) and node.attr == "Literal"
    )
