"""A global apart from a function that rebinds it with `global` (docs/design.md, "Seams").

A global and every function rebinding it are planned as one block. When that block stays in main.py (veritas:
the lifespan that `FastAPI(lifespan=...)` takes rebinds the in-flight counter its middleware counts) or sits
beside a router while code below the routers reads the global (research-agent: the CLI `main()` uses state an
endpoint group owns, and an engine created at import time in core reads the session name `main()` rebinds: an
import cycle), the global and all its readers stay in main.py with it. Then the plan is
made again with those rebinders apart from their globals, and kept when main.py keeps fewer lines: the global moves
to its home as a seam, and each rebinder reads and assigns it through that module (`core.X = v`; its `global`
statement drops the name). A rebinder whose code cannot do that (analysis/rebinders.py) keeps today's block,
named in a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from splitter.analysis.rebinders import Rebinder, rebinders
from splitter.planning.destination import MAIN, Destination

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner


def rebinders_apart(first: _Planner, replan: Callable[[frozenset[tuple[str, int]]], _Planner]) -> _Planner:
    """`first`, or the plan made again with the rebinders that hold their globals back planned apart."""
    analysis = first.analysis
    rebinding = {u.index for u in analysis.units if u.rebinds_globals and _holds_back(first, u.index)}
    holding = rebinders(analysis, rebinding) if rebinding else []
    apart = frozenset((r.name, r.unit) for r in holding if not r.blocker)
    chosen = first
    if apart:
        second = replan(apart)
        if second.estimate_main_lines() < first.estimate_main_lines():
            chosen = second
    chosen.warnings += [_kept_together(chosen, r) for r in holding if r.blocker and _holds_back(chosen, r.unit)]
    return chosen


def _holds_back(planner: _Planner, unit: int) -> bool:
    """The block of a rebinder (with its globals) stays in main.py, or holds code below the routers there."""
    block = planner.block_of_unit[unit]
    return planner.dest.get(block, MAIN) == MAIN or block in planner.held_back


def _kept_together(planner: _Planner, rebinder: Rebinder) -> str:
    analysis = planner.analysis
    unit = analysis.units[rebinder.unit]
    where = planner.dest.get(planner.block_of_unit[rebinder.unit], MAIN)
    return (
        f"{analysis.path}:{unit.first_line}: `{rebinder.name}` stays with `{unit.name}` ({where}), which rebinds it "
        f"with `global` and cannot assign it through another module: {rebinder.blocker}"
    )


def rebinder_notes(planner: _Planner) -> list[str]:
    """Each function planned apart from a global it rebinds, and what changes in it."""
    analysis = planner.analysis
    apart: dict[tuple[int, Destination], list[str]] = {}
    for name, index in sorted(planner.apart, key=lambda pair: (pair[1], pair[0])):
        home = planner.dest.get(planner.binder[name], MAIN)
        if home != MAIN and home != planner.dest.get(planner.block_of_unit[index], MAIN):
            apart.setdefault((index, home), []).append(name)
    notes = []
    for (index, home), names in apart.items():
        unit = analysis.units[index]
        shown, them = ", ".join(f"`{n}`" for n in names), "them" if len(names) > 1 else "it"
        notes.append(
            f"{analysis.path}:{unit.first_line}: `{unit.name}` rebinds {shown} with `global` and lives apart from "
            f"{them}: it reads and assigns {them} through {home} (`{str(home).rpartition('.')[2]}.{names[0]} = ...`), "
            f"and its `global` statement drops {them}, so every module sees the new value"
        )
    return notes
