"""maybe_unbound: the names a top-level `try`/`if` block leaves unbound on some path."""

from __future__ import annotations

import ast

import pytest

from splitter.analysis.conditional_binds import maybe_unbound
from tests.helpers import code

CASES = [
    pytest.param(
        """
        try:
            from opt import X, configure
            configure()
            READY = True
        except ImportError:
            READY = False
        """,
        {"X", "configure"},
        id="optional-import-with-a-flag",
    ),
    pytest.param(
        """
        try:
            from opt import X
        except ImportError:
            X = None
        """,
        set(),
        id="fallback-binds-the-same-name",
    ),
    pytest.param(
        """
        try:
            from opt import X
        except ImportError as exc:
            raise RuntimeError("install opt") from exc
        """,
        set(),
        id="handler-raises",
    ),
    pytest.param(
        """
        if DEBUG:
            templates = make()
            level = 1
        else:
            level = 2
        """,
        {"templates"},
        id="if-binds-in-one-branch",
    ),
    pytest.param("x = 1\n", set(), id="not-a-block"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_names_bound_on_some_paths_only(source: str, expected: set[str]) -> None:
    assert maybe_unbound(ast.parse(code(source)).body[0]) == expected
