"""`apply --formatter ruff|black`: format what splitter wrote itself (docstrings, imports, router creation).

Moved code is never formatted: the diff of a split stays a pure move that reviewers can check as one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from splitter.analysis.source import split_lines
from splitter.errors import SplitterError
from splitter.planning.layout import GENERATED_MARKER


def format_generated(files: dict[Path, str], tool: str) -> dict[Path, str]:
    if tool == "black":
        try:
            import black
        except ImportError:
            raise SplitterError("--formatter black needs black: pip install 'splitter[format]'") from None
        return {path: black.format_str(text, mode=_black_mode(black, path)) for path, text in files.items()}
    ruff = ruff_executable()
    formatted = {}
    for path, text in files.items():
        try:
            done = subprocess.run(
                [ruff, "format", "--stdin-filename", str(path), "-"],
                input=text,
                text=True,
                capture_output=True,
                timeout=120,
            )
        except OSError:
            raise SplitterError("--formatter ruff needs ruff on PATH: pip install ruff") from None
        if done.returncode != 0:
            raise SplitterError(f"ruff format failed: {done.stderr.strip().splitlines()[-1:]}", path)
        formatted[path] = done.stdout
    return formatted


def format_heads(files: dict[Path, str], heads: dict[Path, int], tool: str) -> dict[Path, str]:
    """Format the first `heads[path]` characters of each file (what splitter generated); keep the rest as is."""
    formatted = format_generated({path: files[path][: heads[path]] for path in files}, tool)
    return {path: formatted[path] + files[path][heads[path] :] for path in files}


def _black_mode(black, path: Path):
    """black's mode from the nearest pyproject.toml's [tool.black] (line length, string normalization)."""
    from splitter.emit.import_order import read_toml

    for folder in path.resolve().parents:
        if (folder / "pyproject.toml").is_file():
            config = read_toml(folder / "pyproject.toml").get("tool", {}).get("black", {})
            return black.Mode(
                line_length=int(config.get("line-length", config.get("line_length", 88))),
                string_normalization=not config.get("skip-string-normalization", False),
            )
    return black.Mode()


def ruff_executable() -> str:
    return shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))


def _ruff(args: list[str], path: Path, text: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            [ruff_executable(), *args, "--stdin-filename", str(path), "-"],
            input=text,
            text=True,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def ruff_formatted(path: Path, text: str) -> bool:
    """Does `ruff format --check` (with the project's settings) pass on this file? False without ruff."""
    return RuffFormattedCheck(path, text).passed()


class RuffFormattedCheck:
    """`ruff_formatted(path, text)` started now in its own process and answered later: `apply` asks only after it
    built the split, and ruff then had that long to answer (the text goes through a temporary file, so nothing
    here waits on a pipe, and no thread runs while `apply` forks)."""

    def __init__(self, path: Path, text: str) -> None:
        self._process: subprocess.Popen | None = None
        try:
            with tempfile.TemporaryFile() as source:
                source.write(text.encode("utf-8"))
                source.seek(0)
                self._process = subprocess.Popen(
                    [ruff_executable(), "format", "--check", "--stdin-filename", str(path), "-"],
                    stdin=source,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
        except OSError:
            self._process = None

    def passed(self) -> bool:
        if self._process is None:
            return False
        try:
            return self._process.wait(timeout=120) == 0
        except subprocess.TimeoutExpired:
            self.cancel()
            return False

    def cancel(self) -> None:
        """Stop ruff when the answer is not wanted (no long lines, or the split failed); a no-op once answered."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def long_lines(text: str, known_lines: set[str], line_length: int) -> list[int]:
    """Lines longer than `line_length` that splitter wrote (not among `known_lines`), but its own docstring."""
    return [
        n
        for n, line in enumerate(split_lines(text), 1)
        if len(line) > line_length and line not in known_lines and not _generated_docstring(n, line)
    ]


def reflow_lines(files: dict[Path, tuple[str, list[int]]]) -> dict[Path, str]:
    """Each file's numbered lines formatted with ruff's range formatting: only the statement holding a line
    changes; everything else stays byte-for-byte."""
    reflowed = {}
    for path, (text, numbers) in files.items():
        new = text
        for first, last in reversed(_runs(numbers)):  # bottom up: formatting a statement shifts only lines below
            width = len(split_lines(new)[last - 1]) + 1
            done = _ruff(["format", f"--range={first}:1-{last}:{width}"], path, new)
            if done is None or done.returncode != 0:
                break
            new = done.stdout
        if new != text:
            reflowed[path] = new
    return reflowed


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Line numbers as runs of consecutive lines (first, last): one ruff process formats a run's statements."""
    runs: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _generated_docstring(number: int, line: str) -> bool:
    """splitter's one-line module docstring: ruff format never splits a string, so formatting it would only spend
    a ruff process per generated module."""
    return number == 1 and line.startswith('"""') and line.endswith(f'{GENERATED_MARKER}."""')


def joinable_lines(text: str, known_lines: set[str], line_length: int) -> list[int]:
    """Lines splitter changed that are the middle of `call(\n    arguments\n)`, the form ruff gives a bracket
    whose contents fit one line but not the statement, where the three now fit one line (a shorter name:
    `fused_render.server.x` -> `fused_render.core.x`): ruff would join them. Its other multi-line forms end
    each element with a comma, which keeps them as they are."""
    lines, found = split_lines(text), []
    for number in range(1, len(lines) - 1):
        line = lines[number].strip()
        if lines[number] in known_lines or not line or line.endswith(","):
            continue
        before, after = lines[number - 1].rstrip(), lines[number + 1].strip()
        if before.endswith(("(", "[", "{")) and after.startswith((")", "]", "}")):
            if len(before) + len(line) + len(after) <= line_length:
                found.append(number + 1)
    return found
