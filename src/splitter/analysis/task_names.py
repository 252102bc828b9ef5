"""Celery tasks that Celery names after their module.

`@celery_app.task` (or `@shared_task`) without `name=` registers the function as `<module>.<function>`:
`main.send_welcome`, and moved `services.users.send_welcome`. Workers still running the old code, messages already
queued and beat schedules all name the task by that string: after a plain move they meet `NotRegistered`. A moved
task is therefore given the name it had (emit/task_names.py); these helpers find which functions need it.
"""

from __future__ import annotations

import ast


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
