"""All-or-nothing writes and `git apply`-able diffs of a set of file changes."""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path

from splitter.analysis.source import every_line_ends_with_crlf, python_lines
from splitter.errors import SplitterError
from splitter.planning.layout import GENERATED_MARKER, is_compat_part


def shown_path(path: Path, root: Path) -> str:
    """`path` as the user reads it: relative to the repository `root`, else as it is."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def text_on_disk(path: Path) -> str | None:
    """A file's text with its line ends as they are (None: no such file): what a write replaces and a diff shows.
    `read_text` turns CRLF into LF, so a diff against it removed every line of a Windows-edited file."""
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def with_line_ends_on_disk(
    changes: dict[Path, str], originals: dict[Path, str | None], monolith: Path
) -> dict[Path, str]:
    """Texts read with CRLF turned into LF (the repository's files, to retarget them) given back their CRLF when
    every line on disk ends so, else a retargeted test of a Windows team changes on every line; new files end
    their lines as the `monolith` on disk does (its text was split with LF: analysis/source.with_lf). A file that
    starts with a byte order mark on disk keeps it: the readers drop it (`ast` refuses one in a str). `originals`:
    `text_on_disk` of each changed file."""
    on_monolith = originals[monolith] if monolith in originals else text_on_disk(monolith)
    restored, monolith_crlf = {}, every_line_ends_with_crlf(on_monolith or "")
    for path, text in changes.items():
        on_disk = originals.get(path)
        crlf, bom = monolith_crlf, False
        if on_disk is not None:
            crlf, bom = every_line_ends_with_crlf(on_disk), on_disk.startswith("\ufeff")
        new = text
        if crlf and not every_line_ends_with_crlf(new):  # lines a wave edited in texts read from git, too
            new = new.replace("\r\n", "\n").replace("\n", "\r\n")
        if bom and not new.startswith("\ufeff"):
            new = "\ufeff" + new
        if new != text:
            restored[path] = new
    return {**changes, **restored}


def _lines(text: str) -> list[str]:
    lines = python_lines(text)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def unified_diff(changes: dict[Path, str], root: Path, originals: dict[Path, str | None] | None = None) -> str:
    """One patch for every change; `git apply` in `root` reproduces the write. `originals`: each file's text
    before a write (None: it did not exist), else read from disk now."""
    parts = []
    for path in sorted(changes, key=lambda changed: shown_path(changed, root)):  # however the monolith was named
        if originals is not None:
            before = originals.get(path, changes[path])  # a file the write left alone is no change
        else:
            before = text_on_disk(path)
        after = changes[path]
        if before == after:
            continue
        name = shown_path(path, root)
        header = [f"diff --git a/{name} b/{name}\n"]
        if before is None:
            header.append("new file mode 100644\n")
        diff = list(
            difflib.unified_diff(
                _lines(before or ""),
                _lines(after),
                fromfile="/dev/null" if before is None else f"a/{name}",
                tofile=f"b/{name}",
                n=3,
            )
        )
        if diff:
            parts.append("".join(header + diff))
    return "".join(parts)


def dirty_files(paths: list[Path], root: Path) -> list[str]:
    """Files among `paths` with uncommitted changes in the git work tree at `root`."""
    existing = [str(p.resolve()) for p in paths if p.exists()]
    if not existing:
        return []
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", *existing], cwd=root, capture_output=True, text=True, timeout=60
    )
    return [line[3:] for line in out.stdout.splitlines() if line.strip()]


def write_all(changes: dict[Path, str]) -> None:
    """Write every file or none: stage each beside its target, then swap them in; undo on any failure."""
    staged: list[tuple[Path, Path]] = []
    created_dirs: list[Path] = []
    originals: dict[Path, bytes | None] = {}
    try:
        for path, text in changes.items():
            missing = []
            folder = path.parent
            while not folder.exists():
                missing.append(folder)
                folder = folder.parent
            for folder in reversed(missing):
                folder.mkdir()
                created_dirs.append(folder)
            temporary = path.with_name(f".{path.name}.splitter-tmp")
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            staged.append((temporary, path))
            originals[path] = path.read_bytes() if path.exists() else None
        done = []
        try:
            for temporary, path in staged:
                os.replace(temporary, path)
                done.append(path)
        except BaseException:
            for path in done:
                if originals[path] is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_bytes(originals[path])
            raise
    except BaseException as exc:  # an interrupt mid-write must leave the tree as it was, too
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(created_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        if not isinstance(exc, OSError):
            raise
        raise SplitterError(
            f"cannot write: {exc.strerror or exc}; nothing was changed", getattr(exc, "filename", None)
        ) from None


def refuse_overwrites(changes: dict[Path, str], generated: list[Path], merged_name: str) -> None:
    """One error line when a generated module would replace an existing file with other text (`merged_name`,
    the compatibility module, is extended wave by wave instead)."""
    clashes = [
        p
        for p in generated
        if p.exists()
        and p.name not in ("__init__.py", merged_name)
        and text_on_disk(p) != changes[p]
        and not _extended_part(p, merged_name)
    ]
    if clashes and GENERATED_MARKER not in clashes[0].read_text(encoding="utf-8").partition("\n")[0]:
        raise SplitterError(
            "exists and splitter did not write it: give the group the plan sends there another name "
            "(a new module never replaces or extends one it did not write), or pass --force to replace it",
            clashes[0],
        )
    if clashes:
        raise SplitterError(
            f"would overwrite existing {clashes[0].name}; rename the group in the plan or pass --force", clashes[0]
        )


def _extended_part(path: Path, merged_name: str) -> bool:
    """A part of the compatibility module's table an earlier wave wrote: extended too."""
    ours = GENERATED_MARKER in path.read_text(encoding="utf-8").partition("\n")[0]
    return ours and is_compat_part(path.stem, merged_name.removesuffix(".py"))


def refuse_dirty(changes: dict[Path, str], git_root: Path) -> None:
    dirty = dirty_files(list(changes), git_root)
    if dirty:
        raise SplitterError(
            f"uncommitted changes in {', '.join(dirty[:3])}: commit or stash them, or pass --allow-dirty", git_root
        )
