"""Long lines splitter made are reflowed with ruff one statement at a time; its own docstrings are left alone."""

from __future__ import annotations

from pathlib import Path

from splitter.emit import formatting


def test_generated_docstring_is_not_sent_to_ruff(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(formatting, "_ruff", lambda args, path, text: calls.append(args))
    docstring = '"""Helpers, models and state used only by the channels routes: moved from main.py by splitter."""'
    text = f"{docstring}\n\nimport os\n"
    assert formatting.reflow_long_lines({Path("services/x.py"): text}, set(), 40) == {}
    assert calls == []


def test_other_long_lines_are_sent_to_ruff(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(formatting, "_ruff", lambda args, path, text: calls.append(args))
    text = '"""Short."""\n\nvalue = shared.helper(argument_one, argument_two, argument_three)\n'
    formatting.reflow_long_lines({Path("services/x.py"): text}, set(), 40)
    assert calls == [["format", "--range=3:1-3:66"]]
