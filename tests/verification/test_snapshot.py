"""snapshot_app: what it records, and that it is JSON-ready, deterministic and runnable as a script."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from verification_support import HEADER, ITEM_BY_ID, ITEMS_ME, MONOLITH, app_source, write_project

from splitter.verification import snapshot as snapshot_module
from splitter.verification.snapshot import load_app, snapshot_app

SNAPSHOT_SCRIPT = snapshot_module.__file__


def route(snapshot: dict, path: str) -> dict:
    matches = [r for r in snapshot["routes"] if r["path"] == path]
    assert len(matches) == 1, matches
    return matches[0]


def test_snapshot_is_json_ready_and_identical_for_two_imports(snap):
    source = app_source(
        ITEMS_ME,
        tail="""
        def key_func(request):
            return "k"

        class KeyMiddleware:
            def __init__(self, app, key_func, options):
                self.app = app

            async def __call__(self, scope, receive, send):
                await self.app(scope, receive, send)

        app.add_middleware(GZipMiddleware, minimum_size=10)
        app.add_middleware(KeyMiddleware, key_func=key_func, options=object())
        """,
    )
    first, second = snap(source), snap(source)
    assert first == second
    assert json.loads(json.dumps(first)) == first
    assert "0x" not in json.dumps(first)  # no object addresses, they differ between runs
    assert first["middleware"][0]["kwargs"] == {"key_func": "key_func", "options": "<object object>"}


def test_route_table_records_route_details(snap):
    source = app_source(
        ITEMS_ME,
        """
        @app.post("/things", status_code=202, tags=["things"], include_in_schema=False,
                  dependencies=[Depends(get_db)])
        def make_thing(user=Depends(current_user)):
            return {}
        """,
    )
    snapshot = snap(source)
    me = route(snapshot, "/items/me")
    assert me["kind"] == "route"
    assert me["methods"] == ["GET"]
    assert me["name"] == "read_my_item"
    assert me["endpoint"] == "read_my_item"
    assert me["response_model"] == "Item"
    assert me["response_class"] == "JSONResponse"
    assert me["dependencies"] == ["current_user", "get_db"]  # nested Depends in the signature
    thing = route(snapshot, "/things")
    assert thing["status_code"] == 202
    assert thing["tags"] == ["things"]
    assert thing["include_in_schema"] is False
    # route-level dependencies come first, then the signature's, depth first
    assert thing["dependencies"] == ["get_db", "current_user", "get_db"]


def test_generic_response_model_keeps_its_arguments_without_module_names(snap):
    snapshot = snap(
        app_source(
            """
            from typing import Optional

            @app.get("/many", response_model=Optional[list[Item]])
            def many():
                return []
            """
        )
    )
    assert route(snapshot, "/many")["response_model"] == "Optional[list[Item]]"


def test_included_router_routes_appear_with_prefix_in_match_order(snap):
    snapshot = snap(
        app_source(
            ITEMS_ME,
            tail="""
            router = APIRouter(prefix="/admin", tags=["admin"])

            @router.get("/stats")
            def stats():
                return {}

            app.include_router(router)

            @app.get("/last")
            def last():
                return {}
            """,
        )
    )
    paths = [r["path"] for r in snapshot["routes"] if r["path"] not in ("/openapi.json", "/redoc")]
    assert paths[-3:] == ["/items/me", "/admin/stats", "/last"]
    assert route(snapshot, "/admin/stats")["tags"] == ["admin"]


def test_websocket_and_mount_kinds(snap):
    snapshot = snap(
        app_source(
            tail="""
            from starlette.applications import Starlette

            @app.websocket("/ws")
            async def socket(websocket):
                await websocket.accept()

            app.mount("/legacy", Starlette(), name="legacy")
            """
        )
    )
    assert route(snapshot, "/ws")["kind"] == "websocket"
    assert route(snapshot, "/ws")["endpoint"] == "socket"
    mount = route(snapshot, "/legacy")
    assert mount == {"kind": "mount", "path": "/legacy", "name": "legacy", "app": "Starlette"}


def test_a_mounted_application_is_described_with_its_own_routes_and_middleware(snap):
    """pingpong serves every route from `v1`, mounted at /api/v1: the mount alone would hide them from verify."""
    snapshot = snap(
        app_source(
            tail="""
            from fastapi.staticfiles import StaticFiles

            v1 = FastAPI()
            v1.add_middleware(GZipMiddleware)

            @v1.get("/books/{book_id}")
            def get_book(book_id: int):
                return {}

            app.mount("/api/v1", v1)
            app.mount("/static", StaticFiles(directory=".", check_dir=False))
            """
        )
    )
    mounted = route(snapshot, "/api/v1")["mounted"]
    assert route(mounted, "/books/{book_id}")["endpoint"] == "get_book"
    assert "/books/{book_id}" in mounted["openapi"]["paths"]
    assert [m["class"] for m in mounted["middleware"]] == ["GZipMiddleware"]
    assert "mounted" not in route(snapshot, "/static")  # serves files, not routes


def test_websocket_of_an_included_router_is_read_from_the_route_the_app_matches(monkeypatch):
    # FastAPI 0.137-0.14x: iter_route_contexts gives a websocket of an included router an empty path, name and
    # endpoint and keeps the prefixed route beside it; a real monolith's moved websocket read as "changed" and
    # was left out of its router's tests
    from types import SimpleNamespace

    import fastapi.routing
    from fastapi import APIRouter, FastAPI

    router = APIRouter(prefix="/live")

    @router.websocket("/checkins")
    async def checkins(websocket):
        await websocket.accept()

    app = FastAPI()
    app.include_router(router)
    served = snapshot_app(app)
    modules = snapshot_module.code_locations(app)["route_modules"]
    real = fastapi.routing.iter_route_contexts

    def blank_websockets(routes):
        for context in real(routes):
            if type(context.original_route).__name__ != "APIWebSocketRoute":
                yield context
                continue
            kept = SimpleNamespace(starlette_route=context, path="", name="", endpoint=None)
            yield SimpleNamespace(
                original_route=context.original_route,
                _route_context=kept,
                path="",
                name="",
                endpoint=None,
                methods=set(),
                dependant=None,
            )

    monkeypatch.setattr(fastapi.routing, "iter_route_contexts", blank_websockets)
    socket = route(snapshot_app(app), "/live/checkins")
    assert (socket["kind"], socket["name"], socket["endpoint"]) == ("websocket", "checkins", checkins.__qualname__)
    assert snapshot_app(app)["routes"] == served["routes"]
    assert snapshot_module.code_locations(app)["route_modules"] == modules
    assert modules[-1] == __name__


def test_middleware_stack_in_order_with_dispatch_names(snap):
    snapshot = snap(
        app_source(
            tail="""
            app.add_middleware(GZipMiddleware, minimum_size=10)

            @app.middleware("http")
            async def add_timing_header(request, call_next):
                return await call_next(request)

            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])
            """
        )
    )
    # add_middleware inserts at the front: the last added is the outermost
    assert snapshot["middleware"] == [
        {
            "class": "CORSMiddleware",
            "dispatch": None,
            "args": [],
            "kwargs": {"allow_methods": "['GET']", "allow_origins": "['*']"},
        },
        {"class": "BaseHTTPMiddleware", "dispatch": "add_timing_header", "args": [], "kwargs": {}},
        {"class": "GZipMiddleware", "dispatch": None, "args": [], "kwargs": {"minimum_size": "10"}},
    ]


def test_exception_handlers_and_startup_shutdown_hooks(snap):
    snapshot = snap(
        app_source(
            tail="""
            @app.exception_handler(ValueError)
            async def on_value_error(request, exc):
                return None

            @app.exception_handler(404)
            async def on_not_found(request, exc):
                return None

            @app.on_event("startup")
            async def connect():
                pass

            @app.on_event("shutdown")
            async def disconnect():
                pass
            """
        )
    )
    handlers = snapshot["exception_handlers"]
    assert handlers["ValueError"] == "on_value_error"
    assert handlers["404"] == "on_not_found"
    assert handlers["HTTPException"] == "http_exception_handler"  # FastAPI's defaults are recorded too
    assert list(handlers) == sorted(handlers)
    assert snapshot["startup"] == ["connect"]
    assert snapshot["shutdown"] == ["disconnect"]
    assert snapshot["lifespan"] == {"set": False, "names": []}


def test_lifespan_name_is_seen_through_include_router_wrappers(snap):
    snapshot = snap(
        app_source(
            app_line="""
