"""Human-readable output of `plan` and `apply`."""

from __future__ import annotations

from collections import Counter

from .layout import Destinations
from .model import Analysis
from .plan_io import Plan


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(widths[i]) if i < len(row) - 1 else cell for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def render_plan(analysis: Analysis, plan: Plan, verbose: bool = False) -> str:
    units = {u.name: u for u in analysis.units}
    lines_of = {name: u.last_line - u.first_line + 1 for name, u in units.items()}
    routes = [r for r in analysis.registrations if r.kind in ("route", "websocket")]
    symbols = sum(1 for u in analysis.units if u.kind not in ("import", "docstring"))
    where = Destinations(analysis.path.parent, analysis.package, plan.layout, relative=True)
    out = [
        f"splitter plan: {analysis.path} ({analysis.line_count} lines, {len(routes)} routes, {symbols} symbols, "
        f"module {analysis.module_name})",
        "",
    ]
    rows = [["group", "routes", "lines", "prefix", "router module", "service symbols"]]
    for group in plan.groups:
        size = sum(lines_of.get(n, 0) for n in {e.function for e in group.endpoints} | set(group.router_symbols))
        rows.append(
            [
                group.name,
                str(len(group.endpoints)),
                str(size),
                group.prefix or "-",
                str(where.path(f"routers.{group.name}").relative_to(analysis.path.parent)),
                str(len(group.service_symbols)),
            ]
        )
    if len(rows) > 1:
        out += _table(rows)
    else:
        out.append("no endpoints to move")
    out.append("")
    for label, destination, names in (
        ("shared", "shared", plan.shared),
        ("core", "core", plan.core),
        ("hooks", "hooks", plan.hooks),
    ):
        if names:
            size = sum(lines_of.get(n, 0) for n in names)
            path = where.path(destination).relative_to(analysis.path.parent)
            out.append(f"{label}: {len(names)} symbols, {size} lines -> {path}")
    kinds = Counter(h.kind for h in analysis.hooks)
    kept = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    out.append(
        f"main.py keeps: app creation, registrations in order{', ' + kept if kept else ''}; {len(plan.main)} statements"
    )
    if plan.seams:
        out.append(f"seams (read through their home module): {', '.join(plan.seams)}")
    if verbose:
        out.append("")
        for name, destination in sorted(plan.placement().items(), key=lambda item: (item[1], item[0])):
            out.append(f"  {destination:<28} {name}")
    if plan.warnings:
        out.append("")
        out.append(f"warnings ({len(plan.warnings)}):")
        out += [f"  {w}" for w in plan.warnings]
    return "\n".join(out)


def render_apply(result) -> str:
    lines = [f"{'wrote' if result.written else 'would write'} {len(result.changes)} files:"]
    for path in sorted(result.changes):
        try:
            shown = path.relative_to(result.root)
        except ValueError:
            shown = path
        lines.append(f"  {shown} ({result.changes[path].count(chr(10))} lines)")
    return "\n".join(lines)
