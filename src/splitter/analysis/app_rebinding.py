"""The app's name bound again later by a wrapper: `app = socketio.ASGIApp(sio, app)` at the end of the monolith.

The routes above it register on the FastAPI app, and uvicorn serves the wrapper. The two statements bind one
name, so they made one block with every route decorator between them: nothing moved at all. The wrapper is a
registration in order instead (it stays in main.py after every `include_router`), and a function that reads
`app` when it is called stays in main.py too: moved, it would read the FastAPI app (`core.app`) where it read
the wrapper.
"""

from __future__ import annotations

import ast

from splitter.analysis.model import Unit


def _wraps(node: ast.stmt, app: str) -> bool:
    """`app = Wrapper(..., app, ...)`: a call that receives the app it rebinds."""
    if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
        return False
    if not any(isinstance(t, ast.Name) and t.id == app for t in node.targets):
        return False
    arguments = [*node.value.args, *(k.value for k in node.value.keywords)]
    return any(isinstance(n, ast.Name) and n.id == app for a in arguments for n in ast.walk(a))


def mark_app_wrappers(tree: ast.Module, units: list[Unit], app: str) -> None:
    """Mark each later `app = Wrapper(app)`, and keep in main.py what reads the app only when called."""
    creation = next((u.index for u in units if app in u.binds), None)
    if creation is None:
        return
    wrappers = [u for u in units[creation + 1 :] if _wraps(tree.body[u.index], app)]
    for unit in wrappers:
        unit.wraps_app = True
    if not wrappers:
        return
    line = wrappers[0].first_line
    for unit in units:
        if unit.app_at_call_time:
            unit.pinned_reason = unit.pinned_reason or (
                f"reads `{app}` when called, and line {line} binds `{app}` to a wrapper of the app: "
                "moved, it would read the app itself"
            )
