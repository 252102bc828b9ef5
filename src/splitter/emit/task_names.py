"""A moved Celery task keeps the name Celery gave it in the monolith (analysis/task_names.py says why).

`@celery_app.task` becomes `@celery_app.task(name="main.send_welcome")`; a call gets `name=` as its first
argument, so no comma of the author's moves. The name is Celery's own default: `<module>.<function>`.
"""

from __future__ import annotations

import libcst as cst


def with_task_names_pinned(statement: cst.FunctionDef, positions: tuple[int, ...], module: str) -> cst.FunctionDef:
    name = cst.Arg(
        keyword=cst.Name("name"),
        value=cst.SimpleString(f'"{module}.{statement.name.value}"'),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    decorators = list(statement.decorators)
    for position in positions:
        decorator = decorators[position]
        call = decorator.decorator
        if isinstance(call, cst.Call):
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            call = call.with_changes(args=[name.with_changes(comma=comma) if call.args else name, *call.args])
        else:
            call = cst.Call(func=call, args=[name])
        decorators[position] = decorator.with_changes(decorator=call)
    return statement.with_changes(decorators=decorators)
