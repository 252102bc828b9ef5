"""QualifySeams: references to a rebindable global become `alias.name`; everything named alike stays.

Each (before, after) row is also checked to be a fixed point; untouched rows must come back byte-identical.
"""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, TransformSuccess, transform_module

from splitter.analysis.scopes import build_scopes
from splitter.codemods._module_scope import ScopeMismatch
from splitter.codemods.qualify_seams import QualifySeams, SeamQualifier
from tests.helpers import check_noop, check_transformed, code

SEAMS = {"_client": "core", "COUNT": "shared"}


def run(source: str, seams: dict[str, str] | str = SEAMS) -> str:
    return cst.parse_module(source).visit(QualifySeams(CodemodContext(), seams)).code


ROWS = [
    pytest.param("x = _client\n", "x = core._client\n", id="load"),
    pytest.param("_client = make()\n", "core._client = make()\n", id="store"),
    pytest.param("del _client\n", "del core._client\n", id="del"),
    pytest.param("COUNT += 1\n", "shared.COUNT += 1\n", id="augmented assignment"),
    pytest.param("_client()\n", "core._client()\n", id="call"),
    pytest.param("_client.get('/x')\n", "core._client.get('/x')\n", id="method call on the seam"),
    pytest.param("_client[0] = COUNT[1]\n", "core._client[0] = shared.COUNT[1]\n", id="subscript load and store"),
    pytest.param(
        "total = COUNT + len(_client)\n", "total = shared.COUNT + len(core._client)\n", id="two seams, two aliases"
    ),
    pytest.param("f(_client=_client)\n", "f(_client=core._client)\n", id="keyword argument value (not the keyword)"),
    pytest.param("msg = f'{COUNT} calls'\n", "msg = f'{shared.COUNT} calls'\n", id="inside an f-string"),
    pytest.param(
        code("""
            def bump():
                global COUNT
                COUNT += 1
                return COUNT
        """),
        code("""
            def bump():
                shared.COUNT += 1
                return shared.COUNT
        """),
        id="inside a function body: `global` drops the seam it now assigns through its module",
    ),
    pytest.param(
        code("""
            async def fetch(path, *, timeout=5):
                return await _client.get(path, timeout=timeout)
        """),
        code("""
            async def fetch(path, *, timeout=5):
                return await core._client.get(path, timeout=timeout)
        """),
        id="function with other parameters",
    ),
    pytest.param(
        "get = lambda: _client\n", "get = lambda: core._client\n", id="lambda without a parameter named alike"
    ),
    pytest.param(
        code("""
            @_client.cached
            def f(x: COUNT) -> COUNT:
                pass
        """),
        code("""
            @core._client.cached
            def f(x: shared.COUNT) -> shared.COUNT:
                pass
        """),
        id="decorator and annotations",
    ),
]


ROWS += [
    pytest.param(
        "class Cfg:\n    COUNT = 3\n\n    def read(self):\n        return COUNT\n",
        "class Cfg:\n    COUNT = 3\n\n    def read(self):\n        return shared.COUNT\n",
        id="a method does not see its class attribute: it reads the seam",
    ),
    pytest.param(
        "names = [_client.name for _client in _client]\n",
        "names = [_client.name for _client in core._client]\n",
        id="the first iterable of a comprehension is read outside it",
    ),
    pytest.param(
        "def f():\n    COUNT = 1\n\n    def g():\n        global COUNT\n        return COUNT\n",
        "def f():\n    COUNT = 1\n\n    def g():\n        return shared.COUNT\n",
        id="`global` in a nested function reaches past the enclosing local",
    ),
]


@pytest.mark.parametrize(("before", "after"), ROWS)
def test_rewrites(before: str, after: str) -> None:
    check_transformed(run, before, after)


