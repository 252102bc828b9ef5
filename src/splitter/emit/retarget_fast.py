"""`RetargetReferences` without libcst: the same decisions, found with `ast`, spliced in as text edits.

codemods/retarget_references.py parses each file with libcst and re-prints it, which costs far more than the
split itself on a repository with hundreds of tests. Both read which import each name reaches from one
`reference_scan.ReferenceScan` (splitter's scope model); this module makes the codemod's decisions in the same
order (docs/references.md) and edits the source at exact offsets. `retarget_text` returns None when its text
edits would not reproduce the codemod's layout (an edited import sharing its line, a call target in parentheses,
`\r` line endings, ...): results are byte-for-byte the codemod's, which tests/codemods/test_retarget_fast.py
checks on every codemod test case.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterator, Sequence


from splitter.analysis.ast_walk import child_nodes
from splitter.analysis.patched_names import (
    PATCH_MULTIPLE_OPTIONS,
    call_form,
    name_in_target_string,
    package_of,
)
from splitter.analysis.patched_names import resolve_from
from splitter.codemods._home_imports import DIRECTIVE_COMMENTS, HomeReferences

from splitter.planning.relocation import DYNAMIC_IMPORTS, Relocation
from splitter.analysis.reference_scan import ReferenceScan, Use, Via, emptied_local_imports
from splitter.emit.text_edits import OverlappingEdits, SourceText, apply_edits, string_literal


class Unsupported(Exception):
    """The file needs the libcst codemod: these text edits would not reproduce its output exactly."""


def _nodes_below(statements: list[ast.stmt], walk_into: Callable[[ast.stmt], bool]) -> Iterator[ast.AST]:
    """Every node below the statements `walk_into` accepts, nested statements too only when it accepts them (the
    expression contexts left out, as `child_nodes` does)."""
    stack: list[ast.AST] = [statement for statement in statements if walk_into(statement)]
    while stack:
        for child in child_nodes(stack.pop()):
            if not (isinstance(child, ast.stmt) and not walk_into(child)):
                yield child
                stack.append(child)


def full_name(node: ast.AST | None) -> str | None:
    """libcst's `get_full_name_for_node` on the matching ast node (`"x".join` is "None.join" there too)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{full_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return full_name(node.func)
    if isinstance(node, ast.Subscript):
        return full_name(node.value)
    return None


def _ordered_args(call: ast.Call) -> list[ast.expr | ast.keyword]:
    return sorted([*call.args, *call.keywords], key=lambda arg: (arg.lineno, arg.col_offset))


def target_arg(call: ast.Call) -> ast.expr | None:
    """`_import_edits.target_arg` on ast: first positional argument or `target=` / `obj=` / `in_dict=`."""
    for index, arg in enumerate(_ordered_args(call)):
        if isinstance(arg, ast.keyword):
            if arg.arg in ("target", "obj", "in_dict"):
                return arg.value
        elif not isinstance(arg, ast.Starred):
            return arg if index == 0 else None
    return None


def name_arg(call: ast.Call) -> ast.expr | None:
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) > 1:
        return positional[1]
    return next((kw.value for kw in call.keywords if kw.arg in ("name", "attribute")), None)


def retarget_text(
    source: str,
    relocation: Relocation,
    module_name: str | None,
    *,
    is_package: bool = False,
    warnings=None,
    tree: ast.Module | None = None,
) -> str | None:
    """`retarget_source` for files this module can read exactly; None when the libcst codemod must run.
    `tree`: `ast.parse(source)`, when the caller has it already (it is only read)."""
    if module_name == relocation.old_module or not relocation.moved:
        return source
    if "\r" in source or "\f" in source:
        return None
    try:
        tree = tree if tree is not None else ast.parse(source)
        planner = _Planner(source, tree, relocation, package_of(module_name, is_package) if module_name else None)
        new = planner.rewrite()
    except (SyntaxError, ValueError, RecursionError, Unsupported, OverlappingEdits):
        return None
    if warnings is not None:
        warnings.extend(message for _line, message in sorted(planner.warnings))
    return new


