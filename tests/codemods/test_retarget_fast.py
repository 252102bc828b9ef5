"""retarget_fast (ast + text edits) against the libcst codemod: same bytes and warnings, or an explicit fallback."""

from __future__ import annotations

import ast

import pytest
from test_retarget_references import RELOCATION, REPORTED, ROWS, SCOPE_RULES, TOP_LEVEL, TOP_LEVEL_ROWS, UNCHANGED

from splitter.codemods.retarget_references import Relocation, retarget_source
from splitter.analysis.module_mentions import could_reference
from splitter.emit.retarget_fast import retarget_text
from splitter.emit.text_edits import OverlappingEdits, SourceText, apply_edits, string_literal

DEEP = Relocation("pkg.api.main", {**RELOCATION.moved, "db": "pkg.api"})
_REUSED = "from pkg.services import shared as s\nmain.helper()\n"  # the home is imported already

# Constructs the codemod tests do not spell out, each where the two could drift apart.
EXTRA = [
    (
        "blank and comment lines above a removed import go with it",
        "import os\n\n# the app\nfrom pkg.main import helper\nx = 1\n",
    ),
    ("removed first statement", "from pkg.main import helper\nhelper()\n"),
    ("comment above the first statement (module header)", "# header\nfrom pkg.main import helper\n"),
    ("import after a block", "def f():\n    pass\n\nfrom pkg.main import helper\n"),
    ("import right after a block", "def f():\n    pass\nfrom pkg.main import helper\n"),
    ("no final newline", "from pkg.main import app, helper"),
    ("no final newline, removed", "import os\nfrom pkg.main import helper"),
    ("directive comment copied", "from pkg.main import app, helper, _jobs  # noqa: F401\n"),
    ("plain comment stays on the first line", "from pkg.main import app, helper  # the app\n"),
    ("semicolons", "import os; from pkg.main import helper\n"),
    ("import in a one-line suite", "if True: from pkg.main import helper\n"),
    ("function-local alias import", "def test_x():\n    from pkg import main\n    main.helper()\n"),
    (
        "function-local import used before it",
        "def test_x():\n    main.helper()\n    from pkg import main\n",
    ),
    ("alias used in a nested function", "from pkg import main\n\ndef f():\n    def g():\n        return main.helper\n"),
    (
        "alias used in a comprehension and lambda",
        "from pkg import main\nxs = [main.helper for _ in y]\nf = lambda: main.COUNT\n",
    ),
    (
        "alias shadowed by a parameter",
        "from pkg import main\n\ndef f(main):\n    return main.helper\n\nmain.helper()\n",
    ),
    ("alias rebound", "from pkg import main\nmain = None\n"),
    ("global alias", "from pkg import main\n\ndef f():\n    global main\n    main.helper()\n"),
    ("alias in a string annotation", "from pkg import main\n\ndef f(x: 'main.X'):\n    main.helper()\n"),
    ("home name already used", "from pkg import main\nshared = 1\nmain.helper()\n"),
    ("home name used in a string annotation", "from pkg import main\ndef f(x: 'shared'):\n    main.helper()\n"),
    ("existing home import reused", "from pkg import main\nfrom pkg.services import shared as s\nmain.helper()\n"),
    ("dotted import", "import pkg.main\npkg.main.helper()\n"),
    ("aliased module import", "import pkg.main as m\nm.helper()\nm.app\n"),
    ("monkeypatch target", "from pkg import main\n\ndef t(monkeypatch):\n    monkeypatch.setattr(main, 'helper', 1)\n"),
    ("keyword target", "from pkg import main\nmock.patch.object(target=main, attribute='helper')\n"),
    ("parenthesized target", "from pkg import main\nsetattr((main), 'helper', 1)\n"),
    ("comment before the target", "from pkg import main\nsetattr(  # why\n    main, 'helper', 1)\n"),
    ("patch.multiple object", "from pkg import main\npatch.multiple(main, helper=1, get_client=2)\n"),
    (
        "patch strings of every quoting",
        "patch('pkg.main.helper')\npatch(r\"pkg.main.COUNT\")\npatch('''pkg.main.helper.x''')\n",
    ),
    ("concatenated patch string", "patch('pkg.main.' 'helper')\n"),
    ("parenthesized patch string", "patch(('pkg.main.helper'))\n"),
    ("patch.dict of a sibling module", "patch.dict('pkg.main.db.CONFIG', {})\n"),
    ("sibling module through the alias", "from pkg import main\nmain.db.DB_PATH = p\nx = main.db\n"),
    ("sibling module rebound", "from pkg import main\ndel main.db\n"),
    ("multi-line parenthesized import, last removed", "from pkg.main import (\n    app,\n    helper\n)\n"),
    ("multi-line import with comments", "from pkg.main import (  # c0\n    helper,  # c1\n    app,  # c2\n)\n"),
    ("backslash continuation", "from pkg.main import app, \\\n    helper\n"),
    ("non-ascii before an edit", "from pkg import main\nx = 'é'; y = main.helper\nz = 'ü€' + main.helper\n"),
    ("removed alias import after comment lines", "import os\n\n# c\nfrom pkg import main\n" + _REUSED),
    ("removed alias import after a block", "def f():\n    pass\n\nfrom pkg import main\n" + _REUSED),
    ("removed alias import after the docstring", '"""doc"""\n\nfrom pkg import main\n' + _REUSED),
    ("removed alias import first", "from pkg import main\n" + _REUSED),
    ("removed alias import under a header", "# header\n\nfrom pkg import main\n" + _REUSED),
    ("removed alias import, last line", _REUSED + "from pkg import main\nmain.COUNT"),
    ("relative imports", "from .. import main\nmain.helper()\n"),
    ("import inside class body", "class T:\n    from pkg import main\n    x = main.helper\n"),
    ("attribute parenthesized", "from pkg import main\n(main).helper()\n(main.helper)()\n"),
    (
        "call through a subscript and a string method",
        "from pkg import main\nd['x'].patch('pkg.main.helper')\n''.join(main.COUNT)\n",
    ),
    (
        "typing subscript string",
        "from typing import Optional\nfrom pkg import main\ndef f(x: Optional['shared']): main.helper()\n",
    ),
    ("dict key string named like a home", "from pkg import main\ncfg['shared'] = main.helper\n"),
    ("two imports of the alias", "from pkg import main\nimport pkg.main as main\nmain.helper()\n"),
    ("dotted import beside another of its package", "import pkg.main\nimport pkg.other\npkg.main.helper()\n"),
    ("dotted import and a partial use", "import pkg.main\npkg.main.helper()\npkg.version\n"),
    ("dotted import as a call target", "import pkg.main\nsetattr(pkg.main, 'helper', 1)\nx = pkg.main.app\n"),
    (
        "emptied local import below a blank line",
        "from pkg import main\n\ndef t():\n    x = 1\n\n    from pkg import main as m\n"
        "    return m.COUNT + main.COUNT\n",
    ),
    (
        "emptied local import first in its function",
        "from pkg import main\n\ndef t():\n    import pkg.main as m  # why\n    return m.COUNT + main.COUNT\n",
    ),
    (
        "two emptied local imports fill their block",
        "from pkg import main\n\ndef t():\n    if x:\n        import pkg.main as a\n        import pkg.main as b\n"
        "    return a.COUNT + b.COUNT + main.COUNT\n",
    ),
    ("dotted import in a function", "def t():\n    import pkg.main\n    return pkg.main.COUNT + pkg.main.db.X\n"),
    ("dotted import, `pkg` already used", "import pkg.main\npkg = 1\npkg.main.helper()\n"),
    (
        "walrus and except names",
        "from pkg import main\nif (n := 1):\n    pass\ntry:\n    main.helper()\nexcept E as shared:\n    pass\n",
    ),
]


