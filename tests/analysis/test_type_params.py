"""PEP 695 type parameters (`def first[T]`, `class Page[T]`): a definition's annotations, bases and body read its
own type parameters, never a module-level name alike. Python 3.12 parses the syntax; on an older Python the same
tree is built by hand (the parameters attached as `type_params`), so the model is checked on every version."""

from __future__ import annotations

import ast
import re
import sys
from types import SimpleNamespace

import pytest

from splitter.analysis.scopes import build_scopes, statement_facts, symbol_table

_BRACKETS = re.compile(r"^(def|class) (\w+)\[([^\]]*)\]", re.M)


def parse(source: str) -> ast.Module:
    """`source` with its PEP 695 brackets, parsed by this Python or rebuilt to the tree Python 3.12 makes."""
    if sys.version_info >= (3, 12):
        return ast.parse(source)
    brackets = {match.group(2): match.group(3) for match in _BRACKETS.finditer(source)}
    tree = ast.parse(_BRACKETS.sub(r"\1 \2", source))
    for node in ast.walk(tree):
        if getattr(node, "name", None) in brackets:
            node.type_params = [_param(text.strip()) for text in brackets[node.name].split(",")]  # type: ignore
    return tree


def _param(text: str) -> SimpleNamespace:
    name, _, bound = text.partition(":")
    return SimpleNamespace(name=name.strip("*"), bound=ast.parse(bound.strip(), mode="eval").body if bound else None)


MODULE_T = 'T = TypeVar("T")\n'


@pytest.mark.parametrize(
    ("source", "uses"),
    [
        pytest.param(
            "def first[T](values: list[T]) -> T:\n    found: T = values[0]\n    return found\n",
            {"list"},
            id="function-annotations-and-body",
        ),
        pytest.param(
            "def parse[M: BaseModel](raw: dict, model: type[M]) -> M:\n    return model(**raw)\n",
            {"BaseModel", "dict", "type"},
            id="a-bound-reads-the-module",
        ),
        pytest.param(
            "class Page[T](Base[T]):\n    items: list[T]\n\n    def get(self) -> T:\n        return T\n",
            {"Base", "list"},
            id="class-bases-body-and-methods",
        ),
        pytest.param(
            "def legacy(values: list[T]) -> T:\n    return values[0]\n", {"list", "T"}, id="the-module-T-still-read"
        ),
    ],
)
def test_a_type_parameter_is_no_module_name(source: str, uses: set[str]) -> None:
    tree = parse(MODULE_T + source)
    assert statement_facts(tree.body[1]).uses == uses


def test_a_nested_function_reads_the_type_parameter_as_a_free_name() -> None:
    module = build_scopes(parse(MODULE_T + "def outer[T](x: T) -> T:\n    def inner() -> T:\n        return T\n"))
    outer = module.children[0]
    inner = outer.children[0]
    assert not inner.resolves_to_module("T") and inner.binding_scope("T") is outer
    assert symbol_table(outer)[2] == {"T"} and symbol_table(inner)[2] == {"T"}  # as symtable says on 3.12
    assert symbol_table(outer)[1] == set()
