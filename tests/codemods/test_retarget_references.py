"""RetargetReferences: one (before, after) row per construct, each also checked to be a fixed point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from splitter.codemods.retarget_references import Relocation, retarget_source
from tests.helpers import check_noop, check_transformed, code

REPO = Path(__file__).resolve().parents[2]

RELOCATION = Relocation(
    "pkg.main",
    {
        "helper": "pkg.services.shared",
        "get_client": "pkg.services.shared",
        "COUNT": "pkg.services.shared",
        "_jobs": "pkg.services.orders",
        "db": "pkg",  # `from . import db` in pkg/main.py: a sibling module, imported by name
    },
)
TOP_LEVEL = Relocation("main", {"get_client": "services.shared", "db": ""})


# (id, before, after, module name of the file being rewritten)
ROWS = [
    (
        "from-import keeps unmoved names",
        "from pkg.main import app, helper\n",
        "from pkg.main import app\nfrom pkg.services.shared import helper\n",
        "tests.test_api",
    ),
    (
        "from-import fully moved, aliases kept, one import per home",
        "from pkg.main import helper, _jobs as jobs, get_client\n",
        "from pkg.services.shared import helper, get_client\nfrom pkg.services.orders import _jobs as jobs\n",
        "tests.test_api",
    ),
    (
        "parenthesized from-import",
        code("""
            from pkg.main import (
                app,
                helper,
            )
        """),
        code("""
            from pkg.main import (
                app,
            )
            from pkg.services.shared import helper
        """),
        "tests.test_api",
    ),
    (
        "noqa comment follows every split line",
        "from pkg.main import app, helper  # noqa: F401\n",
        "from pkg.main import app  # noqa: F401\nfrom pkg.services.shared import helper  # noqa: F401\n",
        "tests.test_api",
    ),
    (
        "from-import inside a function stays local",
        code("""
            def test_x():
                from pkg.main import app, helper
                assert helper(app)
        """),
        code("""
            def test_x():
                from pkg.main import app
                from pkg.services.shared import helper
                assert helper(app)
        """),
        "tests.test_api",
    ),
    (
        "semicolon-separated statements",
        "import os; from pkg.main import app, helper\n",
        "import os; from pkg.main import app; from pkg.services.shared import helper\n",
        "tests.test_api",
    ),
    (
        "sibling module imported from the old module",
        "from pkg.main import db as database\n",
        "from pkg import db as database\n",
        "tests.test_api",
    ),
    (
        "attribute call through an alias; the dead alias import is removed",
        "from pkg import main\n\n\ndef test_x():\n    assert main.helper() == 1\n",
        "from pkg.services import shared\n\n\ndef test_x():\n    assert shared.helper() == 1\n",
        "tests.test_api",
    ),
    (
        "store, augmented store and del through an alias",
        code("""
            from pkg import main

            main.helper = fake
            main.COUNT += 1
            del main._jobs
        """),
        code("""
            from pkg.services import shared
            from pkg.services import orders

            shared.helper = fake
            shared.COUNT += 1
            del orders._jobs
        """),
        "tests.test_api",
    ),
    (
        "alias kept while unmoved names still use it",
        "from pkg import main\n\nclient = TestClient(main.app)\nmain.helper()\n",
        "from pkg import main\nfrom pkg.services import shared\n\nclient = TestClient(main.app)\nshared.helper()\n",
        "tests.test_api",
    ),
    (
        "chains: only the first attribute is retargeted",
        "import pkg.main as server\n\nserver.helper.cache_clear()\nserver.db.DB_PATH = path\n",
        "from pkg.services import shared\nfrom pkg import db\n\nshared.helper.cache_clear()\ndb.DB_PATH = path\n",
        "tests.test_api",
    ),
    (
        "dotted import of the old module",
        "import pkg.main\n\npkg.main.helper()\n",
        "import pkg.services.shared\n\npkg.services.shared.helper()\n",
        "tests.test_api",
    ),
    (
        "dotted import kept while still used",
        "import pkg.main\n\npkg.main.helper()\npkg.main.app\n",
        "import pkg.main\nimport pkg.services.shared\n\npkg.services.shared.helper()\npkg.main.app\n",
        "tests.test_api",
    ),
    (
        "one alias of a multi-name import removed",
        "import os, pkg.main as m\n\nm.helper(os.sep)\n",
        "import os\nfrom pkg.services import shared\n\nshared.helper(os.sep)\n",
        "tests.test_api",
    ),
    (
        "reading a sibling module by name through a dotted import",
        'import pkg.main\n\ngetattr(pkg.main, "db")\n',
        'import pkg\n\ngetattr(pkg, "db")\n',
        "tests.test_api",
    ),
    (
        "monkeypatch.setattr / delattr with the module object",
        code("""
            from pkg import main

            def test_x(monkeypatch):
                monkeypatch.setattr(main, "helper", lambda: 1)
                monkeypatch.delattr(main, "_jobs")
                monkeypatch.setattr(main.db, "DB_PATH", "x.db")
                monkeypatch.setattr(target=main, name="COUNT", value=0)
        """),
        code("""
            from pkg.services import shared
            from pkg.services import orders
            from pkg import db

            def test_x(monkeypatch):
                monkeypatch.setattr(shared, "helper", lambda: 1)
                monkeypatch.delattr(orders, "_jobs")
                monkeypatch.setattr(db, "DB_PATH", "x.db")
                monkeypatch.setattr(target=shared, name="COUNT", value=0)
        """),
        "tests.test_api",
    ),
    (
        "builtin setattr / getattr / hasattr / delattr",
        code("""
            import pkg.main as m
            setattr(m, "helper", f)
            getattr(m, "helper")
            hasattr(m, "COUNT")
            delattr(m, "get_client")
        """),
        code("""
            from pkg.services import shared
            setattr(shared, "helper", f)
            getattr(shared, "helper")
            hasattr(shared, "COUNT")
            delattr(shared, "get_client")
        """),
        "tests.test_api",
    ),
    (
        "patch.object in all spellings",
        code("""
            from unittest import mock
            from unittest.mock import patch
            from pkg import main

            @patch.object(main, "helper")
            def test_x(mocker):
                mocker.patch.object(main, "get_client", return_value=1)
                with mock.patch.object(main, "_jobs", {}):
                    pass
        """),
        code("""
            from unittest import mock
            from unittest.mock import patch
            from pkg.services import shared
            from pkg.services import orders

            @patch.object(shared, "helper")
            def test_x(mocker):
                mocker.patch.object(shared, "get_client", return_value=1)
                with mock.patch.object(orders, "_jobs", {}):
                    pass
        """),
        "tests.test_api",
    ),
    (
        "string targets: decorator, context manager, call, monkeypatch, patch.dict",
        code("""
            @patch("pkg.main.helper")
            @mock.patch('pkg.main.db.DB_PATH', "x.db")
            def test_x(mocker, monkeypatch):
                with mock.patch("pkg.main.get_client.timeout", 1):
                    mocker.patch(target="pkg.main.helper")
                monkeypatch.setattr("pkg.main.COUNT", 3)
                monkeypatch.delattr("pkg.main._jobs")
                patch.dict("pkg.main._jobs", {"a": 1})
        """),
        code("""
            @patch("pkg.services.shared.helper")
            @mock.patch('pkg.db.DB_PATH', "x.db")
            def test_x(mocker, monkeypatch):
                with mock.patch("pkg.services.shared.get_client.timeout", 1):
                    mocker.patch(target="pkg.services.shared.helper")
                monkeypatch.setattr("pkg.services.shared.COUNT", 3)
                monkeypatch.delattr("pkg.services.orders._jobs")
                patch.dict("pkg.services.orders._jobs", {"a": 1})
        """),
        "tests.test_api",
    ),
    (
        "patch.multiple with one home",
        code("""
            from pkg import main
            patch.multiple("pkg.main", helper=DEFAULT, get_client=DEFAULT)
            patch.multiple(main, helper=f)
        """),
        code("""
            from pkg.services import shared
            patch.multiple("pkg.services.shared", helper=DEFAULT, get_client=DEFAULT)
            patch.multiple(shared, helper=f)
        """),
        "tests.test_api",
    ),
    (
        "alias clash: `shared` is taken, the home gets a longer name",
        "from pkg import main\n\nshared = {}\nmain.helper()\n",
        "from pkg.services import shared as services_shared\n\nshared = {}\nservices_shared.helper()\n",
        "tests.test_api",
    ),
    (
        "an existing import of the home module is reused",
        "from pkg.services import shared\nfrom pkg import main\n\nmain.helper()\n",
        "from pkg.services import shared\n\nshared.helper()\n",
        "tests.test_api",
    ),
    (
        "an existing aliased import of the home module is reused",
        "import pkg.services.shared as s\nfrom pkg import main\n\nmain.helper()\n",
        "import pkg.services.shared as s\n\ns.helper()\n",
        "tests.test_api",
    ),
    (
        "dotted use reuses a from-import of the home (the dotted import goes away)",
        "import pkg.main\nfrom pkg.services import shared\n\npkg.main.helper()\n",
        "from pkg.services import shared\n\nshared.helper()\n",
        "tests.test_api",
    ),
    (
        "alias imported inside a function: home import goes there",
        "def test_x(monkeypatch):\n    from pkg import main\n    monkeypatch.setattr(main, 'helper', f)\n",
        "def test_x(monkeypatch):\n    from pkg.services import shared\n    monkeypatch.setattr(shared, 'helper', f)\n",
        "tests.test_api",
    ),
    (
        "a parameter named like the alias is not the module",
        "from pkg import main\n\n\ndef test_x(main):\n    main.helper()\n\n\ndef test_y():\n    main.helper()\n",
        "from pkg.services import shared\n\n\ndef test_x(main):\n    main.helper()\n\n\n"
        "def test_y():\n    shared.helper()\n",
        "tests.test_api",
    ),
    (
        "relative imports in a package module keep their depth",
        "from .main import app, helper\nfrom . import main\n\nmain.get_client()\n",
        "from .main import app\nfrom .services.shared import helper\nfrom .services import shared\n\n"
        "shared.get_client()\n",
        "pkg.tests_helpers",
    ),
    (
        "annotations, decorators and defaults read through the alias",
        code("""
            from pkg import main

            @main.helper
            def test_x(client: main.get_client = main.COUNT) -> main.helper:
                value: main.get_client = None
        """),
        code("""
            from pkg.services import shared

            @shared.helper
            def test_x(client: shared.get_client = shared.COUNT) -> shared.helper:
                value: shared.get_client = None
        """),
        "tests.test_api",
    ),
    (
        "non-ASCII text before a use on its line (ast counts bytes, libcst characters)",
        "from pkg import main\nx = 'é€'; y = main.helper\n",
        "from pkg.services import shared\nx = 'é€'; y = shared.helper\n",
        "tests.test_api",
    ),
    (
        "relative imports three levels down",
        "from ...main import app, helper, db\n",
        "from ...main import app\nfrom ...services.shared import helper\nfrom ... import db\n",
        "pkg.sub.deep.mod",
    ),
    (
        "function-local import emptied while the module-level one takes the home import: removed",
        code("""
            from pkg import main


            def test_x():
                from pkg import main as m
                assert m.helper() == main.COUNT
        """),
        code("""
            from pkg.services import shared


            def test_x():
                assert shared.helper() == shared.COUNT
        """),
        "tests.test_api",
    ),
    (
        "an emptied local import alone in its block becomes `pass`",
        code("""
            from pkg import main


            def test_x():
                try:
                    from pkg import main as m
                except ImportError:
                    raise
                assert m.helper() == main.COUNT
        """),
        code("""
            from pkg.services import shared


            def test_x():
                try:
                    pass
                except ImportError:
                    raise
                assert shared.helper() == shared.COUNT
        """),
        "tests.test_api",
    ),
    (
        "the old module imported twice in one block: each import binds the homes of the reads it reaches",
        code("""
            def main():
                from pkg import main as m
                first = m.helper()
                from pkg import main as m
                return first, m._jobs
        """),
        code("""
            def main():
                from pkg.services import shared
                first = shared.helper()
                from pkg.services import orders
                return first, orders._jobs
        """),
        "desktop",
    ),
    (
        "the old module imported twice in one block, a closure reads the first import's binding",
        code("""
            def main():
                from pkg import main as m
                first = m.helper()
                callbacks.append(lambda: m._jobs)
                from pkg import main as m
                return first, m.COUNT
        """),
        code("""
            def main():
                from pkg.services import shared
                from pkg.services import orders
                first = shared.helper()
                callbacks.append(lambda: orders._jobs)
                from pkg.services import shared
                return first, shared.COUNT
        """),
        "desktop",
    ),
    (
        "the old module imported in two branches: a read after both may see either, each binds its home",
        code("""
            def main():
                if fast:
                    from pkg import main as m
                else:
                    from pkg import main as m
                return m._jobs
        """),
        code("""
            def main():
                if fast:
                    from pkg.services import orders
                else:
                    from pkg.services import orders
                return orders._jobs
        """),
        "desktop",
    ),
    (
        "an emptied import in a class body stays: it binds a class attribute",
        code("""
            from pkg import main


            class T:
                from pkg import main as m
                x = m.helper() + main.COUNT
        """),
        code("""
            from pkg.services import shared


            class T:
                from pkg import main as m
                x = shared.helper() + shared.COUNT
        """),
        "tests.test_api",
    ),
]

TOP_LEVEL_ROWS = [
    (
        "top-level module: from-import",
        "from main import app, get_client\n",
        "from main import app\nfrom services.shared import get_client\n",
        "test_main",
    ),
    (
        "top-level module: string target",
        '@patch("main.get_client")\ndef test_x(m):\n    pass\n',
        '@patch("services.shared.get_client")\ndef test_x(m):\n    pass\n',
        "test_main",
    ),
    (
        "top-level module: attribute and sibling top-level module",
        "import main\n\nmain.get_client()\nmain.db.DB_PATH = p\n",
        "from services import shared\nimport db\n\nshared.get_client()\ndb.DB_PATH = p\n",
        "test_main",
    ),
    (
        "top-level module: importing a sibling through it",
        "from main import db, app\n",
        "from main import app\nimport db\n",
        "test_main",
    ),
    (
        "top-level module: sys.path set up before the import is respected",
        'import sys\nsys.path.insert(0, "src")\nimport main\n\nmain.get_client()\n',
        'import sys\nsys.path.insert(0, "src")\nfrom services import shared\n\nshared.get_client()\n',
        None,
    ),
]


@pytest.mark.parametrize(("before", "after", "module"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_rewrites(before: str, after: str, module: str) -> None:
    check_transformed(lambda source: retarget_source(source, RELOCATION, module), before, after)


@pytest.mark.parametrize(
    ("before", "after", "module"), [row[1:] for row in TOP_LEVEL_ROWS], ids=[row[0] for row in TOP_LEVEL_ROWS]
)
def test_rewrites_top_level_module(before: str, after: str, module: str | None) -> None:
    check_transformed(lambda source: retarget_source(source, TOP_LEVEL, module), before, after)


# Which import a read reaches, by Python's rules (splitter's scope model, checked against symtable): a read sees
# every binding of its name in the scope it resolves to, and the flow picks one, so it is retargeted only when
# all of them import the old module. libcst's ScopeProvider, which this codemod used before, answered each of
# these differently (it counted only the bindings above a read in its own scope and not `del`).
SCOPE_RULES = [
    (
        "a function's import binds its name in the whole function: a read above it in a loop is that import",
        code("""
            def test_retry():
                for attempt in range(2):
                    if attempt:
                        main.helper()
                    from pkg import main
        """),
        code("""
            def test_retry():
                for attempt in range(2):
                    if attempt:
                        shared.helper()
                    from pkg.services import shared
        """),
    ),
    (
        "a module-level read above the only import of the name is that import (unbound there either way)",
        "main.helper()\nfrom pkg import main\n",
        "shared.helper()\nfrom pkg.services import shared\n",
    ),
    (
        "a name rebound in a loop: the read may see either binding, so it stays",
        "from pkg import main\n\nfor attempt in range(2):\n    main.helper()\n    main = fake\n",
        "from pkg import main\n\nfor attempt in range(2):\n    main.helper()\n    main = fake\n",
    ),
    (
        "`del main` makes the name local to the function: its nested function reads that, not the import",
        "from pkg import main\n\n\ndef test_x():\n    def inner():\n        return main.helper\n    del main\n",
        "from pkg import main\n\n\ndef test_x():\n    def inner():\n        return main.helper\n    del main\n",
    ),
    (
        "an assignment anywhere in a function makes the name local: a read above it is not the module",
        "from pkg import main\n\n\ndef test_x():\n    value = main.COUNT\n    main = None\n",
        "from pkg import main\n\n\ndef test_x():\n    value = main.COUNT\n    main = None\n",
    ),
    (
        "`pkg` rebound after `import pkg.main`: `pkg.main.x` reads the new `pkg`, so it stays",
        "import pkg.main\npkg = 1\npkg.main.helper()\n",
        "import pkg.main\npkg = 1\npkg.main.helper()\n",
    ),
    (
        "a class body reads its own binding or, before that runs, the module's: a class attribute `main` keeps it",
        "from pkg import main\n\n\nclass TestApi:\n    helper = main.helper\n    main = None\n",
        "from pkg import main\n\n\nclass TestApi:\n    helper = main.helper\n    main = None\n",
    ),
    (
        "a string in cast() is never evaluated: it does not keep the import",
        "from typing import cast\n\nfrom pkg import main\n\nvalue = cast('main.Helper', main.helper())\n",
        "from typing import cast\n\nfrom pkg.services import shared\n\nvalue = cast('main.Helper', shared.helper())\n",
    ),
]


@pytest.mark.parametrize(("before", "after"), [row[1:] for row in SCOPE_RULES], ids=[row[0] for row in SCOPE_RULES])
def test_reads_follow_pythons_scoping(before: str, after: str) -> None:
    if before == after:
        check_noop(lambda source: retarget_source(source, RELOCATION, "tests.test_api"), before)
    else:
        check_transformed(lambda source: retarget_source(source, RELOCATION, "tests.test_api"), before, after)


UNCHANGED = [
    (
        "file that never mentions the old module, odd formatting kept",
        "import os  ,  sys # comment\nx = ( 1,\n  2 )\r\nhelper = 'pkg.mainframe.helper'\n",
    ),
    (
        "names that did not move",
        code("""
            from pkg import main
            from pkg.main import app, other

            def test_x(monkeypatch):
                monkeypatch.setattr(main, "other", 1)
                main.app.title = "x"
                with patch("pkg.main.other"):
                    pass
        """),
    ),
    ("a string that only looks like the module", 'patch("pkg.mainframe.helper")\nprint("pkg.main.helper")\n'),
    ("an escaped string is not rewritten textually", 'patch("pkg.main.\\x68elper")\n'),
    ("a parameter shadowing the alias, without any import", "def test_x(main):\n    main.helper = 1\n"),
    ("the `pkg` of `import pkg.other` is not the old module", "import pkg.other\n\npkg.helper()\n"),
]


@pytest.mark.parametrize("source", [row[1] for row in UNCHANGED], ids=[row[0] for row in UNCHANGED])
def test_unchanged_byte_identical(source: str) -> None:
    warnings: list[str] = []
    assert retarget_source(source, RELOCATION, "tests.test_api", warnings=warnings) == source
    assert warnings == []


def test_package_init_resolves_relative_imports_from_itself() -> None:
    source = "from .main import app, helper\n"
    after = retarget_source(source, RELOCATION, "pkg", is_package=True)
    assert after == "from .main import app\nfrom .services.shared import helper\n"


def test_the_old_module_itself_is_left_alone() -> None:
    source = "from pkg import db\nfrom pkg.main import helper\n"
    assert retarget_source(source, RELOCATION, "pkg.main") == source


# (id, source, fragment of the single expected warning)
REPORTED = [
    (
        "non-literal attribute name",
        "from pkg import main\ngetattr(main, name)\n",
        "line 2: attribute name is not a literal",
    ),
    (
        "dynamic import",
        'import importlib\nm = importlib.import_module("pkg.main")\n',
        "line 2: dynamic import",
    ),
    ("star import", "from pkg.main import *\n", "line 1: star import"),
    ("rebinding a sibling module", "from pkg import main\nmain.db = fake\n", "line 2: rebinding `db` itself"),
    (
        "setattr of a sibling module",
        "import pkg.main as m\nsetattr(m, 'db', fake)\n",
        "line 2: rebinding `db`",
    ),
    ("patching a sibling module", 'patch("pkg.main.db")\n', "line 1: rebinding `db` itself"),
    (
        "patch.multiple across homes",
        'patch.multiple("pkg.main", helper=f, _jobs={})\n',
        "line 1: patch.multiple names now live in different modules",
    ),
]


@pytest.mark.parametrize(("source", "fragment"), [row[1:] for row in REPORTED], ids=[row[0] for row in REPORTED])
def test_reported_not_rewritten(source: str, fragment: str) -> None:
    warnings: list[str] = []
    assert retarget_source(source, RELOCATION, "tests.test_api", warnings=warnings) == source
    assert len(warnings) == 1 and fragment in warnings[0], warnings


def test_reported_use_keeps_the_alias_import_while_other_uses_are_rewritten() -> None:
    source = "from pkg import main\nmain.helper()\ngetattr(main, name)\n"
    warnings: list[str] = []
    after = retarget_source(source, RELOCATION, "tests.test_api", warnings=warnings)
    assert after == "from pkg import main\nfrom pkg.services import shared\nshared.helper()\ngetattr(main, name)\n"
    assert len(warnings) == 1


# ---- the result runs: a split package, a test suite written against the monolith --------------------------

SPLIT_PACKAGE = {
    "shop/__init__.py": "",
    "shop/db.py": 'DB_PATH = "real.db"\n',
    "shop/services/__init__.py": "",
    "shop/services/shared.py": code("""
        from shop import db

        def get_client():
            return "real"

        def describe():
            return f"{get_client()}@{db.DB_PATH}"
    """),
    # after the split the old module keeps the app and re-exports none of the moved names
    "shop/main.py": code("""
        from shop.services import shared

        app = "APP"

        def endpoint():
            return shared.describe()
    """),
}

SUITE_AGAINST_MONOLITH = code("""
    from unittest import mock

    from shop import main
    from shop.main import app, get_client


    def test_monkeypatch_through_old_module(monkeypatch):
        monkeypatch.setattr(main, "get_client", lambda: "fake")
        monkeypatch.setattr(main.db, "DB_PATH", "tmp.db")
        assert main.endpoint() == "fake@tmp.db"


    @mock.patch("shop.main.get_client", return_value="mocked")
    def test_patch_decorator(_mocked):
        assert main.endpoint() == "mocked@real.db"


    def test_assignment_through_old_module():
        original = main.get_client
        main.get_client = lambda: "assigned"
        try:
            assert main.endpoint() == "assigned@real.db"
        finally:
            main.get_client = original


    def test_direct_imports():
        assert get_client() == "real"
        assert app == "APP"
