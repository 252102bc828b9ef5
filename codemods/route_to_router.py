"""`@app.get(...)` -> `@router.get(...)`: a route decorator on the app becomes the same call on a router.

Only the object name changes; the decorator's arguments, comments and formatting stay byte-for-byte. Only the
module-level app is retargeted: `def register(app): @app.get(...)` registers on a parameter (splitter's scope
model decides, `_module_scope`).
"""

from __future__ import annotations

import argparse

import libcst as cst

from ._module_scope import ScopeTracking
from splitter.analysis.model import ROUTE_DECORATORS
from splitter.analysis.scopes import Scope

ROUTE_METHODS = ROUTE_DECORATORS | {"add_api_route", "add_api_websocket_route"}


class RetargetRouteCalls(ScopeTracking, cst.CSTTransformer):
    """The transformer itself; cheap to build, so splitter makes one per router and reuses it."""

    def __init__(self, app_name: str = "app", router_name: str = "router") -> None:
        super().__init__()
        self._setup(app_name, router_name)

    def _setup(self, app_name: str = "app", router_name: str = "router") -> None:
        self.app_name = app_name
        self.router_name = router_name
        self._skip: set[int] = set()

    def _retarget(self, func: cst.BaseExpression) -> cst.BaseExpression:
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == self.app_name
            and func.attr.value in ROUTE_METHODS
        ):
            return func.with_changes(value=func.value.with_changes(value=self.router_name))
        return func

    def _retarget_decorator(self, decorator: cst.Decorator) -> cst.Decorator:
        call = decorator.decorator
        if isinstance(call, cst.Call):
            return decorator.with_changes(decorator=call.with_changes(func=self._retarget(call.func)))
        return decorator

    def leave_Decorator(self, original_node: cst.Decorator, updated_node: cst.Decorator) -> cst.Decorator:
        if not self._reads_module(self.app_name):
            return updated_node  # the decorator of a nested function, on a local or parameter named like the app
        return self._retarget_decorator(updated_node)

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
        """Module-level `app.add_api_route(...)` statements move with their handler."""
        call = updated_node.value
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value.startswith("add_api")
            and self._reads_module(self.app_name)
        ):
            return updated_node.with_changes(value=call.with_changes(func=self._retarget(call.func)))
        return updated_node

    def rewrite(self, statement: cst.BaseStatement, scopes: Scope | None = None) -> cst.BaseStatement:
        """Only a function's decorators can hold routes: leave its body unvisited (a top-level function's
        decorators run at module level). `scopes`: `build_scopes` of the statement's `ast`, when known."""
        if isinstance(statement, cst.FunctionDef):
            return statement.with_changes(decorators=[self._retarget_decorator(d) for d in statement.decorators])
        return self.visit_with_scopes(statement, scopes)


def _command_class() -> type:
    """The `python -m libcst.tool codemod` command; libcst.codemod is imported only when it is asked for."""
    from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

    class RouteDecoratorsToRouter(RetargetRouteCalls, VisitorBasedCodemodCommand):
        DESCRIPTION = "Rewrite @app.<verb>(...) route decorators to @router.<verb>(...)."

        def __init__(self, context: CodemodContext, app_name: str = "app", router_name: str = "router") -> None:
            VisitorBasedCodemodCommand.__init__(self, context)
            self._setup(app_name, router_name)

        @staticmethod
        def add_args(arg_parser: argparse.ArgumentParser) -> None:
            arg_parser.add_argument("--app-name", dest="app_name", default="app", help="the FastAPI app variable")
            arg_parser.add_argument(
                "--router-name", dest="router_name", default="router", help="the APIRouter variable"
            )

    return RouteDecoratorsToRouter


def __getattr__(attribute: str) -> type:
    # Importing libcst.codemod (and libcst.matchers behind it) costs about as much as parsing a 3,000-line
    # monolith; `splitter apply` only needs the transformer above, so the command class is built on first use.
    if attribute == "RouteDecoratorsToRouter":
        globals()[attribute] = command = _command_class()
        return command
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
