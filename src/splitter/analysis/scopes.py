"""splitter's one scope model, from `ast` alone: which scope binds each name, and what a statement uses.

`build_scopes` turns a statement (or a whole module) into a tree of `Scope`s with Python's rules: function,
lambda, class and comprehension scopes; `global` and `nonlocal`; class bodies that do not enclose their methods;
the first iterable of a comprehension evaluated outside it; `:=` in a comprehension binding in the enclosing
function. Analysis reads it through `statement_facts` (which module-level names one top-level statement reads and
binds: a name wrongly counted as used becomes an unused import in a generated module); the codemods read it
through `Scope.resolves_to_module` to tell a module global from a local named alike (`[db.name for db in DBS]`
must not read a seam `db`), and reference retargeting through `Scope.bindings_seen` (which imports a read may
see). tests/analysis/test_scope_model.py checks it against the stdlib `symtable` on every fixture and on
generated monoliths; libcst's own scope metadata is many times slower and splitter uses none.
"""

from __future__ import annotations

import ast

from splitter.analysis.ast_walk import _AST, _CHILD_FIELDS, child_fields, walk
from splitter.analysis.annotation_reads import annotation_names
from splitter.analysis.global_lookups import literal_lookups
from splitter.analysis.type_params import hand_over, type_param_bounds, type_param_names

