"""`ast_walk.walk` and `child_nodes` visit what `ast.walk` and `ast.iter_child_nodes` visit, in the same order,
less the expression contexts (`Load`, `Store`, `Del`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from splitter.analysis.ast_walk import child_nodes, walk

FIXTURES = Path(__file__).parent.parent.parent / "fixtures"
CONTEXTS = (ast.Load, ast.Store, ast.Del)


def _parses(path: Path) -> bool:
    """Bad-input fixtures (`syntax_error.py`, `binary.py`) and a project's file that no Python parses are not read."""
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


SOURCES = sorted(p for p in FIXTURES.rglob("*.py") if _parses(p))
SNIPPETS = [
    pytest.param("x: int = 1\nglobal y\ndel z[0]\n", id="annotated, global names, del"),
    pytest.param("match p:\n    case {'a': [b, *c]} if d: pass\n", id="match patterns"),
    pytest.param("f(*a, **{k: v for k, v in d.items() if v})\n", id="starred and a comprehension"),
    pytest.param("lambda a, /, b=1, *c, d, **e: (yield)\n", id="every kind of argument"),
    pytest.param("{1: 2, **m}\n", id="a dict with a None key"),
]


def without_contexts(nodes) -> list[ast.AST]:
    return [node for node in nodes if not isinstance(node, CONTEXTS)]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_walk_is_ast_walk_without_contexts_on_every_fixture(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert list(walk(tree)) == without_contexts(ast.walk(tree))


@pytest.mark.parametrize("source", SNIPPETS)
def test_child_nodes_are_iter_child_nodes_without_contexts(source: str) -> None:
    for node in ast.walk(ast.parse(source)):
        assert child_nodes(node) == without_contexts(ast.iter_child_nodes(node))
