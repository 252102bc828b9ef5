"""A moved hook's app decorators taken off as text, as `codemods/detach_hooks.detach` takes them off with libcst.

`@app.middleware("http")` above a function that moves to hooks.py becomes `app.middleware("http")(f)` in main.py.
Parsing the function with libcst for that cost more than the rest of its move (pocketpaw's four hooks, 290 lines):
here each hook decorator's lines are cut from the monolith's text at the positions `ast` gives, and the
registration is the decorator's own text called with the function's name, which is what the codemod prints.
Anything else on those lines (a parenthesized `@(...)`, code after the decorator) is left to the codemod.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from splitter.codemods.detach_hooks import kept_decorators
from splitter.emit.seam_edits import char_column

Edit = tuple[int, int, str]

_AT_ONLY = re.compile(r"[ \t]*@[ \t]*")
_LINE_END = re.compile(r"[ \t]*(#[^\n]*)?\n")


def hook_edits(node: ast.stmt, text_start: int, lines: list[str], app: str) -> tuple[list[Edit], list[str]] | None:
    """(edits removing each hook decorator's lines, the registrations' source, bottom decorator first); None
    when the codemod must do it."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    kept = {id(d) for d in kept_decorators(node.decorator_list, app)}
    hooks = [d for d in node.decorator_list if id(d) not in kept]
    if not hooks:
        return None
    edits, registrations = [], []
    for decorator in hooks:
        first, last = lines[decorator.lineno - 1], lines[decorator.end_lineno - 1]
        start = char_column(first, decorator.col_offset)
        end = char_column(last, decorator.end_col_offset)
        if not _AT_ONLY.fullmatch(first[:start]) or not _LINE_END.fullmatch(last[end:]):
            return None
        spanned = "".join(lines[decorator.lineno - 1 : decorator.end_lineno])
        edits.append((sum(len(x) for x in lines[text_start : decorator.lineno - 1]), len(spanned), ""))
        source = spanned[start : len(spanned) - len(last) + end]
        registrations.insert(0, f"{source}({node.name})\n")
    return edits, registrations


def registration_statements(registrations: list[str]) -> list[cst.BaseStatement]:
    return [cst.parse_statement(text) for text in registrations]
