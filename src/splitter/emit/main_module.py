"""The slim main.py: what stays, includes of the routers at their first route's place, registrations of moved
hooks in order, and the imports of everything that moved."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst

from splitter.codemods._names import plain_names
from splitter.codemods.qualify_seams import SeamQualifier
from splitter.analysis.blocks import finds_modules_for_later_imports, last_leading_import
from splitter.analysis.model import Analysis, Unit
from splitter.emit import nodes
from splitter.emit.annotation_namespace import annotation_imports
from splitter.emit.emitter import Emitter, ModuleDraft
from splitter.emit.import_order import after_imports, import_runs, merge_from_imports, sort_block
from splitter.emit.source_statements import RawStatement, is_definition
from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import CORE, MAIN, Destination


@dataclass
class MainRouting:
    """How main.py reaches the routers: the unit of each router's first route, and the alias it imports it by."""

    first_route: dict[int, tuple[str, str]] = field(default_factory=dict)  # unit -> (group, router variable)
    router_alias: dict[tuple[str, str], str] = field(default_factory=dict)


class MainModule:
    def __init__(self, emitter: Emitter, routing: MainRouting) -> None:
        self.emitter = emitter
        self.analysis = emitter.analysis
        self.routing = routing
        self.body: list[cst.BaseStatement] = []
        self.needs: set[str] = set()
        self.import_block_end = 0
        self.last_include: cst.BaseStatement | None = None
        self.last_generated: cst.BaseStatement | None = None  # the end of the current run of includes
        self.first_user: int | None = None  # the first kept statement that reads a moved name
        self.environment_at: int | None = None  # where a statement setting up the environment moved from
        self.setup_imported: set[Destination] = set()
        self.handovers: list[cst.BaseStatement] = []  # `core.x = x` lines: each after the statement binding x

    def build(
        self,
        setup_modules: list[Destination] = (),
        compat: list[cst.BaseStatement] = (),
        tags: list[tuple[str, str]] = (),
    ) -> tuple[cst.Module, set[str]]:
        """The module, and the names main.py still needs (it keeps their definitions or imports)."""
        units = self._classified()
        used_anywhere = set().union(*(u.uses for u in self.analysis.units))
        leading_import = last_leading_import(self.analysis)  # generated imports go after the monolith's own
        moved_names = {n for n, home in self.emitter.bound_in.items() if home != MAIN}
        for kind, unit in units:
            if kind == "kept":
                self._keep(unit, moved_names)
                if finds_modules_for_later_imports(unit, self.analysis):  # generated imports need it too
                    self.import_block_end = len(self.body)
            elif kind == "moved":
                if unit.index in self.emitter.environment_preparers and self.environment_at is None:
                    self.environment_at = len(self.body)  # core.py, imported here, sets it up before what follows
                self._leave_registrations(unit)
            elif unit.kind == "docstring":
                self.body.append(self.emitter.statements[unit.index])
            else:
                self._copy_import(unit, used_anywhere)
                if unit.index <= leading_import:
                    self.import_block_end = len(self.body)
        if tags and self.last_include is not None:
            position = self.body.index(self.last_include) + 1
            self.body.insert(position, nodes.openapi_tags_extension(self.emitter.app, tags))
        self.needs |= set(self.routing.router_alias.values())
        kept = [unit for kind, unit in units if kind == "kept"]
        binds = {n for unit in kept for n in unit.binds}
        annotations = annotation_imports(self.emitter, binds, self.needs)  # after compat: a run of their own
        self._insert_imports(self._imports(kept, binds, setup_modules), list(compat), annotations)
        return self.emitter.module.with_changes(body=self.body), self.needs

    def _classified(self) -> list[tuple[str, Unit]]:
        """Each unit as copied (imports, docstring), kept or moved; what main.py needs is collected on the way."""
        emitter, units = self.emitter, []
        for unit in self.analysis.units:
            destination = emitter.placement.get(unit.index, MAIN)
            if unit.is_copied:
                units.append(("copied", unit))
            elif destination == MAIN:
                units.append(("kept", unit))
                self.needs |= unit.uses
            else:
                units.append(("moved", unit))
                for registration in emitter.registrations_of.get(unit.index, []):
                    self.needs |= plain_names(registration) | {unit.name}
        # a kept block of imports reads names itself (`TYPE_CHECKING`, when a wave keeps annotations naming them)
        self.needs = emitter.with_what_import_blocks_read(self.needs, every_binder=True)
        return units

    def _keep(self, unit: Unit, moved_names: set[str]) -> None:
        emitter = self.emitter
        if self.first_user is None and (unit.uses & moved_names or emitter.app in unit.binds):
            self.first_user = len(self.body)
        self.body.append(emitter.moved_statement(unit.index, MAIN, "router"))
        if emitter.app in unit.binds and emitter.app in emitter.seams and not _hands_app_over(self.analysis):
            core = emitter.alias_for(MAIN, CORE)
            self.body.append(nodes.attribute_assignment(core, emitter.app, emitter.app))
            self.needs.add(core)
        handed_over = [n for n in unit.binds if n in emitter.handed_over]
        if handed_over and not _hands_over(self.analysis, handed_over[0]):
            core = emitter.alias_for(MAIN, CORE)
            statements = [nodes.attribute_assignment(core, name, name) for name in handed_over]
            if self._ends_with_definition(self.body[-1]):
                statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine()] * 2)
            self.body.extend(statements)
            self.handovers += statements
            self.needs.add(core)

    def _leave_registrations(self, unit: Unit) -> None:
        """At a moved unit's place: the include of its router (if its first route), its hook registrations, or
        the import of the setup module its run of app setup moved to (planning/app_setup_runs.py)."""
        emitter = self.emitter
        destination = emitter.placement[unit.index]
        if is_app_setup(destination) and destination not in self.setup_imported:
            self.setup_imported.add(destination)
            self._append_generated([_setup_import(emitter, destination)])
        if unit.index in self.routing.first_route:
            alias = self.routing.router_alias[self.routing.first_route[unit.index]]
            self._append_generated([nodes.method_call(emitter.app, "include_router", alias)])
            self.last_include = self.body[-1]
        self._append_generated([self._reading_seams(r) for r in emitter.registrations_of.get(unit.index, [])])

    def _append_generated(self, statements: list[cst.BaseStatement]) -> None:
        """Includes and hook registrations left where moved code was: a run of them reads as one block, with blank
        lines before the first only, two after a def or class (as ruff format and black want them). The blank
        lines that separated moved functions would otherwise stay, two per function, around one-line calls."""
        if not statements:
            return
        body = self.body
        blank = [cst.EmptyLine()] * (2 if body and self._ends_with_definition(body[-1]) else 1)
        leading = [] if body and body[-1] is self.last_generated else blank
        body.append(statements[0].with_changes(leading_lines=leading))
        body.extend(statements[1:])
        self.last_generated = body[-1]

    def _reading_seams(self, statement: cst.BaseStatement) -> cst.BaseStatement:
        """A registration left at a moved hook's place (`app.exception_handler(ValidationError)(handler)`) reads
        seams homed elsewhere through their module, as kept code does: main.py no longer imports them."""
        seams = self.emitter.seams_read_in(MAIN).items()
        aliases = {name: self.emitter.alias_for(MAIN, home) for name, home in seams if home != MAIN}
        return SeamQualifier(aliases).qualify(statement, None) if aliases else statement

    def _ends_with_definition(self, statement: cst.BaseStatement) -> bool:
        """A def or class, or a block whose last line closes one (`if UI: ... def root(): ...`): ruff format and
        black want two blank lines after it at the top level."""
        if is_definition(statement) or isinstance(statement, cst.SimpleStatementLine):
            return is_definition(statement)
        text = statement.text if isinstance(statement, RawStatement) else self.emitter.module.code_for_node(statement)
        node = ast.parse(text).body[-1]
        definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        return any(isinstance(n, definitions) and n.end_lineno == node.end_lineno for n in ast.walk(node))

    def _copy_import(self, unit: Unit, used_anywhere: set[str]) -> None:
        emitter = self.emitter
        elsewhere = {n for n, home in emitter.seams.items() if home != MAIN}  # read as `core.x` now
        stars = {"*" for i in unit.imports if i.name == "*"}
        keep = stars | {
            name
            for name in unit.bound_by_imports  # an import block's flags (`PSUTIL_AVAILABLE = True`) too
            if (name in self.needs and name not in elsewhere)
            or (name not in used_anywhere and not self._rebound_by_moved_code(name, unit.index))
        }
        statement = emitter.copied_import(unit.index, keep | {"*"}, MAIN) if keep else None
        if statement is not None:
            original = emitter.statements[unit.index]
            self.body.append(statement.with_changes(leading_lines=original.leading_lines))

    def _rebound_by_moved_code(self, name: str, import_index: int) -> bool:
        """An import nothing reads is kept in main.py as what `main.name` was, unless the last top-level binding
        of that name is a definition below it that moved (`from auth import verify_token`, then an endpoint
        `def verify_token()`): `main.name` was that definition, which compat forwards to, and the import would be
        a binding main.py never had, unused."""
        last = max((u.index for u in self.analysis.units if name in u.binds or name in _imported(u)), default=-1)
        if last <= import_index or self.analysis.units[last].is_copied:
            return False
        return self.emitter.placement.get(last, MAIN) != MAIN

    def _imports(self, kept: list[Unit], binds: set[str], setup_modules: list[Destination]) -> list[cst.BaseStatement]:
        """main.py's generated imports: setup modules, what it reads from moved code, its routers. Its kept code
        tells where a name it reads is the monolith's import, not a moved definition of the same name."""
        emitter = self.emitter
        draft = ModuleDraft(MAIN, units=[u.index for u in kept], binds=binds, needs=self.needs)
        generated = emitter.import_lines(draft, copy_originals=False)
        if emitter.app in emitter.seams or emitter.handed_over:  # main.py hands names to core (`core.app = app`)
            core = CORE
            statement = nodes.module_import(emitter.where, MAIN, core, emitter.alias_for(MAIN, core))
            if not any(statement.deep_equals(line) for line in generated):  # seams main reads import it already
                generated.append(statement)
            setup_modules = [m for m in setup_modules if m != core]
        generated = _setup_imports(emitter, self.needs, setup_modules) + generated
        by_group: dict[str, list[str]] = {}
        for (group, variable), alias in sorted(self.routing.router_alias.items()):
            by_group.setdefault(group, []).append(f"{variable} as {alias}")
        for group, names in by_group.items():
            generated += emitter.from_import(emitter.where.from_clause(MAIN, Destination.router(group)), names)
        return generated

    def _insert_imports(
        self, generated: list[cst.BaseStatement], compat: list[cst.BaseStatement], annotations: list = ()
    ) -> None:
        end = self.import_block_end
        if self.first_user is not None and self.first_user < end:
            end = _after_imports_before(self.body, self.first_user)
        if self.environment_at is not None and self.environment_at < end:
            end = self.environment_at
        if compat and not (generated and self.emitter.imports_sorted):
            # no import block is sorted (the monolith's were not): the call after the import gets its blank lines
            compat = [compat[0], after_imports(compat[1], self.emitter.import_settings)]
        # a name bound above the imports (radon's `DATA_DIR`, above a `sys.path` line) is handed over once core is
        # imported: right after the imports, where moved code cannot have read it yet
        handovers = set(map(id, self.handovers))
        early = [s for s in self.body[:end] if id(s) in handovers]
        self.body[:end] = [s for s in self.body[:end] if id(s) not in handovers]
        end -= len(early)
        self.body[end:end] = generated + compat + list(annotations) + [e.with_changes(leading_lines=[]) for e in early]
        if generated and self.emitter.imports_sorted:
            _sort_imports_around(self.body, end, self.emitter)
        first = self.body[end] if end == 1 and end < len(self.body) else None
        if first is not None and self.analysis.units[0].kind == "docstring" and not first.leading_lines:
            self.body[end] = first.with_changes(leading_lines=[cst.EmptyLine()])  # the monolith kept none of its own


