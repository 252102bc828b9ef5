"""Helpers shared by the test modules: source snippets and the checks every codemod row goes through."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable


def code(text: str) -> str:
    """A source snippet written indented inside a test: dedented, without the leading blank line."""
    return textwrap.dedent(text).lstrip("\n")


def check_transformed(transform: Callable[[str], str], before: str, after: str) -> str:
    """`transform(before)` is exactly `after`, parses, and is a fixed point: a second run changes nothing."""
    once = transform(before)
    assert once == after
    ast.parse(once)
    assert transform(once) == once, "a second run changed the output again"
    return once


def check_noop(transform: Callable[[str], str], source: str) -> None:
    """`transform` leaves `source` byte-for-byte as it is."""
    assert transform(source) == source
