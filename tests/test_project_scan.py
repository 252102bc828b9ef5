"""The substring scans over every file of the project are the regexes they replaced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from splitter.planning.project import _CLASS_WITH_BASES, _class_names_with_bases, _names_module
from splitter.planning.project import FilesReadWhenAsked, load_project, source_size

TEXTS = [
    "from main import app\n",
    "import main\n",
    "import  \n main\n",
    "from mainly import x\n",
    "frommain import x\n",
    "xfrom main import y\n",
    "patch('main.get_db')\n",
    'patch("main:app")\n',
    "'main'\n",
    "main\n",
    "from api.main import app\n",
    "from api.mainx import app\n",
    "import é main\n",
    "import\tmain",
    "'main",
    "from_ main",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("name", ["main", "api.main"])
def test_scan_is_the_regex(text: str, name: str) -> None:
    pattern = re.compile(rf"\b(?:from|import)\s+{re.escape(name)}\b|[\"']{re.escape(name)}[.:\"']")
    assert _names_module(text, name) == bool(pattern.search(text))


CLASS_TEXTS = [
    pytest.param("class Item(BaseModel):\n    pass\n", ["Item"], id="top level"),
    pytest.param("if X:\n    class Item (Base):\n\tclass\tInner(B): pass\n", ["Item", "Inner"], id="indented, tabs"),
    pytest.param("class Plain:\n    pass\n", [], id="no bases"),
    pytest.param("subclass Item(Base)\nx = 'class Item(Base)'\n", [], id="not at a line start"),
    pytest.param("# class Item(Base):\n", [], id="comment"),
    pytest.param("class A(B): pass\nclass C(D): pass", ["A", "C"], id="last line without a newline"),
]


@pytest.mark.parametrize(("text", "names"), CLASS_TEXTS)
def test_class_scan_is_the_anchored_regex(text: str, names: list[str]) -> None:
    assert list(_class_names_with_bases(text)) == names == _CLASS_WITH_BASES.findall(text)


def _repository(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (tmp_path / "test_main.py").write_text("from main import app\r\n")
    (tmp_path / "pkg" / "main.py").write_text("x = 1\n")  # a namesake: files beside it import it, not ours
    (tmp_path / "pkg" / "test_pkg.py").write_text("import main\n")
    (tmp_path / "latin1.py").write_bytes(b"name = '\xe9'\n")  # not UTF-8: never ours to rewrite
    return tmp_path


def test_files_read_when_asked_are_the_files_read_at_once(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    at_once = load_project(root / "main.py", "main")
    lazily = load_project(root / "main.py", "main", lazily=True)
    assert isinstance(lazily.sources, FilesReadWhenAsked)
    assert dict(lazily.sources) == at_once.sources
    assert list(lazily.sources) == list(at_once.sources)
    assert root / "latin1.py" not in lazily.sources and root / "pkg" / "test_pkg.py" not in lazily.sources
    assert lazily.sources.get(root / "test_main.py") == "from main import app\n"  # newlines as read at once


def test_files_read_when_asked_read_only_what_is_asked(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    sources = load_project(root / "main.py", "main", lazily=True).sources
    assert source_size(sources) == sum((root / n).stat().st_size for n in ("test_main.py", "latin1.py"))
    (root / "test_main.py").write_text("changed after the project was loaded\n")
    assert sources[root / "test_main.py"] == "changed after the project was loaded\n"
    (root / "test_main.py").write_text("read once\n")
    assert sources[root / "test_main.py"] == "changed after the project was loaded\n"
