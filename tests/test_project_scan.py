"""The substring scan that tells how files name the monolith's module is the regex it replaced."""

from __future__ import annotations

import re

import pytest

from splitter.planning.project import _names_module

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