""")

SHOP_MOVED = {"get_client": "shop.services.shared", "describe": "shop.services.shared", "db": "shop"}


def _run_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_shop.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_retargeted_suite_passes_against_the_split_package(tmp_path: Path) -> None:
    for relative, text in SPLIT_PACKAGE.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    test_file = tmp_path / "tests" / "test_shop.py"
    test_file.parent.mkdir()
    test_file.write_text(SUITE_AGAINST_MONOLITH)
    assert _run_pytest(tmp_path).returncode != 0  # the untouched suite no longer works after the split

    # through the libcst command line from the project's own folder, as documented (docs/codemods.md)
    command = [
        sys.executable, "-m", "libcst.tool", "codemod", "-x",
        "splitter.codemods.retarget_references.RetargetReferences",
        "--old-module", "shop.main", "--moved", json.dumps(SHOP_MOVED), "--no-format", "-j", "1", "--hide-progress",
        "tests/test_shop.py",
    ]  # fmt: skip
    tool = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tool.returncode == 0, tool.stderr
    expected = retarget_source(SUITE_AGAINST_MONOLITH, Relocation("shop.main", SHOP_MOVED), "tests.test_shop")
    assert test_file.read_text() == expected
    assert "from shop.services.shared import get_client" in expected

    result = _run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
