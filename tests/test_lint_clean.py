"""A project that passed `ruff check --select I,F,E,W` and `ruff format --check` before the split passes after it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest
from typer.testing import CliRunner

from splitter.cli import app
from splitter.emit.nodes import with_directive

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RUFF = [sys.executable, "-m", "ruff"]
SELECT = "I,F,E,W"


def ruff(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RUFF, *args], cwd=repo, capture_output=True, text=True)


def violations(repo: Path) -> Counter:
    done = ruff(repo, "check", "--select", SELECT, "--output-format", "concise", ".")
    return Counter(line.split(" ")[1] for line in done.stdout.splitlines() if ".py:" in line)


def lint_clean_copy(name: str, tmp_path: Path, settings: str) -> Path:
    """The fixture as a ruff user keeps it: formatted and import-sorted with the project's settings, committed."""
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    with (repo / "pyproject.toml").open("a") as config:
        config.write(settings)
    assert ruff(repo, "format", ".").returncode == 0
    ruff(repo, "check", "--select", "I", "--fix", ".")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "formatted"]):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *command], cwd=repo, check=True)
    return repo


@pytest.mark.parametrize(
    ("name", "monolith", "settings"),
    [
        pytest.param("shopapi", "shopapi/main.py", "\n[tool.ruff]\nline-length = 120\n", id="shopapi-package"),
        pytest.param("notes_backend", "main.py", "\n[tool.ruff]\nline-length = 100\n", id="notes-top-level"),
        pytest.param(
            "inventory_src",
            "src/inventory/api/server.py",
            '\n[tool.ruff]\nline-length = 110\n\n[tool.ruff.lint.isort]\nknown-first-party = ["inventory"]\n',
            id="inventory-src-layout-known-first-party",
        ),
    ],
)
def test_a_lint_clean_project_stays_lint_clean(tmp_path: Path, name: str, monolith: str, settings: str) -> None:
    repo = lint_clean_copy(name, tmp_path, settings)
    before = violations(repo)
    assert before["I001"] == 0 and ruff(repo, "format", "--check", ".").returncode == 0
    result = CliRunner().invoke(app, ["apply", str(repo / monolith), "--yes"])
    assert result.exit_code == 0, result.output
    after = violations(repo)
    assert after == before, ruff(repo, "check", "--select", SELECT, "--output-format", "concise", ".").stdout
    formatted = ruff(repo, "format", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout
    routers = sorted((repo / monolith).parent.glob("routers/[!_]*.py"))
    assert len(routers) > 2
    for path in routers:
        docstring, blank = path.read_text().splitlines()[:2]
        assert docstring.startswith('"""') and blank == ""


ORDER_MONOLITH = '''"""Items."""

{imports}
from fastapi import FastAPI

app = FastAPI()


@app.get("/v1/items")
def list_items():
    return [os.sep, sys.platform]


@app.get("/v1/items/{{item_id}}")
def get_item(item_id: int):
    return {{"id": item_id}}


@app.get("/v1/users")
def list_users():
    return [os.sep]


@app.get("/v1/users/me")
def me():
    return {{"me": sys.platform}}
'''


@pytest.mark.parametrize(
    ("imports", "router_head"),
    [
        pytest.param(
            "import os\nimport sys\n",
            "\nimport os\nimport sys\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n",
            id="sorted-monolith-sorted-sections",
        ),
        pytest.param(
            "import sys\nimport os\n",  # maybe on purpose (a module patching the interpreter comes first): kept
            "\nimport sys\nimport os\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n",
            id="unsorted-monolith-original-order",
        ),
    ],
)
def test_generated_imports_follow_isort_only_where_the_monolith_did(tmp_path: Path, imports: str, router_head: str):
    from splitter.emit.apply import ApplyOptions, apply_split

    (tmp_path / "main.py").write_text(ORDER_MONOLITH.format(imports=imports))
    result = apply_split(tmp_path / "main.py", None, ApplyOptions(dry_run=True))
    docstring, rest = result.changes[tmp_path / "routers" / "items.py"].split("\n", 1)
    assert docstring.startswith('"""') and rest.startswith(router_head)


PATCH_POINT = "# noqa: F401 - patch point"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("from a import b\n", f"from a import b  {PATCH_POINT}\n", id="one-line"),
        pytest.param("from a import b  # keep\n", f"from a import b  # keep  {PATCH_POINT}\n", id="comment-kept"),
        pytest.param(
            "from a import (\n    b,\n    c,\n)\n",
            f"from a import (  {PATCH_POINT}\n    b,\n    c,\n)\n",
            id="several-lines-on-the-first",
        ),
        pytest.param(
            "from a import (  # c0\n    b,\n)\n",
            f"from a import (  # c0  {PATCH_POINT}\n    b,\n)\n",
            id="several-lines-comment-kept",
        ),
        pytest.param(
            "from a import b  # noqa: E402\n",
            "from a import b  # noqa: E402, F401 - patch point\n",
            id="one-directive-per-line",
        ),
        pytest.param("from a import b  # noqa\n", "from a import b  # noqa\n", id="a-bare-noqa-covers-it"),
        pytest.param(
            "from a import b  # noqa: E402,F401\n",
            "from a import b  # noqa: E402,F401\n",
            id="a-noqa-naming-the-code-covers-it",
        ),
    ],
)
def test_a_patch_point_directive_sits_where_ruff_reads_it(line: str, expected: str, tmp_path: Path) -> None:
    statement = cst.parse_module(line).body[0]
    text = cst.Module(body=[with_directive(statement, PATCH_POINT)]).code
    assert text == expected
    (tmp_path / "m.py").write_text(text)
    assert ruff(tmp_path, "check", "--isolated", "--select", "F401", "m.py").returncode == 0


