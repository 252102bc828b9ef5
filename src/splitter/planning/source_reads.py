"""Tests that read the monolith's source text with `inspect.getsource`, whose answer the split changes.

`inspect.getsource(main)` reads the whole module: after the split most of it lives elsewhere. One function's
source (`inspect.getsource(main.helper)`) stays the same when the function moves byte for byte, but not when the
split rewrites it: a seam it reads becomes `shared.x` (strategyos-mvp's test looked for
`llm_qa.chat_status(CONFIG)` in a function kept in main.py, which reads both through `core` after the split), a
moved route's decorator becomes `@router.get`, a moved hook loses its decorator. Each such read is a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from splitter.analysis.model import Analysis, Unit
from splitter.analysis.patched_names import PatchSite, function_source_reads, run_time_source_reads, source_reads
from splitter.planning.destination import MAIN
from splitter.planning.plan_io import Plan


def source_read_warnings(analysis: Analysis, plan: Plan, sites: Iterable[PatchSite], shown: Callable) -> list[str]:
    """Warnings for the reads of the module's text, and of one function's text that the split rewrites."""
    sites = list(sites)
    module = analysis.path.name
    warnings = [
        f"{shown(file)}:{line}: reads the source text of {module} (inspect.getsource): after the split most of that "
        "code lives in routers/ and services/, so what it finds there changes; update it by hand"
        for file, line in source_reads(sites)
    ]
    stem = Path(module).stem
    warnings += [
        f"{shown(file)}:{line}: reads the source text of a function of {module} named at run time "
        f"(`inspect.getsource(getattr({stem}, name))`): the split rewrites the functions it moves out of "
        f"{module} (a route's decorator becomes `@router`) and those reading a seam (through its home module); "
        "check it by hand"
        for file, line in run_time_source_reads(sites)
    ]
    for name, file, line in function_source_reads(sites):
        why = _rewritten(analysis, plan, name)
        if why:
            warnings.append(
                f"{shown(file)}:{line}: reads the source text of `{stem}.{name}` (inspect.getsource): "
                f"the split rewrites it ({why}); update it by hand"
            )
    return warnings


def _rewritten(analysis: Analysis, plan: Plan, name: str) -> str:
    """How the split changes the text of the definition of `name` ('' when it moves, or stays, as it is)."""
    unit = next((u for u in analysis.units if name in u.binds and u.kind in ("function", "class")), None)
    if unit is None:
        return ""
    moved = plan.placement().get(name, MAIN) != MAIN
    reasons = []
    seams = sorted(unit.uses & set(plan.seams) - set(unit.binds))
    if seams:
        reasons.append(f"it reads {_listed(seams)} through {'its' if len(seams) == 1 else 'their'} home module")
    if moved and _route_on_the_app(analysis, unit):
        reasons.append("its route decorator becomes `@router`")
    if moved and unit.hook_kinds:
        reasons.append("its hook decorator is taken off")
    return "; ".join(reasons)


def _route_on_the_app(analysis: Analysis, unit: Unit) -> bool:
    return unit.route_owner is not None and unit.route_owner in analysis.app_names


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
