"""Size: a group too big for one file becomes a package; its largest sub-resources get a module each until the
rest fits, and a module still too big is cut the same way by the next path segment."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from splitter.analysis.path_keys import group_key

if TYPE_CHECKING:
    from splitter.analysis.model import Analysis
    from splitter.planning.group_assign import GroupAssigner


def split_large_groups(assigner: GroupAssigner) -> None:
    """A group too big for one file gives its largest sub-resources a module each until the rest fits: a
    module per coherent sub-resource, never one per route. If small one-route sub-resources still leave it
    too big (/metrics/a, /metrics/b, ... ), they are cut into runs of neighbours in source order."""
    for group, blocks in sorted(assigner.groups().items()):
        if group not in assigner.fixed:
            _split(assigner, group, blocks, depth=2)
    _cut_oversized_groups(assigner)


def _split(assigner: GroupAssigner, key: str, blocks: list[int], depth: int) -> None:
    """Cut the module `key` (a group, or a module of its package) by the literal path segment at `depth`."""
    total = sum(assigner.members[b].lines for b in blocks)
    if total <= assigner.budget:
        return
    by_sub: dict[str, list[int]] = defaultdict(list)
    for block in blocks:
        by_sub[_sub_at(assigner, key, block, depth)].append(block)
    if len(by_sub) < 2:
        return  # one sub-resource: nothing to split by
    size = {s: sum(assigner.members[b].lines for b in ids) for s, ids in by_sub.items()}
    rest, included = total, 0  # included: modules split off, each imported and included by what stays
    # Sub-resources of three or more endpoints leave first: fewer, fuller modules.
    order = sorted((s for s in by_sub if s), key=lambda s: (assigner.endpoint_count(by_sub[s]) < 3, -size[s], s))
    for sub in order:
        if rest <= assigner.budget:
            break
        if assigner.endpoint_count(by_sub[sub]) < 2 and size[sub] < assigner.budget // 2:
            continue  # a module for one small route would not read better than a long one
        name = _split_off(assigner, key, [sub], by_sub, total, f"its sub-resource `{sub}`")
        _split(assigner, name, by_sub.pop(sub), depth + 1 if "/" in name else 2)
        rest -= size[sub]
        included += 1
    if _over_max_lines(assigner, [b for ids in by_sub.values() for b in ids], included):  # no lesser evil
        _cut_into_runs(assigner, key, by_sub, size, total, included)


def _over_max_lines(assigner: GroupAssigner, blocks: list[int], included: int = 0) -> bool:
    """Would one module holding these endpoints reach max_lines once it imports what they read? Every module-level
    name they use comes from another module, one line each in a long import: treg's 483-line `calls` group
    (one 385-line endpoint) made a 559-line router under 68 lines of imports. A package's module imports and
    includes the `included` modules cut from it at its end: octofleet's `jobs`, estimated at 499 lines, wrote 502.
    A file must stay under max_lines: one estimated at exactly max_lines is over."""
    uses = set().union(*(assigner.members[b].uses for b in blocks))
    header = 6 + _import_lines(assigner, uses)  # docstring, blank lines, `from __future__`, the router's creation
    includes = 3 + 2 * included if included else 0  # blank lines, then an import and an include per module
    return sum(assigner.members[b].lines for b in blocks) + header + includes >= assigner.max_lines


def import_sources(analysis: Analysis) -> dict[str, str]:
    """The module each name the monolith imports comes from (`from ..environments import a, b`: both)."""
    return {i.bound: "." * i.level + i.module for unit in analysis.units for i in unit.imports}


def _import_lines(assigner: GroupAssigner, uses: set[str]) -> int:
    """The lines importing `uses`: one for a module giving one name, else as a long import wraps them, a line
    per name between `from x import (` and `)` (open-swe's `dashboard_2`: 66 names from 18 modules took 102
    lines). The monolith's own names come from the modules they move to, counted as one such import."""
    by_module = Counter(assigner.import_sources.get(name, "") for name in uses)
    return sum(count if count == 1 else count + 2 for count in by_module.values())


def _sub_at(assigner: GroupAssigner, key: str, block: int, depth: int) -> str:
    """The sub-resource a block belongs to within module `key`: at depth 2 the group's own rule (a resource
    merged into it counts whole), deeper the literal path segment at that depth ('' for none)."""
    member = assigner.members[block]
    if depth == 2:
        return assigner.sub_unit(key, member)
    parts = (group_key(member.paths[0] if member.paths else None, assigner.skip, depth=depth) or "").split("/")
    return parts[depth - 1] if len(parts) >= depth else ""