SHORTENED_MONOLITH = '''"""Files."""

import tempfile

from fastapi import FastAPI

app = FastAPI()


@app.get("/files/tmp")
def temporary_folder():
    return {"folder": tempfile.gettempdir()}


@app.get("/files/{name}")
def read_file(name: str):
    return {"name": name}


@app.get("/users")
def list_users():
    return []


@app.get("/users/{user_id}")
def get_user(user_id: int):
    return {"id": user_id}
'''

SHORTENED_TEST = """import the_application_monolith as the_application_module
from fastapi.testclient import TestClient


def test_folder(monkeypatch):
    monkeypatch.setattr(the_application_module.tempfile, "gettempdir", lambda: "/x/y/z")
    client = TestClient(the_application_module.app)
    assert client.get("/files/tmp").json() == {"folder": "/x/y/z"}
"""


def test_a_call_a_shorter_name_lets_ruff_join_is_joined(tmp_path: Path) -> None:
    """`monkeypatch.setattr(\\n    the_application_module.tempfile, ...\\n)` read through `core` fits one line:
    `ruff format --check` would fail on the rewritten test (klangk's tests/test_api.py)."""
    (tmp_path / "the_application_monolith.py").write_text(SHORTENED_MONOLITH)
    (tmp_path / "test_files.py").write_text(SHORTENED_TEST)
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 80\n")
    assert ruff(tmp_path, "format", ".").returncode == 0
    assert "setattr(\n        the_application_module.tempfile," in (tmp_path / "test_files.py").read_text()
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "formatted"]):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *command], cwd=tmp_path, check=True)
    result = CliRunner().invoke(app, ["apply", str(tmp_path / "the_application_monolith.py"), "--yes"])
    assert result.exit_code == 0, result.output
    rewritten = (tmp_path / "test_files.py").read_text()
    assert "the_application_module.tempfile" not in rewritten
    formatted = ruff(tmp_path, "format", "--check", ".")
    assert formatted.returncode == 0, ruff(tmp_path, "format", "--diff", ".").stdout
