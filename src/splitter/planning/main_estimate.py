"""About how many lines the slim main.py keeps, before any of it is written: planning decides from it where
hooks go and which app set-up runs move, and the plan notes when main.py cannot stay under its limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import MAIN, Role

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner


def estimate_main_lines(planner: _Planner, packages_once: bool = False) -> int:
    """Each group costs an import and an include line, generated imports of helpers as many. `packages_once`:
    as if every router package's modules were included through it (emit/router_nesting.py)."""
    lines = sum(planner.blocks[b].lines for b, d in planner.dest.items() if d == MAIN)
    hooks = sum(b.lines for b in planner.blocks if b.is_hook and b.id not in planner.dest)
    groups = len(set(planner.group_of_block.values()))
    if packages_once:
        routers = {d.name for d in planner.dest.values() if d.role is Role.ROUTER}
        groups -= len(routers) - len({name.partition(".")[0] for name in routers})
    setup = len({d for d in planner.dest.values() if is_app_setup(d)})
    routers = _factory_import_lines(planner) if planner.analysis.factory else groups * 3
    return lines + hooks + _main_import_lines(planner) + routers + setup * 2 + 15


def _factory_import_lines(planner: _Planner) -> int:
    """An app factory includes no router: main.py imports from routers/ only the functions its kept code calls
    (`register_users(app)`), a line per module, or a wrapped import of one line per name and two more."""
    kept = [b for b, d in planner.dest.items() if d == MAIN]
    per_module: dict = {}
    for called in {d for b in kept for d in planner.deps[b]}:
        destination = planner.dest.get(called)  # before placement, its group names the router it will be in
        module = destination if destination and destination.role is Role.ROUTER else None
        module = module or (None if destination else planner.group_of_block.get(called))
        if module is not None:
            per_module.setdefault(module, []).append(called)
    return sum(1 if len(names) == 1 else len(names) + 2 for names in per_module.values())


def _main_import_lines(planner: _Planner) -> int:
    """main.py copies an import only for what its kept code and hook registrations read, or when nothing
    reads what it binds (a side-effect import); each moved module re-imports the rest."""
    kept = [b for b in planner.blocks if planner.dest.get(b.id, MAIN) == MAIN or b.is_hook]
    main_reads = set().union(*(b.uses for b in kept))
    read_anywhere = set().union(*(u.uses for u in planner.analysis.units))
    lines = 0
    for unit in planner.analysis.units:
        bound = {i.bound for i in unit.imports}
        if unit.kind == "import" and (bound & main_reads or not bound & read_anywhere):
            lines += unit.last_line - unit.first_line + 1
    return lines
