"""Hypothesis strategies for small, valid FastAPI monoliths.

`monolith_specs()` draws the *structure* (groups, prefixes, routes, helpers, state, hooks) as the
dataclasses of `benchmarks/synth_spec.py`; `monoliths()` renders it with `benchmarks/synth_render.py`.
Building from structure keeps every example importable and lets hypothesis shrink to the smallest
failing app instead of to a garbled text.
"""

from __future__ import annotations

from hypothesis import strategies as st

from benchmarks import synth_spec  # vocabulary shared with benchmarks/synth.py; qualified so each use shows it
from benchmarks.synth_render import render_module
from benchmarks.synth_spec import GroupSpec, HelperSpec, MonolithSpec, RouteSpec, Stmt

MAX_ROUTES = 25
VERSIONED_STYLES = [style for style in synth_spec.PREFIX_STYLES if "/v" in style[0]]

statements = st.builds(
    Stmt,
    template=st.integers(0, len(synth_spec.STATEMENT_TEMPLATES) - 1),
    key=st.sampled_from(synth_spec.KEY_POOL),
    number=st.integers(1, 97),
)


def _subset(draw, names: list[str], most: int) -> list[str]:
    if not names:
        return []
    return draw(st.lists(st.sampled_from(names), max_size=most, unique=True))


def _draw_helpers(draw, prefix: str, count: int, outside: list[str], cache: str | None) -> list[HelperSpec]:
    """`count` helpers; each may call earlier ones (never later ones, so no call cycles) and `outside`."""
    helpers: list[HelperSpec] = []
    for index in range(count):
        name = f"{prefix}{draw(st.sampled_from(synth_spec.VERBS))}_{index}"
        calls = _subset(draw, [helper.name for helper in helpers], 2) + _subset(draw, outside, 1)
        uses_cache = cache if cache and draw(st.booleans()) else None
        helpers.append(HelperSpec(name, draw(st.lists(statements, min_size=1, max_size=3)), calls, uses_cache))
    return helpers


def _draw_groups(draw, shared: list[str]) -> list[GroupSpec]:
    count = draw(st.integers(2, 6))
    choices = st.tuples(st.sampled_from(synth_spec.NOUNS[:8]), st.sampled_from(synth_spec.PREFIX_STYLES))
    picked = draw(st.lists(choices, min_size=count, max_size=count, unique=True))
    if not any(style in VERSIONED_STYLES for _, style in picked):
        picked[0] = (picked[0][0], draw(st.sampled_from(VERSIONED_STYLES)))
        if picked[0] in picked[1:]:  # forcing the style collided with another group: pick a fresh noun
            picked[0] = (next(noun for noun in synth_spec.NOUNS if noun not in {n for n, _ in picked}), picked[0][1])
    groups = []
    for noun, (url_prefix, suffix) in picked:
        ident = f"{noun}{suffix}"
        group = GroupSpec(
            ident=ident,
            prefix=f"{url_prefix}/{noun}",
            model_fields=draw(st.lists(st.sampled_from(sorted(synth_spec.MODEL_FIELDS)), max_size=3, unique=True)),
            has_cache=draw(st.booleans()),
            has_counter=draw(st.booleans()),
            has_guard=draw(st.booleans()),
        )
        cache = f"_{ident.upper()}_CACHE" if group.has_cache else None
        group.helpers = _draw_helpers(draw, f"_{ident}_", draw(st.integers(0, 3)), shared, cache)
        groups.append(group)
    return groups


def _draw_group_routes(draw, group: GroupSpec, count: int, shared: list[str]) -> list[RouteSpec]:
    kinds = draw(st.permutations(list(synth_spec.ROUTE_KINDS)))[:count]
    natural = [kind for kind in synth_spec.ROUTE_KINDS if kind in kinds]  # /me before /{item_id}
    ordered = natural if draw(st.booleans()) else kinds  # or any order: shadowed routes must stay shadowed
    auth_choices = [None, "user", "guard"] if group.has_guard else [None, "user"]
    callable_helpers = [helper.name for helper in group.helpers] + shared
    return [
        RouteSpec(
            group=group.ident,
            kind=kind,
            is_async=draw(st.booleans()),
            auth=draw(st.sampled_from(auth_choices)),
            audit=draw(st.booleans()),
            helpers=_subset(draw, callable_helpers, 2),
            body=draw(st.lists(statements, max_size=2)),
            bumps_counter=group.has_counter and draw(st.booleans()),
        )
        for kind in ordered
    ]


def _interleave(draw, per_group: list[list[RouteSpec]]) -> list[RouteSpec]:
    layout = draw(st.sampled_from(["blocks", "interleaved", "shuffled"]))
    flat = [route for routes in per_group for route in routes]
    if layout == "blocks":
        return flat
    if layout == "shuffled":
        return list(draw(st.permutations(flat)))
    queues = [list(routes) for routes in per_group if routes]
    merged = []
    while queues:  # keep each group's order, mix the groups
        queue = queues[draw(st.integers(0, len(queues) - 1))]
        merged.append(queue.pop(0))
        queues = [queue for queue in queues if queue]
    return merged


@st.composite
def monolith_specs(draw) -> MonolithSpec:
    shared = _draw_helpers(draw, "shared_", draw(st.integers(0, 4)), [], None)
    shared_names = [helper.name for helper in shared]
    groups = _draw_groups(draw, shared_names)
    spec = MonolithSpec(
        groups=groups,
        shared_helpers=shared,
        routes=[],
        middleware=draw(st.booleans()),
        exception_handler=draw(st.booleans()),
        startup=draw(st.booleans()),
        flag_setter=draw(st.booleans()),
        constants=[(f"LIMIT_{index}", draw(st.integers(0, 999))) for index in range(draw(st.integers(0, 3)))],
        title="property monolith",
    )
    app_kinds = [kind for kind in ("health", "root", "legacy") if draw(st.booleans())]
    app_kinds += ["set_flag"] if spec.flag_setter else []
    app_routes = [RouteSpec(None, kind, is_async=draw(st.booleans())) for kind in app_kinds]
    # 3..25 routes in all, at least one per group, at most one per (group, kind).
    budget = draw(st.integers(max(3, len(groups)), MAX_ROUTES - len(app_routes)))
    counts = [1] * len(groups)
    for _ in range(budget - len(groups)):
        index = draw(st.integers(0, len(groups) - 1))
        counts[index] = min(counts[index] + 1, len(synth_spec.ROUTE_KINDS))
    per_group = [_draw_group_routes(draw, group, n, shared_names) for group, n in zip(groups, counts, strict=True)]
    routes = _interleave(draw, per_group)
    for route in app_routes:  # app-level routes anywhere, e.g. a generic `/{section}/{item_id}` mid-table
        routes.insert(draw(st.integers(0, len(routes))), route)
    spec.routes = routes
    return spec


def monoliths() -> st.SearchStrategy[str]:
    """Source text of a small, importable FastAPI monolith."""
    return monolith_specs().map(render_module)
