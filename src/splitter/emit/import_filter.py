"""The monolith's import statements cut down to the names one generated module uses, relative depth adjusted."""

from __future__ import annotations

import libcst as cst

from splitter.emit import nodes


def filtered_import(statement: cst.BaseStatement, names: set[str], depth: int, block: bool) -> cst.BaseStatement | None:
    """The original import (or `if`/`try` import block), keeping only aliases that bind `names`; relative
    imports gain `depth` levels. None when nothing is left."""
    if block:
        return _filter_block(statement, names, depth)
    return _filter_import(statement, names, depth)


def _filter_block(statement: cst.BaseStatement, names: set[str], depth: int) -> cst.BaseStatement | None:
    """An `if`/`try` of imports keeping only the imports (and constant fallbacks) that bind `names`; None when
    its main branch keeps nothing. Handlers keep their `raise`/`pass`, an emptied branch becomes `pass`."""
    if isinstance(statement, cst.SimpleStatementLine):
        small = statement.body[0]
        if isinstance(small, cst.Assign):
            bound = {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
            return statement.with_changes(leading_lines=[]) if bound & names else None
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            return _filter_import(statement, names, depth)
        return statement
    if isinstance(statement, cst.If):
        body = _filter_suite(statement.body, names, depth)
        orelse = statement.orelse
        if isinstance(orelse, cst.Else):
            orelse = orelse.with_changes(body=_filter_suite(orelse.body, names, depth) or _pass_suite())
        elif isinstance(orelse, cst.If):
            orelse = _filter_block(orelse, names, depth) or None
        if body is None and orelse is None:
            return None
        return statement.with_changes(body=body or _pass_suite(), orelse=orelse)
    if isinstance(statement, cst.Try):
        body = _filter_try_body(statement.body, names, depth)
        if body is None:
            return None
        handlers = [h.with_changes(body=_filter_handler(h.body, names, depth)) for h in statement.handlers]
        return statement.with_changes(body=body, handlers=handlers)
    return statement


def _filter_handler(suite: cst.BaseSuite, names: set[str], depth: int) -> cst.BaseSuite:
    kept = [s for s in (_filter_block(s, names, depth) for s in suite.body) if s is not None]
    return suite.with_changes(body=kept) if kept else _pass_suite()


def _filter_suite(suite: cst.BaseSuite, names: set[str], depth: int) -> cst.BaseSuite | None:
    """The suite with only what binds `names` (raise/pass kept); None if no import or assignment is left."""
    kept = [s for s in (_filter_block(s, names, depth) for s in suite.body) if s is not None]
    binding = [s for s in kept if not _is_raise_or_pass(s)]
    return suite.with_changes(body=kept) if binding else None


def _filter_try_body(suite: cst.BaseSuite, names: set[str], depth: int) -> cst.BaseSuite | None:
    """As `_filter_suite`, but an assignment it keeps (a flag: `PSUTIL_AVAILABLE = True`) runs only when every
    import above it in the `try` succeeds: those imports stay whole, marked for ruff where nothing reads them."""
    body = list(suite.body)
    flags = [i for i, s in enumerate(body) if _binds_by_assignment(s, names)]
    kept = []
    for position, statement in enumerate(body):
        if flags and position < flags[-1] and _is_import(statement):
            kept.append(_deciding_import(statement, names, depth))
        elif (filtered := _filter_block(statement, names, depth)) is not None:
            kept.append(filtered)
    binding = [s for s in kept if not _is_raise_or_pass(s)]
    return suite.with_changes(body=kept) if binding else None


def _deciding_import(statement: cst.SimpleStatementLine, names: set[str], depth: int) -> cst.SimpleStatementLine:
    """The whole import (re-based), which decides whether the flag after it is set."""
    aliases = {_bound_name(a) for a in statement.body[0].names}
    whole = _filter_import(statement, aliases, depth).with_changes(leading_lines=statement.leading_lines)
    return whole if aliases <= names else nodes.with_directive(whole, "# noqa: F401 - decides the flag below")


def _binds_by_assignment(statement: cst.BaseStatement, names: set[str]) -> bool:
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    return isinstance(small, cst.Assign) and any(
        isinstance(t.target, cst.Name) and t.target.value in names for t in small.targets
    )


def _is_import(statement: cst.BaseStatement) -> bool:
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    return isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar)


def _filter_import(statement: cst.BaseStatement, names: set[str], depth: int) -> cst.BaseStatement | None:
    small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
        return statement
    if not isinstance(small, (cst.Import, cst.ImportFrom)):
        return None
    kept = [a for a in small.names if _bound_name(a) in names]
    if not kept:
        return None
    changes: dict = {"names": kept}
    if len(kept) == 1 and len(small.names) > 1:
        kept[0] = kept[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if isinstance(small, cst.ImportFrom) and small.lpar:
            changes.update(lpar=None, rpar=None)
    elif len(kept) < len(small.names):
        # The new last alias takes the old last alias's comma: a trailing comma (or none) stays as it was.
        kept[-1] = kept[-1].with_changes(comma=small.names[-1].comma)
    if isinstance(small, cst.ImportFrom) and small.relative and depth:
        changes["relative"] = list(small.relative) + [cst.Dot()] * depth
    new_small = small.with_changes(**changes)
    return statement.with_changes(body=[new_small], leading_lines=[])


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value


def _pass_suite() -> cst.IndentedBlock:
    return cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])


def _is_raise_or_pass(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], (cst.Raise, cst.Pass))
