"""Classes that register themselves into a registry their base holds, and the statements that read it.

`class Item(Base)` adds the `items` table to `Base.metadata` when the class statement runs (SQLAlchemy's declarative
base, SQLModel, any `__init_subclass__` registry); `Base.metadata.create_all(engine)` then creates the tables of the
classes defined so far. Nothing in that statement names `Item`, so a split that put `create_all` in core.py and
`Item` in a services module created no table at all. A statement reading an attribute of such a base therefore
reads the subclasses too: those defined before it, or, for a function (it runs later), all of them. That is a
dependency for placement only (`Unit.registry_reads`): the statement's code names none of them, so nothing imports
them for it.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from splitter.analysis.ast_walk import walk
from splitter.analysis.model import Unit

_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef)


def _subclasses_by_base(tree: ast.Module) -> dict[str, list[int]]:
    """Base name -> positions of the module-level classes deriving from it by that plain name."""
    found: dict[str, list[int]] = {}
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                if isinstance(base, ast.Name):
                    found.setdefault(base.id, []).append(index)
    return found


@lru_cache(maxsize=256)
def _attribute_of(name: str) -> re.Pattern:
    """`name` followed by a dot, with what may stand between them in code (spaces, line breaks, a comment, a
    closing parenthesis): matches wherever the syntax tree holds `name.<attribute>` (and in strings too)."""
    return re.compile(rf"\b{re.escape(name)}(?:[\s)\\]|#[^\n]*)*\.")


def _attribute_reads(node: ast.AST, names: set[str], text: str) -> set[str]:
    # the text first: models are bases of other models, and most endpoints use one without reading `Model.x`
    names = {name for name in names if _attribute_of(name).search(text)}
    if not names:
        return set()
    return {
        n.value.id
        for n in walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in names
    }


def add_registry_reads(tree: ast.Module, units: list[Unit], lines: list[str]) -> None:
    """Give each statement reading `Base.<attribute>` (not a class of its own) `Base`'s subclasses to depend on."""
    subclasses = _subclasses_by_base(tree)
    if not subclasses:
        return
    for unit, node in zip(units, tree.body, strict=True):
        bases = unit.uses & subclasses.keys()
        if not bases or isinstance(node, ast.ClassDef):
            continue
        deferred = isinstance(node, _DEFERRED)
        read = _attribute_reads(node, bases, "\n".join(lines[unit.first_line - 1 : unit.last_line]))
        classes = {units[i].binds[0] for base in read for i in subclasses[base] if deferred or i < unit.index}
        unit.registry_reads = frozenset(classes)


# Decorators that only wrap or describe what they decorate: defining it registers nothing anywhere.
_WRAPPING_DECORATORS = frozenset(
    """staticmethod classmethod property cached_property cache lru_cache wraps dataclass total_ordering
    contextmanager asynccontextmanager singledispatch overload override final abstractmethod runtime_checkable
    unique deprecated retry""".split()
)


def _decorator_name(decorator: ast.expr) -> str:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def mark_registering_definitions(tree: ast.Module, units: list[Unit]) -> None:
    """A def or class whose decorators may register it (`@scheduler.scheduled_job(...)`, `@event.listens_for(...)`,
    `@celery_app.task`, `@tools.register`): defining it is import-time work even when nothing names it. Route and
    hook decorators are the app's registrations, placed apart."""
    for unit, node in zip(units, tree.body, strict=True):
        if unit.route_owner or unit.hook_kinds:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = {_decorator_name(d) for d in node.decorator_list}
            unit.registers_when_defined = bool(names - _WRAPPING_DECORATORS)
