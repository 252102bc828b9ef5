"""A group whose plan sets `prefix`: its router is `APIRouter(prefix="/v1/orders")`, and each route decorator
drops that prefix from its path (`@router.get("/v1/orders/{id}")` -> `@router.get("/{id}")`), so every URL
stays the same. Only the path literal changes; the rest of the decorator stays as written."""

from __future__ import annotations

import libcst as cst

from splitter.codemods.route_to_router import ROUTE_METHODS
from splitter.errors import SplitterError


def shorten_route_paths(
    statement: cst.BaseStatement, router: str, prefix: str, where: tuple[str, int]
) -> cst.BaseStatement:
    """The function with the prefix cut from the path of each of its `@router.<method>(...)` decorators."""
    if not isinstance(statement, cst.FunctionDef):
        return statement
    decorators = [_shortened(d, router, prefix, where) for d in statement.decorators]
    return statement.with_changes(decorators=decorators)


def _shortened(decorator: cst.Decorator, router: str, prefix: str, where: tuple[str, int]) -> cst.Decorator:
    call = decorator.decorator
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value == router
        and call.func.attr.value in ROUTE_METHODS
    ):
        return decorator
    args = list(call.args)
    position = next((i for i, a in enumerate(args) if a.keyword is None or a.keyword.value == "path"), None)
    literal = args[position].value if position is not None else None
    if not isinstance(literal, cst.SimpleString):
        raise SplitterError(
            f"the group's prefix {prefix!r} cannot be cut from a route path that is not a string literal: "
            'set `prefix` to "" for this group in the plan',
            *where,
        )
    quote = literal.quote
    start = len(literal.prefix) + len(quote)
    inner = literal.value[start : len(literal.value) - len(quote)]
    rest = inner[len(prefix) :]
    if not inner.startswith(prefix) or (rest and not rest.startswith("/")):
        raise SplitterError(f"route path {inner!r} is not under the group's prefix {prefix!r} in the plan", *where)
    args[position] = args[position].with_changes(value=literal.with_changes(value=literal.value[:start] + rest + quote))
    return decorator.with_changes(decorator=call.with_changes(args=args))
