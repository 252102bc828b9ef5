"""Deterministic synthetic FastAPI monoliths for benchmarks and tests.

    python benchmarks/synth.py 8000 --seed 3 --out /tmp/main.py

`generate_monolith(target_lines, seed)` draws a `MonolithSpec` with `random.Random(seed)` and renders
it with `synth_render`; groups are added until the next one would overshoot, and the last few lines
are filled with module-level constants, so the result lands on the target line count.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synth_render import render_group_defs, render_group_route, render_module
from benchmarks.synth_spec import (
    KEY_POOL,
    MODEL_FIELDS,
    NOUNS,
    PREFIX_STYLES,
    ROUTE_KINDS,
    STATEMENT_TEMPLATES,
    VERBS,
    GroupSpec,
    HelperSpec,
    MonolithSpec,
    RouteSpec,
    Stmt,
)

MIN_LINES = 150  # the fixed header, hooks and app-level routes alone take about this many
MAX_CALL_DEPTH = 3  # helpers call helpers, but shallowly: a request must not fan out into thousands of calls


def random_stmts(rng: random.Random, low: int, high: int) -> list[Stmt]:
    return [
        Stmt(rng.randrange(len(STATEMENT_TEMPLATES)), rng.choice(KEY_POOL), rng.randint(1, 97))
        for _ in range(rng.randint(low, high))
    ]


def unique_name(rng: random.Random, prefix: str, taken: set[str]) -> str:
    while True:
        name = f"{prefix}{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
        if name in taken:
            name = f"{name}_{len(taken)}"
        if name not in taken:
            taken.add(name)
            return name


def pick_callees(rng: random.Random, candidates: list[str], depth: dict[str, int], most: int) -> list[str]:
    shallow = [name for name in candidates if depth[name] < MAX_CALL_DEPTH]
    return rng.sample(shallow, k=min(len(shallow), rng.randint(0, most)))


def add_helper(helpers: list[HelperSpec], helper: HelperSpec, depth: dict[str, int]) -> None:
    depth[helper.name] = 1 + max((depth[callee] for callee in helper.calls), default=0)
    helpers.append(helper)


def make_shared_helpers(rng: random.Random, count: int, taken: set[str], depth: dict[str, int]) -> list[HelperSpec]:
    helpers: list[HelperSpec] = []
    for _ in range(count):
        calls = pick_callees(rng, [helper.name for helper in helpers], depth, 2)
        add_helper(helpers, HelperSpec(unique_name(rng, "", taken), random_stmts(rng, 1, 4), calls), depth)
    return helpers


def make_group(
    rng: random.Random, shared: list[str], taken: set[str], depth: dict[str, int], small: bool
) -> tuple[GroupSpec, list[RouteSpec]]:
    word, (url_prefix, suffix) = rng.choice(NOUNS), rng.choice(PREFIX_STYLES)
    ident, number = f"{word}{suffix}", 1
    while ident in taken:  # same noun and style again: number the noun
        number += 1
        ident = f"{word}{number}{suffix}"
    taken.add(ident)
    group = GroupSpec(
        ident=ident,
        prefix=f"{url_prefix}/{ident.removesuffix(suffix) if suffix else ident}",
        model_fields=rng.sample(sorted(MODEL_FIELDS), k=rng.randint(0, 3)),
        has_cache=rng.random() < 0.5,
        has_counter=rng.random() < 0.3,
        has_guard=rng.random() < 0.4,
    )
    for _ in range(rng.randint(0, 1) if small else rng.randint(1, 5)):
        calls = pick_callees(rng, [helper.name for helper in group.helpers], depth, 2)
        calls += pick_callees(rng, shared, depth, 1)
        cache = f"_{ident.upper()}_CACHE" if group.has_cache and rng.random() < 0.4 else None
        name = unique_name(rng, f"_{ident}_", taken)
        add_helper(group.helpers, HelperSpec(name, random_stmts(rng, 1, 5), calls, cache), depth)
    kinds = list(ROUTE_KINDS)
    chosen = set(rng.sample(kinds, k=rng.randint(1, 2) if small else rng.randint(3, 10)))
    if "get" in chosen and rng.random() < 0.7:
        chosen.add("me")  # the classic overlap: /<g>/me registered before /<g>/{item_id}
    private = [helper.name for helper in group.helpers]
    routes = []
    for kind in (kind for kind in kinds if kind in chosen):
        auth = rng.choice([None, "user", "guard" if group.has_guard else "user"])
        helpers = rng.sample(private, k=min(len(private), rng.randint(0, 2)))
        helpers += rng.sample(shared, k=min(len(shared), rng.randint(0, 1)))
        routes.append(
            RouteSpec(
                group=ident,
                kind=kind,
                is_async=rng.random() < 0.3,
                auth=auth,
                audit=rng.random() < 0.2,
                helpers=helpers,
                body=random_stmts(rng, 0, 3),
                bumps_counter=group.has_counter and rng.random() < 0.5,
            )
        )
    return group, routes


def block_lines(group: GroupSpec, routes: list[RouteSpec]) -> int:
    """Lines a group adds to the module: its parts plus two blank lines before each."""
    parts = render_group_defs(group) + [render_group_route(route, group) for route in routes]
    return sum(part.count("\n") + 1 + 2 for part in parts)


def generate_monolith(target_lines: int, seed: int = 0) -> str:
    """A valid single-file FastAPI app of about `target_lines` lines, the same text for the same seed."""
    rng = random.Random(f"synth:{seed}:{target_lines}")
    taken: set[str] = set()
    depth: dict[str, int] = {}
    shared = make_shared_helpers(rng, max(3, target_lines // 500), taken, depth)
    app_routes_first = [RouteSpec(None, "health", is_async=rng.random() < 0.5), RouteSpec(None, "root")]
    spec = MonolithSpec(
        groups=[],
        shared_helpers=shared,
        routes=[*app_routes_first, RouteSpec(None, "set_flag")],
        title=f"synthetic monolith seed {seed}",
    )
    group_routes: list[RouteSpec] = []
    lines = render_module(spec).count("\n")
    shared_names = [helper.name for helper in shared]
    misses = 0
    while misses < 8:
        group, routes = make_group(rng, shared_names, taken, depth, small=misses > 0)
        size = block_lines(group, routes)
        if lines + size > target_lines:
            misses += 1
            taken.discard(group.ident)
            continue
        spec.groups.append(group)
        group_routes += routes
        lines += size
    # Some routes are registered late, after other groups (as in real monoliths that grew over time).
    late = [route for index, route in enumerate(group_routes) if index and rng.random() < 0.05]
    ordered = [route for route in group_routes if route not in late] + late
    spec.routes = [*app_routes_first, *ordered, RouteSpec(None, "set_flag")]
    deficit = target_lines - render_module(spec).count("\n")
    spec.constants = [
        (f"LIMIT_{index}_{rng.choice(NOUNS).upper()}", rng.randint(1, 10_000)) for index in range(deficit)
    ]
    return render_module(spec)


def write_project(directory: str | Path, source: str, package: bool, package_name: str = "app") -> Path:
    """Lay `source` out as `directory/<package_name>/{__init__,main}.py` or `directory/main.py`;
    returns the path of main.py."""
    root = Path(directory)
    target = root / package_name if package else root
    target.mkdir(parents=True, exist_ok=True)
    if package:
        (target / "__init__.py").write_text("", encoding="utf-8")
    main = target / "main.py"
    main.write_text(source, encoding="utf-8")
    return main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    source = generate_monolith(args.lines, args.seed)
    if args.out:
        args.out.write_text(source, encoding="utf-8")
    else:
        sys.stdout.write(source)


if __name__ == "__main__":
    main()
