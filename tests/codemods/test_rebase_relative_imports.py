"""RebaseRelativeImports: relative imports nested in moved code gain the levels the code moved down."""

from __future__ import annotations


import libcst as cst
import pytest
from libcst.codemod import CodemodContext

from splitter.codemods.rebase_relative_imports import RebaseRelativeImports
from tests.helpers import check_noop, check_transformed, code


def run(source: str, levels: int = 1, package: str = "pkg") -> str:
    return cst.parse_module(source).visit(RebaseRelativeImports(CodemodContext(), levels, package)).code


def check_rebased(before: str, after: str, levels: int = 1) -> None:
    # each run moves the code one more level down, so the output is not a fixed point by design
    check_transformed(lambda source: run(source, levels), code(before), code(after), fixed_point=False)


def check_kept(source: str, levels: int = 1) -> None:
    check_noop(lambda text: run(text, levels), code(source))


TRANSFORMED = [
    pytest.param(
        """
        async def snapshot(job_id: str):
            from . import snapshots
            from .services import quota as q  # used lazily
            return snapshots.take(job_id, q)
        """,
        """
        async def snapshot(job_id: str):
            from .. import snapshots
            from ..services import quota as q  # used lazily
            return snapshots.take(job_id, q)
        """,
        id="function-body imports",
    ),
    pytest.param(
        """
        class Repo:
            def load(self):
                from ..shared.db import connect
                return connect()
        """,
        """
        class Repo:
            def load(self):
                from ...shared.db import connect
                return connect()
        """,
        id="a method, two levels up already",
    ),
    pytest.param(
        """
        def plugins():
            return importlib.import_module(".plugins", __package__)
        """,
        """
        def plugins():
            return importlib.import_module(".plugins", "pkg")
        """,
        id="__package__ pinned",
    ),
]

NOOP = [
    pytest.param("def f():\n    from pkg import snapshots\n    import json\n", id="absolute imports"),
    pytest.param("def f(__package__):\n    return mod.__package__\n", id="parameter and attribute"),
]


@pytest.mark.parametrize(("before", "after"), TRANSFORMED)
def test_transformed(before: str, after: str) -> None:
    check_rebased(before, after)


@pytest.mark.parametrize("source", NOOP)
def test_noop(source: str) -> None:
    check_kept(source)


def test_zero_levels_changes_nothing() -> None:
    check_kept("def f():\n    from . import x\n", levels=0)
