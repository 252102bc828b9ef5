"""How splitter's stages scale with the size of the monolith, next to the parsers they are built on.

    python benchmarks/bench_scale.py [--sizes 2000,8000,32000,64000] [--seed 0] [--no-memory] [--check]

For each size a synthetic monolith (benchmarks/synth.py) is written to a temp dir and four stages are
timed in this process, side by side: `ast.parse`, `libcst.parse_module`, plan (`analyze_file` +
`make_plan`) and apply (`apply_split(..., dry_run=True)` with that plan). Peak memory of each stage is
measured in a fresh subprocess per (size, stage): after imports and input loading (for apply: the plan)
the peak RSS is reset (Linux clear_refs) and the stage's peak over that baseline is reported.
See benchmarks/README.md for the targets.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT / "src", ROOT):  # splitter from the checkout, and `benchmarks` itself
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import libcst  # noqa: E402 - after the sys.path set-up above

from benchmarks.synth import generate_monolith, write_project  # noqa: E402

STAGES = ("ast", "libcst", "plan", "apply")
REFERENCE_SIZE = 8000
TARGETS = (  # (description, numerator, denominator, limit); see README
    ("plan <= 7x ast.parse at 8k", ("plan", 8000), ("ast", 8000), 7.0),
    ("apply <= 2x libcst.parse_module at 8k", ("apply", 8000), ("libcst", 8000), 2.0),
    ("plan 64k/8k <= 10", ("plan", 64000), ("plan", 8000), 10.0),
    ("apply 64k/8k <= 10", ("apply", 64000), ("apply", 8000), 10.0),
)


def splitter_api() -> dict[str, Callable] | None:
    """The splitter functions the plan/apply stages need, or None while they do not exist yet."""
    try:
        from splitter.analysis.analyze import analyze_file
        from splitter.emit.apply import ApplyOptions, apply_split
        from splitter.planning.planner import make_plan
    except ImportError:
        try:
            from splitter.analysis.analyze import analyze_file
            from splitter.planning.planner import make_plan
        except ImportError:
            return None
        return {"analyze_file": analyze_file, "make_plan": make_plan}
    return {
        "analyze_file": analyze_file,
        "make_plan": make_plan,
        "apply_split": apply_split,
        "ApplyOptions": ApplyOptions,
    }


def stage_runners(
    main: Path, source: str, api: dict | None, stages: tuple[str, ...] = STAGES
) -> dict[str, Callable[[], object] | None]:
    """One zero-argument callable per stage; None when the stage cannot run (API missing)."""
    runners: dict[str, Callable[[], object] | None] = {
        "ast": lambda: ast.parse(source),
        "libcst": lambda: libcst.parse_module(source),
        "plan": None,
        "apply": None,
    }
    if api:
        runners["plan"] = lambda: api["make_plan"](api["analyze_file"](main))
    if api and "apply_split" in api and "apply" in stages:  # planning first is costly: only when asked
        plan = api["make_plan"](api["analyze_file"](main))
        options = api["ApplyOptions"](dry_run=True)
        runners["apply"] = lambda: api["apply_split"](main, plan=plan, options=options)
    return runners


def safe_runners(main: Path, source: str, api: dict | None) -> tuple[dict, dict[str, str]]:
    """stage_runners, but a failure while preparing (e.g. planning for apply) only disables the stages."""
    try:
        return stage_runners(main, source, api), {}
    except Exception as error:  # any planning failure only disables plan/apply
        runners = stage_runners(main, source, None)
        return runners, {"plan": f"{type(error).__name__}: {error}", "apply": "not run: planning failed"}


def best_time(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _proc_status_kib(field: str) -> int | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def reset_peak_rss() -> int:
    """Start a fresh peak-RSS window and return the current RSS (KiB). Linux: writing 5 to clear_refs resets
    VmHWM. Elsewhere the peak cannot be reset, so the baseline is the peak so far (a lower bound)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _proc_status_kib("VmRSS") or peak_rss_kib()
    except OSError:
        return peak_rss_kib()


def peak_rss_kib() -> int:
    """Peak resident set size of this process since start or the last reset_peak_rss()."""
    hwm = _proc_status_kib("VmHWM")
    if hwm is not None:
        return hwm
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss  # bytes on macOS, KiB elsewhere


