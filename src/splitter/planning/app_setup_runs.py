"""main.py's own import-time app setup, when there is more of it than main.py may hold.

What stays in main.py because it uses the app at import time (`if settings.auth: app.include_router(...)` blocks,
`if UI_ENABLED: app.mount(...); @app.get("/") def root(): ...`, `ResourceRouter(app=app, ...).register()`) can
still leave main.py without changing when it runs: a run of such statements, with nothing main.py keeps between
them, moves byte for byte into `app_setup.py` beside main.py, and main.py imports that module at the run's place.
Its import is the run: same statements, same order, same conditions, so the route table, middleware and OpenAPI
are what they were whatever the conditions say. The module reads the app from core, which main.py hands it right
after creating it (`core.app = app`).

A statement joins a run only when that is a pure move: it runs after the app exists, it is a single statement
(not a block that moves together with others), it does not create the app, look names up dynamically, read
`__name__`, rebind globals or bind a name main.py hands to core, and every name of main.py it reads is bound
earlier in the same run; nothing outside the run reads what it binds. An import between two statements ends a run:
from the module's header it would run before both. Largest runs move first, until main.py fits.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from splitter.planning.destination import MAIN, Destination, Role

if TYPE_CHECKING:
    from splitter.analysis.blocks import Block
    from splitter.planning.planner import _Planner

SETUP_MODULE = "app_setup"
APP_AT_IMPORT = "uses the app object at import time"
MIN_RUN_LINES = 8  # a shorter run costs main.py almost as many lines as it saves, and adds a file
_SETUP_NAME = re.compile(rf"{SETUP_MODULE}(_\d+)?")


def is_app_setup(destination: Destination) -> bool:
    """A module main.py imports at a place of its own, to run a part of its app setup there."""
    return destination.role is Role.ROOT and _SETUP_NAME.fullmatch(destination.name) is not None


def move_setup_runs(planner: _Planner) -> None:
    """Move the largest runs of main.py's import-time app setup to setup modules until main.py fits."""
    options = planner.options
    excess = planner.estimate_main_lines() - options.main_max_lines
    if excess <= 0:
        return
    budget = int(options.max_lines * 0.8)  # room for the header and imports
    parts = [
        p
        for run in _setup_runs(planner)
        for chunk in _chunks(planner, run, budget)
        for p in _read_only_inside(planner, chunk)
    ]
    runs = [r for r in parts if _lines(planner, r) >= MIN_RUN_LINES]
    chosen = []
    for run in sorted(runs, key=lambda r: -_lines(planner, r)):
        if excess <= 0:
            break
        chosen.append(run)
        excess -= _lines(planner, run) - 2  # main.py imports the module in its place
    names = _free_names(len(chosen), options.existing_modules)
    for run, name in zip(sorted(chosen), names, strict=False):
        destination = Destination.root(name)
        planner.overflow.add(destination)
        for block_id in run:
            planner.dest[block_id] = destination


def _lines(planner: _Planner, run: list[int]) -> int:
    return sum(planner.blocks[b].lines for b in run)


def _chunks(planner: _Planner, run: list[int], budget: int) -> list[list[int]]:
    """A run longer than one file holds, cut at statements into consecutive modules."""
    chunks: list[list[int]] = [[]]
    for block_id in run:
        if chunks[-1] and _lines(planner, chunks[-1]) + planner.blocks[block_id].lines > budget:
            chunks.append([])
        chunks[-1].append(block_id)
    return chunks


def _free_names(count: int, existing: frozenset[str]) -> list[str]:
    names, number = [], 1
    while len(names) < count:
        name = SETUP_MODULE if number == 1 else f"{SETUP_MODULE}_{number}"
        if name not in existing:
            names.append(name)
        number += 1
    return names


def _setup_runs(planner: _Planner) -> list[list[int]]:
    """Runs of main.py's statements after the app's creation with nothing main.py keeps between them: blocks
    in source order, each a pure move on its own (see the module docstring)."""
    analysis = planner.analysis
    app = analysis.app_names[0]
    created = [u.index for u in analysis.units if app in u.binds and not u.is_copied]
    if not created:
        return []
    runs: list[list[int]] = [[]]
    for unit in analysis.units[created[0] + 1 :]:
        if unit.is_copied:
            # an import between two statements of a run would run before both, from the module's header
            runs.append([])
            continue
        block_id = planner.block_of_unit[unit.index]
        if planner.dest.get(block_id, MAIN) != MAIN:
            if unit.route_owner == app or unit.hook_kinds or unit.app_setup:
                runs.append([])  # main.py registers it here: an include, a hook registration
            continue
        block = planner.blocks[block_id]
        if _movable(planner, block, set(runs[-1])):
            runs[-1].append(block_id)
        else:
            runs.append([])
    return [kept for run in runs for part in _read_only_inside(planner, run) if (kept := _trimmed(planner, part))]


