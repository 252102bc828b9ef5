"""`apply --formatter ruff|black`: format what splitter wrote itself (docstrings, imports, router creation).

Moved code is never formatted: the diff of a split stays a pure move that reviewers can check as one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .errors import SplitterError


def format_generated(files: dict[Path, str], tool: str) -> dict[Path, str]:
    if tool == "black":
        try:
            import black
        except ImportError:
            raise SplitterError("--formatter black needs black: pip install 'splitter[format]'") from None
        mode = black.Mode()
        return {path: black.format_str(text, mode=mode) for path, text in files.items()}
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
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
