"""Find the names of the old module that a repository rebinds from outside (its tests, mostly).

A name patched or assigned through the old module (`monkeypatch.setattr(main, "x", v)`, `patch("pkg.main.x")`,
`main.x = v`) is a *seam* (docs/design.md): after a split it must be looked up through one home module.
This scanner uses `ast` only because it runs over every file of a repository.

The call-shape helpers at the bottom are shared with `retarget_references`, so both agree on what a patch is.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple
from pathlib import Path

from splitter.analysis.ast_walk import walk
from splitter.analysis.module_mentions import could_bind_or_target
from splitter.analysis.target_strings import (
    built_target_names,
    may_build_a_target,
    module_name_constants,
    name_in_target_string,
    name_values,
    target_constants,
)
from splitter.analysis.top_level_chunks import NotCut, python_lines, statements_mentioning
from splitter.fanout import fan_out

# keyword arguments of `patch.multiple` that configure the patch instead of naming an attribute
PATCH_MULTIPLE_OPTIONS = frozenset({"target", "spec", "spec_set", "create", "autospec", "new_callable"})


class PatchSite(NamedTuple):
    """One place that rebinds a name of the old module; `name` is None when it is not a literal."""

    name: str | None
    file: str
    line: int
    form: str


def find_patched_names(
    sources: Iterable[tuple[Path, str]], old_module: str, **where: Any
) -> dict[str, list[tuple[str, int]]]:
    """Map each rebound name of `old_module` to the (file, line) places that rebind it, sorted.

    `where`: `module_name_for` or `root`, as `find_patch_sites` takes them."""
    return rebound_names(find_patch_sites(sources, old_module, **where))


def rebound_names(sites: Iterable[PatchSite]) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for site in sites:
        if site.name is not None and site.form != "source_of":
            found.setdefault(site.name, []).append((site.file, site.line))
    return {name: sorted(set(places)) for name, places in sorted(found.items())}


def source_reads(sites: Iterable[PatchSite]) -> list[tuple[str, int]]:
    """Where code reads the module's own source text (`inspect.getsource(main)`): a split changes that text."""
    return sorted({(site.file, site.line) for site in sites if site.form == "source"})


def function_source_reads(sites: Iterable[PatchSite]) -> list[tuple[str, str, int]]:
    """(name, file, line) where code reads one function's source text (`inspect.getsource(main.helper)`)."""
    return sorted({(site.name, site.file, site.line) for site in sites if site.form == "source_of" and site.name})


def run_time_source_reads(sites: Iterable[PatchSite]) -> list[tuple[str, int]]:
    """Where code reads the source text of a function of the module it names at run time
    (`inspect.getsource(getattr(main, name))`, the names in a parametrize list)."""
    return sorted({(site.file, site.line) for site in sites if site.form == "source_of_any"})


def find_patch_sites(
    sources: Iterable[tuple[Path, str]],
    old_module: str,
    module_name_for: Callable[[Path], str | None] | None = None,
    *,
    root: Path | None = None,
) -> list[PatchSite]:
    """Every rebinding site, including dynamic ones (`setattr(main, name_var, v)`) whose name is None.

    `module_name_for(path)` (or `root`, to derive it from the path) gives a file's dotted module name, which is
    needed to resolve relative imports such as `from . import main`. Many files are shared out over several
    processes (`fanout`)."""
    files = list(sources)

    def scan(batch: Sequence[tuple[Path, str]]) -> list[PatchSite]:
        return _sites_in(batch, old_module, module_name_for, root)

    return fan_out(scan, files, [len(text) for _path, text in files])


