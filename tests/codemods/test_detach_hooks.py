"""DetachAppHooks and detach(): hook decorators become registration calls after the function, in order.

Rows are (before, after) pairs, each also checked to be a fixed point. A few rows are also executed against a
fake app that records registrations, because "same registrations, same order, same function objects" is the
property the rewrite exists to keep.
"""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, TransformSuccess, transform_module

from splitter.analysis.scopes import build_scopes
from splitter.codemods.detach_hooks import DetachAppHooks, detach, kept_decorators
from tests.helpers import check_noop, check_transformed, code


def run(source: str, app_name: str = "app") -> str:
    return cst.parse_module(source).visit(DetachAppHooks(CodemodContext(), app_name)).code


# (id, before, after, app name)
ROWS = [
    pytest.param(
        code("""
            @app.middleware("http")
            async def add_trace(request, call_next):
                return await call_next(request)
        """),
        code("""
            async def add_trace(request, call_next):
                return await call_next(request)
            app.middleware("http")(add_trace)
        """),
        "app",
        id="middleware decorator becomes a call after the function",
    ),
    pytest.param(
        code("""
            @app.exception_handler(ShopError)
            def on_shop_error(request, exc):
                pass


            @app.on_event("startup")
            def warm():
                pass
        """),
        code("""
            def on_shop_error(request, exc):
                pass
            app.exception_handler(ShopError)(on_shop_error)


            def warm():
                pass
            app.on_event("startup")(warm)
        """),
        "app",
        id="exception_handler and on_event",
    ),
    pytest.param(
        code("""
            @app.on_event("shutdown")
            @app.on_event("startup")
            def lifecycle():
                pass
        """),
        code("""
            def lifecycle():
                pass
            app.on_event("startup")(lifecycle)
            app.on_event("shutdown")(lifecycle)
        """),
        "app",
        id="stacked hook decorators: the bottom one registers first",
    ),
    pytest.param(
        code("""
            @app.exception_handler(KeyError)
            @log_calls
            @functools.wraps(base)
            def on_key_error(request, exc):
                pass
        """),
        code("""
            @log_calls
            @functools.wraps(base)
            def on_key_error(request, exc):
                pass
            app.exception_handler(KeyError)(on_key_error)
        """),
        "app",
        id="non-hook decorators below the hook are kept, in order",
    ),
    pytest.param(
        code("""
            import time


            # Every response carries its timing.
            # (second comment line)
            @app.middleware("http")
            async def timing(request, call_next):
                return await call_next(request)
        """),
        code("""
            import time


            # Every response carries its timing.
            # (second comment line)
            async def timing(request, call_next):
                return await call_next(request)
            app.middleware("http")(timing)
        """),
        "app",
        id="comments above the removed decorator are kept above the function",
    ),
    pytest.param(
        code("""
            @app.on_event("shutdown")
            # also on startup
            @app.on_event("startup")
            def both():
                pass
        """),
        code("""
            # also on startup
            def both():
                pass
            app.on_event("startup")(both)
            app.on_event("shutdown")(both)
        """),
        "app",
        id="a comment between two removed decorators is kept",
    ),
    pytest.param(
        code("""
            @app.exception_handler(
                RequestValidationError,  # 422s
            )
            async def on_invalid(request, exc):
                pass
        """),
        code("""
            async def on_invalid(request, exc):
                pass
            app.exception_handler(
                RequestValidationError,  # 422s
            )(on_invalid)
        """),
        "app",
        id="decorator arguments kept byte-for-byte",
    ),
    pytest.param(
        '@api.middleware("http")\nasync def mw(request, call_next):\n    pass\n',
        'async def mw(request, call_next):\n    pass\napi.middleware("http")(mw)\n',
        "api",
        id="custom app name",
    ),
    pytest.param(
        code("""
            @app.on_event("startup")
            @app.get("/warm")
            def warm():
                pass
        """),
        code("""
            @app.get("/warm")
            def warm():
                pass
            app.on_event("startup")(warm)
        """),
        "app",
        id="route decorators next to a hook decorator are not hooks",
    ),
]


@pytest.mark.parametrize(("before", "after", "app_name"), ROWS)
def test_rewrites(before: str, after: str, app_name: str) -> None:
    check_transformed(lambda source: run(source, app_name), before, after)


UNTOUCHED = [
    pytest.param('@app.get("/x")\ndef f():\n    pass\n', id="route decorators only"),
    pytest.param(
        '@other.middleware("http")\nasync def mw(request, call_next):\n    pass\n', id="another object's hooks"
    ),
    pytest.param("@app.middleware\nasync def mw(request, call_next):\n    pass\n", id="bare attribute decorator"),
    pytest.param(
        code("""
            class Hooks:
                @app.on_event("startup")
                def start(self):
                    pass


            if TRACE:
                @app.middleware("http")
                async def trace(request, call_next):
                    pass
        """),
        id="hooks on methods and inside blocks are not module-level functions",
    ),
    pytest.param('def mw(request, call_next):\n    pass\napp.middleware("http")(mw)\n', id="already detached"),
    pytest.param("x  =  1 # c\n\n\n\ndef   f( ) :  pass", id="no newline at the end and odd spacing"),
]


@pytest.mark.parametrize("source", UNTOUCHED)
def test_untouched_input_is_byte_identical(source: str) -> None:
    check_noop(run, source)


def test_wrong_app_name_leaves_hooks_alone() -> None:
    source = '@app.middleware("http")\nasync def mw(request, call_next):\n    pass\n'
    assert run(source, app_name="api") == source


