"""The compatibility module: names that moved out of the monolith stay reachable as `main.NAME`.

Tests and helpers reach the monolith's names in ways no static rewrite can find: `getattr(main, name)` in a
parametrized test, `sys.modules["main"].require_user`, a module object returned by a fixture
(`server = importlib.import_module("server")`). Hand-split teams kept the old module as a façade; this is that
façade, generated: the monolith's module object gets a subclass with one property per moved name, whose reads,
writes and deletes go to the module where the name lives now, so `monkeypatch.setattr(main, "get_settings", fake)` still
patches what the moved code looks up (seams are read through their home module).
"""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from splitter.emit import nodes
from splitter.emit.prose import refilled
from splitter.analysis.model import FORWARD_FUNCTION, Analysis
from splitter.analysis.scopes import statement_facts
from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import CORE, MAIN, Destination
from splitter.planning.layout import Destinations, compat_part_name

_TEMPLATE = '''\
"""Names moved out of {source} {marker}: still attributes of {module}.

Reading, setting or patching one of them through {module} reaches
the module where it lives now.
"""

import gc
import importlib
import sys
import types
from importlib.machinery import ModuleSpec

HOMES = {{
{homes}
}}
{parts}{in_place}
# Written for {module}; the same files may be imported under another package name
# too (`backend.app.main` from the repository's root, `app.main` from backend/):
# each home is reached in the package this module itself was imported from.
_PLANNED = "{package}"
_PACKAGE = __name__.rpartition(".")[0]


def _here(dotted):
    if _PLANNED and not dotted.startswith(_PLANNED + "."):
        return dotted  # not a module of the package
    rest = dotted[len(_PLANNED) + 1 :] if _PLANNED else dotted
    return f"{{_PACKAGE}}.{{rest}}" if _PACKAGE else rest


{parts_load}HOMES = {{_here(home): names for home, names in HOMES.items()}}
{in_place_here}_HOME_OF = {{n: m for m, names in HOMES.items() for n in names.split()}}
_MAIN = _here("{module}")


def _forwarded(name, home):
    """A data descriptor: monkeypatch and mock.patch restore through it."""

    def read(module):
        return getattr(importlib.import_module(home), name)

    def write(module, value):
        setattr(importlib.import_module(home), name, value)

    def delete(module):
        delattr(importlib.import_module(home), name)

    return property(read, write, delete)


_ForwardingModule = type(
    "_ForwardingModule",
    (types.ModuleType,),
    {{name: _forwarded(name, home) for name, home in _HOME_OF.items()}},
)


class _RunAgain:
    """A second import (or a reload) of {module} re-ran all of its
    import-time code: the modules split out of it run again too, in the module
    objects that tests and the old app already hold, in the order {module}
    imports them."""

    def __init__(self):
        self.loaded = False
        self.waiting = {{}}

    def find_spec(self, name, path=None, target=None):
        if name == _MAIN and self.loaded:
            for home in HOMES:
                self._forget(home)
        elif name in self.waiting:
            return ModuleSpec(name, self, origin=self.waiting[name][1].origin)
        return None

    def _forget(self, home):
        module = sys.modules.pop(home, None)
        if module is None:
            return
        self.waiting[home] = (module, module.__spec__)
        package, _, leaf = home.rpartition(".")
        holder = sys.modules.get(package)
        if holder is None:  # forgotten before its parts: it still holds them
            holder = self.waiting.get(package, [None])[0]
        if getattr(holder, leaf, None) is module:
            # so that `from pkg import leaf` imports it again
            delattr(holder, leaf)

    def create_module(self, spec):
        return self.waiting[spec.name][0]

    def exec_module(self, module):
        module.__spec__ = spec = self.waiting.pop(module.__name__)[1]
        spec.loader.exec_module(module)

    def run_again_for(self, main):
        """{module}'s file ran again under another name (a test's
        spec_from_file_location): its imports found the split modules loaded,
        so they run again now, and what it took from them is taken again."""
        loaded = [home for home in HOMES if home in sys.modules]
        before = {{home: dict(vars(sys.modules[home])) for home in loaded}}
        for home in loaded:
            self._forget(home)
{reimport}        namespace = vars(main)
        for name, value in list(namespace.items()):
            homes = [h for h in loaded if before[h].get(name, _GONE) is value]
            if homes:
                namespace[name] = getattr(sys.modules[homes[0]], name, value)


_GONE = object()
_RUN_AGAIN = _RunAgain()
sys.meta_path.insert(0, _RUN_AGAIN)


def _running_module(module_name, namespace):
    """The module running {module}'s code: the one registered under its name, else
    a file a test executed without registering it (`module_from_spec`, then
    `exec_module`), found as the module object holding that namespace."""
    module = sys.modules.get(module_name)
    if module is not None and vars(module) is namespace:
        return module
    for found in gc.get_referrers(namespace):
        if isinstance(found, types.ModuleType) and vars(found) is namespace:
            return found
    raise LookupError(module_name)


def {function}(module_name):
    module = _running_module(module_name, sys._getframe(1).f_globals)
    if _RUN_AGAIN.loaded and module_name != _MAIN:
        _RUN_AGAIN.run_again_for(module)
    module.__class__ = _ForwardingModule
    _RUN_AGAIN.loaded = True
'''


