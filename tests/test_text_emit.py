"""Moved statements as text: the cut matches libcst's, and text edits match the codemods they stand in for."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from splitter.analysis.model import Unit
from splitter.analysis.scopes import build_scopes
from splitter.analysis.source import python_lines
from splitter.codemods.qualify_seams import SeamQualifier
from splitter.emit.seam_edits import seam_edits
from splitter.emit.source_statements import _default_indent, cut_statements

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MONOLITHS = [
    FIXTURES / "shopapi" / "shopapi" / "main.py",
    FIXTURES / "notes_backend" / "main.py",
    FIXTURES / "inventory_src" / "src" / "inventory" / "api" / "server.py",
    *sorted(p for p in (FIXTURES / "edge").glob("[a-z]*_*.py") if p.name not in ("syntax_error.py",)),
]


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def units_of(tree: ast.Module) -> list[Unit]:
    return [
        Unit(index, "statement", min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]), n.end_lineno)
        for index, n in enumerate(tree.body)
    ]


def libcst_cut(source: str) -> tuple[list[str], list[str], list[str]]:
    module = cst.parse_module(source)
    show = module.code_for_node
    return [show(h) for h in module.header], [show(s) for s in module.body], [show(f) for f in module.footer]


def text_cut(source: str):
    tree = ast.parse(source)
    cut = cut_statements(source, units_of(tree), tree, 10**6)
    if cut is None:
        return None
    show = cut.template.code_for_node
    header, footer = [show(h) for h in cut.template.header], [show(f) for f in cut.template.footer]
    return header, [show(s) for s in cut.statements], footer


LAYOUTS = [
    pytest.param("#!/usr/bin/env python\n# licence\n\n# about\nimport os\n", id="header comments"),
    pytest.param("def f():\n    pass\n    # inner\n\n    # inner 2\n\n# outer\n\nx = 1\n", id="block footer"),
    pytest.param("def f():\n    pass\n  # shallower\n# top\nx = 1\n", id="shallower comment goes down"),
    pytest.param("def f():\n    pass\n      # six\n\n  # two\n    # four\nx = 1\n", id="footer up to last indented"),
    pytest.param("def f():\n    pass\n    \n\nx = 1\n", id="whitespace-only line"),
    pytest.param("class A:\n    def g(self):\n        pass\n        # 8\n\n    # 4\n\n\n# 0\ny = 1\n", id="nested"),
    pytest.param("if a:\n    pass\nelif b:\n    pass\nelse:\n  pass\n  # c\n\nx = 1\n", id="elif else"),
    pytest.param("try:\n    pass\nexcept E:\n    pass\nfinally:\n    pass\n    # c\nx = 1\n", id="try finally"),
    pytest.param("if a:\n    pass\nelse:\n    if b:\n        pass\n    # c\nx = 1\n", id="if nested in else"),
    pytest.param("def f(): pass\n    # c\nx = 1\n", id="simple suite owns nothing"),
    pytest.param("x = 1\n\n# trailing\n\n", id="module footer"),
    pytest.param("def f():\n\tpass\n\t# tab\n\nx = 1\n", id="tabs"),
    pytest.param('"""doc"""\n# c\nimport os  # why\n', id="docstring first"),
    pytest.param("for x in y:\n    pass\nelse:\n    pass\n    # c\nz = 1\n", id="for else"),
    pytest.param("with a as b:\n    pass\n    # c\n", id="footer at the end of the file"),
]


@pytest.mark.parametrize("source", LAYOUTS)
def test_text_cut_is_libcst_cut(source: str) -> None:
    assert text_cut(source) == libcst_cut(source)


@pytest.mark.parametrize("path", MONOLITHS, ids=lambda p: p.name)
def test_text_cut_of_every_fixture_is_libcst_cut(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    cut = text_cut(source)
    if cut is not None:  # None: a layout the cut leaves to libcst (checked below)
        assert cut == libcst_cut(source)


INDENTS = [
    pytest.param("import os\nx = 1\n", id="no block: four spaces"),
    pytest.param("if a:\n  x = 1\n", id="two spaces"),
    pytest.param("def f():\n\tpass\n", id="a tab"),
    pytest.param("if a: x = 1\nelse:\n   y = 2\n", id="the first block on a line of its own"),
    pytest.param("class A:\n\n    # c\n    @dec\n    def f(self): pass\n", id="a decorated method first"),
    pytest.param("try: import x\nexcept ImportError:\n  x = None\n", id="an except block"),
    pytest.param("if a: \\\n    x = 1\nif b:\n  y = 2\n", id="a backslash joins the first one"),
    pytest.param("if a: x = 1; \\\n   y = 2\nif b:\n  z = 3\n", id="a backslash joins a second statement"),
    pytest.param("if a:  # C:\\\n  x = 1\n", id="a backslash in a comment joins nothing"),
    pytest.param("def f():\n  match x:\n    case 1:\n      pass\n", id="a match statement first in a block"),
    pytest.param("match x:\n   case 1:\n        pass\n", id="case lines"),
    pytest.param("x = 1; \\\n  y = 2\nif a:\n        z = 3\n", id="joined top-level lines"),
    pytest.param("if a:\n    '''doc\n  more'''\n", id="a string first"),
    pytest.param("if a:\n    pass\nx = [\n  1,\n]\n", id="brackets after"),
]


@pytest.mark.parametrize("source", INDENTS)
def test_default_indent_is_libcst_default_indent(source: str) -> None:
    lines = python_lines(source)
    found = _default_indent(lines, ast.parse(source), len(lines))
    assert found == cst.parse_module(source).default_indent


@pytest.mark.parametrize("path", MONOLITHS, ids=lambda p: p.name)
def test_default_indent_of_every_fixture_head_is_libcst_default_indent(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree, lines = ast.parse(source), python_lines(source)
    for end in sorted({node.end_lineno for node in tree.body[:40]}):
        head = "".join(lines[:end])
        assert _default_indent(lines, tree, end) == cst.parse_module(head).default_indent


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("a = 1; b = 2\n", id="semicolons"),
        pytest.param("x = 1\r\ny = 2\r\n", id="CRLF"),
        pytest.param("x = 1", id="no final newline"),
        pytest.param("x = 1\n\x0c\ny = 2\n", id="form feed"),
        pytest.param("match x:\n    case 1:\n        pass\n", id="match"),
    ],
)
def test_layouts_left_to_libcst(source: str) -> None:
    assert text_cut(source) is None


def qualified_by_codemod(statement: str, seams: dict[str, str]) -> str:
    """What the emitter's libcst path does: the qualifier with the scopes of the statement's `ast`."""
    module = cst.parse_module(statement)
    qualified = SeamQualifier(seams).qualify(module.body[0], build_scopes(ast.parse(statement)))
    return module.with_changes(body=[qualified]).code


def qualified_by_text(statement: str, seams: dict[str, str]) -> str | None:
    node = ast.parse(statement).body[0]
    lines = python_lines(statement)
    edits = seam_edits(node, statement, 0, lines, seams)
    if edits is None:
        return None
    for offset, length, new in sorted(edits, reverse=True):
        statement = statement[:offset] + new + statement[offset + length :]
    return statement


SEAMS = {"db": "core", "COUNT": "shared", "client": "core_module"}
STATEMENTS = [
    pytest.param("x = db\n", id="load"),
    pytest.param("db = make()\n", id="store"),
    pytest.param("del db\n", id="del"),
    pytest.param("f(db=db, **db)\n", id="keyword"),
    pytest.param("y = ('é', (db), 'ü' + db)  # c\n", id="non-ascii before"),
    pytest.param(
        code("""
        @app.get(db)
        async def f(x: COUNT = db, *a, db=1, **k) -> client:
            global COUNT
            COUNT += db
            return [db.name for db in ALL] + [client for c in client]
    """),
        id="function",
    ),
    pytest.param(
        code("""
        class A(Base, metaclass=db):
            db = 1
            x = COUNT
            def m(self, COUNT=COUNT):
                return lambda client=client: (db, client, COUNT)
    """),
        id="class body",
    ),
    pytest.param(
        code("""
        def f():
            with open(db) as db, g() as (client, COUNT):
                pass
            try:
                pass
            except E as client:
                pass
            import db
            (COUNT := 1)
            return {k: db for k in client if k}
    """),
        id="with, except, import, walrus",
    ),
    pytest.param(
        code("""
        def outer():
            def inner(a=db):
                return db
            return inner, {db for db in client}, (x for x in db)
    """),
        id="nested",
    ),
]


STATEMENTS += [
    pytest.param(
        code("""
        def main():
            global db
            # the count
            global COUNT, other  # both

            db, COUNT = connect(), 0
            for client in db:
                other = client
        """),
        id="a rebinder apart from its globals: `global` lines dropped or cut",
    ),
    pytest.param(
        code("""
        def main(é):
            if é:
                global   db ,  COUNT
                db = é
            with open(é) as db:
                del db
            COUNT += 1
        """),
        id="`global` in a nested block, odd spacing, with target",
    ),
    pytest.param(
        "def f():\n    global db, COUNT\n    print(db)\n    if (db := COUNT):\n        COUNT = db\n\n"
        "    def g():\n        return db\n",
        id="`:=` keeps its name, bare",
    ),
]


FSTRINGS = [
    pytest.param("msg = f'{db} {db}'\n", id="f-string"),
    pytest.param("msg = f'db {db} and db'\n", id="f-string naming the seam outside its braces too"),
    pytest.param("msg = f'{COUNT:{db}}'\n", id="a seam in a format spec"),
    pytest.param('msg = f"""\n{db}\n  {  db  }"""\n', id="multi-line f-string"),
    pytest.param("def f(db):\n    return f'{db} {COUNT}'\n", id="a parameter shadows the seam"),
    pytest.param("msg = f'{db=} { COUNT = !s:>4} {db=:>3}'\n", id="self-documenting fields"),
]
EXACT_FSTRING_POSITIONS = sys.version_info >= (3, 12)


@pytest.mark.parametrize("statement", STATEMENTS + (FSTRINGS if EXACT_FSTRING_POSITIONS else []))
def test_seam_text_edits_are_the_codemod(statement: str) -> None:
    assert qualified_by_text(statement, SEAMS) == qualified_by_codemod(statement, SEAMS)


@pytest.mark.parametrize(
    "statement",
    [
        *([] if EXACT_FSTRING_POSITIONS else FSTRINGS[:4]),  # Python < 3.12 places names in f-strings loosely
        pytest.param("msg = f'{db + 1=}'\n", id="an expression printing its own text"),
        pytest.param("msg = f'{(db + 1) = }'\n", id="one in parentheses"),
        pytest.param("match db:\n    case db:\n        pass\n", id="match"),
        pytest.param("def f(x):\n    if x:\n        global db\n    db = 1\n", id="`global` alone in its block"),
        pytest.param("def f():\n    global db; db = 1\n", id="`global` sharing its line"),
        pytest.param("def f():\n    global db, \\\n        COUNT\n    db = COUNT = 1\n", id="`global` over two lines"),
    ],
)
def test_seam_text_edits_leave_unsure_cases_to_the_codemod(statement: str) -> None:
    assert qualified_by_text(statement, SEAMS) is None


@pytest.mark.parametrize("path", MONOLITHS, ids=lambda p: p.name)
def test_seam_text_edits_match_the_codemod_on_every_fixture_statement(path: Path) -> None:
    """Every module-level name of the fixture taken as a seam: the hardest case for scoping."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    seams = {name: "core" for name in sorted(names)}
    lines = python_lines(source)
    compared = 0
    for unit in units_of(tree):
        text = "".join(lines[unit.first_line - 1 : unit.last_line])
        if qualified_by_text(text, seams) is not None:
            assert qualified_by_text(text, seams) == qualified_by_codemod(text, seams), text
            compared += 1
    assert compared > 0


