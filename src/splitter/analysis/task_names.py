"""Celery tasks that Celery names after their module.

`@celery_app.task` (or `@shared_task`) without `name=` registers the function as `<module>.<function>`:
`main.send_welcome`, and moved `services.users.send_welcome`. Workers still running the old code, messages already
queued and beat schedules all name the task by that string: after a plain move they meet `NotRegistered`. A moved
task is therefore given the name it had (emit/task_names.py); these helpers find which functions need it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from splitter.analysis.model import Diagnostic
from splitter.analysis.source import module_location


def _shared_task_names(tree: ast.Module) -> frozenset[str]:
    """What `from celery import shared_task [as x]` binds at module level."""
    return frozenset(
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "celery" and not node.level
        for alias in node.names
        if alias.name == "shared_task"
    )


def task_decorators(node: ast.stmt, apps: frozenset[str], shared: frozenset[str]) -> tuple[int, ...]:
    """Positions of the decorators of a module-level function that register it as a Celery task without giving
    its name."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ()
    return tuple(i for i, d in enumerate(node.decorator_list) if _task_decorator(d, apps, shared))


def _task_decorator(decorator: ast.expr, apps: frozenset[str], shared: frozenset[str]) -> bool:
    if isinstance(decorator, ast.Call):
        named = any(k.arg in ("name", None) for k in decorator.keywords)  # `**options` may name it too
        return not named and not decorator.args and _task_decorator(decorator.func, apps, shared)
    if isinstance(decorator, ast.Name):
        return decorator.id in shared
    return (
        isinstance(decorator, ast.Attribute)
        and decorator.attr == "task"
        and isinstance(decorator.value, ast.Name)
        and decorator.value.id in apps
    )


def mark_tasks_named_after_their_module(tree: ast.Module, units: list, apps: frozenset[str]) -> None:
    """Give each unit defining such a task the positions of its decorators to complete (`apps`: the module's
    `Celery(...)` objects)."""
    shared = _shared_task_names(tree)
    if not apps and not shared:
        return
    for unit, node in zip(units, tree.body, strict=True):
        unit.task_decorators = task_decorators(node, apps, shared)


def _task_receivers(tree: ast.Module) -> set[str]:
    """Names `X` decorating a module-level function as `@X.task` or `@X.task(...)`."""
    receivers = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(func, ast.Attribute) and func.attr == "task" and isinstance(func.value, ast.Name):
                    receivers.add(func.value.id)
    return receivers


def _module_file(module: str | None, level: int, path: Path) -> Path | None:
    """The file of the project that `from <level dots><module> import ...` in `path` reads, if there is one."""
    base = path.resolve().parents[level - 1] if level else module_location(path)[2]
    stem = base.joinpath(*module.split(".")) if module else base
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_celery_apps(
    tree: ast.Module, path: Path, celery_objects: Callable[[ast.Module], set[str]], hops: int = 3
) -> tuple[frozenset[str], dict[str, int]]:
    """Names the monolith imports from a module of the project that creates them with `Celery(...)` (`from worker
    import celery_app`; re-exports followed `hops` deep), and, by name, the line of each import of a task receiver
    that could not be read: a Celery app made outside the project, or nothing to do with Celery."""
    receivers = _task_receivers(tree)
    found, unread = set(), {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module == "celery":
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            if local not in receivers:
                continue
            verdict = _creates_celery_app(node.module, node.level, alias.name, path, celery_objects, hops)
            if verdict:
                found.add(local)
            elif verdict is None:
                unread[local] = node.lineno
    return frozenset(found), unread


def _creates_celery_app(
    module: str | None, level: int, name: str, path: Path, celery_objects: Callable, hops: int
) -> bool | None:
    """True: `module` makes `name` with Celery(...); False: it binds it otherwise; None: it cannot be read."""
    file = _module_file(module, level, path)
    if file is None or hops <= 0:
        return None
    try:
        tree = ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    if name in celery_objects(tree):
        return True
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            original = next(a.name for a in node.names if (a.asname or a.name) == name)
            return _creates_celery_app(node.module, node.level, original, file, celery_objects, hops - 1)
    return False


def unread_task_apps(tree: ast.Module, unread: dict[str, int]) -> list[Diagnostic]:
    """A warning per task left unnamed whose app could not be read: moved, a Celery task would be renamed."""
    warnings = []
    for node in tree.body:
        for receiver, line in unread.items():
            if task_decorators(node, frozenset({receiver}), frozenset()):
                message = (
                    f"`{node.name}` is registered by `{receiver}.task`, imported at line {line} from a module "
                    "splitter cannot read: if it is a Celery app, the moved task is named after its new module "
                    f"(workers and queued messages know it by the old one); give it `name=` by hand"
                )
                warnings.append(Diagnostic("task-name", node.lineno, message))
    return warnings
