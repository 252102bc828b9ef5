"""Everything in the repository that reached a moved name through the monolith now reaches it where it lives."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
) -> RetargetedFiles:
    """Rewrite every file that reaches a moved name through the monolith (docs/references.md).

    A text test skips files that cannot name the monolith; the rest are read with `ast` and edited in place
    (`retarget_fast`), and only files whose edits its text splicing cannot lay out as libcst would run the codemod.
    `first_party`: top-level packages the split creates, sorted with the project's own imports.
    """
    spec, candidates = _spec_and_candidates(project, relocation, exclude)

    def rewrite(batch: Sequence[tuple[Path, str]]) -> list[tuple[Path, object, bool]]:
        staged = [_retargeted_text(spec, path, text) for path, text in batch]
        done = _finished(project, spec, [s for s in staged if s is not None], first_party)
        return [(p, t, False) for p, t in done.items()] + [(p, why, True) for p, why in done.unreadable.items()]

    parts = fan_out(rewrite, candidates, [len(text) for _path, text in candidates])
    return RetargetedFiles({p: t for p, t, bad in parts if not bad}, {p: why for p, why, bad in parts if bad})


class RetargetedFiles(dict):
    """path -> new text of each file retargeting changes; `unreadable`: path -> (line, why), for the files naming the
    monolith that Python cannot parse, left as they are (a `try:` that lost its `except`, a Python 2 script, syntax
    newer than the Python running splitter: MyPortal's apply died in the libcst codemod on one). Nothing can
    read what they take from the monolith; compat.py keeps those names reachable, so they work as before."""

    def __init__(self, texts=(), unreadable: dict[Path, tuple[int, str]] | None = None) -> None:
        super().__init__(texts)
        self.unreadable = dict(unreadable or {})


@dataclass(frozen=True)
class Retargeted:
    """A file retargeting changes, before its imports are tidied (`new_text` None: only the codemod can edit it),
    with the runs of top-level imports of its old text (`top_level_import_runs`)."""

    path: Path
    new_text: str | None
    import_runs: list[tuple[int, int, int]] | None
    unreadable: tuple[int, str] | None = None  # where and why Python cannot parse it: left as it is


def retargeted_texts(project, relocation: dict[str, str], exclude: set[Path]) -> list[Retargeted]:
    """The files `retarget_repository` changes, without tidying their imports: all of it that needs no libcst,
    so a process that never imports libcst can do it (apply.py)."""
    spec, candidates = _spec_and_candidates(project, relocation, exclude)

    def rewrite(batch: Sequence[tuple[Path, str]]) -> list[Retargeted]:
        return [s for s in (_retargeted_text(spec, path, text) for path, text in batch) if s is not None]

    return fan_out(rewrite, candidates, [len(text) for _path, text in candidates])


def finish_retargeting(
    project, relocation: dict[str, str], staged: list[Retargeted], first_party: frozenset[str] = frozenset()
) -> RetargetedFiles:
    """`retarget_repository`'s result from `retargeted_texts`'s: the codemod where needed, imports tidied."""
    return _finished(project, _spec(project, relocation), staged, first_party)


def _spec(project, relocation: dict[str, str]):
    from splitter.planning.relocation import Relocation

    return Relocation(old_module=project.analysis.module_name, moved=relocation)


def _spec_and_candidates(project, relocation: dict[str, str], exclude: set[Path]):
    from splitter.analysis.module_mentions import could_reference

    module = project.analysis.module_name
    excluded = {p.resolve() for p in exclude}
    candidates = [(p, t) for p, t in project.sources.items() if p not in excluded and could_reference(t, module)]
    return _spec(project, relocation), candidates


def _retargeted_text(spec, path: Path, text: str) -> Retargeted | None:
    """The file retargeted by `retarget_fast`, or None when nothing in it changes."""
    from splitter.analysis.top_level_chunks import top_level_import_runs
    from splitter.emit.retarget_fast import retarget_text

    dotted, _package, _root = module_location(path)
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:  # nor can Python import it: left as it is (RetargetedFiles)
        return Retargeted(path, None, None, (exc.lineno or 1, exc.msg))
    except ValueError as exc:  # NUL bytes
        return Retargeted(path, None, None, (1, str(exc)))
    except RecursionError:  # too deep for `ast`, not for libcst: the codemod edits it
        tree = None
    new_text = retarget_text(text, spec, dotted, tree=tree) if tree is not None else None
    if new_text == text:
        return None
    return Retargeted(path, new_text, top_level_import_runs(tree) if tree is not None else None)


def _finished(project, spec, staged: list[Retargeted], first_party: frozenset[str]) -> RetargetedFiles:
    """path -> new text of each staged file that changes, the codemod run where needed and imports tidied."""
    from splitter.emit.import_order import settings_for, tidy_import_text

    finished = RetargetedFiles()
    for file in staged:
        if file.unreadable is not None:
            finished.unreadable[file.path] = file.unreadable
            continue
        text, new_text = project.sources[file.path], file.new_text
        if new_text is None:  # an edit only libcst lays out right (`a; import main`): the codemod, this file only
            from splitter.codemods.retarget_references import retarget_source

            new_text = retarget_source(text, spec, module_location(file.path)[0])
        if new_text != text:
            settings = settings_for(file.path.parent, project.root.resolve()).with_first_party(first_party)
            finished[file.path] = tidy_import_text(text, new_text, settings, file.import_runs)
    return finished
