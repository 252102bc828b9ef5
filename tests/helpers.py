"""Helpers shared by the test modules: source snippets and the checks every codemod row goes through."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable


# edge fixtures that are bad input (one error line, nothing written), not monoliths to split
EDGE_BAD_INPUT = frozenset({"syntax_error.py", "binary.py", "latin1.py", "empty.py", "no_app.py", "app_factory.py"})


def code(text: str) -> str:
    """A source snippet written indented inside a test: dedented, without the leading blank line."""
    return textwrap.dedent(text).lstrip("\n")


def check_transformed(transform: Callable[[str], str], before: str, after: str, *, fixed_point: bool = True) -> str:
    """`transform(before)` is exactly `after`, parses, and is a fixed point: a second run changes nothing
    (`fixed_point=False` only for a rewrite that is relative by design, such as adding a package level)."""
    once = transform(before)
    assert once == after
    ast.parse(once)
    if fixed_point:
        assert transform(once) == once, "a second run changed the output again"
    return once


def check_noop(transform: Callable[[str], str], source: str) -> None:
    """`transform` leaves `source` byte-for-byte as it is."""
    assert transform(source) == source