# `f"{x=}"` prints its own text: qualified as `{core.x=}` it would print `core.x=...`
DEBUG_FIELDS = [
    pytest.param('s = f"{COUNT=}"\n', 's = f"COUNT={shared.COUNT!r}"\n', id="repr by default"),
    pytest.param('s = f"{ COUNT = !s}"\n', 's = f" COUNT = {shared.COUNT!s}"\n', id="spaces and a conversion"),
    pytest.param('s = f"{COUNT=:>5}"\n', 's = f"COUNT={shared.COUNT:>5}"\n', id="a format spec: no conversion"),
    pytest.param('s = f"{(COUNT)=}"\n', 's = f"(COUNT)={(shared.COUNT)!r}"\n', id="parentheses"),
    pytest.param('s = f"{COUNT+1=}"\n', 's = f"COUNT+1={shared.COUNT+1!r}"\n', id="an expression"),
    pytest.param(
        "s = f\"{ {'n': COUNT}['n']=}\"\n",
        "s = f\" {{'n': COUNT}}['n']={ {'n': shared.COUNT}['n']!r}\"\n",
        id="braces",
    ),
    pytest.param('s = f"{len([COUNT])=}"\n', 's = f"len([COUNT])={len([shared.COUNT])!r}"\n', id="a call"),
    pytest.param(
        's = f"{COUNT}={COUNT!r}"\n', 's = f"{shared.COUNT}={shared.COUNT!r}"\n', id="no self-documenting field"
    ),
]


@pytest.mark.parametrize(("before", "after"), DEBUG_FIELDS)
def test_a_self_documenting_field_prints_the_same_text(before: str, after: str) -> None:
    check_transformed(run, before, after)
    namespace = {"COUNT": 7, "shared": type("shared", (), {"COUNT": 7})}
    assert eval(before[4:], namespace) == eval(after[4:], namespace)


# A function that rebinds a global with `global` and lives apart from it (analysis/rebinders.py): it assigns the
# global through its home module, and its `global` statement drops the name.
REBINDERS = [
    pytest.param(
        code("""
            def main():
                global _client
                global COUNT

                args = parse()
                _client = connect(args.url)
                COUNT = args.count
        """),
        code("""
            def main():

                args = parse()
                core._client = connect(args.url)
                shared.COUNT = args.count
        """),
        id="a CLI entry point assigning two globals",
    ),
    pytest.param(
        "def reset():\n    global _client, ready, COUNT\n    _client, ready = None, False\n    COUNT = 0\n",
        "def reset():\n    global ready\n    core._client, ready = None, False\n    shared.COUNT = 0\n",
        id="names that are not seams stay declared",
    ),
    pytest.param(
        code("""
            def bump(values):
                global COUNT, _client
                COUNT += 1
                for COUNT in values:
                    pass
                with connect() as _client:
                    del _client
        """),
        code("""
            def bump(values):
                shared.COUNT += 1
                for shared.COUNT in values:
                    pass
                with connect() as core._client:
                    del core._client
        """),
        id="augmented, for target, with target, del",
    ),
    pytest.param(
        code("""
            def start():
                # the client every request uses
                global _client  # set once

                # connect lazily
                _client = connect()
        """),
        code("""
            def start():
                # the client every request uses

                # connect lazily
                core._client = connect()
        """),
        id="comments above the `global` line stay, its own goes with it",
    ),
    pytest.param(
        "def start(flag):\n    if flag:\n        global _client\n    _client = 1\n",
        "def start(flag):\n    if flag:\n        pass\n    core._client = 1\n",
        id="the only statement of its block becomes pass",
    ),
    pytest.param(
        "def start(): global _client; _client = connect()\n",
        "def start(): core._client = connect()\n",
        id="one-line body",
    ),
    pytest.param(
        "def outer():\n    def inner():\n        global COUNT\n        COUNT = 2\n\n    return inner\n",
        "def outer():\n    def inner():\n        shared.COUNT = 2\n\n    return inner\n",
        id="a nested function's own `global`",
    ),
    pytest.param(
        code("""
            def load():
                global _client, COUNT
                if (_client := connect()):
                    COUNT = 1
        """),
        code("""
            def load():
                global _client
                if (_client := connect()):
                    shared.COUNT = 1
        """),
        id="a name bound by := stays declared (the planner keeps such a function beside its global)",
    ),
    pytest.param(
        "def load():\n    global _client\n    print(_client)\n    _client = 1\n    (_client := 2)\n",
        "def load():\n    global _client\n    print(_client)\n    _client = 1\n    (_client := 2)\n",
        id="and every use of it in that function stays bare",
    ),
    pytest.param(
        code("""
            def load():
                global _client, COUNT
                try:
                    COUNT = 1
                except OSError as _client:
                    pass
        """),
        code("""
            def load():
                global _client
                try:
                    shared.COUNT = 1
                except OSError as _client:
                    pass
        """),
        id="a name bound by except-as stays declared",
    ),
    pytest.param(
        code("""
            def load(value):
                global _client, COUNT
                match value:
                    case [_client, *COUNT]:
                        return _client
        """),
        code("""
            def load(value):
                global _client, COUNT
                match value:
                    case [_client, *COUNT]:
                        return _client
        """),
        id="names a case pattern captures stay declared and bare",
    ),
]


