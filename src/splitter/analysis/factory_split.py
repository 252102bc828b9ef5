"""An app factory that registers its routes inside itself, analysed as the module with those routes taken out.

The factory's runs of routes (analysis/factory_routes.py) become module-level `register_<resource>(app, ...)`
functions (analysis/factory_extract.py), and the module is analysed as that text: each such function is an
endpoint block with the routes it registers, grouped, placed and moved like endpoints; the factory, which makes
the app, stays in main.py and calls them. Messages name the monolith's lines as written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from splitter.analysis.ast_walk import walk
from splitter.analysis.factory_extract import Extracted, extract_runs
from splitter.analysis.factory_routes import (
    RUN_MAX_LINES,
    FactoryBody,
    FactoryRuns,
    factory_routes,
    find_app_local,
    find_factory,
    register_names,
    route_runs,
)
from splitter.analysis.factory_setup import setup_runs
from splitter.analysis.apps import split_before
from splitter.analysis.model import REGISTRAR_KEPT, Analysis, Diagnostic
from splitter.analysis.source import split_lines
from splitter.errors import SplitterError

# A registrar longer than a run of routes may be, besides the one with the most routes, is cut too: moved whole it
# is one block the planner cannot pack with others into modules under the size limit.
REGISTRAR_MAX_LINES = RUN_MAX_LINES


def factory_runs(tree: ast.Module, constants: dict[str, str]) -> FactoryRuns | None:
    """The module's app factory with its runs of routes and of set-up statements, in body order (None: no
    function makes an app and registers routes in its own body, nor hands it to one registering several
    resources' routes)."""
    found = find_factory(tree)
    if found is None:
        return _registrar_runs(tree, constants)
    factory, app, owners = found
    return _runs_of(tree, factory, app, owners, factory_routes(factory, owners, constants))


def _runs_of(
    tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef, app: str, owners: dict[str, str], routes
) -> FactoryRuns:
    body = FactoryBody(function, app)
    runs, kept = route_runs(body, routes)
    if runs:
        runs += setup_runs(body, set(routes).union(*(run.positions for run in runs)))
    runs.sort(key=lambda run: run.positions[0])
    above, before, after = _around(tree, function)
    return FactoryRuns(function, app, owners, routes, runs, kept, above, before, after=after)


def _around(tree: ast.Module, function: ast.stmt) -> tuple[int, list[ast.stmt], list[ast.stmt]]:
    """Where the module statement above `function` ends, and the module's statements above and below it."""
    index = tree.body.index(function)
    above = tree.body[index - 1].end_lineno or 0 if index else 0
    return above, tree.body[:index], tree.body[index + 1 :]


def _registrar_runs(tree: ast.Module, constants: dict[str, str]) -> FactoryRuns | None:
    """A function the app factory hands its app to that registers several resources' routes inside itself
    (nexus: `create_app()` calls `_register_routes(app)`, 2,563 lines holding 45 routes as nested definitions):
    cut like a factory's body, its parameter in the app's place. As one endpoint block it would move whole into
    one router module, however large. The one with the most routes is cut, and after it every other one too long
    to move whole (`also_cut`); a registrar of one resource stays as it is (`register_users(app)`, written by
    hand)."""
    maker = app_maker(tree, constants)
    cuttable: list[FactoryRuns] = []
    for node in tree.body if maker is not None else ():
        found = _registrar_routes(node, maker, constants)
        runs = _runs_of(tree, node, *found) if found is not None else None
        if runs is not None and sum(not run.setup for run in runs.runs) > 1:
            cuttable.append(runs)
    if not cuttable:
        return None
    cuttable.sort(key=lambda runs: -len(runs.routes))  # stable: on a tie, the first in the module
    best = cuttable[0]
    best.maker = maker.name  # type: ignore[union-attr]
    best.also_cut = [r.factory.name for r in cuttable[1:] if _lines(r.factory) > REGISTRAR_MAX_LINES]
    return best


def _lines(node: ast.stmt) -> int:
    return (node.end_lineno or node.lineno) - node.lineno + 1


