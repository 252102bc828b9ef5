"""`splitter apply --verify MODULE:APP`: snapshot before, write, verify after, and roll back if anything changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from .apply import ApplyResult
from .verification.cli import verify_around
from .verification.findings import Report
from .writer import write_all


def changed_only(preview: ApplyResult) -> dict[Path, str]:
    """The files of a dry run whose text differs from what is on disk."""
    return {p: t for p, t in preview.changes.items() if not p.exists() or p.read_text(encoding="utf-8") != t}


def apply_with_verification(
    preview: ApplyResult, target: str, test_cmd: str | None, python: str | None, allow_tags: bool = False
) -> Report:
    """Write the dry run's changes between two snapshots; raises VerificationFailed (after rolling back)."""
    changes = changed_only(preview)
    originals = {p: p.read_bytes() for p in changes if p.exists()}
    new_dirs = sorted(
        {parent for p in changes if not p.exists() for parent in p.parents if not parent.exists()},
        key=lambda d: len(d.parts),
    )

    def rollback() -> None:
        for path in changes:
            if path in originals:
                path.write_bytes(originals[path])
            else:
                path.unlink(missing_ok=True)
        for folder in new_dirs:
            shutil.rmtree(folder, ignore_errors=True)

    return verify_around(
        target, preview.root, python, lambda: write_all(changes), rollback, test_cmd, allowed_tag_additions=allow_tags
    )
