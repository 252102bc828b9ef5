"""The generated compatibility module: laid out as ruff format keeps it, and its HOMES table reads back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from splitter.emit.compat import compat_source, existing_homes

NAMES = "PlainTextResponse cancel_order get_order get_order_timeline list_orders order_invoice order_notes".split()


@pytest.mark.parametrize(
    ("names", "line_length"),
    [
        pytest.param(NAMES[:2], 120, id="one-line-entry"),
        pytest.param(NAMES + ["refund_order"], 120, id="one-string-exactly-at-the-limit"),
        pytest.param(NAMES + ["refund_order", "x"], 120, id="one-character-over-the-limit"),
        pytest.param(NAMES * 4, 88, id="several-pieces"),
        pytest.param(NAMES * 4, 79, id="pep8-line-length"),
    ],
)
def test_ruff_format_leaves_it_as_written(names: list[str], line_length: int, tmp_path: Path) -> None:
    homes = {"shopapi.routers.orders": names, "shopapi.core": ["settings"]}
    path = tmp_path / "compat.py"
    path.write_text(compat_source(homes, "main.py", "shopapi.main", "by splitter", line_length))
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", str(line_length), str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    assert existing_homes(path) == {home: sorted(set(n)) for home, n in homes.items()}


@pytest.mark.parametrize("route_reads", [False, True])
def test_a_long_module_name_keeps_every_line_within_the_length(route_reads: bool, tmp_path: Path) -> None:
    """Its docstrings and comments name the module: refilled, they pass E501 and ruff format as they are (a ruff
    process per long line in a ruff-formatted project would not shorten them)."""
    homes = {"family_office_ledger.api.core": ["settings"]}
    text = compat_source(homes, "routes.py", "family_office_ledger.api.routes", "by splitter", 88, (), route_reads)
    path = tmp_path / "compat.py"
    path.write_text(text)
    for check in (["check", "--select", "E501"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *check, "--line-length", "88", "--no-cache", str(path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout
    assert "still attributes of\nfamily_office_ledger.api.routes.\n" in text
