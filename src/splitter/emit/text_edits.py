"""Edit Python source text at exact places found with `ast`, leaving every other byte alone.

`ast` positions are (1-based line, UTF-8 byte column); `SourceText` turns them into string offsets so a few
replacements can be spliced in without a libcst round trip of the whole file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


class OverlappingEdits(ValueError):
    """Two edits touch the same text: the caller must fall back to a tree-based rewrite."""


class SourceText:
    def __init__(self, source: str) -> None:
        self.source = source
        starts = [0]
        find = source.find
        position = find("\n")
        while position != -1:
            starts.append(position + 1)
            position = find("\n", position + 1)
        self._starts = starts

    def offset(self, line: int, column: int) -> int:
        """String offset of an `ast` (line, byte column) position."""
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.source)
        text = self.source[start:end]
        if text.isascii():
            return start + column
        return start + len(text.encode("utf-8")[:column].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        """[start, end) of a node as `ast` reports it (its own parentheses excluded, a value's included)."""
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    def line_start(self, offset: int) -> int:
        return self.source.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """Offset just after the newline ending the line that holds `offset` (the text's end on the last line)."""
        newline = self.source.find("\n", offset)
        return len(self.source) if newline == -1 else newline + 1


def apply_edits(source: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Replace each [start, end) with its text; an insertion (start == end) goes before a replacement there."""
    pieces: list[str] = []
    position = 0
    for start, end, text in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < position:
            raise OverlappingEdits(f"edit at {start} overlaps the previous one (ends at {position})")
        pieces.append(source[position:start])
        pieces.append(text)
        position = end
    pieces.append(source[position:])
    return "".join(pieces)


def string_literal(node: ast.AST, text: str) -> tuple[str, str, str] | None:
    """(prefix, quote, value) of one plain string literal without escapes whose source is `text`, else None.

    Mirrors `_import_edits.literal`: implicitly concatenated strings, f-strings, bytes and strings whose body
    differs from their value (escapes) are not literals that can be rewritten textually.
    """
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    prefix_length = len(text) - len(text.lstrip("rRuUbBfF"))
    prefix, rest = text[:prefix_length], text[prefix_length:]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    if quote not in ('"', "'", '"""', "'''") or len(rest) < 2 * len(quote) or not rest.endswith(quote):
        return None
    body = rest[len(quote) : len(rest) - len(quote)]
    return (prefix, quote, node.value) if body == node.value else None
