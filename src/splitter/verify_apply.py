"""`splitter apply --verify MODULE:APP`: snapshot before, write, verify after, and roll back if anything changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from .apply import ApplyOptions, apply_split
from .plan_io import Plan
from .verification.cli import verify_around
from .writer import write_all


def apply_with_verification(
    file: Path, plan: Plan | None, options: ApplyOptions, target: str, test_cmd: str | None, python: str | None
) -> str:
    preview = apply_split(file, plan, ApplyOptions(**{**options.__dict__, "dry_run": True}))
    changes = {p: t for p, t in preview.changes.items() if not p.exists() or p.read_text(encoding="utf-8") != t}
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

    report = verify_around(
        target, preview.root, python, lambda: write_all(changes), rollback, test_cmd, allowed_tag_additions=options.tags
    )
    summary = f"wrote {len(changes)} files; verified {target}: no breaking change"
    return report.to_text() + "\n" + summary if report.findings else summary
