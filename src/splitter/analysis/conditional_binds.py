"""Names a top-level `try`/`if` block binds on some paths only: `try: from opt import X` with an
`except ImportError:` that falls through leaves `X` unbound, and the monolith guards its uses with a flag.

Moved out of main.py, such a name cannot be imported by name from its new home (`from core import X` raises
ImportError when the optional import failed); the planner makes it a seam, read as `core.X` where it is used.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from splitter.analysis.scopes import statement_facts


def maybe_unbound(node: ast.stmt) -> frozenset[str]:
    if isinstance(node, ast.Try):
        falling_through = [h.body for h in node.handlers if not _leaves(h.body)]
        if not falling_through:
            return frozenset()  # the body bound everything, or the exception goes on
        always = set.intersection(*(_binds(body) for body in falling_through)) | _binds(node.finalbody)
        return frozenset(_binds(node.body + node.orelse) - always)
    if isinstance(node, ast.If):
        return frozenset(_binds(node.body) ^ _binds(node.orelse))
    return frozenset()


def _binds(statements: list[ast.stmt]) -> set[str]:
    return set().union(*(statement_facts(s).binds for s in statements)) - {"*"}


def _leaves(statements: list[ast.stmt]) -> bool:
    """A handler whose last statement raises does not fall through to the code after the block."""
    return bool(statements) and isinstance(statements[-1], ast.Raise)


def bound_in_every_branch(node: ast.If, made_by: Callable[[ast.stmt], list[str]]) -> list[str]:
    """Names every branch of a top-level `if`/`elif`/`else` binds with the statement kind `made_by` recognises
    (`v1 = FastAPI()` / `else: v1 = FastAPI(docs_url=None)`): whichever branch runs, the name is that object.
    A branch without `else` may bind nothing, so it binds no such name."""
    if not node.orelse:
        return []
    branches = [node.body, node.orelse]
    bound = []
    for statements in branches:
        if len(statements) == 1 and isinstance(statements[0], ast.If):
            bound.append(set(bound_in_every_branch(statements[0], made_by)))
        else:
            bound.append({name for statement in statements for name in made_by(statement)})
    return sorted(set.intersection(*bound))


def branch_statements(node: ast.stmt) -> list[ast.stmt]:
    """The statements of every branch of a top-level `if`, `elif` chains included (`[node]` for any other)."""
    if not isinstance(node, ast.If):
        return [node]
    return [inner for statement in node.body + node.orelse for inner in branch_statements(statement)]
