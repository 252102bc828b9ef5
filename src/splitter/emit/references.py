"""Everything in the repository that reached a moved name through the monolith now reaches it where it lives."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from splitter.emit.import_order import settings_for, tidy_import_text
from splitter.fanout import fan_out
from splitter.planning.destination import MAIN, Destination
from splitter.planning.layout import Destinations
from splitter.analysis.model import Analysis
from splitter.analysis.source import module_location


def _absolute_module(analysis: Analysis, module: str, level: int) -> str:
    if level == 0 or not analysis.package:
        return module
    base = analysis.package.split(".")
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def relocation_for(
    analysis: Analysis, placement: dict[int, Destination], where: Destinations, main_keeps: set[str]
) -> dict[str, str]:
    """name -> dotted module M such that `M.name` is now the object the monolith used to hold."""
    moved: dict[str, str] = {}
    for index, destination in placement.items():
        if destination != MAIN:
            for name in analysis.units[index].binds:
                moved[name] = where.dotted(destination, analysis.module_name)
    for unit in analysis.units:
        if unit.kind != "import":
            continue
        for imported in unit.imports:
            # `from config import LIMIT as _LIMIT`: `config._LIMIT` does not exist, so a file reading `_LIMIT`
            # through the monolith keeps doing so (the compatibility module forwards it to a module importing it)
            if (
                imported.name
                and imported.name != "*"
                and not imported.asname
                and imported.bound not in main_keeps
                and imported.bound not in moved
            ):
                moved[imported.bound] = _absolute_module(analysis, imported.module, imported.level)
    return moved


def retarget_repository(
    project, relocation: dict[str, str], exclude: set[Path], first_party: frozenset[str] = frozenset()
) -> dict[Path, str]:
    """Rewrite every file that reaches a moved name through the monolith (docs/references.md).

    A text test skips files that cannot name the monolith; the rest are read with `ast` and edited in place
    (`retarget_fast`), and only files whose edits its text splicing cannot lay out as libcst would run the codemod.
    `first_party`: top-level packages the split creates, sorted with the project's own imports.
    """
    from splitter.planning.relocation import Relocation
    from splitter.analysis.module_mentions import could_reference

    analysis = project.analysis
    spec = Relocation(old_module=analysis.module_name, moved=relocation)
    excluded = {p.resolve() for p in exclude}
    candidates = [
        (path, text)
        for path, text in project.sources.items()
        if path not in excluded and could_reference(text, analysis.module_name)
    ]

    def rewrite(batch: Sequence[tuple[Path, str]]) -> list[tuple[Path, str]]:
        rewritten = [(path, _retargeted(project, spec, path, text, first_party)) for path, text in batch]
        return [(path, new_text) for path, new_text in rewritten if new_text is not None]

    return dict(fan_out(rewrite, candidates, [len(text) for _path, text in candidates]))


def _retargeted(project, spec, path: Path, text: str, first_party: frozenset[str]) -> str | None:
    """The file's new text, or None when nothing in it changes."""
    from splitter.emit.retarget_fast import retarget_text

    dotted, _package, _root = module_location(path)
    tree = _parsed(text)
    new_text = retarget_text(text, spec, dotted, tree=tree) if tree is not None else None
    if new_text is None:  # an edit only libcst lays out right (`a; import main`): the codemod, this file only
        from splitter.codemods.retarget_references import retarget_source

        new_text = retarget_source(text, spec, dotted)
    if new_text == text:
        return None
    settings = settings_for(path.parent, project.root.resolve()).with_first_party(first_party)
    return tidy_import_text(text, new_text, settings, tree)


def _parsed(text: str) -> ast.Module | None:
    """The file's ast, read once for retargeting and import tidying (None: the codemod reports the error)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
