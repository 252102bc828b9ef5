"""Why statements too big for one file stay in one file: they refer to each other in a cycle. Modules import the
names they use from the modules below them (docs/design.md, "Layering"), so the members of a cycle can never be
put apart; the note names the cycle, which is what the user has to break in the monolith."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from splitter.analysis.blocks import strongly_connected
from splitter.analysis.scopes import build_scopes

if TYPE_CHECKING:
    from splitter.planning.planner import _Planner

SHOWN = 6  # names of a longer cycle beyond these are counted, not listed
HINT = " (in a string annotation)"  # the import a forward reference needs ties the cycle too: get_type_hints()


def cycle_too_big_to_cut(planner: _Planner, units: list[int], budget: int) -> str:
    """The tail of a size note when the largest cycle among the blocks holding `units` is over `budget` (what
    `split_oversized` fits in one module): the cycle, shortest way round from its largest block; else ''."""
    block_of = {unit: block.id for block in planner.blocks for unit in block.units}
    blocks = sorted({block_of[u] for u in units if u in block_of})
    cycles = [c for c in strongly_connected(blocks, planner.deps) if len(c) > 1]
    if not cycles:
        return ""
    cycle = max(cycles, key=lambda c: sum(planner.blocks[b].lines for b in c))
    size = sum(planner.blocks[b].lines for b in cycle)
    if size <= budget:
        return ""
    return (
        f"{size} lines of them in a cycle of references ({_way_round(planner, set(cycle))}): each module imports "
        "the names it uses from the ones below it, so no two of them can live apart; break the cycle in the "
        "monolith to let the plan cut it"
    )


def _way_round(planner: _Planner, members: set[int]) -> str:
    """`A` uses `B`, which uses `C`, which uses `A`, from the cycle's largest block: a way round that no string
    annotation closes if there is one (changing annotations would not break it), else one that says where."""
    start = max(members, key=lambda b: planner.blocks[b].lines)
    hinted = {b: _hint_only_names(planner, b) for b in members}

    def plain(user: int, used: int) -> bool:
        return not planner.blocks[user].uses & set(planner.blocks[used].binds) <= hinted[user]

    path = _shortest_way_back(planner, start, members, plain) or _shortest_way_back(
        planner, start, members, lambda user, used: True
    )
    names = [f"`{planner.blocks[path[0]].name}`"]
    for user, used in zip(path, path[1:], strict=False):
        names.append(f"`{planner.blocks[used].name}`" + ("" if plain(user, used) else HINT))
    return _chain(names)


def _shortest_way_back(planner: _Planner, start: int, members: set[int], follows) -> list[int]:
    """Blocks from `start` round to `start` again along dependencies `follows` accepts (breadth first)."""
    came_from: dict[int, int] = {}
    queue = deque([start])
    while queue and start not in came_from:
        node = queue.popleft()
        for other in sorted(planner.deps.get(node, ())):
            if other in members and other not in came_from and follows(node, other):
                came_from[other] = node
                queue.append(other)
    if start not in came_from:
        return []
    path, node = [start], came_from[start]
    while node != start:
        path.append(node)
        node = came_from[node]
    return [start] + path[1:][::-1] + [start]


def _hint_only_names(planner: _Planner, block_id: int) -> set[str]:
    """Names a block reads only inside string annotations (`session: "Session"`)."""
    analysis = planner.analysis
    if analysis.tree is None:
        return set()
    hints: set[str] = set()
    plain: set[str] = set()
    for unit in planner.blocks[block_id].units:
        stack = [build_scopes(analysis.tree.body[analysis.units[unit].index])]
        while stack:
            scope = stack.pop()
            hints |= scope.hint_reads
            plain |= scope.reads | scope.annotation_reads
            stack.extend(scope.children)
    return hints - plain


def _chain(names: list[str]) -> str:
    if len(names) > SHOWN + 1:
        names = names[:SHOWN] + [f"{len(names) - SHOWN - 1} more, then {names[-1]}"]
    return f"{names[0]} uses {names[1]}" + "".join(f", which uses {name}" for name in names[2:])
