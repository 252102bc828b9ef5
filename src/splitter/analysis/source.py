"""Reading a monolith and locating it in its project; every failure is one SplitterError line."""

from __future__ import annotations

import ast
import io
import os
import re
import sys
import tokenize
from pathlib import Path
import subprocess

from splitter.errors import SplitterError

# Lines as Python (and ast, libcst, ruff, git) number them: at \n, \r\n and \r only. `str.splitlines` also cuts at
# form feeds (Emacs page breaks between sections), \x1c-\x1e, \x85 and U+2028/9, so a line number read from an
# ast node indexes the wrong line of its result after the first of those.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_END = re.compile("\r\n|\r|\n")


def python_lines(source: str) -> list[str]:
    """The lines of `source`, with their ends, numbered as `ast` numbers them."""
    lines = source.splitlines(keepends=True)  # 2.5x faster than the regex, right when every cut was at a \n
    if "\r" not in source and len(lines) == source.count("\n") + (not source.endswith("\n") and bool(source)):
        return lines
    return _LINE.findall(source)


def every_line_ends_with_crlf(text: str) -> bool:
    return "\r\n" in text and text.count("\n") == text.count("\r\n")


def with_lf(text: str) -> str:
    """`text` with LF line ends when every line ends with CRLF (a Windows team's monolith): the emitter mirrors LF
    layouts only and parsed all of a CRLF one with libcst (ctxbuilder: apply 4x a libcst parse, not 1.5x); the
    write gives each file its CRLF back (emit/writer.with_line_ends_on_disk)."""
    return text.replace("\r\n", "\n") if every_line_ends_with_crlf(text) else text


def split_lines(source: str) -> list[str]:
    """The lines of `source`, without their ends, numbered as `ast` numbers them (one more after a final end)."""
    return source.split("\n") if "\r" not in source else _LINE_END.split(source)  # str.split: 10x the regex


SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "env",
        ".env",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".eggs",
    }
)


