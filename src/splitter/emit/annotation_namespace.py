"""Names main.py binds for the moved models that keep its module name (`__module__ = "pkg.main"`).

A moved class keeps the monolith's `__module__` when another module defines a class of the same name: FastAPI
names its OpenAPI schema after it. Pydantic resolves a model's field annotations in the namespace of that module
(`sys.modules[cls.__module__].__dict__`), so postponed ones (`from __future__ import annotations`, or quoted)
are looked up in the slim main.py, which no longer binds `Optional` or the other models they name; compat's
forwarding answers attribute reads, not that dict. The models stayed "not fully defined" and `app.openapi()`
failed (app-jupter: `CypherRequest`). main.py binds those names again, each import marked for ruff: pydantic
builds a model it finds incomplete once the name is there, on first use.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from splitter.analysis.annotation_reads import annotation_names
from splitter.emit import nodes
from splitter.emit.emitter import ModuleDraft
from splitter.planning.destination import MAIN

if TYPE_CHECKING:
    from splitter.emit.emitter import Emitter

_WHY = "# noqa: E402,F401 - read by the annotations of models named after this module"


def annotation_imports(emitter: Emitter, main_binds: set[str], main_needs: set[str]) -> list[cst.BaseStatement]:
    """Imports binding, in main.py, what the postponed field annotations of its moved namesake models read."""
    analysis, wanted = emitter.analysis, set()
    for unit in analysis.units:
        moved = emitter.placement.get(unit.index, MAIN) != MAIN
        if unit.kind == "class" and moved and unit.name in emitter.schema_classes and analysis.tree is not None:
            wanted |= postponed_annotation_names(analysis.tree.body[unit.index], analysis.future_annotations)
    wanted -= main_binds | main_needs | set(emitter.seams)
    wanted &= set(emitter.bound_in) | set(emitter.import_binders)  # the monolith's own names, not builtins
    if not wanted:
        return []
    draft = ModuleDraft(MAIN, binds=set(main_binds), needs=wanted)
    lines = [line for line in emitter.import_lines(draft) if not _future_import(line)]  # main.py has its own
    return [nodes.with_directive(line, _WHY) if isinstance(line, cst.SimpleStatementLine) else line for line in lines]


def _future_import(line: cst.BaseStatement) -> bool:
    small = line.body[0] if isinstance(line, cst.SimpleStatementLine) else None
    module = small.module if isinstance(small, cst.ImportFrom) else None
    return isinstance(module, cst.Name) and module.value == "__future__"


def postponed_annotation_names(node: ast.stmt, future: bool) -> set[str]:
    """Names a class body's field annotations read when they are strings: all of them under `from __future__
    import annotations`, else only what quoted parts name (read as the scope model reads annotations)."""
    names: set[str] = set()
    for statement in node.body if isinstance(node, ast.ClassDef) else []:
        if isinstance(statement, ast.AnnAssign):
            bare, quoted = annotation_names(statement.annotation)
            names |= quoted | ({name.id for name in bare} if future else set())
    return names
