"""A monolith's own APIRouter that serves a whole API, cut by resource instead of by position.

The Emergent-style `server.py` registers nearly every route on one `api_router = APIRouter(prefix="/api")` that the
app includes at the end: `/api/movements`, `/api/authorizations`, `/api/users`, ... Cut in source order
(planning/router_parts.py) it made `part_2.py` ... `part_12.py`, each a slice of several resources. A team cuts it
the way splitter groups the app's own routes (planning/group_assign.py): `routers/<g>/__init__.py` creates the
router, and one module per resource registers that resource's routes on it, the modules imported at the end of the
package in the order of their first routes, as the parts are. The router is the same object, so its prefix, tags
and dependencies reach every route as before, and the moved code is byte for byte (`@api_router.get` stays).

Registering a module's routes together moves each of them to where the module's first route was, and a module
reading what another binds (an endpoint calling another's) imports it, so registers it, first: the package imports
that one first too (`import_order`), and modules reading each other become one. On that order, as for the app's
groups (planning/route_order.py), a route that would match before an earlier route one request can match too
starts a module of its own (`movements_2`). Helpers only one module's routes use go beside it
(services/<g>/<module>.py). Only a router whose routes span several resources, and whose other statements come
before its first route (its creation, settings) or bind nothing after its last (`api.include_router(feature)`), is
cut so; any other keeps the cut in source order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from splitter.analysis.blocks import strongly_connected
from splitter.analysis.model import Analysis, Registration
from splitter.planning.group_assign import GroupAssigner, GroupingInput
from splitter.planning.size_split import import_sources
from splitter.planning.destination import Destination
from splitter.planning.grouping import RouteSpec, identifier, specs_overlap

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner

ROUNDS = 50  # fixes of route order and imports; a router still not settled after them is cut in source order


@dataclass
class _Module:
    key: str  # the resource it serves (a group key: `movements`, `admin/users`)
    units: list[int]  # its route units, in source order


def resource_modules(planner: _Planner, units: list[int], router: str) -> list[tuple[str, list[int]]] | None:
    """(module name, its route units in source order) per module, in import order, for the block of the monolith's
    APIRouter `router`; None when the router is not cut by resource (it serves one resource, or its other
    statements sit among its routes, or its routes cannot be settled)."""
    analysis = planner.analysis
    routes = [u for u in units if analysis.units[u].route_owner == router]
    if not routes or not _only_routes_after_creation(planner, units, routes, router):
        return None
    keys = _resource_keys(planner, routes, router)
    if len({key.split("/")[0] for key in keys.values()}) < 2:
        return None  # one resource: a cut in source order reads as well
    line = {u: analysis.units[u].first_line for u in routes}
    by_key: dict[str, list[int]] = defaultdict(list)
    for index in sorted(routes, key=line.__getitem__):
        by_key[keys[index]].append(index)
    modules = sorted((_Module(key, members) for key, members in by_key.items()), key=lambda m: line[m.units[0]])
    _merge_cycles(planner, modules, line)
    for _ in range(ROUNDS):
        modules = [modules[k] for k in import_order(analysis, [m.units for m in modules])]
        later = _first_out_of_order(planner, modules, router)
        if later is None:
            return _named(planner, modules)
        if not _split_at(modules, later, line):
            return None  # its module registers early because another imports it: a cut in source order is safe
        _merge_cycles(planner, modules, line)
    return None


def import_order(analysis: Analysis, modules: list[list[int]]) -> list[int]:
    """The indices of a package's modules (their units) in the order it imports them, and so registers their
    routes: by first line, each after the modules it reads names from (its own imports would load those first)."""
    binder = {name: k for k, units in enumerate(modules) for u in units for name in analysis.units[u].binds}
    reads = [
        sorted({binder[n] for u in units for n in analysis.units[u].uses if binder.get(n, k) != k})
        for k, units in enumerate(modules)
    ]
    first = [min((analysis.units[u].first_line for u in units), default=0) for units in modules]
    order: list[int] = []
    seen: set[int] = set()

    def visit(k: int) -> None:
        if k in seen:
            return
        seen.add(k)
        for other in sorted(reads[k], key=first.__getitem__):
            visit(other)
        order.append(k)

    for k in sorted(range(len(modules)), key=first.__getitem__):
        visit(k)
    return order


def _only_routes_after_creation(planner: _Planner, units: list[int], routes: list[int], router: str) -> bool:
    """The block holds this router alone, and its statements other than routes come before its first route (its
    creation, settings), or after its last binding nothing (`api.include_router(feature_router)`): they stay in
    the package's __init__.py, which runs them before its modules register their routes, or after."""
    analysis = planner.analysis
    first_route = min(analysis.units[u].first_line for u in routes)
    last_route = max(analysis.units[u].first_line for u in routes)
    others = [analysis.units[u] for u in units if u not in set(routes) and not analysis.units[u].is_copied]
    if any(first_route < u.first_line and (u.first_line < last_route or u.binds) for u in others):
        return False
    route_names = {n for u in routes for n in analysis.units[u].binds}
    if any(u.uses & route_names for u in others):
        return False  # the package would import a module before it creates the router
    inside = set(units)
    owners = {r.owner for r in analysis.registrations if r.unit in inside}
    routers_inside = [name for name, index in analysis.local_routers.items() if index in inside]
    return owners <= {router} and routers_inside == [router]


