"""Code that calls an endpoint lives beside it in a router (docs/design.md, "Layering"); these decide what that
does to the code using it, so that the layers core <- shared <- services <- routers never import upward."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from splitter.planning.destination import Destination, Role

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner


def keep_users_above(planner: _Planner, component: list[int], router: Destination, below: set[Destination]) -> None:
    """It calls an endpoint, so it lives beside it in `router`, yet code below the routers uses it: that module
    would import a router that imports it (an import cycle). Definitions among those users follow it into the
    router (a class typed with it, a helper calling it), and so on up; the import-time work that uses them
    stays in main.py (which may import anything), and with it whatever uses that. Pinning the caller instead
    kept it and everything using it in main.py."""
    caller = planner.blocks[component[0]].name
    lower = sorted(below)[0]
    why = f"in {lower} it would import that router, which imports {lower} (an import cycle)"
    calls = _what_ties_it_to(planner, component, router)
    lifted, reasons = set(component), {}
    stack = [(u, component[0]) for u in _users_below(planner, component, router, below)]
    while stack:
        user, used = stack.pop()
        if user in lifted or user in reasons:
            continue
        block = planner.blocks[user]
        if _definitions_only(planner, user) and not block.is_hook:
            lifted.add(user)
            planner.dest[user] = router
            stack += [(u, user) for u in _users_below(planner, [user], router)]
        elif used == component[0]:
            reasons[user] = f"it uses `{caller}`, which {calls}; {why}"
        else:
            needs = f"which needs `{caller}`: `{caller}` {calls}"
            reasons[user] = f"it uses `{planner.blocks[used].name}`, {needs}; {why}"
    if reasons:
        planner.held_back.update(component)
    planner.pin_closure(sorted(reasons), reasons, name_roots=True)


def _definitions_only(planner: _Planner, block_id: int) -> bool:
    """Definitions (with the values `global` ties to them) and nothing that runs at import time. A function whose
    body builds paths from `__file__` counts: moved a folder down it reads `core.__file__` (research-agent's
    launch_run_in_tmux stayed in main.py, and with it four endpoints calling it)."""
    block = planner.blocks[block_id]
    units = [planner.analysis.units[u] for u in block.units]
    return block.is_definition and all(not u.impure or u.kind in ("function", "class") for u in units)


def _what_ties_it_to(planner: _Planner, component: list[int], router: Destination) -> str:
    """Why the component must sit beside (or above) `router`, told by the statement that reads a name living
    there: "calls the endpoint `detect` in routers.cluster", or, when that statement is tied to the name by
    `global` (a `main()` rebinding it), "moves with `main`, whose `global` statement rebinds it, and `main` uses
    `cluster_state`, which lives in routers.cluster beside the endpoints that use it"."""
    units = planner.analysis.units
    there = {d for b in component for d in planner.deps[b] if d not in component and planner.dest.get(d) == router}
    names_there = {name: d for d in sorted(there) for name in planner.blocks[d].binds}
    caller = planner.blocks[component[0]].name
    for unit in (units[u] for b in component for u in planner.blocks[b].units):
        used = sorted(unit.uses & names_there.keys())
        if not used:
            continue
        endpoints = [n for n in used if _is_endpoint(planner, names_there[n], n)]
        what = (
            f"the endpoint `{endpoints[0]}` in {router}"
            if endpoints
            else f"`{used[0]}`, which lives in {router} beside the endpoints that use it"
        )
        verb = "calls" if endpoints else "uses"
        if unit.name == caller or caller not in unit.rebinds_globals:
            return f"{verb} {what}"
        return f"moves with `{unit.name}`, whose `global` statement rebinds it, and `{unit.name}` {verb} {what}"
    return f"calls an endpoint in {router}"


def _is_endpoint(planner: _Planner, block_id: int, name: str) -> bool:
    units = planner.analysis.units
    return any(units[u].route_owner and name in units[u].binds for u in planner.blocks[block_id].units)


def _users_below(
    planner: _Planner, blocks: list[int], router: Destination, below: set[Destination] | None = None
) -> list[int]:
    """Users of `blocks` placed in modules `router` imports (given, or found as _place_component finds them)."""
    users = {u for b in blocks for u in planner.users[b] if u not in blocks and u in planner.dest}
    if below is None:
        below = set(below_routers(planner.dest, planner.deps, {planner.dest[u] for u in users}, {router}))
    return sorted(u for u in users if planner.dest[u] in below)


def below_routers(
    dest: dict[int, Destination], deps: dict[int, set[int]], users: set[Destination], routers: set[Destination]
) -> list[Destination]:
    """The users' modules a router would import (core and shared always, its own group's service too; another
    service when the router reaches it): code they use may not live in that router. Shared code counts before
    the router reaches it: what ties them is placed later, dependencies last (PinePods' `check_key`-like
    `get_api_key_from_header` went to shared after a helper of a task in shared had joined routers/data)."""
    own = {r.name.partition(".")[0] for r in routers}
    below = [d for d in users if d.role in (Role.CORE, Role.ROOT, Role.SHARED)]
    below += [d for d in users if d.role is Role.SERVICE and d.name.partition(".")[0] in own]
    lower = [d for d in users if d.role is Role.SERVICE and d not in below]
    if routers and lower:
        graph = module_graph(dest, deps)
        below += [d for d in lower if any(reaches(graph, r, d) for r in routers)]
    return sorted(below)


def module_graph(dest: dict[int, Destination], deps: dict[int, set[int]]) -> dict[Destination, set[Destination]]:
    """Which placed module's code uses which other's; a package module also runs its package's __init__.py."""
    edges: dict[Destination, set[Destination]] = defaultdict(set)
    for block_id, destination in dest.items():
        edges[destination] |= {dest[d] for d in deps[block_id] if d in dest} - {destination}
    for destination in set(dest.values()):
        if destination.role in (Role.ROUTER, Role.SERVICE) and "." in destination.name:
            # importing routers/lore/map.py first runs routers/lore/__init__.py, and whatever that imports
            edges[destination].add(Destination(destination.role, destination.name.rpartition(".")[0]))
    return edges


def reaches(graph: dict[Destination, set[Destination]], importer: Destination, target: Destination) -> bool:
    """Whether code in `importer` reaches code in `target`, directly or through other modules."""
    seen, stack = {importer}, [importer]
    while stack:
        for following in graph.get(stack.pop(), set()) - seen:
            if following == target:
                return True
            seen.add(following)
            stack.append(following)
    return False
