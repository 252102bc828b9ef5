"""Check a (possibly hand-edited) plan against a fresh analysis before anything is written."""

from __future__ import annotations

import keyword

from splitter.analysis.blocks import build_blocks
from splitter.analysis.model import REGISTRAR_KEPT, Analysis
from splitter.analysis.rebinders import separable
from splitter.errors import SplitterError
from splitter.planning.app_setup_runs import APP_AT_IMPORT, is_app_setup
from splitter.planning.destination import MAIN, Destination, Role
from splitter.planning.plan_io import Plan


def unit_placement(analysis: Analysis, plan: Plan) -> dict[int, Destination]:
    """unit index -> destination for every unit that is moved or kept; errors name the stale or invalid entry."""
    by_name = plan.placement()
    known = {unit.name for unit in analysis.units if not unit.is_copied}
    unknown = sorted(set(by_name) - known)
    if unknown:  # first: a typo in an edited plan also leaves the right name out
        where = by_name[unknown[0]]
        where = f"group `{where.group}`" if where.group is not None else f"`{where}`"
        raise SplitterError(
            f"the plan names `{unknown[0]}` (in {where}), which {analysis.path.name} does not define: "
            "correct or remove that name in the plan",
            analysis.path,
        )
    placement: dict[int, Destination] = {}
    for unit in analysis.units:
        if unit.is_copied:
            continue
        destination = by_name.get(unit.name)
        if destination is None:
            what = f"the statement at line {unit.first_line}" if unit.name.startswith("@") else f"`{unit.name}`"
            raise SplitterError(
                f"{what} is in no group or list of the plan (new since the plan was made?): add it to a group, "
                "`shared` or `main` in the plan, or plan again",
                analysis.path,
                unit.first_line,
            )
        placement[unit.index] = destination
    blocks, _ = build_blocks(analysis, separable(analysis))  # a rebinder apart reads the global through its home
    for block in blocks:
        members = [analysis.units[i] for i in block.units if not analysis.units[i].is_copied]
        if not members:
            continue
        destinations = {placement[u.index] for u in members}
        if len(destinations) > 1 and not (block.router_var and _parts_of_one_package(destinations)):
            names = ", ".join(f"`{u.name}`" for u in members[:4])
            raise SplitterError(
                f"invalid plan: {names} must move together (same name bound twice, or a `global` "
                f"and the code that rebinds it) but the plan sends them to {', '.join(map(str, sorted(destinations)))}",
                analysis.path,
                members[0].first_line,
            )
        in_place = block.must_stay == APP_AT_IMPORT and all(is_app_setup(d) for d in destinations)
        in_place = in_place or block.must_stay == REGISTRAR_KEPT  # beside a router when main.py overflows
        if block.must_stay and destinations != {MAIN} and not in_place:
            why = f"invalid plan: `{block.name}` must stay in {analysis.path.name} ({block.must_stay})"
            raise SplitterError(why, analysis.path, block.line)
    _check_prefixes(analysis, plan)
    _check_layout(analysis, plan)
    _check_factory_routes(analysis, plan, placement)
    return placement


def _check_factory_routes(analysis: Analysis, plan: Plan, placement: dict[int, Destination]) -> None:
    """An app factory's route moves with the function registering it (analysis/factory_split.py): the plan lists
    it in that function's group, and a prefix, which no generated APIRouter would carry, is refused."""
    where = {analysis.units[i].name: d for i, d in placement.items()}
    for group in plan.groups:
        for endpoint in (e for e in group.endpoints if e.registered_by):
            moved_by = endpoint.registered_by
            if where.get(moved_by) != Destination.router(group.name) or moved_by not in analysis.factory_routes:
                raise SplitterError(
                    f"invalid plan: `{endpoint.function}` is in group `{group.name}`, but `{moved_by}`, which "
                    "registers it, is not: move the function (its routes go with it)",
                    analysis.path,
                    endpoint.line,
                )
            if group.prefix:
                raise SplitterError(
                    f"invalid plan: group `{group.name}` holds routes `{analysis.factory}()` registers through "
                    f'`{moved_by}`; a prefix cannot be cut from them: set `prefix` to ""',
                    analysis.path,
                )


def _check_layout(analysis: Analysis, plan: Plan) -> None:
    """The modules and packages written beside the monolith need names of their own: a package named like the
    monolith (`main/` beside main.py) is what `import main` then finds, and two of them named alike are one."""
    layout = plan.layout
    beside = {
        "routers_package": layout.routers_package,
        "services_package": layout.services_package,
        "core_module": layout.core_module,
        "hooks_module": layout.hooks_module,
        "compat_module": layout.compat_module,
    }
    seen: dict[str, str] = {}
    for key, name in beside.items():
        if keyword.iskeyword(name) or name == analysis.path.stem:
            why = "a Python keyword" if keyword.iskeyword(name) else f"the name of {analysis.path.name} itself"
            raise SplitterError(f"invalid plan: layout `{key}` is {name!r}, {why}: choose another name", plan.source)
        if name in seen:
            raise SplitterError(
                f"invalid plan: layout `{seen[name]}` and `{key}` are both {name!r}: choose two names", plan.source
            )
        seen[name] = key


def _parts_of_one_package(destinations: set[Destination]) -> bool:
    """A monolith's APIRouter cut into parts: `routers/<g>/__init__.py` and its modules (planning/router_parts.py)."""
    packages = {d.name.split(".")[0] for d in destinations if d.role is Role.ROUTER}
    return all(d.role is Role.ROUTER for d in destinations) and len(packages) == 1


def _check_prefixes(analysis: Analysis, plan: Plan) -> None:
    """A group's `prefix` is cut from each of its route paths, so every one must lie under it."""
    paths: dict[str, list[str | None]] = {}
    for registration in analysis.registrations:
        if registration.form == "decorator" and registration.function:
            paths.setdefault(registration.function, []).append(registration.path)
    for group in plan.groups:
        if not group.prefix:
            continue
        if group.router != "router":
            raise SplitterError(
                f"invalid plan: group `{group.name}` keeps the monolith's own APIRouter `{group.router}`, "
                'whose prefix is set where it is created: set `prefix` to ""',
                analysis.path,
            )
        for endpoint in group.endpoints:
            for path in paths.get(endpoint.function, []):
                if path is None or not (path == group.prefix or path.startswith(group.prefix + "/")):
                    raise SplitterError(
                        f"invalid plan: `{endpoint.function}` ({path or 'a computed path'}) is not under the prefix "
                        f"{group.prefix!r} of group `{group.name}`: move it to another group or shorten the prefix",
                        analysis.path,
                    )
