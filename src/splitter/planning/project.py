"""The monolith in its repository: where it is imported from, its tests, and what already exists on disk."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import NamedTuple

from splitter.analysis.analyze import analyze_source, rename
from splitter.errors import SplitterError
from splitter.planning.import_names import imported_by_statement, other_import_names
from splitter.planning.layout import GENERATED_MARKER
from splitter.analysis.model import Analysis
from splitter.planning.plan_io import Layout, Plan
from splitter.planning.planner import PlanOptions, make_plan
from splitter.planning.settings import read_settings
from splitter.analysis.source import iter_python_files, module_location, read_python, through_real_folders
from splitter.analysis.source import git_blob_id, git_root, with_lf
from splitter.fanout import Background, in_background
from splitter.gcpause import without_gc

# Below these a second process costs more than it saves: characters of other Python files to scan, and files
# to read (listing them costs a third of reading them; `plan` decides before it reads)
MIN_SCAN_AHEAD = 100_000
MIN_FILES_AHEAD = 100


@dataclass
class Project:
    analysis: Analysis
    root: Path  # the repository: git top level, else the import root
    git_root: Path | None
    sources: Mapping[Path, str] | None  # every other Python file of the repository, read once (None: not read)
    scanned: Background[RepositoryScan] | RepositoryScan | None = None  # `scan_repository`, begun early or done
    excluded: tuple[str, ...] = ()  # globs of files left out (--exclude, `[tool.splitter] exclude`)
    settings: dict = field(default_factory=dict)  # `[tool.splitter]` of the nearest pyproject.toml, read once


class RepositoryScan(NamedTuple):
    """What planning reads from the rest of the repository: where it patches the monolith, the first file defining
    each class name (with bases) besides the monolith, and the name the repository imports the monolith by."""

    patch_sites: list
    class_files: dict[str, str]
    module_name: str
    hazards: list  # analysis/test_hazards.py: tests that see the split though every name resolves
    file_reads: list[tuple[str, int]]  # analysis/source_file_reads.py: code naming the monolith's file as a path


def scan_repository(sources: dict[Path, str], module: str, root: Path, monolith: Path | None = None) -> RepositoryScan:
    from splitter.analysis.module_mentions import could_reference  # a text test: only files naming the module
    from splitter.analysis.patched_names import find_patch_sites, module_name_from_path, package_of
    from splitter.analysis.source_file_reads import source_file_reads, spelled_ending
    from splitter.analysis.test_hazards import find_hazards

    def package_for(path: Path) -> str | None:
        name = module_name_from_path(path, root)
        return package_of(name, path.name == "__init__.py") if name else None

    sites, hazards = [], []
    # patched or read through another name of the same file: seams and hazards all the same (import_names.py)
    for name in [module, *(other_import_names(monolith, module, sources, root) if monolith else ())]:
        candidates = [(p, t) for p, t in sources.items() if could_reference(t, name)]
        sites += find_patch_sites(candidates, name)
        hazards += find_hazards(candidates, name, package_for)
    reads = source_file_reads(sources.items(), spelled_ending(module))
    return RepositoryScan(sites, _class_files(sources, root), module, hazards, reads)


def _class_files(sources: dict[Path, str], root: Path) -> dict[str, str]:
    """Each class name given bases in `sources` -> the first file defining it (relative to `root`)."""
    class_files: dict[str, str] = {}
    for path, text in sources.items():
        for name in _class_names_with_bases(text):
            class_files.setdefault(name, str(path.relative_to(root)) if path.is_absolute() else str(path))
    return class_files


def _namespace_module_name(path: Path, sources: dict[Path, str], root: Path) -> str | None:
    """`app/main.py` without `app/__init__.py` may still be imported as `app.main`, and `backend/app/main.py` as
    `backend.app.main` (namespace packages, folders without `__init__.py` up to the import root): each folder up to
    the repository's root names a candidate, the nearest first. Only an import statement says so: a comment
    explaining why a test cannot `import from server.server` does not."""
    parts, folder, root = [path.stem], path.resolve().parent, root.resolve()
    while True:
        parts.insert(0, folder.name)
        if imported_by_statement(parts, sources):
            return ".".join(parts)
        folder = folder.parent
        if folder == root or root not in folder.parents:  # the root itself is where imports start, not a name
            return None


_ABSOLUTE_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\w+)[ \t.]|import[ \t]+(\w+))", re.MULTILINE)
_RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+\.", re.MULTILINE)


def _runs_from_its_folder(path: Path, source: str) -> bool:
    """A module inside a package folder that imports its siblings absolutely (`from deps import x` beside
    deps.py) and never relatively is run with its folder on sys.path: it is the top-level module `app`, not
    `backend.app`, and new modules beside it are imported the same way."""
    if _RELATIVE_IMPORT.search(source):
        return False
    folder = path.parent
    for match in _ABSOLUTE_IMPORT.finditer(source):
        name = match.group(1) or match.group(2)
        if name != path.stem and ((folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()):
            return True
    return False


def _imported_as_top_level(path: Path, dotted: str, sources: dict[Path, str]) -> bool:
    """More files of the repository reach the module as `app` than as `backend.app` (imports, patch targets,
    `import_module` strings): a package module that puts its own folder on sys.path is still `api.main`."""

    def files_naming(name: str) -> int:
        return sum(1 for text in sources.values() if _names_module(text, name))

    return files_naming(path.stem) > files_naming(dotted)


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _names_module(text: str, name: str) -> bool:
    """`re.search(r"\\b(?:from|import)\\s+NAME\\b|[\"']NAME[.:\"']", text)`, checked only where NAME occurs: a
    substring scan, many times faster than the regex on the large files of a repository."""
    start = text.find(name)
    while start != -1:
        end = start + len(name)
        following = text[end] if end < len(text) else ""
        if start and text[start - 1] in "\"'" and following and following in ".:\"'":
            return True
        before = start
        while before and text[before - 1].isspace():
            before -= 1
        if before < start and (end == len(text) or not _is_word(following)):
            for keyword in ("from", "import"):
                head = before - len(keyword)
                if head >= 0 and text.startswith(keyword, head) and (head == 0 or not _is_word(text[head - 1])):
                    return True
        start = text.find(name, start + 1)
    return False


def _text_of(file: Path) -> str:
    """`file.read_text(encoding="utf-8")`, newlines translated alike, without a text-mode reader per file (half
    the cost of reading a repository of 1,000 files)."""
    with open(file, "rb") as handle:
        text = handle.read().decode("utf-8").removeprefix("\ufeff")  # ast refuses it; the write gives it back
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _without_nearer_namesakes(sources: dict[Path, str], monolith: Path, root: Path) -> dict[Path, str]:
    """Drop each file next to (or below) another `main.py`: it imports that one as `main`, not ours (monorepos).
    One answer per folder: asking each file's parents in turn was most of reading a repository of 1,000 files;
    folders as strings, since `Path.parent` per file was still a sixth of reading one."""
    verdicts: dict[str, bool] = {}
    last = (os.fspath(root), os.fspath(monolith.parent))

    def near(folder: str) -> bool:
        if folder not in verdicts:
            candidate = os.path.join(folder, monolith.name)
            if os.path.exists(candidate) and Path(candidate).resolve() != monolith:
                verdicts[folder] = True
            elif folder in last or os.path.dirname(folder) == folder:
                verdicts[folder] = False
            else:
                verdicts[folder] = near(os.path.dirname(folder))
        return verdicts[folder]

    return {path: text for path, text in sources.items() if not near(os.path.dirname(path))}


@without_gc
def load_project(
    path: Path,
    module_name: str | None = None,
    scan_ahead: bool = False,
    read: bool = True,
    lazily: bool = False,
    exclude: tuple[str, ...] = (),
) -> Project:
    """The monolith analysed and the repository read. `scan_ahead`: `plan_project` follows, so scan the repository
    for it (`scan_repository`) in a second process while this one analyses the monolith; `read=False` with it:
    nothing else needs the other files, so that process reads them too (and settles the module name) and
    `sources` stays None. `lazily` with a `module_name`: each file is read when first asked (FilesReadWhenAsked)."""
    path = through_real_folders(path)
    source = with_lf(read_python(path))
    dotted, package, import_root = module_location(path)
    top = git_root(path.resolve().parent)
    root = top if top is not None else import_root
    settings = read_settings(path, root)[0]
    excluded = tuple(dict.fromkeys(exclude + tuple(settings.get("exclude", ()))))
    files = [f for f in iter_python_files(root, exclude={path.resolve()}) if not excluded_file(f, root, excluded)]
    place = _Place(path, source, dotted, package, root, files)
    if scan_ahead and not read and len(files) >= MIN_FILES_AHEAD:
        scanned = in_background(lambda: scan_repository(*_read_repository(place, module_name), root, path))
        if scanned is not None:  # the name the scan settles on may differ: plan_project renames it
            analysis = analyze_source(source, path, module_name or dotted)
            return Project(analysis, root, top, None, scanned, excluded, settings)
    if lazily and module_name is not None:  # nothing to settle: the files are only read for what asks for them
        monolith = path.resolve()
        kept = files if "." in module_name else list(_without_nearer_namesakes(dict.fromkeys(files), monolith, root))
        analysis = analyze_source(source, path, module_name)
        return Project(analysis, root, top, FilesReadWhenAsked(kept), None, excluded, settings)
    sources, module_name = _read_repository(place, module_name)
    big = scan_ahead and sum(map(len, sources.values())) >= MIN_SCAN_AHEAD
    scanned = in_background(lambda: scan_repository(sources, module_name, root, path)) if big else None
    analysis = analyze_source(source, path, module_name)  # an error here drops `scanned`, which stops the child
    return Project(analysis, root, top, sources, scanned, excluded, settings)


class FilesReadWhenAsked(Mapping[Path, str]):
    """`Project.sources` as `apply` with a plan needs it: a second process retargets the repository, and reads
    it, while this one builds the split; this one reads only the few files it is then asked for. The same keys and
    texts as the dict `_read_repository` makes (a file that cannot be read is not in it)."""

    def __init__(self, files: list[Path]) -> None:
        self._texts: dict[Path, str | None] = dict.fromkeys(files)
        self._read: set[Path] = set()

    def _text(self, path: Path) -> str | None:
        if path not in self._read:
            self._read.add(path)
            try:
                self._texts[path] = _text_of(path)
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def __getitem__(self, path: Path) -> str:
        text = self._text(path) if path in self._texts else None
        if text is None:
            raise KeyError(path)
        return text

    def __iter__(self) -> Iterator[Path]:
        return (path for path in list(self._texts) if self._text(path) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def size(self) -> int:
        """About how many characters the files hold, from their sizes on disk: nothing is read."""
        return sum(os.stat(path).st_size for path in self._texts if os.path.exists(path))


def excluded_file(path: Path, root: Path, globs: tuple[str, ...]) -> bool:
    """Whether a glob leaves the file out: matched against its path from the repository root (`*` also matches
    `/`), a glob naming a folder (`legacy`, `legacy/`) leaving out everything below it."""
    if not globs:
        return False
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    return any(fnmatch(relative, glob) or fnmatch(relative, glob.rstrip("/") + "/*") for glob in globs)


def source_size(sources: Mapping[Path, str]) -> int:
    return sources.size() if isinstance(sources, FilesReadWhenAsked) else sum(map(len, sources.values()))


class _Place(NamedTuple):
    path: Path
    source: str
    dotted: str
    package: str | None
    root: Path
    files: list[Path]  # every other Python file below `root` (`iter_python_files`)


def _read_repository(place: _Place, module_name: str | None) -> tuple[dict[Path, str], str]:
    """Every other Python file of the repository that can import the monolith as ours, and the monolith's name."""
    path, sources, monolith = place.path, {}, place.path.resolve()
    for file in place.files:
        try:
            sources[file] = _text_of(file)  # resolved already
        except (OSError, UnicodeDecodeError):
            continue  # not ours to judge: only files that reference the monolith are ever rewritten
    if module_name is None and place.package is None:
        module_name = _namespace_module_name(path, sources, place.root)
        if (
            module_name
            and _runs_from_its_folder(path, place.source)
            and _imported_as_top_level(path, module_name, sources)
        ):
            module_name = None  # `server/server.py` importing its siblings as `helpers`: run from its folder
    elif (
        module_name is None
        and _runs_from_its_folder(path, place.source)
        and _imported_as_top_level(path, place.dotted, sources)
    ):
        module_name = path.stem
    module_name = module_name or place.dotted
    if "." not in module_name:
        sources = _without_nearer_namesakes(sources, monolith, place.root)
    return sources, module_name