def _cut_oversized_groups(assigner: GroupAssigner) -> None:
    """A module still over max_lines once split by sub-resource (codeframe's six checkpoint endpoints: 600
    lines in one sub-resource) is cut into runs of neighbouring endpoints in source order, each up to the
    budget, the later ones named `<group>_2`, ... An endpoint over the budget by itself is a run of its own."""
    taken = set(assigner.groups())
    for group, blocks in sorted(assigner.groups().items()):
        total = sum(assigner.members[b].lines for b in blocks)
        if group in assigner.fixed or len(blocks) < 2 or not _over_max_lines(assigner, blocks):
            continue
        runs: list[list[int]] = [[]]
        used = 0
        for block in sorted(blocks, key=lambda b: (assigner.members[b].line, b)):
            # within the budget, and under max_lines once the run's own imports come on top (open-swe's
            # `dashboard`: 30 short endpoints reading 90 names made a run of 400 lines a 509-line file)
            full = used + assigner.members[block].lines > assigner.budget
            if runs[-1] and (full or _over_max_lines(assigner, runs[-1] + [block])):
                runs.append([])
                used = 0
            runs[-1].append(block)
            used += assigner.members[block].lines
        for run in runs[1:]:
            name = next(f"{group}_{k}" for k in range(2, len(taken) + 3) if f"{group}_{k}" not in taken)
            taken.add(name)
            for block in run:
                assigner.result.group_of[block] = name
            first = assigner.members[run[0]].functions[0]
            assigner.result.reasons[name].append(
                f"cut from `{group}` ({total} lines, over max_lines after the split by sub-resource): "
                f"its endpoints in source order from `{first}`"
            )


def _cut_into_runs(
    assigner: GroupAssigner, group: str, by_sub: dict[str, list[int]], size: dict[str, int], total: int, included: int
) -> None:
    """Keep the group's root and its first neighbours up to the budget; each further run of neighbouring
    sub-resources, up to the budget, is a module named after its first. Each stays under max_lines with its
    imports, and the root with the includes of the modules cut from it."""
    first_line = {s: min(assigner.members[b].line for b in ids) for s, ids in by_sub.items()}
    used = size.get("", 0)
    kept = list(by_sub.get("", []))
    runs: list[list[str]] = []

    def fits(subs: list[str], blocks: list[int], cut_from: int = 0) -> bool:
        within = sum(size[s] for s in subs) <= assigner.budget
        return within and not _over_max_lines(assigner, blocks + [b for s in subs for b in by_sub[s]], cut_from)

    for sub in sorted((s for s in by_sub if s), key=lambda s: (first_line[s], s)):
        if not runs and used + size[sub] <= assigner.budget and fits([sub], kept, included + 1):
            used += size[sub]  # still fits beside the root: stays in the group
            kept += by_sub[sub]
        elif runs and fits(runs[-1] + [sub], []):
            runs[-1].append(sub)
        else:
            runs.append([sub])
    if len(runs) > 1 and len(runs[-1]) == 1 and assigner.endpoint_count(by_sub[runs[-1][0]]) == 1:
        if not _over_max_lines(assigner, [b for s in runs[-2] + runs[-1] for b in by_sub[s]]):
            last = runs.pop()  # (not `runs[-2] += runs.pop()`: its target index is taken before the pop)
            runs[-1] += last  # no module for one trailing route
    for run in runs:
        listed = ", ".join(f"`{s}`" for s in run)
        _split_off(assigner, group, run, by_sub, total, f"its sub-resource{'s' if len(run) > 1 else ''} {listed}")


def _split_off(
    assigner: GroupAssigner, group: str, subs: list[str], by_sub: dict[str, list[int]], total: int, what: str
) -> str:
    """Move `subs` of module `group` to a module of their own, named by the first; returns its key. A module of
    a package stays in that package (`admin/events` cut by `rooms` gives `admin/rooms`)."""
    head = subs[0]
    package = group.split("/")[0]
    name = head[1:] if head.startswith("=") else f"{package}/{head}"
    if name == group or name in assigner.groups():  # the package has a module of that name already
        name = f"{group}_{head}"
    for sub in subs:
        for block in by_sub[sub]:
            assigner.result.group_of[block] = name
    if head.startswith("=") and len(subs) == 1:
        what = f"`{name}`, merged into it before"
    elif not head.startswith("="):
        what += f", a module of the package `{package}` (one router package to review, each file under the limit)"
    assigner.result.reasons[name].append(
        f"split from `{group}` ({total} lines, over the {assigner.budget}-line budget): {what.replace('`=', '`')}"
    )
    return name
