"""Snapshot the app as it was at a git revision, without touching the user's working tree.

The revision is checked out with `git worktree add --detach` into a temporary directory that is removed
afterwards, also when the snapshot fails. The interpreter is the one of the *current* project directory:
virtualenvs are not committed, so the worktree has none.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from splitter.errors import SplitterError
from splitter.verification.runner import detect_python, last_error_line, take_snapshot


def _git(args: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(["git", *args], check=False, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise SplitterError("git is not installed") from None
    if completed.returncode != 0:
        reason = last_error_line(completed.stderr, completed.returncode)
        raise SplitterError(f"git {args[0]} failed: {reason}", cwd)
    return completed.stdout.strip()


def snapshot_at_revision(
    target: str,
    cwd: Path,
    revision: str,
    python: str | None = None,
    extra_paths: Iterable[str | Path] = (),
) -> dict:
    """Snapshot `target` as committed at `revision` in the repository that contains `cwd`."""
    cwd = Path(cwd).absolute()
    repo_root = Path(_git(["rev-parse", "--show-toplevel"], cwd)).resolve()
    try:
        commit = _git(["rev-parse", "--verify", f"{revision}^{{commit}}"], cwd)
    except SplitterError:
        raise SplitterError(f"unknown git revision {revision!r}", cwd) from None
    project_in_repo = cwd.resolve().relative_to(repo_root)
    interpreter = detect_python(cwd, python)
    scratch = Path(tempfile.mkdtemp(prefix="splitter-worktree-"))
    worktree = scratch / "tree"
    try:
        _git(["worktree", "add", "--detach", str(worktree), commit], repo_root)
        try:
            # extra paths inside the project are re-rooted into the worktree, the others are kept.
            rerooted = [_reroot(Path(p), cwd, worktree / project_in_repo) for p in extra_paths]
            return take_snapshot(target, worktree / project_in_repo, interpreter, rerooted)
        finally:
            _git(["worktree", "remove", "--force", str(worktree)], repo_root)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        # A worktree whose removal failed (e.g. interrupted) must not stay registered.
        subprocess.run(["git", "worktree", "prune"], check=False, cwd=repo_root, capture_output=True)


def _reroot(path: Path, old_root: Path, new_root: Path) -> Path:
    absolute = path if path.is_absolute() else old_root / path
    try:
        return new_root / absolute.resolve().relative_to(old_root.resolve())
    except ValueError:
        return absolute
