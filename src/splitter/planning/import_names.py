"""The other dotted names a repository imports the monolith by.

One file can be imported under several names: inkar-opt's `backend/app/main.py` is `app.main` to production (run
from backend/, `backend/app/__init__.py` making `app` the package) and `backend.app.main` to the tests (the
repository root on sys.path, `backend/` a namespace package). splitter plans with one name; the names tests patch
through the others (`import backend.app.main as main`, then `monkeypatch.setattr(main, "x", ...)`) are seams all
the same, or a patch stops reaching the moved code that reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path


def other_import_names(monolith: Path, module_name: str, sources: Mapping[Path, str], root: Path) -> list[str]:
    """Dotted names other than `module_name` that the monolith's path spells from some folder of the repository
    (`backend.app.main`, `app.main`) and that an import statement of the repository uses. A name of one part is
    never taken (`import main` is any main.py on sys.path), nor one that is the path of another file from the
    root (a monorepo's own `app/main.py`)."""
    try:
        parts = monolith.resolve().relative_to(root.resolve()).with_suffix("").parts
    except ValueError:
        return []
    names = []
    for start in range(len(parts) - 1):
        candidate = list(parts[start:])
        dotted = ".".join(candidate)
        if dotted == module_name or not all(part.isidentifier() for part in candidate):
            continue
        namesake = root.joinpath(*candidate).with_suffix(".py")
        if namesake.exists() and namesake.resolve() != monolith.resolve():
            continue
        if imported_by_statement(candidate, sources):
            names.append(dotted)
    return names


def imported_by_statement(parts: list[str], sources: Mapping[Path, str]) -> bool:
    """Whether an import statement of `sources` imports the module `parts` names (`import a.b`, `from a.b import
    x`, `from a import b`). Only a statement says so: a comment explaining why a test cannot `import from
    server.server` does not."""
    candidate, (parent, stem) = ".".join(parts), (".".join(parts[:-1]), parts[-1])
    pattern = re.compile(
        rf"^[ \t]*(?:from[ \t]+{re.escape(candidate)}\b|import[ \t]+{re.escape(candidate)}\b"
        rf"|from[ \t]+{re.escape(parent)}[ \t]+import[ \t]+\(?\s*{re.escape(stem)}\b)",
        re.MULTILINE,
    )
    # a cheap test before the regular expression: each form holds the dotted name or its parent's, and the stem
    return any(
        (candidate in text or (parent in text and stem in text)) and pattern.search(text) for text in sources.values()
    )
