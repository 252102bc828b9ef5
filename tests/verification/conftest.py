"""Fixtures for verification tests; sample apps and helpers live in verification_support.py."""

from __future__ import annotations

import textwrap

import pytest

# `splitter` is found through tests/conftest.py (and the editable install); `verification_support` sits
# next to this file, whose directory pytest puts on sys.path before importing it.
from verification_support import fresh_file_name, load_module

from splitter.verification.snapshot import snapshot_app


@pytest.fixture
def snap(tmp_path):
    """snap(source) -> in-process snapshot of the `app` defined by `source`."""

    def take(source: str, attribute: str = "app") -> dict:
        path = tmp_path / fresh_file_name()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return snapshot_app(getattr(load_module(path), attribute))

    return take
