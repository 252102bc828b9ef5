"""Waves: one plan, applied a group or two per pull request, ending where a one-shot apply ends.

A plan records the git blob of the monolith it was made from. Once a wave has moved code out, main.py is no
longer that text, and re-reading it would rename every `@<line>` statement and re-plan shared.py as
shared_2.py. So a later wave reads the planned text back from git and computes two splits of it: the one the
earlier waves left (their groups moved) and the one with this wave's groups moved too. Every file goes from
the first to the second: a file nobody touched since is replaced; one edited by hand meanwhile keeps the edit
through a three-way merge (`git merge-file`), or the wave refuses, naming the file. The plan's names keep
their meaning, each wave regenerates the helper modules from the same plan, and the last wave writes byte for
byte what a one-shot apply writes.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from splitter.analysis.analyze import analyze_source
from splitter.analysis.model import Analysis
from splitter.analysis.source import decode_python, git_blob_id, read_git_blob, texts_at, tree_before_change, with_lf
from splitter.emit.references import RetargetedFiles
from splitter.emit.writer import text_on_disk
from splitter.errors import SplitterError
from splitter.planning.layout import GENERATED_MARKER
from splitter.planning.plan_io import Plan
from splitter.planning.project import Project

Build = Callable[[Project, tuple[str, ...]], tuple[dict[Path, str], dict[str, str]]]
Retarget = Callable[[Project, dict[str, str]], dict[Path, str]]


@dataclass
class Wave:
    project: Project  # the planned monolith's analysis, in the repository as it is now
    done: frozenset[str]  # groups earlier waves moved
    current: str  # main.py as it is now
    originals: dict[Path, str] = field(default_factory=dict)  # other files as the first wave found them
    moved_before: dict[str, str] = field(default_factory=dict)  # name -> home, as the earlier waves moved them

    def references(self, retarget: Retarget, moved: dict[str, str]) -> dict[Path, str]:
        """Files that reach moved names through the monolith, rewritten from the text the first wave found, so
        the aliases a one-shot apply picks (`routers_admin` beside `admin`) do not depend on which wave brought
        which module; edits made since the earlier waves are merged in. Files newer than the plan are
        rewritten as they are."""
        first = replace(self.project, sources=self.originals)
        before = retarget(first, self.moved_before) if self.moved_before else {}
        after = retarget(first, moved)
        changes = {}
        for path in set(before) | set(after):
            current = _read(path)
            if current is None:
                continue  # deleted since
            original = self.originals[path]
            merged = _carry_over(path, current, before.get(path, original), after.get(path, original))
            if merged != current:
                changes[path] = merged
        newer_sources = {p: t for p, t in self.project.sources.items() if p not in self.originals}
        newer = retarget(replace(self.project, sources=newer_sources), moved)
        changes.update(newer)
        unreadable = {**getattr(after, "unreadable", {}), **getattr(newer, "unreadable", {})}
        return RetargetedFiles(changes, unreadable)


def planned_wave(project: Project, plan: Plan) -> Wave | None:
    """The wave state when earlier waves changed the monolith; None when it is still the text the plan was
    made from (the first wave), or git does not hold that text."""
    path = project.analysis.path
    if not plan.source_blob or git_blob_id(path.read_bytes()) == plan.source_blob:
        return None
    data = read_git_blob(project.git_root, plan.source_blob) if project.git_root is not None else None
    if data is None:
        return None  # never committed: the plan is checked against main.py as it is, naming what went stale
    analysis = analyze_source(with_lf(decode_python(data, path)), path, project.analysis.module_name)
    sources = {p: t for p, t in project.sources.items() if GENERATED_MARKER not in t.partition("\n")[0]}
    planned = replace(project, analysis=analysis, sources=sources)
    wave = Wave(planned, moved_groups(project.analysis, plan), project.analysis.source)
    commit = tree_before_change(project.git_root, path, plan.source_blob)
    if commit is not None:
        wave.originals = texts_at(project.git_root, commit, sorted(sources))
    return wave


def moved_groups(current: Analysis, plan: Plan) -> frozenset[str]:
    """Groups an earlier wave moved: none of their endpoints (or, without endpoints, symbols) is in main.py."""
    defined = {u.name for u in current.units if not u.is_copied}  # imported back is moved
    # an app factory's routes are defined inside it (or the functions its routes were taken out into)
    defined |= {route.function for routes in current.factory_routes.values() for route in routes}
    done = set()
    for group in plan.groups:
        names = [e.function for e in group.endpoints] or group.router_symbols + group.service_symbols
        if names and not defined.intersection(names):
            done.add(group.name)
    return frozenset(done)


def wave_changes(
    wave: Wave, plan: Plan, only: tuple[str, ...], build: Build
) -> tuple[dict[Path, str], dict[str, str], set[Path]]:
    """(changes, relocation, files earlier waves wrote) for this wave. A wave whose groups complete the plan,
    or one without --only, moves the rest too: it ends where a one-shot apply ends."""
    path = wave.project.analysis.path
    wanted = wave.done | plan.with_their_modules(only)
    complete = not only or wanted >= {g.name for g in plan.groups}
    before = {path: wave.project.analysis.source}
    if wave.done:
        before, wave.moved_before = build(wave.project, tuple(sorted(wave.done)))
    after, relocation = build(wave.project, () if complete else tuple(sorted(wanted)))
    changes = {}
    for file, text in after.items():
        current = wave.current if file == path else _read(file)
        changes[file] = _carry_over(file, current, before.get(file), text)
    return changes, relocation, set(before) - {path}


def _lf(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _read(path: Path) -> str | None:
    """As the earlier wave wrote it: with CRLF read as LF, every line of a Windows team's core.py differed from
    the wave rebuilt, and the second wave refused it as edited by hand."""
    try:
        return text_on_disk(path)
    except (OSError, UnicodeDecodeError):
        return None


def _carry_over(path: Path, current: str | None, base: str | None, new: str) -> str:
    """`new`, with the edits made to `path` since the earlier wave wrote `base` merged in. Line ends aside: the
    write gives a file its CRLF back (`with_line_ends_on_disk`), which the wave rebuilt in memory has not."""
    if base is None or (current is not None and _lf(current) == _lf(base)):
        return new  # written by no earlier wave (the usual checks apply), or untouched since
    if current is None:
        raise SplitterError("an earlier wave wrote this file and it was deleted since: restore it", path)
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for name, text in (("current", _lf(current)), ("base", _lf(base)), ("new", _lf(new))):
            file = Path(folder, name)
            file.write_text(text, encoding="utf-8")
            names.append(str(file))
        done = subprocess.run(["git", "merge-file", "-p", "-q", *names], capture_output=True, text=True)
    if done.returncode != 0:
        raise SplitterError(
            "edited by hand since the last wave where this wave changes it too: commit the edit after this wave "
            "instead, or undo it (git checkout) and apply again",
            path,
        )
    return done.stdout
