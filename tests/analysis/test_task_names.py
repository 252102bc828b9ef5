"""Celery tasks named after their module: found by analysis, given their old name when moved."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from splitter.analysis.analyze import analyze_source
from splitter.emit.task_names import with_task_names_pinned

HEADER = (
    "from celery import Celery, shared_task as st\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    "worker = Celery('w')\n"
)


@pytest.mark.parametrize(
    ("decorators", "expected"),
    [
        pytest.param("@worker.task", (0,), id="bare"),
        pytest.param("@worker.task()", (0,), id="called"),
        pytest.param("@worker.task(bind=True)", (0,), id="options"),
        pytest.param("@worker.task(name='jobs.send')", (), id="named"),
        pytest.param("@worker.task(**OPTIONS)", (), id="options that may name it"),
        pytest.param("@st", (0,), id="shared_task aliased"),
        pytest.param("@retry\n@st(ignore_result=True)", (1,), id="below another decorator"),
        pytest.param("@app.task", (), id="not a celery app"),
        pytest.param("@other.task", (), id="unknown object"),
    ],
)
def test_tasks_celery_names_after_the_module_are_found(decorators: str, expected: tuple[int, ...]) -> None:
    source = f"{HEADER}OPTIONS = {{}}\n\n\n{decorators}\ndef send(user_id):\n    return user_id\n"
    analysis = analyze_source(source, Path("main.py"), "main")
    assert next(u for u in analysis.units if u.name == "send").task_decorators == expected


def test_a_celery_app_reached_through_the_module_counts() -> None:
    source = (
        "import celery as c\nfrom fastapi import FastAPI\n\napp = FastAPI()\njobs = c.Celery('w')\n\n\n"
        "@jobs.task\ndef send():\n    pass\n"
    )
    analysis = analyze_source(source, Path("main.py"), "main")
    assert analysis.units[-1].task_decorators == (0,)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("@worker.task\n", '@worker.task(name="pkg.main.send")\n', id="bare"),
        pytest.param("@worker.task()\n", '@worker.task(name="pkg.main.send")\n', id="called"),
        pytest.param(
            "@worker.task(bind=True, max_retries=3)\n",
            '@worker.task(name="pkg.main.send", bind=True, max_retries=3)\n',
            id="options keep their commas",
        ),
        pytest.param(
            "@worker.task(\n    bind=True,\n)\n",
            '@worker.task(\n    name="pkg.main.send", bind=True,\n)\n',
            id="one option a line",
        ),
    ],
)
def test_a_moved_task_is_given_the_name_it_had(before: str, after: str) -> None:
    source = f"{before}async def send(user_id):\n    return user_id\n"
    statement = cst.parse_module(source).body[0]
    pinned = cst.Module(body=[with_task_names_pinned(statement, (0,), "pkg.main")]).code
    assert pinned == f"{after}async def send(user_id):\n    return user_id\n"
    ast.parse(pinned)
    reanalysed = analyze_source(f"{HEADER}\n\n{pinned}", Path("m.py"), "m")
    assert reanalysed.units[-1].task_decorators == ()  # named now: a second apply adds nothing


TASKS = "from fastapi import FastAPI\n{imports}\n\napp = FastAPI()\n\n\n@jobs.task\ndef send():\n    pass\n"


@pytest.mark.parametrize(
    ("files", "imports", "expected"),
    [
        pytest.param(
            {"worker.py": "from celery import Celery\njobs = Celery('w')\n"},
            "from worker import jobs",
            (0,),
            id="app of a module of the project",
        ),
        pytest.param(
            {"pkg/__init__.py": "", "pkg/worker.py": "import celery\napp = celery.Celery('w')\n"},
            "from pkg.worker import app as jobs",
            (0,),
            id="aliased, in a package",
        ),
        pytest.param(
            {
                "worker.py": "from celery import Celery\ncapp = Celery('w')\n",
                "queues.py": "from worker import capp as jobs\n",
            },
            "from queues import jobs",
            (0,),
            id="re-exported",
        ),
        pytest.param(
            {"worker.py": "from huey import RedisHuey\njobs = RedisHuey('w')\n"},
            "from worker import jobs",
            (),
            id="not a Celery app",
        ),
    ],
)
def test_a_celery_app_imported_from_the_project_counts(
    tmp_path: Path, files: dict[str, str], imports: str, expected: tuple[int, ...]
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    analysis = analyze_source(TASKS.format(imports=imports), tmp_path / "main.py", "main")
    assert analysis.units[-1].task_decorators == expected
    assert not [d for d in analysis.diagnostics if d.code == "task-name"]


def test_a_task_of_an_app_that_cannot_be_read_is_a_warning(tmp_path: Path) -> None:
    analysis = analyze_source(TASKS.format(imports="from somewhere_installed import jobs"), tmp_path / "main.py")
    assert analysis.units[-1].task_decorators == ()
    [warning] = [d for d in analysis.diagnostics if d.code == "task-name"]
    assert warning.line == 8 and "`send` is registered by `jobs.task`, imported at line 2" in warning.message


def test_a_celery_app_imported_relatively_counts(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "worker.py").write_text("from celery import Celery\njobs = Celery('w')\n")
    analysis = analyze_source(TASKS.format(imports="from .worker import jobs"), tmp_path / "pkg" / "main.py")
    assert analysis.units[-1].task_decorators == (0,)