def _registrar_routes(node: ast.stmt, maker: ast.stmt | None, constants: dict[str, str]):
    """(the parameter it registers routes on, owners, the routes) of a module-level function other than the
    app's maker, or None."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node is maker:
        return None
    for parameter in (a.arg for a in node.args.posonlyargs + node.args.args):
        routes = factory_routes(node, {parameter: ""}, constants)
        if routes:
            return parameter, {parameter: ""}, routes
    return None


def factory_extraction(tree: ast.Module, source: str, constants: dict[str, str], path: Path) -> Extracted | None:
    found = factory_runs(tree, constants)
    if found is None:
        return None
    if not found.runs and split_before(tree):
        return None  # earlier waves took out every route they could: what is left stays in the factory
    if not found.runs:
        line, why = found.kept[0]
        count = sum(len(registered) for registered in found.routes.values())
        raise SplitterError(
            f"holds no FastAPI app at module level: `{found.factory.name}()` makes the app and registers its {count} "
            f"route{'s' * (count != 1)} inside it, and none can be taken out: {why}",
            path,
            line,
        )
    taken = _names_in_use(source)  # and every name a cut generates: the words of each text cut from this one
    register_names(found.runs, taken)
    extracted = extract_runs(split_lines(source), found)
    extracted.kept = found.kept
    if found.maker:  # a registrar was cut: the factory is the function making the app, as for hand-written ones
        extracted.factory, extracted.cut = found.maker, (found.factory.name,)
        extracted.given_app = not any(_creates_the_app(n) for n in tree.body if getattr(n, "name", "") == found.maker)
        extracted = _cut_other_registrars(extracted, found.also_cut, constants, taken)
        hand_written = existing_registrars(extracted.tree, constants)  # type: ignore[arg-type]
        for name, routes in (hand_written.registrars if hand_written else {}).items():
            if name not in extracted.cut:  # their routes left in them are warned about, as a factory's are
                extracted.registrars.setdefault(name, routes)
        extracted = _maker_set_up(extracted, taken)
    return extracted


def _cut_other_registrars(
    extracted: Extracted, names: list[str], constants: dict[str, str], taken: set[str]
) -> Extracted:
    """The other registrars of several resources too long to move whole (`names`, the most routes first) are cut
    the same way, each from the text the cut before wrote (cognithor: `create_config_routes(app)` hands the app
    to 23 hand-written registrars, three of them 590 to 970 lines; moved whole, each would be a router module over
    the size limit). The others stay whole. Messages still name the monolith's lines."""
    for name in names:
        tree: ast.Module = extracted.tree  # type: ignore[assignment]
        node = next(n for n in tree.body if getattr(n, "name", None) == name)
        found = _runs_of(tree, node, *_registrar_routes(node, None, constants))  # type: ignore[misc, arg-type]
        register_names(found.runs, taken)
        cut = extract_runs(split_lines(extracted.source), found)
        line_map: list[int] = extracted.line_map  # type: ignore[assignment]
        cut.line_map = [0] + [line_map[line] for line in cut.line_map[1:]]  # type: ignore[index]
        cut.registrars = extracted.registrars | cut.registrars
        cut.kept = extracted.kept + [(line_map[line], why) for line, why in found.kept]
        cut.factory, cut.given_app = extracted.factory, extracted.given_app
        cut.cut = (*extracted.cut, found.factory.name)
        extracted = cut
    return extracted


def _maker_set_up(extracted: Extracted, taken: set[str]) -> Extracted:
    """Once a registrar is cut, the function making the app keeps its own set-up (nexus: middleware, the rate
    limiter, exception handlers: 178 lines of `create_app()`): its runs of set-up statements become
    `configure_app(app, ...)` as a factory's do, cut from the text the registrar's cut wrote, messages still
    naming the monolith's lines."""
    tree: ast.Module = extracted.tree  # type: ignore[assignment]  # the text's own tree (factory_extract._grafted)
    maker = next(n for n in tree.body if getattr(n, "name", None) == extracted.factory)
    app = next((name for statement in maker.body if (name := find_app_local(statement))), None)  # type: ignore[attr-defined]
    if app is None:  # given the app (a registrar module's entry): it sets nothing up to cut
        return extracted
    calls = {p for p, statement in enumerate(maker.body) if any(_calls(statement, cut) for cut in extracted.cut)}  # type: ignore[attr-defined]
    runs = setup_runs(FactoryBody(maker, app), calls)  # type: ignore[arg-type]  # the call registers: it stays
    if not runs:
        return extracted
    register_names(runs, taken)
    above, before, after = _around(tree, maker)  # type: ignore[arg-type]
    found = FactoryRuns(maker, app, {app: ""}, {}, runs, [], above, before, after=after)  # type: ignore[arg-type]
    cut = extract_runs(split_lines(extracted.source), found)
    cut.line_map = [0] + [extracted.line_map[line] for line in cut.line_map[1:]]  # type: ignore[index]
    cut.registrars, cut.factory, cut.kept, cut.cut = (
        extracted.registrars,
        extracted.factory,
        extracted.kept,
        extracted.cut,
    )
    return cut