_REIMPORT = """\
        for home in loaded:
            importlib.import_module(home)
"""
_REIMPORT_NOT_IN_PLACE = """\
        loaded = [home for home in loaded if home not in IN_PLACE]  # main runs those
        for home in loaded:
            importlib.import_module(home)
"""


_ROUTES_AS_REGISTERED = '''

def routes_as_registered(routes):
    """A route list as {module} registered it. FastAPI 0.137 and later keep an
    included router as one entry: each router the split made is listed as its
    routes, the objects FastAPI serves them from. The app's own entries, and
    routers {module} included itself, stay as they are."""
    from fastapi.routing import APIRouter

    made = {{
        id(router)
        for home in HOMES
        for name, router in getattr(sys.modules.get(home), "__dict__", {{}}).items()
        if name not in _HOME_OF and isinstance(router, APIRouter)
    }}
    if not any(id(getattr(route, "original_router", None)) in made for route in routes):
        return routes
    listed = []
    for route in routes:
        router = getattr(route, "original_router", None)
        listed += routes_as_registered(router.routes) if id(router) in made else [route]
    return listed
'''


_PARTS = """\
# The rest of the table: modules of its own, each file under the size limit.
PARTS = (
{listed})
"""
_PARTS_LOAD = """\
for _part in PARTS:
    _more = importlib.import_module(f"{_PACKAGE}.{_part}" if _PACKAGE else _part)
    HOMES.update(_more.HOMES)


"""
_PART_TEMPLATE = '''\
"""Names moved out of {source} {marker}, by the module they live in now: part of
the table of {compat}.py, which keeps them attributes of {module}.
"""

HOMES = {{
{homes}
}}
'''


def compat_source(
    homes: dict[str, list[str]],
    source: str,
    module: str,
    marker: str,
    line_length: int = 88,
    in_place: list[str] = (),
    route_reads: bool = False,
    parts: Sequence[str] = (),
) -> str:
    """The module text. `homes`: dotted home module -> names that now live there; `in_place`: those of them
    main.py imports at a place of its own to run app setup there (planning/app_setup_runs.py), which a re-run
    must leave to main.py; `parts`: the modules holding the rest of the table (`compat_modules`). Lines stay
    within the project's line length, in the layout ruff format and black keep."""
    return _compat_text(_entries(homes, line_length), source, module, marker, line_length, in_place, route_reads, parts)


