"""Import lines added by retargeting land where isort puts them, only in files whose imports were sorted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from splitter.analysis.top_level_chunks import top_level_import_runs
from splitter.emit.import_order import SortSettings, settings_for, tidy_import_text

DEFAULT = SortSettings(root=Path("/nonexistent"), known=(("shop", 3),))


@pytest.mark.parametrize(
    ("original", "retargeted", "expected", "settings"),
    [
        pytest.param(
            "import json\n\nfrom shop import main\n\nX = 1\n",
            "import json\n\nfrom shop.services import shared\nfrom shop.routers import orders\n\nX = 1\n",
            "import json\n\nfrom shop.routers import orders\nfrom shop.services import shared\n\nX = 1\n",
            DEFAULT,
            id="new-lines-sorted",
        ),
        pytest.param(
            "from shop import main\n\n\ndef test_x():\n    pass\n",
            "from shop.services import shared\nfrom shop.services import orders\n\n\ndef test_x():\n    pass\n",
            "from shop.services import orders, shared\n\n\ndef test_x():\n    pass\n",
            DEFAULT,
            id="one-module-merged",
        ),
        pytest.param(
            "import os\n\nimport pytest  # noqa: E402\n\nfrom shop import main  # noqa: E402\n\nA = 1\n",
            "import os\n\nimport pytest  # noqa: E402\n\nfrom shop.services import shared  # noqa: E402\n"
            "from shop.services import auth  # noqa: E402\n\nA = 1\n",
            "import os\n\nimport pytest  # noqa: E402\n\n"
            "from shop.services import auth, shared  # noqa: E402\n\nA = 1\n",
            DEFAULT,
            id="shared-directive-stays-on-the-line",
        ),
        pytest.param(
            "from shop import main\nimport json\n\nX = 1\n",
            "from shop.services import shared\nimport json\n\nX = 1\n",
            "from shop.services import shared\nimport json\n\nX = 1\n",
            DEFAULT,
            id="unsorted-file-left-alone",
        ),
        pytest.param(
            "import json\n\nfrom shop import main\n\n\n\ndef f():\n    pass\n",
            "import json\n\nfrom shop.services import shared\nfrom shop import db\n\n\n\ndef f():\n    pass\n",
            "import json\n\nfrom shop import db\nfrom shop.services import shared\n\n\ndef f():\n    pass\n",
            DEFAULT,
            id="two-blank-lines-before-a-def",
        ),
        pytest.param(
            "import json\n\nimport shop\n",
            "import json\n\nimport shop\nimport mylib\n",
            "import json\n\nimport mylib\nimport shop\n",
            SortSettings(root=Path("/nonexistent"), known=(("shop", 3), ("mylib", 3))),
            id="known-first-party",
        ),
        pytest.param(
            "import json\n\nimport shop\n",
            "import json\n\nimport shop\nimport mylib\n",
            "import json\n\nimport mylib\n\nimport shop\n",
            DEFAULT,
            id="third-party-section-before-first-party",
        ),
        pytest.param(
            "import json\n\nfrom shop import main\nfrom shop.zeta import z\n\nX = 1\n",
            "import json\n\nfrom shop.zulu import alpha\nfrom shop.zeta import z\n\nX = 1\n",
            "import json\n\nfrom shop.zeta import z\nfrom shop.zulu import alpha\n\nX = 1\n",
            DEFAULT,
            id="an-import-line-edited-in-place",
        ),
        pytest.param(
            "import json\n\nfrom shop import zeta\n\n\ndef test_x():\n    import shop.main as m\n    m.x = 1\n",
            "import json\n\nfrom shop import zeta\n\n\n"
            "def test_x():\n    import shop.services.orders as m\n    m.x = 1\n",
            "import json\n\nfrom shop import zeta\n\n\n"
            "def test_x():\n    import shop.services.orders as m\n    m.x = 1\n",
            DEFAULT,
            id="only-a-function-changed",
        ),
        pytest.param(
            "import json\n\nfrom shop import main\n\n\ndef test_a():\n    pass\n\n\nimport os\n\n"
            "from shop import zeta\n\n\n@decorator\ndef test_b():\n    pass\n",
            "import json\n\nfrom shop.services import c\n\n\ndef test_a():\n    pass\n\n\nimport os\n\n"
            "from shop.services import b\nfrom shop.routers import a\n\n\n@decorator\ndef test_b():\n    pass\n",
            "import json\n\nfrom shop.services import c\n\n\ndef test_a():\n    pass\n\n\nimport os\n\n"
            "from shop.routers import a\nfrom shop.services import b\n\n\n@decorator\ndef test_b():\n    pass\n",
            DEFAULT,
            id="a-block-between-tests-before-a-decorated-one",
        ),
    ],
)
def test_tidy_import_text(original: str, retargeted: str, expected: str, settings: SortSettings) -> None:
    assert tidy_import_text(original, retargeted, settings) == expected
    assert tidy_import_text(expected, expected, settings) == expected
    # given the original's tree, files whose import blocks no edit touched are not parsed again: same answer
    assert tidy_import_text(original, retargeted, settings, top_level_import_runs(ast.parse(original))) == expected


@pytest.mark.parametrize(
    ("config_name", "config", "first_party", "line_length"),
    [
        pytest.param(
            "pyproject.toml",
            '[tool.ruff]\nline-length = 99\n[tool.ruff.lint.isort]\nknown-first-party = ["acme"]\n',
            "acme",
            99,
            id="ruff-in-pyproject",
        ),
        pytest.param(
            "ruff.toml", 'line-length = 101\n[lint.isort]\nknown-first-party = ["beta"]\n', "beta", 101, id="ruff-toml"
        ),
        pytest.param(
            "pyproject.toml",
            '[tool.isort]\nprofile = "black"\nknown_first_party = ["gamma"]\nline_length = 90\n',
            "gamma",
            90,
            id="isort-in-pyproject",
        ),
    ],
)
def test_settings_come_from_the_nearest_configuration(tmp_path: Path, config_name, config, first_party, line_length):
    (tmp_path / config_name).write_text(config)
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    settings = settings_for(tmp_path / "pkg" / "sub", tmp_path)
    assert settings.line_length == line_length
    assert (first_party, 3) in settings.known


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("from m import (\n    a,\n    b,\n)\n", id="no-comment"),
        pytest.param("from m import (  # why\n    a,\n)\n", id="after-the-parenthesis"),
        pytest.param("from m import (\n    a,  # why\n    b,\n)\n", id="after-a-comma"),
        pytest.param("from m import (\n    a,\n    # about b\n    b,\n)\n", id="a-line-of-its-own"),
        pytest.param("from m import (\n    a  # why\n    , b\n)\n", id="before-a-comma"),
        pytest.param("from m import (a as  # why\n    b)\n", id="inside-an-alias"),
        pytest.param("from m import (\n    a\n    # last\n)\n", id="before-the-closing-parenthesis"),
        pytest.param("from m import (a, b)  # outside\n", id="the-line-s-own-comment-is-not-inside"),
    ],
)
def test_holds_comment_is_what_the_written_import_shows(statement: str) -> None:
    import libcst as cst

    from splitter.emit.import_order import holds_comment

    small = cst.parse_statement(statement).body[0]
    assert holds_comment(small) == ("#" in cst.Module(body=[]).code_for_node(small))