class _HomeReferences(HomeReferences):
    """The state a plan builds up, how it names home modules, and phase 2: turning the plan into text edits."""

    def __init__(self, source: str, tree: ast.Module, relocation: Relocation, package: str | None) -> None:
        self.text = SourceText(source)
        self.tree = tree
        self.relocation = relocation
        self.package = package
        self.edits: dict[ast.AST, str] = {}
        self.targets: dict[ast.AST, ast.Call] = {}  # edited call targets (argument values) -> their call
        self.remove_aliases: dict[ast.AST, list[ast.alias]] = {}
        self.local_fates: dict[int, str] = {}  # emptied function-local imports: "drop" or "pass"
        self.add_after: dict[ast.AST, list[str]] = {}
        self.home_imports: dict[str, list[ast.AST]] = {}
        self.bindings: dict[str, str] = {}
        self.warnings: list[tuple[int, str]] = []
        self.top_level = {id(statement) for statement in tree.body}
        self.parents: dict[ast.AST, ast.AST] = {}

    # ---- references to home modules (the codemod's, on ast nodes) -------------------------------------------

    def _place_home_imports(self) -> None:
        for code, statements in self.home_imports.items():
            top_level = [s for s in statements if id(s) in self.top_level]
            places = [min(top_level, key=lambda s: s.lineno)] if top_level else statements
            for statement in dict.fromkeys(places):
                self.add_after.setdefault(statement, []).append(code)

    def _warn(self, node: ast.AST, message: str) -> None:
        line = node.lineno  # type: ignore[attr-defined]
        self.warnings.append((line, f"line {line}: {message}"))

    # ---- phase 2: text edits ----------------------------------------------------------------------------------

    def _check_bare_argument(self, node: ast.AST, start: int, call: ast.Call) -> None:
        """libcst replaces the whole argument value: no parentheses or comments may sit around the name."""
        source = self.text.source
        if any(arg is node for arg in call.args):
            opening = source[self.text.offset(call.func.end_lineno, call.func.end_col_offset) : start]
            if opening.strip() == "(":
                return
        for argument in call.keywords:
            if argument.value is node and re.fullmatch(r"\w+\s*=\s*", source[self.text.span(argument)[0] : start]):
                return
        raise Unsupported("a call target inside parentheses or next to a comment")

    def _edit_statement(self, statement: ast.AST, edits: list[tuple[int, int, str]]) -> None:
        """`leave_SimpleStatementLine` + `edited_body` + `one_statement_per_line` for a statement alone on its line."""
        source = self.text.source
        start, end = self.text.span(statement)
        indent = source[self.text.line_start(start) : start]
        line_end = self.text.line_end(end)
        trailing = source[end:line_end]
        rest = trailing.rstrip("\n")
        if indent.strip() or (rest.strip() and not rest.lstrip().startswith("#")):
            raise Unsupported("an edited import shares its line with another statement")
        removed = self.remove_aliases.get(statement, [])
        kept = self._without_aliases(statement, removed, start, end) if removed else source[start:end]
        body = ([kept] if kept is not None else []) + self.add_after.get(statement, [])
        if not body:
            fate = self.local_fates.get(id(statement))
            if id(statement) in self.top_level:
                edits.append(self._removal(statement, start, line_end, trailing))
            elif fate == "pass":
                edits.append((start, end, "pass"))
            elif fate == "drop":
                edits.append(self._local_removal(start, line_end, trailing))
            return
        edits.append((start, end, body[0]))
        tail = rest if rest.lstrip().startswith(DIRECTIVE_COMMENTS) else ""
        lines = [indent + code + tail for code in body[1:]]
        if lines:
            added = (
                "".join(line + "\n" for line in lines)
                if trailing.endswith("\n")
                else "".join("\n" + line for line in lines)
            )
            edits.append((line_end, line_end, added))

    def _without_aliases(self, statement, removed: list[ast.alias], start: int, end: int) -> str | None:
        names = statement.names
        kept = [alias for alias in names if not any(alias is r for r in removed)]
        if not kept:
            return None
        source = self.text.source
        spans = [self.text.span(alias) for alias in names]
        names_end = end - 1 if isinstance(statement, ast.ImportFrom) and source[end - 1] == ")" else end
        pieces = [source[start : spans[0][0]]]
        for index, alias in enumerate(names):
            if alias not in kept:
                continue
            alias_start, alias_end = spans[index]
            pieces.append(source[alias_start:alias_end])
            if alias is kept[-1]:
                pieces.append(source[spans[-1][1] : names_end])  # the old last name's comma, as libcst moves it
            else:
                pieces.append(source[alias_end : spans[index + 1][0]])
        pieces.append(source[names_end:end])
        return "".join(pieces)

    def _local_removal(self, start: int, line_end: int, trailing: str) -> tuple[int, int, str]:
        """A function-local import removed: its line alone, when no blank or comment line above goes with it."""
        line_start = self.text.line_start(start)
        above = self.text.source[self.text.line_start(line_start - 1) : line_start] if line_start else ""
        if not trailing.endswith("\n") or not above.strip() or above.lstrip().startswith("#"):
            raise Unsupported("blank or comment lines above a removed local import belong to it")
        return (line_start, line_end, "")

    def _removal(self, statement: ast.stmt, start: int, line_end: int, trailing: str) -> tuple[int, int, str]:
        """A module-level import removed with the blank and comment lines above it, which libcst gives to it."""
        if not trailing.endswith("\n"):
            raise Unsupported("removing the last line of a file without a final newline")
        index = next(i for i, s in enumerate(self.tree.body) if s is statement)
        line_start = self.text.line_start(start)
        if index == 0:
            if line_start != 0:
                raise Unsupported("lines above the first statement belong to the module header")
            return (0, line_end, "")
        previous = self.tree.body[index - 1]
        previous_end = self.text.line_end(self.text.offset(previous.end_lineno, previous.end_col_offset))
        compound = hasattr(previous, "body")
        if compound and previous_end != line_start:
            raise Unsupported("lines after a block may belong to the block")
        return (previous_end, line_end, "")


