"""PinModuleName: `__name__` becomes the monolith's dotted name, so moved loggers keep their names.

Every rewritten row must still compile and be a fixed point. The project venv runs Python 3.11, where an
f-string expression cannot reuse the f-string's own quote (PEP 701 lifted that in 3.12), so compile() here
is the check that matters for the quote choice.
"""

from __future__ import annotations


import libcst as cst
import pytest
from libcst.codemod import CodemodContext, TransformSuccess, transform_module

from splitter.codemods.pin_module_name import PinModuleName
from tests.helpers import check_noop, check_transformed


def run(source: str, module_name: str = "pkg.main") -> str:
    return cst.parse_module(source).visit(PinModuleName(CodemodContext(), module_name)).code


ROWS = [
    pytest.param("logger = logging.getLogger(__name__)\n", 'logger = logging.getLogger("pkg.main")\n', id="getLogger"),
    pytest.param(
        "def audit():\n    return logging.getLogger(__name__ + '.audit')\n",
        "def audit():\n    return logging.getLogger(\"pkg.main\" + '.audit')\n",
        id="inside a function body",
    ),
    pytest.param(
        'label = f"{__name__}:worker"\n', "label = f\"{'pkg.main'}:worker\"\n", id="f-string with double quotes"
    ),
    pytest.param(
        "label = f'{__name__}:worker'\n", "label = f'{\"pkg.main\"}:worker'\n", id="f-string with single quotes"
    ),
    pytest.param('doc = f"""{__name__}"""\n', 'doc = f"""{\'pkg.main\'}"""\n', id="triple-quoted f-string"),
    pytest.param(
        'x = f"{loggers[__name__]}"\n',
        "x = f\"{loggers['pkg.main']}\"\n",
        id="subscript inside a double-quoted f-string",
    ),
    pytest.param('x = rf"{__name__}\\d"\n', "x = rf\"{'pkg.main'}\\d\"\n", id="raw f-string"),
    pytest.param("x = f'{__name__!r}'\n", "x = f'{\"pkg.main\"!r}'\n", id="with a conversion"),
]


@pytest.mark.parametrize(("before", "after"), ROWS)
def test_rewrites(before: str, after: str) -> None:
    compile(check_transformed(run, before, after), "<pinned>", "exec")  # 3.11: f-string quotes must not nest


def test_the_given_module_name_is_used() -> None:
    assert run("logger = getLogger(__name__)\n", "shop.api.server") == 'logger = getLogger("shop.api.server")\n'


@pytest.mark.parametrize("quote", ['"', "'"])
def test_f_strings_still_compile_and_evaluate(quote: str) -> None:
    source = f"label = f{quote}{{__name__}} / {{names[__name__]}}{quote}\n"
    rewritten = run(source)
    namespace: dict[str, object] = {"names": {"pkg.main": "found"}}
    exec(compile(rewritten, "<pinned>", "exec"), namespace)
    assert namespace["label"] == "pkg.main / found"


UNTOUCHED = [
    pytest.param("name = func.__name__\nkind = type(self).__name__\n", id="attribute __name__"),
    pytest.param("f(__name__=1)\n", id="keyword argument named __name__"),
    pytest.param("x = '__name__'\n", id="string mentioning __name__"),
    pytest.param("import logging\n\n\nx  =  1  # c", id="no __name__ at all, odd spacing, no final newline"),
]


@pytest.mark.parametrize("source", UNTOUCHED)
def test_untouched_input_is_byte_identical(source: str) -> None:
    check_noop(run, source)


def test_transform_module_the_function_libcst_tool_runs() -> None:
    result = transform_module(PinModuleName(CodemodContext(), "pkg.main"), "log = getLogger(__name__)\n")
    assert isinstance(result, TransformSuccess)
    assert result.code == 'log = getLogger("pkg.main")\n'


def test_nested_f_strings_using_both_quotes_still_compile() -> None:
    """Before 3.12 an f-string nested in another cannot reuse either enclosing quote: with both quotes taken
    there is no literal to write, so `__name__` is left as it is rather than producing invalid code."""
    source = "x = f\"{f'{__name__}'}\"\n"
    compile(source, "<original>", "exec")
    rewritten = run(source)
    assert rewritten == source
    single = run("x = f'{__name__}'\n")
    namespace: dict[str, object] = {}
    exec(compile(single, "<pinned>", "exec"), namespace)
    assert namespace["x"] == "pkg.main"
