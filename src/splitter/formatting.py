"""Optional formatting of generated files only (`--format ruff|black`); moved code in main.py is left alone."""

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
            raise SplitterError("--format black needs black: pip install 'splitter[format]'") from None
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
            raise SplitterError("--format ruff needs ruff on PATH: pip install ruff") from None
        if done.returncode != 0:
            raise SplitterError(f"ruff format failed: {done.stderr.strip().splitlines()[-1:]}", path)
        formatted[path] = done.stdout
    return formatted
