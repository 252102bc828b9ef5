"""Small statements splitter generates, built as libcst nodes directly (parsing each would cost milliseconds)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from splitter.planning.destination import Destination
    from splitter.planning.layout import Destinations

WRAP_AT = 100


def dotted(name: str) -> cst.Name | cst.Attribute:
    parts = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _alias(text: str) -> cst.ImportAlias:
    name, _, alias = text.partition(" as ")
    return cst.ImportAlias(name=dotted(name.strip()), asname=cst.AsName(cst.Name(alias.strip())) if alias else None)


def from_import(clause: str, names: list[str], wrap_at: int = WRAP_AT) -> cst.SimpleStatementLine:
    """`from {clause} import a, b as c`; wrapped one name per line past `wrap_at` columns (the line length)."""
    dots = len(clause) - len(clause.lstrip("."))
    module = clause[dots:]
    aliases = [_alias(n) for n in names]
    wrap = len(f"from {clause} import {', '.join(names)}") > wrap_at
    lpar = rpar = None
    if wrap:
        newline = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    ")
        )
        last_newline = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("")
        )
        aliases = [
            a.with_changes(comma=cst.Comma(whitespace_after=last_newline if i == len(aliases) - 1 else newline))
            for i, a in enumerate(aliases)
        ]
        lpar = cst.LeftParen(whitespace_after=newline)
        rpar = cst.RightParen()
    node = cst.ImportFrom(
        module=dotted(module) if module else None,
        names=aliases,
        relative=[cst.Dot() for _ in range(dots)],
        lpar=lpar,
        rpar=rpar,
    )
    return cst.SimpleStatementLine([node])


def from_import_commented(clause: str, names: list[tuple[str, str | None]]) -> cst.SimpleStatementLine:
    """`from {clause} import (` one name per line, each with its trailing comment (a noqa directive) `)`."""
    dots = len(clause) - len(clause.lstrip("."))
    aliases = []
    for index, (name, comment) in enumerate(names):
        last = index == len(names) - 1
        newline = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  " if comment else ""),
                comment=cst.Comment(comment) if comment else None,
            ),
            indent=True,
            last_line=cst.SimpleWhitespace("" if last else "    "),
        )
        aliases.append(_alias(name).with_changes(comma=cst.Comma(whitespace_after=newline)))
    opening = cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    ")
    )
    node = cst.ImportFrom(
        module=dotted(clause[dots:]) if clause[dots:] else None,
        names=aliases,
        relative=[cst.Dot() for _ in range(dots)],
        lpar=cst.LeftParen(whitespace_after=opening),
        rpar=cst.RightParen(),
    )
    return cst.SimpleStatementLine([node])


def reexporting(line: cst.SimpleStatementLine, names: set[str]) -> tuple[cst.SimpleStatementLine, set[str]]:
    """The import `line` with each of `names` it imports unaliased written `name as name`, and those names. ruff
    reads that redundant alias as an explicit re-export: the name is neither unused (F401) nor redefined while
    unused (F811) when a function of the module imports it again, which no comment on this line can silence."""
    small = line.body[0] if len(line.body) == 1 else None
    if not names or not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
        return line, set()
    aliased: set[str] = set()

    def alias(item: cst.ImportAlias) -> cst.ImportAlias:
        if item.asname is None and isinstance(item.name, cst.Name) and item.name.value in names:
            aliased.add(item.name.value)
            return item.with_changes(asname=cst.AsName(name=cst.Name(item.name.value)))
        return item

    small = small.with_changes(names=[alias(item) for item in small.names])
    return line.with_changes(body=[small]), aliased


def with_directive(line: cst.SimpleStatementLine, comment: str) -> cst.SimpleStatementLine:
    """`line` carrying a directive comment where ruff reads it for the whole statement: on the first line of a
    parenthesized import spread over several lines (after the closing parenthesis it covers no name), else at the
    end of the line; a comment already there stays in front of it."""
    small = line.body[0] if len(line.body) == 1 else None
    opening = small.lpar if isinstance(small, cst.ImportFrom) else None
    if opening is not None and isinstance(opening.whitespace_after, cst.ParenthesizedWhitespace):
        first = _commented(opening.whitespace_after.first_line, comment)
        lpar = opening.with_changes(whitespace_after=opening.whitespace_after.with_changes(first_line=first))
        return line.with_changes(body=[small.with_changes(lpar=lpar)])
    return line.with_changes(trailing_whitespace=_commented(line.trailing_whitespace, comment))


def _commented(whitespace: cst.TrailingWhitespace, comment: str) -> cst.TrailingWhitespace:
    text = merged_comment(whitespace.comment.value, comment) if whitespace.comment is not None else comment
    return whitespace.with_changes(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text))


def merged_comment(existing: str, directive: str) -> str:
    """`existing` with `directive` (`# noqa: F401 - why`) added. ruff reads one noqa directive per line, so a
    `# noqa: E402` already there gains the code (`# noqa: E402, F401 - why`: mcp-context-forge's imports after
    its app setup), and a bare `# noqa` or one naming the codes covers them already."""
    old, new = NOQA_DIRECTIVE.search(existing), NOQA_DIRECTIVE.match(directive)
    if old is None or new is None or not new.group("codes"):
        return f"{existing}  {directive}"
    if not old.group("codes") or _codes(new) <= _codes(old):
        return existing
    return f"{existing[: old.end()]}, {new.group('codes')}{directive[new.end() :]}{existing[old.end() :]}"


def _codes(directive: re.Match) -> set[str]:
    return {code.strip().upper() for code in directive.group("codes").split(",")}


NOQA_DIRECTIVE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def import_module(name: str, alias: str | None = None) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Import(names=[_alias(f"{name} as {alias}" if alias else name)])])


def method_call(obj: str, method: str, argument: str) -> cst.SimpleStatementLine:
    """`obj.method(argument)`; the argument a name or a dotted name (`history.router`)."""
    value: cst.BaseExpression = cst.Name(argument.split(".")[0])
    for attribute in argument.split(".")[1:]:
        value = cst.Attribute(value=value, attr=cst.Name(attribute))
    call = cst.Call(func=cst.Attribute(value=cst.Name(obj), attr=cst.Name(method)), args=[cst.Arg(value)])
    return cst.SimpleStatementLine([cst.Expr(call)])


def docstring(text: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}"""'))])


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    equal = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    return cst.Arg(keyword=cst.Name(name), equal=equal, value=value)