def _cases():
    for name, before, after, module in ROWS:
        yield pytest.param(before, RELOCATION, module, id=f"row:{name}")
        yield pytest.param(after, RELOCATION, module, id=f"row-after:{name}")
    for name, before, after, module in TOP_LEVEL_ROWS:
        yield pytest.param(before, TOP_LEVEL, module, id=f"top:{name}")
        yield pytest.param(after, TOP_LEVEL, module, id=f"top-after:{name}")
    for name, before, _after in SCOPE_RULES:
        yield pytest.param(before, RELOCATION, "tests.test_api", id=f"scope:{name}")
    for name, source in UNCHANGED:
        yield pytest.param(source, RELOCATION, "tests.test_api", id=f"unchanged:{name}")
    for name, source, _fragment in REPORTED:
        yield pytest.param(source, RELOCATION, "tests.test_api", id=f"reported:{name}")
    for name, source in EXTRA:
        yield pytest.param(source, RELOCATION, "tests.test_api", id=f"extra:{name}")
        deep = source.replace("pkg.main", "pkg.api.main").replace("from pkg import main", "from pkg.api import main")
        yield pytest.param(deep, DEEP, "tests.test_api", id=f"extra-deep:{name}")
        yield pytest.param(
            source.replace("pkg.main", "main").replace("from pkg import main", "import main"),
            TOP_LEVEL,
            "tests.test_api",
            id=f"extra-top:{name}",
        )


@pytest.mark.parametrize(("source", "relocation", "module"), list(_cases()))
def test_same_bytes_and_warnings_as_the_codemod_or_falls_back(source, relocation, module) -> None:
    expected_warnings: list[str] = []
    expected = retarget_source(source, relocation, module, warnings=expected_warnings)
    warnings: list[str] = []
    fast = retarget_text(source, relocation, module, warnings=warnings)
    if fast is not None:
        assert fast == expected
        assert warnings == expected_warnings


