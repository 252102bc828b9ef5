"""The one error type users see: rendered as a single `error: file:line: reason` line."""

from __future__ import annotations

from pathlib import Path


class SplitterError(Exception):
    """A problem with the user's input or environment, reported without a traceback (exit 2)."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def render(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"error: {where}{self.message}"
