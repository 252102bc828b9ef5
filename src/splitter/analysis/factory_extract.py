"""The monolith with an app factory's runs of routes taken out into module-level functions (as text).

Each run (analysis/factory_routes.py) becomes `def register_<resource>(app, ...):` above the factory, holding the
routes' lines as they were, each with the comment lines right above it; the factory calls it where the run's
first route was. The body keeps its indentation, so the lines stay byte for byte: a reviewer sees them move, and
the rest of the pipeline moves these functions into routers/ like any definition. Analysis, planning and apply
all work on this text; `line_map` gives each of its lines the monolith's line, for messages.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from splitter.analysis.ast_walk import walk
from splitter.analysis.factory_routes import FactoryRoute, FactoryRuns, first_line


@dataclass
class Extracted:
    source: str
    line_map: list[int] | None  # line of `source` (1-based; index 0 unused) -> the monolith's line as written
    registrars: dict[str, list[FactoryRoute]]  # generated function -> the routes it registers, in order
    factory: str
    kept: list[tuple[int, str]] = field(default_factory=list)  # (line, why) routes left in the factory
    cut: tuple[str, ...] = ()  # registrars the factory hands its app to, cut into those functions: they stay with it
    given_app: bool = False  # the factory is given the app (a registrar module's entry) rather than making it
    tree: ast.Module | None = field(default=None, repr=False)  # the syntax tree of `source`


def extract_runs(lines: list[str], found: FactoryRuns) -> Extracted:
    """`lines`: the monolith's lines without their ends (the source is LF-only here)."""
    factory, body = found.factory, found.factory.body
    run_of = {position: run for run in found.runs for position in run.positions}
    ends = _ends(body)
    floors = [first_line(body[0]) - 1] + ends[:-1]
    starts = [
        _own_start(lines, statement, floor, position in run_of)
        for position, (statement, floor) in enumerate(zip(body, floors, strict=True))
    ]
    out: list[tuple[str, int]] = []  # (line, monolith line)
    indent = _indent(lines[body[0].lineno - 1])
    top = _own_start(lines, factory, found.above, False)
    out += _copied(lines, 1, top)
    placed: dict[int, int] = {}  # body position -> the line of the new text its lines begin at
    bodies: list[tuple[int, int]] = []  # (first, last) line of each generated function's body
    for run in found.runs:
        text, where = _register_function(lines, run, (starts, ends), indent, body[run.positions[-1]])
        placed.update({position: len(out) + offset + 1 for position, offset in where.items()})
        bodies.append((len(out) + 2, len(out) + len(text) - 2))
        out += text
    out += _copied(lines, top, starts[0])
    called = False  # the last thing written is a call: the next call follows it without a blank line
    for position in range(len(body)):
        run, gap = run_of.get(position), _copied(lines, floors[position] + 1, starts[position]) if position else []
        if run is None:
            out += gap + _copied(lines, starts[position], ends[position] + 1)
        elif run.positions[0] == position:
            out += ([] if called else gap) + [(f"{indent}{_call(run)}", starts[position])]
        called = run is not None and (called or run.positions[0] == position)
    tail = len(out)  # the monolith's lines below the factory follow, moved down by `tail - ends[-1]` lines
    out += _copied(lines, ends[-1] + 1, len(lines) + 1)
    registrars = {
        run.name: [r for p in run.positions for r in found.routes.get(p, ())] for run in found.runs if not run.setup
    }
    source = "\n".join(text for text, _ in out)
    tree = _grafted(out[:tail], bodies, indent, found, {p: placed[p] - starts[p] for p in placed}, top)
    tree.body += [_shifted(statement, tail - ends[-1]) for statement in found.after]
    return Extracted(source, [0] + [n for _, n in out], registrars, factory.name, tree=tree)


