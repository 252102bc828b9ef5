"""Plan warnings from what the repository scan found: tests and code that see the split although every name
still resolves (route lists, second imports of the monolith, reads of its file's text)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from splitter.planning.plan_io import Plan
    from splitter.planning.project import Project


def _routes_listed_note(project: Project, plan: Plan, read) -> str:
    compat = plan.layout.compat_module
    return (
        f"{as_shown(project, str(project.analysis.path))}:{read.line}: reads `{read.shown}` at import time: main.py "
        f"reads `{compat}.routes_as_registered({read.shown})` there, the routes of the routers the split made in "
        "place of each (FastAPI 0.137 and later keep an included router as one entry of the list)"
    )


def hazard_warnings(project: Project, plan: Plan, hazards: list) -> list[str]:
    """Tests that see the split although every name still resolves (analysis/test_hazards.py), found by the
    repository scan: route reads of the app, and second imports when moved code reads the app at call time."""
    from splitter.analysis.route_list_reads import monolith_route_reads
    from splitter.analysis.test_hazards import FRESH_IMPORT
    from splitter.planning.app_setup_runs import is_app_setup
    from splitter.planning.destination import MAIN

    analysis, placement = project.analysis, plan.placement()
    moved = set(placement) - set(plan.main)
    readers = sorted(u.name for u in analysis.units if u.app_at_call_time and u.name in moved)
    routes = [(h.file, h.line, h.shown) for h in hazards if h.kind != FRESH_IMPORT and h.target in analysis.app_names]
    listed, own = [], []
    if any(g.endpoints for g in plan.groups):  # the monolith's own code sees its routes move into routers too
        for read in monolith_route_reads(analysis):
            destination = placement.get(analysis.units[read.statement].name, MAIN)
            if read.whole and (destination == MAIN or is_app_setup(destination)):  # runs where main.py ran it
                listed.append(_routes_listed_note(project, plan, read))
            else:
                own.append((str(analysis.path), read.line, read.shown))
    routes = own + routes
    fresh = [h for h in hazards if h.kind == FRESH_IMPORT] if readers else []
    warnings = listed + [
        f"{as_shown(project, file)}:{line}: reads `{shown}`: FastAPI 0.137 and later keep each included router "
        "as one entry there, so after the split it lists the routers, not the routes the app served "
        "(`fastapi.routing.iter_route_contexts(app.routes)` lists those); check it by hand"
        for file, line, shown in routes
    ]
    if fresh:  # one warning: a suite that resets state this way does it in most of its test files
        shown = ", ".join(f"`{n}`" for n in readers[:4]) + (f" and {len(readers) - 4} more" if len(readers) > 4 else "")
        more = f" (and {len(fresh) - 1} more places)" if len(fresh) > 1 else ""
        warnings.append(
            f"{as_shown(project, fresh[0].file)}:{fresh[0].line}{more}: imports {analysis.module_name} again as a new "
            f"module, which creates a second app: moved code reading the app at call time ({shown}) reads the newest "
            "one (`core.app`), also when another test still sends requests to the app it imported first"
        )
    return warnings


def as_shown(project: Project, file: str) -> Path:
    return Path(file).relative_to(project.root) if Path(file).is_relative_to(project.root) else Path(file)


def file_read_warnings(project: Project, reads: list[tuple[str, int]]) -> list[str]:
    """One warning per file that names the monolith's file as a path, at its first place (the monolith too)."""
    from splitter.analysis.source_file_reads import source_file_reads, spelled_ending

    analysis, name = project.analysis, project.analysis.path.name
    reads = source_file_reads([(analysis.path, analysis.source)], spelled_ending(analysis.module_name)) + reads
    places = Counter(file for file, _ in reads)
    firsts: dict[str, tuple[int, int]] = {}
    for file, line in reads:
        firsts.setdefault(file, (line, places[file] - 1))
    return [
        f"{as_shown(project, file)}:{line}{f' (and {more} more places)' if more else ''}: names {name} as a path: code "
        f"reading that file's text (a parse, a search for `@app.get` or `CORSMiddleware`) finds only the slim {name} "
        "after the split, most of its code in routers/ and services/; update it by hand"
        for file, (line, more) in firsts.items()
    ]
