"""A test reading the source text of a function of the monolith that it names at run time
(`inspect.getsource(getattr(main, name))`, CashPilot's tests/test_audit_guards.py walking a dict of endpoint names)
finds the text the split rewrote: the plan warns, as it does for `inspect.getsource(main.helper)`."""

from __future__ import annotations

from pathlib import Path

from splitter.analysis.patched_names import find_patch_sites, function_source_reads, run_time_source_reads
from splitter.planning.project import load_project, plan_project
from tests.helpers import code

MONOLITH = code("""
    from fastapi import FastAPI

    app = FastAPI()


    def _require_writer():
        return True


    @app.post("/payouts/{payout_id}/confirm")
    def api_confirm_payout(payout_id: int):
        _require_writer()
        return {"id": payout_id}


    @app.get("/health")
    def health():
        return {"ok": True}
""")

TESTS = code("""
    import inspect

    import pytest

    from app import main

    LADDER = {"api_confirm_payout": "_require_writer"}


    @pytest.mark.parametrize(("name", "guard"), sorted(LADDER.items()))
    def test_the_guard_is_called(name, guard):
        assert guard in inspect.getsource(getattr(main, name))


    def test_health_reads_nothing():
        assert "ok" in inspect.getsource(getattr(main, "health"))
""")


def test_getattr_on_the_module_is_a_source_read_by_literal_or_run_time_name() -> None:
    sites = find_patch_sites([(Path("tests/test_guards.py"), TESTS)], "app.main")
    assert run_time_source_reads(sites) == [("tests/test_guards.py", 12)]
    assert function_source_reads(sites) == [("health", "tests/test_guards.py", 16)]


def test_a_run_time_named_source_read_is_a_plan_warning(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text(MONOLITH)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_guards.py").write_text(TESTS)
    plan = plan_project(load_project(tmp_path / "app" / "main.py"))
    warnings = [w for w in plan.warnings if "named at run time" in w]
    assert len(warnings) == 1, plan.warnings
    assert warnings[0].startswith(f"{Path('tests') / 'test_guards.py'}:12: reads the source text of a function of ")
    assert "getattr(main, name)" in warnings[0]
