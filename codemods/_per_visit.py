"""State that must not outlive one visit.

splitter reuses one transformer for every statement of a module (building one costs more than running it).
Transformers that remember nodes by `id()` must forget them when a new visit starts: once a statement's nodes
are freed, a node of the next statement can get the same id, and a remembered "skip this name" then silently
skips a real reference (a decorator's `limiter` left unqualified in one endpoint out of three).
"""

from __future__ import annotations

import libcst as cst


class SkipSetPerVisit:
    """Mixin for transformers with a `_skip: set[int]` of node ids: cleared when a new top-level visit starts."""

    _skip: set[int]
    _depth: int = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._depth == 0:
            self._start_visit(node)
        self._depth += 1
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):
        self._depth -= 1
        return super().on_leave(original_node, updated_node)

    def _start_visit(self, node: cst.CSTNode) -> None:
        self._skip.clear()
