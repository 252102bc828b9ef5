"""Which imports of a file bind the old module, and which reads reach each: splitter's scope model, applied.

`ReferenceScan` reads `scopes.build_scopes` (the one scope model, checked against `symtable`) for the two
implementations of reference retargeting, the libcst codemod `RetargetReferences` and the text-edit fast path
`retarget_fast`, so both decide from the same facts. A read sees every binding of its name in the scope it
resolves to (Python's rule: the flow decides which one runs), so it goes through the old module only when every
such binding is an import of it. `module_mentions.could_reference` is the cheap text test run before any parse.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from splitter.analysis.patched_names import every_statement, resolve_from
from splitter.analysis.scope_parents import scopes_and_parents
from splitter.analysis.scopes import Scope


@dataclass(eq=False)
class Via:
    """One import alias that binds the old module: `from pkg import main`, `import pkg.main as m`, `import pkg.main`."""

    statement: ast.Import | ast.ImportFrom
    alias: ast.alias
    relative: bool  # `from . import main`: imports added beside it are relative too
    dotted: bool  # `import pkg.main`: binds `pkg`, and the file writes `pkg.main.x`
    uses: list[Use] = field(default_factory=list)  # every read that may see this import
    pinned: bool = False  # read where nothing can be rewritten (a string annotation): the import stays

    @property
    def name(self) -> str:
        """The name the import binds."""
        if self.alias.asname or isinstance(self.statement, ast.ImportFrom):
            return self.alias.asname or self.alias.name
        return self.alias.name.split(".")[0]


@dataclass(eq=False)
class Use:
    """A read of an alias of the old module: the Name `main`, or the `pkg.main` of `pkg.main.x`."""

    node: ast.Name | ast.Attribute
    through: list[Via] | None  # the imports it reads; None: its name may be bound otherwise there


class ReferenceScan:
    """The imports that bind the old module (`vias`), every read that reaches one (`uses`, in source order), and
    the names the file already uses (for fresh names of added imports)."""

    def __init__(self, tree: ast.Module, old_module: str, package: str | None) -> None:
        self.old_module = old_module
        self.imports = [s for s in every_statement(tree.body) if isinstance(s, (ast.Import, ast.ImportFrom))]
        self.vias = [via for statement in self.imports for via in self._vias(statement, package)]
        self.uses: list[Use] = []
        self.used: set[str] = set()  # every name bound or read anywhere in the file
        self.plain_roots: set[str] = set()  # names bound only by plain `import a.b`: `import a.c` may join them
        self.parents: dict[ast.AST, ast.AST] = {}  # parents of the names and what holds them
        self._via_of = {id(via.alias): via for via in self.vias}
        self._seen: dict[tuple[int, str], tuple[list[Via], list[ast.AST]]] = {}
        self.tree = tree
        self._block_of: dict[int, list[ast.stmt]] = {}  # statement id -> the block it is a statement of
        if self.vias:  # otherwise nothing reads through the old module and the scopes are not needed
            self._scan(tree)

    def _vias(self, statement: ast.Import | ast.ImportFrom, package: str | None) -> list[Via]:
        old = self.old_module
        if isinstance(statement, ast.Import):
            return [
                Via(statement, alias, relative=False, dotted=alias.asname is None and "." in old)
                for alias in statement.names
                if alias.name == old
            ]
        base = resolve_from(statement.module, statement.level, package)
        return [
            Via(statement, alias, relative=bool(statement.level), dotted=False)
            for alias in statement.names
            if base is not None and f"{base}.{alias.name}" == old
        ]

    def removable(self, plan: Callable[[Use], bool]) -> list[Via]:
        """Plan every use that reads only the old module, in source order (`plan` says whether it was rewritten);
        the imports all of whose uses were rewritten, which nothing needs any more."""
        done = {id(use) for use in self.uses if use.through is not None and plan(use)}
        return [via for via in self.vias if via.uses and not via.pinned and all(id(u) in done for u in via.uses)]

    # ---- reading the scope model ----------------------------------------------------------------------------

    def _scan(self, tree: ast.Module) -> None:
        plain_import = {id(a) for s in self.imports if isinstance(s, ast.Import) for a in s.names if a.asname is None}
        names = {via.name for via in self.vias}
        not_plain: set[str] = set()
        candidates: list[tuple[Scope, ast.Name]] = []
        root, self.parents = scopes_and_parents(tree)
        for scope in root.walk():
            self.used.update(scope.reads, scope.annotation_reads, scope.bound)
            for name, nodes in scope.binders.items():
                (self.plain_roots if all(id(n) in plain_import for n in nodes) else not_plain).add(name)
            candidates += [(scope, node) for node in scope.loads if node.id in names]
            for name in scope.hint_reads & names:  # a forward reference `"main.X"` needs the import
                for via in self._ours(scope, name)[0]:
                    via.pinned = True
        self.plain_roots -= not_plain
        for scope, node in sorted(candidates, key=lambda pair: (pair[1].lineno, pair[1].col_offset)):
            self._classify(scope, node)

    def _ours(self, scope: Scope, name: str) -> tuple[list[Via], list[ast.AST]]:
        """(imports of the old module among the bindings a read of `name` in `scope` may see, all those bindings)."""
        owner = scope.binding_scope(name)
        key = (id(owner), name)
        if key not in self._seen:  # `bindings_seen` walks the scopes below the owner: once per name and owner
            binders = owner.bindings_seen(name)
            self._seen[key] = ([self._via_of[id(b)] for b in binders if id(b) in self._via_of], binders)
        return self._seen[key]

    def _classify(self, scope: Scope, node: ast.Name) -> None:
        ours, binders = self._ours(scope, node.id)
        if not ours:
            return
        if len(ours) == len(binders) and not any(via.dotted for via in ours):
            seen = self._one_per_block(node, ours, scope.binding_scope(node.id) is scope) if len(ours) > 1 else ours
            self._use(node, seen, ours)
        elif all(via.dotted for via in ours) and all(_binds_package(b, node.id) for b in binders):
            self._dotted(node, ours, binders)
        else:  # bound otherwise too (a parameter, an assignment, another import): never rewritten
            self._use(node, None, ours)

    def _one_per_block(self, node: ast.AST, vias: list[Via], own_scope: bool) -> list[Via]:
        """The imports a read needs: of imports that are statements of one block (they bind the same modules), the
        last before the statement holding a read in their own scope, which runs after the others every time the
        read does; for any other read the first, which runs before the others. desktop.py imported the monolith
        twice in `main()`: both imports bound every home module, and ruff reported the second (F811)."""
        if not self._block_of:
            self._block_of = {id(s): block for block in _blocks_of(self.tree.body, into_scopes=True) for s in block}
        at = (node.lineno, node.col_offset)
        seen = list(vias)
        for block in {id(self._block_of[id(v.statement)]): self._block_of[id(v.statement)] for v in vias}.values():
            order = sorted(
                (block.index(v.statement), k) for k, v in enumerate(vias) if self._block_of[id(v.statement)] is block
            )
            holder = next((k for k, s in enumerate(block) if (s.lineno, s.col_offset) <= at < _end(s)), None)
            before = [(i, k) for i, k in order if own_scope and holder is not None and i < holder]
            kept = vias[before[-1][1] if before else order[0][1]].statement
            seen = [v for v in seen if self._block_of[id(v.statement)] is not block or v.statement is kept]
        return seen

    def _dotted(self, node: ast.Name, ours: list[Via], binders: list[ast.AST]) -> None:
        """`pkg.main.x` after `import pkg.main`: a use of the old module when the chain spells it; a read of `pkg`
        alone (`pkg.version`) needs the import; `pkg.other.x` belongs to an `import pkg.other` beside it."""
        parts = self.old_module.split(".")
        chain, matched = self._chain(node, parts)
        if matched == len(parts):
            self._use(chain, ours, ours)
        elif not any(self._chain(node, b.name.split("."))[1] > matched for b in binders):  # type: ignore[attr-defined]
            self._use(node, None, ours)

    def _chain(self, node: ast.AST, parts: list[str]) -> tuple[ast.AST, int]:
        """The longest `a.b.c` from `node` up that spells a prefix of `parts`, and how many parts it spells."""
        matched = 1
        while matched < len(parts):
            parent = self.parents.get(node)
            if not (isinstance(parent, ast.Attribute) and parent.value is node and parent.attr == parts[matched]):
                break
            node, matched = parent, matched + 1
        return node, matched

    def _use(self, node: ast.AST, through: list[Via] | None, ours: list[Via]) -> None:
        use = Use(node, through)  # type: ignore[arg-type]
        self.uses.append(use)
        for via in ours:
            via.uses.append(use)


def _binds_package(binder: ast.AST, name: str) -> bool:
    """`import name` or `import name.sub` (no `as`): binds the package `name` itself."""
    return isinstance(binder, ast.alias) and binder.asname is None and binder.name.split(".")[0] == name


def emptied_local_imports(tree: ast.Module, emptied: list[ast.stmt]) -> dict[int, str]:
    """What becomes of imports of the old module inside functions left with no name (every use now reads a home
    module imported at module level, which loads the old module first): "drop", or "pass" for the last of a block
    they would empty, by statement id. Elsewhere (a class body, a module-level `if`) such an import binds an
    attribute others may read: it stays."""
    wanted = {id(statement) for statement in emptied}
    fates: dict[int, str] = {}
    functions = [n for n in every_statement(tree.body) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for function in functions:
        for block in _blocks_of(function.body):
            gone = [statement for statement in block if id(statement) in wanted]
            fates.update((id(statement), "drop") for statement in gone)
            if gone and len(gone) == len(block):
                fates[id(gone[-1])] = "pass"
    return fates


def _blocks_of(block: list[ast.stmt], into_scopes: bool = False):
    """`block` and the blocks nested in it, without entering another scope (functions are walked on their own)
    unless `into_scopes`: then function and class bodies too."""
    yield block
    for statement in block:
        if not into_scopes and isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for part in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, part, ())
            if children and isinstance(children[0], ast.stmt):
                yield from _blocks_of(children, into_scopes)
            else:  # except handlers, match cases: each holds a block
                for child in children:
                    yield from _blocks_of(child.body, into_scopes)


def _end(statement: ast.stmt) -> tuple[int, int]:
    return (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
