"""The slim main.py: what splitter leaves in place of moved code is laid out as ruff format keeps it, and no
longer than it must be (issue 9, point 11: main.py under 200 lines on real monoliths)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from splitter.emit.apply import ApplyOptions, apply_split
from tests.helpers import code

MONOLITH = '''"""Shop."""

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse

app = FastAPI()
DEBUG = True


@app.exception_handler(HTTPException)
async def http_error(request, exc):
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


@app.on_event("startup")
async def warm():
    return None


@app.on_event("shutdown")
async def cool():
    return None


@app.get("/orders")
def list_orders():
    return []


@app.get("/orders/{oid}")
def get_order(oid: int):
    return {"id": oid}


@app.get("/users")
def list_users():
    return []


@app.get("/users/{uid}")
def get_user(uid: int):
    return {"id": uid}


if DEBUG:

    @app.get("/debug")
    def debug():
        return {}


@app.on_event("shutdown")
async def flush():
    return None


if __name__ == "__main__":
    print(app.title)
'''


def split(tmp_path: Path, line_length: int) -> dict[Path, str]:
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.ruff]\nline-length = {line_length}\n\n[tool.splitter]\nmain_max_lines = 5\n"
    )
    target = tmp_path / "main.py"
    target.write_text(MONOLITH)
    return apply_split(target, None, ApplyOptions()).changes


@pytest.mark.parametrize("line_length", [79, 88, 120])
def test_registrations_and_includes_left_in_place_read_as_one_block(tmp_path: Path, line_length: int) -> None:
    changes = split(tmp_path, line_length)
    main = changes[tmp_path / "main.py"]
    # the hooks moved to hooks.py (main_max_lines), the routes to two routers: one run of one-line calls each;
    # after a block that ends with a def, two blank lines (ruff format wants them)
    assert (
        code("""
        app = FastAPI()

        app.exception_handler(HTTPException)(http_error)
        app.on_event("startup")(warm)
        app.on_event("shutdown")(cool)
        app.include_router(orders_router)
        app.include_router(users_router)


        if DEBUG:

            @app.get("/debug")
            def debug():
                return {}


        app.on_event("shutdown")(flush)


        if __name__ == "__main__":
            print(app.title)
    """)
        in main
    )
    # HTTPException is read only by the handler's decorator, which stays in main.py as a registration call
    assert "HTTPException" not in changes[tmp_path / "hooks.py"]
    (tmp_path / "main.py").write_text(main)
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", "--line-length", str(line_length), "main.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout


HANDOVER = """from fastapi import FastAPI

app = FastAPI()

try:
    from metrics_collector import MetricsCollector

    metrics_collector = MetricsCollector()
    app.middleware("http")(metrics_collector.middleware)
except ImportError:
    metrics_collector = None


@app.get("/metrics")
def performance_metrics():
    return metrics_collector.get_metrics()


@app.get("/metrics/{name}")
def metric(name: str):
    return {}
"""


def test_names_handed_to_core_are_set_right_after_their_block(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(HANDOVER)
    changes = apply_split(tmp_path / "main.py", None, ApplyOptions()).changes
    main, core = changes[tmp_path / "main.py"], changes[tmp_path / "core.py"]
    assert "    metrics_collector = None\ncore.metrics_collector = metrics_collector\n" in main
    assert '    if name in ("metrics_collector",):\n        __import__("main")\n' in core  # read before main.py ran
    assert "metrics_collector = None" not in core
    router = next(text for path, text in changes.items() if "def performance_metrics" in text)
    assert "return core.metrics_collector.get_metrics()" in router and "\nimport core\n" in router
    for path, text in changes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", "main.py", "core.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout


UNSORTED = '''"""Shop."""

from fastapi import FastAPI
import json

app = FastAPI()
PRICES = {"tea": 1}


@app.get("/orders")
def list_orders():
    return json.dumps(PRICES)


@app.get("/users")
def list_users():
    return []
'''


def test_the_compat_call_after_unsorted_imports_gets_its_blank_line(tmp_path: Path) -> None:
    """The monolith's imports are not sorted (`import json` after `from fastapi`), so splitter appends its own
    instead of sorting the block, and the call after them is the first statement after the import block: ruff
    format wants a blank line before it (mcdonc/klangk's api.py, 741311791/roadmap-agent's roadmap.py)."""
    (tmp_path / "main.py").write_text(UNSORTED)
    main = apply_split(tmp_path / "main.py", None, ApplyOptions()).changes[tmp_path / "main.py"]
    assert "\nimport compat\n\ncompat.forward_moved_names(__name__)\n\napp = FastAPI()\n" in main
    (tmp_path / "main.py").write_text(main)
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", "main.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout
