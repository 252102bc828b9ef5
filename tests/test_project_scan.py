"""The substring scans over every file of the project are the regexes they replaced."""

from __future__ import annotations

import re

import pytest

from splitter.planning.project import _CLASS_WITH_BASES, _class_names_with_bases, _names_module

TEXTS = [
    "from main import app\n",
    "import main\n",
    "import  \n main\n",
    "from mainly import x\n",
    "frommain import x\n",
    "xfrom main import y\n",
    "patch('main.get_db')\n",
    "patch(\"main:app\")\n",
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
