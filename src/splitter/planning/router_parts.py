"""A monolith's own APIRouter with more routes than one file holds: a package, its routes cut in source order.

`utility_router = APIRouter()` and its routes move together (one block), so a router with 40 routes made one file of
1,000 lines. Cut as a team cuts it by hand (the blueprint idiom): `routers/utility/__init__.py` creates the router
and holds its first routes, and ends by importing `part_2`, `part_3`, ..., which import the router from the package
and register the following routes on it. Importing the package registers every route, in source order, before
anything can include the router, so its route table and OpenAPI are what they were.

Cut only where it is a pure move: each part stays under the size limit, and no part reads a name a later part binds
(its import would run before that part exists). A single statement bigger than a file stays whole, and the plan's
note names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from splitter.planning.destination import Destination, Role
from splitter.planning.router_resources import helpers_beside_their_modules, resource_modules

if TYPE_CHECKING:
    from splitter.analysis.blocks import Block
    from splitter.planning.planner import _Planner

PART = "part"
HEADER_LINES = 40  # a router module's docstring and imports, roughly


def cut_routers_by_resource(planner: _Planner) -> None:
    """Cut each oversized block of a monolith's APIRouter that serves several resources into a module per resource
    of its group's package (planning/router_resources.py), each with the helpers only it uses. Before helper modules
    are cut to size: those it leaves to the package are fewer."""
    for block, destination in _oversized_routers(planner):
        modules = resource_modules(planner, block.units, block.router_var)
        if modules is not None:
            _cut_by_resource(planner, block, destination, modules)
            helpers_beside_their_modules(planner, destination.name, modules)


def split_local_routers(planner: _Planner) -> None:
    """Cut each oversized block of a monolith's APIRouter not cut by resource into parts of its group's package."""
    budget = int(planner.options.max_lines * 0.8)  # each part: room for the header and imports
    for block, destination in _oversized_routers(planner):
        parts = _parts(planner, block.units, budget)
        if len(parts) < 2:
            continue
        for number, part in enumerate(parts[1:], start=2):
            for unit in part:
                planner.unit_dest[unit] = Destination.router(f"{destination.name}.{PART}_{number}")
        planner.split_routers.add(block.id)


def _oversized_routers(planner: _Planner) -> list[tuple[Block, Destination]]:
    """The blocks of the monolith's APIRouters too big for a file with their imports, not cut yet, and their
    groups' routers."""
    whole = planner.options.max_lines - HEADER_LINES  # a router that fits its file with its imports stays whole
    found = []
    for block in planner.blocks:
        destination = planner.dest.get(block.id)
        if not block.router_var or destination is None or destination.role is not Role.ROUTER:
            continue
        if "." not in destination.name and block.lines > whole and block.id not in planner.split_routers:
            found.append((block, destination))
    return found


def _cut_by_resource(
    planner: _Planner, block: Block, destination: Destination, modules: list[tuple[str, list[int]]]
) -> None:
    """A router serving several resources (`api_router`, prefix `/api`): a module per resource instead of parts in
    source order."""
    router = block.router_var
    for name, units in modules:
        module = Destination.router(f"{destination.name}.{name}")
        for unit in units:
            planner.unit_dest[unit] = module
        planner.part_reasons[module.name] = [
            f"routes of the monolith's own APIRouter `{router}` for {_resources(planner, units, router)}, registered "
            f"on it when the package `{destination.name}` imports this module"
        ] + _renamed(planner, name)
    planner.split_routers.add(block.id)


def _renamed(planner: _Planner, name: str) -> list[str]:
    from splitter.planning.planner import BUILTINS, _bound_names

    base = name.removesuffix("_routes")
    if base == name or base not in _bound_names(planner) | BUILTINS:
        return []
    return [
        f"named `{name}`: importing a module `{base}` of the package would replace that name (a global, an import "
        "or a builtin) in the package's __init__.py"
    ]


def _resources(planner: _Planner, units: list[int], router: str) -> str:
    """`/api/movements, /api/movements/import`: the resource prefixes of these routes as served."""
    from splitter.planning.group_assign import resource_prefix

    prefix = planner.analysis.local_router_prefixes.get(router, "")
    unit_set = set(units)
    paths = {
        resource_prefix(prefix + r.path, planner.options.skip_segments)
        for r in planner.analysis.registrations
        if r.unit in unit_set and r.owner == router and r.path is not None
    }
    return ", ".join(sorted(paths)) or "routes with computed paths"


def _parts(planner: _Planner, units: list[int], budget: int) -> list[list[int]]:
    analysis = planner.analysis
    parts: list[list[int]] = [[]]
    size = 0
    router_only = {i for i in units if set(analysis.units[i].binds) & set(analysis.local_routers)}
    for index in sorted(units, key=lambda i: analysis.units[i].first_line):
        lines = analysis.units[index].footprint
        if parts[-1] and size + lines > budget and not set(parts[-1]) <= router_only:
            parts.append([])
            size = 0
        parts[-1].append(index)
        size += lines
    while len(parts) > 1 and _reads_ahead(planner, parts):
        parts = _merged_where_read_ahead(planner, parts)
    return parts


def _binds(planner: _Planner, part: list[int]) -> set[str]:
    return {n for i in part for n in planner.analysis.units[i].binds}


def _reads_ahead(planner: _Planner, parts: list[list[int]]) -> bool:
    return any(_reading(planner, parts, k) is not None for k in range(len(parts)))


def _reading(planner: _Planner, parts: list[list[int]], k: int) -> int | None:
    """The first later part whose names part k reads, or binds again (4th-Dimension's two `get_project_tasks`
    routes: each registers its route, the module keeps the last; one name has one home), if any."""
    uses = {n for i in parts[k] for n in planner.analysis.units[i].uses} | _binds(planner, parts[k])
    for later in range(k + 1, len(parts)):
        if uses & _binds(planner, parts[later]):
            return later
    return None


def _merged_where_read_ahead(planner: _Planner, parts: list[list[int]]) -> list[list[int]]:
    for k in range(len(parts)):
        later = _reading(planner, parts, k)
        if later is not None:
            merged = [i for part in parts[k : later + 1] for i in part]
            return parts[:k] + [merged] + parts[later + 1 :]
    return parts