def router_creation(
    variable: str, tag: str | None, settings: dict[str, str] | None = None, prefix: str = ""
) -> cst.SimpleStatementLine:
    """`router = APIRouter(prefix=..., tags=[...], route_class=...)`: settings are the app router's, repeated
    (source text); the prefix is the plan's."""
    args = [_keyword(name, cst.parse_expression(value)) for name, value in (settings or {}).items()]
    if tag is not None:
        args.insert(0, _keyword("tags", cst.List([cst.Element(cst.SimpleString(f'"{tag}"'))])))
    if prefix:
        args.insert(0, _keyword("prefix", cst.SimpleString(json.dumps(prefix))))
    call = cst.Call(func=cst.Name("APIRouter"), args=args)
    return cst.SimpleStatementLine([cst.Assign(targets=[cst.AssignTarget(cst.Name(variable))], value=call)])


def app_placeholder(app: str, source: str, kind: str = "app") -> cst.SimpleStatementLine:
    """`app = None` in core.py, with why: moved code reads the app (or the split router) at call time, main.py
    sets it."""
    what = "the FastAPI app" if kind == "app" else "the APIRouter"
    comment = cst.Comment(f"# {what}, set by {source} right after creating it (read at call time)")
    assignment = cst.Assign(targets=[cst.AssignTarget(cst.Name(app))], value=cst.Name("None"))
    return cst.SimpleStatementLine(
        [assignment],
        leading_lines=[cst.EmptyLine(), cst.EmptyLine(), cst.EmptyLine(comment=comment)],
    )


