"""`ast.iter_child_nodes` and `ast.walk` without their per-node generators and without the expression contexts.

Walking syntax trees is most of what analysis, the patch-site scan and retargeting do in Python. The standard
helpers call a generator per node (`iter_fields` inside `iter_child_nodes`) and visit a `Load`/`Store` node
below every name, attribute and subscript, which holds nothing; these look the fields of each node type up once
and skip the contexts, in the same order. Code that needs the contexts reads `node.ctx`.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_AST = ast.AST


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that may hold nodes (all but `ctx`), looked up once per type."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f != "ctx")
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))` less the expression contexts."""
    kind = type(node)
    fields = _CHILD_FIELDS.get(kind) or child_fields(kind)
    children: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            children += [item for item in value if isinstance(item, _AST)]
        elif isinstance(value, _AST):
            children.append(value)
    return children


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk(node)` (breadth first, the same order) less the expression contexts."""
    todo = deque([node])
    while todo:
        current = todo.popleft()
        todo.extend(child_nodes(current))
        yield current