def _free_name(folder: Path, preferred: str, suffix: str = ".py", reuse_generated: bool = False) -> str:
    """A module name that is free (or, with `reuse_generated`, was written by splitter before)."""
    for candidate in [preferred, f"app_{preferred}"] + [f"{preferred}_{n}" for n in range(2, 50)]:
        target = folder / f"{candidate}{suffix}"
        reusable = not target.exists() or (reuse_generated and _generated_by_splitter(target))
        if reusable and not (folder / candidate).exists():
            return candidate
    raise SplitterError(f"no free module name for {preferred} in {folder}")


def _generated_by_splitter(path: Path) -> bool:
    """A module an earlier `apply` wrote: its first line names splitter (waves regenerate it)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return GENERATED_MARKER in handle.readline()
    except (OSError, UnicodeDecodeError):
        return False


def choose_layout(analysis: Analysis) -> tuple[Layout, frozenset[str]]:
    folder = analysis.path.parent
    routers = "routers" if not (folder / "routers.py").exists() else _free_name(folder, "api_routers")
    services = "services" if not (folder / "services.py").exists() else _free_name(folder, "app_services")
    existing = {p.stem for package in (routers, services) for p in (folder / package).glob("*.py")}
    existing |= {p.parent.name for package in (routers, services) for p in (folder / package).glob("*/__init__.py")}
    # A group module never takes the name of a module beside the monolith or of one it imports: in a script
    # folder run from inside, `import settings` must keep finding settings.py, never a router.
    existing |= {p.stem for p in folder.glob("*.py")} | {
        p.name for p in folder.iterdir() if (p / "__init__.py").exists()
    }
    existing |= {i.module.split(".")[0] for u in analysis.units for i in u.imports if i.level == 0 and i.module}
    layout = Layout(
        routers_package=routers,
        services_package=services,
        shared_module=_free_name(folder / services, "shared"),
        core_module=_free_name(folder, "core"),
        hooks_module=_free_name(folder, "hooks"),
        compat_module=_free_name(folder, "compat", reuse_generated=True),
    )
    return layout, frozenset(existing)


def schema_name_clashes(project: Project, class_files: dict[str, str] | None = None) -> dict[str, str]:
    """Classes of the monolith whose name another module of the repository, or the monolith itself a second time,
    also gives a class (-> that file): FastAPI names the OpenAPI schemas of same-named models after their modules
    (`pkg__main__Pagination`), so moving one would rename a public schema and every client generated from it."""
    analysis = project.analysis
    defined = [
        u.name
        for u in analysis.units
        if u.kind == "class" and _CLASS_WITH_BASES.search(analysis.text_of(u.first_line, u.first_line + 2))
    ]
    if not defined:
        return {}
    path = project.analysis.path
    itself = str(path.relative_to(project.root)) if path.is_absolute() else str(path)
    elsewhere: dict[str, str] = {name: itself for name in defined if defined.count(name) > 1}
    if class_files is None:  # a one-shot apply scanned the repository for its plan already
        scanned = project.scanned if isinstance(project.scanned, RepositoryScan) else None
        class_files = scanned.class_files if scanned else _class_files(project.sources, project.root)
    wanted = set(defined)
    for name, file in class_files.items():  # in the order the repository's files first define them
        if name in wanted:
            elsewhere.setdefault(name, file)
    return elsewhere


_CLASS_WITH_BASES = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(", re.MULTILINE)
_CLASS_WORD = re.compile(r"class[ \t]+(\w+)[ \t]*\(")  # a literal first: re skips ahead to each "class"


def _class_names_with_bases(text: str):
    """What `_CLASS_WITH_BASES.findall` finds, ten times faster over a whole repository."""
    for match in _CLASS_WORD.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if not text[line_start : match.start()].strip(" \t"):
            yield match.group(1)


def plan_project(project: Project, options: PlanOptions | None = None) -> Plan:
    """Plan with `options`, or else with `[tool.splitter]` from the project's pyproject.toml."""
    if options is None:
        from splitter.planning.settings import plan_options

        options = plan_options(project.settings)
    from splitter.analysis.patched_names import rebound_names
    from splitter.planning.repository_notes import file_read_warnings, hazard_warnings, as_shown
    from splitter.planning.plan_notes import named_as_the_monolith
    from splitter.planning.source_reads import source_read_warnings

    scanned = _repository_scan(project)
    layout, existing = choose_layout(project.analysis)
    sites = scanned.patch_sites
    patched = {n: [(str(as_shown(project, f)), line) for f, line in at] for n, at in rebound_names(sites).items()}
    options = replace(
        options,
        patched_names=patched,
        existing_modules=existing | options.existing_modules,
        layout=layout,
        schema_clashes=schema_name_clashes(project, scanned.class_files),
    )
    plan = make_plan(project.analysis, options)
    if project.excluded:  # apply, given this plan, leaves the same files alone
        plan.settings["exclude"] = list(project.excluded)
    plan.source_blob = git_blob_id(project.analysis.path.read_bytes())  # later waves find this text in git
    found = source_read_warnings(project.analysis, plan, sites, lambda file: as_shown(project, file))
    found += file_read_warnings(project, scanned.file_reads) + hazard_warnings(project, plan, scanned.hazards)
    plan.warnings += named_as_the_monolith(found, project.analysis.path)  # make_plan's own are named already
    return plan


def _repository_scan(project: Project) -> RepositoryScan:
    """The scan `load_project` began in a second process, or one made now; kept for a second plan."""
    if isinstance(project.scanned, Background):
        project.scanned = project.scanned.result()
        if project.scanned.module_name != project.analysis.module_name:  # settled while the monolith was analysed
            rename(project.analysis, project.scanned.module_name)
    if project.scanned is None:  # `sources` is None only while the child that read them is running
        project.scanned = scan_repository(
            project.sources, project.analysis.module_name, project.root, project.analysis.path
        )
    return project.scanned
