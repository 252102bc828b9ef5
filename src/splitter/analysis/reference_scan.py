"""One `ast` walk of a file for `retarget_fast`: the scopes, bindings and uses libcst's scope analysis would see.

Only what `RetargetReferences` reads is collected: every name the file binds or reads (so added imports get
fresh names), the imports that bind the old module (per scope), every loaded name with its parent, every call,
and the names inside string annotations. Anything whose libcst reading this walk cannot match exactly raises
`Unsupported`, and the caller runs the libcst codemod on that file instead.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from splitter.analysis.patched_names import resolve_from
from splitter.analysis.scopes import is_literal


class Unsupported(Exception):
    """The file needs the libcst codemod: this scan would not reproduce its scope analysis exactly."""


@dataclass(eq=False)
class Scope:
    kind: str  # "module", "function", "class", "comprehension"
    parent: Scope | None
    vias: dict[str, list[Via]] = field(default_factory=dict)  # alias -> imports binding the old module here
    partial: dict[str, list[Via]] = field(default_factory=dict)  # `pkg` of `import pkg.main` -> those imports


@dataclass(eq=False)
class Via:
    """One import alias that binds the old module (`from pkg import main`, `import pkg.main as m`)."""

    statement: ast.Import | ast.ImportFrom
    alias: ast.alias
    relative: bool
    end: tuple[int, int]  # where the statement ends: later uses in its own scope see it
    references: list[ast.Name] = field(default_factory=list)


COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def could_reference(source: str, old_module: str) -> bool:
    """Cheap text test: False only when no import or string in `source` can name `old_module`."""
    leaf = old_module.rsplit(".", 1)[-1]
    if leaf not in source:
        return False
    dotted = r"\s*\.\s*".join(map(re.escape, old_module.split(".")))
    if re.search(rf"{dotted}\b" if "." in old_module else rf"['\"]{dotted}\b", source):
        return True  # an absolute import or a patch target string
    position = source.find(leaf)
    while position != -1:  # str.find, not a `\b` regex: that one tries every position of the file
        end = position + len(leaf)
        word = not _is_word(source[position - 1 : position]) and not _is_word(source[end : end + 1])
        if word and _in_import(source, position):
            return True
        position = source.find(leaf, end)
    return False


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _in_import(source: str, position: int) -> bool:
    """Whether the word at `position` may be part of an import statement (`from . import main`, `from .main`)."""
    start = source.rfind("\n", 0, position) + 1
    while start > 1 and source[start - 2] == "\\":  # a backslash-continued line: the statement starts above
        start = source.rfind("\n", 0, start - 1) + 1
    if _IMPORT_WORD.search(source, start, position):
        return True
    opening = source.rfind("(", 0, position)  # `from pkg import (\n    app,\n    main,\n)`
    if opening == -1 or source.find(")", opening, position) != -1:
        return False
    return source[max(0, opening - 100) : opening].rstrip().endswith("import")


_IMPORT_WORD = re.compile(r"\b(?:import|from)\b")


def _string_names(value: str) -> set[str]:
    """Names libcst records for a string it reads as an annotation (it parses the string as a module)."""
    if not value:
        return set()
    try:
        tree = ast.parse(value)
    except (SyntaxError, ValueError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


class FileScan:
    def __init__(self, tree: ast.Module, old_module: str, package: str | None) -> None:
        self.old_module = old_module
        self.package = package
        self.module = Scope("module", None)
        self.used: set[str] = set()  # first segment of every name bound or read
        self.plain: set[str] = set()  # roots bound by a plain `import a.b`
        self.not_plain: set[str] = set()
        self.other_bound: set[str] = set()  # names bound by anything but an import of the old module
        self.declared: set[str] = set()  # global / nonlocal
        self.dotted_roots: set[str] = set()  # roots of other plain dotted imports (`import a.b`)
        self.dotted_vias: set[str] = set()  # "pkg.main" when the file says `import pkg.main`
        self.annotation_names: set[str] = set()
        self.hint_names: set[str] = set()  # strings in typing subscripts / cast(): type hints to libcst
        self.typing_names: set[str] = set()  # bound by `from typing import ...`
        self.subscripts: list[tuple[str, ast.AST]] = []
        self.vias: list[Via] = []
        self.loads: list[tuple[ast.Name, Scope, ast.AST | None, ast.AST | None]] = []
        self.calls: list[ast.Call] = []
        self.from_old: list[ast.ImportFrom] = []
        self._walk_body(tree.body, self.module, tree)
        for name, inner in self.subscripts:
            if name in self.typing_names:
                self._hint_strings(inner)

    # ---- walking ---------------------------------------------------------------------------------------------

    def _walk_body(self, body: list[ast.stmt], scope: Scope, parent: ast.AST) -> None:
        for statement in body:
            self._visit(statement, scope, parent, None)

    def _visit(self, node: ast.AST, scope: Scope, parent: ast.AST | None, grandparent: ast.AST | None) -> None:
        kind = type(node)
        if kind is ast.Name:
            self.used.add(node.id)
            if isinstance(node.ctx, ast.Store):
                self._bind(node.id)
            else:
                self.loads.append((node, scope, parent, grandparent))
            return
        special = self._SPECIAL.get(kind)
        if special is not None:
            special(self, node, scope, parent)
            return
        if kind is ast.Call:
            self.calls.append(node)
            if (node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")) in (
                "cast",
                "TypeVar",
                "NewType",
            ):
                self._hint_strings(node)
        elif kind is ast.Subscript and isinstance(node.value, ast.Name):
            self.subscripts.append((node.value.id, node.slice))
        elif kind is ast.ExceptHandler or kind is ast.MatchAs or kind is ast.MatchStar:
            if node.name:
                self._bind(node.name)
        elif kind is ast.MatchMapping and node.rest:
            self._bind(node.rest)
        elif kind is ast.MatchClass:
            self.used.update(node.kwd_attrs)
        elif kind is ast.AnnAssign:
            self._annotation(node.annotation)
        for child in ast.iter_child_nodes(node):
            self._visit(child, scope, node, parent)

    def _bind(self, name: str) -> None:
        self.used.add(name)
        self.not_plain.add(name)
        self.other_bound.add(name)

    def _function(self, node: ast.AST, scope: Scope, parent: ast.AST | None) -> None:
        arguments: ast.arguments = node.args  # type: ignore[attr-defined]
        if not isinstance(node, ast.Lambda):
            self._bind(node.name)  # type: ignore[attr-defined]
            for decorator in node.decorator_list:  # type: ignore[attr-defined]
                self._visit(decorator, scope, node, parent)
            if node.returns is not None:  # type: ignore[attr-defined]
                self._annotation(node.returns)  # type: ignore[attr-defined]
                self._visit(node.returns, scope, node, parent)  # type: ignore[attr-defined]
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
            self._visit(default, scope, arguments, node)
        inner = Scope("function", scope)
        every = [*arguments.posonlyargs, *arguments.args, arguments.vararg, *arguments.kwonlyargs, arguments.kwarg]
        for argument in filter(None, every):
            self._bind(argument.arg)
            if argument.annotation is not None:
                self._annotation(argument.annotation)
                self._visit(argument.annotation, scope, argument, arguments)
        if isinstance(node, ast.Lambda):
            self._visit(node.body, inner, node, parent)
        else:
            self._walk_body(node.body, inner, node)  # type: ignore[attr-defined]

    def _class(self, node: ast.ClassDef, scope: Scope, parent: ast.AST | None) -> None:
        self._bind(node.name)
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self._visit(child, scope, node, parent)
        self._walk_body(node.body, Scope("class", scope), node)

    def _comprehension(self, node: ast.AST, scope: Scope, parent: ast.AST | None) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        self._visit(generators[0].iter, scope, generators[0], node)  # evaluated outside, as in Python
        inner = Scope("comprehension", scope)
        self._visit(generators[0].target, inner, generators[0], node)
        for condition in generators[0].ifs:
            self._visit(condition, inner, generators[0], node)
        for generator in generators[1:]:
            self._visit(generator, inner, node, parent)
        for part in ("key", "value", "elt"):
            if hasattr(node, part):
                self._visit(getattr(node, part), inner, node, parent)

    def _declaration(self, node: ast.Global | ast.Nonlocal, scope: Scope, parent: ast.AST | None) -> None:
        self.declared.update(node.names)

    _SPECIAL = {}  # filled below: node type -> handler that walks the node itself

    # ---- imports ---------------------------------------------------------------------------------------------

    def _import(self, node: ast.Import, scope: Scope, parent: ast.AST | None) -> None:
        for alias in node.names:
            full, binding = alias.name, alias.asname or alias.name
            dotted = alias.asname is None and "." in full
            names = [binding] if not dotted else [".".join(full.split(".")[:n]) for n in range(1, full.count(".") + 2)]
            for name in names:  # libcst binds `a.b.c`, `a.b` and `a` for `import a.b.c`
                plain = any(a.asname is None and (a.name == name or a.name.startswith(name + ".")) for a in node.names)
                (self.plain if plain else self.not_plain).add(name.split(".")[0])
                self.used.add(name.split(".")[0])
            if full == self.old_module:
                via = self._via(node, alias, scope, binding, relative=False)
                if dotted:  # `import pkg.main`: `pkg` (and `pkg.x` for deeper modules) reach it only partly
                    for prefix in names[:-1]:
                        scope.partial.setdefault(prefix, []).append(via)
                    self.dotted_vias.add(binding)
                continue
            self.other_bound.update(names)
            if dotted:
                self.dotted_roots.add(full.split(".")[0])

    def _import_from(self, node: ast.ImportFrom, scope: Scope, parent: ast.AST | None) -> None:
        base = resolve_from(node.module, node.level, self.package)
        if node.module in ("typing", "typing_extensions") and not node.level:
            self.typing_names.update(alias.asname or alias.name for alias in node.names)
        if base == self.old_module:
            self.from_old.append(node)
        for alias in node.names:
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name
            self.used.add(bound)
            self.not_plain.add(bound)
            if base is not None and f"{base}.{alias.name}" == self.old_module:
                self._via(node, alias, scope, bound, relative=bool(node.level))
            else:
                self.other_bound.add(bound)

    def _via(self, node: ast.Import | ast.ImportFrom, alias: ast.alias, scope: Scope, name: str, relative: bool) -> Via:
        if scope.kind == "class":
            raise Unsupported("an import of the old module in a class body")
        via = Via(node, alias, relative, (node.end_lineno, node.end_col_offset))  # type: ignore[arg-type]
        scope.vias.setdefault(name, []).append(via)
        self.vias.append(via)
        return via

    # ---- strings libcst reads as annotations -----------------------------------------------------------------

    def _annotation(self, node: ast.AST) -> None:
        for child in _strings_outside_literal(node):
            self.annotation_names |= _string_names(child.value)

    def _hint_strings(self, node: ast.AST) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                self.hint_names |= _string_names(child.value)


def _strings_outside_literal(node: ast.AST) -> list[ast.Constant]:
    if isinstance(node, ast.Subscript) and is_literal(node.value):
        return []
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) else []
    return [s for child in ast.iter_child_nodes(node) for s in _strings_outside_literal(child)]


FileScan._SPECIAL = {
    ast.FunctionDef: FileScan._function,
    ast.AsyncFunctionDef: FileScan._function,
    ast.Lambda: FileScan._function,
    ast.ClassDef: FileScan._class,
    ast.ListComp: FileScan._comprehension,
    ast.SetComp: FileScan._comprehension,
    ast.GeneratorExp: FileScan._comprehension,
    ast.DictComp: FileScan._comprehension,
    ast.Global: FileScan._declaration,
    ast.Nonlocal: FileScan._declaration,
    ast.Import: FileScan._import,
    ast.ImportFrom: FileScan._import_from,
}