@asynccontextmanager
async def lifespan(app):
    yield

app = FastAPI(lifespan=lifespan)
""",
            tail="""
            router = APIRouter()

            @router.get("/x")
            def x():
                return {}

            app.include_router(router)
            """,
        )
    )
    assert snapshot["lifespan"] == {"set": True, "names": ["lifespan"]}


def test_load_app_supports_factories_and_reports_missing_attributes(tmp_path, monkeypatch):
    write_project(
        tmp_path,
        {"factory_mod.py": HEADER + "\n\ndef create_app():\n    app = FastAPI()\n" + "    return app\n"},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert snapshot_app(load_app("factory_mod:create_app()"))["routes"]
    with pytest.raises(AttributeError, match="has no attribute 'application'"):
        load_app("factory_mod:application")
    with pytest.raises(ValueError, match="MODULE:APP"):
        load_app("factory_mod")


def test_script_by_path_prints_same_snapshot_and_keeps_import_noise_off_stdout(tmp_path, snap):
    source = 'print("hello from import")\n' + MONOLITH
    write_project(tmp_path, {"main.py": source})
    completed = subprocess.run(
        [sys.executable, SNAPSHOT_SCRIPT, "main:app"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "hello from import" in completed.stderr
    assert json.loads(completed.stdout) == snap(source)


def test_script_directory_does_not_shadow_project_modules(tmp_path):
    # The verification package has a compare.py; the project's own compare module must win.
    write_project(
        tmp_path,
        {
            "compare.py": "LABEL = 'project compare'\n",
            "main.py": "from compare import LABEL\n" + app_source(ITEM_BY_ID),
        },
    )
    completed = subprocess.run(
        [sys.executable, SNAPSHOT_SCRIPT, "main:app"],
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert any(r["path"] == "/items/{item_id}" for r in json.loads(completed.stdout)["routes"])


def test_snapshot_module_imports_only_stdlib_fastapi_and_starlette():
    tree = ast.parse(Path(SNAPSHOT_SCRIPT).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names}
    assert third_party <= {"fastapi", "starlette"}, third_party


def test_non_application_object_is_rejected():
    with pytest.raises(TypeError, match="not a FastAPI/Starlette application"):
        snapshot_app(object())


def test_module_mode_prints_the_snapshot(tmp_path):
    write_project(tmp_path, {"main.py": app_source(ITEM_BY_ID)})
    src = Path(SNAPSHOT_SCRIPT).parents[2]
    completed = subprocess.run(
        [sys.executable, "-m", "splitter.verification.snapshot", "main:app"],
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": f"{src}:{tmp_path}", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert json.loads(completed.stdout)["routes"][-1]["path"] == "/items/{item_id}"