def _resource_keys(planner: _Planner, routes: list[int], router: str) -> dict[int, str]:
    """route unit -> its group key, grouped as the app's routes are: by the paths they serve under the router's
    prefix (`/api/movements/{id}` -> `movements`), small resources beside the one they share helpers with, a
    resource too big for a file cut by sub-resource (`admin/users`)."""
    analysis, options = planner.analysis, planner.options
    prefix = analysis.local_router_prefixes.get(router, "")
    imported = {i.bound for u in analysis.units if u.is_copied for i in u.imports if i.name is not None}
    known = set(planner.binder) | imported
    route_set = set(routes)
    paths: dict[int, list[str | None]] = defaultdict(list)
    for registration in analysis.registrations:
        if registration.owner == router and registration.unit in route_set:
            paths[registration.unit].append(prefix + registration.path if registration.path is not None else None)
    inputs = []
    for index in routes:
        unit = analysis.units[index]
        uses = frozenset(unit.uses & known) - {router}
        inputs.append(GroupingInput(index, paths[index], [unit.name], unit.footprint, unit.first_line, uses, prefix))
    assigner = GroupAssigner(
        inputs, options.skip_segments, options.max_lines, options.min_endpoints, import_sources=import_sources(analysis)
    )
    return assigner.run().group_of


def _merge_cycles(planner: _Planner, modules: list[_Module], line: dict[int, int]) -> None:
    """Modules that read each other's names (endpoints calling each other) would import each other: one module.
    So are modules binding one name (two routes' functions named alike): a name has one home."""
    units = planner.analysis.units
    binders: dict[str, set[int]] = defaultdict(set)
    for k, module in enumerate(modules):
        for u in module.units:
            for name in units[u].binds:
                binders[name].add(k)
    edges = {
        k: {b for u in module.units for n in {*units[u].uses, *units[u].binds} for b in binders.get(n, ()) if b != k}
        for k, module in enumerate(modules)
    }
    merged = []
    for component in strongly_connected(list(range(len(modules))), edges):
        first = min(component, key=lambda k: line[modules[k].units[0]])
        members = sorted((u for k in component for u in modules[k].units), key=line.__getitem__)
        merged.append(_Module(modules[first].key, members))
    modules[:] = sorted(merged, key=lambda m: line[m.units[0]])


def _first_out_of_order(planner: _Planner, modules: list[_Module], router: str) -> int | None:
    """The first route unit that, registered with its module in import order, would come before an earlier route one
    request can match too (first match wins)."""
    rank = {u: k for k, module in enumerate(modules) for u in module.units}
    registered = [
        (r.unit, (rank[r.unit], position), _specs(r))
        for position, r in enumerate(planner.analysis.registrations)
        if r.owner == router and r.unit in rank
    ]
    for i, (_unit, landing_a, specs_a) in enumerate(registered):
        for unit, landing_b, specs_b in registered[i + 1 :]:
            if landing_b < landing_a and any(specs_overlap(a, b) for a in specs_a for b in specs_b):
                return unit
    return None


def _split_at(modules: list[_Module], unit: int, line: dict[int, int]) -> bool:
    """The module of `unit` from it on becomes a module of its own, registered where `unit` was. False when `unit`
    starts its module already (it registers early because an earlier module imports it)."""
    module = next(m for m in modules if unit in m.units)
    if module.units[0] == unit:
        return False
    rest = [u for u in module.units if line[u] >= line[unit]]
    module.units = [u for u in module.units if line[u] < line[unit]]
    modules.append(_Module(module.key, rest))
    modules.sort(key=lambda m: line[m.units[0]])
    return True


def _specs(registration: Registration) -> list[RouteSpec]:
    return [RouteSpec(registration.path, frozenset(registration.methods or ()) or None)]


def _named(planner: _Planner, modules: list[_Module]) -> list[tuple[str, list[int]]]:
    """Each module named after its resource (`admin/users` -> `admin_users`), a later one of the same resource
    `movements_2`; never a name the monolith binds or a builtin (importing the module would set that name in the
    package's __init__.py), so `users_routes` then."""
    from splitter.planning.planner import BUILTINS, _bound_names

    avoid = _bound_names(planner) | BUILTINS
    taken: set[str] = set()
    named = []
    for module in modules:
        wanted = identifier(module.key)
        wanted = f"{wanted}_routes" if wanted in avoid else wanted
        name = identifier(wanted, taken | avoid)
        taken.add(name)
        named.append((name, module.units))
    return named


def helpers_beside_their_modules(planner: _Planner, package: str, modules: list[tuple[str, list[int]]]) -> None:
    """Helpers and models that only one resource module's routes use, directly or through other such helpers, go to
    services/<package>/<module>.py beside them, as each of the app's groups keeps its own; the rest stay in the
    package's services module (several modules, the router's creation, or code elsewhere use them)."""
    home = Destination.service(package)
    candidates = [b.id for b in planner.blocks if planner.dest.get(b.id) == home]
    module_of = {u: name for name, units in modules for u in units}
    placed: dict[int, str] = {}
    for component in reversed(strongly_connected(candidates, planner.deps)):  # users before what they use
        owners = _owners(planner, component, module_of, placed, home)
        if len(owners) == 1 and "" not in owners:
            module = owners.pop()
            for block in component:
                placed[block] = module
                planner.dest[block] = Destination.service(f"{package}.{module}")


def _owners(
    planner: _Planner, component: list[int], module_of: dict[int, str], placed: dict[int, str], home: Destination
) -> set[str]:
    """The resource modules whose code uses these blocks; "" for any other user (the package itself, elsewhere)."""
    inside = set(component)
    names = {n for b in component for n in planner.blocks[b].binds}
    owners: set[str] = set()
    for user in {u for b in component for u in planner.users[b]} - inside:
        if planner.dest.get(user) == home:
            owners.add(placed.get(user, ""))
            continue
        readers = [u for u in planner.blocks[user].units if planner.analysis.units[u].uses & names]
        owners |= {module_of.get(u, "") for u in readers} or {""}
    return owners
