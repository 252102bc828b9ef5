"""Build the new modules from one libcst parse of the monolith: moved statements keep their exact text."""

from __future__ import annotations

import re
from functools import cached_property
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst

from splitter.emit import nodes
from splitter.emit.import_filter import filtered_import
from splitter.emit.moved_names import kept_setup_statements, names_read
from splitter.emit.moved import MovedStatements
from splitter.emit.source_statements import is_definition
from splitter.emit.import_order import (
    SortSettings,
    after_imports,
    import_info,
    import_runs,
    is_sorted,
    member_key,
    merge_from_imports,
    sort_block,
)
from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import CORE, MAIN, SHARED, Destination, Role
from splitter.planning.layout import GENERATED_MARKER, Destinations
from splitter.analysis.blocks import environment_preparers
from splitter.analysis.model import Analysis, Unit
from splitter.planning.planner import BUILTINS

HEADERS = {
    Role.ROUTER: "Routes {prefix}",
    Role.SERVICE: "Helpers, models and state used only by the {name} routes",
    Role.SHARED: "Helpers, models and state shared by several route groups",
    Role.CORE: "Import-time configuration, clients and state",
    Role.HOOKS: "Middleware, exception handlers and lifecycle hooks of the app",
}


@dataclass
class ModuleDraft:
    destination: Destination
    units: list[int] = field(default_factory=list)
    statements: list[cst.BaseStatement] = field(default_factory=list)
    binds: set[str] = field(default_factory=set)
    needs: set[str] = field(default_factory=set)
    modules: set[Destination] = field(default_factory=set)  # imported whole besides the seams' homes
    head: int = 0  # statements of the built module before the first moved one: all splitter's own
    quoted: set[str] = field(default_factory=set)  # names string annotations read (`"os.DirEntry"`): bound bare