def _setup_imports(emitter: Emitter, needs: set[str], modules: list[Destination]) -> list[cst.BaseStatement]:
    """main.py imports every import-time-work module it takes no name from, first: its side effects
    (`logging.basicConfig`, `os.environ.setdefault`, `mkdir`) must still run, before anything else moved."""
    imported = {emitter.bound_in[n] for n in needs if n in emitter.bound_in}
    imported |= {home for name, home in emitter.seams_read_in(MAIN).items() if name in needs}
    statements = []
    for destination in modules:
        if destination in imported:
            continue
        statement = nodes.module_import(emitter.where, MAIN, destination, emitter.alias_for(MAIN, destination))
        statements.append(nodes.with_directive(statement, "# noqa: F401 - runs its import-time setup"))
    return statements


def _imported(unit: Unit) -> set[str]:
    return {i.bound for i in unit.imports}


def _setup_import(emitter: Emitter, destination: Destination) -> cst.SimpleStatementLine:
    """`from pkg import app_setup  # noqa: ...`: importing it runs the app setup moved there, at this place."""
    statement = nodes.module_import(emitter.where, MAIN, destination, emitter.alias_for(MAIN, destination))
    return nodes.with_directive(statement, "# noqa: E402,F401 - runs this part of the app setup here, in order")


