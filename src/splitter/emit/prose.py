"""Generated prose (docstrings, comments) refilled to the project's line length.

The compatibility module's docstrings and comments name the monolith's dotted module, which can make them longer
than the project allows: E501 in the user's lint, and in a ruff-formatted project a ruff process per line that
cannot shorten them (ruff wraps neither strings nor comments). Only a paragraph with a line over the length is
refilled, so a short name leaves the text exactly as written.
"""

from __future__ import annotations

import re
import textwrap

_COMMENT = re.compile(r"([ \t]*)# ")
_QUOTES = '"""'


def refilled(text: str, width: int) -> str:
    """`text` (code whose docstrings open and close on lines of their own or on their first and last text
    lines) with each docstring paragraph and each block of whole-line comments that has a line over `width`
    refilled."""
    lines = text.split("\n")
    if all(len(line) <= width for line in lines):
        return text
    out: list[str] = []
    index, in_docstring = 0, False
    while index < len(lines):
        line = lines[index]
        comment = _COMMENT.match(line)
        if comment and not in_docstring:
            end = _run_end(lines, index, lambda other, indent=comment.group(1): _is_comment(other, indent))
            out += _refilled_comment(lines[index:end], comment.group(1), width)
        elif in_docstring or line.lstrip().startswith(_QUOTES):
            end = _paragraph_end(lines, index, opened=in_docstring)
            out += _refilled_paragraph(lines[index:end], width)
            in_docstring = _still_open(lines[index:end], in_docstring)
        else:
            end = index + 1
            out.append(line)
        index = end
    return "\n".join(out)


def _is_comment(line: str, indent: str) -> bool:
    match = _COMMENT.match(line)
    return match is not None and match.group(1) == indent


def _run_end(lines: list[str], start: int, belongs) -> int:
    end = start + 1
    while end < len(lines) and belongs(lines[end]):
        end += 1
    return end


def _paragraph_end(lines: list[str], start: int, opened: bool) -> int:
    """Where the docstring paragraph starting at `start` ends: after a blank line's predecessor or its close."""
    end = start
    while end < len(lines):
        line = lines[end]
        quotes = line.count(_QUOTES) - (1 if end == start and not opened else 0)
        if not line.strip():
            return max(end, start + 1)
        end += 1
        if quotes > 0:
            return end
    return end


def _still_open(paragraph: list[str], opened: bool) -> bool:
    count = sum(line.count(_QUOTES) for line in paragraph)
    return (count % 2 == 1) != opened if count else opened


def _refilled_comment(block: list[str], indent: str, width: int) -> list[str]:
    if all(len(line) <= width for line in block):
        return block
    words = " ".join(line.strip()[2:] for line in block)
    prefix = f"{indent}# "
    return textwrap.wrap(words, width=width, initial_indent=prefix, subsequent_indent=prefix, **_WHOLE_WORDS)


def _refilled_paragraph(paragraph: list[str], width: int) -> list[str]:
    if all(len(line) <= width for line in paragraph) or not paragraph[0].strip():
        return paragraph
    if len(paragraph) > 1 and paragraph[-1].strip() == _QUOTES:  # the closing quotes keep their own line
        return _refilled_paragraph(paragraph[:-1], width) + paragraph[-1:]
    first = paragraph[0]
    indent = first[: len(first) - len(first.lstrip())]
    words = " ".join(line.strip() for line in paragraph)
    opener = words.startswith(_QUOTES)
    closer = words.endswith(_QUOTES) and len(words) > (6 if opener else 3)
    body = words[3 if opener else 0 : len(words) - 3 if closer else len(words)]
    wrapped = textwrap.wrap(body, width=width - len(indent) - len(_QUOTES), **_WHOLE_WORDS) or [""]
    if opener:
        wrapped[0] = _QUOTES + wrapped[0]
    if closer:
        wrapped[-1] += _QUOTES
    return [indent + line for line in wrapped]


_WHOLE_WORDS = {"break_long_words": False, "break_on_hyphens": False}
