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

import libcst as cst

from ._app_command import app_statement_command
from ._names import plain_names


def split_if(block: cst.If, kept_positions: tuple[int, ...]) -> tuple[cst.If, cst.If]:
    """(the block without the statements at `kept_positions`, the block with only them)."""
    statements = list(block.body.body)
    moved = [s for p, s in enumerate(statements) if p not in kept_positions]
    kept = [s for p, s in enumerate(statements) if p in kept_positions]
    moved_block = block.with_changes(body=block.body.with_changes(body=moved))
    kept_block = block.with_changes(body=block.body.with_changes(body=kept), leading_lines=[])
    return moved_block, kept_block


def _split(statement: cst.BaseStatement, app_name: str) -> list[cst.BaseStatement]:
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return [statement]
    uses = [app_name in plain_names(s) for s in statement.body.body]
    positions = tuple(p for p, uses_app in enumerate(uses) if uses_app)
    if not positions or len(positions) == len(uses):
        return [statement]
    return list(split_if(statement, positions))


def __getattr__(attribute: str) -> type:
    # libcst.codemod is costly to import and `splitter apply` only needs split_if (see detach_hooks.py).
    if attribute == "SplitAppSetup":
        description = "Split top-level `if` blocks into the setup part and, right after it, the app configuration."
        globals()[attribute] = command = app_statement_command(attribute, description, _split)
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
