"""The monolith with an app factory's runs of routes taken out into module-level functions (as text).

Each run (analysis/factory_routes.py) becomes `def register_<resource>(app, ...):` above the factory, holding the
routes' lines as they were, each with the comment lines right above it; the factory calls it where the run's
first route was. The body keeps its indentation, so the lines stay byte for byte: a reviewer sees them move, and
the rest of the pipeline moves these functions into routers/ like any definition. Analysis, planning and apply
all work on this text; `line_map` gives each of its lines the monolith's line, for messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from splitter.analysis.factory_routes import FactoryRoute, FactoryRuns


@dataclass
class Extracted:
    source: str
    line_map: list[int]  # line of `source` (1-based; index 0 unused) -> line of the monolith as written
    registrars: dict[str, list[FactoryRoute]]  # generated function -> the routes it registers, in order
    factory: str
    kept: list[tuple[int, str]] = field(default_factory=list)  # (line, why) routes left in the factory


def extract_runs(lines: list[str], found: FactoryRuns) -> Extracted:
    """`lines`: the monolith's lines without their ends (the source is LF-only here)."""
    factory, body = found.factory, found.factory.body
    floors = [factory.body[0].lineno - 1] + _ends(body)[:-1]  # the first statement's comments stay below the def
    starts = [_chunk_start(lines, statement, floor) for statement, floor in zip(body, floors, strict=True)]
    ends = _ends(body)
    nexts = starts[1:] + [factory.end_lineno + 1]  # type: ignore[operator]
    run_of = {position: run for run in found.runs for position in run.positions}
    out: list[tuple[str, int]] = []  # (line, monolith line)
    top = _chunk_start(lines, factory, found.above)
    out += [(lines[n - 1], n) for n in range(1, top)]
    for run in found.runs:
        out += _register_function(lines, run, starts, ends)
    out += [(lines[n - 1], n) for n in range(top, starts[0])]
    indent = _indent(lines[body[0].lineno - 1])
    for position in range(len(body)):
        run = run_of.get(position)
        if run is None:
            out += [(lines[n - 1], n) for n in range(starts[position], nexts[position])]
        elif run.positions[0] == position:
            out.append((f"{indent}{run.name}({', '.join(run.params)})", starts[position]))
            out += [(lines[n - 1], n) for n in range(ends[position] + 1, nexts[position])]
    out += [(lines[n - 1], n) for n in range(factory.end_lineno + 1, len(lines) + 1)]  # type: ignore[operator]
    registrars = {run.name: [found.routes[p] for p in run.positions] for run in found.runs}
    return Extracted("\n".join(text for text, _ in out), [0] + [n for _, n in out], registrars, factory.name)


def _register_function(lines: list[str], run, starts: list[int], ends: list[int]) -> list[tuple[str, int]]:
    first = starts[run.positions[0]]
    out = [(f"def {run.name}({', '.join(run.params)}):", first)]
    for number, position in enumerate(run.positions):
        if number:
            out.append(("", starts[position]))
        out += [(lines[n - 1], n) for n in range(starts[position], ends[position] + 1)]
    return out + [("", first), ("", first)]


def _ends(body: list) -> list[int]:
    return [statement.end_lineno for statement in body]


def _chunk_start(lines: list[str], statement, below: int) -> int:
    """The first line of a statement with its decorators and the comment lines right above it (below line
    `below`, where the statement before it ends)."""
    first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
    while first - 1 > below and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
