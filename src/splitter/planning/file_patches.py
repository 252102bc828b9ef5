"""Tests that patch the monolith's `__file__` (`patch.object(main, "__file__", str(tmp / "main.py"))`) steer the
paths its functions build when they run. Moved, a function reads its new module's `__file__` (`core.__file__` a
folder down): the same folder, so the app behaves the same, but the test's patch no longer reaches it and the test
fails after the split with nothing said. The plan names the test line and the functions, as it does for tests
reading `app.routes` or the monolith's source text: a test to update by hand. (Keeping the functions in main.py
instead would hold back everything that calls them: crawshrimp's `_execute_task`, 1,460 lines, for one test.)"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from splitter.analysis.scopes import build_scopes
from splitter.planning.destination import MAIN

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner

SHOWN = 3  # functions named in the note; the rest are counted


def file_patch_notes(planner: _Planner) -> list[str]:
    """One note per test line patching the monolith's `__file__`, when moved code reads `__file__` when called."""
    places = planner.options.patched_names.get("__file__")
    analysis = planner.analysis
    if not places or analysis.tree is None:
        return []
    readers = []
    for block in planner.blocks:
        if planner.dest.get(block.id, MAIN) == MAIN:
            continue
        units = [analysis.units[u] for u in block.units]
        if any("__file__" in u.dynamic and reads_file_when_called(analysis.tree.body[u.index]) for u in units):
            readers.append(block.name)
    if not readers:
        return []
    named = ", ".join(f"`{name}`" for name in readers[:SHOWN])
    if len(readers) > SHOWN:
        named += f" and {len(readers) - SHOWN} more"
    one = len(readers) == 1
    they, read, module = ("it", "reads", "its new module") if one else ("they", "read", "their new modules")
    return [
        f"{file}:{line}: patches the monolith's `__file__`, which {named} {read} when called: moved out of "
        f"{analysis.path.name}, {they} {read} the `__file__` of {module}, which this patch does not reach; "
        "update the test by hand (patch where the code now reads it)"
        for file, line in places
    ]


def reads_file_when_called(statement: ast.stmt) -> bool:
    """Does a function or lambda in this statement read `__file__` (each call, not once at import)?"""
    stack = [(build_scopes(statement), False)]
    while stack:
        scope, called = stack.pop()
        called = called or scope.kind in ("function", "lambda")
        if called and "__file__" in scope.reads:
            return True
        stack.extend((child, called) for child in scope.children)
    return False