def _sites_in(
    sources: Sequence[tuple[Path, str]], old_module: str, module_name_for: Callable | None, root: Path | None
) -> list[PatchSite]:
    sites: list[PatchSite] = []
    for path, source in sources:
        module_name = module_name_for(path) if module_name_for else None
        if module_name is None and root is not None:
            module_name = module_name_from_path(path, root)
        package = package_of(module_name, path.name == "__init__.py") if module_name is not None else None
        statements = _statements_to_scan(source, old_module, package)
        if statements is None:
            continue  # not Python: it cannot patch anything when the tests run
        module = ast.Module(body=statements, type_ignores=[])
        aliases = _old_module_aliases(module, old_module, package, source)
        targets, spelled = target_constants(module, old_module), module_name_constants(module, old_module)
        # the loops of a file are read for its first f-string target only
        lines = python_lines(source)
        values_of = functools.cache(partial(name_values, statements, spelled, old_module, lines))
        scanner = _Scanner(old_module, str(path), aliases, targets, values_of)
        mentions = _mentions(old_module, aliases, [*targets, *spelled])
        _scan_mentioning(scanner, statements, lines, mentions)
        sites.extend(sorted(scanner.sites, key=lambda site: site.line))
    return sites


_NESTED_STATEMENTS = ("body", "orelse", "finalbody")
_NESTED_PARTS = ("handlers", "cases")  # except handlers and match cases: each holds a body of its own


def _scan_mentioning(scanner: _Scanner, statements: list[ast.stmt], lines: list[str], mentions) -> None:
    """Scan each statement whose lines pass `mentions` (`_scan_parts`)."""
    for statement in statements:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        if mentions("".join(lines[first - 1 : statement.end_lineno])):
            _scan_parts(scanner, statement, lines, mentions)


def _scan_parts(scanner: _Scanner, node: ast.AST, lines: list[str], mentions) -> None:
    """A simple statement whole; of a compound one (or an except handler, a match case) its own parts first
    (decorators, a `with`'s items, an `if`'s test, an except's type, a case's pattern), then the statements it
    holds that pass `mentions`: a test function that patches the module once is one statement walked."""
    if not any(isinstance(getattr(node, f, None), list) for f in _NESTED_STATEMENTS + _NESTED_PARTS):
        scanner.scan(node)
        return
    for field in node._fields:
        value = getattr(node, field, None)
        if field in _NESTED_STATEMENTS:
            _scan_mentioning(scanner, value, lines, mentions)
        elif field in _NESTED_PARTS:
            for part in value:
                _scan_parts(scanner, part, lines, mentions)
        else:
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    scanner.scan(child)


def _mentions(old_module: str, aliases: set[str], constants: Iterable[str]) -> Callable[[str], bool]:
    """A text test every site passes: it binds the module (an import) or holds a target string, names an alias
    of it or a constant holding a target string or module names to build one from. A statement that fails it
    (most of a test file) is not walked, and a top-level chunk that fails it is not even parsed.

    Not the bare last part of the module's name: for `agent_bom.api.server` that is `server`, a word most test
    files of such a project use a hundred times for other things."""
    words = sorted({alias.split(".")[0] for alias in aliases} | set(constants))
    named = re.compile(r"(?<![\w.])(?:%s)\b" % "|".join(map(re.escape, words))) if words else None
    return lambda text: (
        could_bind_or_target(text, old_module)
        or (named is not None and named.search(text) is not None)
        or may_build_a_target(text)
    )


def _statements_to_scan(source: str, old_module: str, package: str | None) -> list[ast.stmt] | None:
    """The file's top-level statements, or at least all that pass `_mentions`; None if it does not parse.

    Rounds of chunks reach a module bound at run time too: the chunk that quotes the module's name
    (`import_module("pkg.main")`) is parsed first, the name it binds then selects the chunks that use it."""
    if not could_bind_or_target(source, old_module):
        return []  # every alias, run-time ones included, is bound by an import or a string naming the module

    def test(found: list[ast.stmt]) -> Callable[[str], bool]:
        module = ast.Module(body=found, type_ignores=[])
        aliases = _old_module_aliases(module, old_module, package, source)
        constants = [*target_constants(module, old_module), *module_name_constants(module, old_module)]
        return _mentions(old_module, aliases, constants)

    try:
        return statements_mentioning(source, test)
    except NotCut:
        pass
    try:
        return ast.parse(source).body
    except (SyntaxError, ValueError):
        return None


