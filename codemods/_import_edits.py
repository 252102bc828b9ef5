"""Syntax-level helpers for `retarget_references`: editing import statements and reading call arguments.

Nothing here looks at scopes or at the relocation; `RetargetReferences` decides what to edit
and these functions only take nodes apart and put them back together.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from splitter.codemods._home_imports import DIRECTIVE_COMMENTS

# ---- import statements ---------------------------------------------------------------------------------------


def module_of(node: cst.ImportFrom) -> str | None:
    return get_full_name_for_node(node.module) if node.module is not None else None


def edited_body(
    original: Sequence[cst.BaseSmallStatement],
    updated: Sequence[cst.BaseSmallStatement],
    remove_aliases: Mapping[cst.CSTNode, Collection[cst.ImportAlias]],
    add_after: Mapping[cst.CSTNode, Sequence[str]],
) -> list[cst.BaseSmallStatement] | None:
    """Small statements after removing retargeted aliases and adding imports; None when nothing changes.

    `remove_aliases` and `add_after` are keyed by the original small statement; `updated` is the same
    statements after their children were transformed, one for one.
    """
    if not any(small in add_after or small in remove_aliases for small in original):
        return None
    body: list[cst.BaseSmallStatement] = []
    for old, new in zip(original, updated, strict=True):
        kept = without_aliases(old, new, remove_aliases[old]) if old in remove_aliases else new
        if kept is not None:
            body.append(kept)
        body.extend(cst.parse_statement(code).body[0] for code in add_after.get(old, ()))
    if body and body[-1] is not updated[-1]:
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return body


def without_aliases(
    original: cst.Import | cst.ImportFrom,
    updated: cst.Import | cst.ImportFrom,
    remove: Collection[cst.ImportAlias],
) -> cst.Import | cst.ImportFrom | None:
    old_names = list(original.names)  # type: ignore[arg-type]  # never a star import here
    new_names = list(updated.names)  # type: ignore[arg-type]
    names = [new for old, new in zip(old_names, new_names, strict=True) if old not in remove]
    if not names:
        return None
    if old_names[-1] in remove:  # the new last name takes the old last name's comma (usually none)
        names[-1] = names[-1].with_changes(comma=new_names[-1].comma)
    return updated.with_changes(names=names)


def one_statement_per_line(
    line: cst.SimpleStatementLine, body: Sequence[cst.BaseSmallStatement]
) -> cst.FlattenSentinel[cst.BaseStatement]:
    """`line` with `body` split one small statement per line; a directive comment is repeated on each."""
    comment = line.trailing_whitespace.comment
    directive = comment is not None and comment.value.startswith(DIRECTIVE_COMMENTS)
    lines = [line.with_changes(body=[body[0]])]
    for small in body[1:]:
        new_line = cst.SimpleStatementLine(body=[small])
        lines.append(new_line.with_changes(trailing_whitespace=line.trailing_whitespace) if directive else new_line)
    return cst.FlattenSentinel(lines)


# ---- call arguments ------------------------------------------------------------------------------------------


def target_arg(call: cst.Call) -> cst.Arg | None:
    """The object or string a call acts on: first positional argument or `target=` / `obj=` / `in_dict=`."""
    for index, arg in enumerate(call.args):
        if arg.keyword is None and arg.star == "":
            return arg if index == 0 else None
        if arg.keyword is not None and arg.keyword.value in ("target", "obj", "in_dict"):
            return arg
    return None


def name_arg(call: cst.Call) -> cst.Arg | None:
    """The attribute-name argument of `setattr`-like calls: second positional or `name=` / `attribute=`."""
    positional = [arg for arg in call.args if arg.keyword is None and arg.star == ""]
    if len(positional) > 1:
        return positional[1]
    return next((arg for arg in call.args if arg.keyword and arg.keyword.value in ("name", "attribute")), None)


def literal(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal without escapes (so it can be rewritten textually)."""
    if not isinstance(node, cst.SimpleString):
        return None
    value = node.evaluated_value
    body = node.value[len(node.prefix) + len(node.quote) : -len(node.quote)]
    return value if isinstance(value, str) and value == body else None


def with_text(string: cst.SimpleString, text: str) -> str:
    """Source of a string literal holding `text`, in the same prefix and quotes as `string`."""
    return f"{string.prefix}{string.quote}{text}{string.quote}"
