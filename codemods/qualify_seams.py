"""`_client` -> `core._client`: read a rebindable module global through its home module.

A name that is rebound after import (by a `global` statement or by a test's monkeypatch) must be looked up
where it lives; `from core import _client` would copy the binding once and never see the rebinding. Only name
references change; attribute names, keyword arguments, parameters and definitions named alike are left alone.
"""

from __future__ import annotations

import argparse
import ast
import json

import libcst as cst

from ._per_visit import SkipSetPerVisit


class _LocalBindings(cst.CSTVisitor):
    """Names a function body binds locally (not inside nested functions), minus its `global` declarations."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.declared_global: set[str] = set()

    def _target(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name):
            self.bound.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._target(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is not None:
            self._target(node.asname.name)
        else:
            first = node.name
            while isinstance(first, cst.Attribute):
                first = first.value
            self._target(first)

    def visit_Global(self, node: cst.Global) -> None:
        self.declared_global |= {n.name.value for n in node.names}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bound.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bound.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _locals_of(params: cst.Parameters, body: cst.CSTNode | None) -> set[str]:
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    if body is None:
        return names
    collector = _LocalBindings()
    body.visit(collector)
    return (names | collector.bound) - collector.declared_global


def function_locals(source: str) -> list[set[str]] | None:
    """`_locals_of` for every function and lambda body of `source` (one statement), in the order a libcst walk
    enters them, found with `ast` (several times faster than a libcst visitor); None unless it is one statement."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) != 1:  # `f = lambda: a; g = lambda b: b` shares a line with another unit
        return None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(((node.body[0].lineno, node.body[0].col_offset), _ast_locals(node.args, node.body)))
        elif isinstance(node, ast.Lambda):
            found.append(((node.body.lineno, node.body.col_offset), _ast_locals(node.args, None)))
    return [names for _start, names in sorted(found, key=lambda item: item[0])]


def _ast_locals(arguments: ast.arguments, body: list[ast.stmt] | None) -> set[str]:
    """What `_LocalBindings` collects, on ast: bindings outside nested functions/classes, minus `global`."""
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    names = {argument.arg for argument in every if argument is not None}
    bound: set[str] = set()
    declared: set[str] = set()
    stack: list[ast.AST] = list(body or [])
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(a.asname or a.name.split(".")[0] for a in node.names if a.asname or a.name != "*")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        else:
            for target in _binding_targets(node):
                _ast_target(target, bound)
        stack.extend(ast.iter_child_nodes(node))
    return (names | bound) - declared


def _binding_targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.NamedExpr)):
        return [node.target]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [node.optional_vars]
    return []


def _ast_target(node: ast.AST, bound: set[str]) -> None:
    if isinstance(node, ast.Name):
        bound.add(node.id)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            _ast_target(element, bound)
    elif isinstance(node, ast.Starred):
        _ast_target(node.value, bound)


class SeamQualifier(SkipSetPerVisit, cst.CSTTransformer):
    """The transformer itself; cheap to build, so splitter makes one per module and reuses it."""

    def __init__(self, seams: dict[str, str]) -> None:
        super().__init__()
        self._setup(seams)

    def _setup(self, seams: dict[str, str]) -> None:
        self.seams = dict(seams)  # name -> module alias
        self._skip: set[int] = set()
        self._shadowed: list[set[str]] = []
        self._known_locals: list[set[str]] = []  # from `function_locals`, next body last

    def qualify(self, statement: cst.CSTNode, known_locals: list[set[str]] | None = None) -> cst.CSTNode:
        """`statement.visit(self)`; `known_locals` (from `function_locals` on the same source) saves a libcst
        walk of every function body to find its local names."""
        self._known_locals = list(reversed(known_locals or []))
        try:
            return statement.visit(self)
        finally:
            self._known_locals = []

    def _locals(self, params: cst.Parameters, body: cst.CSTNode | None) -> set[str]:
        return self._known_locals.pop() if self._known_locals else _locals_of(params, body)

    def _skip_name(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self._skip.add(id(node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip_name(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        self._skip_name(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self._skip_name(node.name)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._skip_name(node.name)  # `except E as x` / `with f() as x`: a local binding, not a lookup

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._skip_name(node.name)

    # Defaults, annotations and decorators are evaluated outside the function: only its body is its scope.
    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._shadowed.append(self._locals(node.params, node.body))

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._shadowed.pop()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._shadowed.append(self._locals(node.params, None))

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._shadowed.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._skip_name(node.name)

    # A class body binds its own names (`db = ...` there is a class attribute, never `core.db = ...`).
    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        collector = _LocalBindings()
        node.body.visit(collector)
        self._shadowed.append(collector.bound)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._shadowed.pop()

    # Comprehension targets are the comprehension's own locals: `[db.name for db in ALL_DBS]` reads no seam `db`.
    def _enter_comprehension(self, node: cst.BaseComp) -> None:
        targets = _LocalBindings()
        clause = node.for_in
        while clause is not None:
            clause.target.visit(targets)
            targets._target(clause.target)
            clause = clause.inner_for_in
        self._shadowed.append(targets.bound)

    def _leave_comprehension(self, original_node: cst.BaseComp, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        self._shadowed.pop()
        return updated_node

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_GeneratorExp = leave_DictComp = _leave_comprehension

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        name = original_node.value
        if id(original_node) in self._skip or name not in self.seams:
            return updated_node
        if any(name in scope for scope in self._shadowed):
            return updated_node
        return cst.Attribute(
            value=cst.Name(self.seams[name]), attr=cst.Name(name), lpar=updated_node.lpar, rpar=updated_node.rpar
        )


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class QualifySeams(SeamQualifier, VisitorBasedCodemodCommand):
        DESCRIPTION = "Rewrite references to rebindable globals as attribute lookups on their home module."

        def __init__(self, context: CodemodContext, seams: dict[str, str] | str) -> None:
            VisitorBasedCodemodCommand.__init__(self, context)
            self._setup(json.loads(seams) if isinstance(seams, str) else seams)

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument(
                "--seams",
                dest="seams",
                required=True,
                help='JSON object: name -> module alias, e.g. {"_client": "core"}',
            )

    return QualifySeams


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "QualifySeams":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