APPLIED = {
    "regressions/relative_imports_in_bodies": "shop/main.py",
    "regressions/app_factory_registering_its_routes": "shop/server.py",
    "shopapi": "shopapi/main.py",
    "notes_backend": "main.py",
    "inventory_src": "src/inventory/api/server.py",
}


@pytest.mark.parametrize("name", sorted(APPLIED))
def test_apply_writes_what_the_all_libcst_path_writes(name: str, tmp_path: Path, monkeypatch) -> None:
    """The whole split, once with text emission and once with every statement parsed and rewritten by libcst."""
    import shutil

    from splitter.emit import apply, source_statements

    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    options = apply.ApplyOptions(dry_run=True, allow_dirty=True, force=True)
    fast = apply.apply_split(repo / APPLIED[name], None, options).changes
    monkeypatch.setattr(source_statements, "cut_statements", lambda *args: None)
    slow = apply.apply_split(repo / APPLIED[name], None, options).changes
    assert len(fast) > 2
    assert fast == slow


def rebased_by_codemod(statement: str, levels: int) -> str:
    from splitter.codemods.rebase_relative_imports import RelativeImportRebaser

    module = cst.parse_module(statement)
    rebaser = RelativeImportRebaser(levels, "shop")
    return module.with_changes(
        body=[rebaser.visit_with_scopes(module.body[0], build_scopes(ast.parse(statement)))]
    ).code


