"""Where moved names live, from the analysis and the plan alone: the home of each seam, the names main.py hands
over, and the relocation every other file of the repository is retargeted by.

None of this needs libcst, so `apply` can start retargeting the repository in a second process from the
relocation it expects (`expected_relocation`) while this one imports libcst and writes the modules (apply.py).
"""

from __future__ import annotations

import ast

from splitter.analysis.model import Analysis, Unit
from splitter.emit.references import relocation_for
from splitter.planning.app_setup_runs import is_app_setup
from splitter.planning.destination import CORE, MAIN, Destination, Role
from splitter.planning.handover import handover_names
from splitter.planning.layout import Destinations
from splitter.planning.plan_io import Plan
from splitter.planning.validate import unit_placement


def destinations_of(analysis: Analysis, plan: Plan) -> Destinations:
    relative = any(i.level > 0 for u in analysis.units for i in u.imports)
    return Destinations(analysis.path.parent, analysis.package, plan.layout, relative, plan.packages())


def created_packages(plan: Plan) -> frozenset[str]:
    """Top-level names of the modules a split of a top-level monolith creates (routers, services, core, ...)."""
    layout = plan.layout
    extra = {d.name for d in plan.extra_modules if d.role is Role.ROOT}
    modules = {layout.routers_package, layout.services_package, layout.core_module, layout.hooks_module}
    return frozenset(modules | {layout.compat_module} | extra)


def seam_homes(
    analysis: Analysis, placement: dict[int, Destination], seams: list[str], where: Destinations
) -> dict[str, Destination]:
    """Where each seam lives: with its moved definition, or in core (imported names tests patch, `__file__`
    for code moved a folder down, the app for code that reads it at call time)."""
    homes: dict[str, Destination] = {}
    for index, destination in placement.items():
        for name in analysis.units[index].binds:
            if name in seams and destination != MAIN:
                homes[name] = destination
    imported = {i.bound for u in analysis.units if u.kind == "import" or u.is_import_block for i in u.imports}
    # a wave (--only) may keep a definition the name's later import rebinds: main.py stays its home then
    kept = {name for index, where_to in placement.items() if where_to == MAIN for name in analysis.units[index].binds}
    for name in seams:
        if name not in homes and name in imported and name not in kept:
            homes[name] = CORE  # an imported name tests patch: everyone reads it through core
    moved = [(analysis.units[i], d) for i, d in placement.items() if d != MAIN]
    if any("__file__" in unit.dynamic and where.depth(d) for unit, d in moved):
        homes["__file__"] = CORE  # code moved a folder down builds its paths from core.py, beside main.py
    if any(unit.app_at_call_time or (is_app_setup(d) and analysis.app_names[0] in unit.uses) for unit, d in moved):
        homes[analysis.app_names[0]] = CORE  # moved code reads `core.app`, which main.py sets once it has the app
    for name in handed_over(analysis, placement, seams):
        homes[name] = CORE  # main.py sets `core.x = x` after the block binding it (planning/handover.py)
    return homes


def handed_over(analysis: Analysis, placement: dict[int, Destination], seams: list[str]) -> set[str]:
    """Names a block kept in main.py binds that moved code reads (at call time: the planner checked)."""
    handover = handover_names(analysis, frozenset(seams))
    moved = [analysis.units[i] for i, d in placement.items() if d != MAIN]
    return {n for u in moved for n in u.uses & handover.keys() if placement.get(handover[n], MAIN) == MAIN}


def relocation(
    analysis: Analysis,
    placement: dict[int, Destination],
    where: Destinations,
    homes: dict[str, Destination],
    handed: set[str],
    main_keeps: set[str],
) -> dict[str, str]:
    """name -> the dotted module that now holds what the monolith's `name` was (`main_keeps`: names main.py still
    binds, so readers keep reaching them through it; `handed`: names main.py hands over to core)."""
    moved = relocation_for(analysis, placement, where, main_keeps)
    own = {analysis.app_names[0], "__file__", *handed}
    for name, home in homes.items():
        if name not in own:  # main.py binds them; core refers to them
            moved[name] = where.dotted(home, analysis.module_name)
    for name in [n for i, d in placement.items() if is_app_setup(d) for n in analysis.units[i].binds]:
        moved.pop(name, None)  # importing a setup module runs it: other code keeps reading it through main
    for name in _needing_main_to_run(analysis, placement, homes, handed):
        moved.pop(name, None)
    return moved


def _needing_main_to_run(
    analysis: Analysis, placement: dict[int, Destination], homes: dict[str, Destination], handed: set[str]
) -> set[str]:
    """Names of code placed in core.py that reads, when called, a name main.py sets there as it runs (the app, a
    name handed over): core.py's own code reads it bare, which nothing can make import main.py first (a module
    `__getattr__` serves only `core.x`). Imported from core.py, such a function met None (pocketpaw's
    `python -m pocketpaw` served `uvicorn.Config(None)`): other code keeps reaching it through main.py, which
    forwards it (compat.py) and runs first."""
    late = set(handed) | ({analysis.app_names[0]} if homes.get(analysis.app_names[0]) == CORE else set())
    return {
        name
        for index, destination in placement.items()
        if destination == CORE and analysis.units[index].uses & late
        for name in analysis.units[index].binds
    }


def expected_relocation(analysis: Analysis, plan: Plan) -> dict[str, str]:
    """The relocation a one-shot apply of `plan` will return, without writing a module: what main.py keeps is
    taken from the statements it keeps and the registrations moved hooks and app setup blocks leave there. A
    guess `apply` checks against the real one before it uses any file retargeted by it."""
    placement = unit_placement(analysis, plan)
    where = destinations_of(analysis, plan)
    kept = [u for u in analysis.units if placement.get(u.index, MAIN) == MAIN and not u.is_copied]
    main_keeps = set().union(*(u.uses for u in kept))
    for unit in analysis.units:
        if placement.get(unit.index, MAIN) != MAIN and analysis.tree is not None:
            main_keeps |= _names_left_in_main(unit, analysis.tree.body[unit.index])
    homes = seam_homes(analysis, placement, plan.seams, where)
    return relocation(analysis, placement, where, homes, handed_over(analysis, placement, plan.seams), main_keeps)


def _names_left_in_main(unit: Unit, node: ast.stmt) -> set[str]:
    """Names the registrations a moved statement leaves in main.py read: a hook's decorators, and the condition
    and app statements of an `if` block of app setup."""
    parts: list[ast.AST] = []
    if unit.hook_kinds:
        parts += getattr(node, "decorator_list", [])
    if unit.app_setup and isinstance(node, ast.If):
        parts += [node.test, *kept_setup_statements(unit, node)]
    return names_read(parts)


def kept_setup_statements(unit: Unit, node: ast.stmt) -> list[ast.stmt]:
    """The statements of an `if` block of app setup that stay in main.py when the rest moves (`unit.app_setup`)."""
    body = getattr(node, "body", [])
    return [body[position] for position in unit.app_setup if position < len(body)]


def names_read(nodes: list[ast.AST]) -> set[str]:
    return {n.id for part in nodes for n in ast.walk(part) if isinstance(n, ast.Name)}