def _trimmed(planner: _Planner, run: list[int]) -> list[int]:
    """The run without the one-line statements binding nothing at its ends (`app.include_router(x)`): main.py
    keeps them, so it still reads as the app's table of routers and middleware around what moved."""

    inside = set(run)

    def one_line(block_id: int) -> bool:
        block = planner.blocks[block_id]
        unit = planner.analysis.units[block.units[0]]
        continues = planner.deps[block_id] & inside  # `_wh_router.register()` belongs to the run it reads
        return unit.first_line == unit.last_line and not block.binds and not continues

    start, end = 0, len(run)
    while start < end and one_line(run[start]):
        start += 1
    while end > start and one_line(run[end - 1]):
        end -= 1
    return run[start:end]


def _movable(planner: _Planner, block: Block, run: set[int]) -> bool:
    analysis = planner.analysis
    if len(block.units) != 1 or block.is_hook or block.must_stay not in ("", APP_AT_IMPORT):
        return False
    unit = analysis.units[block.units[0]]
    if unit.dynamic or "__name__" in unit.uses or unit.rebinds_globals or unit.hook_kinds or unit.app_setup:
        return False
    if set(unit.binds) & (set(planner.handover) | set(analysis.app_names)) or unit.kind == "main_guard":
        return False
    for name in block.uses - {analysis.app_names[0]}:  # the module reads the app from core, and only that one
        binder = planner.binder.get(name)
        if binder is not None and binder != block.id and planner.dest.get(binder, MAIN) == MAIN and binder not in run:
            return False  # nothing imports main.py
    return True


def _read_only_inside(planner: _Planner, run: list[int]) -> list[list[int]]:
    """The run cut into parts that are each a pure move on their own: a block stays in main.py when code outside
    its part reads what it binds, or when it reads a block of main.py outside its part (nothing imports main)."""
    parts, done = [run], False
    while not done:
        done, cut = True, []
        for part in parts:
            inside = set(part)
            stays = {b for b in part if _reaches_outside(planner, b, inside)}
            done = done and not stays
            pieces: list[list[int]] = [[]]
            for block_id in part:
                if block_id in stays:
                    pieces.append([])
                else:
                    pieces[-1].append(block_id)
            cut += [p for p in pieces if p]
        parts = cut
    return parts


def _reaches_outside(planner: _Planner, block_id: int, inside: set[int]) -> bool:
    read_outside = planner.blocks[block_id].binds and any(u not in inside for u in planner.users[block_id])
    app = {planner.analysis.app_names[0]}  # the module reads the app from core; a second app is not handed over
    kept = any(
        d not in inside and planner.dest.get(d, MAIN) == MAIN and not planner.blocks[d].binds <= app
        for d in planner.deps[block_id]
    )
    return bool(read_outside or kept)


def setup_module_notes(planner: _Planner, warnings: list[str]) -> list[str]:
    """Warnings that said a statement stays in main.py, for statements that now run from a setup module at
    their place; and a note per setup module."""
    analysis = planner.analysis
    moved: dict[int, Destination] = {}  # line -> setup module
    notes = []
    for block in planner.blocks:
        destination = planner.dest.get(block.id, MAIN)
        if not is_app_setup(destination):
            continue
        for unit in (analysis.units[u] for u in block.units):
            moved.update(dict.fromkeys(range(unit.first_line, unit.last_line + 1), destination))
    for destination in sorted(set(moved.values())):
        lines = sorted(line for line, d in moved.items() if d == destination)
        notes.append(
            f"{analysis.path}:{lines[0]}: lines {lines[0]}-{lines[-1]} set up the app at import time: they move as "
            f"they are to {destination.name}.py, which main.py imports at their place, so they run in the same order"
        )
    kept = []
    for warning in warnings:
        match = re.match(rf"{re.escape(str(analysis.path))}:(\d+): (.*stays in main\.py.*)$", warning)
        if match is None or int(match.group(1)) not in moved:
            kept.append(warning)
    return kept + notes
