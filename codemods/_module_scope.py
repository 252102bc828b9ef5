"""Which scope a name is read in, for the libcst transformers: splitter's one scope model, mapped onto the CST.

The scopes come from `splitter.analysis.scopes` (an `ast` walk: many times faster than libcst's scope metadata,
and the same model analysis uses). They are mapped onto the CST by order and checked by structure: a libcst walk
enters function, class and lambda bodies and comprehensions in source order, which is the order
`nested_scopes` sorts them in, and each scope entered must have the kind and name of the node entered. Mapping
by position would need libcst's PositionProvider, a metadata pass per module; mapping by order needs nothing,
and lets splitter hand over the scopes of a statement it already parsed with `ast`.
"""

from __future__ import annotations

import ast

import libcst as cst

from ._per_visit import SkipSetPerVisit
from splitter.analysis.scopes import Scope, build_scopes, nested_scopes

_COMPREHENSION_NAMES = {cst.ListComp: "listcomp", cst.SetComp: "setcomp", cst.DictComp: "dictcomp"}


class ScopeMismatch(Exception):
    """The scopes handed to a transformer are not the scopes of the code it walks (a bug in the caller)."""


def scopes_of_code(code: str) -> Scope | None:
    """The scope tree of `code`; None when `ast` cannot read it."""
    try:
        return build_scopes(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError):
        return None


def _code_of(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Module):
        return node.code
    if isinstance(node, cst.BaseStatement):
        return cst.Module(body=[node]).code
    return cst.Module(body=[]).code_for_node(node)


class ScopeTracking(SkipSetPerVisit):
    """Mixin: `self._reads_module(name)` tells whether a name at the current node is the module-level name.

    Give the scope tree with `use_scopes(root)` before a visit (splitter does, from the `ast` of the same
    statement); otherwise it is built from the code of the node the visit starts at."""

    _given: Scope | None = None
    _stack: list[Scope]
    _pending: list[Scope]
    _first_fors: list[cst.CompFor]

    def use_scopes(self, root: Scope | None) -> None:
        self._given = root

    def visit_with_scopes(self, node: cst.CSTNode, root: Scope | None) -> cst.CSTNode:
        """`node.visit(self)` with the scopes of `node`'s code, when the caller has them."""
        self.use_scopes(root)
        return node.visit(self)

    def _start_visit(self, node: cst.CSTNode) -> None:
        super()._start_visit(node)
        root, self._given = self._given, None
        if root is None:
            root = scopes_of_code(_code_of(node)) or Scope("module", "module", ast.Module(body=[], type_ignores=[]))
        self._stack = [root]
        self._pending = list(reversed(nested_scopes(root)))
        self._first_fors = []

    def _reads_module(self, name: str) -> bool:
        return self._stack[-1].resolves_to_module(name)

    def _enter(self, kind: str, name: str) -> None:
        scope = self._pending.pop() if self._pending else None
        if scope is None or (scope.kind, scope.name) != (kind, name):
            found = f"{scope.kind} {scope.name}" if scope else "nothing"
            raise ScopeMismatch(f"entering {kind} {name}, the scope model has {found}")
        self._stack.append(scope)

    def _leave(self) -> None:
        self._stack.pop()

    # Parameters, defaults, decorators and bases belong to the enclosing scope: only bodies are entered.
    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._enter("function", node.name.value)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._leave()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._enter("lambda", "lambda")

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._leave()

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._enter("class", node.name.value)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._leave()

    def _enter_comprehension(self, node: cst.BaseComp) -> None:
        self._enter("comprehension", _COMPREHENSION_NAMES.get(type(node), "genexpr"))
        self._first_fors.append(node.for_in)

    def _leave_comprehension(self, original_node: cst.BaseComp, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        self._leave()
        self._first_fors.pop()
        return updated_node

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_GeneratorExp = leave_DictComp = _leave_comprehension

    # The first iterable of a comprehension is evaluated outside it: `[db for db in db]` reads the outer `db`.
    def visit_CompFor_iter(self, node: cst.CompFor) -> None:
        outer = node is self._first_fors[-1]
        self._stack.append(self._stack[-2] if outer else self._stack[-1])

    def leave_CompFor_iter(self, node: cst.CompFor) -> None:
        self._stack.pop()
