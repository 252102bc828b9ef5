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

The same holds when the block ties a reference cycle too big for one module (grant-radar: the `/refresh` endpoint
rebinds the `_cache` list every catalog helper reads, and calls the helpers that warm the caches, so endpoint,
global and helpers were one 678-line cycle that no module could hold): planned apart, the global is a plain
seam, the endpoint one more reader of it, and the cycle is gone. That plan is kept when main.py keeps no more
lines and fewer lines sit in modules over the size limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from splitter.analysis.blocks import strongly_connected
from splitter.analysis.rebinders import Rebinder, rebinders
from splitter.planning.destination import MAIN, Destination

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner


def rebinders_apart(first: _Planner, replan: Callable[[frozenset[tuple[str, int]]], _Planner]) -> _Planner:
    """`first`, or the plan made again with the rebinders that hold their globals back planned apart."""
    analysis = first.analysis
    candidates = [u.index for u in analysis.units if u.rebinds_globals]
    tying = _blocks_in_cycles_too_big(first) if candidates else set()
    crowded = _destinations_over_the_limit(first) if candidates else set()
    rebinding = {
        i
        for i in candidates
        if _holds_back(first, i) or first.block_of_unit[i] in tying or _destination(first, i) in crowded
    }
    holding = rebinders(analysis, rebinding) if rebinding else []
    apart = frozenset((r.name, r.unit) for r in holding if not r.blocker)
    chosen = first
    if apart:
        second = replan(apart)
        if _better(second, first):
            chosen = second
    chosen.warnings += [_kept_together(chosen, r) for r in holding if r.blocker and _holds_back(chosen, r.unit)]
    return chosen


def _better(second: _Planner, first: _Planner) -> bool:
    """main.py keeps fewer lines; or as many, and fewer lines of moved code sit in modules over the limit; or more,
    and fewer lines pass a limit in all."""
    main_first, main_second = first.estimate_main_lines(), second.estimate_main_lines()
    if main_second < main_first:
        return True
    if main_second == main_first:
        return _lines_over_the_limit(second) < _lines_over_the_limit(first)
    # main.py keeps more (a seam's import): better only if fewer lines pass a limit in all, main.py's counted
    # (tideway: 2 more lines in main.py, 348 fewer in modules over the limit)
    main_limit = first.options.main_max_lines
    over_first = _lines_over_the_limit(first) + max(0, main_first - main_limit)
    return _lines_over_the_limit(second) + max(0, main_second - main_limit) < over_first


def _blocks_in_cycles_too_big(planner: _Planner) -> set[int]:
    """Moved blocks in a cycle of references bigger than a module holds beside its imports (what
    `split_oversized` fits in one): no plan can put its members apart."""
    budget = int(planner.options.max_lines * 0.8)
    moved = sorted(b for b, d in planner.dest.items() if d != MAIN)
    tying: set[int] = set()
    for cycle in strongly_connected(moved, planner.deps):
        if len(cycle) > 1 and sum(planner.blocks[b].lines for b in cycle) > budget:
            tying.update(cycle)
    return tying


def _held_lines(planner: _Planner) -> dict[Destination, int]:
    held: dict[Destination, int] = defaultdict(int)
    for block in planner.blocks:
        for unit in block.units:
            held[_destination(planner, unit)] += planner.analysis.units[unit].footprint
    return held


def _destination(planner: _Planner, unit: int) -> Destination:
    return planner.unit_dest.get(unit, planner.dest.get(planner.block_of_unit[unit], MAIN))


def _lines_over_the_limit(planner: _Planner) -> int:
    limit = planner.options.max_lines
    return sum(max(0, lines - limit) for destination, lines in _held_lines(planner).items() if destination != MAIN)


def _destinations_over_the_limit(planner: _Planner) -> set[Destination]:
    """Modules whose moved code alone passes max_lines, of several statements: a global beside a router that
    rebinds it keeps every helper reading it in the router's module (tideway's `settings`, rebound by the
    `update_settings` endpoint: 17 statements, 797 lines), which the global apart from its rebinder frees."""
    limit = planner.options.max_lines
    return {d for d, lines in _held_lines(planner).items() if d != MAIN and lines > limit}


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
