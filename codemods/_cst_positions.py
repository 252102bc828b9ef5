"""The libcst node at an `ast` node's place, for codemods that decide from splitter's scope model (`ast`) and edit
with libcst.

Mapped by position, not by walk order as `_module_scope` maps scopes: the nodes wanted here are single names,
attribute chains and import aliases anywhere in the file, not scopes entered in order, and `RetargetReferences`
needs libcst's PositionProvider anyway (warnings and import placement go by line). `ast` counts columns in UTF-8
bytes, libcst in characters; both leave a node's own parentheses out of its range.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping

import libcst as cst
from libcst.metadata import CodeRange

_CST_TYPE = {
    ast.Name: cst.Name,
    ast.Attribute: cst.Attribute,
    ast.alias: cst.ImportAlias,
    ast.Import: cst.Import,
    ast.ImportFrom: cst.ImportFrom,
}
_NEWLINE = re.compile(r"\r\n|\r|\n")


def cst_nodes_at(
    code: str, positions: Mapping[cst.CSTNode, CodeRange], nodes: Iterable[ast.AST]
) -> dict[ast.AST, cst.CSTNode]:
    """For each of `nodes` (names, attributes, imports and their aliases) of `ast.parse(code)`, the libcst node of
    the same type and range in the tree `positions` describes; a node with no such partner is left out."""
    lines = None if code.isascii() else _NEWLINE.split(code)
    wanted: dict[tuple, ast.AST] = {}
    for node in nodes:
        start = (node.lineno, _column(lines, node.lineno, node.col_offset))  # type: ignore[attr-defined]
        end = (node.end_lineno, _column(lines, node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]
        wanted[(_CST_TYPE[type(node)], start, end)] = node
    types = tuple(_CST_TYPE.values())
    found: dict[ast.AST, cst.CSTNode] = {}
    for cst_node, where in positions.items():
        if isinstance(cst_node, types):
            key = (type(cst_node), (where.start.line, where.start.column), (where.end.line, where.end.column))
            node = wanted.get(key)
            if node is not None:
                found[node] = cst_node
    return found


def _column(lines: list[str] | None, line: int, byte_column: int) -> int:
    if lines is None or lines[line - 1].isascii():
        return byte_column
    return len(lines[line - 1].encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))
