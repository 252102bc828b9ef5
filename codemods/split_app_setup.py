"""Split an `if` block that both sets things up and configures the app into two blocks under the same condition:

    if RATE_LIMIT_ENABLED:                          if RATE_LIMIT_ENABLED:          # moved (core.py)
        limiter = Limiter(key_func=remote)              limiter = Limiter(key_func=remote)
        app.state.limiter = limiter          ->
        app.add_middleware(SlowAPIMiddleware)       if RATE_LIMIT_ENABLED:          # stays in main.py, in place
                                                        app.state.limiter = limiter
                                                        app.add_middleware(SlowAPIMiddleware)

splitter decides which statements stay (analysis/app_setup.py: the condition only reads values, the app statements
bind nothing); every statement keeps its exact text.
"""

from __future__ import annotations

import argparse

import libcst as cst


def split_if(block: cst.If, kept_positions: tuple[int, ...]) -> tuple[cst.If, cst.If]:
    """(the block without the statements at `kept_positions`, the block with only them)."""
    statements = list(block.body.body)
    moved = [s for p, s in enumerate(statements) if p not in kept_positions]
    kept = [s for p, s in enumerate(statements) if p in kept_positions]
    moved_block = block.with_changes(body=block.body.with_changes(body=moved))
    kept_block = block.with_changes(body=block.body.with_changes(body=kept), leading_lines=[])
    return moved_block, kept_block


def _uses_name(node: cst.CSTNode, name: str) -> bool:
    found = False

    class _Find(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value == name

    node.visit(_Find())
    return found


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class SplitAppSetup(VisitorBasedCodemodCommand):
        DESCRIPTION = "Split top-level `if` blocks into the setup part and, right after it, the app configuration part."

        def __init__(self, context: CodemodContext, app_name: str = "app") -> None:
            super().__init__(context)
            self.app_name = app_name

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument("--app-name", dest="app_name", default="app", help="the FastAPI app variable")

        def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
            body: list[cst.CSTNode] = []
            for statement in updated_node.body:
                if isinstance(statement, cst.If) and statement.orelse is None:
                    uses = [_uses_name(s, self.app_name) for s in statement.body.body]
                    positions = tuple(p for p, uses_app in enumerate(uses) if uses_app)
                    if positions and len(positions) < len(uses):
                        body.extend(split_if(statement, positions))
                        continue
                body.append(statement)
            return updated_node.with_changes(body=body)

    return SplitAppSetup


def __getattr__(attribute: str) -> type:
    # libcst.codemod is costly to import and `splitter apply` only needs split_if (see detach_hooks.py).
    if attribute == "SplitAppSetup":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