def _calls(statement: ast.stmt, function: str) -> bool:
    calls = (n for n in walk(statement) if isinstance(n, ast.Call))
    return any(isinstance(call.func, ast.Name) and call.func.id == function for call in calls)


def existing_registrars(tree: ast.Module, constants: dict[str, str]) -> Extracted | None:
    """Module-level functions registering routes on the app they are given (`def register_items(app):
    @app.get(...)`), beside the function making the app that calls them: the shape the split of a factory's
    routes leaves, and one teams write by hand. Each is an endpoint block as is; the text stays as it is."""
    factory = app_maker(tree, constants)
    registrars = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not factory:
            for parameter in (a.arg for a in node.args.posonlyargs + node.args.args):
                routes = factory_routes(node, {parameter: ""}, constants)
                if routes:
                    registrars[node.name] = [route for registered in routes.values() for route in registered]
                    break
    if factory is None or not registrars:
        return None
    return Extracted("", None, registrars, factory.name, given_app=not _creates_the_app(factory))


def app_maker(tree: ast.Module, constants: dict[str, str]) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The module-level function that makes the app (`app = FastAPI(...)` in its body), else one that is given the
    app and hands it to the module's registrars (`def create_routes(app): register_users(app); ...`, a registrar
    module: the app is made elsewhere). Either stays in main.py and calls what registers the routes."""
    maker = next((n for n in tree.body if _creates_the_app(n)), None)
    return maker if maker is not None else _entry_registrar(tree, constants)


def _entry_registrar(tree: ast.Module, constants: dict[str, str]) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The module-level function handing one of its parameters to the most registrars (module-level functions
    registering routes on a parameter), itself registering none; None when no function hands one on."""
    registrars = {n.name for n in tree.body if _registrar_routes(n, None, constants) is not None}
    best, most = None, 0
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name in registrars:
            continue
        parameters = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
        handed = {
            call.func.id
            for call in walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id in registrars
            and any(isinstance(a, ast.Name) and a.id in parameters for a in call.args)
        }
        if len(handed) > most:
            best, most = node, len(handed)
    return best


def _creates_the_app(node: ast.stmt) -> bool:
    """A module-level function whose own body creates a FastAPI app (`app = FastAPI(...)`)."""
    body = node.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
    return any(find_app_local(statement) for statement in body)


def _names_in_use(source: str) -> set[str]:
    """Every identifier-like word of the module (what it binds or reads, and more): a generated function's name
    shadows none of them. A word scan, not a walk of the tree: it takes a tenth of the time, and a word that is
    only in a string or comment merely moves the name to `_2`."""
    return set(_WORD.findall(source))


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def take_factory_routes(analysis: Analysis, extracted: Extracted) -> None:
    """The generated functions' routes, and a warning for each route left in the factory. Messages name lines of
    the text analysed, as all analysis does; the plan names them as the monolith has them (`lines_as_written`)."""
    analysis.factory_routes = extracted.registrars
    analysis.factory = extracted.factory
    analysis.line_map = extracted.line_map
    analysis.factory_registrars = extracted.cut
    analysis.factory_given_app = extracted.given_app
    for unit in analysis.units:
        if unit.name in extracted.cut:  # it calls every group's functions, as the factory would: it stays beside it
            unit.pinned_reason = unit.pinned_reason or REGISTRAR_KEPT
        elif unit.name == extracted.factory and extracted.given_app:  # a registrar module's entry: the factory
            unit.pinned_reason = unit.pinned_reason or "hands the app to what registers its routes (an app factory)"
    analysed_line = {}
    for line, original in enumerate(extracted.line_map or ()):
        analysed_line.setdefault(original, line)
    for line, why in extracted.kept:
        analysis.diagnostics.append(Diagnostic("factory-route-kept", analysed_line.get(line, line), why))


def lines_as_written(analysis: Analysis, messages: list[str]) -> list[str]:
    """Messages naming `path:line` of the analysed text, naming the monolith's line as written instead."""
    if analysis.line_map is None:
        return messages
    pattern = re.compile(rf"^({re.escape(str(analysis.path))}:)(\d+):")

    def as_written(match: re.Match) -> str:
        return f"{match[1]}{analysis.original_line(int(match[2]))}:"

    return [pattern.sub(as_written, text) for text in messages]
