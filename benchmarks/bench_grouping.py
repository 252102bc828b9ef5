"""How close splitter's routers are to the ones real teams drew when they split the same monolith by hand.

    python benchmarks/bench_grouping.py [--corpus DIR ...] [--check] [--json out.json] [-v]

Each benchmarks/team_splits/<case>.json is an answer key: every endpoint of the monolith at the pinned commit
("METHOD /full/path") mapped to the module the team registered it in after their own split ("main" where they
left it). The key is derived data, built with ../shared/corpus/team-split.py from the team's split commit (each
file says how). The monolith itself is the practice-corpus case tree, looked for in each `--corpus` folder in turn
(repeatable; default $SPLITTER_CORPUS, folders separated by the path separator, or ~/.cache/splitter-corpus); a case
whose tree is in none is skipped.

For each case the plan is made in-process, exactly as `splitter plan` makes it, and compared pair by pair:
two endpoints are a "same router" pair in the plan and/or in the key; precision, recall and F1 over those
pairs. A resource the plan cuts into a package by size (`routers/song/__init__.py`, `routers/song/art.py`)
counts as one router, as the team's one module for it does. Targets (docs: benchmarks/README.md): median
F1 >= 0.8, and at most 1.5x the team's number of routers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from collections import Counter
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ROOT / "benchmarks" / "team_splits"
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from splitter.planning.project import load_project, plan_project  # noqa: E402 - after the sys.path set-up above
from splitter.planning.settings import plan_options, read_settings  # noqa: E402

MIN_MEDIAN_F1 = 0.8
MAX_GROUP_RATIO = 1.5


def endpoint_key(method: str, path: str) -> str:
    """'GET /a/{id:path}' and 'GET /a/{x}' are the same endpoint."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path).rstrip('/') or '/'}"


def plan_assignment(monolith: Path, max_lines: int | None = None) -> dict[str, str]:
    """endpoint key -> plan group ('main' for what stays in main.py)."""
    project = load_project(monolith)
    options = None
    if max_lines is not None:
        table = read_settings(project.analysis.path, project.root)[0]
        options = plan_options(table, max_lines=max_lines)
    plan = plan_project(project, options)
    # A resource cut by size is one package, `routers/song/` (modules `song.art`, ...): the router a team's single
    # module corresponds to, so the package is what is compared.
    group_of = {e.function: g.name.split(".")[0] for g in plan.groups for e in g.endpoints}
    analysis = project.analysis
    out: dict[str, str] = {}
    for registration in analysis.registrations:
        if registration.kind not in ("route", "websocket") or registration.path is None:
            continue
        if registration.owner != analysis.app_names[0]:
            continue
        methods = ["WEBSOCKET"] if registration.kind == "websocket" else (registration.methods or ["GET"])
        for method in methods:
            out.setdefault(endpoint_key(method, registration.path), group_of.get(registration.function, "main"))
    return out


def pair_scores(plan: dict[str, str], team: dict[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of `plan` against `team` over the endpoints both know."""
    keys = [k for k in team if k in plan]
    both = sum(comb(n, 2) for n in Counter((plan[k], team[k]) for k in keys).values())
    in_plan = sum(comb(n, 2) for n in Counter(plan[k] for k in keys).values())
    in_team = sum(comb(n, 2) for n in Counter(team[k] for k in keys).values())
    precision = both / in_plan if in_plan else 1.0
    recall = both / in_team if in_team else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_case(key_file: Path, corpora: list[Path], verbose: bool, max_lines: int | None = None) -> dict | None:
    key = json.loads(key_file.read_text(encoding="utf-8"))
    found = [c / key["case"] / key["target"] for c in corpora if (c / key["case"] / key["target"]).is_file()]
    monolith = found[0] if found else corpora[0] / key["case"] / key["target"]
    if not monolith.exists():
        print(f"{key['case']}: skipped, no case tree at {monolith}", file=sys.stderr)
        return None
    team = {endpoint_key(*k.split(" ", 1)): group for k, group in key["groups"].items()}
    plan = plan_assignment(monolith, max_lines)
    precision, recall, f1 = pair_scores(plan, team)
    matched = [k for k in team if k in plan]
    plan_groups = {plan[k] for k in matched}
    team_groups = set(team.values())
    if verbose:
        for group in sorted(team_groups):
            spread = Counter(plan[k] for k in matched if team[k] == group)
            print(f"  {key['case']}: team {group} -> " + ", ".join(f"{g}={n}" for g, n in spread.most_common()))
    return {
        "case": key["case"],
        "endpoints": len(team),
        "matched": len(matched),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "plan_groups": len(plan_groups),
        "team_groups": len(team_groups),
        "group_ratio": round(len(plan_groups) / len(team_groups), 2),
        "in_main": sum(1 for k in matched if plan[k] == "main"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("SPLITTER_CORPUS", str(Path.home() / ".cache" / "splitter-corpus"))
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--max-lines", type=int, help="plan with this size limit (what the size split costs)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show how each team router was spread")
    args = parser.parse_args(argv)
    corpora = args.corpus or [Path(folder) for folder in default.split(os.pathsep)]
    rows = [r for f in sorted(KEYS.glob("*.json")) if (r := score_case(f, corpora, args.verbose, args.max_lines))]
    if not rows:
        print("no case trees found; nothing measured", file=sys.stderr)
        return 1 if args.check else 0
    print(f"{'case':<10} {'endpoints':>9} {'in main':>7} {'precision':>9} {'recall':>6} {'F1':>5}  groups (team)")
    for r in rows:
        print(
            f"{r['case']:<10} {r['matched']:>9} {r['in_main']:>7} {r['precision']:>9.3f} {r['recall']:>6.3f} "
            f"{r['f1']:>5.3f}  {r['plan_groups']} ({r['team_groups']}, x{r['group_ratio']})"
        )
    median = statistics.median(r["f1"] for r in rows)
    worst_ratio = max(r["group_ratio"] for r in rows)
    print(
        f"median F1 {median:.3f} (target >= {MIN_MEDIAN_F1}); most groups x{worst_ratio} (target <= x{MAX_GROUP_RATIO})"
    )
    if args.json:
        args.json.write_text(json.dumps({"cases": rows, "median_f1": median}, indent=2) + "\n", encoding="utf-8")
    missed = median < MIN_MEDIAN_F1 or worst_ratio > MAX_GROUP_RATIO
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
