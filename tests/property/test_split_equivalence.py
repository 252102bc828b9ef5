"""Property: splitting a monolith is invisible to clients.

For every drawn monolith, the split app has the same route table (path, methods, name, endpoint
name) in the order design.md prescribes (the original order, each router's routes gathered at its
first route; overlapping routes never swap), an equal OpenAPI document and, when splitter's own
snapshot/compare exist, no breaking or non-breaking finding. Everything runs in-process: one
example is a few imports, not a subprocess.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import event, given

from benchmarks.synth import generate_monolith, write_project
from splitter.emit.apply import ApplyOptions, apply_split
from tests.property.app_loading import describe_app, differences, unique_package_name
from tests.property.strategies import monoliths


def split_preserves_behaviour(source: str) -> list[str]:
    """Split `source` as a package in a fresh directory; returns the .py files afterwards (relative)."""
    root = Path(tempfile.mkdtemp(prefix="split_equiv_"))
    try:
        package = unique_package_name()
        main = write_project(root, source, package=True, package_name=package)
        before = describe_app(root, package)

        result = apply_split(main, plan=None, options=ApplyOptions(dry_run=False))

        written = sorted(root.rglob("*.py"))
        for path in written:  # every file that now exists must compile, written or not
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        assert result.changes, "apply changed nothing"  # a rename of the field must not make this check vacuous
        for path, text in result.changes.items():  # ApplyResult.changes: {path: text} as written
            compile(text, str(path), "exec")
            assert path.read_text(encoding="utf-8") == text, f"{path} on disk is not what apply reported"
        routers_dir = root / package / result.plan.layout.routers_package.replace(".", "/")
        missing = [g.name for g in result.plan.groups if not (routers_dir / f"{g.name}.py").exists()]
        assert not missing, f"planned groups without a router module: {missing}"  # no silent no-op split
        after = describe_app(root, package)
        problems = differences(before, after, plan=result.plan)
        assert not problems, "\n".join(problems)
        return [path.relative_to(root / package).as_posix() for path in written]
    finally:
        shutil.rmtree(root, ignore_errors=True)


@given(monoliths())
def test_split_keeps_routes_and_openapi(source):
    files = split_preserves_behaviour(source)
    routers = sum(name.startswith("routers/") and name != "routers/__init__.py" for name in files)
    event(f"router modules written: {min(routers, 3)}{'+' if routers >= 3 else ''}")


def test_split_of_a_2000_line_synthetic_monolith():
    files = split_preserves_behaviour(generate_monolith(2000, seed=11))
    # dozens of route groups with private helpers: a real split has routers and services
    assert any(name.startswith("routers/") for name in files), files
    assert any(name.startswith("services/") for name in files), files