def rebased_by_text(statement: str, levels: int) -> str | None:
    from splitter.emit.source_statements import relative_import_offsets

    offsets = relative_import_offsets(ast.parse(statement).body[0], 0, python_lines(statement))
    if offsets is None:
        return None
    for offset in sorted(offsets, reverse=True):
        statement = statement[:offset] + "." * levels + statement[offset:]
    return statement


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("def f():\n    from . import snapshots\n    return snapshots\n", id="from-dot"),
        pytest.param("def f():\n    from .quota import used  # why\n    from  ..x import y\n", id="module-and-spaces"),
        pytest.param(
            "class C:\n    def m(self):\n        if 1:\n"
            "            from .a import (\n                b,\n            )\n",
            id="nested",
        ),
        pytest.param("def f():\n    x = 'é'; from .a import b\n", id="after-non-ascii-on-its-line"),
    ],
)
@pytest.mark.parametrize("levels", [1, 2])
def test_relative_import_text_edits_are_the_codemod(statement: str, levels: int) -> None:
    assert rebased_by_text(statement, levels) == rebased_by_codemod(statement, levels)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("def f():\n    return importlib.import_module('.plugins', __package__)\n", id="__package__"),
        pytest.param("def f():\n    from \\\n        . import x\n", id="dots-on-the-next-line"),
    ],
)
def test_relative_import_text_edits_leave_unsure_cases_to_the_codemod(statement: str) -> None:
    assert rebased_by_text(statement, 1) is None