@pytest.mark.parametrize(("before", "after"), REBINDERS)
def test_a_rebinder_apart_from_its_globals_assigns_them_through_their_module(before: str, after: str) -> None:
    check_transformed(run, before, after)


def test_seams_given_as_json_text() -> None:
    assert run("x = COUNT\n", '{"COUNT": "shared"}') == "x = shared.COUNT\n"


UNTOUCHED = [
    pytest.param("x = obj._client\nobj.COUNT = 2\n", id="attribute named like a seam"),
    pytest.param("f(_client=1, COUNT=2)\n", id="keyword argument named like a seam"),
    pytest.param("def f(_client):\n    return _client\n", id="parameter named like a seam"),
    pytest.param("def f(*, _client=None, **COUNT):\n    return _client, COUNT\n", id="keyword-only and ** parameters"),
    pytest.param("get = lambda _client: _client.get()\n", id="lambda parameter"),
    pytest.param(
        "def outer(_client):\n    def inner():\n        return _client\n    return inner\n",
        id="nested function inside a function whose parameter is named alike",
    ),
    pytest.param("def _client():\n    pass\n\n\nclass COUNT:\n    pass\n", id="def and class names"),
    pytest.param(
        "import _client\nimport x as COUNT\nfrom m import _client\n"
        "from m import y as COUNT\nfrom m import (_client,)\n",
        id="import statements",
    ),
    pytest.param(
        "def f():\n    global OTHER\n    x = 1\n\n    def g():\n        nonlocal x\n",
        id="global and nonlocal statements",
    ),
    pytest.param("client = _client_factory()\ncount = COUNTER\n", id="names that are not seams"),
    pytest.param("x  =  other  # _client\n\n\ny = '_client'", id="odd formatting, no final newline"),
    pytest.param("names = [_client.name for _client in ALL_CLIENTS]\n", id="comprehension target named like a seam"),
    pytest.param(
        "d = {COUNT: 1 for COUNT in xs}\ng = (c for _client, c in pairs)\n",
        id="dict and generator comprehension targets",
    ),
    pytest.param(
        "def f():\n    class Cfg:\n        COUNT = 3\n    return Cfg\n",
        id="class body inside a function binds its own names",
    ),
]


@pytest.mark.parametrize("source", UNTOUCHED)
def test_untouched_input_is_byte_identical(source: str) -> None:
    check_noop(run, source)


def test_transform_module_the_function_libcst_tool_runs() -> None:
    result = transform_module(QualifySeams(CodemodContext(), {"_client": "core"}), "def f():\n    return _client\n")
    assert isinstance(result, TransformSuccess)
    assert result.code == "def f():\n    return core._client\n"


# --- bugs: the rewrite ignores Python's scoping beyond parameters -------------------------------------------


