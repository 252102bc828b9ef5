"""A function's uses of the app while the module runs: its signature and its decorators, not its own registration."""

from __future__ import annotations

import ast

import pytest

from splitter.analysis.app_uses import app_in_decorator_arguments, app_in_signature


def function(source: str) -> ast.FunctionDef:
    return ast.parse(source).body[0]


@pytest.mark.parametrize(
    ("source", "at_import"),
    [
        pytest.param("@app.get('/x')\ndef f(): app.state", False, id="own-registration"),
        pytest.param("@app.router.get('/x')\ndef f(): pass", False, id="registration-through-the-router"),
        pytest.param("@app.get(app.swagger_ui_oauth2_redirect_url)\ndef f(): pass", True, id="path-read-from-the-app"),
        pytest.param("@app.get('/x', dependencies=[app.state.dep])\ndef f(): pass", True, id="keyword-reads-the-app"),
        pytest.param("@router.get(app.docs_url)\ndef f(): pass", True, id="another-owner-reads-the-app"),
        pytest.param("@cached(app)\ndef f(): pass", True, id="decorator-given-the-app"),
        pytest.param("@app_cache\ndef f(): pass", False, id="a-name-that-only-starts-like-it"),
        pytest.param("@limiter.limit('5/minute')\ndef f(): pass", False, id="unrelated-decorator"),
        pytest.param("@app.middleware('http')\nasync def f(request, call_next): pass", False, id="hook"),
    ],
)
def test_decorators_reading_the_app(source: str, at_import: bool) -> None:
    assert app_in_decorator_arguments(function(source).decorator_list, "app") is at_import


@pytest.mark.parametrize(
    ("source", "at_import"),
    [
        pytest.param("def f(limit: int = app.state.limit): pass", True, id="default"),
        pytest.param("def f(x: type(app)): pass", True, id="annotation"),
        pytest.param("def f(): return app.state", False, id="body-only"),
    ],
)
def test_signatures_reading_the_app(source: str, at_import: bool) -> None:
    assert app_in_signature(function(source), "app") is at_import
