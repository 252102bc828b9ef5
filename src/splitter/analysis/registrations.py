"""Recognising what a statement registers on the app or on a local APIRouter: routes, mounts, includes, hooks."""

from __future__ import annotations

import ast
import re

from splitter.analysis.ast_walk import child_nodes
from splitter.analysis.model import (
    HOOK_DECORATORS,
    HTTP_VERBS,
    ROUTE_DECORATORS,
    Analysis,
    Diagnostic,
    Hook,
    Registration,
)

_CALL_REGISTRATIONS = {
    "add_api_route": ("route", "add_api_route"),
    "add_route": ("route", "add_api_route"),
    "add_api_websocket_route": ("websocket", "add_api_route"),
    "add_websocket_route": ("websocket", "add_api_route"),
    "include_router": ("include", "include_router"),
    "mount": ("mount", "mount"),
    "host": ("mount", "mount"),
}
_CALL_HOOKS = {
    "add_middleware": "add_middleware",
    "add_exception_handler": "exception_handler",
    "add_event_handler": "event",
    "middleware": "middleware",
}


def literal_string(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    """The value of a path expression when it is a literal, a constant, or an f-string/concat of those."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_string(node.left, constants), literal_string(node.right, constants)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.format_spec is not None or value.conversion != -1:
                    return None
                value = value.value
            part = literal_string(value, constants)
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)
    return None


_NEVER = re.compile(r"(?!)")  # a pattern no text matches


def call_argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def route_methods(call: ast.Call, verb: str) -> tuple[str, ...] | None:
    if verb in HTTP_VERBS:
        return (verb.upper(),)
    if verb in ("websocket", "websocket_route"):
        return ("WEBSOCKET",)
    node = call_argument(call, 2 if verb == "add_api_route" else 99, "methods")
    if node is None:
        return ("GET",)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return tuple(sorted(e.value.upper() for e in node.elts))
    return None  # computed at run time: any method, conservatively


class Registrar:
    """Finds registrations on `owners` (app names and local router names) in one statement."""

    def __init__(self, app_names: frozenset[str], router_names: frozenset[str], constants: dict[str, str]) -> None:
        self.app_names, self.router_names, self.constants = app_names, router_names, constants
        self.registrations: list[Registration] = []
        self.hooks: list[Hook] = []
        self.source_lines: list[str] = []  # given: function bodies that never name an owner
        self._owner_word: re.Pattern | None = None  # are not walked (most endpoint bodies: a third of the analysis)

    def _may_register(self, body: list[ast.stmt]) -> bool:
        """Whether statements could hold a registration: their text names the app or a router."""
        if not self.source_lines:
            return True
        if self._owner_word is None:
            names = sorted((self.app_names | self.router_names) - {""})  # peer routers, an app factory: no app
            self._owner_word = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, names))) if names else _NEVER
        first = min([body[0].lineno, *(d.lineno for d in getattr(body[0], "decorator_list", ()))])
        text = "\n".join(self.source_lines[first - 1 : body[-1].end_lineno])
        return self._owner_word.search(text) is not None

    def owner_of(self, node: ast.expr) -> tuple[str, str] | None:
        """(owner, attribute) for `owner.attribute` where owner is the app or a local router."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in self.app_names or node.value.id in self.router_names:
                return node.value.id, node.attr
        return None

    def decorators(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, unit: int, conditional: bool
    ) -> tuple[str | None, list[str]]:
        """Record a function's route/hook decorators; returns (route owner, hook kinds)."""
        route_owner, hook_kinds = None, []
        for decorator in reversed(node.decorator_list):  # the bottom decorator registers first
            if not isinstance(decorator, ast.Call):
                continue
            found = self.owner_of(decorator.func)
            if not found:
                continue
            owner, attr = found
            if attr in ROUTE_DECORATORS:
                route_owner = owner
                self.registrations.append(
                    Registration(
                        kind="websocket" if attr.startswith("websocket") else "route",
                        owner=owner,
                        unit=unit,
                        line=decorator.lineno,
                        function=node.name,
                        methods=route_methods(decorator, attr),
                        path=literal_string(call_argument(decorator, 0, "path"), self.constants),
                        conditional=conditional,
                    )
                )
            elif attr in HOOK_DECORATORS and owner in self.app_names:
                kind = attr
                if attr == "on_event":
                    event = literal_string(call_argument(decorator, 0, "event_type"), {})
                    kind = event if event in ("startup", "shutdown") else "event"
                hook_kinds.append(kind)
                self.hooks.append(Hook(kind=kind, unit=unit, line=decorator.lineno, function=node.name))
        return route_owner, hook_kinds

    def call(self, call: ast.Call, unit: int, conditional: bool) -> bool:
        """Record `app.add_api_route(...)`, `app.include_router(...)`, `register_x(app)`...; True if it was one."""
        found = self.owner_of(call.func)
        if found:
            owner, attr = found
            if attr in _CALL_REGISTRATIONS:
                self._registration_call(call, owner, attr, unit, conditional)
                return True
            if attr in _CALL_HOOKS and owner in self.app_names:
                self._hook_call(call, attr, unit)
                return True
        arguments = [*call.args, *(k.value for k in call.keywords)]  # register_x(app), Factory(app=app, ...)
        if any(isinstance(a, ast.Name) and a.id in self.app_names for a in arguments):
            self.registrations.append(
                Registration(
                    kind="call",
                    owner=next(iter(self.app_names)),
                    unit=unit,
                    line=call.lineno,
                    form="call",
                    conditional=conditional,
                    function=ast.unparse(call.func),
                )
            )
            return True
        return False

    def _registration_call(self, call: ast.Call, owner: str, attr: str, unit: int, conditional: bool) -> None:
        kind, form = _CALL_REGISTRATIONS[attr]
        endpoint = call_argument(call, 1, "endpoint")
        path = literal_string(call_argument(call, 0, "path"), self.constants)
        if kind == "include":
            path = literal_string(call_argument(call, 99, "prefix"), self.constants)
            endpoint = call.args[0] if call.args else call_argument(call, 99, "router")
        if kind == "route":
            methods = route_methods(call, "add_api_route")
        else:
            methods = ("WEBSOCKET",) if kind == "websocket" else None
        self.registrations.append(
            Registration(
                kind=kind,
                owner=owner,
                unit=unit,
                line=call.lineno,
                function=endpoint.id if isinstance(endpoint, ast.Name) else None,
                methods=methods,
                path=path,
                form=form,
                conditional=conditional,
            )
        )

    def _hook_call(self, call: ast.Call, attr: str, unit: int) -> None:
        target = call_argument(call, 1 if attr == "add_exception_handler" else 0, "handler")
        self.hooks.append(
            Hook(
                kind=_CALL_HOOKS[attr],
                unit=unit,
                line=call.lineno,
                function=target.id if isinstance(target, ast.Name) else None,
                detail=ast.unparse(call)[:80],
            )
        )

    def scan(self, node: ast.AST, unit: int, conditional: bool) -> None:
        """Walk a statement in source order, recording every registration it makes."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.decorators(node, unit, conditional)
            if self._may_register(node.body):
                for statement in node.body:  # registrations inside a function run when it is called
                    self.scan(statement, unit, True)
            return
        if isinstance(node, ast.Call):
            for child in child_nodes(node):
                self.scan(child, unit, conditional)
            self.call(node, unit, conditional)
            return
        if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
            for child in child_nodes(node):
                self.scan(child, unit, True)
            return
        if isinstance(node, ast.ClassDef | ast.Lambda):
            return
        for child in child_nodes(node):
            self.scan(child, unit, conditional)


def _route_label(registration: Registration) -> str:
    """`route '/debug'`, or for a path computed at run time (`f"/echo/{name}"` in a loop) how it is added."""
    if registration.path is not None:
        return f"route {registration.path!r}"
    if registration.function:
        return f"route of `{registration.function}`"
    if registration.form == "decorator":
        return "a route at a computed path"
    return f"`{registration.owner}.{registration.form}(...)`"


def diagnose_registrations(analysis: Analysis) -> None:
    """What analysis says about registrations it cannot move: in a block, through a call, at a computed path."""
    for registration in analysis.registrations:
        if registration.conditional and registration.kind in ("route", "websocket"):
            analysis.diagnostics.append(
                Diagnostic(
                    "conditional-route",
                    registration.line,
                    f"{_route_label(registration)} is registered inside a block, loop or function: it stays in "
                    "main.py where it is",
                )
            )
        elif registration.kind == "call" and analysis.units[registration.unit].registers_at_import:
            analysis.diagnostics.append(
                Diagnostic(
                    "registration-call",
                    registration.line,
                    f"`{registration.function}(...)` receives the app and may register routes: "
                    "it stays in main.py, in order",
                )
            )
        elif registration.kind in ("route", "websocket") and registration.path is None:
            analysis.diagnostics.append(
                Diagnostic(
                    "unknown-path",
                    registration.line,
                    f"the path of `{registration.function}` is computed at run time: it is grouped by name and "
                    "treated as overlapping every route",
                )
            )