DYNAMIC_CALLS = {"exec": "exec()", "eval": "eval()", "globals": "globals()", "locals": "locals()", "vars": "vars()"}
FUNCTION_LIKE = ("function", "lambda", "comprehension")
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPREHENSION_NAMES = {ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp"}


class ScopeFacts:
    """What one top-level statement reads and binds at module level (`statement_facts`)."""

    def __init__(self) -> None:
        self.uses: set[str] = set()  # module-level names looked up
        self.binds: set[str] = set()  # module-level names bound (module scope only)
        self.global_decls: set[str] = set()  # names declared `global` in functions
        self.dynamic: set[str] = set()  # exec/eval/globals() seen
        self.dunder_file = False
        self.strings: set[str] = set()  # identifier-like strings ('name', f-string prefixes 'pre*')
        self.global_lookups: frozenset[str] = frozenset()  # `'x' in globals()` of a name it also reads
        self.quoted: set[str] = set()  # module-level names read only by name, in string annotations


class Scope:
    """One scope: what its own code binds, declares and reads (nested scopes are its `children`).

    A plain class, not a dataclass: its fields are all set here, and a dataclass costs half a millisecond of every
    run to create (issue 11: `plan` within 5x of `ast.parse`)."""

    def __init__(
        self, kind: str, name: str, node: ast.AST, parent: Scope | None = None, type_params: frozenset = frozenset()
    ) -> None:
        self.kind = kind  # module | function | lambda | class | comprehension
        self.name = name  # the function's or class's name; "lambda", "listcomp", "genexpr", ...; "module"
        self.node = node
        self.parent = parent
        self.children: list[Scope] = []
        self.bound: set[str] = set()  # bound here (parameters, assignments, imports, defs, ...)
        self.declared_global: set[str] = set()
        self.declared_nonlocal: set[str] = set()  # also `:=` targets of a comprehension
        self.reads: set[str] = set()  # names this scope's own code loads
        self.annotation_reads: set[str] = set()  # names in annotations evaluated here
        self.hint_reads: set[str] = set()  # names inside string annotations (forward references)
        self.transient: set[str] = set()  # module level: `except E as e` deletes `e` afterwards
        self.reads_class_cell = False  # `super()` in a function reads the `__class__` cell of its class
        self.type_params = type_params  # PEP 695: what its annotation scope binds (analysis/type_params)
        # the nodes behind `bound` and `reads`, for codemods that edit them: what binds each name here (ast.alias,
        # ast.arg, a def, a Name stored or deleted, ...) and every Name this scope's code reads, annotations included
        self.binders: dict[str, list[ast.AST]] = {}
        self.loads: list[ast.Name] = []

    def is_local(self, name: str) -> bool:
        """`name` is bound by this scope itself (not declared global/nonlocal here)."""
        return name in self.bound and name not in self.declared_global and name not in self.declared_nonlocal

    def resolves_to_module(self, name: str) -> bool:
        """Whether `name`, read by this scope's own code, is the module-level (or builtin) name.

        Class scopes count only for their own code: a method does not see its class's attributes."""
        return self.binding_scope(name).kind == "module"

    def binding_scope(self, name: str) -> Scope:
        """The scope whose binding of `name` a read in this scope's own code reaches (the module for a global or
        a builtin)."""
        if self.kind == "module" or self.is_local(name) or name in self.type_params:
            return self
        outer = _outer_binding(self, name)
        return outer if outer is not None else self.module

    @property
    def module(self) -> Scope:
        """The module scope this scope is in."""
        module = self
        while module.parent is not None:
            module = module.parent
        return module

    def binding_nodes(self, name: str) -> list[ast.AST]:
        """Every node that binds `name` in this scope, in source order: its own code's, and those of nested scopes
        that declare it `global` (in the module) or `nonlocal`. Which one a read sees depends on the flow."""
        found = {id(node): node for node in self.binders.get(name, ()) if self.kind == "module" or self.is_local(name)}
        for inner in self.walk()[1:]:
            if name in inner.binders and not inner.is_local(name) and inner.binding_scope(name) is self:
                found.update((id(node), node) for node in inner.binders[name])  # a `:=` is in both
        return sorted(found.values(), key=lambda node: (node.lineno, node.col_offset))  # type: ignore[attr-defined]

    def bindings_seen(self, name: str) -> list[ast.AST]:
        """Every node whose binding a read of `name` in this scope's own code may see. A class body looks a name
        up in its own namespace and then in the module's (before its own binding ran, or after a `del`)."""
        owner = self.binding_scope(name)
        found = owner.binding_nodes(name)
        if owner.kind == "class":
            found += owner.module.binding_nodes(name)
        return found

    def walk(self) -> list[Scope]:
        """This scope and every scope nested in it, parents before children."""
        found, stack = [], [self]
        while stack:
            scope = stack.pop()
            found.append(scope)
            stack.extend(reversed(scope.children))
        return found

    @property
    def entry(self) -> tuple[int, int]:
        """Where a libcst walk enters this scope: a function's or class's body, a lambda's body, a comprehension
        itself (parameters, defaults and decorators come before it and belong to the enclosing scope)."""
        node = self.node
        if self.kind in ("function", "class"):
            node = node.body[0]  # type: ignore[attr-defined]
        elif self.kind == "lambda":
            node = node.body  # type: ignore[attr-defined]
        return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def nested_scopes(root: Scope) -> list[Scope]:
    """Every scope below `root` in the order a libcst walk of the same code enters them."""
    return sorted(root.walk()[1:], key=lambda scope: scope.entry)


def symbol_table(scope: Scope, lazy_annotations: bool = False) -> tuple[set[str], set[str], set[str]]:
    """(locals, globals, free) of a function-like scope, as `symtable.Function` reports them.

    `lazy_annotations`: the module has `from __future__ import annotations`, so annotations are not evaluated
    in the scope that holds them."""
    own = scope.reads | scope.bound | scope.declared_global | scope.declared_nonlocal
    if not lazy_annotations:
        own |= scope.annotation_reads
    if scope.reads_class_cell:
        own.add("__class__")
    local = {name for name in own if scope.is_local(name)}
    glob = {name for name in own - local - scope.type_params if _outer_binding(scope, name) is None}
    passthrough = set().union(*(_needs_from_outside(child, lazy_annotations) for child in scope.children))
    outside = {name for name in (own | passthrough) - local - glob if _outer_binding(scope, name) is not None}
    # its own type parameters are free too: they come from its annotation scope
    free = outside | ((own | passthrough) - local) & scope.type_params
    return local, glob, free


def _outer_binding(scope: Scope, name: str) -> Scope | None:
    """The enclosing scope whose binding `name` reaches from `scope` when `scope` does not bind it; None: the
    module's. Classes are skipped, except that they provide `__class__` to the functions inside them."""
    if name in scope.declared_global:
        return None
    outer = scope.parent
    while outer is not None and outer.kind != "module":
        if name in outer.type_params:
            return outer
        if outer.kind == "class":
            if name == "__class__":
                return outer
        elif name in outer.declared_global:
            return None
        elif outer.is_local(name):
            return outer
        outer = outer.parent
    return None


def _needs_from_outside(scope: Scope, lazy_annotations: bool) -> set[str]:
    """Names `scope` and its children take from enclosing function scopes (their free variables)."""
    if scope.kind == "class":
        own = scope.reads | (set() if lazy_annotations else scope.annotation_reads)
        inner = set().union(*(_needs_from_outside(child, lazy_annotations) for child in scope.children))
        return {n for n in (own - scope.bound) | inner if _outer_binding(scope, n) is not None} - {"__class__"}
    return symbol_table(scope, lazy_annotations)[2]


# ---- building the tree ------------------------------------------------------------------------------------------


def _reaches_module(scope: Scope, node: ast.Call) -> bool:
    """Whether a call to one of `DYNAMIC_CALLS` can see the module's own names. `locals()` and `vars()` read the
    namespace they run in, so inside a function, lambda, comprehension or class body they never reach a module
    global (PinePods' endpoint helper tests `'chapters_data' in locals()`), and `vars(obj)` is `obj.__dict__`."""
    if node.func.id not in ("locals", "vars"):  # type: ignore[attr-defined]
        return True
    return scope.kind == "module" and not node.args and not node.keywords


def _bind(scope: Scope, name: str, node: ast.AST) -> None:
    scope.bound.add(name)
    scope.binders.setdefault(name, []).append(node)


def _every_argument(args: ast.arguments) -> list[ast.arg]:
    return args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]


