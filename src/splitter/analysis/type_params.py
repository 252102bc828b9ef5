"""PEP 695 type parameters (Python 3.12): `def first[T](...)`, `class Page[T](...)`, `type Pair[T] = ...`.

Python evaluates such a definition's annotations, bases and alias value in an annotation scope that binds its type
parameters, and its body sees them too. So `T` there is never the module's `T`: a monolith keeping
`T = TypeVar("T")` for older code beside `def first[T]` would otherwise have every moved user of `first` import
that `T` (an unused import, F401). The scope model reads those parts into a holder scope and hands its reads to
the enclosing scope without the type parameters (`hand_over`); the function or class scope lists them in
`type_params`, and names resolve to them before any outer binding.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from splitter.analysis.scopes import Scope


def type_param_names(node: ast.AST) -> frozenset[str]:
    """The names `node`'s type parameters bind (none before Python 3.12, or without `[...]`)."""
    return frozenset(param.name for param in getattr(node, "type_params", None) or ())


def type_param_bounds(node: ast.AST) -> list[ast.expr]:
    """Bounds, constraints and defaults of `node`'s type parameters: read lazily, in the annotation scope."""
    parts = (getattr(param, part, None) for param in getattr(node, "type_params", None) or () for part in _PARTS)
    return [part for part in parts if part is not None]


_PARTS = ("bound", "default_value")


def hand_over(scope: Scope, holder: Scope) -> None:
    """What the annotation scope `holder` read becomes `scope`'s, except its type parameters."""
    if holder is scope:
        return
    params = holder.type_params
    scope.reads |= holder.reads - params
    scope.annotation_reads |= holder.annotation_reads - params
    scope.hint_reads |= holder.hint_reads - params
    scope.loads += [name for name in holder.loads if name.id not in params]
    for child in holder.children:  # a lambda in a default of a type parameter, say
        child.parent = scope
        scope.children.append(child)
