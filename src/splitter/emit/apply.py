"""`splitter apply`: carry a plan out with one libcst parse of the monolith, then write everything or nothing.

The repository's references are retargeted in a second process while this one imports libcst and builds the
modules (emit/build.py), from the relocation the plan says the split will return (their imports are tidied in a
third, forked once libcst is imported); the split's real relocation is
compared with it, and a file retargeted by any other is never used (`_EarlyRetargeting`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from splitter.emit.references import RetargetedFiles, finish_retargeting, retarget_repository, retargeted_texts
from splitter.emit.size_check import size_warnings
from splitter.emit.waves import Wave, planned_wave, wave_changes
from splitter.emit.writer import refuse_dirty, refuse_overwrites, shown_path, text_on_disk, unified_diff, write_all
from splitter.emit.writer import with_line_ends_on_disk
from splitter.fanout import Background, can_work_in_parallel, in_background
from splitter.gcpause import without_gc
from splitter.planning.plan_edits import follow_edits
from splitter.planning.plan_io import Plan
from splitter.planning.project import Project, load_project, plan_project, source_size

MIN_EARLY_RETARGETING = 500_000  # characters of other Python files: below it a second process costs more than it saves


@dataclass
class ApplyOptions:
    dry_run: bool = False
    only: tuple[str, ...] = ()
    force: bool = False
    allow_dirty: bool = False
    tags: bool = False
    fmt: str | None = None  # "ruff" or "black" (--formatter): format only what splitter wrote, never moved code
    update_references: bool = True
    module_name: str | None = None
    exclude: tuple[str, ...] = ()  # globs of files whose references stay as they are (with the plan's own)


@dataclass
class ApplyResult:
    plan: Plan
    changes: dict[Path, str]
    written: bool
    relocation: dict[str, str] = field(default_factory=dict)
    root: Path = Path(".")
    git_root: Path | None = None  # None: outside a git repository, where nothing can undo a write
    _diff: str | None = field(default=None, repr=False)
    _originals: dict[Path, str | None] | None = field(default=None, repr=False)  # each file before the write

    @property
    def diff(self) -> str:
        """The unified diff of the changes, made when first asked (only --dry-run prints it: diffing every file
        retargeting touched cost a tenth of `apply`, and a twentieth still when taken before every write), from the
        files as they are then or, after a write, as they were before it."""
        if self._diff is None:
            self._diff = unified_diff(self.changes, self.root, self._originals)
        return self._diff


@without_gc
def apply_split(path: str | Path, plan: Plan | None = None, options: ApplyOptions | None = None) -> ApplyResult:
    options = options or ApplyOptions()
    project, plan, wave = _planned(Path(path), plan, options)
    early = _EarlyRetargeting.start(project, plan, options) if wave is None else None
    formatted = _early_format_check(project) if wave is None else None  # after the fork: no thread, no pipe
    try:
        changes, relocation, earlier = _built(project, plan, wave, options, early)
        generated = [p for p in changes if p != project.analysis.path]
        plan = replace(plan, warnings=plan.warnings + size_warnings(plan, project.analysis.path, changes))
        if options.update_references and relocation:
            retargeted = _retargeted(project, plan, wave, changes, relocation, early)
            changes.update(retargeted)
            plan = _with_unreadable(project, plan, getattr(retargeted, "unreadable", {}))
        if wave is None:  # a wave reflowed what it built and retargeted already, each against its own originals
            changes.update(_reflowed(project, changes, formatted))
    finally:
        if early is not None:
            early.job.cancel()  # a no-op once its result was read
        if formatted is not None:
            formatted.cancel()
    originals = {p: text_on_disk(p) for p in changes}  # read once: line ends, the write, the diff
    changes = with_line_ends_on_disk(changes, originals, project.analysis.path)
    if not options.force:  # each wave extends compat.py; modules an earlier wave wrote are regenerated
        refuse_overwrites(changes, [p for p in generated if p not in earlier], f"{plan.layout.compat_module}.py")
    if not options.allow_dirty and project.git_root is not None:
        refuse_dirty(changes, project.git_root)
    result = ApplyResult(plan, changes, False, relocation, project.root, project.git_root)
    result._originals = originals
    if not options.dry_run:
        pending = {p: t for p, t in changes.items() if originals[p] != t}
        write_all(pending)
        result.written = bool(pending)
    return result


def _planned(path: Path, plan: Plan | None, options: ApplyOptions) -> tuple[Project, Plan, Wave | None]:
    """The project, the plan to carry out, and the wave it continues (None for a first or one-shot apply)."""
    # the plan's module name, not one detected again: detection counts how the tests import the monolith, and
    # the waves before this one retargeted them (UTXOracle's `api.main` read as a top-level `main` at wave 14)
    module = options.module_name or (plan.module if plan is not None else None)
    exclude = options.exclude + tuple(plan.settings.get("exclude", ()) if plan is not None else ())
    project = load_project(path, module, scan_ahead=plan is None, lazily=plan is not None, exclude=exclude)
    if plan is None:
        return project, plan_project(project), None
    wave = planned_wave(project, plan)  # earlier waves moved code: work from the text the plan was made of
    project = wave.project if wave is not None else project
    return project, follow_edits(project.analysis, plan), wave  # helpers follow the endpoints a person moved


def _built(
    project: Project, plan: Plan, wave: Wave | None, options: ApplyOptions, early: _EarlyRetargeting | None = None
) -> tuple[dict[Path, str], dict[str, str], set[Path]]:
    """Every file the split writes, the relocation of moved names, and the files an earlier wave wrote."""
    from splitter.emit.build import build_changes  # libcst: imported while the repository is retargeted

    if early is not None:
        early.tidy_ahead(project, _first_party(project, plan))
    if wave is None:
        return *build_changes(project, plan, options), set()

    def build(planned: Project, only: tuple[str, ...]) -> tuple[dict[Path, str], dict[str, str]]:
        built, moved = build_changes(planned, plan, replace(options, only=only))
        built.update(_reflowed(planned, built))  # as the earlier wave wrote it: else it reads as a hand edit
        return built, moved

    return wave_changes(wave, plan, options.only, build)


def _first_party(project: Project, plan: Plan) -> frozenset[str]:
    from splitter.emit.moved_names import created_packages

    return frozenset() if project.analysis.package else created_packages(plan)


def _retargeted(
    project: Project,
    plan: Plan,
    wave: Wave | None,
    changes: dict[Path, str],
    relocation: dict[str, str],
    early: _EarlyRetargeting | None,
) -> dict[Path, str]:
    """Every other file of the repository that reached a moved name through the monolith, rewritten."""
    first_party = _first_party(project, plan)
    if early is not None and early.relocation == relocation:
        excluded = {p.resolve() for p in changes}  # as `retarget_repository(..., exclude=changes)` leaves them
        files = early.finished(project, first_party)
        kept = {path: text for path, text in files.items() if path not in excluded}
        return RetargetedFiles(kept, {p: why for p, why in files.unreadable.items() if p not in excluded})

    def retarget(files: Project, moved: dict[str, str]) -> dict[Path, str]:
        rewritten = retarget_repository(files, moved, exclude=set(changes), first_party=first_party)
        if wave is not None:  # compared with what the earlier wave wrote, reflowed as it was
            rewritten.update(_reflowed(project, rewritten))
        return rewritten

    return wave.references(retarget, relocation) if wave else retarget(project, relocation)


def _with_unreadable(project: Project, plan: Plan, unreadable: dict[Path, tuple[int, str]]) -> Plan:
    """The plan, its warnings naming each file retargeting left as it is because Python cannot parse it."""
    if not unreadable:
        return plan
    module, python = project.analysis.module_name, ".".join(map(str, sys.version_info[:2]))
    warnings = [
        f"{shown_path(path, project.root)}:{line}: does not parse as Python {python} ({why}), so it is left as it "
        f"is: what it takes from {module} it keeps taking from there, and the compatibility module forwards the "
        "moved names; if the project runs a newer Python, apply with that one"
        for path, (line, why) in sorted(unreadable.items())
    ]
    return replace(plan, warnings=[*plan.warnings, *warnings])


@dataclass
class _EarlyRetargeting:
    """The repository retargeted in a forked child by the relocation a one-shot apply is expected to return, all
    but the import tidying, which needs libcst (the child never imports it: that is what this process is doing
    meanwhile). Each file's rewrite depends only on its text and the relocation, so when the split returns that
    same relocation the child's files, less those the split writes itself, are what retargeting afterwards gives."""

    relocation: dict[str, str]
    job: Background
    tidied_ahead: bool = False  # `job` also tidies the imports (`tidy_ahead`)

    @classmethod
    def start(cls, project: Project, plan: Plan, options: ApplyOptions) -> _EarlyRetargeting | None:
        if not options.update_references or options.only:  # --only moves less than the plan: no cheap guess
            return None
        if source_size(project.sources) < MIN_EARLY_RETARGETING:
            return None
        from splitter.emit.moved_names import expected_relocation

        try:
            expected = expected_relocation(project.analysis, plan)
        except Exception:  # noqa: BLE001 - only a guess: a plan it cannot read fails as before, in the build
            return None
        if not expected:
            return None
        monolith = {project.analysis.path}
        job = in_background(lambda: retargeted_texts(project, expected, exclude=monolith))
        return cls(expected, job) if job is not None else None

    def tidy_ahead(self, project: Project, first_party: frozenset[str]) -> None:
        """Once this process has imported libcst: the import tidying too, in a second child that reads the first
        one's files (tidying a file depends on nothing else either), while this process builds the split."""
        relocation = self.relocation
        self.job = self.job.then(lambda staged: finish_retargeting(project, relocation, staged, first_party))
        self.tidied_ahead = True

    def finished(self, project: Project, first_party: frozenset[str]) -> dict[Path, str]:
        """path -> new text of every file the early retargeting changes, imports tidied."""
        if self.tidied_ahead:
            return self.job.result()
        return finish_retargeting(project, self.relocation, self.job.result(), first_party)