class _Builder:
    """One walk of a statement: the scope tree, plus the facts `statement_facts` reports besides names."""

    def __init__(self) -> None:
        self.facts = ScopeFacts()

    def build(self, node: ast.AST) -> Scope:
        root = Scope("module", "module", node)
        if isinstance(node, ast.Module):
            for statement in node.body:
                self.visit(root, statement)
        else:
            self.visit(root, node)
        return root

    def visit(self, scope: Scope, node: ast.AST) -> None:
        # child_nodes inlined, without its list per node: this walk is most of analysing a monolith
        kind = type(node)
        handler = _HANDLERS.get(kind)
        if handler is not None and not handler(self, scope, node):
            return
        for name in _CHILD_FIELDS.get(kind) or child_fields(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        self.visit(scope, item)
            elif isinstance(value, _AST):
                self.visit(scope, value)

    def _child(self, scope: Scope, kind: str, name: str, node: ast.AST) -> Scope:
        inner = Scope(kind, name, node, parent=scope)
        scope.children.append(inner)
        return inner

    def _annotate(self, scope: Scope, annotation: ast.expr | None) -> None:
        names, hints = annotation_names(annotation)
        scope.annotation_reads.update(name.id for name in names)
        scope.loads.extend(names)
        scope.hint_reads |= hints

    def _arguments(self, scope: Scope, inner: Scope, args: ast.arguments, typed: Scope | None = None) -> None:
        """Defaults and annotations are evaluated in the enclosing scope (annotations in `typed`, the annotation
        scope of PEP 695 type parameters, if any); the parameters are the inner's."""
        for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self.visit(scope, default)
        for argument in _every_argument(args):
            self._annotate(typed or scope, argument.annotation)
            _bind(inner, argument.arg, argument)

    def _typed(self, scope: Scope, node: ast.AST) -> Scope:
        """Where `node`'s annotations, bases or alias value are read: `scope`, or with type parameters a holder
        that `hand_over` empties into it."""
        params = type_param_names(node)
        if not params:
            return scope
        holder = Scope("annotation", "annotation", node, parent=scope, type_params=params)
        for bound in type_param_bounds(node):
            self.visit(holder, bound)
        return holder

    # Each handler returns True when the generic walk should still visit the node's children.
    def function(self, scope: Scope, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        for decorator in node.decorator_list:
            self.visit(scope, decorator)
        inner = self._child(scope, "function", node.name, node)
        typed = self._typed(scope, node)
        inner.type_params = type_param_names(node)
        self._arguments(scope, inner, node.args, typed)
        self._annotate(typed, node.returns)
        hand_over(scope, typed)
        _bind(scope, node.name, node)
        for statement in node.body:
            self.visit(inner, statement)
        # Declared `global` only to read it (PinePods' `/api/data/config`), a name is not rebound by this function,
        # unless it may be through exec() or globals()['X'] = ...
        self.facts.global_decls |= inner.declared_global if self.facts.dynamic else inner.declared_global & inner.bound
        return False

    def lambda_(self, scope: Scope, node: ast.Lambda) -> bool:
        inner = self._child(scope, "lambda", "lambda", node)
        self._arguments(scope, inner, node.args)
        self.visit(inner, node.body)
        return False

    def class_(self, scope: Scope, node: ast.ClassDef) -> bool:
        for decorator in node.decorator_list:
            self.visit(scope, decorator)
        typed = self._typed(scope, node)
        for child in [*node.bases, *(keyword.value for keyword in node.keywords)]:
            self.visit(typed, child)
        hand_over(scope, typed)
        _bind(scope, node.name, node)
        inner = self._child(scope, "class", node.name, node)
        inner.type_params = type_param_names(node)
        for statement in node.body:
            self.visit(inner, statement)
        return False

    def type_alias(self, scope: Scope, node: ast.AST) -> bool:
        """`type X[T] = value` (3.12) binds X; its value is read when used, where the type parameters are seen."""
        _bind(scope, node.name.id, node.name)  # type: ignore[attr-defined]
        typed = self._typed(scope, node)
        self.visit(typed, node.value)  # type: ignore[attr-defined]
        hand_over(scope, typed)
        return False

    def comprehension(self, scope: Scope, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> bool:
        self.visit(scope, node.generators[0].iter)  # the first iterable is evaluated in the enclosing scope
        inner = self._child(scope, "comprehension", _COMPREHENSION_NAMES.get(type(node), "genexpr"), node)
        for index, generator in enumerate(node.generators):
            self.visit(inner, generator.target)
            if index:
                self.visit(inner, generator.iter)
            for condition in generator.ifs:
                self.visit(inner, condition)
        for part in ("elt", "key", "value"):
            if getattr(node, part, None) is not None:
                self.visit(inner, getattr(node, part))
        return False

    def named_expr(self, scope: Scope, node: ast.NamedExpr) -> bool:
        """`:=` in a comprehension binds in the nearest enclosing function (or the module), as `nonlocal`."""
        self.visit(scope, node.value)
        name = node.target.id
        owner = scope
        while owner.kind == "comprehension" and owner.parent is not None:
            owner = owner.parent
        if owner is not scope:  # the comprehension assigns it too, as symtable says
            scope.declared_nonlocal.add(name)
            _bind(scope, name, node.target)
        _bind(owner, name, node.target)
        return False

    def name(self, scope: Scope, node: ast.Name) -> bool:
        if isinstance(node.ctx, ast.Load):
            scope.reads.add(node.id)
            scope.loads.append(node)
            if node.id == "__file__":
                self.facts.dunder_file = True
            elif node.id == "super" and scope.kind in FUNCTION_LIKE:
                scope.reads_class_cell = True
        else:
            _bind(scope, node.id, node)
        return False

    def global_(self, scope: Scope, node: ast.Global) -> bool:
        scope.declared_global.update(node.names)
        return False

    def nonlocal_(self, scope: Scope, node: ast.Nonlocal) -> bool:
        scope.declared_nonlocal.update(node.names)
        return False

    def import_(self, scope: Scope, node: ast.Import | ast.ImportFrom) -> bool:
        for alias in node.names:
            if alias.name != "*":
                _bind(scope, alias.asname or alias.name.split(".")[0], alias)
        return False

    def except_handler(self, scope: Scope, node: ast.ExceptHandler) -> bool:
        if node.name:
            _bind(scope, node.name, node)
            if scope.kind == "module":
                scope.transient.add(node.name)  # `except E as e:` deletes `e` when the handler ends
        return True

    def match_capture(self, scope: Scope, node: ast.MatchAs | ast.MatchStar | ast.MatchMapping) -> bool:
        name = node.rest if isinstance(node, ast.MatchMapping) else node.name
        if name:
            _bind(scope, name, node)
        return True

    def ann_assign(self, scope: Scope, node: ast.AnnAssign) -> bool:
        self._annotate(scope, node.annotation)
        for child in (node.target, node.value):
            if child is not None:
                self.visit(scope, child)
        return False

    def call(self, scope: Scope, node: ast.Call) -> bool:
        if isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CALLS and _reaches_module(scope, node):
            self.facts.dynamic.add(DYNAMIC_CALLS[node.func.id])
        return True

    def constant(self, scope: Scope, node: ast.Constant) -> bool:
        if isinstance(node.value, str) and node.value.isidentifier():
            self.facts.strings.add(node.value)
        return False

    def joined_str(self, scope: Scope, node: ast.JoinedStr) -> bool:
        if node.values and isinstance(node.values[0], ast.Constant):
            prefix = str(node.values[0].value)
            if prefix.isidentifier():
                self.facts.strings.add(prefix + "*")
        return True


_HANDLERS = {
    ast.FunctionDef: _Builder.function,
    ast.AsyncFunctionDef: _Builder.function,
    ast.Lambda: _Builder.lambda_,
    ast.ClassDef: _Builder.class_,
    **dict.fromkeys(COMPREHENSIONS, _Builder.comprehension),
    ast.NamedExpr: _Builder.named_expr,
    ast.Name: _Builder.name,
    ast.Global: _Builder.global_,
    ast.Nonlocal: _Builder.nonlocal_,
    ast.Import: _Builder.import_,
    ast.ImportFrom: _Builder.import_,
    ast.ExceptHandler: _Builder.except_handler,
    ast.MatchAs: _Builder.match_capture,
    ast.MatchStar: _Builder.match_capture,
    ast.MatchMapping: _Builder.match_capture,
    ast.AnnAssign: _Builder.ann_assign,
    ast.Call: _Builder.call,
    ast.Constant: _Builder.constant,
    ast.JoinedStr: _Builder.joined_str,
    **({ast.TypeAlias: _Builder.type_alias} if hasattr(ast, "TypeAlias") else {}),
}


def build_scopes(node: ast.AST) -> Scope:
    """The scope tree of a module, or of one statement seen from module scope."""
    return _Builder().build(node)


def statement_facts(node: ast.stmt) -> ScopeFacts:
    """Facts of one top-level statement, as seen from module scope."""
    builder = _Builder()
    module = builder.build(node)
    facts = builder.facts
    handler_only = module.transient - _assigned_elsewhere(node, module.transient)
    facts.uses = (module_reads(module) | facts.global_decls) - handler_only
    facts.binds = module.bound - handler_only
    facts.quoted = (_hint_reads(module) & facts.uses) - handler_only
    if "globals()" in facts.dynamic:
        names = literal_lookups(node)
        if names is not None and names <= facts.uses:  # every call asks for a name the code also reads
            facts.dynamic.discard("globals()")
            facts.global_lookups = names
    return facts


def _hint_reads(root: Scope) -> set[str]:
    """Module-level names the string annotations under `root` name (`"os.DirEntry"`)."""
    found = set(root.hint_reads)
    for scope in root.walk()[1:]:
        found |= {name for name in scope.hint_reads if scope.resolves_to_module(name)}
    return found


def module_reads(root: Scope) -> set[str]:
    """Module-level names looked up anywhere under `root`: its own reads and every nested scope's reads that
    no enclosing scope binds (annotations and the names in string annotations included: imports need them)."""
    found = root.reads | root.annotation_reads | root.hint_reads
    for scope in root.walk()[1:]:
        found |= {
            name
            for name in scope.reads | scope.annotation_reads | scope.hint_reads
            if name not in found and scope.resolves_to_module(name)
        }
    return found


def _assigned_elsewhere(node: ast.stmt, names: set[str]) -> set[str]:
    """Of `names`, those the statement also binds otherwise than as an exception name (`e = None` after)."""
    found: set[str] = set()
    if not names:
        return found
    for sub in walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in names:
            found.add(sub.id)
    return found
