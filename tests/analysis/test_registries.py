"""Statements reading a registry that subclassing fills (`Base.metadata`) use the subclasses too."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.analysis.analyze import analyze_source

HEADER = "from fastapi import FastAPI\nfrom orm import declarative_base\n\napp = FastAPI()\nBase = declarative_base()\n"


def registry_reads_of(source: str, name: str) -> frozenset[str]:
    analysis = analyze_source(HEADER + source, Path("main.py"), "main")
    return next(u for u in analysis.units if u.name == name).registry_reads


@pytest.mark.parametrize(
    ("source", "reader", "expected"),
    [
        pytest.param(
            "class A(Base): pass\nclass B(Base): pass\ntables = Base.metadata.create_all(1)\nclass C(Base): pass\n",
            "tables",
            {"A", "B"},
            id="import time: the classes defined before it",
        ),
        pytest.param(
            "class A(Base): pass\ndef init():\n    Base.metadata.create_all(1)\nclass C(Base): pass\n",
            "init",
            {"A", "C"},
            id="a function: every subclass, it runs later",
        ),
        pytest.param(
            "class A(Base): pass\ndef init():\n    (Base  # the registry\n     ).metadata.create_all(1)\n",
            "init",
            {"A"},
            id="a comment and a parenthesis between the base and its attribute",
        ),
        pytest.param(
            "class A(Base): pass\n@on(Base \\\n    .registry)\ndef hook():\n    pass\n",
            "hook",
            {"A"},
            id="a line continuation, in a decorator",
        ),
        pytest.param(
            "class A(Base): pass\ndef names():\n    return 'Base.metadata', Base\n",
            "names",
            set(),
            id="spelled in a string only: the text matches, the tree has no attribute read",
        ),
        pytest.param("class A(Base): pass\nT = list[Base]\n", "T", set(), id="the base named, no attribute read"),
        pytest.param(
            "class A(Base): pass\nclass B(Base):\n    parent = Base.metadata\n",
            "B",
            set(),
            id="a class reading it is one of them",
        ),
    ],
)
def test_registry_readers_use_the_subclasses(source: str, reader: str, expected: set[str]) -> None:
    assert registry_reads_of(source, reader) == expected


@pytest.mark.parametrize(
    ("decorators", "expected"),
    [
        pytest.param("@scheduler.scheduled_job('interval', minutes=5)", True, id="scheduled job"),
        pytest.param("@event.listens_for(Base, 'before_insert')", True, id="event listener"),
        pytest.param("@tools.register", True, id="bare registry"),
        pytest.param("@lru_cache\n@functools.wraps(f)", False, id="wrappers only"),
        pytest.param("@dataclasses.dataclass(frozen=True)", False, id="dataclass"),
        pytest.param("", False, id="no decorator"),
        pytest.param("@app.get('/x')", False, id="a route: placed as an endpoint"),
    ],
)
def test_definitions_a_decorator_may_register_are_marked(decorators: str, expected: bool) -> None:
    source = f"{HEADER}\n\n{decorators}\ndef job():\n    pass\n"
    analysis = analyze_source(source, Path("main.py"), "main")
    assert analysis.units[-1].registers_when_defined is expected
