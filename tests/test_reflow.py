"""Long lines splitter made are reflowed with ruff one statement at a time; its own docstrings are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitter.emit import formatting


def test_generated_docstring_is_not_sent_to_ruff(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(formatting, "_ruff", lambda args, path, text: calls.append(args))
    docstring = '"""Helpers, models and state used only by the channels routes: moved from main.py by splitter."""'
    text = f"{docstring}\n\nimport os\n"
    assert formatting.reflow_lines({Path("services/x.py"): (text, formatting.long_lines(text, set(), 40))}) == {}
    assert calls == []


def test_other_long_lines_are_sent_to_ruff(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(formatting, "_ruff", lambda args, path, text: calls.append(args))
    text = '"""Short."""\n\nvalue = shared.helper(argument_one, argument_two, argument_three)\n'
    formatting.reflow_lines({Path("services/x.py"): (text, formatting.long_lines(text, set(), 40))})
    assert calls == [["format", "--range=3:1-3:66"]]


def test_consecutive_long_lines_take_one_ruff_process(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(formatting, "_ruff", lambda args, path, text: calls.append(args))
    long = "value = shared.helper(argument_one, argument_two, argument_three)\n"
    text = f"import os\n{long}{long}\nx = 1\n{long}"
    formatting.reflow_lines({Path("services/x.py"): (text, formatting.long_lines(text, set(), 40))})
    assert calls[0] == ["format", "--range=6:1-6:66"]  # bottom up; the first call's None result ends the file
    assert formatting._runs([2, 3, 6, 8, 9, 10]) == [(2, 3), (6, 6), (8, 10)]


def test_a_run_of_long_lines_formats_as_the_lines_one_by_one(tmp_path: Path) -> None:
    long = "value = shared.helper(argument_one, argument_two, argument_three, argument_four, argument_five)\n"
    text = f"import os\n{long}{long.replace('value', 'other')}\nx = 1\n"
    path = tmp_path / "x.py"
    together = formatting.reflow_lines({path: (text, [2, 3])})[path]
    one_by_one = text
    for number in (3, 2):
        one_by_one = formatting.reflow_lines({path: (one_by_one, [number])})[path]
    assert together == one_by_one != text


FORMATTED = 'value = {"a": 1}\n'
UNFORMATTED = "value = {'a':1}\n"


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        pytest.param(FORMATTED, True, id="formatted"),
        pytest.param(UNFORMATTED, False, id="not-formatted"),
        pytest.param("def broken(:\n", False, id="not-python"),
    ],
)
def test_the_check_started_early_answers_as_the_one_asked_late(tmp_path: Path, text: str, passes: bool) -> None:
    path = tmp_path / "main.py"
    early = formatting.RuffFormattedCheck(path, text)
    assert early.passed() is passes
    assert formatting.ruff_formatted(path, text) is passes
    early.cancel()  # after the answer: nothing left to stop


def test_the_check_started_early_says_no_without_ruff(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(formatting, "ruff_executable", lambda: str(tmp_path / "no-ruff-here"))
    early = formatting.RuffFormattedCheck(tmp_path / "main.py", FORMATTED)
    assert early.passed() is False


def test_a_check_no_one_asks_is_stopped(tmp_path: Path) -> None:
    early = formatting.RuffFormattedCheck(tmp_path / "main.py", FORMATTED * 20_000)
    early.cancel()
    assert early._process is not None and early._process.poll() is not None


HUGGED = "def f():\n    call(\n        core.x, 'a'\n    )\n"


@pytest.mark.parametrize(
    ("text", "known", "width", "expected"),
    [
        pytest.param(HUGGED, set(), 88, [3], id="fits one line now"),
        pytest.param(HUGGED, {"        core.x, 'a'"}, 88, [], id="a line splitter did not change"),
        pytest.param(HUGGED, set(), 20, [], id="still too long for one line"),
        pytest.param(HUGGED.replace("'a'\n", "'a',\n"), set(), 88, [], id="a magic trailing comma keeps it"),
        pytest.param("x = [\n    1,\n    2,\n]\n", set(), 88, [], id="one element per line"),
    ],
)
def test_lines_ruff_would_join(text: str, known: set[str], width: int, expected: list[int]) -> None:
    assert formatting.joinable_lines(text, known, width) == expected
