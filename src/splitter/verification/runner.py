"""Take a snapshot of the target app in the target project's own interpreter (a subprocess).

The app is imported where it really runs: its virtualenv, its FastAPI version, its working directory. The
snapshot script is run by file path because splitter itself is usually not installed in that interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from splitter.errors import SplitterError

SNAPSHOT_SCRIPT = Path(__file__).with_name("snapshot.py")
SNAPSHOT_TIMEOUT_SECONDS = 600

_VENV_PYTHONS = (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe", "venv/Scripts/python.exe")


def detect_python(cwd: Path, python: str | None = None) -> str:
    """`python` if given, else the project's `.venv`/`venv` interpreter, else the one running splitter."""
    if python:
        return python
    for relative in _VENV_PYTHONS:
        candidate = Path(cwd) / relative
        if candidate.is_file():
            # Not resolved: a venv interpreter is usually a symlink, and the venv is found from the link path.
            return str(candidate.absolute())
    return sys.executable


def project_paths(cwd: Path, extra_paths: Iterable[str | Path] = ()) -> list[str]:
    """Import roots of the project: its directory, its `src/` (src layout) and any extra ones."""
    root = Path(cwd).absolute()
    paths = [str(root)]
    if (root / "src").is_dir():
        paths.append(str(root / "src"))
    paths.extend(str(Path(p).absolute()) for p in extra_paths)
    return paths


def child_environment(paths: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    inherited = env.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join(paths + ([inherited] if inherited else []))
    # The snapshot must not leave __pycache__ directories in the user's tree (or in a temporary worktree).
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # operationIds of multi-method routes come from iterating a set of methods: pin the hash seed so two
    # snapshots of unchanged code agree.
    env["PYTHONHASHSEED"] = "0"
    return env


def last_error_line(stderr: str, returncode: int) -> str:
    """The line that names the problem: a traceback ends with `ExceptionType: message`."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"snapshot process exited with status {returncode}"


def take_snapshot(
    target: str,
    cwd: Path,
    python: str | None = None,
    extra_paths: Iterable[str | Path] = (),
    with_modules: bool = False,
) -> dict:
    """Import `target` (`module:app`) in the project at `cwd` and return its snapshot (see snapshot.py);
    `with_modules` adds where routes and dependencies are defined (`code_locations`)."""
    cwd = Path(cwd)
    if not cwd.is_dir():
        raise SplitterError("project directory does not exist", cwd)
    interpreter = detect_python(cwd, python)
    with tempfile.TemporaryDirectory(prefix="splitter-snapshot-") as scratch:
        output = Path(scratch) / "snapshot.json"
        command = [interpreter, str(SNAPSHOT_SCRIPT), target, "--output", str(output)]
        if with_modules:
            command.append("--with-modules")
        try:
            completed = subprocess.run(
                command,
                check=False,
                cwd=cwd,
                env=child_environment(project_paths(cwd, extra_paths)),
                capture_output=True,
                text=True,
                timeout=SNAPSHOT_TIMEOUT_SECONDS,
            )
        except FileNotFoundError:
            raise SplitterError(f"python interpreter not found: {interpreter}") from None
        except subprocess.TimeoutExpired:
            raise SplitterError(f"importing {target} did not finish within {SNAPSHOT_TIMEOUT_SECONDS}s", cwd) from None
        if completed.returncode != 0 or not output.is_file():
            reason = last_error_line(completed.stderr, completed.returncode)
            raise SplitterError(f"cannot snapshot {target}: {reason}", cwd)
        return json.loads(output.read_text(encoding="utf-8"))
