"""The monolith is parsed in pieces; glued back together the statements must reproduce it byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.emit import source_statements as emit
from tests.helpers import EDGE_BAD_INPUT
from splitter.analysis.analyze import analyze_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = [
    FIXTURES / "shopapi" / "shopapi" / "main.py",
    FIXTURES / "notes_backend" / "main.py",
    FIXTURES / "inventory_src" / "src" / "inventory" / "api" / "server.py",
    *sorted((FIXTURES / "edge").glob("[a-z]*_*.py")),
]


PARSEABLE = [p for p in SOURCES if p.name not in EDGE_BAD_INPUT]


@pytest.mark.parametrize("chunk_lines", [1, 7, 50, 2000])
@pytest.mark.parametrize("path", PARSEABLE, ids=lambda p: p.name)
def test_pieces_glue_back_to_the_original(path: Path, chunk_lines: int, monkeypatch) -> None:
    source = path.read_text(encoding="utf-8")
    analysis = analyze_source(source, path)
    monkeypatch.setattr(emit, "CHUNK_LINES", chunk_lines)
    template, statements = emit.parse_statements(source, analysis.units)
    assert len(statements) == len(analysis.units)
    assert template.with_changes(body=statements).code == source


def test_semicolon_lines_become_one_statement_per_unit() -> None:
    source = "from fastapi import FastAPI\napp = FastAPI()\na = 1; b = 2  # both\n"
    analysis = analyze_source(source, Path("main.py"))
    template, statements = emit.parse_statements(source, analysis.units)
    assert [template.code_for_node(s) for s in statements[-2:]] == ["a = 1\n", "b = 2  # both\n"]
