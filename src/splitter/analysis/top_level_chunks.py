"""Parse only the top-level statements of a file whose text passes a cheap text test.

The patched-name scan reads every test file that reaches the monolith, and parsing them whole cost more than
analysing the monolith: a test file of 40k characters may mention the module in a tenth of its tests. The file is
cut into chunks at column-0 `def`, `async def`, `class` and decorator lines (a decorator keeps the definition it
decorates), which in Python can only start a statement; each chunk whose text passes the test is parsed alone,
padded with newlines so that line numbers are the file's. A cut inside a multi-line string shows as a chunk with
an odd number of triple quotes, and then the caller parses the whole file, as it does when a chunk does not parse.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from itertools import pairwise

from splitter.analysis.source import python_lines

_STATEMENT_START = re.compile(r"@|(?:async[ \t]+)?def[ \t]|class[ \t(:]")


class NotCut(Exception):
    """The file cannot be cut safely (or a chunk does not parse alone): parse it whole."""


def top_level_chunks(source: str) -> list[tuple[int, str]]:
    """(first line, text) of each chunk, in order; raises NotCut when a cut may lie inside a string."""
    lines = python_lines(source)
    starts, decorating = [0], False
    for index, line in enumerate(lines):
        if not _STATEMENT_START.match(line):
            continue
        if decorating:  # the decorated def or class (or one more decorator) belongs to the decorators
            decorating = line.startswith("@")
            continue
        if index:
            starts.append(index)
        decorating = line.startswith("@")
    chunks = [(start + 1, "".join(lines[start:end])) for start, end in pairwise([*starts, len(lines)])]
    if any(text.count('"""') % 2 or text.count("'''") % 2 for _, text in chunks):
        raise NotCut("a triple-quoted string may span a cut")
    return chunks


def statements_mentioning(source: str, test: Callable[[list[ast.stmt]], Callable[[str], bool]]) -> list[ast.stmt]:
    """The top-level statements of every chunk whose text passes `test(statements parsed so far)`, in file order.

    `test` is asked again after each round, so statements parsed for the first test (imports) can widen it
    (the aliases those imports bind). Raises NotCut when a chunk to parse does not parse alone."""
    chunks = top_level_chunks(source)
    parsed: dict[int, list[ast.stmt]] = {}
    while True:
        found = [s for index in sorted(parsed) for s in parsed[index]]
        mentions = test(found)
        wanted = [i for i, (_, text) in enumerate(chunks) if i not in parsed and mentions(text)]
        if not wanted:
            return found
        parsed.update(zip(wanted, _parsed_chunks(chunks, wanted), strict=True))


def statements_of_chunks(chunks: list[tuple[int, str]], wanted: list[int]) -> list[ast.stmt]:
    """The top-level statements of the chunks at the `wanted` indexes (ascending), with the file's line numbers."""
    return [statement for body in _parsed_chunks(chunks, wanted) for statement in body]


def _parsed_chunks(chunks: list[tuple[int, str]], wanted: list[int]) -> list[list[ast.stmt]]:
    bodies = []
    for index in wanted:
        first_line, text = chunks[index]
        try:
            bodies.append(ast.parse("\n" * (first_line - 1) + text).body)
        except (SyntaxError, ValueError) as exc:
            raise NotCut(str(exc)) from None
    return bodies


def top_level_import_runs(tree: ast.Module) -> list[tuple[int, int, int]]:
    """(first line, last line, index of the statement after) of each run of top-level import statements."""
    runs, start = [], None
    body = tree.body
    for index, node in enumerate([*body, None]):
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        if is_import and start is None:
            start = index
        elif not is_import and start is not None:
            runs.append((body[start].lineno, body[index - 1].end_lineno, index))
            start = None
    return runs
