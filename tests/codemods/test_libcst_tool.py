"""The codemods run through libcst's own command line, as documented in docs/codemods.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_route_to_router_through_libcst_tool(tmp_path: Path) -> None:
    target = tmp_path / "items.py"
    target.write_text('@app.get("/x")  # keep\ndef x():\n    return 1\n')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "-x",
            "--no-format",
            "splitter.codemods.route_to_router.RouteDecoratorsToRouter",
            "--app-name",
            "app",
            "--router-name",
            "router",
            str(target),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_text() == '@router.get("/x")  # keep\ndef x():\n    return 1\n'


def test_split_app_setup_through_libcst_tool(tmp_path: Path) -> None:
    target = tmp_path / "main.py"
    target.write_text("if LIMITS:\n    limiter = Limiter()\n    app.state.limiter = limiter\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "-x",
            "--no-format",
            "splitter.codemods.split_app_setup.SplitAppSetup",
            "--app-name",
            "app",
            str(target),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_text() == "if LIMITS:\n    limiter = Limiter()\nif LIMITS:\n    app.state.limiter = limiter\n"
