"""Code asking `'x' in globals()` moves only where its new module binds `x` by name (analysis/global_lookups.py).

Moved code imports the names it reads, so a guard on such a name answers as before. A few names are not bound by
name in the modules that read them after the split: a seam is read through its home module (`shared.x`), the app
and the names main.py hands over through core (`core.app`). Asked for one of those, the moved code's `globals()`
would say "absent" where the monolith's said "present", so that code stays in main.py, and so does the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from splitter.planning.planner import Planner


def keep_lookups_of_relayed_names(planner: Planner) -> None:
    """Pin each block whose literal `globals()` lookups ask for a name the split reads through another module."""
    analysis = planner.analysis
    relayed = set(planner.options.patched_names) | set(planner.handover) | set(analysis.app_names)
    for unit in analysis.units:  # rebound by `global`, or bound on some paths only: seams
        relayed |= unit.rebinds_globals | unit.maybe_unbound
    for block in planner.blocks:
        names = set().union(*(analysis.units[u].global_lookups for u in block.units)) & relayed
        if not names:
            continue
        shown = ", ".join(f"`{name}`" for name in sorted(names))
        reason = f"asks globals() for {shown}, which moved code reads through another module"
        block.must_stay = block.must_stay or reason
        for name in names:  # and what it asks for stays beside it, bound by name (as pin_main does for globals())
            binder = planner.blocks[planner.binder[name]] if name in planner.binder else block
            binder.must_stay = binder.must_stay or f"`{block.name}` may look it up by name at run time"
