"""Which router a helper tied to several routers lives beside (docs/design.md, "Layering").

A helper that uses a name living beside a router's endpoints (an endpoint it calls, a global an endpoint rebinds)
lives in that router. Helpers are placed users first, so when one is placed, the helpers it calls are not placed
yet: one of those may land beside another router. Placed beside the only router it used directly, tideway's
`_build_activity_report` (reading `settings`, which the settings endpoint rebinds) made routers/settings.py import
routers/player.py for `_snapshot_dict` (reading the global the player's dismiss endpoint rebinds), while a player
endpoint calling `_build_activity_report` made routers/player.py import routers/settings.py: a cycle that broke
whichever module was imported first. So the helper goes beside the router that reaches all the others it reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from splitter.planning.destination import Destination, Role

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner


def router_beside(
    planner: _Planner, component: list[int], uses: set[Destination], users: set[Destination]
) -> Destination:
    """The router for `component`, which uses names in the routers `uses`: of every router it reaches (directly
    or through helpers not placed yet), the one no other of them reaches, so it imports the rest and none imports
    it back; among several such, one its users live in, then one it uses directly. With no such router (they reach
    each other already), the first it uses directly, as before."""
    reached = uses | routers_reached(planner, component)
    if len(reached) == 1:
        return next(iter(reached))
    below: dict[Destination, set[Destination]] = {}
    topmost = [
        router
        for router in sorted(reached)
        if not any(_reaches(planner, other, router, below) for other in reached - {router})
    ]
    if not topmost:
        return sorted(uses)[0]
    return min(topmost, key=lambda router: (router not in users, router not in uses, router))


def routers_reached(planner: _Planner, starts: Iterable[int]) -> set[Destination]:
    """Routers whose code the blocks `starts` use: a block placed in a router, or one reached through blocks not
    placed yet (each of them will live beside a router it reaches, or below the routers)."""
    seen, stack, found = set(starts), list(starts), set()
    while stack:
        for used in planner.deps[stack.pop()]:
            if used in seen:
                continue
            seen.add(used)
            where = planner.dest.get(used)
            if where is None:
                stack.append(used)
            elif where.role is Role.ROUTER:
                found.add(where)
    return found


def _reaches(
    planner: _Planner, start: Destination, target: Destination, below: dict[Destination, set[Destination]]
) -> bool:
    """Whether router `start` reaches router `target`, through other routers too; `below` caches each router's
    direct ones."""
    seen, stack = {start}, [start]
    while stack:
        router = stack.pop()
        if router not in below:
            blocks = [b for b, where in planner.dest.items() if where == router]
            below[router] = routers_reached(planner, blocks) - {router}
        for following in below[router] - seen:
            if following == target:
                return True
            seen.add(following)
            stack.append(following)
    return False