class Emitter:
    def __init__(
        self,
        analysis: Analysis,
        placement: dict[int, Destination],
        seams: dict[str, Destination],
        destinations: Destinations,
        module: cst.Module,
        statements: list[cst.BaseStatement],
        tags: bool = False,
        schema_classes: frozenset[str] = frozenset(),
        import_settings: SortSettings | None = None,
    ) -> None:
        self.analysis = analysis
        self.schema_classes = schema_classes  # classes that keep `__module__` (their OpenAPI schema name)
        self.import_settings = import_settings or SortSettings()
        runs = import_runs(statements, self.import_settings)  # the monolith kept its imports in isort order
        self.imports_sorted = bool(runs) and all(is_sorted(statements[a:b], self.import_settings) for a, b in runs)
        self.placement = placement  # unit index -> destination (non-copied units only)
        self.seams = seams  # seam name -> home destination
        self.where = destinations
        self.module = module
        self.tags = tags
        self.statements = statements
        self.app = analysis.app_names[0]
        self.bound_in: dict[str, Destination] = {}
        self._aliases: dict[tuple[Destination, Destination], str] = {}
        self._destinations = set(placement.values())
        for index, destination in placement.items():
            for name in analysis.units[index].binds:
                self.bound_in.setdefault(name, destination)
        # names main.py binds and hands to core (`core.x = x`) for moved code reading them at call time;
        # build_changes sets them (planning/handover.py)
        self.handed_over: set[str] = set()
        self.import_binders: dict[str, list[int]] = defaultdict(list)
        for unit in analysis.units:
            if unit.kind == "import" or unit.is_import_block:
                for name in unit.bound_by_imports:  # a block's flags too (`PSUTIL_AVAILABLE = True`)
                    self.import_binders[name].append(unit.index)
        # statements main.py keeps at the place of a moved unit: hook registrations, an `if` block's app setup
        self.registrations_of: dict[int, list[cst.BaseStatement]] = {}
        self._words: dict[Destination, set[str]] = {}
        self._moved = MovedStatements(self)
        self.environment_preparers = environment_preparers(analysis)
        # the module that sets the environment up, when it moved (core.py): modules running the monolith's imports
        # from below that set-up import it first
        homes = {placement[i] for i in self.environment_preparers if placement.get(i, MAIN) != MAIN}
        self.environment_home = min(homes) if homes else None

    # -- moved statements ---------------------------------------------------------------------------------
    def moved_statement(self, index: int, destination: Destination, router_var: str) -> cst.BaseStatement:
        return self._moved.statement(index, destination, router_var)

    def as_node(self, index: int, statement: cst.BaseStatement) -> cst.BaseStatement:
        """A moved statement as a libcst node (raw text is parsed), for rewrites done after emission."""
        return self._moved.as_node(self.analysis.units[index], statement)

    def read_only_elsewhere(self, destination: Destination, names: set[str]) -> set[str]:
        """Those of `names` (bound by a unit moved to `destination`) that code elsewhere reads and nothing in
        `destination` does, that unit included."""
        readers: dict[str, set[Destination]] = defaultdict(set)
        for other in self.analysis.units:
            for name in other.uses & names:
                readers[name].add(self.placement.get(other.index, MAIN))
            for name in self._kept_in_main_reads(other) & names:
                readers[name].add(MAIN)
        return {name for name, where in readers.items() if destination not in where}

    def _kept_in_main_reads(self, unit: Unit) -> set[str]:
        """Names read by the statements of an `if` block that stay in main.py (`app.add_middleware(X)`): the
        unit's `uses` leaves them out, as they do not decide where the rest of the block goes."""
        tree = self.analysis.tree
        if not unit.app_setup or tree is None:
            return set()
        return names_read(kept_setup_statements(unit, tree.body[unit.index]))

    def seams_read_in(self, destination: Destination) -> dict[str, Destination]:
        """Seams code in `destination` reads through their home; main.py reads the app it creates directly."""
        if destination == MAIN:
            own = {self.app, "__file__", *self.handed_over}
            return {n: home for n, home in self.seams.items() if n not in own}
        if is_app_setup(destination):  # main.py's own setup, moved as it is: it imports the app by name
            return {n: home for n, home in self.seams.items() if n not in (self.app, "__file__")}
        if not self.where.depth(destination):
            return {n: home for n, home in self.seams.items() if n != "__file__"}  # already beside main.py
        return self.seams

    def alias_for(self, importer: Destination, home: Destination) -> str:
        """The name a module is imported under; never one the importing code already uses, locals included
        (`orders.STATUS` must not land in a function with a local `orders`)."""
        if (importer, home) not in self._aliases:  # asked once per seam a moved statement reads: hundreds of times
            alias = self.where.subpath(home).rpartition(".")[2]
            own = home.role is importer.role and home.name == f"{importer.name}.{alias}"  # the name it has anyway
            submodules = set() if own else self._submodules_of(importer)
            while alias in self.bound_in or alias in self.words_of(importer) or alias in submodules:
                alias = f"{alias}_module" if not alias.endswith("_module") else f"{alias}_"
            self._aliases[importer, home] = alias
        return self._aliases[importer, home]

    def _submodules_of(self, package: Destination) -> set[str]:
        """The modules of a package `package` is the `__init__` of (`part_2` of `routers/tools/`): an import that
        binds one of their names in it (`from services.tools import part_2`) would make `from routers.tools import
        part_2` find that module instead of importing its own part, whose routes would then never register."""
        prefix = f"{package.name}."
        return {
            d.name[len(prefix) :].partition(".")[0]
            for d in self._destinations
            if d.role is package.role and d.name and d.name.startswith(prefix)
        }

    def words_of(self, destination: Destination) -> set[str]:
        if destination not in self._words:
            units = [u for u in self.analysis.units if self.placement.get(u.index, MAIN) == destination]
            text = "\n".join(self.analysis.text_of(u.first_line, u.last_line) for u in units)
            self._words[destination] = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return self._words[destination]

    # -- imports ------------------------------------------------------------------------------------------
    def copied_import(self, index: int, names: set[str], importer: Destination) -> cst.BaseStatement | None:
        """The original import statement, keeping only aliases that bind `names`, re-based for `importer`."""
        unit = self.analysis.units[index]
        return filtered_import(self.statements[index], names, self.where.depth(importer), unit.is_import_block)

    def _import_wins(self, name: str, draft: ModuleDraft) -> bool:
        """A name the monolith defines and also imports (`class PowerLawResponse` at line 785, then
        `from api.models import PowerLawResponse` at 5354): code below the import sees the imported object, so a
        module whose first user of the name comes after the import re-imports it instead of the definition."""
        imports = self.import_binders.get(name)
        users = [self.analysis.units[i] for i in draft.units if name in self.analysis.units[i].uses]
        if not imports or not users:
            return False
        binders = sorted(
            [(self.analysis.units[i].first_line, True) for i in imports]
            + [(u.first_line, False) for u in self.analysis.units if name in u.binds and not u.is_copied]
        )
        visible = [is_import for line, is_import in binders if line < users[0].first_line]
        return visible[-1] if visible else binders[0][1]

    def import_lines(self, draft: ModuleDraft, copy_originals: bool = True) -> list[cst.BaseStatement]:
        """Imports for a generated module: the original ones it needs, in original order, then splitter's."""
        early, late = self.import_parts(draft, copy_originals)
        return early + late

    def environment_cut(self, draft: ModuleDraft) -> int | None:
        """The last of the module's statements that set up the environment for the monolith's imports below it
        (analysis/blocks.py `environment_preparers`), or None."""
        return max((i for i in draft.units if i in self.environment_preparers), default=None)

    def _runs_imports_below_the_environment(self, destination: Destination, copied: dict[int, set[str]]) -> bool:
        """The module copies one of the monolith's imports from below its environment set-up, which moved to
        another module: imported first (by a test, or a package's `__init__.py`), it would run that import, and
        whatever it reads from the environment, before the set-up."""
        home = self.environment_home
        if home is None or destination in (home, MAIN) or is_app_setup(destination):
            return False
        first = min(self.environment_preparers)
        return any(index > first for index in copied)

    def import_parts(
        self, draft: ModuleDraft, copy_originals: bool = True, cut: int | None = None
    ) -> tuple[list[cst.BaseStatement], list[cst.BaseStatement]]:
        """The module's imports in two parts: the original ones from above unit `cut`, which run before the
        module's statements up to that unit, as they did in the monolith; and the others (all of them without a
        cut)."""
        copied, generated, module_imports = self._import_sources(draft)
        early: list[cst.BaseStatement] = []
        if cut is not None and copy_originals:
            early = self._copied_imports(draft.destination, {i: n for i, n in copied.items() if i < cut})
            copied = {i: n for i, n in copied.items() if i > cut}
        elif copy_originals and self._runs_imports_below_the_environment(draft.destination, copied):
            home = self.environment_home
            alias = module_imports.pop(home, None)  # read as a whole already: that import, moved up
            line = nodes.module_import(
                self.where, draft.destination, home, alias or self.alias_for(draft.destination, home)
            )
            line = line if alias else nodes.with_directive(line, "# noqa: F401 - sets up the environment first")
            early = [*self._future_imports(), line]  # a `from __future__` import must stay the first statement
        lines = self._copied_imports(draft.destination, copied, future=not early) if copy_originals else []
        order = {d: i for i, d in enumerate([CORE, SHARED])}
        for target in sorted(generated, key=lambda d: (order.get(d, 2), d)):
            lines += self.from_import(self.where.from_clause(draft.destination, target), generated[target])
        for target, alias in sorted(module_imports.items()):
            lines.append(nodes.module_import(self.where, draft.destination, target, alias))
        return early, lines

    def _import_sources(
        self, draft: ModuleDraft
    ) -> tuple[dict[int, set[str]], dict[Destination, list[str]], dict[Destination, str]]:
        """Where each name the module needs comes from: an original import (unit -> names), a generated module
        (destination -> names), or a seam's home module read as a whole (destination -> alias)."""
        needs = self.with_what_import_blocks_read(draft.needs - draft.binds - BUILTINS) - draft.binds - BUILTINS
        if "__file__" in draft.needs and "__file__" in self.seams_read_in(draft.destination):
            needs.add("__file__")  # read as core.__file__
        if draft.destination == MAIN or self.app not in self.seams:
            needs.discard(self.app)
        copied: dict[int, set[str]] = defaultdict(set)
        generated: dict[Destination, list[str]] = defaultdict(list)
        if is_app_setup(draft.destination) and self.app in needs:
            needs.discard(self.app)
            generated[CORE].append(self.app)  # main.py set `core.app` before importing this module
        module_imports = {target: self.alias_for(draft.destination, target) for target in draft.modules}
        unknown = []
        for name in sorted(needs):
            if name in self.seams and self.seams[name] != draft.destination:
                module_imports[self.seams[name]] = self.alias_for(draft.destination, self.seams[name])
            elif (
                name in self.bound_in
                and self.bound_in[name] != draft.destination
                and not self._import_wins(name, draft)
            ):
                generated[self.bound_in[name]].append(name)
            elif name in self.import_binders:
                for index in self._binders_to_copy(name):
                    copied[index].add(name)
            elif name not in self.bound_in:
                unknown.append(name)
        for name in sorted(self._quoted_seams(draft)):  # read by name, not through its home: a string cannot be
            if name in self.import_binders:  # qualified, and FastAPI or a linter resolves it in this module
                for index in self._binders_to_copy(name):
                    copied[index].add(name)
            elif name in self.bound_in:
                generated[self.bound_in[name]].append(name)
        if unknown and self.analysis.star_imports:
            for unit in self.analysis.units:
                if unit.kind == "import" and any(i.name == "*" for i in unit.imports):
                    copied[unit.index].add("*")
        for index in list(copied):
            if self.analysis.units[index].type_checking:
                copied.setdefault(self.import_binders.get("TYPE_CHECKING", [index])[0], set()).add("TYPE_CHECKING")
        return copied, generated, module_imports

    def _quoted_seams(self, draft: ModuleDraft) -> set[str]:
        """Seams read through their home module that the draft's string annotations name."""
        seams = self.seams_read_in(draft.destination)
        return {n for n in draft.quoted - draft.binds if n in seams and seams[n] != draft.destination}

    def with_what_import_blocks_read(self, needs: set[str], every_binder: bool = False) -> set[str]:
        """`needs` and what the import blocks copied for them read themselves: an `if sys.version_info >= ...:`
        block of imports needs `sys`, an `if TYPE_CHECKING:` block `TYPE_CHECKING`. `every_binder`: main.py
        keeps every block binding a name it needs, a generated module copies `_binders_to_copy`'s."""
        needs, seen = set(needs), set()
        while True:
            binders = self.import_binders.get if every_binder else self._binders_to_copy
            blocks = {
                index
                for name in needs
                for index in (binders(name) if name in self.import_binders else [])
                if self.analysis.units[index].is_import_block
            } - seen
            if not blocks:
                return needs
            seen |= blocks
            for index in blocks:
                needs |= self.analysis.units[index].uses

    def _binders_to_copy(self, name: str) -> list[int]:
        """The imports of the monolith that bind `name`: the last one when each binds the whole name. A generated
        module's imports all come before its code, so only the last is ever seen there, as in the monolith after
        its imports ran (`from fastapi import Body` at line 24 and again at 11915; PinePods' `from time import
        time`, then `import time`): copying more is a redefinition, ruff F811. All of them, in order, when one is
        an `if`/`try` block (each may bind something else) or `import a.b` (several fill one package name)."""
        indices = self.import_binders[name]
        units = [self.analysis.units[index] for index in indices]
        if any(unit.kind != "import" for unit in units):
            return indices
        binds = [i for unit in units for i in unit.imports if i.bound == name]
        return indices if any(i.name is None and not i.asname and "." in i.module for i in binds) else indices[-1:]

    def _copied_imports(
        self, destination: Destination, copied: dict[int, set[str]], future: bool = True
    ) -> list[cst.BaseStatement]:
        """`from __future__` imports first, then the original imports cut down to the names used, in order."""
        lines = self._future_imports() if future else []
        for index in sorted(copied):
            if index in self._future_units:
                continue
            statement = self.copied_import(index, copied[index] | {"*"}, destination)
            if statement is not None:
                reexported = {n for n in copied[index] if self.seams.get(n) == destination}
                if reexported and isinstance(statement, cst.SimpleStatementLine):
                    # Other modules read these through this one, and tests patch them here.
                    statement, aliased = nodes.reexporting(statement, self._rebound_unread(destination, reexported))
                    directive = "# noqa: F401 - patch point" if reexported - aliased else "# patch point"
                    statement = nodes.with_directive(statement, directive)
                lines.append(statement.with_changes(leading_lines=[]))
        return lines

    @cached_property
    def _future_units(self) -> list[int]:
        return [u.index for u in self.analysis.units if any(i.module == "__future__" for i in u.imports)]

    def _future_imports(self) -> list[cst.BaseStatement]:
        """The monolith's `from __future__` imports: every generated module repeats them, first (moved code may
        rely on them: annotations naming a class defined further down)."""
        return [self.statements[index].with_changes(leading_lines=[]) for index in self._future_units]

    def _rebound_unread(self, destination: Destination, names: set[str]) -> set[str]:
        """Those of `names` that the module imports but none of its code reads, and that an import, a def or a
        class inside one of its functions or classes binds again: ruff reports that inner binding as a
        "redefinition of unused" (F811), on a line of moved code. MyPortal's `_user_upload_key` re-imports
        `session_manager` in its body, and tests patch that name, so core.py imports it as a patch point that
        nothing there reads."""
        units = [u for u in self.analysis.units if self.placement.get(u.index) == destination]
        unread = names - set().union(*(u.uses for u in units))
        return unread & set().union(*(self._moved.bound_inside(u.index) for u in units)) if unread else set()

    # -- whole modules ------------------------------------------------------------------------------------
    def header(self, destination: Destination, prefix: str = "", summary: str = "") -> cst.SimpleStatementLine:
        kind, name = destination.role, destination.name or destination.role.value
        if is_app_setup(destination):
            source = self.analysis.path.name
            return nodes.docstring(
                f"App setup that {source} runs by importing this module where these statements were: moved from "
                f"{source} {GENERATED_MARKER}."
            )
        if kind is Role.ROUTER and summary:
            return nodes.docstring(f"{summary}: moved from {self.analysis.path.name} {GENERATED_MARKER}.")
        kind = self.where.layout.part_of(destination).role  # an overflow module reads as the module it is a part of
        if kind is Role.ROOT:
            kind = Role.CORE
        text = HEADERS[kind].format(prefix=f"under {prefix}" if prefix else f"of the {name} group", name=name)
        source = self.analysis.path.name
        return nodes.docstring(f"{text}: moved from {source} {GENERATED_MARKER}.")

    def build(
        self,
        draft: ModuleDraft,
        prefix: str = "",
        router_vars: list[str] = (),
        summary: str = "",
        router_prefix: str = "",
    ) -> cst.Module:
        body: list[cst.BaseStatement] = [self.header(draft.destination, prefix, summary)]
        settings = self.analysis.router_settings if router_vars else {}
        if router_vars:
            draft.needs.add("APIRouter")
            draft.needs |= names_router_settings_read(settings)
        cut = self.environment_cut(draft)
        early, imports = self.import_parts(draft, cut=cut)
        if router_vars and "APIRouter" not in self.import_binders:
            imports += self.from_import("fastapi", ["APIRouter"])
        if "TYPE_CHECKING" in draft.needs and "TYPE_CHECKING" not in self.import_binders:
            imports += self.from_import("typing", ["TYPE_CHECKING"])  # core.py's stand-ins for checkers
        statements = draft.statements
        if cut is not None:  # the environment is set up before the imports that followed it in the monolith
            early = self.ordered_imports(early)
            draft.head = len(body) + len(early)
            first = sum(1 for i in draft.units if i <= cut)
            body = self._placed_after(body, early, statements[:first])
            statements = statements[first:]
        elif early:  # the module setting the environment up, first (see _runs_imports_below_the_environment)
            body += self.ordered_imports(early)
        tag = draft.destination.name if self.tags and router_vars else None
        rest = [nodes.router_creation(variable, tag, settings, router_prefix) for variable in router_vars]
        imports = self.ordered_imports(imports)
        if cut is None:
            draft.head = len(body) + len(imports) + len(rest)
        rest += statements
        return self.module.with_changes(body=self._placed_after(body, imports, rest), header=[], footer=[])

    def _placed_after(
        self, body: list[cst.BaseStatement], imports: list[cst.BaseStatement], rest: list[cst.BaseStatement]
    ) -> list[cst.BaseStatement]:
        """`body`, then `imports`, then `rest` with the blank lines isort and ruff format want before it."""
        body = body + imports
        rest = list(rest)
        if rest and len(body) > 1:
            rest[0] = after_imports(rest[0], self.import_settings)
        elif rest:  # right after the docstring: ruff format wants two blank lines before a def, else one
            rest[0] = rest[0].with_changes(leading_lines=[cst.EmptyLine()] * (2 if is_definition(rest[0]) else 1))
        return body + rest

    def from_import(self, clause: str, names: list[str]) -> list[cst.SimpleStatementLine]:
        """`from clause import ...` for names splitter chose: sorted, `x as y` alone unless combine-as-imports."""
        settings = self.import_settings

        def key(text: str) -> tuple:
            name, _, alias = text.partition(" as ")
            return member_key(name.strip(), alias.strip() or None, settings)

        names = sorted(names, key=key)
        aliased = [n for n in names if " as " in n] if not settings.combine_as_imports else []
        plain = [n for n in names if n not in aliased]
        groups = ([plain] if plain else []) + [[n] for n in aliased]
        return [nodes.from_import(clause, group, wrap_at=settings.line_length) for group in groups]

    def ordered_imports(self, imports: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """The import block of a generated module in isort order, one blank line after the docstring; blocks
        that are not plain import lines (`if TYPE_CHECKING:`) follow it. A monolith whose imports were not in
        isort order may depend on that order (`import eventlet` first): then the original order is kept."""
        settings = self.import_settings
        if not self.imports_sorted:
            return [s.with_changes(leading_lines=[cst.EmptyLine()] if i == 0 else []) for i, s in enumerate(imports)]
        plain = [s for s in imports if import_info(s, settings) is not None]
        others = [s for s in imports if import_info(s, settings) is None]
        ordered = sort_block(merge_from_imports(plain, settings), settings)
        block = ordered + others
        if block:
            block[0] = block[0].with_changes(leading_lines=[cst.EmptyLine()])
        for position in range(len(ordered), len(block)):
            block[position] = block[position].with_changes(leading_lines=[cst.EmptyLine()] if position else [])
        return block


SUMMARY_MAX = 48  # with ": moved from main.py by splitter." the docstring line stays within 88 columns


def names_router_settings_read(settings: dict[str, str]) -> set[str]:
    """The module names the app router's settings read (`route_class=TimedRoute`): every generated router
    repeats them, so it imports them, and a wave moves their definitions with its routers."""
    return {name for expression in settings.values() for name in re.findall(r"^[A-Za-z_]\w*", expression)}


def group_summary(group) -> str:
    """What a router module holds, in one line: its docstring's first part and, with `--tags`, the OpenAPI tag's
    description. The plan's explanation of the group when it has one, else its size and prefix."""
    reasons = group.why or []
    explanation = (reasons[0] if reasons else "").strip().rstrip(".")
    if explanation and len(explanation) <= SUMMARY_MAX:  # a longer reason stays in the plan, not in line 1
        return explanation[:1].upper() + explanation[1:]
    count = len(group.endpoints)
    where = f"under {group.shown_path}" if group.shown_path not in ("", "/") else f"of the {group.name} group"
    return f"{count} route{'s' if count != 1 else ''} {where}"