def main_run_on_first_read(names: list[str], module: str, source: str) -> cst.FunctionDef:
    """A module `__getattr__` for core.py (PEP 562): `names` are set here by main.py as it runs (the app right after
    it is created, a name after the block binding it) and read by moved code as `core.x` when called. Code that
    reaches them without main.py having run (a test importing a moved function from its new module, as the
    reference rewrite makes it) runs main.py first, as importing that function from main.py did."""
    listed = ", ".join(json.dumps(name) for name in names) + ("," if len(names) == 1 else "")
    code = (
        "def __getattr__(name):\n"
        f"    # set by {source} as it runs: read before that, it is imported first\n"
        f"    if name in ({listed}):\n"
        f"        __import__({json.dumps(module)})\n"
        "        if name in globals():\n"
        "            return globals()[name]\n"
        '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
    )
    function = cst.parse_statement(code)
    return function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])


def stand_ins_for_checkers(names: list[str], source: str) -> cst.If:
    """`if TYPE_CHECKING: x = None` for names main.py sets in core.py as it runs that core.py's own code reads."""
    assignments = "".join(f"    {name} = None\n" for name in names)
    comment = cst.EmptyLine(comment=cst.Comment(f"# for linters: {source} sets them as it runs"))
    return cst.parse_statement("if TYPE_CHECKING:\n" + assignments).with_changes(
        leading_lines=[cst.EmptyLine(), cst.EmptyLine(), comment]
    )


def handover_placeholder(name: str, source: str) -> cst.SimpleStatementLine:
    """`x = None` in core.py: moved code reads it at call time, main.py sets it after the block binding it."""
    comment = cst.Comment(f"# set by {source}")
    assignment = cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=cst.Name("None"))
    trailing = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=comment)
    return cst.SimpleStatementLine([assignment], trailing_whitespace=trailing)


def attribute_assignment(obj: str, attribute: str, value: str) -> cst.SimpleStatementLine:
    target = cst.Attribute(value=cst.Name(obj), attr=cst.Name(attribute))
    return cst.SimpleStatementLine([cst.Assign(targets=[cst.AssignTarget(target)], value=dotted(value))])


def with_module_pinned(statement: cst.ClassDef, module: str) -> cst.ClassDef:
    """The class body starts (after its docstring) with `__module__ = "pkg.main"`: FastAPI names the OpenAPI
    schema of a model whose class name another module also uses after `__module__`."""
    pin = cst.SimpleStatementLine(
        [cst.Assign(targets=[cst.AssignTarget(cst.Name("__module__"))], value=cst.SimpleString(f'"{module}"'))],
        trailing_whitespace=cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# keeps its OpenAPI schema name")
        ),
    )
    body = list(statement.body.body)
    first = body[0] if body else None
    has_docstring = (
        isinstance(first, cst.SimpleStatementLine)
        and isinstance(first.body[0], cst.Expr)
        and isinstance(first.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
    body.insert(1 if has_docstring else 0, pin)
    return statement.with_changes(body=statement.body.with_changes(body=body))


def openapi_tags_extension(app: str, entries: list[tuple[str, str]]) -> cst.SimpleStatementLine:
    """`app.openapi_tags = [*(app.openapi_tags or []), {"name": ..., "description": ...}, ...]`, one line per
    tag: keeps the tags the app already declares (FastAPI reads the attribute when it builds the document)."""
    items = [f"    *({app}.openapi_tags or []),"]
    for name, description in entries:
        items.append(f'    {{"name": {json.dumps(name)}, "description": {json.dumps(description)}}},')
    code = f"{app}.openapi_tags = [\n" + "\n".join(items) + "\n]\n"
    return cst.parse_statement(code)


def module_import(
    where: Destinations, importer: Destination, target: Destination, alias: str
) -> cst.SimpleStatementLine:
    """A statement binding `alias` to the generated module `target`, as `importer` (both destinations) sees it."""
    sub = where.subpath(target)
    parent, _, leaf = sub.rpartition(".")
    name = leaf if alias == leaf else f"{leaf} as {alias}"
    if where.package and where.relative:
        return from_import("." * (where.depth(importer) + 1) + parent, [name])
    base = ".".join(p for p in (where.package, parent) if p)
    if base:
        return from_import(base, [name])
    return import_module(leaf, alias if alias != leaf else None)
