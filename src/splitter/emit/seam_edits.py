"""Where `SeamQualifier` would write `core.x` for a seam `x`, found with `ast` on the monolith's own tree.

The codemod (codemods/qualify_seams.py) is the reference and both read splitter's one scope model
(`splitter.analysis.scopes`): a name is qualified when the scope it is read in resolves it to the module, and it is
a lookup at all (a `with ... as x` target is not; attribute names, keywords, parameters, definitions and imports
are not `ast.Name`s). Bodies of functions, classes and lambdas and whole comprehensions are their own scopes, except
a comprehension's first iterable, which is read outside it (as `ScopeTracking` enters them on the CST).
Offsets are exact; a statement this finder cannot place exactly (a `match` statement, a seam inside an f-string,
whose positions Python < 3.12 reports unreliably) gets None, and the caller runs the codemod instead.
"""

from __future__ import annotations

import ast
from itertools import accumulate

from splitter.analysis.ast_walk import child_nodes
from splitter.analysis.scopes import Scope, build_scopes

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_SCOPE_NODES = _FUNCTIONS + (ast.ClassDef, ast.Lambda, ast.withitem, ast.JoinedStr) + _COMPREHENSIONS
_IGNORED = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)


class Unsupported(Exception):
    """The statement needs the libcst codemod."""


class _Finder:
    def __init__(self, seams: frozenset[str], root: Scope) -> None:
        self.seams = seams
        self.scope_of = {id(scope.node): scope for scope in root.walk()}
        self.stack = [root]
        self.found: list[ast.Name] = []

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            if node.id in self.seams and self.stack[-1].resolves_to_module(node.id):
                self.found.append(node)
        elif isinstance(node, _SCOPE_NODES):
            self._scope(node)
        elif isinstance(node, ast.Match):
            raise Unsupported("match")
        elif not isinstance(node, _IGNORED):
            self.children(node)

    def children(self, node: ast.AST) -> None:
        for child in child_nodes(node):
            if not isinstance(child, ast.Constant):  # nothing below a constant can name a seam
                self.visit(child)

    def within(self, scope: Scope, nodes: list[ast.AST]) -> None:
        self.stack.append(scope)
        for node in nodes:
            self.visit(node)
        self.stack.pop()

    def _own(self, node: ast.AST) -> Scope:
        scope = self.scope_of.get(id(node))
        if scope is None:
            raise Unsupported("no scope for a nested definition")
        return scope

    def _scope(self, node: ast.AST) -> None:
        if isinstance(node, _FUNCTIONS):  # decorators, defaults and annotations are read outside the body
            for part in [*node.decorator_list, node.args, node.returns]:
                if part is not None:
                    self.visit(part)
            self.within(self._own(node), node.body)
        elif isinstance(node, ast.ClassDef):
            for part in [*node.decorator_list, *node.bases, *node.keywords]:
                self.visit(part)
            self.within(self._own(node), node.body)
        elif isinstance(node, ast.Lambda):
            self.visit(node.args)
            self.within(self._own(node), [node.body])
        elif isinstance(node, ast.withitem):
            self.visit(node.context_expr)
            if node.optional_vars is not None and not isinstance(node.optional_vars, ast.Name):
                self.visit(node.optional_vars)  # `as x` is a binding; `as (a, b)` the codemod still reads
        elif isinstance(node, ast.JoinedStr):
            if any(isinstance(n, ast.Name) and n.id in self.seams for n in ast.walk(node)):
                raise Unsupported("f-string")
        else:
            first = node.generators[0]
            self.visit(first.iter)  # evaluated in the enclosing scope: `[db for db in db]` reads the outer `db`
            inside = [child for child in ast.iter_child_nodes(node) if child is not first]
            self.within(self._own(node), [first.target, *first.ifs, *inside])


def seam_offsets(
    node: ast.stmt, text: str, text_start: int, lines: list[str], seams: frozenset[str]
) -> list[tuple[int, str]] | None:
    """(offset in `text`, name) of every seam the codemod would qualify; `text` is the statement's text and starts
    at 0-based line `text_start` of `lines`. None when only the codemod can tell."""
    try:
        finder = _Finder(seams, build_scopes(node))
        finder.visit(node)
    except Unsupported:
        return None
    if not finder.found:
        return []
    last = max(name.lineno for name in finder.found)
    starts = list(accumulate((len(x) for x in lines[text_start : last - 1]), initial=0))
    found = []
    for name in finder.found:
        line = lines[name.lineno - 1]
        offset = starts[name.lineno - 1 - text_start] + len(
            line.encode("utf-8")[: name.col_offset].decode("utf-8", "replace")
        )
        if text[offset : offset + len(name.id)] != name.id:
            return None
        found.append((offset, name.id))
    return found if len({offset for offset, _ in found}) == len(found) else None
