"""`from . import x` -> `from .. import x` inside code moved one package level down (into `routers/`,
`services/`), so imports written in function bodies keep naming the same modules.

The monolith's own top-level imports are re-emitted with their depth adjusted by the emitter; this handles the
imports nested in moved functions and classes (`from .services import quota` inside an endpoint), which would
otherwise fail with ModuleNotFoundError only when the endpoint runs. `__package__` is pinned to the monolith's
package for the same reason (`importlib.import_module(".plugins", __package__)`).
"""

from __future__ import annotations

import argparse

import libcst as cst

from ._module_scope import ScopeTracking


class RelativeImportRebaser(ScopeTracking, cst.CSTTransformer):
    """The transformer itself; cheap to build and reusable across statements."""

    def __init__(self, levels: int, package: str) -> None:
        super().__init__()
        self._setup(levels, package)

    def _setup(self, levels: int, package: str) -> None:
        self.levels = levels
        self.package = package
        self._skip: set[int] = set()

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if not updated_node.relative or self.levels <= 0:
            return updated_node
        return updated_node.with_changes(relative=[*updated_node.relative, *(cst.Dot() for _ in range(self.levels))])

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node.value != "__package__" or id(original_node) in self._skip or not self.package:
            return updated_node
        if not self._reads_module("__package__"):
            return updated_node  # a local named `__package__`
        return cst.SimpleString(f'"{self.package}"')


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class RebaseRelativeImports(RelativeImportRebaser, VisitorBasedCodemodCommand):
        DESCRIPTION = "Add package levels to relative imports (and pin __package__) in code moved deeper."

        def __init__(self, context: CodemodContext, levels: int, package: str = "") -> None:
            VisitorBasedCodemodCommand.__init__(self, context)
            self._setup(levels, package)

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument("--levels", dest="levels", type=int, default=1, help="package levels moved down")
            arg_parser.add_argument("--package", dest="package", default="", help="the monolith's package, e.g. pkg")

    return RebaseRelativeImports


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "RebaseRelativeImports":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
