"""`_client` -> `core._client`: read a rebindable module global through its home module.

A name that is rebound after import (by a `global` statement or by a test's monkeypatch) must be looked up
where it lives; `from core import _client` would copy the binding once and never see the rebinding. Only name
references change; attribute names, keyword arguments, parameters and definitions named alike are left alone.
"""

from __future__ import annotations

import argparse
import json

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand


class SeamQualifier(cst.CSTTransformer):
    """The transformer itself; cheap to build, so splitter makes one per module and reuses it."""

    def __init__(self, seams: dict[str, str]) -> None:
        super().__init__()
        self._setup(seams)

    def _setup(self, seams: dict[str, str]) -> None:
        self.seams = dict(seams)  # name -> module alias
        self._skip: set[int] = set()
        self._shadowed: list[set[str]] = []

    def _skip_name(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self._skip.add(id(node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip_name(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        self._skip_name(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self._skip_name(node.name)
        if self._shadowed:
            self._shadowed[-1].add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._skip_name(node.name)
        self._shadowed.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self._shadowed.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._shadowed.append(set())

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._shadowed.pop()
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._skip_name(node.name)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        name = original_node.value
        if id(original_node) in self._skip or name not in self.seams:
            return updated_node
        if any(name in scope for scope in self._shadowed):
            return updated_node
        return cst.Attribute(value=cst.Name(self.seams[name]), attr=cst.Name(name))


class QualifySeams(SeamQualifier, VisitorBasedCodemodCommand):
    DESCRIPTION = "Rewrite references to rebindable globals as attribute lookups on their home module."

    def __init__(self, context: CodemodContext, seams: dict[str, str] | str) -> None:
        VisitorBasedCodemodCommand.__init__(self, context)
        self._setup(json.loads(seams) if isinstance(seams, str) else seams)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--seams", dest="seams", required=True,
                                help='JSON object: name -> module alias, e.g. {"_client": "core"}')
