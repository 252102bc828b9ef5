"""Test support: small FastAPI apps as source text (assembled from route snippets so a test can drop or
reorder one), and helpers that write them into temporary projects."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
from pathlib import Path

_module_numbers = itertools.count()


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write `{relative path: source}` under `root` (sources are dedented) and return `root`."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def load_module(path: Path):
    """Import a file under a fresh module name, so two versions of `main.py` never share sys.modules."""
    name = f"_verification_app_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fresh_file_name() -> str:
    return f"app_{next(_module_numbers)}.py"


HEADER = textwrap.dedent(
    """
    from contextlib import asynccontextmanager

    from fastapi import APIRouter, Depends, FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.middleware.gzip import GZipMiddleware
    from pydantic import BaseModel


    class Item(BaseModel):
        id: int
        name: str


    class ItemSummary(BaseModel):
        id: int


    def get_db():
        return {}


    def current_user(db=Depends(get_db)):
        return "me"
    """
)

ITEMS_ME = """
@app.get("/items/me", response_model=Item)
def read_my_item(user=Depends(current_user)):
    return {"id": 0, "name": "mine"}
"""

ITEM_BY_ID = """
@app.get("/items/{item_id}", response_model=Item)
def read_item(item_id: int):
    return {"id": item_id, "name": "any"}
"""

USERS = """
@app.get("/users")
def list_users():
    return []
"""

CREATE_ITEM = """
@app.post("/items", status_code=201, response_model=Item)
def create_item(item: Item):
    return item
"""


def app_source(*snippets: str, app_line: str = "app = FastAPI()", tail: str = "") -> str:
    """A module defining `app`: header, the `app = ...` line, the snippets in order, then `tail`."""
    body = "\n".join(textwrap.dedent(s) for s in snippets)
    return HEADER + "\n\n" + app_line + "\n" + body + "\n" + textwrap.dedent(tail)


MONOLITH = app_source(ITEMS_ME, ITEM_BY_ID, USERS, CREATE_ITEM)

# The same app after a correct split: routes moved into routers, included where their group first appeared.
SPLIT = HEADER + textwrap.dedent(
    """
        items = APIRouter()
        users = APIRouter()


        @items.get("/items/me", response_model=Item)
        def read_my_item(user=Depends(current_user)):
            return {"id": 0, "name": "mine"}


        @items.get("/items/{item_id}", response_model=Item)
        def read_item(item_id: int):
            return {"id": item_id, "name": "any"}


        @items.post("/items", status_code=201, response_model=Item)
        def create_item(item: Item):
            return item


        @users.get("/users")
        def list_users():
            return []


        app = FastAPI()
        app.include_router(items)
        app.include_router(users)
        """
)