# The common shapes of real test suites must not fall back to the codemod (that is the whole speed-up).
HANDLED = [
    pytest.param("from pkg.main import app, helper\n", id="from-import"),
    pytest.param("import os\n\nfrom pkg.main import helper\n", id="from-import removed with the blank line"),
    pytest.param("from pkg import main\n\ndef t():\n    main.helper()\n", id="alias at module level"),
    pytest.param(
        "def t(monkeypatch):\n    from pkg import main\n    monkeypatch.setattr(main, 'COUNT', 1)\n", id="local"
    ),
    pytest.param("import pkg.main as m\nm.helper\n", id="aliased module import"),
    pytest.param(
        "from pkg import main\n\ndef t():\n    from pkg import main as m\n    return m.COUNT + main.COUNT\n",
        id="emptied local import",
    ),
    pytest.param(
        "@patch('pkg.main.helper')\ndef t(m):\n    with patch('pkg.main._jobs'):\n        pass\n", id="patch strings"
    ),
    # both sides read one scope model, so these no longer need the codemod
    pytest.param("from pkg import main\n\ndef t(main):\n    return main\n\nmain.helper()\n", id="alias a parameter"),
    pytest.param("from pkg import main\n\ndef t():\n    main = 1\n\nmain.helper()\n", id="alias also a local"),
    pytest.param("from pkg import main\n\ndef t():\n    global main\n    main.helper()\n", id="global alias"),
    pytest.param("def t():\n    if x:\n        main.helper()\n    from pkg import main\n", id="use before the import"),
    pytest.param("class T:\n    from pkg import main\n    x = main.helper\n", id="import in a class body"),
    pytest.param("from pkg import main\n\ndef t(x: 'main.X'):\n    main.helper()\n", id="alias in a string annotation"),
    pytest.param("import pkg.main\nimport pkg.other\npkg.main.helper()\n", id="dotted beside another of its package"),
]


@pytest.mark.parametrize("source", HANDLED)
def test_common_shapes_take_the_fast_path(source: str) -> None:
    fast = retarget_text(source, RELOCATION, "tests.test_api")
    assert fast is not None and fast != source
    assert fast == retarget_source(source, RELOCATION, "tests.test_api")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("x = 1\n", False, id="never mentions the leaf"),
        pytest.param("main = 1\nif __name__ == '__main__':\n    pass\n", False, id="the word alone"),
        pytest.param("from pkg.main import x\n", True, id="absolute"),
        pytest.param("import pkg . main\n", True, id="spaced dotted name"),
        pytest.param("from pkg import (\n    app,\n    main,\n)\n", True, id="parenthesized from-import"),
        pytest.param("from . import main\n", True, id="relative"),
        pytest.param("from .main import x\n", True, id="relative module"),
        pytest.param("patch('pkg.main.x')\n", True, id="patch string"),
        pytest.param("from x import a\nmain_loop = main_ = 1  # import\n", False, id="longer words only"),
        pytest.param("import os, main\n", True, id="second name of an import"),
        pytest.param("from pkg import \\\n    main\n", True, id="backslash continuation"),
        pytest.param("main", False, id="the word alone at the very start"),
    ],
)
def test_could_reference_is_a_superset_of_what_the_codemod_touches(source: str, expected: bool) -> None:
    assert could_reference(source, "pkg.main") is expected
    if not expected:
        assert retarget_source(source, RELOCATION, "tests.test_api") == source


@pytest.mark.parametrize(
    ("source", "edits", "after"),
    [
        pytest.param("abcdef", [(1, 3, "XY")], "aXYdef", id="replace"),
        pytest.param("abc", [(3, 3, "!"), (0, 0, ">")], ">abc!", id="insertions, any order"),
        pytest.param("abc", [(1, 2, ""), (1, 1, "+")], "a+c", id="insertion before a replacement at one place"),
        pytest.param("abc", [], "abc", id="nothing"),
    ],
)
def test_apply_edits(source: str, edits, after: str) -> None:
    assert apply_edits(source, edits) == after


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(OverlappingEdits):
        apply_edits("abcdef", [(0, 3, "x"), (2, 4, "y")])


def test_offsets_count_characters_where_ast_counts_utf8_bytes() -> None:
    source = "s = 'é€'; main.x\nmain.y\n"
    text = SourceText(source)
    names = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Attribute)]
    assert sorted(text.text(node) for node in names) == ["main.x", "main.y"]
    assert text.line_end(0) == source.index("\n") + 1 and text.line_start(len(source) - 2) == source.index("\n") + 1


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        pytest.param("'a.b'", ("", "'", "a.b"), id="single quotes"),
        pytest.param('r"a.b"', ("r", '"', "a.b"), id="prefix"),
        pytest.param('"""a.b"""', ("", '"""', "a.b"), id="triple"),
        pytest.param("'a.' 'b'", None, id="implicit concatenation"),
        pytest.param("'a\\x2eb'", None, id="escape"),
        pytest.param("b'a.b'", None, id="bytes"),
        pytest.param("f'a.b'", None, id="f-string"),
    ],
)
def test_string_literal(literal: str, expected) -> None:
    node = ast.parse(literal, mode="eval").body
    assert string_literal(node, literal) == expected
