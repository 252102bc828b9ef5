"""Plain names a piece of CST mentions: shared by the codemods and by emit, which both ask it of small nodes."""

from __future__ import annotations

import libcst as cst


def plain_names(node: cst.CSTNode) -> set[str]:
    """Names `node` mentions as plain names (`app` in `app.state.x`; never the attribute names `state`, `x`)."""
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(_Collect())
    return found