class _Planner(_HomeReferences):
    """Phase 1: the codemod's decisions, on ast, in the codemod's order."""

    def rewrite(self) -> str:
        self._collect()
        if not (self.edits or self.add_after):
            return self.text.source
        edits: list[tuple[int, int, str]] = []
        for node, replacement in self.edits.items():
            start, end = self.text.span(node)
            if node in self.targets:
                self._check_bare_argument(node, start, self.targets[node])
            edits.append((start, end, replacement))
        for statement in dict.fromkeys([*self.remove_aliases, *self.add_after]):
            self._edit_statement(statement, edits)
        return apply_edits(self.text.source, edits)

    # ---- phase 1: the codemod's `_collect`, step for step -----------------------------------------------------

    def _collect(self) -> None:
        old = self.relocation.old_module
        scan = ReferenceScan(self.tree, old, self.package)
        self.used, self.plain_roots, self.parents = set(scan.used), scan.plain_roots, scan.parents
        if scan.vias:
            self._index_existing_imports()
        for via in scan.removable(self._plan_use):
            self.remove_aliases.setdefault(via.statement, []).append(via.alias)
        for node in scan.imports:
            if isinstance(node, ast.ImportFrom) and resolve_from(node.module, node.level, self.package) == old:
                self._plan_from_import(node)
        self._plan_strings_in_statements_naming(old)
        self._place_home_imports()
        emptied = [
            statement
            for statement, removed in self.remove_aliases.items()
            if len(removed) == len(statement.names) and statement not in self.add_after  # type: ignore[attr-defined]
        ]
        if emptied and scan.vias:
            self.local_fates = emptied_local_imports(self.tree, emptied)  # type: ignore[arg-type]

    def _plan_strings_in_statements_naming(self, old: str) -> None:
        """Patch strings, walking only the statements whose lines hold the old module's name (a string is rewritten
        only when it spells that name without escapes, so on one line)."""
        lines = sorted(number for number, line in enumerate(self.text.source.split("\n"), 1) if old in line)

        def spans_one(statement: ast.stmt) -> bool:
            first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
            index = bisect.bisect_left(lines, first)
            return index < len(lines) and lines[index] <= (statement.end_lineno or statement.lineno)

        for node in _nodes_below(self.tree.body, spans_one):
            if isinstance(node, ast.Call):
                self._plan_call_strings(node)

    def _plan_use(self, use: Use) -> bool:
        parent = self.parents.get(use.node)
        return self._plan_access(use.node, use.through, parent, self.parents.get(parent))  # type: ignore[arg-type]

    def _index_existing_imports(self) -> None:
        old, moved = self.relocation.old_module, self.relocation.moved
        for statement in self.tree.body:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.name != old:
                        self.bindings.setdefault(alias.name, alias.asname or alias.name)
            elif isinstance(statement, ast.ImportFrom) and statement.names[0].name != "*":
                base = resolve_from(statement.module, statement.level, self.package)
                for alias in statement.names if base else ():
                    path = f"{base}.{alias.name}"
                    if base == old and alias.name in moved:
                        path = self.relocation.object_path(alias.name)
                    if path != old:
                        self.bindings.setdefault(path, alias.asname or alias.name)
        self.existing = set(self.bindings)

    def _plan_access(self, node: ast.Name, through: Sequence[Via], parent, grandparent) -> bool:
        relocation = self.relocation
        if isinstance(parent, ast.Attribute) and parent.value is node:
            name = parent.attr
            if name not in relocation.moved:
                return False
            if not relocation.is_package_level(name):
                home = self._reference(relocation.moved[name], through, as_module=True)
                self.edits[parent] = f"{home}.{name}"
                return True
            if not isinstance(parent.ctx, ast.Load):
                self._warn(parent, f"rebinding `{name}` itself cannot be retargeted (other modules import it)")
                return False
            self.edits[parent] = self._reference(relocation.object_path(name), through, as_module=False)
            return True
        call = parent if isinstance(parent, ast.Call) else grandparent
        in_call = isinstance(parent, ast.Call) and any(arg is node for arg in parent.args)
        in_call = in_call or (isinstance(parent, ast.keyword) and parent.arg is not None and isinstance(call, ast.Call))
        if in_call and target_arg(call) is node:
            return self._plan_call_target(call, node, through)
        return False

    def _plan_call_target(self, call: ast.Call, node: ast.Name, through: Sequence[Via]) -> bool:
        form = call_form(full_name(call.func))
        if form == "patch.multiple":
            name = self._single_home_name(call)
        elif form in ("setattr", "read", "monkeypatch", "patch.object"):
            argument = name_arg(call)
            found = string_literal(argument, self.text.text(argument)) if argument is not None else None
            name = found[2] if found else None
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
        self.edits[node] = self._reference(home, through, as_module=True)
        self.targets[node] = call
        return True

    def _single_home_name(self, call: ast.Call) -> str | None:
        names = [kw.arg for kw in call.keywords if kw.arg and kw.arg not in PATCH_MULTIPLE_OPTIONS]
        moved = [name for name in names if name in self.relocation.moved]
        if not moved:
            return None
        homes = {self.relocation.moved.get(name) for name in names}
        if len(homes) != 1 or self.relocation.is_package_level(moved[0]):
            self._warn(call, "patch.multiple names now live in different modules: split it by hand")
            return None
        return moved[0]

    def _plan_from_import(self, node: ast.ImportFrom) -> None:
        if node.names[0].name == "*":
            self._warn(node, "star import from the old module: moved names are no longer provided by it")
            return
        groups: dict[str, list[str]] = {}
        for alias in node.names:
            if alias.name in self.relocation.moved:
                self.remove_aliases.setdefault(node, []).append(alias)
                as_text = f" as {alias.asname}" if alias.asname else ""
                groups.setdefault(self.relocation.moved[alias.name], []).append(alias.name + as_text)
        for home, names in groups.items():
            if not home:
                self.add_after.setdefault(node, []).extend(f"import {name}" for name in names)
            else:
                module = self._module_text(home, bool(node.level))
                self.add_after.setdefault(node, []).append(f"from {module} import {', '.join(names)}")

    def _plan_call_strings(self, call: ast.Call) -> None:
        callee = full_name(call.func)
        arg = target_arg(call)
        found = string_literal(arg, self.text.text(arg)) if arg is not None else None
        if found is None:
            return
        prefix, quote, value = found
        old = self.relocation.old_module
        if callee in DYNAMIC_IMPORTS and value == old:
            self._warn(call, "dynamic import of the old module: attribute uses through it are not retargeted")
        form = call_form(callee)
        if form == "patch.multiple" and value == old:
            name = self._single_home_name(call)
            if name is not None:
                self.edits[arg] = f"{prefix}{quote}{self.relocation.moved[name]}{quote}"
            return
        if form not in ("patch", "patch.dict", "monkeypatch"):
            return
        name = name_in_target_string(value, old)
        new = self.relocation.retarget_string(value)
        if new is None or name is None:
            return
        if form != "patch.dict" and self.relocation.is_package_level(name) and value.endswith("." + name):
            self._warn(call, f"rebinding `{name}` itself cannot be retargeted (other modules import it)")
            return
        self.edits[arg] = f"{prefix}{quote}{new}{quote}"
