"""find_patched_names: every form a repository uses to rebind a name of the old module from outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.analysis.patched_names import (
    find_patch_sites,
    find_patched_names,
    function_source_reads,
    module_name_from_path,
    rebound_names,
    source_reads,
)
from tests.helpers import code


def scan(source: str, old_module: str = "pkg.main", module: str | None = "tests.test_x") -> dict[str, list[int]]:
    """Names -> lines for one file named tests/test_x.py."""
    found = find_patched_names([(Path("tests/test_x.py"), source)], old_module, module_name_for=lambda _path: module)
    return {name: [line for _file, line in places] for name, places in found.items()}


# (id, source, old module, expected names -> lines)
FORMS = [
    (
        "monkeypatch.setattr through `import main`",
        'import main\n\ndef test(monkeypatch):\n    monkeypatch.setattr(main, "fetch_records", fake)\n',
        "main",
        {"fetch_records": [4]},
    ),
    (
        "monkeypatch under another name, `import pkg.main as server`",
        'import pkg.main as server\n\ndef test(mp):\n    mp.setattr(server, "API_SECRET", "x")\n',
        "pkg.main",
        {"API_SECRET": [4]},
    ),
    (
        "monkeypatch.delattr and keyword arguments",
        'from pkg import main\nmonkeypatch.delattr(main, "x")\nmonkeypatch.setattr(target=main, name="y", value=1)\n',
        "pkg.main",
        {"x": [2], "y": [3]},
    ),
    (
        "builtin setattr / delattr through `from pkg.api import server`",
        'from pkg.api import server\nsetattr(server, "x", 1)\ndelattr(server, "y")\n',
        "pkg.api.server",
        {"x": [2], "y": [3]},
    ),
    (
        "patch.object in every spelling",
        code("""
            from pkg import main as m
            mocker.patch.object(m, "a")
            patch.object(m, "b")
            mock.patch.object(m, attribute="c")
            unittest.mock.patch.object(m, "d")
        """),
        "pkg.main",
        {"a": [2], "b": [3], "c": [4], "d": [5]},
    ),
    (
        "a string target held in a module-level constant (agent-bom's tests)",
        code("""
            from unittest.mock import patch
            _CLEAN = "pkg.main._clean"
            OTHER = "pkg.other.x"
            def test():
                with patch(_CLEAN, return_value=1), patch(OTHER):
                    pass
        """),
        "pkg.main",
        {"_clean": [5]},
    ),
    (
        "f-string targets built from module names (ARIA's conftest)",
        code("""
            _SITES = ("pkg.auth", "pkg.main")
            MAIN = "pkg.main"
            def fake(monkeypatch):
                for module_path in ("pkg.orchestrator", "pkg.main"):
                    monkeypatch.setattr(f"{module_path}.get_config", fake, raising=False)
                for site in _SITES:
                    monkeypatch.setattr(f"{site}.get_db", fake)
                [monkeypatch.setattr(f"{m}.a", 1) for m in ["pkg.main.sub"]]
                with patch(f"{MAIN}.client"):
                    pass
        """),
        "pkg.main",
        {"get_config": [5], "get_db": [7], "sub": [8], "client": [9]},
    ),
    (
        "loops in tests that quote nothing, over names assigned elsewhere in the file",
        code("""
            _SITES = ("pkg.auth", "pkg.main")
            def helper():
                sites = ["pkg.main"]
            def test_unrelated():
                assert "x" == "x"
            def test_a(monkeypatch):
                for site in _SITES:
                    monkeypatch.setattr(f"{site}.get_db", fake)
            class TestB:
                def test(self, monkeypatch):
                    for s in sites:
                        monkeypatch.setattr(f"{s}.get_cache", fake)
        """),
        "pkg.main",
        {"get_db": [8], "get_cache": [12]},
    ),
    (
        "targets joined with + from a constant, and from names a function assigns",
        code("""
            MODULE = "pkg.main"
            def test(monkeypatch):
                with patch(MODULE + ".fetch"), mock.patch(MODULE + "." + "store"):
                    pass
                module = "pkg.main"
                sites = ("pkg.auth", "pkg.main")
                with patch(module + ".client"), patch(f"{module}.cache"):
                    pass
                for site in sites:
                    monkeypatch.setattr(site + ".get_db", fake)
                for target in ("pkg.main.settings", "pkg.other.x"):
                    patch(target)
        """),
        "pkg.main",
        {"fetch": [3], "store": [3], "client": [7], "cache": [7], "get_db": [10], "settings": [12]},
    ),
    (
        "targets formatted with % and str.format",
        code("""
            BASE = "pkg.main"
            @mock.patch("%s.fetch" % BASE)
            @mock.patch("%s.%s" % (BASE, "store"))
            def test(fetch, store):
                with patch("{}.client".format(BASE)), patch("{0}.{1}".format(BASE, "cache")):
                    pass
                with patch("%s.x" % unknown), patch("{}.y".format(BASE, sep=".")):
                    pass
        """),
        "pkg.main",
        {"fetch": [2], "store": [3], "client": [5], "cache": [5]},
    ),
    (
        "f-string targets that cannot go through the module",
        code("""
            OTHERS = ("pkg.auth", "pkg.orchestrator")
            def fake(monkeypatch, name):
                for module_path in OTHERS:
                    monkeypatch.setattr(f"{module_path}.get_config", fake)
                for path in ("pkg.main",):
                    monkeypatch.setattr(f"{path}.{name}", fake)
                    monkeypatch.setattr(f"{path.upper()}.x", fake)
                    monkeypatch.setattr(f"{path!s}.y", fake)
        """),
        "pkg.main",
        {},
    ),
    (
        "string targets as call, decorator and context manager",
        code("""
            @mock.patch("pkg.main.a")
            def test(mocker):
                with patch("pkg.main.b.attr"):
                    mocker.patch(target="pkg.main.c")
                monkeypatch.setattr("pkg.main.d", 1)
                monkeypatch.delattr("pkg.main.e")
        """),
        "pkg.main",
        {"a": [1], "b": [3], "c": [4], "d": [5], "e": [6]},
    ),
    (
        "patch.multiple names its targets as keywords",
        'from pkg import main\npatch.multiple("pkg.main", a=1, b=2, create=True)\npatch.multiple(main, c=3)\n',
        "pkg.main",
        {"a": [2], "b": [2], "c": [3]},
    ),
    (
        "plain, augmented, annotated, unpacking assignment and del",
        "import main\nmain.a = 1\nmain.b += 1\nmain.c: int = 2\nmain.d, (main.e, *main.f) = g()\ndel main.h\n",
        "main",
        {"a": [2], "b": [3], "c": [4], "d": [5], "e": [5], "f": [5], "h": [6]},
    ),
    (
        "`import pkg.main` then `pkg.main.x`",
        "import pkg.main\n\ndef test():\n    pkg.main._current_ctx = None\n",
        "pkg.main",
        {"_current_ctx": [4]},
    ),
    (
        "only the first attribute after the module counts",
        code("""
            from pkg import main
            main.db.DB_PATH = "x"
            monkeypatch.setattr(main.settings, "DEBUG", True)
            patch("pkg.main.client.timeout")
        """),
        "pkg.main",
        {"db": [2], "settings": [3], "client": [4]},
    ),
    (
        "reads, in-place mutation and patch.dict are not rebindings",
        code("""
            from pkg import main
            from pkg.main import items
            getattr(main, "a")
            hasattr(main, "b")
            main.c[0] = 1
            main.d.append(1)
            patch.dict("pkg.main.e", {"k": 1})
            patch.dict(main.f, {"k": 1})
            items.attr = 1
            other.g = 1
            patch("pkg.mainframe.h")
        """),
        "pkg.main",
        {},
    ),
    (
        "a module object from importlib.import_module and sys.modules",
        code("""
            import importlib, sys
            main = importlib.import_module("pkg.main")
            server = sys.modules["pkg.main"]
            other = importlib.import_module("pkg.mainframe")
            def test(monkeypatch):
                monkeypatch.setattr(main, "get_settings", fake)
                server.API_SECRET = "x"
                monkeypatch.setattr(other, "unrelated", 1)
        """),
        "pkg.main",
        {"get_settings": [6], "API_SECRET": [7]},
    ),
    (
        "a fixture returning the module: its parameter in tests, and what a call of it binds",
        code("""
            import importlib
            import pytest
            @pytest.fixture
            def server():
                return importlib.import_module("server")
            def test_x(server, monkeypatch):
                monkeypatch.setattr(server, "cancel_job", fake)
            def test_y():
                mod = server()
                mod._jobs = {}
        """),
        "server",
        {"cancel_job": [7], "_jobs": [10]},
    ),
    (
        "a generator fixture yielding the module it bound to a name (feedBack's tests)",
        code("""
            import importlib
            import sys
            import pytest
            @pytest.fixture
            def server(monkeypatch):
                sys.modules.pop("server", None)
                srv = importlib.import_module("server")
                yield srv
            def test_x(server, monkeypatch):
                monkeypatch.setattr(server, "_enrich_network_enabled", lambda: True)
        """),
        "server",
        {"_enrich_network_enabled": [10]},
    ),
    (
        "a module bound at run time, its fixture and users in other top-level chunks than the import",
        code("""
            import importlib
            import pytest

            def unrelated():
                return "main"

            @pytest.fixture
            def app_module():
                return importlib.import_module("pkg.main")

            def test_x(app_module, monkeypatch):
                monkeypatch.setattr(app_module, "limit", 3)

            def test_y():
                mod = app_module()
                mod.cache = {}
        """),
        "pkg.main",
        {"limit": [12], "cache": [16]},
    ),
    (
        "the module bound by a parenthesised import inside a test, beside tests importing names from it",
        code("""
            from pkg.main import app

            def test_a():
                from pkg.main import helper
                helper.x = 1

            def test_b():
                from pkg import (
                    other,
                    main as m,
                )
                m.limit = 2
        """),
        "pkg.main",
        {"limit": [12]},
    ),
]


@pytest.mark.parametrize(("source", "old", "expected"), [row[1:] for row in FORMS], ids=[row[0] for row in FORMS])
def test_forms(source: str, old: str, expected: dict[str, list[int]]) -> None:
    assert scan(source, old) == expected


def test_relative_imports_need_the_files_module_name() -> None:
    source = "from . import main\nmain.x = 1\n"
    assert scan(source, module="pkg.tests_helpers") == {"x": [2]}
    assert scan("from .. import main\nmain.y = 1\n", module="pkg.sub.helpers") == {"y": [2]}
    assert scan(source, module=None) == {}  # unknown module: cannot tell what `.` is
    assert scan(source, module="other.tests_helpers") == {}  # `.` is another package


def test_dynamic_names_are_sites_without_a_name() -> None:
    source = "import main\nsetattr(main, name, 1)\nmonkeypatch.setattr(main, 'x', 2)\n"
    sites = find_patch_sites([(Path("t.py"), source)], "main")
    assert [(site.name, site.line, site.form) for site in sites] == [
        (None, 2, "setattr"),
        ("x", 3, "monkeypatch"),
    ]
    assert find_patched_names([(Path("t.py"), source)], "main") == {"x": [("t.py", 3)]}


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        pytest.param("import inspect\nimport main\nsrc = inspect.getsource(main)\n", [3], id="inspect.getsource"),
        pytest.param(
            "from inspect import getsourcelines\nfrom pkg import main\ngetsourcelines(main)\n",
            [],
            id="another module of that name",
        ),
        pytest.param("import main\nimport inspect\ninspect.getsource(main.helper)\n", [], id="one function's source"),
        pytest.param("import main as m\ndef test():\n    assert 'x' in inspect.getsource(m)\n", [3], id="alias"),
    ],
)
def test_reads_of_the_modules_source_text(source: str, lines: list[int]) -> None:
    sites = find_patch_sites([(Path("t.py"), source)], "main")
    assert source_reads(sites) == [("t.py", line) for line in lines]
    assert rebound_names(sites) == {}


def test_a_read_of_one_functions_source_is_named_and_rebinds_nothing() -> None:
    source = "import inspect\nimport main as m\n\ndef test():\n    assert 'x' in inspect.getsource(m.helper)\n"
    sites = find_patch_sites([(Path("t.py"), source)], "main")
    assert function_source_reads(sites) == [("helper", "t.py", 5)]
    assert source_reads(sites) == [] and rebound_names(sites) == {}


def test_files_are_aggregated_sorted_and_unreadable_files_skipped(tmp_path: Path) -> None:
    files = {
        "pkg/tests/test_b.py": "from .. import main\nmain.x = 1\nmain.x = 2\n",
        "pkg/tests/__init__.py": "",
        "tests/test_a.py": 'import pkg.main as m\n\n\nmonkeypatch.setattr(m, "x", 1)\npatch("pkg.main.y")\n',
        "tests/broken.py": "def (:\n",
    }
    sources = [(tmp_path / name, text) for name, text in files.items()]
    found = find_patched_names(sources, "pkg.main", root=tmp_path)
    b, a = str(tmp_path / "pkg/tests/test_b.py"), str(tmp_path / "tests/test_a.py")
    assert found == {"x": sorted([(b, 2), (b, 3), (a, 4)]), "y": [(a, 5)]}


def test_module_name_from_path(tmp_path: Path) -> None:
    assert module_name_from_path(tmp_path / "pkg/api/server.py", tmp_path) == "pkg.api.server"
    assert module_name_from_path(tmp_path / "pkg/__init__.py", tmp_path) == "pkg"
    assert module_name_from_path(tmp_path / "main.py", tmp_path) == "main"
    assert module_name_from_path(Path("/elsewhere/x.py"), tmp_path) is None


def test_init_module_resolves_relative_imports_from_itself() -> None:
    found = find_patched_names(
        [(Path("pkg/__init__.py"), "from . import main\nmain.z = 1\n")], "pkg.main", module_name_for=lambda _: "pkg"
    )
    assert found == {"z": [("pkg/__init__.py", 2)]}
