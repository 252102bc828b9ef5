"""Generated docstrings and comments refilled only where a line is over the length."""

from __future__ import annotations

import ast

import pytest

from splitter.emit.prose import refilled

WIDTH = 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '"""Short.\n\nAlso short.\n"""\n\n# fine\nx = 1\n',
            '"""Short.\n\nAlso short.\n"""\n\n# fine\nx = 1\n',
            id="nothing-over-the-length",
        ),
        pytest.param(
            '"""Names moved out of main.py: attributes of pkg.main.\n\nSecond.\n"""\n',
            '"""Names moved out of main.py:\nattributes of pkg.main.\n\nSecond.\n"""\n',
            id="first-paragraph-of-a-module-docstring",
        ),
        pytest.param(
            'def f():\n    """A second import of pkg.module re-ran all\n    of its code."""\n    return 1\n',
            'def f():\n    """A second import of pkg.module\n    re-ran all of its code."""\n    return 1\n',
            id="function-docstring-closing-on-its-text",
        ),
        pytest.param(
            '"""One.\n\nReading one of them through pkg.module reaches it.\n"""\n',
            '"""One.\n\nReading one of them through\npkg.module reaches it.\n"""\n',
            id="closing-quotes-keep-their-line",
        ),
        pytest.param(
            "    # Written for pkg.module; the same files may be\n    # imported under another name.\nx = 1\n",
            "    # Written for pkg.module; the same\n    # files may be imported under\n    # another name.\nx = 1\n",
            id="comment-block",
        ),
        pytest.param(
            'x = "a string that is longer than the forty characters"  # and a comment\n',
            'x = "a string that is longer than the forty characters"  # and a comment\n',
            id="code-is-left-alone",
        ),
    ],
)
def test_refilled(text: str, expected: str) -> None:
    result = refilled(text, WIDTH)
    assert result == expected
    ast.parse(result)
    assert refilled(result, WIDTH) == result
