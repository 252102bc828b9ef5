"""Every plan splitter writes, it reads back as the same plan: at tight size limits too, where groups become
packages and overflow modules appear (a df-storyteller plan once named an overflow module its reader refused),
and `apply --plan` carries out an unedited plan as written (UTXOracle's helpers overflowed into the module of a
run of their own group's routes, which `apply` took for a hand edit and refused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from splitter.analysis.analyze import analyze_file
from splitter.planning.plan_edits import follow_edits
from splitter.planning.plan_io import plan_from_json, plan_to_json
from splitter.planning.planner import PlanOptions, make_plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MONOLITHS = [
    FIXTURES / "shopapi" / "shopapi" / "main.py",
    FIXTURES / "notes_backend" / "main.py",
    FIXTURES / "regressions" / "oversized_groups_cut_into_runs" / "server.py",
    FIXTURES / "regressions" / "helpers_overflow_beside_a_run" / "server.py",
]


@pytest.mark.parametrize("max_lines", [pytest.param(n, id=f"max_lines={n}") for n in (500, 120, 60)])
@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in MONOLITHS])
def test_a_written_plan_reads_back_unchanged(path: Path, max_lines: int) -> None:
    analysis = analyze_file(path)
    plan = make_plan(analysis, PlanOptions(max_lines=max_lines, main_max_lines=max_lines))
    again = plan_from_json(json.loads(json.dumps(plan_to_json(plan))))
    assert again == plan
    assert again.placement() == plan.placement()
    assert follow_edits(analysis, again) == plan  # nothing in it reads as a hand edit
