"""Each moved statement as it reads in its new module.

A statement nothing rewrites is the monolith's own text (`RawStatement`); route decorators are renamed in that
text at the positions `ast` gives. A statement a codemod must rewrite (a hook's decorators, seams read through
their module, a pinned schema name, relative imports, `__name__`) is parsed with libcst on its own and rewritten
exactly as before.
"""

from __future__ import annotations

import ast
import copy
from typing import TYPE_CHECKING

import libcst as cst

from splitter.codemods.detach_hooks import detach, kept_decorators
from splitter.codemods.pin_module_name import ModuleNamePinner
from splitter.codemods.qualify_seams import SeamQualifier
from splitter.codemods.rebase_relative_imports import RelativeImportRebaser
from splitter.codemods.route_to_router import ROUTE_METHODS, RetargetRouteCalls
from splitter.codemods.split_app_setup import split_if
from splitter.emit import nodes
from splitter.emit.hook_edits import Edit, hook_edits, registration_statements
from splitter.emit.seam_edits import module_name_edits, seam_edits
from splitter.emit.source_statements import RawStatement, parsed, relative_import_offsets, route_name_offsets
from splitter.emit.task_names import with_task_names_pinned
from splitter.errors import SplitterError
from splitter.analysis.model import Unit
from splitter.analysis.scopes import Scope, build_scopes
from splitter.planning.destination import MAIN, Destination, Role

if TYPE_CHECKING:
    from splitter.emit.emitter import Emitter


