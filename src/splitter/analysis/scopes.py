"""Which module-level names a top-level statement reads, binds and rebinds, from `ast` alone.

A statement's *uses* are the names it looks up in module globals: loads at module scope plus the free names of
every function, lambda, class and comprehension inside it (Python's scoping rules, including `global` and class
bodies that do not enclose their methods). Exactness matters: a name wrongly counted as used becomes an unused
import in a generated module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

DYNAMIC_CALLS = {"exec": "exec()", "eval": "eval()", "globals": "globals()", "locals": "locals()", "vars": "vars()"}


@dataclass
class ScopeFacts:
    uses: set[str] = field(default_factory=set)  # module-level names looked up
    binds: set[str] = field(default_factory=set)  # module-level names bound (module scope only)
    global_decls: set[str] = field(default_factory=set)  # names declared `global` in functions
    dynamic: set[str] = field(default_factory=set)  # exec/eval/globals() seen
    dunder_file: bool = False
    strings: set[str] = field(default_factory=set)  # identifier-like strings ('name', f-string prefixes 'pre*')


def _target_names(node: ast.AST, out: set[str]) -> None:
    if isinstance(node, ast.Name):
        out.add(node.id)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            _target_names(element, out)
    elif isinstance(node, ast.Starred):
        _target_names(node.value, out)


def _annotation_names(node: ast.expr | None) -> set[str]:
    """Names in an annotation, including those inside string (forward-reference) annotations."""
    names: set[str] = set()
    if node is None:
        return names
    values = {  # `Literal["csv", "json"]` holds values, not forward references
        id(const)
        for sub in ast.walk(node)
        if isinstance(sub, ast.Subscript) and _is_literal(sub.value)
        for const in ast.walk(sub.slice)
    }
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and id(sub) not in values:
            try:
                parsed = ast.parse(sub.value.strip(), mode="eval")
            except SyntaxError:
                continue
            names |= {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)}
    return names


def _is_literal(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Literal") or (
        isinstance(node, ast.Attribute) and node.attr == "Literal"
    )


class _Scope:
    """Collects loads and bindings of one scope; nested scopes report their free names upward."""

    def __init__(self, facts: ScopeFacts, is_module: bool, is_class: bool = False) -> None:
        self.facts = facts
        self.is_module = is_module
        self.is_class = is_class
        self.loads: set[str] = set()
        self.bound: set[str] = set()
        self.transient: set[str] = set()  # bound only for a while: not a module-level binding afterwards
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.passthrough: set[str] = set()  # free names of methods: skip class bindings

    def free(self) -> set[str]:
        if self.is_module:
            return self.loads | self.passthrough
        local = self.bound - self.globals - self.nonlocals
        return ((self.loads - local) | self.passthrough | self.globals) - self.nonlocals


def _walk_body(scope: _Scope, nodes: list[ast.AST] | list[ast.stmt]) -> None:
    for node in nodes:
        _visit(scope, node)


def _visit_arguments(scope: _Scope, args: ast.arguments) -> None:
    """Defaults and annotations are evaluated in the enclosing scope."""
    for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
        _visit(scope, default)
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    for arg in every:
        scope.loads |= _annotation_names(arg.annotation)


def _param_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return {a.arg for a in every}


def _visit_function(scope: _Scope, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
    if not isinstance(node, ast.Lambda):
        for decorator in node.decorator_list:
            _visit(scope, decorator)
        scope.loads |= _annotation_names(node.returns)
        scope.bound.add(node.name)
    _visit_arguments(scope, node.args)
    inner = _Scope(scope.facts, is_module=False)
    inner.bound |= _param_names(node.args)
    if isinstance(node, ast.Lambda):
        _visit(inner, node.body)
    else:
        _walk_body(inner, node.body)
    scope.facts.global_decls |= inner.globals
    free = inner.free()
    if scope.is_class:
        scope.passthrough |= free
    else:
        scope.loads |= free


def _visit_class(scope: _Scope, node: ast.ClassDef) -> None:
    for decorator in node.decorator_list:
        _visit(scope, decorator)
    for base in node.bases:
        _visit(scope, base)
    for keyword in node.keywords:
        _visit(scope, keyword.value)
    scope.bound.add(node.name)
    inner = _Scope(scope.facts, is_module=False, is_class=True)
    _walk_body(inner, node.body)
    free = inner.free()
    if scope.is_class:
        scope.passthrough |= free
    else:
        scope.loads |= free


def _visit_comprehension(scope: _Scope, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
    generators = node.generators
    _visit(scope, generators[0].iter)  # the first iterable is evaluated in the enclosing scope
    inner = _Scope(scope.facts, is_module=False)
    for index, generator in enumerate(generators):
        _target_names(generator.target, inner.bound)
        if index:
            _visit(inner, generator.iter)
        for condition in generator.ifs:
            _visit(inner, condition)
    for part in ("elt", "key", "value"):
        if getattr(node, part, None) is not None:
            _visit(inner, getattr(node, part))
    if scope.is_class:
        scope.passthrough |= inner.free()  # a comprehension in a class body cannot see class attributes
    else:
        scope.loads |= inner.free()


def _note_call(scope: _Scope, node: ast.Call) -> None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in DYNAMIC_CALLS:
        scope.facts.dynamic.add(DYNAMIC_CALLS[func.id])


def _visit(scope: _Scope, node: ast.AST) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        _visit_function(scope, node)
        return
    if isinstance(node, ast.ClassDef):
        _visit_class(scope, node)
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        _visit_comprehension(scope, node)
        return
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            scope.loads.add(node.id)
            if node.id == "__file__":
                scope.facts.dunder_file = True
        else:
            scope.bound.add(node.id)
        return
    if isinstance(node, ast.Global):
        scope.globals.update(node.names)
        return
    if isinstance(node, ast.Nonlocal):
        scope.nonlocals.update(node.names)
        return
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name != "*":
                scope.bound.add(alias.asname or alias.name.split(".")[0])
        return
    if isinstance(node, ast.ExceptHandler) and node.name:
        scope.bound.add(node.name)
        if scope.is_module:
            scope.transient.add(node.name)  # `except E as e:` deletes `e` when the handler ends
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        scope.bound.add(node.name)
    elif isinstance(node, ast.MatchMapping) and node.rest:
        scope.bound.add(node.rest)
    elif isinstance(node, ast.AnnAssign):
        scope.loads |= _annotation_names(node.annotation)
        for child in (node.target, node.value):
            if child is not None:
                _visit(scope, child)
        return
    elif isinstance(node, ast.Call):
        _note_call(scope, node)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value.isidentifier():
            scope.facts.strings.add(node.value)
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        prefix = str(node.values[0].value)
        if prefix.isidentifier():
            scope.facts.strings.add(prefix + "*")
    for child in ast.iter_child_nodes(node):
        _visit(scope, child)


def statement_facts(node: ast.stmt) -> ScopeFacts:
    """Facts of one top-level statement, as seen from module scope."""
    facts = ScopeFacts()
    scope = _Scope(facts, is_module=True)
    _visit(scope, node)
    handler_only = scope.transient - _assigned_elsewhere(node, scope.transient)
    facts.uses = (scope.free() | facts.global_decls) - handler_only
    facts.binds = scope.bound - handler_only
    return facts


def _assigned_elsewhere(node: ast.stmt, names: set[str]) -> set[str]:
    """Of `names`, those the statement also binds otherwise than as an exception name (`e = None` after)."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in names:
            found.add(sub.id)
    return found
