"""What `plan` and `apply` report: rich tables for people, one JSON schema for machines (docs/output.md)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from splitter import __version__, console
from splitter.planning.destination import CORE, HOOKS, SHARED, Destination
from splitter.planning.layout import Destinations
from splitter.analysis.model import Analysis
from splitter.planning.plan_io import Plan

OUTPUT_SCHEMA = 1


_CREATION = {"app": "app creation, ", "router": "router creation, ", "routers": "", "factory": "the app factory, "}


def _where(plan: Plan) -> tuple[Destinations, Path]:
    folder = Path(plan.source).parent
    return Destinations(folder, None, plan.layout, relative=True, packages=plan.packages()), folder


def plan_summary(plan: Plan) -> dict:
    """The plan as `--format json` shows it: where every group and symbol goes (paths relative to the monolith)."""
    where, folder = _where(plan)

    def rel(destination: Destination) -> str:
        return where.path(destination).relative_to(folder).as_posix()

    groups = [
        {
            "name": g.name,
            "prefix": g.prefix,
            "common_path": g.common_path,
            "router_module": rel(Destination.router(g.name)),
            "service_module": rel(Destination.service(g.name)) if g.service_symbols else None,
            "endpoints": [
                {"function": e.function, "methods": e.methods, "path": e.path, "line": e.line} for e in g.endpoints
            ],
            "router_symbols": list(g.router_symbols),
            "service_symbols": list(g.service_symbols),
            "why": list(g.why),
        }
        for g in plan.groups
    ]
    modules = {SHARED: plan.shared, CORE: plan.core, HOOKS: plan.hooks, **plan.extra_modules}
    return {
        "source": plan.source,
        "module": plan.module,
        "groups": groups,
        "modules": {rel(d): list(names) for d, names in modules.items() if names},
        "main": list(plan.main),
        "seams": list(plan.seams),
        "warnings": list(plan.warnings),
    }


def envelope(command: str, ok: bool, **parts: object) -> str:
    """The one JSON document every `--format json` prints; keys a command has nothing for are left out."""
    document = {"splitter": __version__, "schema": OUTPUT_SCHEMA, "command": command, "ok": ok}
    document.update({key: value for key, value in parts.items() if value is not None})
    return json.dumps(document, indent=2) + "\n"


def print_plan(analysis: Analysis, plan: Plan, warnings_to_err: bool = False) -> None:
    units = {u.name: u for u in analysis.units}
    lines_of = {name: u.last_line - u.first_line + 1 for name, u in units.items()}
    routes = [r for r in analysis.registrations if r.kind in ("route", "websocket")]
    routes += [route for routes_of in analysis.factory_routes.values() for route in routes_of]
    line_count = analysis.original_line(analysis.line_count)  # the monolith's, when a factory's routes left it
    symbols = sum(1 for u in analysis.units if u.kind not in ("import", "docstring"))
    where = Destinations(analysis.path.parent, analysis.package, plan.layout, relative=True, packages=plan.packages())
    console.say(
        f"splitter plan: {analysis.path} ({line_count} lines, {len(routes)} routes, {symbols} symbols, "
        f"module {analysis.module_name})",
        style="bold",
    )
    rows = []
    for group in plan.groups:
        size = sum(lines_of.get(n, 0) for n in {e.function for e in group.endpoints} | set(group.router_symbols))
        module = where.path(Destination.router(group.name)).relative_to(analysis.path.parent).as_posix()
        routes, services = str(len(group.endpoints)), str(len(group.service_symbols))
        rows.append([group.name, routes, str(size), group.shown_path or "-", module, services])
    if rows and console.state.level >= console.NORMAL:
        header = ["group", "routes", "lines", "prefix", "router module", "service symbols"]
        console.print_table(console.table(header, rows, numeric=(1, 2, 5)))
        explained = [[g.name, "; ".join(g.why)] for g in plan.groups if g.why]
        if explained:  # what a reviewer checks before accepting the groups
            console.print_table(console.table(["group", "why these endpoints are together"], explained))
    elif not rows:
        console.say("no endpoints to move")
    for destination, names in ((SHARED, plan.shared), (CORE, plan.core), (HOOKS, plan.hooks)):
        if names:
            size = sum(lines_of.get(n, 0) for n in names)
            path = where.path(destination).relative_to(analysis.path.parent).as_posix()
            console.say(f"{destination}: {len(names)} symbols, {size} lines -> {path}")
    kinds = Counter(h.kind for h in analysis.hooks)
    kept = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    kept = f", {kept}" if kept else ""
    console.say(
        f"{analysis.path.name} keeps: {_CREATION[analysis.primary_kind]}registrations in order{kept}; "
        f"{len(plan.main)} statements"
    )
    if plan.seams:
        console.say(f"seams (read through their home module): {', '.join(plan.seams)}")
    if console.verbose():
        placement = sorted(plan.placement().items(), key=lambda item: (item[1], item[0]))
        rows = [[name, str(destination)] for name, destination in placement]
        console.print_table(console.table(["destination", "symbol"], rows))
    print_warnings(plan.warnings, to_err=warnings_to_err)


def print_warnings(warnings: list[str], to_err: bool = False) -> None:
    """Warnings show even with -q: each is something that stays in main.py and why."""
    if warnings:
        console.say(f"warnings ({len(warnings)}):", style="yellow", level=console.QUIET, to_err=to_err)
        for warning in warnings:
            console.say(f"  {warning}", style="yellow", level=console.QUIET, to_err=to_err)


def changed_files(result) -> list[dict]:
    """Each file `apply` writes (or would): path relative to the repository, created or modified, lines; in the
    order of those paths, however the monolith was named (relative, absolute, through `..`)."""
    from splitter.emit.writer import shown_path, text_on_disk  # apply's alone: plan does not load the writer

    files = []
    for path in result.changes:
        text = result.changes[path]
        if text_on_disk(path) == text:
            continue
        shown = shown_path(path, Path(result.root))
        files.append({"path": shown, "status": "modified" if path.exists() else "created", "lines": text.count("\n")})
    return sorted(files, key=lambda file: file["path"])


def print_files(files: list[dict], written: bool) -> None:
    verb = "wrote" if written else "would write"
    console.say(f"{verb} {len(files)} files", style="bold")
    if console.verbose() or not written:
        rows = [[f["status"], f["path"], str(f["lines"])] for f in files]
        if rows and console.state.level >= console.NORMAL:
            console.print_table(console.table(["", "file", "lines"], rows, numeric=(2,)))


SEVERITY_STYLES = {"breaking": "bold red", "non-breaking": "yellow", "cosmetic": "dim"}


def print_verify_report(report) -> None:
    """`verify`'s findings, most important first; `apply --verify` prints a rollback's findings the same way."""
    from splitter.verification.findings import SEVERITIES

    console.say(f"verify: {report.summary()}", style="bold", level=console.QUIET)
    rows = [
        [console.styled(f.severity, SEVERITY_STYLES.get(f.severity, "")), f.kind, f.location, f.message]
        for severity in SEVERITIES
        for f in report.of_severity(severity)
    ]
    if rows:
        console.print_table(console.table(["severity", "kind", "where", "finding"], rows))