def _hands_app_over(analysis: Analysis) -> bool:
    """main.py already runs `core.app = app` (an earlier apply or wave wrote it)."""
    return _hands_over(analysis, analysis.app_names[0])


def _hands_over(analysis: Analysis, name: str) -> bool:
    """main.py already runs `core.x = x` (an earlier apply or wave wrote it)."""
    return re.search(rf"^\w+\.{re.escape(name)} = {re.escape(name)}$", analysis.source, re.MULTILINE) is not None


def _after_imports_before(body: list[cst.BaseStatement], position: int) -> int:
    """Right after the last import statement above `position` (a statement that reads a moved name, e.g.
    `FastAPI(openapi_tags=tags_metadata)` between the monolith's imports), else at `position` itself."""
    for index in range(position - 1, -1, -1):
        statement = body[index]
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(
            statement.body[0], (cst.Import, cst.ImportFrom)
        ):
            return index + 1
    return position


def _sort_imports_around(body: list[cst.BaseStatement], position: int, emitter: Emitter) -> None:
    """Sort the import block holding `position` in place; the statement after it gets isort's blank lines."""
    settings = emitter.import_settings
    for start, end in import_runs(body, settings):
        if start <= position < end:
            block = sort_block(merge_from_imports(body[start:end], settings), settings)
            body[start:end] = block
            end = start + len(block)
            if end < len(body):
                body[end] = after_imports(body[end], settings)
            return