def compat_modules(
    homes: dict[str, list[str]],
    source: str,
    module: str,
    marker: str,
    line_length: int,
    in_place: list[str],
    route_reads: bool,
    limits: tuple[int | None, str],
) -> dict[str, str]:
    """Module name -> text: the compatibility module `limits[1]`, and when its table would take it to the size
    limit `limits[0]` (oompah's 1,000 moved names: 586 lines), the parts of the table in modules of their own,
    `<compat>_homes`, `<compat>_homes_2`, ..., each under the limit; compat.py reads them when it is imported."""
    max_lines, stem = limits
    entries = _entries(homes, line_length)
    text = _compat_text(entries, source, module, marker, line_length, in_place, route_reads, ())
    one_part = _compat_text([], source, module, marker, line_length, in_place, route_reads, [stem])
    if max_lines is None or _lines(text) < max_lines or _lines(one_part) >= max_lines:
        return {stem: text}  # under the limit, or a limit its fixed part alone passes: one module, warned
    for count in range(1, len(entries) + 1):
        names = [compat_part_name(stem, number) for number in range(1, count + 1)]
        empty = _compat_text([], source, module, marker, line_length, in_place, route_reads, names)
        part = _PART_TEMPLATE.format(source=source, marker=marker, compat=stem, module=module, homes="")
        packed = _packed(entries, max_lines - _lines(empty), max_lines - _lines(refilled(part, line_length)))
        if len(packed) - 1 <= count:
            break
    names = [compat_part_name(stem, number) for number in range(1, len(packed))]
    texts = {stem: _compat_text(packed[0], source, module, marker, line_length, in_place, route_reads, names)}
    for name, held in zip(names, packed[1:], strict=True):
        fields = {"source": source, "marker": marker, "compat": stem, "module": module, "homes": "\n".join(held)}
        texts[name] = refilled(_PART_TEMPLATE.format(**fields), line_length).replace("{\n\n}", "{}")
    return texts


def _lines(text: str) -> int:
    return text.count("\n") + (not text.endswith("\n") and bool(text))


def _packed(entries: list[str], first_room: int, room: int) -> list[list[str]]:
    """The entries in source order, as many as fit in `first_room` lines (the compatibility module's table),
    then in parts of `room` lines each. An entry longer than a part has one of its own."""
    packed: list[list[str]] = [[]]
    free = first_room - 1  # under the limit, not at it
    for entry in entries:
        lines = entry.count("\n") + 1
        if lines > free and (packed[-1] or len(packed) == 1):
            packed.append([])
            free = room - 1
        packed[-1].append(entry)
        free -= lines
    return packed


def _entries(homes: dict[str, list[str]], line_length: int) -> list[str]:
    """The table's entries, one a home module: `    "home": "names",` or its names in pieces over lines."""
    entries = []
    for home in sorted(homes):
        names = " ".join(sorted(set(homes[home])))
        # One string when it fits on its own line (ruff format joins the pieces of one that does), else pieces
        # that each fit with their trailing space: `        "name name "`.
        fits = len(names) + 10 <= line_length
        wrapped = [names] if fits else textwrap.wrap(names, width=max(line_length - 11, 20), break_on_hyphens=False)
        if len(wrapped) == 1 and len(f'    "{home}": "{wrapped[0]}",') <= line_length:
            entries.append(f'    "{home}": "{wrapped[0]}",')
            continue
        lines = [f'        "{chunk} "' for chunk in wrapped[:-1]] + [f'        "{wrapped[-1]}"']
        entries.append(f'    "{home}": (\n' + "\n".join(lines) + "\n    ),")
    return entries