class MovedStatements:
    def __init__(self, emitter: Emitter) -> None:
        self.emitter = emitter
        self.analysis = emitter.analysis
        self.app = emitter.app
        self._transformers: dict[tuple[str, object], cst.CSTTransformer] = {}
        self._lines: list[str] | None = None
        self._unit_scopes: dict[int, Scope | None] = {}
        self._tree_scopes: dict[int, Scope] = {}

    def statement(self, index: int, destination: Destination, router_var: str) -> cst.BaseStatement:
        unit = self.analysis.units[index]
        statement = self.emitter.statements[index]
        routed = destination.role is Role.ROUTER and unit.route_owner == self.app
        if isinstance(statement, RawStatement):
            detached = self._hooks_detached(unit, destination)
            edits = None
            if detached is not None:
                edits = self._text_edits(unit, statement, destination, router_var if routed else None, detached[0])
            if edits is not None:
                if detached[1]:
                    self.emitter.registrations_of[index] = registration_statements(detached[1])
                return _edited(statement, edits)
            statement = self._parsed(unit, statement)
        if routed:
            route = self._transformer(("route", router_var), lambda: RetargetRouteCalls(self.app, router_var))
            statement = route.rewrite(statement, self._scopes(unit))
        if unit.hook_kinds and destination != MAIN and isinstance(statement, cst.FunctionDef):
            statement, self.emitter.registrations_of[index] = detach(statement, self.app)
        if unit.app_setup and destination != MAIN and isinstance(statement, cst.If):
            statement, kept = split_if(statement, unit.app_setup)
            self.emitter.registrations_of[index] = [kept]  # main.py qualifies the seams it reads
        if self._reads_seams(unit, destination):
            statement = self._qualified(unit, statement, destination)
        return self._pinned(unit, statement, destination)

    def _hooks_detached(self, unit: Unit, destination: Destination) -> tuple[list[Edit], list[str]] | None:
        """The text edits taking a moving hook's app decorators off, and its registrations for main.py (none for
        anything else); None when the codemod must do it (emit/hook_edits.py)."""
        if not unit.hook_kinds or destination == MAIN:
            return [], []
        tree = self.analysis.tree
        node = tree.body[unit.index] if tree is not None else None
        return hook_edits(node, unit.first_line - 1, self._source_lines(), self.app) if node else None

    def _text_edits(
        self, unit: Unit, statement: RawStatement, destination: Destination, router_var: str | None, cut: list[Edit]
    ) -> list[tuple[int, int, str]] | None:
        """(offset, length, new text) edits that do what the route and seam codemods would, with the `cut` ones
        (a hook's decorators, whose seams main.py's registration reads); None when another codemod rewrites the
        statement or the edits cannot be placed exactly."""
        tree = self.analysis.tree
        if tree is None or self._rewritten(unit, destination):
            return None
        node, start, lines = tree.body[unit.index], unit.first_line - 1, self._source_lines()
        edits = []
        if router_var is not None:
            offsets = route_name_offsets(node, start, lines, self.app, ROUTE_METHODS)
            if not offsets:
                return None
            edits = [(offset, len(self.app), router_var) for offset in offsets]
        if self._reads_seams(unit, destination):
            aliases = self._seam_aliases(destination)
            found = seam_edits(node, statement.text, start, lines, aliases, self.tree_scopes(unit.index))
            if found is None or (router_var is not None and router_var in aliases):
                return None
            renamed = {offset for offset, _, _ in edits}  # `@app.get`: the route renaming wins, as in the codemods
            edits += [edit for edit in found if edit[0] not in renamed]
        if "__name__" in unit.uses and destination != MAIN:  # what ModuleNamePinner would write
            pinned = module_name_edits(
                node, statement.text, start, lines, self.analysis.module_name, self.tree_scopes(unit.index)
            )
            if pinned is None:
                return None
            edits += pinned
        depth = self.emitter.where.depth(destination)
        if unit.relative_inside and depth and self.analysis.package:  # what RelativeImportRebaser would add
            offsets = relative_import_offsets(node, start, lines)
            if offsets is None:
                return None
            edits += [(offset, 0, "." * depth) for offset in offsets]
        edits += self._noqa_edits(unit, node, statement.text, start, destination)
        return [e for e in edits if not any(o <= e[0] < o + n for o, n, _ in cut)] + cut

    def _noqa_edits(
        self, unit: Unit, node: ast.stmt, text: str, start: int, destination: Destination
    ) -> list[tuple[int, int, str]]:
        """`  # noqa: F401` after each import of a moved `try`/`if` block, or a moved import binding a global a
        function rebinds, that binds a name only other modules read (`core.X` in main.py): pyflakes calls it
        unused in its new module, and `ruff check --fix` would delete it and break the app. The only change to a
        moved line; skipped where a comment cannot go (a `\\` line end)."""
        binding_import = unit.kind == "assign" and isinstance(node, (ast.Import, ast.ImportFrom))
        if destination == MAIN or (unit.kind != "compound" and not binding_import):
            return []
        last = _last_import_bindings(node)
        elsewhere = self.emitter.read_only_elsewhere(destination, set(last))
        lines, edits = self._source_lines(), []
        for line in sorted({number for bound, number in last.items() if bound in elsewhere}):
            end = sum(len(x) for x in lines[start:line]) - 1  # the offset of that line's newline in `text`
            physical = lines[line - 1]
            if text[end : end + 1] == "\n" and "\r" not in physical and not physical.rstrip().endswith("\\"):
                edits += _f401_edits(physical, end)
        return edits

    def _seam_aliases(self, destination: Destination) -> dict[str, str]:
        read = self.emitter.seams_read_in(destination).items()
        return {n: self.emitter.alias_for(destination, home) for n, home in read if home != destination}

    def _rewritten(self, unit: Unit, destination: Destination) -> bool:
        """Whether a codemod other than the route renaming, the seam qualifier, the `__name__` pinner and the hook
        detacher (which `_hooks_detached` stands in for) touches the unit."""
        moved = destination != MAIN
        return (
            (bool(unit.app_setup) and moved)
            or (unit.kind == "class" and unit.name in self.emitter.schema_classes and moved)
            or (bool(unit.task_decorators) and moved)
        )

    def _reads_seams(self, unit: Unit, destination: Destination) -> bool:
        seams = unit.uses & self.emitter.seams_read_in(destination).keys()
        return any(self.emitter.seams[n] != destination for n in seams)

    def _qualified(self, unit: Unit, statement: cst.BaseStatement, destination: Destination) -> cst.BaseStatement:
        qualifier = self._transformer(("seams", destination), lambda: SeamQualifier(self._seam_aliases(destination)))
        return qualifier.qualify(statement, self._untouched_scopes(unit, destination))

    def _pinned(self, unit: Unit, statement: cst.BaseStatement, destination: Destination) -> cst.BaseStatement:
        """A schema class keeps its module name; relative imports and `__package__`, `__name__` keep theirs."""
        analysis = self.analysis
        if unit.kind == "class" and unit.name in self.emitter.schema_classes and destination != MAIN:
            statement = nodes.with_module_pinned(statement, analysis.module_name)
        depth = self.emitter.where.depth(destination)
        if unit.relative_inside and depth and analysis.package:
            rebaser = self._transformer(
                ("relative", str(depth)), lambda: RelativeImportRebaser(depth, analysis.package)
            )
            statement = rebaser.visit_with_scopes(statement, self._untouched_scopes(unit, destination))
        if "__name__" in unit.uses and destination != MAIN:
            pinner = self._transformer(("name", ""), lambda: ModuleNamePinner(analysis.module_name))
            statement = pinner.visit_with_scopes(statement, self._untouched_scopes(unit, destination))
        moved_whole = destination != MAIN and not unit.hook_kinds  # detach() drops hook decorators
        if unit.task_decorators and moved_whole and isinstance(statement, cst.FunctionDef):
            statement = with_task_names_pinned(statement, unit.task_decorators, analysis.module_name)
        return statement

    def _untouched_scopes(self, unit: Unit, destination: Destination) -> Scope | None:
        """The unit's scopes as the transformers see it: after detach() the function's scopes less the hook
        decorators it dropped; after split_if() None, so the transformers read the scopes from the CST's own code
        (regenerating and re-parsing a detached hook's code cost more than its whole rewrite)."""
        if destination == MAIN or not (unit.hook_kinds or unit.app_setup):
            return self._scopes(unit)
        tree = self.analysis.tree
        node = tree.body[unit.index] if tree is not None and not unit.app_setup else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        detached = copy.copy(node)
        detached.decorator_list = kept_decorators(node.decorator_list, self.app)
        return build_scopes(detached)

    def _transformer(self, key: tuple[str, object], build):
        if key not in self._transformers:
            self._transformers[key] = build()
        return self._transformers[key]

    def as_node(self, unit: Unit, statement: cst.BaseStatement) -> cst.BaseStatement:
        return self._parsed(unit, statement) if isinstance(statement, RawStatement) else statement

    def _parsed(self, unit: Unit, statement: RawStatement) -> cst.BaseStatement:
        try:
            return parsed([statement], self.emitter.module)[0]
        except cst.ParserSyntaxError as exc:
            line = unit.first_line + exc.raw_line - 1
            raise SplitterError(f"libcst cannot parse this syntax: {exc.message}", self.analysis.path, line) from None

    def _source_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = [line + "\n" for line in self.analysis.source.split("\n")]
        return self._lines

    def tree_scopes(self, index: int) -> Scope:
        """The scope tree of the monolith's statement `index`, built once (the seam and `__name__` edits and the
        patch points' check all read it)."""
        if index not in self._tree_scopes:
            self._tree_scopes[index] = build_scopes(self.analysis.tree.body[index])
        return self._tree_scopes[index]

    def bound_inside(self, index: int) -> frozenset[str]:
        """Names an import, a def or a class binds locally inside one of the statement's functions or classes."""
        nested = (ast.alias, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        return frozenset(
            name
            for scope in self.tree_scopes(index).walk()
            if scope.kind != "module"
            for name, binders in scope.binders.items()
            if scope.is_local(name) and any(isinstance(b, nested) for b in binders)
        )

    def _scopes(self, unit: Unit) -> Scope | None:
        """The unit's scope tree, from `ast` on its own lines (ast numbers lines by \\n, so None for a source
        with \\r); None also when the unit shares a line with another (`f = lambda: a; g = lambda b: b`): the
        transformer then reads the CST's own code."""
        if unit.index not in self._unit_scopes:
            self._unit_scopes[unit.index] = None
            if "\r" not in self.analysis.source:
                code = "".join(self._source_lines()[unit.first_line - 1 : unit.last_line])[:-1]
                try:
                    tree = ast.parse(code)
                except (SyntaxError, ValueError):
                    tree = None
                if tree is not None and len(tree.body) == 1:
                    self._unit_scopes[unit.index] = build_scopes(tree)
        return self._unit_scopes[unit.index]


def _f401_edits(line: str, newline_at: int) -> list[tuple[int, int, str]]:
    """`# noqa: F401` for `line` (its newline at offset `newline_at`), joined to a comment already there as a
    patch point's is (`nodes.merged_comment`). An import holds no string: a `#` after a quote (`import a; b = "#"`)
    is not taken for a comment, and the directive goes at the end."""
    start = line.find("#")
    if start == -1 or '"' in line[:start] or "'" in line[:start]:
        return [(newline_at, 0, "  # noqa: F401")]
    comment = line[start:-1]
    merged = nodes.merged_comment(comment, "# noqa: F401")
    return [] if merged == comment else [(newline_at - len(line) + 1 + start, len(comment), merged)]


def block_imports(node: ast.stmt):
    """(bound name, line) of each import a block runs at module level (not those inside a def or class)."""
    for statement in _module_level_statements(node):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                plain = isinstance(statement, ast.Import) and alias.asname is None
                bound = alias.name.split(".")[0] if plain else alias.asname or alias.name
                if bound != "*":
                    yield bound, alias.lineno


def _last_import_bindings(node: ast.stmt) -> dict[str, int]:
    """name -> line of an import that is the last binding of the name in the block (pyflakes judges the last
    binding: an import a fallback `def` or assignment in the `except` branch rebinds is never reported)."""
    bindings = [(line, name, True) for name, line in block_imports(node)]
    for statement in _module_level_statements(node):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bindings.append((statement.lineno, statement.name, False))
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            bindings += [(statement.lineno, t.id, False) for t in targets if isinstance(t, ast.Name)]
    last = {name: (line, is_import) for line, name, is_import in sorted(bindings)}
    return {name: line for name, (line, is_import) in last.items() if is_import}


def _module_level_statements(node: ast.stmt):
    yield node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        for child in getattr(node, field, ()):
            for statement in [child] if isinstance(child, ast.stmt) else child.body:
                yield from _module_level_statements(statement)


def _edited(statement: RawStatement, edits: list[tuple[int, int, str]]) -> RawStatement:
    """The statement with each (offset, length) span of its text replaced."""
    if not edits:
        return statement
    text = statement.text
    for offset, length, new in sorted(edits, reverse=True):
        text = text[:offset] + new + text[offset + length :]
    return RawStatement(text, statement.leading_lines, statement.is_definition)