def test_except_as_named_like_a_seam_does_not_crash() -> None:
    """`except E as _client` makes `_client` local to the whole function (Python scoping), so no reference in it
    is the global: nothing is rewritten, and the `as` target is never turned into an Attribute."""
    source = code("""
        def f():
            try:
                return _client.get()
            except Exception as _client:
                return _client
    """)
    rewritten = run(source)
    compile(rewritten, "<seams>", "exec")
    assert rewritten == source


def test_function_local_named_like_a_seam_stays_local() -> None:
    """A plain assignment in a function (no `global`) binds a local; `core._client = ...` would instead rebind
    the global in the home module for every caller."""
    source = code("""
        def make():
            _client = build()
            return _client
    """)
    assert run(source) == source


def test_default_value_of_a_parameter_named_like_the_seam_is_qualified() -> None:
    """`def f(_client=_client)`: the default is evaluated at def time in the enclosing (module) scope, so it reads
    the seam. Left bare, the moved module raises NameError on import (seams are not imported by name)."""
    source = "def f(_client=_client):\n    return _client\n"
    assert run(source) == "def f(_client=core._client):\n    return _client\n"


def test_parentheses_and_comments_around_a_reference_are_kept() -> None:
    """The parentheses (and the comment inside them) belong to the Name node's lpar/rpar; the replacement
    Attribute is built without them, so `(\n    _client  # why\n)` loses the comment."""
    source = "value = (\n    _client  # the shared client\n)\n"
    assert run(source) == "value = (\n    core._client  # the shared client\n)\n"


def test_one_qualifier_reused_for_many_statements_misses_none() -> None:
    """splitter reuses one transformer per module; node ids of a freed statement come back in the next one, so
    ids remembered from an earlier visit must not make it skip a real reference (seen on warehouse_system)."""
    qualifier = SeamQualifier({"limiter": "core"})
    results = []
    for number in range(300):
        statement = cst.parse_statement(f'@limiter.limit("5/hour")\ndef endpoint_{number}(request):\n    return 1\n')
        results.append(cst.Module(body=[statement.visit(qualifier)]).code)
        del statement
    assert all(text.startswith("@core.limiter.limit") for text in results), [t for t in results if "core." not in t]


# ---- scopes handed over from `ast`: the same result as scopes built from the statement's own code ------------

SCOPED = [
    pytest.param("def f(a, /, b, *c, d, **e):\n    x = y = 1\n    z: int\n    w += 1\n", id="params and assignments"),
    pytest.param("def f():\n    for (a, [b, *c]) in d:\n        pass\n    if (n := 1):\n        pass\n", id="targets"),
    pytest.param(
        "def f():\n    global COUNT\n    COUNT = 1\n    class K:\n        inner = 1\n"
        "    def g(q=lambda r: r):\n        s = 1\n",
        id="nested, global",
    ),
    pytest.param(
        "@deco(lambda a: a)\ndef f(b=lambda c: c):\n    return [x for x in y if (z := x)], (lambda d: d)\n",
        id="lambdas and comprehensions in order",
    ),
    pytest.param("def f(): return (lambda a: a)\n", id="one-line body"),
    pytest.param("class K:\n    def m(self):\n        x = 1\n    n = lambda self: self\n", id="methods"),
]


@pytest.mark.parametrize("source", SCOPED)
def test_qualify_with_scopes_from_ast_is_the_plain_visit(source: str) -> None:
    seams = {name: "core" for name in ("COUNT", "x", "s", "a", "r", "z", "w", "inner", "y", "b")}
    statement = cst.parse_module(source).body[0]
    plain = cst.Module(body=[statement.visit(SeamQualifier(seams))]).code
    fast = cst.Module(body=[SeamQualifier(seams).qualify(statement, build_scopes(ast.parse(source)))]).code
    assert fast == plain


def test_scopes_of_other_code_are_refused() -> None:
    statement = cst.parse_statement("def f():\n    return [x for x in COUNT]\n")
    with pytest.raises(ScopeMismatch):
        SeamQualifier(SEAMS).qualify(statement, build_scopes(ast.parse("def g():\n    return COUNT\n")))
