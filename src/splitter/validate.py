"""Check a (possibly hand-edited) plan against a fresh analysis before anything is written."""

from __future__ import annotations

from .blocks import build_blocks
from .errors import SplitterError
from .model import Analysis
from .plan_io import Plan


def unit_placement(analysis: Analysis, plan: Plan) -> dict[int, str]:
    """unit index -> destination for every unit that is moved or kept; errors name the stale or invalid entry."""
    by_name = plan.placement()
    placement: dict[int, str] = {}
    known = set()
    for unit in analysis.units:
        if unit.is_copied:
            continue
        known.add(unit.name)
        destination = by_name.get(unit.name)
        if destination is None:
            if unit.name.startswith("@"):
                raise SplitterError(
                    f"the plan is stale: the statement at line {unit.first_line} is not in it; "
                    "run `splitter plan` again",
                    analysis.path,
                    unit.first_line,
                )
            raise SplitterError(
                f"the plan is stale: `{unit.name}` is not in it; run `splitter plan` again",
                analysis.path,
                unit.first_line,
            )
        placement[unit.index] = destination
    stale = sorted(set(by_name) - known)
    if stale:
        raise SplitterError(
            f"the plan is stale: `{stale[0]}` no longer exists in {analysis.path.name}; run `splitter plan` again",
            analysis.path,
        )
    blocks, _ = build_blocks(analysis)
    for block in blocks:
        members = [analysis.units[i] for i in block.units if not analysis.units[i].is_copied]
        if not members:
            continue
        destinations = {placement[u.index] for u in members}
        if len(destinations) > 1:
            names = ", ".join(f"`{u.name}`" for u in members[:4])
            raise SplitterError(
                f"invalid plan: {names} must move together (same name bound twice, or a `global` "
                f"and the code that rebinds it) but the plan sends them to {', '.join(sorted(destinations))}",
                analysis.path,
                members[0].first_line,
            )
        if block.must_stay and destinations != {"main"}:
            raise SplitterError(
                f"invalid plan: `{block.name}` must stay in main.py ({block.must_stay})", analysis.path, block.line
            )
    return placement