def _early_format_check(project: Project):
    """Whether the monolith passes `ruff format --check`, asked now: `_reflowed` needs the answer only at the end
    (a twentieth of `apply` when asked then). Only where a second CPU can run ruff meanwhile."""
    from splitter.emit.formatting import RuffFormattedCheck

    if not can_work_in_parallel():
        return None
    return RuffFormattedCheck(project.analysis.path, project.analysis.source)


def _reflowed(project: Project, changes: dict[Path, str], formatted=None) -> dict[Path, str]:
    """In a ruff-formatted project, lines that reading a seam through its module (or retargeting) made longer
    than the line length are formatted, and statements over several lines in files the split rewrote that a
    shorter name lets ruff join, so the split passes `ruff format --check` and E501 as before.
    `formatted`: the monolith's `ruff format --check` started early (`_early_format_check`)."""
    from splitter.emit.formatting import joinable_lines, long_lines, reflow_lines, ruff_formatted
    from splitter.emit.import_order import settings_for

    analysis = project.analysis
    line_length = settings_for(analysis.path.parent.resolve(), project.root.resolve()).line_length
    known = set(analysis.source.splitlines())
    for path in changes:
        known |= set(project.sources.get(path.resolve(), "").splitlines())
    reflowing = {}
    for path, text in changes.items():
        numbers = set(long_lines(text, known, line_length))
        if project.sources.get(path.resolve()):  # a file it rewrote: a shorter name may let ruff join a call
            numbers.update(joinable_lines(text, known, line_length))
        if numbers:
            reflowing[path] = (text, sorted(numbers))
    if not reflowing:
        return {}
    if not (formatted.passed() if formatted is not None else ruff_formatted(analysis.path, analysis.source)):
        return {}
    return reflow_lines(reflowing)