def read_python(path: Path) -> str:
    """The text of a Python file, honouring a PEP 263 coding cookie; newlines kept as they are."""
    if not path.exists():
        raise SplitterError("no such file", path)
    if path.is_dir():
        raise SplitterError("is a directory, expected a Python file such as main.py", path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SplitterError(f"cannot read: {exc.strerror or exc}", path) from None
    return decode_python(data, path)


def decode_python(data: bytes, path: Path) -> str:
    """Source bytes as text, honouring a PEP 263 coding cookie; newlines kept as they are."""
    if b"\x00" in data:
        raise SplitterError("not Python source: the file holds binary data (NUL bytes)", path)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"  # a bad or missing cookie: report the undecodable byte below
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise SplitterError(
            f"not {encoding} text (byte 0x{byte}) and no coding declaration says otherwise; save it as UTF-8",
            path,
            line,
        ) from None
    except LookupError:
        raise SplitterError(f"unknown encoding {encoding!r} in its coding declaration", path, 1) from None
    if encoding not in ("utf-8", "utf-8-sig") and not data.isascii():
        raise SplitterError(
            f"declares coding {encoding} and holds non-ASCII text: splitter writes the modules it makes as UTF-8, "
            f"and {path.name} keeps its declaration; save the file as UTF-8 and drop the declaration first",
            path,
            _declaration_line(data),
        )
    return text.removeprefix("\ufeff")


def _declaration_line(data: bytes) -> int:
    """The line of a PEP 263 coding declaration: the first or the second."""
    return 1 if b"coding" in data.partition(b"\n")[0] else 2


def parse_python(text: str, path: Path) -> ast.Module:
    try:
        return ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        # Syntax a newer Python accepts (grant-radar's PEP 701 f-strings, 3.12) fails the same way as a typo:
        # say which Python read it, so a project on a newer one knows to run splitter there.
        python = ".".join(map(str, sys.version_info[:2]))
        raise SplitterError(
            f"does not parse as Python {python}: {exc.msg} (code written for a newer Python needs splitter run "
            "with that Python)",
            path,
            exc.lineno,
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SplitterError(f"does not parse: {exc}", path) from None


def through_real_folders(path: Path) -> Path:
    """An absolute `path` with the symbolic links of its folders resolved, its file name kept. The repository's
    root comes from git (or `resolve()`), which sees no links: a monolith named through a linked folder
    (`/home/me/repo` -> `/data/repo`) must lie below that root. A relative path is read from the real working
    folder already."""
    if not path.is_absolute():
        return path
    folder = os.path.realpath(path.parent)
    return path if folder == str(path.parent) else Path(folder, path.name)


def module_location(path: Path) -> tuple[str, str | None, Path]:
    """(dotted module name, package name or None, import root) found by walking up `__init__.py` files."""
    path = path.resolve()
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    package = ".".join(parts[:-1]) or None
    return ".".join(parts), package, folder


def name_and_package(path: Path, module_name: str | None) -> tuple[str, str | None]:
    """The monolith's dotted name (`module_name`, else where it lies) and its package."""
    located_name, package, _root = module_location(path)
    module_name = module_name or located_name
    return module_name, (module_name.rpartition(".")[0] or None) if module_name != located_name else package


def iter_python_files(root: Path, exclude: set[Path] = frozenset()):
    """Every .py file below root, as a resolved path, skipping virtualenvs, caches and build output.

    `os.scandir` (its entries know their type) and `resolve()` only below a symbolic link: the stat and realpath
    calls of `Path.iterdir`/`Path.resolve` per file were most of reading a repository of a few hundred files."""
    stack = [(str(root.resolve()), False)]
    while stack:
        folder, linked = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                if _walked_into(entry):
                    stack.append((entry.path, linked or entry.is_symlink()))
            elif entry.name.endswith(".py") and entry.name != ".py":
                path = Path(entry.path).resolve() if linked or entry.is_symlink() else Path(entry.path)
                if path not in exclude:
                    yield path


def _walked_into(folder: os.DirEntry) -> bool:
    return (
        folder.name not in SKIP_DIRS
        and not folder.name.startswith(".")
        and not os.path.exists(os.path.join(folder.path, "pyvenv.cfg"))
    )


def git_root(folder: Path) -> Path | None:
    """The top of the git work tree holding `folder` (resolved): the nearest folder with a `.git` entry, a folder
    or the file a worktree or submodule has. What `git rev-parse --show-toplevel` says, without starting git: that
    process was a tenth of planning a small monolith."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(os.path.join(candidate, ".git")):
            return candidate
    return None


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (`git hash-object`), computed without touching the repository."""
    try:  # the builtin module: hashlib loads OpenSSL first, a tenth of a small plan's time
        from _sha1 import sha1
    except ImportError:  # a Python built without its own hashes
        from hashlib import sha1
    return sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read_git_blob(root: Path, blob_id: str) -> bytes | None:
    """The bytes of a blob the repository at `root` holds (any commit, the index, a stash), else None."""
    if not all(c in "0123456789abcdef" for c in blob_id) or len(blob_id) != 40:
        return None
    try:
        out = subprocess.run(["git", "cat-file", "blob", blob_id], cwd=root, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        out = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def tree_before_change(root: Path, path: Path, blob_id: str) -> str | None:
    """The commit just before the one that changed `path` away from this blob: the repository as it was when
    that text was last current (the first wave of a split starts there). None when there is no such commit."""
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    log = _git(root, "log", "--format=%H", "--no-renames", "--", relative)
    newer = None
    for commit in (log or b"").decode().split():
        if (_git(root, "rev-parse", f"{commit}:{relative}") or b"").decode().strip() == blob_id:
            return f"{newer}^" if newer is not None else None
        newer = commit
    return None


def texts_at(root: Path, commit: str, paths: list[Path]) -> dict[Path, str]:
    """The UTF-8 text of each of `paths` (absolute, inside `root`) at `commit`; absent or binary ones left out."""
    top = root.resolve()
    paths = [p for p in paths if p.is_relative_to(top)]
    names = [p.relative_to(top).as_posix() for p in paths]
    out = _git(top, "cat-file", "--batch", stdin="".join(f"{commit}:{n}\n" for n in names).encode())
    texts: dict[Path, str] = {}
    position = 0
    for path in paths:
        if out is None:
            break
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            continue
        size = int(header[2])
        data = out[position : position + size]
        position += size + 1
        try:
            texts[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts
