"""The synthetic monolith generator: valid, importable, serving, deterministic, and sized as asked."""

from __future__ import annotations

import ast
import importlib
import sys
import uuid
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from benchmarks.synth import generate_monolith, write_project


def import_package_app(root: Path, package: str):
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(f"{package}.main").app
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]


@pytest.mark.parametrize("target", [2000, 8000])
def test_line_count_within_ten_percent(target):
    lines = generate_monolith(target, seed=5).count("\n")
    assert abs(lines - target) <= target // 10, lines


def test_same_seed_same_text_other_seed_other_text():
    assert generate_monolith(1500, seed=1) == generate_monolith(1500, seed=1)
    assert generate_monolith(1500, seed=1) != generate_monolith(1500, seed=2)


def test_bodies_are_not_copies_of_each_other():
    tree = ast.parse(generate_monolith(2000, seed=3))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    bodies = [ast.dump(ast.Module(body=node.body, type_ignores=[])) for node in functions]
    assert len(set(bodies)) > 0.9 * len(bodies)


def test_has_the_features_the_splitter_must_handle():
    source = generate_monolith(2000, seed=4)
    tree = ast.parse(source)
    globals_rebound = {name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names}
    assert {"FEATURE_FLAG", "STARTED_AT", "REQUEST_COUNT"} <= globals_rebound
    for marker in ('@app.middleware("http")', "@app.exception_handler(", '@app.on_event("startup")'):
        assert marker in source
    assert "Depends(get_current_user)" in source and "Depends(get_db)" in source
    assert "(BaseModel):" in source
    assert '"/v1/' in source and '"/api/' in source


@pytest.mark.parametrize("package", [True, False])
def test_write_project_layout(tmp_path, package):
    main = write_project(tmp_path, "x = 1\n", package=package, package_name="shop")
    if package:
        assert main == tmp_path / "shop" / "main.py"
        assert (tmp_path / "shop" / "__init__.py").exists()
    else:
        assert main == tmp_path / "main.py"
    assert main.read_text() == "x = 1\n"


def test_generated_app_imports_and_serves(tmp_path):
    source = generate_monolith(2000, seed=6)
    package = f"synth_{uuid.uuid4().hex[:8]}"
    write_project(tmp_path, source, package=True, package_name=package)
    app = import_package_app(tmp_path, package)
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    assert len(routes) > 40
    assert len({route.name for route in routes}) == len(routes)
    paths = [route.path for route in routes]
    me = next(path for path in paths if path.endswith("/me"))
    by_id = me.removesuffix("/me") + "/{item_id}"
    assert by_id in paths and paths.index(me) < paths.index(by_id)
    with TestClient(app) as client:  # the context runs the startup handler
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["up"] is True
        assert client.get(me).json()["id"] == 7
        assert client.get(by_id.replace("{item_id}", "41")).json()["id"] == 41
        assert client.get(by_id.replace("{item_id}", "not-a-number")).status_code == 422
        assert client.post("/admin/flags", params={"enabled": True}).json() == {
            "previous": False,
            "enabled": True,
        }
        assert client.get("/health").json()["flag"] is True
        assert int(client.get("/health").headers["x-request-count"]) >= 5
    assert app.openapi()["paths"]
