"""Point references to names that moved out of the old module at their new home (docs/references.md).

Run on every file of the repository except the generated modules: tests patch, assign, import and call
names through the old module, and after a split those must reach the module where each name now lives.
Two phases per file: `_collect` decides every edit (so an alias import is removed only when all its uses were
rewritten), then `on_leave` and `leave_Simple*` apply them, looked up by original node. Which import a name
reads comes from splitter's scope model (`reference_scan.ReferenceScan`, the facts `retarget_fast` reads too),
mapped onto the CST by position.
"""

from __future__ import annotations

import argparse
import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ParentNodeProvider, PositionProvider

from ._cst_positions import cst_nodes_at
from ._home_imports import HomeReferences
from ._import_edits import (
    edited_body,
    literal,
    module_of,
    name_arg,
    one_statement_per_line,
    target_arg,
    with_text,
)
from splitter.analysis.patched_names import (
    PATCH_MULTIPLE_OPTIONS,
    call_form,
    name_in_target_string,
    package_of,
    resolve_from,
)
from splitter.analysis.reference_scan import ReferenceScan, Use, emptied_local_imports
from splitter.planning.relocation import DYNAMIC_IMPORTS, Relocation

__all__ = ["DYNAMIC_IMPORTS", "Relocation", "RetargetReferences", "retarget_source"]


@dataclass
class _Via:
    """One import that binds the old module: added home imports go right after it, in its style."""

    statement: cst.Import | cst.ImportFrom
    alias: cst.ImportAlias
    dotted: bool  # `import pkg.main`: the file writes `pkg.main.x`
    relative: bool  # `from . import main`: added imports are relative too


class _EditsApplied(VisitorBasedCodemodCommand):
    """Phase 2: the edits `RetargetReferences._collect` decided, applied by original node."""

    _edits: dict[cst.CSTNode, str]
    _remove_aliases: dict[cst.CSTNode, set[cst.ImportAlias]]
    _add_after: dict[cst.CSTNode, list[str]]
    _parents: Mapping[cst.CSTNode, cst.CSTNode]
    _local_fates: dict[cst.CSTNode, str]  # emptied function-local imports: "drop" or "pass"

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> object:
        updated = super().on_leave(original_node, updated_node)
        if original_node not in self._edits:
            return updated
        expression = cst.parse_expression(self._edits[original_node])
        if isinstance(updated, cst.Arg):
            return updated.with_changes(value=expression)
        return expression.with_changes(lpar=updated.lpar, rpar=updated.rpar)  # type: ignore[union-attr]

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        body = edited_body(original_node.body, updated_node.body, self._remove_aliases, self._add_after)
        if body is None:
            return updated_node
        if not body:
            if isinstance(self._parents.get(original_node), cst.Module):
                return cst.RemoveFromParent()
            fates = {self._local_fates.get(small) for small in original_node.body}
            if "pass" in fates:
                return updated_node.with_changes(body=[cst.Pass()])
            return cst.RemoveFromParent() if fates == {"drop"} else updated_node
        if len(original_node.body) > 1:
            return updated_node.with_changes(body=body)
        return one_statement_per_line(updated_node, body)

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        body = edited_body(original_node.body, updated_node.body, self._remove_aliases, self._add_after)
        return updated_node.with_changes(body=body) if body else updated_node


class _HomeReferences(HomeReferences):
    """How the rewritten code names each home module, and the imports that bind those names."""

    relocation: Relocation
    context: CodemodContext
    metadata: Mapping
    bindings: dict[str, str]
    existing: set[str]
    used: set[str]
    plain_roots: set[str]
    home_imports: dict[str, list[cst.CSTNode]]
    _add_after: dict[cst.CSTNode, list[str]]
    _parents: Mapping[cst.CSTNode, cst.CSTNode]
    package: str | None
    _warnings: list[tuple[int, str]]

    def _place_home_imports(self) -> None:
        """Each home import goes after the first module-level import of the old module, else after each local one."""
        lines = self.metadata[PositionProvider]
        for code, smalls in self.home_imports.items():
            top_level = [s for s in smalls if isinstance(self._parents.get(self._parents.get(s)), cst.Module)]
            places = [min(top_level, key=lambda s: lines[s].start.line)] if top_level else smalls
            for small in dict.fromkeys(places):
                self._add_after.setdefault(small, []).append(code)

    def _warn(self, node: cst.CSTNode | int, message: str) -> None:
        line = node if isinstance(node, int) else self.metadata[PositionProvider][node].start.line
        where = f"{self.context.filename}:{line}" if self.context.filename else f"line {line}"
        self._warnings.append((line, f"{where}: {message}"))


