"""`__name__` -> `"pkg.main"` in code moved out of the monolith, so loggers keep their names.

`logging.getLogger(__name__)` names a logger after the module it runs in; moved code would otherwise log under
a new name and escape the project's logging configuration and its tests' `caplog` filters.
"""

from __future__ import annotations

import argparse

import libcst as cst

from ._module_scope import ScopeTracking


class ModuleNamePinner(ScopeTracking, cst.CSTTransformer):
    """The transformer itself; cheap to build and reusable across statements."""

    def __init__(self, module_name: str) -> None:
        super().__init__()
        self._setup(module_name)

    def _setup(self, module_name: str) -> None:
        self.module_name = module_name
        self._skip: set[int] = set()
        self._fstring_quotes: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))  # obj.__name__ is the object's name, not the module's

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._fstring_quotes.append(node.quote)

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.FormattedString:
        self._fstring_quotes.pop()
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node.value != "__name__" or id(original_node) in self._skip or not self._reads_module("__name__"):
            return updated_node  # an attribute, a keyword, or a local `__name__`
        # Inside f-strings the literal must not reuse any enclosing f-string's quote character (before 3.12).
        used = "".join(self._fstring_quotes)
        quote = next((q for q in ('"', "'") if q not in used), None)
        if quote is None:
            return updated_node  # nested f-strings using both quotes: leave it (the module name then changes)
        return cst.SimpleString(f"{quote}{self.module_name}{quote}")

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class PinModuleName(ModuleNamePinner, VisitorBasedCodemodCommand):
        DESCRIPTION = "Replace __name__ with the dotted name of the module the code came from."

        def __init__(self, context: CodemodContext, module_name: str) -> None:
            VisitorBasedCodemodCommand.__init__(self, context)
            self._setup(module_name)

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument("--module-name", dest="module_name", required=True, help="e.g. pkg.main")

    return PinModuleName


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "PinModuleName":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