def pinned_by_codemod(statement: str) -> str:
    from splitter.codemods.pin_module_name import ModuleNamePinner

    module = cst.parse_module(statement)
    pinner = ModuleNamePinner("shop.main")
    return module.with_changes(body=[pinner.visit_with_scopes(module.body[0], build_scopes(ast.parse(statement)))]).code


def pinned_by_text(statement: str) -> str | None:
    from splitter.emit.seam_edits import module_name_edits

    edits = module_name_edits(ast.parse(statement).body[0], statement, 0, python_lines(statement), "shop.main")
    if edits is None:
        return None
    for offset, length, new in sorted(edits, reverse=True):
        statement = statement[:offset] + new + statement[offset + length :]
    return statement


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("def f():\n    logging.getLogger(__name__).warning('é %s', __name__)\n", id="reads"),
        pytest.param("def f(__name__):\n    return __name__\n", id="a parameter"),
        pytest.param("class C:\n    name = __name__\n    def m(self):\n        return self.__name__\n", id="class"),
        pytest.param("def f():\n    __name__ = 'x'\n    return __name__\n", id="a local"),
        pytest.param("def f(g=__name__):\n    return [__name__ for __name__ in g]\n", id="default and comprehension"),
        pytest.param("def f():\n    return 1\n", id="none"),
    ],
)
def test_module_name_text_edits_are_the_codemod(statement: str) -> None:
    assert pinned_by_text(statement) == pinned_by_codemod(statement)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("def f():\n    return f'{__name__}'\n", id="f-string"),
        pytest.param("def f():\n    global __name__\n    __name__ = 'x'\n", id="global"),
        pytest.param("for __name__ in names:\n    pass\n", id="bound at module level"),
        pytest.param("match __name__:\n    case 'x':\n        pass\n", id="match"),
    ],
)
def test_module_name_text_edits_leave_unsure_cases_to_the_codemod(statement: str) -> None:
    assert pinned_by_text(statement) is None


def detached_by_codemod(statement: str) -> tuple[str, list[str]]:
    from splitter.codemods.detach_hooks import detach

    module = cst.parse_module(statement)
    function, registrations = detach(module.body[0], "app")
    return module.with_changes(body=[function]).code, [module.code_for_node(r) for r in registrations]


def detached_by_text(statement: str) -> tuple[str, list[str]] | None:
    from splitter.emit.hook_edits import hook_edits

    found = hook_edits(ast.parse(statement).body[0], 0, python_lines(statement), "app")
    if found is None:
        return None
    edits, registrations = found
    for offset, length, new in sorted(edits, reverse=True):
        statement = statement[:offset] + new + statement[offset + length :]
    return statement, registrations


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param('@app.middleware("http")\nasync def f(request, call_next):\n    return 1\n', id="middleware"),
        pytest.param('@app.on_event("startup")  # warm up\ndef f():\n    pass\n', id="comment-after"),
        pytest.param(
            "@app.exception_handler(\n    ValueError,  # why\n)\ndef f(request, exc):\n    pass\n", id="spans-lines"
        ),
        pytest.param(
            '@app.on_event("startup")\n# between\n@app.on_event("shutdown")\n@cache\ndef f():\n    pass\n',
            id="two-hooks-a-comment-and-a-kept-decorator",
        ),
        pytest.param('@ app.exception_handler(Ärger)\ndef f(request, exc):\n    x = "é"\n', id="non-ascii"),
    ],
)
def test_hook_text_edits_are_the_codemod(statement: str) -> None:
    assert detached_by_text(statement) == detached_by_codemod(statement)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param('@(app.middleware("http"))\ndef f(request, call_next):\n    pass\n', id="parenthesized"),
        pytest.param('@cache\n@app.on_event("startup")\ndef f():\n    pass\n', id="hook-below-another"),
        pytest.param("@cache\ndef f():\n    pass\n", id="no-hook"),
    ],
)
def test_hook_text_edits_leave_unsure_cases_to_the_codemod(statement: str) -> None:
    assert detached_by_text(statement) is None
