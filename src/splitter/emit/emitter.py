"""Build the new modules from one libcst parse of the monolith: moved statements keep their exact text."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst

from splitter.codemods.detach_hooks import detach
from splitter.codemods.pin_module_name import ModuleNamePinner
from splitter.codemods.qualify_seams import SeamQualifier
from splitter.codemods.rebase_relative_imports import RelativeImportRebaser
from splitter.codemods.route_to_router import RetargetRouteCalls
from splitter.codemods.split_app_setup import split_if

from splitter.emit import nodes
from splitter.errors import SplitterError
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
from splitter.planning.destination import CORE, MAIN, SHARED, Destination, Role
from splitter.planning.layout import GENERATED_MARKER, Destinations
from splitter.analysis.model import Analysis, Unit
from splitter.analysis.scopes import Scope, build_scopes
from splitter.planning.planner import BUILTINS

HEADERS = {
    Role.ROUTER: "Routes {prefix}",
    Role.SERVICE: "Helpers, models and state used only by the {name} routes",
    Role.SHARED: "Helpers, models and state shared by several route groups",
    Role.CORE: "Import-time configuration, clients and state",
    Role.HOOKS: "Middleware, exception handlers and lifecycle hooks of the app",
}


CHUNK_LINES = 2000


def _split_lines(statement: cst.SimpleStatementLine) -> list[cst.BaseStatement]:
    """`a = 1; b = 2` becomes two lines, so each unit can move alone."""
    last = len(statement.body) - 1
    return [
        cst.SimpleStatementLine(
            body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
            leading_lines=statement.leading_lines if index == 0 else [],
            trailing_whitespace=statement.trailing_whitespace if index == last else cst.TrailingWhitespace(),
        )
        for index, small in enumerate(statement.body)
    ]


def parse_statements(source: str, units: list[Unit], path: object = None) -> tuple[cst.Module, list[cst.BaseStatement]]:
    """Parse the monolith once, in pieces cut between top-level statements, and return a template module
    (header, footer, newline and indent conventions) plus the libcst statement of each ast unit.

    Every byte is parsed exactly once; pieces of ~2,000 lines keep libcst's parse linear in the file size
    (64k lines in one piece: 10.6 s, in pieces: 6.2 s). Comments between statements belong to the next one.
    """
    lines = source.splitlines(keepends=True)
    cuts = [0]
    for previous, following in zip(units, units[1:], strict=False):
        if previous.last_line - cuts[-1] >= CHUNK_LINES and following.first_line > previous.last_line:
            cuts.append(previous.last_line)
    cuts.append(len(lines))
    statements: list[cst.BaseStatement] = []
    template: cst.Module | None = None
    last: cst.Module | None = None
    for start, end in zip(cuts, cuts[1:], strict=False):
        try:
            piece = cst.parse_module("".join(lines[start:end]))
        except cst.ParserSyntaxError as exc:
            raise SplitterError(f"libcst cannot parse this syntax: {exc.message}", path, start + exc.raw_line) from None
        body = list(piece.body)
        if template is None:
            template = piece
        elif body:
            body[0] = body[0].with_changes(leading_lines=[*piece.header, *body[0].leading_lines])
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) > 1:
                statements.extend(_split_lines(statement))
            else:
                statements.append(statement)
        last = piece
    if len(statements) != len(units):
        raise SplitterError(f"internal: {len(statements)} libcst statements for {len(units)} ast statements")
    assert template is not None and last is not None
    return template.with_changes(footer=last.footer, has_trailing_newline=last.has_trailing_newline), statements


@dataclass
class ModuleDraft:
    destination: Destination
    units: list[int] = field(default_factory=list)
    statements: list[cst.BaseStatement] = field(default_factory=list)
    binds: set[str] = field(default_factory=set)
    needs: set[str] = field(default_factory=set)


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
        for index, destination in placement.items():
            for name in analysis.units[index].binds:
                self.bound_in.setdefault(name, destination)
        self.import_binders: dict[str, list[int]] = defaultdict(list)
        for unit in analysis.units:
            if unit.kind == "import" or unit.is_import_block:
                for imported in unit.imports:
                    self.import_binders[imported.bound].append(unit.index)
        # statements main.py keeps at the place of a moved unit: hook registrations, an `if` block's app setup
        self.registrations_of: dict[int, list[cst.BaseStatement]] = {}
        self._transformers: dict[tuple[str, object], cst.CSTTransformer] = {}
        self._words: dict[Destination, set[str]] = {}
        self._source_lines = None if "\r" in analysis.source else analysis.source.split("\n")  # ast's line numbering
        self._unit_scopes: dict[int, Scope | None] = {}

    # -- moved statements ---------------------------------------------------------------------------------
    def moved_statement(self, index: int, destination: Destination, router_var: str) -> cst.BaseStatement:
        unit = self.analysis.units[index]
        statement = self.statements[index]
        if destination.role is Role.ROUTER and unit.route_owner == self.app:
            key = ("route", router_var)
            if key not in self._transformers:
                self._transformers[key] = RetargetRouteCalls(self.app, router_var)
            statement = self._transformers[key].rewrite(statement, self._scopes(unit))
        if unit.hook_kinds and destination != MAIN and isinstance(statement, cst.FunctionDef):
            statement, self.registrations_of[index] = detach(statement, self.app)
        if unit.app_setup and destination != MAIN and isinstance(statement, cst.If):
            statement, kept = split_if(statement, unit.app_setup)
            self.registrations_of[index] = [self._qualified(kept, MAIN)]
        # detach() drops decorators and split_if() statements: then the scopes are read from the CST's own code
        untouched = destination == MAIN or not (unit.hook_kinds or unit.app_setup)
        seams = unit.uses & self.seams_read_in(destination).keys()
        if any(self.seams[n] != destination for n in seams):
            key = ("seams", destination)
            if key not in self._transformers:
                self._transformers[key] = SeamQualifier(
                    {
                        n: self.alias_for(destination, home)
                        for n, home in self.seams_read_in(destination).items()
                        if home != destination
                    }
                )
            statement = self._transformers[key].qualify(statement, self._scopes(unit) if untouched else None)
        if unit.kind == "class" and unit.name in self.schema_classes and destination != MAIN:
            statement = nodes.with_module_pinned(statement, self.analysis.module_name)
        depth = self.where.depth(destination)
        if unit.relative_inside and depth and self.analysis.package:
            key = ("relative", str(depth))
            if key not in self._transformers:
                self._transformers[key] = RelativeImportRebaser(depth, self.analysis.package)
            statement = self._transformers[key].visit_with_scopes(statement, self._scopes(unit) if untouched else None)
        if "__name__" in unit.uses and destination != MAIN:
            key = ("name", "")
            if key not in self._transformers:
                self._transformers[key] = ModuleNamePinner(self.analysis.module_name)
            statement = self._transformers[key].visit_with_scopes(statement, self._scopes(unit) if untouched else None)
        return statement

    def _qualified(self, statement: cst.BaseStatement, destination: Destination) -> cst.BaseStatement:
        """`statement` as code in `destination` must read it: seams homed elsewhere through their module."""
        seams = {
            n: self.alias_for(destination, h) for n, h in self.seams_read_in(destination).items() if h != destination
        }
        return SeamQualifier(seams).qualify(statement, None) if seams else statement

    def seams_read_in(self, destination: Destination) -> dict[str, Destination]:
        """Seams code in `destination` reads through their home; main.py reads the app it creates directly."""
        if destination == MAIN:
            return {n: home for n, home in self.seams.items() if n not in (self.app, "__file__")}
        if not self.where.depth(destination):
            return {n: home for n, home in self.seams.items() if n != "__file__"}  # already beside main.py
        return self.seams

    def _scopes(self, unit: Unit) -> Scope | None:
        if unit.index not in self._unit_scopes:
            self._unit_scopes[unit.index] = _unit_scopes(self._source_lines, unit)
        return self._unit_scopes[unit.index]

    def alias_for(self, importer: Destination, home: Destination) -> str:
        """The name a module is imported under; never one the importing code already uses, locals included
        (`orders.STATUS` must not land in a function with a local `orders`)."""
        leaf = self.where.subpath(home).rpartition(".")[2]
        alias = leaf
        while alias in self.bound_in or alias in self.words_of(importer):
            alias = f"{alias}_module" if not alias.endswith("_module") else f"{alias}_"
        return alias

    def words_of(self, destination: Destination) -> set[str]:
        if destination not in self._words:
            lines = self.analysis.source.splitlines()
            units = [u for u in self.analysis.units if self.placement.get(u.index, MAIN) == destination]
            text = "\n".join("\n".join(lines[u.first_line - 1 : u.last_line]) for u in units)
            self._words[destination] = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return self._words[destination]

    # -- imports ------------------------------------------------------------------------------------------
    def copied_import(self, index: int, names: set[str], importer: Destination) -> cst.BaseStatement | None:
        """The original import statement, keeping only aliases that bind `names`, re-based for `importer`."""
        unit = self.analysis.units[index]
        statement = self.statements[index]
        if unit.is_import_block:
            return self._filter_block(statement, names, importer)
        return self._filter_import(statement, names, importer)

    def _filter_block(
        self, statement: cst.BaseStatement, names: set[str], importer: Destination
    ) -> cst.BaseStatement | None:
        """An `if`/`try` of imports keeping only the imports (and constant fallbacks) that bind `names`; None when
        its main branch keeps nothing. Handlers keep their `raise`/`pass`, an emptied branch becomes `pass`."""
        if isinstance(statement, cst.SimpleStatementLine):
            small = statement.body[0]
            if isinstance(small, cst.Assign):
                bound = {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
                return statement.with_changes(leading_lines=[]) if bound & names else None
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                return self._filter_import(statement, names, importer)
            return statement
        if isinstance(statement, cst.If):
            body = self._filter_suite(statement.body, names, importer)
            orelse = statement.orelse
            if isinstance(orelse, cst.Else):
                orelse = orelse.with_changes(body=self._filter_suite(orelse.body, names, importer) or _pass_suite())
            elif isinstance(orelse, cst.If):
                orelse = self._filter_block(orelse, names, importer) or None
            if body is None and orelse is None:
                return None
            return statement.with_changes(body=body or _pass_suite(), orelse=orelse)
        if isinstance(statement, cst.Try):
            body = self._filter_suite(statement.body, names, importer)
            if body is None:
                return None
            handlers = [h.with_changes(body=self._filter_handler(h.body, names, importer)) for h in statement.handlers]
            return statement.with_changes(body=body, handlers=handlers)
        return statement

    def _filter_handler(self, suite: cst.BaseSuite, names: set[str], importer: Destination) -> cst.BaseSuite:
        kept = [s for s in (self._filter_block(s, names, importer) for s in suite.body) if s is not None]
        return suite.with_changes(body=kept) if kept else _pass_suite()

    def _filter_suite(self, suite: cst.BaseSuite, names: set[str], importer: Destination) -> cst.BaseSuite | None:
        """The suite with only what binds `names` (raise/pass kept); None if no import or assignment is left."""
        kept = [s for s in (self._filter_block(s, names, importer) for s in suite.body) if s is not None]
        binding = [s for s in kept if not _is_raise_or_pass(s)]
        return suite.with_changes(body=kept) if binding else None

    def _filter_import(
        self, statement: cst.BaseStatement, names: set[str], importer: Destination
    ) -> cst.BaseStatement | None:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
            return statement
        if not isinstance(small, (cst.Import, cst.ImportFrom)):
            return None
        kept = [a for a in small.names if _bound_name(a) in names]
        if not kept:
            return None
        changes: dict = {"names": kept}
        if len(kept) == 1 and len(small.names) > 1:
            kept[0] = kept[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            if isinstance(small, cst.ImportFrom) and small.lpar:
                changes.update(lpar=None, rpar=None)
        elif len(kept) < len(small.names):
            # The new last alias takes the old last alias's comma: a trailing comma (or none) stays as it was.
            kept[-1] = kept[-1].with_changes(comma=small.names[-1].comma)
        if isinstance(small, cst.ImportFrom):
            depth = self.where.depth(importer)
            if small.relative and depth:
                changes["relative"] = list(small.relative) + [cst.Dot()] * depth
        new_small = small.with_changes(**changes)
        return statement.with_changes(body=[new_small], leading_lines=[])

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
        needs = draft.needs - draft.binds - BUILTINS
        if "__file__" in draft.needs and "__file__" in self.seams_read_in(draft.destination):
            needs.add("__file__")  # read as core.__file__
        if draft.destination == MAIN or self.app not in self.seams:
            needs.discard(self.app)
        copied: dict[int, set[str]] = defaultdict(set)
        generated: dict[Destination, list[str]] = defaultdict(list)
        module_imports: dict[Destination, str] = {}
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
                for index in self.import_binders[name]:
                    copied[index].add(name)
            elif name not in self.bound_in:
                unknown.append(name)
        if unknown and self.analysis.star_imports:
            for unit in self.analysis.units:
                if unit.kind == "import" and any(i.name == "*" for i in unit.imports):
                    copied[unit.index].add("*")
        for index in list(copied):
            if self.analysis.units[index].type_checking:
                copied.setdefault(self.import_binders.get("TYPE_CHECKING", [index])[0], set()).add("TYPE_CHECKING")
        lines = []
        if not copy_originals:
            copied = {}
        future = (
            []
            if not copy_originals
            else [u.index for u in self.analysis.units if any(i.module == "__future__" for i in u.imports)]
        )
        for index in future:
            lines.append(self.statements[index].with_changes(leading_lines=[]))
        for index in sorted(copied):
            if index in future:
                continue
            statement = self.copied_import(index, copied[index] | {"*"}, draft.destination)
            if statement is not None:
                reexported = {n for n in copied[index] if self.seams.get(n) == draft.destination}
                if reexported and isinstance(statement, cst.SimpleStatementLine):
                    # Other modules read these through this one, and tests patch them here.
                    statement = statement.with_changes(
                        trailing_whitespace=cst.TrailingWhitespace(
                            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# noqa: F401 - patch point")
                        )
                    )
                lines.append(statement.with_changes(leading_lines=[]))
        order = {d: i for i, d in enumerate([CORE, SHARED])}
        for target in sorted(generated, key=lambda d: (order.get(d, 2), d)):
            lines += self.from_import(self.where.from_clause(draft.destination, target), generated[target])
        for target, alias in sorted(module_imports.items()):
            lines.append(nodes.module_import(self.where, draft.destination, target, alias))
        return lines

    # -- whole modules ------------------------------------------------------------------------------------
    def header(self, destination: Destination, prefix: str = "", summary: str = "") -> cst.SimpleStatementLine:
        kind, name = destination.role, destination.name or destination.role.value
        if kind is Role.ROUTER and summary:
            return nodes.docstring(f"{summary}: moved from {self.analysis.path.name} {GENERATED_MARKER}.")
        if kind is Role.ROOT:  # an overflow module beside the monolith: a part of hooks or of core
            kind = Role.HOOKS if name.startswith(self.where.layout.hooks_module) else Role.CORE
        elif kind is Role.SERVICE and name.startswith(f"{self.where.layout.shared_module}_"):
            kind = Role.SHARED
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
            for expression in settings.values():
                draft.needs |= set(re.findall(r"^[A-Za-z_]\w*", expression))
        imports = self.import_lines(draft)
        if router_vars and "APIRouter" not in self.import_binders:
            imports += self.from_import("fastapi", ["APIRouter"])
        body += self.ordered_imports(imports)
        tag = draft.destination.name if self.tags and router_vars else None
        rest = [nodes.router_creation(variable, tag, settings, router_prefix) for variable in router_vars]
        rest += draft.statements
        if rest and len(body) > 1:
            rest[0] = after_imports(rest[0], self.import_settings)
        elif rest:
            rest[0] = rest[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        return self.module.with_changes(body=body + rest, header=[], footer=[])

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


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value


def _pass_suite() -> cst.IndentedBlock:
    return cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])


def _is_raise_or_pass(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], (cst.Raise, cst.Pass))


def _unit_scopes(source_lines: list[str] | None, unit: Unit) -> Scope | None:
    """The unit's scope tree, from `ast` on its own lines (ast numbers lines by \\n, so None for a source with
    \\r); None also when the unit shares a line with another (`f = lambda: a; g = lambda b: b`): the transformer
    then reads the CST's own code."""
    if source_lines is None:
        return None
    try:
        tree = ast.parse("\n".join(source_lines[unit.first_line - 1 : unit.last_line]))
    except (SyntaxError, ValueError):
        return None
    return build_scopes(tree) if len(tree.body) == 1 else None
