"""The `python -m libcst.tool codemod` command shared by the codemods that rewrite a module's top-level statements
given the app's name (`--app-name`). libcst.codemod is imported only when a command is asked for: importing it
costs about as much as parsing a 3,000-line monolith, and `splitter apply` only needs the transformers."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable

import libcst as cst

Rewrite = Callable[[cst.BaseStatement, str], Iterable[cst.BaseStatement]]


def app_statement_command(name: str, description: str, rewrite: Rewrite) -> type:
    """A command class that replaces each top-level statement by `rewrite(statement, app_name)`."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class AppStatementCommand(VisitorBasedCodemodCommand):
        DESCRIPTION = description

        def __init__(self, context: CodemodContext, app_name: str = "app") -> None:
            super().__init__(context)
            self.app_name = app_name

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument("--app-name", dest="app_name", default="app", help="the FastAPI app variable")

        def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
            body = [new for statement in updated_node.body for new in rewrite(statement, self.app_name)]
            return updated_node.with_changes(body=body)

    AppStatementCommand.__name__ = AppStatementCommand.__qualname__ = name
    return AppStatementCommand