class RetargetReferences(_HomeReferences, _EditsApplied):
    DESCRIPTION = "Point references to names moved out of the old module at their new home module."
    METADATA_DEPENDENCIES = (ParentNodeProvider, PositionProvider)
    code: str | None = None  # the next module's source, when the caller has it (else it is printed from the tree)

    def __init__(
        self,
        context: CodemodContext,
        relocation: Relocation | None = None,
        *,
        old_module: str | None = None,
        moved: str | Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(context)
        if relocation is None:
            if old_module is None or moved is None:
                raise ValueError("RetargetReferences needs a Relocation or --old-module and --moved")
            relocation = Relocation(old_module, json.loads(moved) if isinstance(moved, str) else dict(moved))
        self.relocation = relocation

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--old-module", dest="old_module", required=True, help="e.g. pkg.main")
        arg_parser.add_argument(
            "--moved",
            dest="moved",
            required=True,
            help='JSON object name -> home module, e.g. {"x": "pkg.services.shared"}',
        )

    # ---- phase 1: decide every edit ------------------------------------------------------------------------

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        # the same instance runs over many files under `libcst.tool codemod`: reset all per-file state here
        self._edits: dict[cst.CSTNode, str] = {}  # original expression (or Arg: its value) -> new source
        self._remove_aliases: dict[cst.CSTNode, set[cst.ImportAlias]] = {}
        self._add_after: dict[cst.CSTNode, list[str]] = {}
        self._local_fates: dict[cst.CSTNode, str] = {}
        self.bindings: dict[str, str] = {}
        self.home_imports: dict[str, list[cst.CSTNode]] = {}
        self._warnings: list[tuple[int, str]] = []
        module_name = self.context.full_module_name
        self.package = self.context.full_package_name
        if self.package is None and module_name is not None:
            self.package = package_of(module_name, (self.context.filename or "").endswith("__init__.py"))
        if module_name == self.relocation.old_module or not self.relocation.moved:
            return tree
        self._collect(tree)
        if not (self._edits or self._add_after):
            return tree
        return tree.visit(self)

    def _collect(self, tree: cst.Module) -> None:
        self._parents = self.metadata[ParentNodeProvider]
        scan = self._scan(tree)
        self.used, self.plain_roots = (set(scan.used), scan.plain_roots) if scan else (set(), set())
        self._index_existing_imports(tree)
        if scan is not None and scan.vias:
            self._plan_uses(scan)
        for node in self._parents:
            if isinstance(node, cst.ImportFrom):
                self._plan_from_import(node)
            elif isinstance(node, cst.Call):
                self._plan_call_strings(node)
        self._place_home_imports()
        if scan is not None and scan.vias:
            self._plan_emptied_local_imports(scan)
        for _line, message in sorted(self._warnings):
            self.warn(message)

    def _scan(self, tree: cst.Module) -> ReferenceScan | None:
        code, self.code = (self.code if self.code is not None else tree.code), None
        try:
            self._ast = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError):
            self._warn(tree, "`ast` cannot read this file: uses through the old module are not retargeted")
            return None
        self._code = code
        return ReferenceScan(self._ast, self.relocation.old_module, self.package)

    def _plan_uses(self, scan: ReferenceScan) -> None:
        """Rewrite each use that reads only the old module, in source order (so chosen names, added imports and
        warnings do not depend on set order), then drop the imports none of whose uses remain."""
        wanted = [use.node for use in scan.uses] + [n for via in scan.vias for n in (via.statement, via.alias)]
        # by position, not by walk order like `_module_scope`: these are single names anywhere in the file, and
        # the PositionProvider this codemod needs for warnings and import placement has every node's range
        self._at = cst_nodes_at(self._code, self.metadata[PositionProvider], wanted)
        self._cst_vias = {
            id(via): _Via(self._at[via.statement], self._at[via.alias], via.dotted, via.relative)  # type: ignore[arg-type]
            for via in scan.vias
            if via.statement in self._at and via.alias in self._at
        }
        for via in scan.removable(lambda use: self._plan_use(scan, use)):
            small = self._cst_vias[id(via)]
            self._remove_aliases.setdefault(small.statement, set()).add(small.alias)

    def _plan_emptied_local_imports(self, scan: ReferenceScan) -> None:
        """Function-local imports of the old module left with no name and nothing added after them go."""
        emptied = {}
        for via in scan.vias:
            small = self._cst_vias[id(via)].statement if id(via) in self._cst_vias else None
            removed = self._remove_aliases.get(small, ()) if small is not None else ()
            if removed and len(removed) == len(small.names) and small not in self._add_after:  # type: ignore[union-attr,arg-type]
                emptied[id(via.statement)] = (via.statement, small)
        if emptied:
            fates = emptied_local_imports(self._ast, [statement for statement, _small in emptied.values()])
            self._local_fates = {small: fates[key] for key, (_s, small) in emptied.items() if key in fates}

    def _plan_use(self, scan: ReferenceScan, use: Use) -> bool:
        through = [self._cst_vias.get(id(via)) for via in use.through or ()]
        node = self._at.get(use.node)
        if node is None or None in through:  # libcst counts columns otherwise (a form feed before code on its line)
            self._warn(use.node.lineno, "this use was not found in libcst's tree: it is not retargeted")
            return False
        parent = scan.parents.get(use.node)
        rebinds = isinstance(parent, ast.Attribute) and not isinstance(parent.ctx, ast.Load)
        return self._plan_access(node, through, rebinds=rebinds)  # type: ignore[arg-type]

    def _index_existing_imports(self, tree: cst.Module) -> None:
        """Module-level imports that already bind an object we may need: reuse them instead of adding more."""
        for line in tree.body:
            for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        full = get_full_name_for_node(alias.name) or ""
                        if full != self.relocation.old_module:  # that import may be removed: never reuse it
                            self.bindings.setdefault(full, alias.evaluated_alias or full)
                elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    base = resolve_from(module_of(small), len(small.relative), self.package)
                    for alias in small.names if base else ():
                        name = alias.evaluated_name
                        path = f"{base}.{name}"
                        if base == self.relocation.old_module and name in self.relocation.moved:
                            path = self.relocation.object_path(name)  # this import gets retargeted in place
                        if path != self.relocation.old_module:
                            self.bindings.setdefault(path, alias.evaluated_alias or name)
        self.existing = set(self.bindings)

    def _plan_access(self, node: cst.CSTNode, through: Sequence[_Via], *, rebinds: bool) -> bool:
        """Plan the rewrite of one use of the old module; False leaves it (and so its import) alone.
        `rebinds`: the use is `main.x = ...` or `del main.x`."""
        parent = self._parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            name = parent.attr.value
            if name not in self.relocation.moved:
                return False
            if not self.relocation.is_package_level(name):
                home = self._reference(self.relocation.moved[name], through, as_module=True)
                self._edits[parent] = f"{home}.{name}"
                return True
            if rebinds:
                self._warn(parent, f"rebinding `{name}` itself cannot be retargeted (other modules import it)")
                return False
            self._edits[parent] = self._reference(self.relocation.object_path(name), through, as_module=False)
            return True
        if isinstance(parent, cst.Arg) and parent.value is node:
            call = self._parents.get(parent)
            if isinstance(call, cst.Call) and target_arg(call) is parent:
                return self._plan_call_target(call, parent, through)
        return False

    def _plan_call_target(self, call: cst.Call, arg: cst.Arg, through: Sequence[_Via]) -> bool:
        """`setattr(m, "x", v)`, `monkeypatch.setattr(m, "x", v)`, `patch.object(m, "x")`, `patch.multiple(m, ...)`."""
        form = call_form(get_full_name_for_node(call.func))
        if form == "patch.multiple":
            name = self._single_home_name(call)
        elif form in ("setattr", "read", "monkeypatch", "patch.object"):
            name_argument = name_arg(call)
            name = literal(name_argument.value) if name_argument is not None else None
            if name is None:
                self._warn(call, "attribute name is not a literal: this call is not retargeted")
        else:
            return False
        if name is None or name not in self.relocation.moved:
            return False
        home = self.relocation.moved[name]
        if self.relocation.is_package_level(name) and (form != "read" or not home):
            self._warn(call, f"rebinding `{name}` itself cannot be retargeted (other modules import it)")
            return False
        self._edits[arg] = self._reference(home, through, as_module=True)
        return True

    def _single_home_name(self, call: cst.Call) -> str | None:
        """For `patch.multiple(target, a=..., b=...)`: a representative moved name when all share one home."""
        names = [
            arg.keyword.value for arg in call.args if arg.keyword and arg.keyword.value not in PATCH_MULTIPLE_OPTIONS
        ]
        moved = [name for name in names if name in self.relocation.moved]
        if not moved:
            return None
        homes = {self.relocation.moved.get(name) for name in names}
        if len(homes) != 1 or self.relocation.is_package_level(moved[0]):
            self._warn(call, "patch.multiple names now live in different modules: split it by hand")
            return None
        return moved[0]

    def _plan_from_import(self, node: cst.ImportFrom) -> None:
        """`from pkg.main import app, helper` -> keep `app` there, import `helper` from its home, same style."""
        base = resolve_from(module_of(node), len(node.relative), self.package)
        if base != self.relocation.old_module:
            return
        if isinstance(node.names, cst.ImportStar):
            self._warn(node, "star import from the old module: moved names are no longer provided by it")
            return
        groups: dict[str, list[str]] = {}
        for alias in node.names:
            name = alias.evaluated_name
            if name in self.relocation.moved:
                self._remove_aliases.setdefault(node, set()).add(alias)
                as_text = f" as {alias.evaluated_alias}" if alias.evaluated_alias else ""
                groups.setdefault(self.relocation.moved[name], []).append(name + as_text)
        for home, names in groups.items():
            if not home:
                self._add_after.setdefault(node, []).extend(f"import {name}" for name in names)
            else:
                self._add_after.setdefault(node, []).append(
                    f"from {self._module_text(home, bool(node.relative))} import {', '.join(names)}"
                )

    def _plan_call_strings(self, call: cst.Call) -> None:
        """String targets: `patch("pkg.main.x")`, `monkeypatch.setattr("pkg.main.x", v)`, `patch.dict(...)`."""
        callee = get_full_name_for_node(call.func)
        arg = target_arg(call)
        if arg is None or not isinstance(arg.value, cst.SimpleString):
            return
        string, value = arg.value, literal(arg.value)
        if value is None:
            return
        if callee in DYNAMIC_IMPORTS and value == self.relocation.old_module:
            self._warn(call, "dynamic import of the old module: attribute uses through it are not retargeted")
        form = call_form(callee)
        if form == "patch.multiple" and value == self.relocation.old_module:
            name = self._single_home_name(call)
            if name is not None:
                self._edits[string] = with_text(string, self.relocation.moved[name])
            return
        if form not in ("patch", "patch.dict", "monkeypatch"):
            return
        name = name_in_target_string(value, self.relocation.old_module)
        new = self.relocation.retarget_string(value)
        if new is None or name is None:
            return
        if form != "patch.dict" and self.relocation.is_package_level(name) and value.endswith("." + name):
            self._warn(call, f"rebinding `{name}` itself cannot be retargeted (other modules import it)")
            return
        self._edits[string] = with_text(string, new)


def retarget_source(
    source: str,
    relocation: Relocation,
    module_name: str | None,
    *,
    is_package: bool = False,
    warnings: list[str] | None = None,
) -> str:
    """Retarget one file's source; byte-identical when nothing refers to a moved name. Warnings are appended."""
    package = package_of(module_name, is_package) if module_name is not None else None
    context = CodemodContext(full_module_name=module_name, full_package_name=package)
    command = RetargetReferences(context, relocation)
    command.code = source
    result = command.transform_module(cst.parse_module(source))
    if warnings is not None:
        warnings.extend(context.warnings)
    new = result.code
    return source if new == source else new