def _grafted(
    out: list[tuple[str, int]], bodies, indent: str, found: FactoryRuns, shifts: dict[int, int], top: int
) -> ast.Module:
    """The new text's syntax tree without parsing the moved lines again: the text from `top` (where the generated
    functions begin) with their bodies blanked (one `pass` each) is parsed, and each function gets the factory's
    own statement nodes, their line numbers shifted to where the text put them (same indentation: the columns
    stay), so the monolith's own tree is not to be used after this. The statements above and below keep their
    nodes (the caller shifts those below): the lines outside the factory are the monolith's own (fused-render's
    factory is its last 1,200 of 4,900 lines; cognithor cuts seven registrars of 5,800 lines one after another).
    Parsing the whole text again cost as much as parsing the monolith; tests check both trees are the same."""
    skeleton = [text for text, _ in out]
    for first, last in bodies:
        skeleton[first - 1 : last] = [""] * (last - first + 1)
        skeleton[first - 1] = f"{indent}pass"
    region = ast.parse("\n" * (top - 1) + "\n".join(skeleton[top - 1 :]))
    tree = ast.Module(body=[*found.before, *region.body], type_ignores=[])
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for run in found.runs:
        function = functions[run.name]
        function.body = [_shifted(found.factory.body[p], shifts[p]) for p in run.positions]
        function.body += [_return(run, function.body[-1], indent)] if run.returns else []
        function.end_lineno, function.end_col_offset = function.body[-1].end_lineno, function.body[-1].end_col_offset
    return tree


def _return(run, last: ast.stmt, indent: str) -> ast.stmt:
    """The `return helper, ...` line written below the run's last statement, as its parse would be."""
    node = ast.parse(f"return {', '.join(run.returns)}").body[0]
    line = last.end_lineno + 1 + _defines(last)  # type: ignore[operator]
    for inner in walk(node):
        if getattr(inner, "lineno", None) is not None:
            inner.lineno = inner.end_lineno = line  # type: ignore[attr-defined]
            inner.col_offset += len(indent)  # type: ignore[attr-defined]
            inner.end_col_offset += len(indent)  # type: ignore[attr-defined]
    return node


def _shifted(node: ast.stmt, lines: int) -> ast.stmt:
    for inner in walk(node):
        if getattr(inner, "lineno", None) is not None:
            inner.lineno += lines  # type: ignore[attr-defined]
            inner.end_lineno += lines  # type: ignore[attr-defined]
    return node


def _copied(lines: list[str], first: int, stop: int) -> list[tuple[str, int]]:
    return [(lines[n - 1], n) for n in range(first, stop)]


def _defines(statement: ast.stmt) -> bool:
    """A function or class definition: `ruff format` puts a blank line between it and a `return` below it."""
    return isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def _register_function(lines: list[str], run, bounds, indent: str, last: ast.stmt):
    """The generated function (a set-up run as its lines were, routes one blank line apart), and where in it each
    statement's lines begin (offsets in the function's lines). `bounds`: each statement's first and last line."""
    starts, ends = bounds
    first = starts[run.positions[0]]
    out = [(f"def {run.name}({', '.join(run.params)}):", first)]
    where = {}
    if run.setup:
        where = {position: 1 + starts[position] - first for position in run.positions}
        out += _copied(lines, first, ends[run.positions[-1]] + 1)
        blank = [("", first)] if _defines(last) else []
        out += blank + [(f"{indent}return {', '.join(run.returns)}", first)] if run.returns else []
    for number, position in enumerate([] if run.setup else run.positions):
        if number:
            out.append(("", starts[position]))
        where[position] = len(out)
        out += _copied(lines, starts[position], ends[position] + 1)
    return out + [("", first), ("", first)], where


def _call(run) -> str:
    """`register_items(app, db)`; a run defining helpers the factory reads later binds them where it was:
    `_check, _body = define_helpers(config)`."""
    call = f"{run.name}({', '.join(run.params)})"
    return f"{', '.join(run.returns)} = {call}" if run.returns else call


def _ends(body: list) -> list[int]:
    return [statement.end_lineno for statement in body]


def _own_start(lines: list[str], statement, floor: int, moves: bool) -> int:
    """The first line of a statement with its decorators and the comment lines right above it; a statement
    that moves also takes the comments above those, across blank lines (a section's banner goes with the routes
    under it, not left above another section). `floor`: where the statement before it ends."""
    first = line = first_line(statement)
    while line - 1 > floor:
        text = lines[line - 2].strip()
        if text.startswith("#"):
            line = first = line - 1
        elif not text and moves:
            line -= 1
        else:
            break
    return first


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
