"""Registrars cut into a function per resource, placed beside a router they call when main.py would overflow.

A registrar the app factory hands its app to (`_register_routes(app)`, nexus) is cut into `register_<resource>`
functions and keeps only the calls to them, in their order (analysis/factory_split.py). It stays beside the
factory in main.py, where a reviewer reads the registration order in one place, as long as main.py fits. A
registrar module hands its app to several cut registrars (cognithor: six of 23, 360 to 970 lines), whose calls
alone would take main.py over its limit: then each leaves for the router holding most of what it calls, and main.py
imports it from there. It is still called where it was, so nothing registers in another order; only its module
changes.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from splitter.analysis.model import REGISTRAR_KEPT
from splitter.planning.destination import MAIN, Destination, Role

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner


def release_registrar_shells(planner: _Planner) -> None:
    """Each cut registrar kept in main.py for that reason alone goes beside the router most of its calls reach,
    unless a router it calls imports from that one (the two would import each other): then it stays."""
    for block in planner.blocks:
        if block.name not in planner.analysis.factory_registrars or planner.dest.get(block.id) != MAIN:
            continue
        if block.must_stay != REGISTRAR_KEPT:
            continue
        home = _home(planner, block.id)
        if home is not None:
            planner.dest[block.id] = home


def _home(planner: _Planner, shell: int) -> Destination | None:
    """The router holding most of the functions the shell calls (the first called on a tie) that has room for it
    (a group's budget: nexus's `share` router, 463 lines, would have passed the file limit) and that no other
    router it calls imports from."""
    called = sorted(d for d in planner.deps[shell] if _router(planner, d))
    counts = Counter(planner.dest[d] for d in called)
    first = {planner.dest[d]: planner.blocks[d].line for d in reversed(called)}
    budget = int(planner.options.max_lines * 0.8)  # room for the header and imports, as a group has
    for home in sorted(counts, key=lambda r: (-counts[r], first[r])):
        held = sum(planner.blocks[b].lines for b, d in planner.dest.items() if d == home)
        if held + planner.blocks[shell].lines > budget:
            continue
        others = {d for d in called if planner.dest[d] != home}
        if not any(_router(planner, d, home) for b in others for d in _module_deps(planner, b)):
            return home
    return None


def _router(planner: _Planner, block_id: int, which: Destination | None = None) -> bool:
    destination = planner.dest.get(block_id)
    return destination is not None and destination.role is Role.ROUTER and which in (None, destination)


def _module_deps(planner: _Planner, block_id: int) -> set[int]:
    """What the module holding `block_id` reads: every block placed there, and what they read."""
    destination = planner.dest[block_id]
    there = [b for b, d in planner.dest.items() if d == destination]
    return set().union(*(planner.deps[b] for b in there))