def test_detach_returns_function_and_registrations_bottom_first() -> None:
    function = cst.parse_statement(
        code("""
        @app.on_event("shutdown")
        @app.exception_handler(ValueError)
        @cache
        def hook():
            pass
    """)
    )
    assert isinstance(function, cst.FunctionDef)
    stripped, registrations = detach(function, "app")
    module = cst.Module(body=[])
    assert module.code_for_node(stripped) == "@cache\ndef hook():\n    pass\n"
    assert [module.code_for_node(r) for r in registrations] == [
        "app.exception_handler(ValueError)(hook)\n",
        'app.on_event("shutdown")(hook)\n',
    ]


def test_detach_without_hooks_returns_the_same_node_and_nothing() -> None:
    function = cst.parse_statement('@app.get("/x")\n@cache\ndef f():\n    pass\n')
    assert isinstance(function, cst.FunctionDef)
    stripped, registrations = detach(function, "app")
    assert stripped is function
    assert registrations == []


def test_transform_module_the_function_libcst_tool_runs() -> None:
    source = '@app.on_event("startup")\ndef start():\n    pass\n'
    result = transform_module(DetachAppHooks(CodemodContext(), "app"), source)
    assert isinstance(result, TransformSuccess)
    assert result.code == 'def start():\n    pass\napp.on_event("startup")(start)\n'


# --- executing before and after against a recording app --------------------------------------------------

RECORDER = code("""
    class RecordingApp:
        def __init__(self):
            self.registered = []

        def _hook(self, kind, arg):
            def register(function):
                self.registered.append((kind, arg, function))
                return function
            return register

        def middleware(self, arg):
            return self._hook("middleware", arg)

        def exception_handler(self, arg):
            return self._hook("exception_handler", arg)

        def on_event(self, arg):
            return self._hook("on_event", arg)


    def tag(function):
        def wrapper(*args, **kwargs):
            return function(*args, **kwargs)
        wrapper.tagged = True
        return wrapper


    app = RecordingApp()
""")


def registrations(module_source: str) -> list[tuple[str, object, str, bool]]:
    """Execute a module; (hook, argument, function name, wrapped by `tag`) per registration, in order."""
    namespace: dict[str, object] = {}
    exec(compile(RECORDER + module_source, "<hooks>", "exec"), namespace)
    return [
        (kind, arg, function.__name__, getattr(function, "tagged", False))
        for kind, arg, function in namespace["app"].registered  # type: ignore[attr-defined]
    ]


STACKED = code("""
    @app.on_event("shutdown")
    @app.middleware("http")
    @app.on_event("startup")
    @tag
    def first():
        pass


    @app.exception_handler(ValueError)
    def second():
        pass
""")


def test_registrations_run_in_the_same_order_with_the_same_functions() -> None:
    detached = run(STACKED)
    before = registrations(STACKED)
    assert [(kind, arg) for kind, arg, _, _ in before] == [
        ("on_event", "startup"),
        ("middleware", "http"),
        ("on_event", "shutdown"),
        ("exception_handler", ValueError),
    ]
    assert [wrapped for _, _, _, wrapped in before] == [True, True, True, False]
    assert registrations(detached) == before


def test_a_decorator_above_a_hook_does_not_wrap_what_the_hook_registered() -> None:
    """`@tag` above `@app.on_event(...)`: the app registered the plain function, `tag` only wraps the module
    attribute afterwards. Detaching keeps `@tag` on the def and registers after it, so the app gets the wrapper."""
    source = code("""
        @tag
        @app.on_event("startup")
        def start():
            pass
    """)
    assert registrations(source) == [("on_event", "startup", "start", False)]
    assert registrations(run(source)) == registrations(source)


def test_a_hook_below_another_decorator_is_not_detached() -> None:
    """`@cache` between two hooks: the lower hook registers the unwrapped function, so no call form is equal."""
    function = cst.parse_statement(
        code("""
        @app.on_event("shutdown")
        @cache
        @app.exception_handler(ValueError)
        def hook():
            pass
    """)
    )
    assert isinstance(function, cst.FunctionDef)
    stripped, registrations = detach(function, "app")
    assert stripped is function
    assert registrations == []


DETACHED_SCOPE_ROWS = [
    pytest.param(
        code("""
            @app.exception_handler(pick(lambda e: e))
            @limiter.limit([r for r in RATES])
            async def on_error(request, exc):
                return [seam for _ in range(2)]
        """),
        id="hooks on top: the lambda in the hook goes, the kept decorator's comprehension stays",
    ),
    pytest.param(
        code("""
            @trace(lambda f: f)
            @app.middleware("http")
            async def timed(request, call_next):
                return await call_next(request)
        """),
        id="a hook below another decorator: nothing is detached",
    ),
    pytest.param(
        code("""
            @app.on_event("startup")
            def warm():
                cache = {k: v for k, v in SEED.items()}
                return lambda: cache
        """),
        id="a hook alone",
    ),
]


@pytest.mark.parametrize("source", DETACHED_SCOPE_ROWS)
def test_kept_decorators_give_the_scopes_of_the_detached_code(source: str) -> None:
    """apply builds a detached hook's scopes from its `ast` less the decorators `detach` drops, instead of
    regenerating and re-parsing the CST's code: both must give the same scope tree, or the scope mapping fails."""
    function = cst.parse_module(source).body[0]
    detached_code = cst.Module(body=[detach(function, "app")[0]]).code
    node = ast.parse(source).body[0]
    node.decorator_list = kept_decorators(node.decorator_list, "app")

    def shape(root):
        return [(s.kind, s.name, sorted(s.reads)) for s in root.walk()]

    assert shape(build_scopes(node)) == shape(build_scopes(ast.parse(detached_code)))
