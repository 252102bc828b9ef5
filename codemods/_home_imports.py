"""How retargeted code names each home module, and which imports bind those names: one copy for both retargeting
paths (the libcst codemod and `splitter.emit.retarget_fast`), which differ only in the nodes they edit."""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from typing import Any, Protocol

from splitter.analysis.patched_names import relative_reference

# trailing comments that must follow every statement an import line is split into
DIRECTIVE_COMMENTS = ("# noqa", "# type: ignore", "# pragma")


class ImportOfOldModule(Protocol):
    """An import that binds the old module (`statement` is the import node, CST or ast)."""

    statement: Any
    dotted: bool  # `import pkg.main`: the file writes `pkg.main.x`
    relative: bool  # `from . import main`: added imports are relative too


class HomeReferences:
    """Mixin. The host sets `bindings`, `existing`, `used`, `plain_roots`, `package` and `home_imports` per file."""

    bindings: dict[str, str]  # dotted path -> the name the file reads it by
    existing: set[str]  # paths a module-level import of the file binds already (reused, never added)
    used: set[str]  # every name the file binds or reads: added imports take fresh ones
    plain_roots: set[str]  # roots bound only by `import a.b`: free for another dotted import
    package: str | None
    home_imports: dict[str, list[Any]]  # import line -> the imports of the old module it goes after

    def _reference(self, path: str, through: Sequence[ImportOfOldModule], *, as_module: bool) -> str:
        """Source of an expression for the object at dotted `path`; schedules the import that binds it."""
        if path in self.existing:
            return self.bindings[path]
        top = path.split(".")[0]
        dotted_ok = top in self.plain_roots or top not in self.used
        if as_module and all(via.dotted for via in through) and dotted_ok:
            self.used.add(top)
            self._schedule(through, f"import {path}")
            return path
        binding = self.bindings.get(path) or self._fresh_binding(path)
        self.bindings[path] = binding
        parent, _, last = path.rpartition(".")
        as_text = f" as {binding}" if binding != last else ""
        relative = all(via.relative for via in through)
        code = f"from {self._module_text(parent, relative)} import {last}" if parent else f"import {last}"
        self._schedule(through, code + as_text)
        return binding

    def _fresh_binding(self, path: str) -> str:
        parts = path.split(".")
        candidates = [parts[-1], "_".join(parts[-2:]), "_".join(parts)]
        candidates += [f"{'_'.join(parts)}_{index}" for index in range(2, 100)]
        binding = next(c for c in candidates if c not in self.used and not keyword.iskeyword(c))
        self.used.add(binding)
        return binding

    def _schedule(self, through: Sequence[ImportOfOldModule], code: str) -> None:
        for via in through:
            self.home_imports.setdefault(code, []).append(via.statement)

    def _module_text(self, module: str, relative: bool) -> str:
        """`module` as written after `from`: relative (right depth) when asked for and possible."""
        reference = relative_reference(module, self.package) if relative else None
        if reference is None:
            return module
        level, rest = reference
        return "." * level + rest
