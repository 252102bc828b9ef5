"""What the plan says about moves that change a little more than the statement's place, and about limits it
cannot meet: each note names file:line and why (docs/odd-constructs.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from splitter.analysis.blocks import Block
from splitter.analysis.model import Analysis
from splitter.planning.cycle_notes import cycle_too_big_to_cut
from splitter.planning.file_patches import file_patch_notes
from splitter.planning.layout import Destinations
from splitter.planning.rebinders_apart import rebinder_notes
from splitter.planning.router_parts import HEADER_LINES
from splitter.planning.destination import MAIN, Destination, Role

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner

# how a size note names what it is about: `apply` names only what these have not (emit/size_check.py)
CANNOT_STAY = "cannot stay under"  # after the file a size limit cannot hold
MAIN_KEEPS = "keeps about"  # "main.py keeps about", with the monolith's own name


# the word, not a file named in a place (`app/main.py`, `main.py:12:` of a launcher beside the monolith)
_MAIN_PY = re.compile(r"(?<![\w/\\.-])main\.py\b(?!:\d)")


def named_as_the_monolith(warnings: list[str], path: Path) -> list[str]:
    """Warnings say "stays in main.py" wherever they are written; the slim module keeps the monolith's own name
    (`server.py`, `api.py`), and a note about `server.py` that speaks of a main.py the project lacks misleads."""
    if path.name == "main.py":
        return warnings
    return [_MAIN_PY.sub(path.name, warning) for warning in warnings]


def plan_notes(analysis: Analysis, planner: _Planner) -> list[str]:
    notes = _app_readers(analysis, planner) + rebinder_notes(planner) + _schema_names_kept(analysis, planner)
    return notes + file_patch_notes(planner) + _oversized(analysis, planner)


def _app_readers(analysis: Analysis, planner: _Planner) -> list[str]:
    """Moved functions that use the app in their body (`app.state.x`) read it through core at call time."""
    notes: list = []
    readers, handed = [], {}
    for block in planner.blocks:
        if planner.dest.get(block.id, MAIN) == MAIN:
            continue
        for unit in (analysis.units[u] for u in block.units):
            notes += _moved_unit_notes(analysis, planner, unit, block)
            if unit.app_at_call_time:
                readers.append(unit)
                if len(readers) == 1:
                    notes.append("")  # its place: one note for them all, where the first one is
            names = _handed_names(planner, unit)
            if names and names not in handed:
                notes.append(names)  # its place, as above: one note per set of names
            if names:
                handed.setdefault(names, []).append(unit)
    return [
        _handover_note(analysis, note, handed[note]) if isinstance(note, tuple) else note
        for note in (n or _app_at_call_time_note(analysis, readers) for n in notes)
    ]


def _moved_unit_notes(analysis: Analysis, planner: _Planner, unit, block) -> list[str]:
    notes = []
    if "__file__" in unit.dynamic and planner.dest[block.id].role in (Role.ROUTER, Role.SERVICE):
        notes.append(
            f"{analysis.path}:{unit.first_line}: `{unit.name}` builds paths from __file__: moved a folder "
            "down, it reads `core.__file__` (core.py sits beside main.py)"
        )
    if unit.app_setup:
        notes.append(
            f"{analysis.path}:{unit.first_line}: the `if` block binding `{unit.name}` moves to "
            f"{planner.dest[block.id]}; its {len(unit.app_setup)} statement(s) configuring the app stay in "
            "main.py at its place, under the same condition"
        )
    return notes


def _app_at_call_time_note(analysis: Analysis, readers: list) -> str:
    """One note however many functions do it (53 of codeframe's 56 notes were this one, one per endpoint)."""
    first, app = readers[0], analysis.app_names[0]
    if len(readers) == 1:
        return (
            f"{analysis.path}:{first.first_line}: `{first.name}` uses the app in its body: moved, it reads "
            f"`core.{app}`, which main.py sets right after creating the app"
        )
    return (
        f"{analysis.path}:{first.first_line}: {len(readers)} moved functions use the app in their bodies, each "
        f"reading `core.{app}` at call time, which main.py sets right after creating the app: {_named(readers)}"
    )


def _named(readers: list) -> str:
    named = ", ".join(f"`{u.name}` (line {u.first_line})" for u in readers[:6])
    rest = readers[6:]
    return named + (f" and {len(rest)} more (lines {', '.join(str(u.first_line) for u in rest)})" if rest else "")


def _handed_names(planner: _Planner, unit) -> tuple[str, ...]:
    """The names a block kept in main.py binds that this moved function reads (planning/handover.py)."""
    return tuple(sorted(n for n in unit.uses & planner.handover.keys() if _kept(planner, planner.handover[n])))


def _handover_note(analysis: Analysis, names: tuple[str, ...], readers: list) -> str:
    """One note per set of names however many functions read them (4th-Dimension's 140 endpoints read `logger`),
    naming every line of main.py binding them: main.py hands each value over as it binds it."""
    shown = ", ".join(f"`{n}`" for n in names)
    wanted = set(names)
    lines = sorted({u.first_line for u in analysis.units if wanted & set(u.binds) and not u.is_copied})
    where = f"the block at line {lines[0]} that binds" if len(lines) == 1 else f"the lines {_lines(lines)} that bind"
    first = readers[0]
    if len(readers) == 1:
        return (
            f"{analysis.path}:{first.first_line}: `{first.name}` reads {shown} at call time: moved, it reads them "
            f"from core, which main.py sets right after {where} them"
        )
    return (
        f"{analysis.path}:{first.first_line}: {len(readers)} moved functions read {shown} at call time: moved, they "
        f"read them from core, which main.py sets right after {where} them: {_named(readers)}"
    )


def _lines(lines: list[int]) -> str:
    return ", ".join(str(n) for n in lines[:-1]) + f" and {lines[-1]}"


def _kept(planner: _Planner, unit_index: int) -> bool:
    return planner.dest.get(planner.block_of_unit[unit_index], MAIN) == MAIN


def _schema_names_kept(analysis: Analysis, planner: _Planner) -> list[str]:
    """Moved classes another module also names: FastAPI names their schemas after `__module__`, kept as it was."""
    notes = []
    for unit in analysis.units:
        elsewhere = planner.options.schema_clashes.get(unit.name)
        if elsewhere and unit.kind == "class" and planner.dest.get(planner.block_of_unit[unit.index], MAIN) != MAIN:
            notes.append(
                f'{analysis.path}:{unit.first_line}: `{unit.name}` keeps `__module__ = "{analysis.module_name}"` '
                f"when moved: {elsewhere} also defines a class `{unit.name}`, so FastAPI names its OpenAPI schema "
                "after its module"
            )
    return notes


def _largest_member(analysis: Analysis, block: Block) -> str:
    """For statements that move together (a monolith's own APIRouter and its routes): the largest of them, which
    is what a reader would cut first."""
    if len(block.units) < 2:
        return ""
    unit = max((analysis.units[u] for u in block.units), key=lambda u: u.footprint)
    what = f"the monolith's APIRouter `{block.router_var}` and its routes" if block.router_var else "these statements"
    return f"; {what} move together, the largest, `{unit.name}` (line {unit.first_line}), is {unit.footprint} lines"


def _alone_over(limit: int) -> float:
    """How long a definition written alone in a file may be before the file passes `limit`: the imports and
    header a module needs come on top (8 to 36 lines on the corpus: roadmap's 417-line function wrote 434)."""
    return max(limit - HEADER_LINES, limit * 0.8)


def _oversized_parts(analysis: Analysis, planner: _Planner, blocks: list[Block], where: Destinations) -> list[str]:
    """A router cut into a package's parts: a part over the limit holds a single statement bigger than a file."""
    limit, notes = planner.options.max_lines, []
    for block in blocks:
        unit = max((analysis.units[u] for u in block.units), key=lambda u: u.footprint)
        if unit.footprint > _alone_over(limit):
            destination = planner.unit_dest.get(unit.index, planner.dest[block.id])
            file = str(where.path(destination).relative_to(where.folder))
            notes.append(
                f"{analysis.path}:{unit.first_line}: `{unit.name}` alone is {unit.footprint} lines: "
                f"{file} {CANNOT_STAY} {limit} lines without cutting it"
            )
    return notes


def _oversized(analysis: Analysis, planner: _Planner) -> list[str]:
    """Files the size limits cannot hold, and why: a single definition bigger than a file, or what keeps
    main.py big. Moved code is never cut, so the user hears it from the plan, not from a line count."""
    limit = planner.options.max_lines
    notes = []
    by_dest: dict[Destination, list[Block]] = defaultdict(list)
    for block in planner.blocks:
        by_dest[planner.dest.get(block.id, MAIN)].append(block)
    # a router cut into parts, or a group cut by size into modules (`lore.detail`): `routers/lore/__init__.py`
    packages = frozenset(d.name.split(".")[0] for d in planner.unit_dest.values() if d.role is Role.ROUTER) | {
        d.name.split(".")[0] for d in planner.dest.values() if d.role is Role.ROUTER and "." in d.name
    }
    where = Destinations(analysis.path.parent, analysis.package, planner.options.layout, False, packages)
    for destination, blocks in sorted(by_dest.items()):
        whole = [b for b in blocks if b.id not in planner.split_routers]  # a router cut into a package's parts
        notes += _oversized_parts(analysis, planner, [b for b in blocks if b.id in planner.split_routers], where)
        if not whole:
            continue
        largest = max(whole, key=lambda b: b.lines)
        # a router of the monolith that fits its file with its imports is not cut (planning/router_parts.py)
        threshold = limit - HEADER_LINES if largest.router_var else _alone_over(limit)
        if destination != MAIN and largest.lines > threshold:
            file = str(where.path(destination).relative_to(where.folder))
            notes.append(
                f"{analysis.path}:{largest.line}: `{largest.name}` alone is {largest.lines} lines: "
                f"{file} {CANNOT_STAY} {limit} lines without cutting it" + _largest_member(analysis, largest)
            )
    notes += _over_by_their_sum(analysis, planner, where, notes)
    # each router package counted once, as if all its modules were included through it: a plan note that main.py
    # misses its limit should not be false (apply counts the main.py it writes, and says so when it is over after
    # all: emit/size_check.py)
    main_lines = planner.estimate_main_lines(packages_once=True)
    if main_lines > planner.options.main_max_lines:
        kept = sorted((b for b in by_dest[MAIN] if b.must_stay or b.is_definition), key=lambda b: -b.lines)[:3]
        names = ", ".join(f"`{b.name}` ({b.lines} lines)" for b in kept)
        notes.append(
            f"{analysis.path}: main.py {MAIN_KEEPS} {main_lines} lines (limit {planner.options.main_max_lines}); "
            f"the largest parts it keeps: {names}"
        )
    return notes


def _over_by_their_sum(analysis: Analysis, planner: _Planner, where: Destinations, noted: list[str]) -> list[str]:
    """A module whose moved statements alone pass the limit though none of them would: the helpers a group's
    endpoints share, placed beside its router after the groups were cut to size (dfstory's `lore/map`: 492 lines
    of endpoints, 562 written). Only what is certain: the imports come on top and `apply` counts those."""
    limit, notes = planner.options.max_lines, []
    held: dict[Destination, list[int]] = defaultdict(list)
    for block in planner.blocks:
        for unit in block.units:
            held[planner.unit_dest.get(unit, planner.dest.get(block.id, MAIN))].append(unit)
    for destination, units in sorted(held.items()):
        lines = sum(analysis.units[u].footprint for u in units)
        if destination == MAIN or lines <= limit:
            continue
        file = str(where.path(destination).relative_to(where.folder))
        if any(f" {file} {CANNOT_STAY} " in note for note in noted):
            continue
        largest = max((analysis.units[u] for u in units), key=lambda u: u.footprint)
        head = f"{analysis.path}:{largest.first_line}: {file} {CANNOT_STAY} {limit} lines: it holds {lines} lines "
        cycle = cycle_too_big_to_cut(planner, units, int(limit * 0.8))
        if cycle:
            notes.append(head + f"of moved code in {len(units)} statements, {cycle}")
            continue
        notes.append(
            head + f"of moved code in {len(units)} statements (the largest, `{largest.name}`, {largest.footprint} "
            "lines) the plan keeps together (endpoints that call each other, helpers they share); give part of it "
            "to another group in the plan"
        )
    return notes
