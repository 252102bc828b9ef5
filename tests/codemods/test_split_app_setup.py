"""split_if() and SplitAppSetup: an `if` block becomes the setup part and the app part, each statement untouched."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext

from splitter.codemods.split_app_setup import SplitAppSetup, split_if
from tests.helpers import check_transformed, code


def run(source: str) -> str:
    return cst.parse_module(source).visit(SplitAppSetup(CodemodContext(), "app")).code


LIMITER = code("""
    # limits
    if RATE_LIMIT_ENABLED:  # flag
        limiter = Limiter(key_func=remote)  # keep this comment
        app.state.limiter = limiter
        log("limiter ready")
        app.add_middleware(SlowAPIMiddleware)
""")


def test_split_if_keeps_each_statement_and_the_condition() -> None:
    block = cst.parse_module("ready = False\n" + LIMITER).body[1]  # the comment belongs to the block
    moved, kept = split_if(block, (1, 3))
    assert cst.Module([moved]).code == code("""
        # limits
        if RATE_LIMIT_ENABLED:  # flag
            limiter = Limiter(key_func=remote)  # keep this comment
            log("limiter ready")
    """)
    assert cst.Module([kept]).code == code("""
        if RATE_LIMIT_ENABLED:  # flag
            app.state.limiter = limiter
            app.add_middleware(SlowAPIMiddleware)
    """)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            LIMITER,
            code("""
                # limits
                if RATE_LIMIT_ENABLED:  # flag
                    limiter = Limiter(key_func=remote)  # keep this comment
                    log("limiter ready")
                if RATE_LIMIT_ENABLED:  # flag
                    app.state.limiter = limiter
                    app.add_middleware(SlowAPIMiddleware)
            """),
            id="setup-then-app-configuration",
        ),
        pytest.param("if DEBUG:\n    app.debug = True\n", "if DEBUG:\n    app.debug = True\n", id="only-app"),
        pytest.param("if DEBUG:\n    level = 10\n", "if DEBUG:\n    level = 10\n", id="no-app"),
        pytest.param(
            "if A:\n    x = 1\n    app.x = x\nelse:\n    x = 2\n",
            "if A:\n    x = 1\n    app.x = x\nelse:\n    x = 2\n",
            id="else-branch",
        ),
        pytest.param("if A:\n    x = app_state\n", "if A:\n    x = app_state\n", id="a-longer-name-is-not-the-app"),
    ],
)
def test_split_app_setup(before: str, after: str) -> None:
    check_transformed(run, before, after)
