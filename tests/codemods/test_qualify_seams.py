"""QualifySeams: references to a rebindable global become `alias.name`; everything named alike stays.

Each (before, after) row is also checked to be a fixed point; untouched rows must come back byte-identical.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, TransformSuccess, transform_module

from splitter.codemods.qualify_seams import QualifySeams, SeamQualifier, _locals_of, function_locals

SEAMS = {"_client": "core", "COUNT": "shared"}


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def run(source: str, seams: dict[str, str] | str = SEAMS) -> str:
    return cst.parse_module(source).visit(QualifySeams(CodemodContext(), seams)).code


ROWS = [
    ("load", "x = _client\n", "x = core._client\n"),
    ("store", "_client = make()\n", "core._client = make()\n"),
    ("del", "del _client\n", "del core._client\n"),
    ("augmented assignment", "COUNT += 1\n", "shared.COUNT += 1\n"),
    ("call", "_client()\n", "core._client()\n"),
    ("method call on the seam", "_client.get('/x')\n", "core._client.get('/x')\n"),
    ("subscript load and store", "_client[0] = COUNT[1]\n", "core._client[0] = shared.COUNT[1]\n"),
    ("two seams, two aliases", "total = COUNT + len(_client)\n", "total = shared.COUNT + len(core._client)\n"),
    ("keyword argument value (not the keyword)", "f(_client=_client)\n", "f(_client=core._client)\n"),
    ("inside an f-string", "msg = f'{COUNT} calls'\n", "msg = f'{shared.COUNT} calls'\n"),
    (
        "inside a function body, with `global` left as it is",
        code("""
            def bump():
                global COUNT
                COUNT += 1
                return COUNT
        """),
        code("""
            def bump():
                global COUNT
                shared.COUNT += 1
                return shared.COUNT
        """),
    ),
    (
        "function with other parameters",
        code("""
            async def fetch(path, *, timeout=5):
                return await _client.get(path, timeout=timeout)
        """),
        code("""
            async def fetch(path, *, timeout=5):
                return await core._client.get(path, timeout=timeout)
        """),
    ),
    ("lambda without a parameter named alike", "get = lambda: _client\n", "get = lambda: core._client\n"),
    (
        "decorator and annotations",
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
    ),
]


@pytest.mark.parametrize(("before", "after"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_rewrites(before: str, after: str) -> None:
    once = run(before)
    assert once == after
    assert run(once) == once


def test_seams_given_as_json_text() -> None:
    assert run("x = COUNT\n", '{"COUNT": "shared"}') == "x = shared.COUNT\n"


UNTOUCHED = [
    ("attribute named like a seam", "x = obj._client\nobj.COUNT = 2\n"),
    ("keyword argument named like a seam", "f(_client=1, COUNT=2)\n"),
    ("parameter named like a seam", "def f(_client):\n    return _client\n"),
    ("keyword-only and ** parameters", "def f(*, _client=None, **COUNT):\n    return _client, COUNT\n"),
    ("lambda parameter", "get = lambda _client: _client.get()\n"),
    (
        "nested function inside a function whose parameter is named alike",
        "def outer(_client):\n    def inner():\n        return _client\n    return inner\n",
    ),
    ("def and class names", "def _client():\n    pass\n\n\nclass COUNT:\n    pass\n"),
    (
        "import statements",
        "import _client\nimport x as COUNT\nfrom m import _client\n"
        "from m import y as COUNT\nfrom m import (_client,)\n",
    ),
    ("global and nonlocal statements", "def f():\n    global _client, COUNT\n"),
    ("names that are not seams", "client = _client_factory()\ncount = COUNTER\n"),
    ("odd formatting, no final newline", "x  =  other  # _client\n\n\ny = '_client'"),
    ("comprehension target named like a seam", "names = [_client.name for _client in ALL_CLIENTS]\n"),
    ("dict and generator comprehension targets", "d = {COUNT: 1 for COUNT in xs}\ng = (c for _client, c in pairs)\n"),
    (
        "class body inside a function binds its own names",
        "def f():\n    class Cfg:\n        COUNT = 3\n    return Cfg\n",
    ),
]


@pytest.mark.parametrize("source", [r[1] for r in UNTOUCHED], ids=[r[0] for r in UNTOUCHED])
def test_untouched_input_is_byte_identical(source: str) -> None:
    assert run(source) == source


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


# ---- function_locals: the same local names with ast, in the order the transformer enters the bodies ------------


class _LibcstOrder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[set[str]] = []

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.found.append(_locals_of(node.params, node.body))

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self.found.append(_locals_of(node.params, None))


LOCALS = [
    pytest.param("def f(a, /, b, *c, d, **e):\n    x = y = 1\n    z: int\n    w += 1\n", id="params and assignments"),
    pytest.param("def f():\n    for (a, [b, *c]) in d:\n        pass\n    if (n := 1):\n        pass\n", id="targets"),
    pytest.param(
        "def f():\n    with g() as (h, i), j() as k:\n        pass\n"
        "    try:\n        pass\n    except E as e:\n        pass\n",
        id="with/except",
    ),
    pytest.param("def f():\n    import a.b, c as d\n    from e import g, h as i\n", id="imports"),
    pytest.param(
        "def f():\n    global COUNT\n    COUNT = 1\n    class K:\n        inner = 1\n"
        "    def g(q=lambda r: r):\n        s = 1\n",
        id="nested, global",
    ),
    pytest.param(
        "@deco(lambda a: a)\ndef f(b=lambda c: c):\n    return [x for x in y if (z := x)], (lambda d: d)\n",
        id="lambdas in order",
    ),
    pytest.param(
        "async def f():\n    async for a in b:\n        pass\n    async with c as d:\n        pass\n", id="async"
    ),
    pytest.param("def f(): return (lambda a: a)\n", id="one-line body"),
    pytest.param("class K:\n    def m(self):\n        x = 1\n    n = lambda self: self\n", id="methods"),
]


@pytest.mark.parametrize("source", LOCALS)
def test_function_locals_match_the_libcst_walk(source: str) -> None:
    expected = _LibcstOrder()
    cst.parse_module(source).visit(expected)
    assert function_locals(source) == expected.found


def test_function_locals_refuse_more_than_one_statement() -> None:
    assert function_locals("f = lambda a: a; g = lambda b: b\n") is None


@pytest.mark.parametrize("source", LOCALS)
def test_qualify_with_known_locals_is_the_plain_visit(source: str) -> None:
    seams = {name: "core" for name in ("COUNT", "x", "s", "a", "r", "z", "w", "inner", "y", "b")}
    statement = cst.parse_module(source).body[0]
    plain = cst.Module(body=[statement.visit(SeamQualifier(seams))]).code
    fast = cst.Module(body=[SeamQualifier(seams).qualify(statement, function_locals(source))]).code
    assert fast == plain
