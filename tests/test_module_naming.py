"""The dotted name the monolith is imported by decides how the modules split out of it import each other: a
script folder run from inside (`server/server.py` beside `helpers.py`) is `server`; a namespace package's module
(`app/main.py` without `app/__init__.py`, imported as `app.main`) is `app.main`, one folder or more deep
(`backend.app.main`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from splitter.planning.project import load_project

APP = "from fastapi import FastAPI\n{imports}\napp = FastAPI()\n\n\n@app.get('/x')\ndef x():\n    return 1\n"


def lay_out(root: Path, files: dict[str, str]) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # the repository is what the plan reads
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


CASES = [
    pytest.param(
        {
            "app/main.py": APP.format(imports="from app.models import Item"),
            "app/models.py": "Item = 1\n",
            "tests/test_main.py": "from app.main import app\n",
        },
        "app/main.py",
        "app.main",
        id="namespace-package-imported-dotted",
    ),
    pytest.param(
        {
            "server/server.py": APP.format(imports="from helpers import greet"),
            "server/helpers.py": "greet = 1\n",
            "tests/test_a.py": "# we cannot import from server.server: not a package\nfrom server import app\n",
        },
        "server/server.py",
        "server",
        id="prose-naming-the-dotted-module-is-no-import",
    ),
    pytest.param(
        {
            "server/server.py": APP.format(imports="from helpers import greet"),
            "server/helpers.py": "greet = 1\n",
            "tests/test_a.py": "from server import app\n",
            "tests/test_b.py": "import server\n",
            "tools/check.py": "from server.server import app\n",
        },
        "server/server.py",
        "server",
        id="script-folder-reached-mostly-top-level",
    ),
    pytest.param(
        {"web/main.py": APP.format(imports=""), "tests/test_main.py": "from web import (\n    main,\n)\n"},
        "web/main.py",
        "web.main",
        id="imported-from-its-folder-in-parentheses",
    ),
    pytest.param(
        {
            "backend/app/main.py": APP.format(imports="from .ml import score"),
            "backend/app/ml.py": "score = 1\n",
            "backend/tests/test_api.py": "from backend.app.main import app\n",
        },
        "backend/app/main.py",
        "backend.app.main",
        id="namespace-packages-two-folders-deep",
    ),
    pytest.param(
        {
            "backend/app/main.py": APP.format(imports="from .ml import score"),
            "backend/app/ml.py": "score = 1\n",
            "backend/tests/test_api.py": "from app.main import app\n",
            "tools/run.py": "import backend.app.main\n",
        },
        "backend/app/main.py",
        "app.main",
        id="the-nearest-folder-imported-wins",
    ),
]


@pytest.mark.parametrize(("files", "target", "expected"), CASES)
def test_module_name_follows_how_the_repository_imports_it(
    tmp_path: Path, files: dict[str, str], target: str, expected: str
) -> None:
    lay_out(tmp_path, files)
    assert load_project(tmp_path / target).analysis.module_name == expected
