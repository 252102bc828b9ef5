"""Chunks of a file parsed alone give the statements a whole parse gives, or the file is parsed whole."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from splitter.analysis.top_level_chunks import NotCut, python_lines, statements_mentioning, top_level_chunks

REPOSITORY = Path(__file__).resolve().parents[2]


def containing(*words: str) -> Callable[[str], bool]:
    return lambda text: any(word in text for word in words)


def dumped(statements: list[ast.stmt]) -> list[str]:
    return [ast.dump(s, include_attributes=True) for s in statements]


def whole_statements_with(source: str, word: str) -> list[str]:
    """What the whole-file path scans: every top-level statement whose text holds `word`."""
    lines = python_lines(source)
    kept = []
    for statement in ast.parse(source).body:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        if word in "".join(lines[first - 1 : statement.end_lineno]):
            kept.append(statement)
    return dumped(kept)


CUTS = [
    pytest.param("import os\nx = 1\n", [1], id="no definitions: one chunk"),
    pytest.param("import os\ndef f():\n    pass\nclass C:\n    pass\n", [1, 2, 4], id="def and class"),
    pytest.param("@a\n@b(\n    1,\n)\ndef f():\n    pass\ndef g(): pass\n", [1, 7], id="decorators keep their def"),
    pytest.param("async def f():\n    pass\nasync  def g(): pass\n", [1, 3], id="async def"),
    pytest.param("def f():\n    pass\nx = 1\nif x:\n    y = 2\n", [1], id="other statements join"),
    pytest.param("definitely = 1\nclassy = 2\n", [1], id="names that start like keywords"),
    pytest.param("def f():\n    pass\r\ndef g():\r\n    pass\r\n", [1, 3], id="CRLF"),
]


@pytest.mark.parametrize(("source", "firsts"), CUTS)
def test_cuts(source: str, firsts: list[int]) -> None:
    chunks = top_level_chunks(source)
    assert [first for first, _ in chunks] == firsts
    assert "".join(text for _, text in chunks) == source


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('X = """\ndef main_test():\n    main.x = 1\n"""\n', id="def inside a string"),
        pytest.param("X = '''\nclass C:\n'''\n", id="class inside a single-quoted triple string"),
        pytest.param('# a """ in a comment\ndef f():\n    pass\n', id="odd triple quotes in a comment"),
    ],
)
def test_a_cut_that_may_be_inside_a_string_is_refused(source: str) -> None:
    with pytest.raises(NotCut):
        top_level_chunks(source)


def test_only_chunks_with_the_words_are_parsed_with_the_files_line_numbers() -> None:
    source = "import os\n\ndef test_a():\n    main.x = 1\n\ndef test_b():\n    other()\n\n\n"
    source += "def test_c():\n    main.y()\n"
    found = statements_mentioning(source, lambda _found: containing("main"))
    assert [(s.name, s.lineno) for s in found] == [("test_a", 3), ("test_c", 10)]
    assert dumped(found) == whole_statements_with(source, "main")


def test_words_found_in_the_first_round_widen_the_second() -> None:
    source = "import pkg.main as srv\n\ndef test_a():\n    srv.x = 1\n\ndef test_b():\n    pass\n"

    def test(found: list[ast.stmt]) -> Callable[[str], bool]:
        return containing("main", *(["srv"] if found else []))

    assert [type(s).__name__ for s in statements_mentioning(source, test)] == ["Import", "FunctionDef"]


def test_a_chunk_that_does_not_parse_alone_is_refused() -> None:
    with pytest.raises(NotCut):
        statements_mentioning("def f(:\n    main\n", lambda _found: containing("main"))


def _python_files() -> list[Path]:
    folders = [REPOSITORY / name for name in ("src", "codemods", "tests", "fixtures", "benchmarks")]
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def test_same_statements_as_a_whole_parse_on_every_file_of_this_repository() -> None:
    compared = 0
    for path in _python_files():
        try:
            source = path.read_text(encoding="utf-8")
            ast.parse(source)
        except (UnicodeDecodeError, SyntaxError, ValueError):
            continue  # fixtures of bad input
        for word in ("main", "app", "def"):
            try:
                chunked = dumped(statements_mentioning(source, lambda _found, w=word: containing(w)))
            except NotCut:
                continue
            assert set(whole_statements_with(source, word)) <= set(chunked), f"{path}: {word}"
            compared += 1
    assert compared > 100
