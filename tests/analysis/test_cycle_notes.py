"""A module too big for its file because its statements refer to each other in a cycle: the size note names the
cycle, the one thing the user can change (fixtures/regressions/helpers_in_a_reference_cycle_too_big_for_a_file)."""

from __future__ import annotations

from pathlib import Path

from splitter.analysis.analyze import analyze_source
from splitter.planning.planner import PlanOptions, make_plan

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "regressions"
CYCLE = FIXTURE / "helpers_in_a_reference_cycle_too_big_for_a_file" / "server.py"


def size_notes(source: str, max_lines: int) -> list[str]:
    plan = make_plan(analyze_source(source, Path("server.py")), PlanOptions(max_lines=max_lines))
    return [w for w in plan.warnings if "cannot stay under" in w]


def test_the_note_names_the_cycle_instead_of_asking_for_a_plan_edit_that_cannot_work() -> None:
    notes = size_notes(CYCLE.read_text(), 45)
    assert len(notes) == 1, notes
    assert "(`Session` uses `relay_reply`, which uses `sessions`, which uses `Session`)" in notes[0]
    assert "give part of it to another group" not in notes[0]
    assert notes[0].startswith("server.py:16: services/shared.py cannot stay under 45 lines")


def test_a_cycle_closed_only_by_a_string_annotation_says_so() -> None:
    """`record_turn(session: "Session")` needs `Session` imported for get_type_hints(): it ties the cycle, and
    the note says where, since nothing in the body reads the class."""
    longer = '"""Keep the reply as the latest turn.' + "\n    A line of prose." * 12 + '\n    """'
    source = CYCLE.read_text().replace("reply = relay_reply(self, text)", "reply = text")
    short = '"""Keep the reply as the session\'s latest turn (what /messages/{name}/last shows)."""'
    source = source.replace(short, longer)
    note = size_notes(source, 45)[0]
    assert "(`Session` uses `record_turn`, which uses `Session` (in a string annotation))" in note, note


def test_the_same_helpers_without_a_cycle_are_cut_into_two_modules_and_need_no_note() -> None:
    """What the cycle prevents: with the registry passed in and no string annotation naming the class back,
    `split_oversized` puts them apart."""
    source = CYCLE.read_text().replace("for other in sessions.values()", "for other in session.peers")
    source = source.replace('session: "Session"', "session")
    plan = make_plan(analyze_source(source, Path("server.py")), PlanOptions(max_lines=45))
    placement = plan.placement()
    assert placement["Session"] != placement["relay_reply"], placement
    assert not [w for w in plan.warnings if "cannot stay under" in w], plan.warnings