def _compat_text(
    entries: list[str],
    source: str,
    module: str,
    marker: str,
    line_length: int,
    in_place: Sequence[str],
    route_reads: bool,
    parts: Sequence[str],
) -> str:
    table = "".join(f'    "{home}",\n' for home in sorted(in_place))
    routes = _ROUTES_AS_REGISTERED.format(module=module) if route_reads else ""
    listed = "".join(f'    "{part}",\n' for part in parts)
    return refilled(
        _TEMPLATE.format(
            source=source,
            module=module,
            marker=marker,
            homes="\n".join(entries),
            parts=_PARTS.format(listed=listed) if parts else "",
            parts_load=_PARTS_LOAD if parts else "",
            function=FORWARD_FUNCTION,
            in_place=f"IN_PLACE = (\n{table})\n" if in_place else "",
            package=module.rpartition(".")[0],
            in_place_here="IN_PLACE = tuple(map(_here, IN_PLACE))\n" if in_place else "",
            reimport=_REIMPORT_NOT_IN_PLACE if in_place else _REIMPORT,
        )
        + routes,
        line_length,
    ).replace("HOMES = {\n\n}", "HOMES = {}")  # every entry in the parts


def forward_call(alias: str):
    """`compat.forward_moved_names(__name__)`, the one line main.py runs."""
    return nodes.method_call(alias, FORWARD_FUNCTION, "__name__")


def existing_homes(path: Path) -> dict[str, list[str]]:
    """The HOMES table of a compatibility module an earlier apply (an earlier wave) wrote, its parts' included,
    else empty."""
    homes: dict[str, list[str]] = {}
    parts = _literal(path, "PARTS") or ()
    for source in [path] + [path.with_name(f"{part}.py") for part in parts if isinstance(part, str)]:
        for home, names in (_literal(source, "HOMES") or {}).items():
            homes.setdefault(home, []).extend(names.split())
    return homes


def _literal(path: Path, name: str) -> object:
    """The value of the module-level `name = <literal>` of a generated module, else None."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
    return None


def moved_homes(
    analysis: Analysis, placement: dict[int, Destination], seam_homes: dict[str, Destination], where: Destinations
) -> dict[str, list[str]]:
    """Dotted home module -> the monolith's names that now live there (moved definitions and seams)."""
    homes: dict[str, list[str]] = {}
    for index, destination in sorted(placement.items()):
        if destination != MAIN:
            dotted = where.dotted(destination, analysis.module_name)
            homes.setdefault(dotted, []).extend(analysis.units[index].binds)
    kept = {n for index, destination in placement.items() if destination == MAIN for n in analysis.units[index].binds}
    for name, home in seam_homes.items():
        if home != MAIN and name not in analysis.app_names and name != "__file__" and name not in kept:
            homes.setdefault(where.dotted(home, analysis.module_name), []).append(name)
    # a setup module binding nothing is still listed: a second import of main.py must run it again
    in_place = {where.dotted(d, analysis.module_name) for d in placement.values() if is_app_setup(d)}
    return {home: names for home, names in homes.items() if names or home in in_place}


def imports_now_elsewhere(
    analysis: Analysis,
    placement: dict[int, Destination],
    main_text: str,
    where: Destinations,
    homes: dict[str, list[str]],
) -> dict[str, list[str]]:
    """Names the monolith imported that main.py no longer does (`server.sloppak_mod` in a test): a module that
    still imports one, core first, lends it to the compatibility module. Names already in `homes` keep theirs
    (seams are read through core everywhere, so the modules using them do not import them)."""
    main_binds = set().union(*(statement_facts(node).binds for node in ast.parse(main_text).body))
    skip = main_binds | {name for names in homes.values() for name in names}
    users: dict[str, set[Destination]] = defaultdict(set)
    for index, destination in placement.items():
        if destination != MAIN:
            for name in analysis.units[index].uses:
                users[name].add(destination)
    lent: dict[str, list[str]] = {}
    for unit in analysis.units:
        for imported in unit.imports if unit.is_copied else ():
            name = imported.bound
            if imported.name != "*" and name not in skip and users.get(name):
                skip.add(name)
                # not a setup module if another will do: reading the name must not be what first runs it
                home = min(users[name], key=lambda d: (d != CORE, is_app_setup(d), d))
                lent.setdefault(where.dotted(home, analysis.module_name), []).append(name)
    return lent
