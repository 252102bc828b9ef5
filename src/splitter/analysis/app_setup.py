"""Setup blocks that also configure the app: `if RATE_LIMIT_ENABLED: limiter = Limiter(...); app.add_middleware(X)`.

Such a block binds a name endpoints use at import time (`@limiter.limit(...)` through a helper), and it uses the app,
so as one statement it would pin itself, the helper and every endpoint that helper decorates to main.py. A team
splitting by hand writes the condition twice: the object moves with the code that uses it, the app configuration
stays in main.py at the block's place. splitter does the same when that is a pure reordering of side-effect-free
work: the condition only reads values (names, attributes, constants, comparisons, `os.getenv`), the statements that
touch the app bind nothing, and the others are plain assignments or calls that do not touch the app.
"""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import walk
from splitter.analysis.model import Unit
from splitter.analysis.scopes import statement_facts

_VALUE_READS = (ast.Name, ast.Attribute, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Subscript)
_READING_CALLS = frozenset({"os.getenv", "os.environ.get", "getenv", "environ.get", "bool", "int", "str"})
_STRING_METHODS = frozenset({"lower", "upper", "strip", "casefold"})
_PLAIN = (ast.Assign, ast.AnnAssign, ast.Expr)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _only_reads_values(test: ast.expr) -> bool:
    """Evaluating the condition twice gives the same answer and does nothing else."""
    for node in walk(test):
        if isinstance(node, ast.Call):
            callee = _dotted(node.func)
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if callee not in _READING_CALLS and method not in _STRING_METHODS:
                return False
        elif isinstance(node, ast.expr) and not isinstance(node, _VALUE_READS + (ast.Call,)):
            return False
    return True


def app_statement_positions(node: ast.stmt, app: str) -> tuple[int, ...]:
    """Positions (in the `if` body) of the statements that stay in main.py, when the block can be split; else ()."""
    if not isinstance(node, ast.If) or node.orelse or not _only_reads_values(node.test):
        return ()
    kept, moved = [], []
    for position, statement in enumerate(node.body):
        facts = statement_facts(statement)
        if app in facts.uses:
            if facts.binds or facts.dynamic:
                return ()  # main.py would bind a name the moved code might need
            kept.append(position)
        elif isinstance(statement, _PLAIN) and not facts.dynamic:
            moved.append(position)
        else:
            return ()  # imports, definitions, nested blocks: their order against the app's setup may matter
    return tuple(kept) if kept and moved else ()


def detach_app_setup(tree: ast.Module, units: list[Unit], app: str) -> None:
    """Mark the blocks that can be split; their moved part no longer uses the app or what only main.py needs."""
    for unit in units:
        if unit.kind != "compound" or unit.pinned_reason or unit.dynamic or not unit.app_in_body:
            continue
        node = tree.body[unit.index]
        positions = app_statement_positions(node, app)
        if not positions:
            continue
        moved = [s for p, s in enumerate(node.body) if p not in positions]
        uses = statement_facts(ast.Expr(node.test)).uses
        for statement in moved:
            uses |= statement_facts(statement).uses
        unit.app_setup = positions
        unit.app_in_body = False
        unit.uses = frozenset(uses)
