"""Repository-scale benchmark: a synthetic monolith plus N test files that reach it in every supported way.

    python benchmarks/bench_repo.py [--lines 8000] [--tests 0,25,100,250,500] [--no-memory] [--check]

Each test file (~48 lines) imports the monolith as `from benchapp import main`, `import benchapp.main as server`,
`import benchapp.main` and `from benchapp.main import ...`, and patches, monkeypatches, setattr()s and reads
moved names through patch strings, `patch.object`, attribute chains and a function-local import
(docs/references.md). Timed in this process: `ast.parse` and `libcst.parse_module` of the monolith, plan
(`load_project` + `plan_project`: the repository scan for patched names included), apply (`apply_split`,
dry run, every reference in the tests rewritten) and, apart, the references step alone (`retarget_repository`).
Peak memory of plan+apply is measured in a fresh subprocess per row. See benchmarks/README.md for the targets.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT / "src", ROOT):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import libcst  # noqa: E402 - after the sys.path set-up above

from benchmarks.bench_scale import best_time, peak_rss_kib, reset_peak_rss  # noqa: E402
from benchmarks.synth import generate_monolith, write_project  # noqa: E402

TARGETS = (  # (description, lines, tests, stage, limit); apply over libcst, plan over ast
    ("apply <= 2x libcst.parse_module at 8k lines + 100 tests", 8000, 100, "apply", 2.0),
    ("plan <= 5x ast.parse at 8k lines + 100 tests", 8000, 100, "plan", 5.0),
)


def test_file(index: int, helpers: list[str], constants: list[str]) -> str:
    """One test module reaching the monolith in every way the references code rewrites."""
    h = [helpers[(index * 3 + k) % len(helpers)] for k in range(4)]
    c = [constants[(index + k) % len(constants)] for k in range(2)]
    return f'''"""Synthetic test module {index}: reaches benchapp.main every way splitter rewrites."""

from unittest import mock
from unittest.mock import patch

import benchapp.main
import benchapp.main as server
from benchapp import main
from benchapp.main import app, {h[0]}, {h[1]} as renamed_{index}


@patch("benchapp.main.{h[2]}")
def test_patch_string_{index}(patched):
    with mock.patch("benchapp.main.{h[3]}") as other:
        assert patched is not other
    assert app is not None and {h[0]} is not None and renamed_{index} is not None


def test_monkeypatch_{index}(monkeypatch):
    monkeypatch.setattr(main, "{c[0]}", 1)
    monkeypatch.setattr("benchapp.main.{c[1]}", 2)
    monkeypatch.delattr(server, "{h[1]}", raising=False)
    setattr(server, "{c[0]}", 3)


def test_patch_object_{index}():
    with patch.object(main, "{h[2]}") as fake, mock.patch.object(server, "{h[3]}"):
        fake.return_value = {index}


def test_attribute_chains_{index}():
    assert main.{h[0]}.__name__ == "{h[0]}"
    assert benchapp.main.{h[1]}.__doc__ is None or True
    server.{c[1]} = server.{c[1]}
    return main.{h[2]}, server.{h[3]}


def test_local_import_{index}():
    from benchapp import main as local_main

    return local_main.{h[0]}


def test_unrelated_{index}():
    values = [n * {index} for n in range(10)]
    assert sum(values) >= 0
    mapping = {{"key_{index}": values}}
    assert "key_{index}" in mapping
'''


def write_repository(directory: Path, lines: int, tests: int, seed: int) -> tuple[Path, str, int]:
    """The monolith as benchapp/main.py and `tests` test files; returns (main, its source, test lines)."""
    source = generate_monolith(lines, seed)
    main = write_project(directory, source, package=True, package_name="benchapp")
    tree = ast.parse(source)
    helpers = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.decorator_list]
    constants = [
        node.targets[0].id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()
    ]
    folder = Path(directory) / "tests"
    folder.mkdir()
    test_lines = 0
    for index in range(tests):
        text = test_file(index, helpers, constants)
        (folder / f"test_bench_{index}.py").write_text(text, encoding="utf-8")
        test_lines += text.count("\n")
    return main, source, test_lines


def run_pipeline(main: Path) -> tuple[object, object]:
    from splitter.emit.apply import ApplyOptions, apply_split
    from splitter.planning.project import load_project, plan_project

    plan = plan_project(load_project(main))
    return plan, apply_split(main, plan=plan, options=ApplyOptions(dry_run=True))


def bench_row(lines: int, tests: int, seed: int, repeats: int, memory: bool) -> dict:
    from splitter.emit.apply import ApplyOptions, apply_split
    from splitter.planning.project import load_project, plan_project

    with tempfile.TemporaryDirectory(prefix="bench_repo_") as directory:
        main, source, test_lines = write_repository(Path(directory), lines, tests, seed)
        plan = plan_project(load_project(main))
        seconds = {
            "ast": best_time(lambda: ast.parse(source), repeats),
            "libcst": best_time(lambda: libcst.parse_module(source), repeats),
            "plan": best_time(lambda: plan_project(load_project(main)), repeats),
            "apply": best_time(lambda: apply_split(main, plan=plan, options=ApplyOptions(dry_run=True)), repeats),
        }
        seconds["references"] = best_time(references_runner(main, plan), repeats)
        result = apply_split(main, plan=plan, options=ApplyOptions(dry_run=True))
        rewritten = sum(1 for path in result.changes if path.parent.name == "tests")
        mib = memory_in_child(main) if memory else None
    return {
        "lines": source.count("\n"),
        "tests": tests,
        "test_lines": test_lines,
        "tests_rewritten": rewritten,
        "seconds": seconds,
        "peak_mib": mib,
    }


def references_runner(main: Path, plan):
    """The part of apply that rewrites the tests (`retarget_repository`), on its own."""
    from splitter.emit.apply import ApplyOptions
    from splitter.emit.build import build_changes
    from splitter.planning.project import load_project
    from splitter.emit.references import retarget_repository

    project = load_project(main)
    changes, relocation = build_changes(project, plan, ApplyOptions(dry_run=True))
    return lambda: retarget_repository(project, relocation, set(changes))


def memory_in_child(main: Path) -> float | None:
    """Peak RSS growth (MiB) of plan + apply over the imports, in a fresh interpreter."""
    command = [sys.executable, __file__, "--memory-child", str(main)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  memory failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["delta_kib"] / 1024


def memory_child(main: Path) -> None:
    import splitter.emit.apply  # noqa: F401 - imports are not the stage's memory
    import splitter.emit.build  # noqa: F401
    import splitter.planning.project  # noqa: F401

    baseline = reset_peak_rss()
    run_pipeline(main)
    print(json.dumps({"delta_kib": peak_rss_kib() - baseline}))


def print_table(rows: list[dict]) -> None:
    print(
        f"{'lines':>6} {'tests':>5} {'test lines':>10} {'total':>7} {'ast ms':>8} {'libcst ms':>9} {'plan ms':>8} "
        f"{'apply ms':>9} {'plan/ast':>8} {'apply/cst':>9} {'apply us/line':>13} {'refs ms':>8} "
        f"{'refs us/test line':>17} {'peak MiB':>8}"
    )
    for row in rows:
        s = {stage: value * 1000 for stage, value in row["seconds"].items()}
        total = row["lines"] + row["test_lines"]
        peak = "n/a" if row["peak_mib"] is None else f"{row['peak_mib']:.1f}"
        print(
            f"{row['lines']:>6} {row['tests']:>5} {row['test_lines']:>10} {total:>7} {s['ast']:>8.1f} "
            f"{s['libcst']:>9.1f} {s['plan']:>8.1f} {s['apply']:>9.1f} {s['plan'] / s['ast']:>8.2f} "
            f"{s['apply'] / s['libcst']:>9.2f} {s['apply'] * 1000 / total:>13.1f} {s['references']:>8.1f} "
            f"{s['references'] * 1000 / max(row['test_lines'], 1):>17.1f} {peak:>8}"
        )
    rewritten = ", ".join(f"{row['tests_rewritten']}/{row['tests']}" for row in rows)
    print(f"\ntest files rewritten per row: {rewritten}")


def check(rows: list[dict]) -> bool:
    met = True
    print("\ntargets:")
    for description, lines, tests, stage, limit in TARGETS:
        row = next((r for r in rows if r["tests"] == tests and abs(r["lines"] - lines) < 50), None)
        if row is None:
            print(f"  n/a  {description}")
            continue
        base = row["seconds"]["libcst" if stage == "apply" else "ast"]
        value = row["seconds"][stage] / base
        met &= value <= limit
        print(f"  {'PASS' if value <= limit else 'FAIL'} {description}: {value:.2f}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=8000, help="size of the synthetic monolith")
    parser.add_argument("--tests", default="0,25,100,250,500", help="comma-separated numbers of test files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    rows = []
    for tests in (int(part) for part in args.tests.split(",") if part.strip()):
        rows.append(bench_row(args.lines, tests, args.seed, args.repeats, not args.no_memory))
        print(f"  done {tests} tests", file=sys.stderr)
    print_table(rows)
    met = check(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