def measure_memory_in_child(stage: str, main: Path) -> float | None:
    """Peak RSS growth (MiB) of one stage, in a fresh interpreter so earlier stages do not mask it."""
    command = [sys.executable, __file__, "--memory-stage", stage, "--source", str(main)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  memory[{stage}] failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return None if result["delta_kib"] is None else result["delta_kib"] / 1024


def memory_child(stage: str, main: Path) -> None:
    source = main.read_text(encoding="utf-8")
    runner = stage_runners(main, source, splitter_api(), stages=(stage,))[stage]
    gc.collect()
    baseline = reset_peak_rss()  # imports, the source and, for apply, the plan are already loaded
    if runner is None:
        print(json.dumps({"delta_kib": None}))
        return
    runner()
    print(json.dumps({"delta_kib": peak_rss_kib() - baseline}))


def bench_size(size: int, seed: int, repeats: int, memory: bool, api: dict | None) -> dict:
    source = generate_monolith(size, seed)
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as directory:
        main = write_project(directory, source, package=True, package_name="benchapp")
        runners, errors = safe_runners(main, source, api)
        times = {}
        for stage, run in runners.items():
            try:
                times[stage] = best_time(run, repeats) if run else None
            except Exception as error:  # a broken stage must not hide the others' numbers
                times[stage], runners[stage] = None, None
                errors[stage] = f"{type(error).__name__}: {error}"
        mib = {stage: measure_memory_in_child(stage, main) if memory and runners[stage] else None for stage in STAGES}
    for stage, message in errors.items():
        print(f"  {size} lines: {stage} failed: {message}", file=sys.stderr)
    return {
        "size": size,
        "lines": source.count("\n"),
        "repeats": repeats,
        "seconds": times,
        "peak_mib": mib,
        "errors": errors,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def cell(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def print_tables(results: list[dict]) -> None:
    header = f"{'size':>7} {'lines':>7} {'runs':>4} " + " ".join(f"{s + ' ms':>10}" for s in STAGES)
    print(header + f" {'plan/ast':>9} {'apply/cst':>9}   peak MiB " + "/".join(STAGES))
    for row in results:
        ms = [cell(row["seconds"][s] and row["seconds"][s] * 1000, ".1f") for s in STAGES]
        plan_ast = ratio(row["seconds"]["plan"], row["seconds"]["ast"])
        apply_cst = ratio(row["seconds"]["apply"], row["seconds"]["libcst"])
        memory = "/".join(cell(row["peak_mib"][s], ".1f") for s in STAGES)
        print(
            f"{row['size']:>7} {row['lines']:>7} {row['repeats']:>4} "
            + " ".join(f"{m:>10}" for m in ms)
            + f" {cell(plan_ast, '.2f'):>9} {cell(apply_cst, '.2f'):>9}   {memory}"
        )
    reference = next((row for row in results if row["size"] == REFERENCE_SIZE), None)
    if reference is None:
        return
    print(f"\ngrowth: time at size / time at {REFERENCE_SIZE} (size ratio in brackets) | stage growth / parser growth")
    for row in results:
        growth = [cell(ratio(row["seconds"][s], reference["seconds"][s]), ".2f") for s in STAGES]
        label = f"{row['size']:>7} [{row['size'] / REFERENCE_SIZE:>5.2f}x]"
        # growth of splitter's stages over the growth of the parser they sit on: GC and cache effects make
        # even ast.parse superlinear on some machines, this shows what splitter adds on top
        own = [
            ratio(
                ratio(row["seconds"][mine], reference["seconds"][mine]),
                ratio(row["seconds"][base], reference["seconds"][base]),
            )
            for mine, base in (("plan", "ast"), ("apply", "libcst"))
        ]
        print(
            label
            + " "
            + " ".join(f"{stage}={value:<7}" for stage, value in zip(STAGES, growth, strict=True))
            + f" | plan/ast={cell(own[0], '.2f'):<6} apply/libcst={cell(own[1], '.2f')}"
        )


def check_targets(results: list[dict]) -> bool:
    seconds = {(stage, row["size"]): row["seconds"][stage] for row in results for stage in STAGES}
    all_met = True
    print("\ntargets:")
    for description, numerator, denominator, limit in TARGETS:
        value = ratio(seconds.get(numerator), seconds.get(denominator))
        status = "n/a " if value is None else "PASS" if value <= limit else "FAIL"
        all_met &= status != "FAIL"
        print(f"  {status} {description}: {cell(value, '.2f')}")
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,8000,32000,64000", help="comma-separated line counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="best of N below 32k lines; 1 run above")
    parser.add_argument("--no-memory", action="store_true", help="skip the per-stage memory subprocesses")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--memory-stage", choices=STAGES, help=argparse.SUPPRESS)  # child mode
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_stage:
        memory_child(args.memory_stage, args.source)
        return 0
    api = splitter_api()
    if api is None or "apply_split" not in api:
        print("note: splitter plan/apply API not importable yet; those stages show n/a\n", file=sys.stderr)
    results = []
    for size in (int(part) for part in args.sizes.split(",") if part.strip()):
        repeats = args.repeats if size < 32000 else 1
        results.append(bench_size(size, args.seed, repeats, not args.no_memory, api))
        print(f"  done {size} lines", file=sys.stderr)
    print_tables(results)
    met = check_targets(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