def _quotes_module(source: str, old_module: str) -> bool:
    """`import_module("pkg.main")` and `sys.modules["pkg.main"]` both need the name quoted."""
    return f'"{old_module}"' in source or f"'{old_module}'" in source


_SOURCE_READERS = frozenset({"getsource", "getsourcelines", "findsource"})  # inspect's, on the module object


class _Scanner:
    def __init__(
        self,
        old_module: str,
        file: str,
        aliases: set[str],
        targets: dict[str, str],
        values_of: Callable[[], Mapping[str, tuple[str, ...]]] = dict,
    ) -> None:
        self.old_module = old_module
        self.values_of = values_of  # what each name an f-string target is built from may hold
        self.file = file
        self.aliases = aliases
        self.targets = targets
        self.sites: list[PatchSite] = []

    def _add(self, name: str | None, node: ast.AST, form: str) -> None:
        self.sites.append(PatchSite(name, self.file, getattr(node, "lineno", 0), form))

    def _name_through_alias(self, node: ast.AST | None) -> str | None:
        """`m.x.y` -> "x" when `m` reaches the old module (only the first attribute after it counts)."""
        dotted = dotted_name(node) if node is not None else None
        for alias in self.aliases:
            if dotted and dotted.startswith(alias + "."):
                return dotted[len(alias) + 1 :].split(".")[0]
        return None

    def _name_in_string(self, node: ast.AST | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return name_in_target_string(node.value, self.old_module)
        if isinstance(node, ast.Name):
            return self.targets.get(node.id)  # a constant holding the target string
        return None

    def _record_targets(self, targets: list[ast.expr], form: str) -> None:
        for target in targets:
            if isinstance(target, (ast.Tuple, ast.List)):
                self._record_targets(list(target.elts), form)
            elif isinstance(target, ast.Starred):
                self._record_targets([target.value], form)
            elif isinstance(target, ast.Attribute):
                name = self._name_through_alias(target)
                if name is not None:
                    self._add(name, target, form)

    def scan(self, statement: ast.AST) -> None:
        """Record every site in `statement` (`walk` and a type test: a NodeVisitor is several times slower)."""
        for node in walk(statement):
            kind = type(node)
            if kind is ast.Call:
                callee = dotted_name(node.func)
                form = call_form(callee)
                if form is not None:
                    self._record_call(node, form)
                elif callee and callee.rpartition(".")[2] in _SOURCE_READERS:
                    self._record_source_read(node)
            elif kind is ast.Assign or kind is ast.Delete:
                self._record_targets(node.targets, "assign" if kind is ast.Assign else "del")
            elif kind is ast.AnnAssign or kind is ast.AugAssign:
                self._record_targets([node.target], "assign" if kind is ast.AnnAssign else "augassign")

    def _record_source_read(self, call: ast.Call) -> None:
        """`inspect.getsource(main)` reads the module's text; `inspect.getsource(main.helper)` one function's
        (form "source_of", its name kept for the plan to tell whether the split rewrites it; never a rebinding),
        and so does `getattr(main, "helper")`; `getattr(main, name)` one named at run time (form "source_of_any")."""
        first = call.args[0] if call.args else None
        if self._is_old_module(first):
            self._add(None, call, "source")
        elif name := self._name_through_alias(first):
            self._add(name, call, "source_of")
        elif isinstance(first, ast.Call) and dotted_name(first.func) == "getattr" and first.args:
            if self._is_old_module(first.args[0]):
                named = first.args[1] if len(first.args) > 1 else None
                literal = named.value if isinstance(named, ast.Constant) and isinstance(named.value, str) else None
                self._add(literal, call, "source_of" if literal else "source_of_any")

    def _record_call(self, node: ast.Call, form: str) -> None:
        keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        first = node.args[0] if node.args else keywords.get("target", keywords.get("obj"))
        built = built_target_names(first, self.targets, self.values_of, self.old_module)
        if form in ("patch", "monkeypatch") and built is not None:
            for name in built:
                self._add(name, node, form)  # f"{module_path}.x", MODULE + ".x": built from names that spell it
            return
        if form in ("patch", "monkeypatch") and self._name_in_string(first):
            self._add(self._name_in_string(first), node, form)  # string target: "pkg.main.x"
            return
        if form == "patch.multiple":
            through = self._is_old_module(first) or (isinstance(first, ast.Constant) and first.value == self.old_module)
            inner = self._name_through_alias(first) or self._name_in_string(first)
            for name in keywords.keys() - PATCH_MULTIPLE_OPTIONS if through else ():
                self._add(name, node, form)
            if inner is not None:
                self._add(inner, node, form)  # patch.multiple(main.db, ...) rebinds inside `db`
            return
        if form not in ("setattr", "monkeypatch", "patch.object"):
            return  # getattr/hasattr read, patch.dict mutates in place: neither rebinds a name
        inner = self._name_through_alias(first)
        if inner is not None:
            self._add(inner, node, form)  # setattr(main.db, "DB_PATH", p): the seam is `db`
        elif self._is_old_module(first):
            second = node.args[1] if len(node.args) > 1 else keywords.get("name", keywords.get("attribute"))
            literal = second.value if isinstance(second, ast.Constant) else None
            self._add(literal if isinstance(literal, str) else None, node, form)

    def _is_old_module(self, node: ast.AST | None) -> bool:
        return node is not None and dotted_name(node) in self.aliases


def _old_module_aliases(tree: ast.AST, old_module: str, package: str | None, source: str | None = None) -> set[str]:
    """Expressions through which this file reaches the old module: "main", "server", "pkg.main"."""
    aliases: set[str] = set()
    for node in every_statement(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == old_module:
                    aliases.add(alias.asname or old_module)
                elif alias.asname is None and alias.name.startswith(old_module + "."):
                    aliases.add(old_module)  # `import pkg.main.sub` makes `pkg.main` reachable too
        elif isinstance(node, ast.ImportFrom):
            base = resolve_from(node.module, node.level, package)
            for alias in node.names:
                if base is not None and f"{base}.{alias.name}" == old_module:
                    aliases.add(alias.asname or alias.name)
    if source is not None and not _quotes_module(source, old_module):
        return aliases  # nothing binds the module at run time
    return aliases | _dynamic_module_aliases(tree, old_module)


def _dynamic_module_aliases(tree: ast.AST, old_module: str) -> set[str]:
    """Names bound to the module object at run time: `main = importlib.import_module("pkg.main")`,
    `sys.modules["pkg.main"]`, `importlib.reload(main)`, and a function (a pytest fixture) returning one, whose
    name is then also the parameter tests receive it by (`def test_x(server): ...`) and what `x = load()` binds."""

    def yields_module(value: ast.AST | None, producers: set[str]) -> bool:
        if isinstance(value, ast.Subscript):
            key = value.slice
            return (
                dotted_name(value.value) == "sys.modules" and isinstance(key, ast.Constant) and key.value == old_module
            )
        if not isinstance(value, ast.Call):
            return False
        callee = dotted_name(value.func) or ""
        if callee.rpartition(".")[2] == "import_module":
            first = value.args[0] if value.args else None
            return isinstance(first, ast.Constant) and first.value == old_module
        return callee in producers

    aliases: set[str] = set()
    producers: set[str] = set()
    assignments, handed = _assignments_and_handovers(tree.body)  # type: ignore[attr-defined]
    for _ in range(3):  # `srv = import_module("server")` then `yield srv`; a fixture using another: a short chain
        before = len(aliases) + len(producers)
        for node in assignments:
            if yields_module(node.value, producers):
                aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for name, values in handed.items():
            if any(isinstance(v, ast.Name) and v.id in aliases or yields_module(v, producers) for v in values):
                producers.add(name)
        if len(aliases) + len(producers) == before:
            break
    return aliases | producers


def _assignments_and_handovers(body: list[ast.stmt]) -> tuple[list[ast.Assign], dict[str, list[ast.expr | None]]]:
    """Every assignment, and per function name the values it (or a function inside it) returns or yields.

    Statements only: a fixture hands a module over with `return m` or `yield m`, and walking every expression of
    every test file (three times) was most of `plan` on a repository whose tests all load the module."""
    assignments: list[ast.Assign] = []
    handed: dict[str, list[ast.expr | None]] = {}

    def visit(statements: list[ast.stmt], owners: tuple[str, ...]) -> None:
        for statement in statements:
            if isinstance(statement, ast.Assign):
                assignments.append(statement)
            hands_over, value = _handover(statement)
            for owner in owners if hands_over else ():
                handed.setdefault(owner, []).append(value)
            function = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            inner = (*owners, statement.name) if function else owners  # type: ignore[union-attr]
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(statement, field, ()):
                    visit([child] if isinstance(child, ast.stmt) else child.body, inner)

    visit(body, ())
    return assignments, handed


def _handover(statement: ast.stmt) -> tuple[bool, ast.expr | None]:
    """(True, value) for `return value`, `yield value` and `x = yield value`."""
    if isinstance(statement, ast.Return):
        return True, statement.value
    value = statement.value if isinstance(statement, (ast.Expr, ast.Assign)) else None
    return (True, value.value) if isinstance(value, ast.Yield) else (False, None)


def every_statement(body: list[ast.stmt]):
    """Every statement, nested ones included; imports are statements, so expressions need not be walked."""
    for statement in body:
        yield statement
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(statement, field, ()):
                if isinstance(child, ast.stmt):
                    yield from every_statement([child])
                else:  # an except handler or a match case: its body holds the statements
                    yield from every_statement(child.body)


# ---- helpers shared with retarget_references -------------------------------------------------------------


def dotted_name(node: ast.AST) -> str | None:
    """ "a.b.c" for a chain of attribute accesses on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def call_form(callee: str | None) -> str | None:
    """What a call does to its target, judged by the callee's dotted name.

    "setattr" (builtin setattr/delattr), "read" (builtin getattr/hasattr), "monkeypatch" (`<x>.setattr` /
    `<x>.delattr`: pytest's monkeypatch under any name), "patch.object", "patch.dict", "patch.multiple", "patch".
    """
    if callee is None:
        return None
    if callee in ("setattr", "delattr"):
        return "setattr"
    if callee in ("getattr", "hasattr"):
        return "read"
    last = callee.rsplit(".", 1)[-1]
    if "." in callee and last in ("setattr", "delattr"):
        return "monkeypatch"
    for suffix in ("object", "dict", "multiple"):
        if callee == f"patch.{suffix}" or callee.endswith(f".patch.{suffix}"):
            return f"patch.{suffix}"
    if callee == "patch" or callee.endswith(".patch"):
        return "patch"
    return None


def module_name_from_path(path: Path, root: Path) -> str | None:
    """pkg/api/server.py under root -> "pkg.api.server"; pkg/__init__.py -> "pkg"; None outside root."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or None


def package_of(module_name: str, is_package: bool) -> str:
    """The package relative imports start from: the module itself for an `__init__.py`, else its parent."""
    return module_name if is_package else module_name.rpartition(".")[0]


def resolve_from(module: str | None, level: int, package: str | None) -> str | None:
    """The absolute module of `from <level dots><module> import ...` written in `package`; None if unknown."""
    if level == 0:
        return module
    if not package:
        return None  # relative import outside a package: cannot be resolved (and would not run)
    parts = package.split(".")
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def relative_reference(target: str, package: str | None) -> tuple[int, str] | None:
    """(level, module) such that `from <level dots><module>` names `target` from `package`; None if impossible."""
    if not package:
        return None
    target_parts, package_parts = target.split("."), package.split(".")
    common = 0
    while common < min(len(target_parts), len(package_parts)) and target_parts[common] == package_parts[common]:
        common += 1
    if common == 0:
        return None  # a different top-level package: only an absolute import reaches it
    return len(package_parts) - common + 1, ".".join(target_parts[common:])
