"""`_client` -> `core._client`: read a rebindable module global through its home module.

A name that is rebound after import (by a `global` statement or by a test's monkeypatch) must be looked up
where it lives; `from core import _client` would copy the binding once and never see the rebinding. Only reads
of the module-level name change (splitter's scope model decides: `_module_scope`); locals, parameters,
comprehension targets, class attributes, attribute names and keyword arguments named alike are left alone.
"""

from __future__ import annotations

import argparse
import json

import libcst as cst

from ._module_scope import ScopeTracking
from splitter.analysis.scopes import Scope


class SeamQualifier(ScopeTracking, cst.CSTTransformer):
    """The transformer itself; cheap to build, so splitter makes one per module and reuses it."""

    def __init__(self, seams: dict[str, str]) -> None:
        super().__init__()
        self._setup(seams)

    def _setup(self, seams: dict[str, str]) -> None:
        self.seams = dict(seams)  # name -> module alias
        self._skip: set[int] = set()

    def qualify(self, statement: cst.CSTNode, scopes: Scope | None = None) -> cst.CSTNode:
        """`statement.visit(self)`; `scopes` (`build_scopes` of the same statement's `ast`) saves rebuilding them
        from the statement's code."""
        return self.visit_with_scopes(statement, scopes)

    def _skip_name(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self._skip.add(id(node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip_name(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        self._skip_name(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self._skip_name(node.name)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._skip_name(node.name)  # `except E as x` / `with f() as x`: a local binding, not a lookup

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._skip_name(node.name)

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
        if id(original_node) in self._skip or name not in self.seams or not self._reads_module(name):
            return updated_node  # a local, parameter, class attribute or comprehension target named alike
        return cst.Attribute(
            value=cst.Name(self.seams[name]), attr=cst.Name(name), lpar=updated_node.lpar, rpar=updated_node.rpar
        )


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class QualifySeams(SeamQualifier, VisitorBasedCodemodCommand):
        DESCRIPTION = "Rewrite references to rebindable globals as attribute lookups on their home module."

        def __init__(self, context: CodemodContext, seams: dict[str, str] | str) -> None:
            VisitorBasedCodemodCommand.__init__(self, context)
            self._setup(json.loads(seams) if isinstance(seams, str) else seams)

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument(
                "--seams",
                dest="seams",
                required=True,
                help='JSON object: name -> module alias, e.g. {"_client": "core"}',
            )

    return QualifySeams


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "QualifySeams":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
