"""Code naming the monolith's file as a path reads a text the split changes: a plan warning with file:line.

Reduced from YuKyuDATA-app (`agents/security.py` greps `project_root / "main.py"` for `CORSMiddleware`), warehouse
(`ast.parse((root / "backend" / "app.py").read_text())` in a test) and AnimaLoraStudio (a test counting `@app.get`
lines in `Path(__file__).parent.parent / "studio" / "server.py"`): those tests do not import the monolith, so
nothing warned and they failed or changed answer after the split."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from splitter.analysis.source_file_reads import source_file_reads, spelled_ending
from splitter.planning.project import load_project, plan_project


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        pytest.param('from pathlib import Path\nSRC = Path(__file__).parent / "main.py"\n', [2], id="root / name"),
        pytest.param('import ast\nast.parse(open("main.py").read())\n', [2], id="open"),
        pytest.param('import os\np = os.path.join(ROOT, "app", "main.py")\n', [2], id="os.path.join"),
        pytest.param('text = Path("backend/main.py").read_text()\n', [1], id="a path ending in the name"),
        pytest.param('CRITICAL = ["main.py", "database.py"]\n', [], id="a list of names"),
        pytest.param('subprocess.run(["python", "main.py"])\n', [], id="run as a script"),
        pytest.param('p = ROOT / "old_main.py"\n', [], id="another file"),
        pytest.param('spec = spec_from_file_location("m", ROOT / "main.py")\n', [], id="loaded as a module"),
        pytest.param('P = ROOT / "main.py"\nspec = spec_from_file_location("m", P)\n', [], id="loaded through a name"),
        pytest.param('"""Reads ROOT / "main.py"."""\n', [], id="in a docstring"),
        pytest.param('p = ROOT / "main.py\n', [], id="not Python"),
        pytest.param(
            'P = ROOT / "main.py"\n\n\ndef test_x():\n    pass\n\n\n'
            'def test_load():\n    spec_from_file_location("m", P)\n',
            [],
            id="loaded through a name, in another test",
        ),
        pytest.param(
            'def test_a():\n    """\ndef inner():\n    """\n\n\ndef test_b():\n    open("main.py")\n',
            [8],
            id="a string spanning a cut: parsed whole",
        ),
    ],
)
def test_path_expressions_naming_the_file(source: str, lines: list[int]) -> None:
    assert source_file_reads([(Path("t.py"), source)], ("main.py",)) == [("t.py", line) for line in lines]


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        pytest.param('p = ROOT / "shopapi" / "main.py"\n', [1], id="the package and the file"),
        pytest.param('p = ROOT / "src" / "shopapi/main.py"\n', [1], id="one literal holding both"),
        pytest.param('p = Path("shopapi") / "main.py"\n', [1], id="Path of the package"),
        pytest.param('p = os.path.join(ROOT, "shopapi", "main.py")\n', [1], id="os.path.join"),
        pytest.param('p = tmp_path / "main.py"\n', [], id="a test's own main.py"),
        pytest.param('p = ROOT / "other" / "main.py"\n', [], id="another package's main.py"),
        pytest.param('p = os.path.join(folder, "main.py")\n', [], id="joined to a name"),
    ],
)
def test_a_package_module_is_named_with_its_package(source: str, lines: list[int]) -> None:
    # splitter's own tests write `tmp_path / "main.py"` dozens of times: for shopapi/main.py none is a read of it
    ending = spelled_ending("shopapi.main")
    assert ending == ("shopapi", "main.py") and spelled_ending("main") == ("main.py",)
    assert source_file_reads([(Path("t.py"), source)], ending) == [("t.py", line) for line in lines]


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        pytest.param(
            'from shopapi import calls\nsrc = open(os.path.join(os.path.dirname(calls.__file__), "main.py"))\n',
            [2],
            id="dirname of a sibling module, joined",
        ),
        pytest.param(
            'import shopapi.calls as calls\np = Path(calls.__file__).resolve().parent / "main.py"\n',
            [2],
            id="Path(...).resolve().parent of a sibling module",
        ),
        pytest.param(
            'from shopapi import main\np = os.path.join(os.path.dirname(os.path.abspath(main.__file__)), "main.py")\n',
            [2],
            id="the monolith's own folder",
        ),
        pytest.param(
            'from other import calls\np = os.path.join(os.path.dirname(calls.__file__), "main.py")\n',
            [],
            id="a module of another package",
        ),
        pytest.param(
            'from shopapi import calls\np = os.path.join(os.path.dirname(__file__), "main.py")\n',
            [],
            id="the test's own folder",
        ),
        pytest.param(
            'from shopapi import calls\np = os.path.join(os.path.dirname(calls.__file__), "db.py")\n',
            [],
            id="another file of the package",
        ),
    ],
)
def test_the_package_folder_taken_from_a_module_of_it_names_the_package(source: str, lines: list[int]) -> None:
    """fused-render's test_calls.py: `open(os.path.join(os.path.dirname(calls.__file__), "server.py"))` and a
    search of its text; the package is spelled only in `from fused_render import calls`."""
    assert source_file_reads([(Path("t.py"), source)], spelled_ending("shopapi.main")) == [
        ("t.py", line) for line in lines
    ]


def test_a_test_reading_the_monoliths_file_by_path_is_a_plan_warning(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        textwrap.dedent("""
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/items")
        def list_items():
            return []
        """)
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_source.py").write_text(
        "from pathlib import Path\n\n\ndef test_decorated():\n"
        '    main = Path(__file__).parent.parent / "main.py"\n'
        "    assert '@app.get' in main.read_text()\n"
        '    assert "app" in (Path(__file__).parent.parent / "main.py").read_text()\n'
    )
    plan = plan_project(load_project(tmp_path / "main.py"))
    warnings = [w for w in plan.warnings if "names main.py as a path" in w]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{Path('tests') / 'test_source.py'}:5 (and 1 more places): names main.py as a path")
