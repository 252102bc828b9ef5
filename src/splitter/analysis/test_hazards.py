"""Places in a repository's tests that see a split even when every name still resolves: the plan names them.

- Reading the app's route list (`len(app.routes)`, `[r.path for r in app.routes]`): FastAPI 0.137 and later keep
  an included router as one entry of `app.routes`, so after the split that list holds the routers, not the routes
  the monolith registered on the app itself. The monolith's own code reading it sees the same
  (analysis/route_list_reads.py).
- Importing the monolith again as a new module (`del sys.modules["pkg.main"]`, then import it): it creates a
  second app. The split modules run again in place (docs/design.md), so code that reads the app at call time reads
  the newest one, also when a test still sends requests to the app it imported first.

`ast` only, and only for files whose text has the words these need.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from splitter.analysis.module_mentions import could_reference
from splitter.analysis.patched_names import _old_module_aliases, dotted_name, every_statement, resolve_from
from splitter.analysis.top_level_chunks import NotCut, statements_mentioning

ROUTES = "routes"
FRESH_IMPORT = "fresh import"


class Hazard(NamedTuple):
    file: str
    line: int
    kind: str  # ROUTES or FRESH_IMPORT
    shown: str  # the expression as written: `app.routes`, `sys.modules["pkg.main"]`
    target: str = ""  # ROUTES: the monolith's name whose route list it reads (the app, if it is the app's)


def find_hazards(sources: Iterable[tuple[Path, str]], old_module: str, package_for) -> list[Hazard]:
    """`package_for(path)`: the package relative imports in that file start from (None outside one). Runs with
    the repository scan, before the monolith's analysis says which name is the app: each route read records the
    monolith's name it reads, and the plan keeps those of the app."""
    found: list[Hazard] = []
    for path, text in sources:
        if "sys.modules" in text:
            found += _fresh_imports(str(path), text, old_module)
        if ".routes" in text:
            tree = _statements_to_read(text, old_module)
            if tree is not None:
                found += _route_reads(tree, str(path), old_module, package_for(path))
    return sorted(set(found), key=lambda h: (h.file, h.line, h.kind))


_DROP_BEFORE = re.compile(
    r"(?:\bdel[ \t]+sys\.modules\[\s*|\bsys\.modules\.pop\(\s*|\.delitem\(\s*sys\.modules\s*,\s*)\Z"
)


def _fresh_imports(file: str, text: str, old_module: str) -> list[Hazard]:
    """`del sys.modules["pkg.main"]`, `sys.modules.pop("pkg.main", None)`, `monkeypatch.delitem(sys.modules,
    "pkg.main")`: found by the quoted name and what precedes it (a suite resetting state this way does it in
    most of its hundred test files: a regular expression over all their text cost a tenth of a plan)."""
    found = []
    for quote in ('"', "'"):
        needle = f"{quote}{old_module}{quote}"
        position = text.find(needle)
        while position != -1:
            if _DROP_BEFORE.search(text, max(position - 60, 0), position):
                line = text.count("\n", 0, position) + 1
                found.append(Hazard(file, line, FRESH_IMPORT, f'sys.modules["{old_module}"]'))
            position = text.find(needle, position + 1)
    return found


def _statements_to_read(text: str, old_module: str) -> ast.Module | None:
    """The chunks of the file that read a route list and those importing the module (which say whose list it
    is), else the whole file; None if it does not parse. Most of a large test file does neither."""

    def wanted(_found: list[ast.stmt]):
        return lambda chunk: ".routes" in chunk or could_reference(chunk, old_module)

    try:
        return ast.Module(body=statements_mentioning(text, wanted), type_ignores=[])
    except NotCut:
        pass
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _route_reads(tree: ast.Module, file: str, old_module: str, package: str | None) -> list[Hazard]:
    modules = _old_module_aliases(tree, old_module, package)
    taken = _names_taken_from(tree, old_module, package)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "routes":
            owner = dotted_name(node.value)
            target = _monolith_name_read(owner, modules, taken) if owner else None
            if target:
                found.append(Hazard(file, node.lineno, ROUTES, f"{owner}.routes", target))
    return found


def _names_taken_from(tree: ast.Module, old_module: str, package: str | None) -> dict[str, str]:
    """Names a file imports from the old module, bound name -> the monolith's name (`app as web` -> web: app)."""
    names = {}
    for node in every_statement(tree.body):
        if isinstance(node, ast.ImportFrom) and resolve_from(node.module, node.level, package) == old_module:
            names |= {alias.asname or alias.name: alias.name for alias in node.names if alias.name != "*"}
    return names


def _monolith_name_read(owner: str, modules: set[str], taken: dict[str, str]) -> str | None:
    """The monolith's name whose route list `owner.routes` reads: `app` or `app.router` (imported from it),
    `main.app`, `main.app.router`; else None."""
    owner = owner.removesuffix(".router")
    if owner in taken:
        return taken[owner]
    for module in modules:
        rest = owner[len(module) + 1 :] if owner.startswith(module + ".") else ""
        if rest and "." not in rest:
            return rest
    return None
