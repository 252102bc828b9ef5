"""Blocks: units that must move together (same name bound twice, a global and its `global` rebinders, a local
APIRouter and its routes), with the facts planning needs about each."""

from __future__ import annotations

import ast
import re

from splitter.analysis.model import Analysis, Unit
from splitter.analysis.scopes import build_scopes


class Block:
    """Top-level statements that move together (one reference cycle, or a unit alone), as planning places them.

    A plain class, not a dataclass: a dataclass costs half a millisecond of every run to create (issue 11)."""

    def __init__(
        self,
        id: int,
        units: list[int],
        name: str,
        line: int,
        lines: int,
        *,
        binds: frozenset[str],
        uses: frozenset[str],
        impure: bool,
        must_stay: str = "",  # why it cannot leave main.py ('' = it can)
        router_var: str | None = None,
        router_prefix: str | None = None,
        is_hook: bool = False,
        placeable: bool = True,
        is_definition: bool = False,
    ) -> None:
        self.id, self.units, self.name, self.line, self.lines = id, units, name, line, lines
        self.binds, self.uses, self.impure, self.must_stay = binds, uses, impure, must_stay
        self.endpoint_paths: list[str | None] = []
        self.router_var, self.router_prefix = router_var, router_prefix
        self.is_hook, self.placeable, self.is_definition = is_hook, placeable, is_definition


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def last_leading_import(analysis: Analysis) -> int:
    """Index of the last import before the first def/class: statements above it may prepare those imports."""
    last = -1
    for unit in analysis.units:
        if unit.kind in ("function", "class"):
            break
        if unit.kind in ("import", "import_block"):
            last = unit.index
    return last


# What a statement above the monolith's imports may do for them: make modules findable, set the environment.
_PREPARES_IMPORTS = re.compile(r"sys\.path|sys\.modules|meta_path|environ|putenv|dotenv|chdir|\bsite\.")
# Of those, what changes where modules are found: it matters to every import below it, not only leading ones.
_FINDS_MODULES = re.compile(r"sys\.path|sys\.modules|meta_path|\bsite\.\w+\(")  # not "one site." in a docstring


def _may_prepare_imports(unit: Unit, analysis: Analysis, pattern: re.Pattern[str] = _PREPARES_IMPORTS) -> bool:
    return pattern.search(analysis.text_of(unit.first_line, unit.last_line)) is not None


def finds_modules_for_later_imports(unit: Unit, analysis: Analysis) -> bool:
    """A statement that changes where modules are found (`sys.path.append(ROOT)`) with an import below it, even
    past the first def: PinePods, run as a script from its folder, defines a SIGTERM handler, then appends the
    project root and imports its sibling package. Moved to core.py it ran after the imports it prepares."""
    if (
        not unit.impure
        or unit.kind in ("import", "import_block", "function", "class")  # a def runs nothing
        or not _may_prepare_imports(unit, analysis, _FINDS_MODULES)
    ):
        return False
    return any(u.kind in ("import", "import_block") for u in analysis.units[unit.index + 1 :])


def read_by_module_finders(analysis: Analysis, binders: dict[str, list[int]] | None = None) -> dict[int, str]:
    """Statements binding a name that a line changing where modules are found reads, above it (bensley's
    `backend_path = Path(__file__).parent.parent` then `sys.path.insert(0, str(backend_path))`), and what those
    read in turn -> why they stay in main.py above that line. Moved to core.py, main.py imported core.py before the
    line to read the name, and core.py ran the imports the line prepares: No module named 'services'."""
    if binders is None:
        binders = {}
        for unit in (u for u in analysis.units if not u.is_copied):
            for name in unit.binds:
                binders.setdefault(name, []).append(unit.index)
    leading, reasons = last_leading_import(analysis), {}
    for finder in analysis.units:
        if not _finds_modules(finder, analysis, leading):
            continue
        stack = list(finder.uses)
        while stack:
            name = stack.pop()
            for index in (i for i in binders.get(name, []) if i < finder.index and i not in reasons):
                line = finder.first_line
                reasons[index] = f"the `sys.path` line at {line} reads `{name}` before the imports below it"
                stack.extend(analysis.units[index].uses)
    return reasons


def _finds_modules(unit: Unit, analysis: Analysis, last_leading_import: int) -> bool:
    return _prepares_leading_imports(
        unit, analysis, last_leading_import, _FINDS_MODULES
    ) or finds_modules_for_later_imports(unit, analysis)


def _prepares_leading_imports(
    unit: Unit, analysis: Analysis, last_leading_import: int, pattern: re.Pattern[str]
) -> bool:
    return (
        unit.impure
        and unit.kind != "import"
        and unit.index < last_leading_import
        and _may_prepare_imports(unit, analysis, pattern)
    )


def environment_preparers(analysis: Analysis) -> frozenset[int]:
    """Statements above some of the monolith's imports that set up the environment for them (`load_dotenv(...)`,
    `os.environ.setdefault(...)`, `os.chdir(...)`) without changing where modules are found. They move to core.py
    like other import-time work, where they run before the imports that followed them (emit/emitter.py), and
    main.py imports core.py at their place (AgenticContextBuilder loads `.env` above its imports: kept in main.py,
    it ran after everything core.py read from the environment at import)."""
    leading = last_leading_import(analysis)
    return frozenset(
        u.index
        for u in analysis.units
        if _prepares_leading_imports(u, analysis, leading, _PREPARES_IMPORTS)
        and not _prepares_leading_imports(u, analysis, leading, _FINDS_MODULES)
    )


def _must_stay(unit: Unit, analysis: Analysis, last_leading_import: int = -1) -> str:
    if _finds_modules(unit, analysis, last_leading_import):
        return "runs before imports that may depend on it (sys.path)"
    if unit.pinned_reason:
        return unit.pinned_reason
    if unit.kind in ("docstring", "main_guard"):
        return "module entry point" if unit.kind == "main_guard" else ""
    if set(unit.binds) & set(analysis.app_names):
        return "creates the app"
    if unit.app_in_body and not unit.app_at_call_time:
        return "uses the app object at import time"
    reasons = [d for d in unit.dynamic if d != "__file__"]
    if reasons:
        return f"uses {', '.join(reasons)}"
    return ""


def router_prefix(analysis: Analysis, unit: Unit) -> str | None:
    own = "".join(analysis.local_router_prefixes.get(name, "") for name in unit.binds)
    for registration in analysis.registrations:
        if registration.kind == "include" and registration.function in unit.binds and registration.path:
            return registration.path + own
    return own or None


def build_blocks(
    analysis: Analysis, apart: frozenset[tuple[str, int]] = frozenset()
) -> tuple[list[Block], dict[int, int]]:
    """The blocks, and the block of each unit. `apart`: (global, unit rebinding it) pairs that need not move
    together (analysis/rebinders.py): the rebinder reads and assigns the global through its home module."""
    units = analysis.units
    binders: dict[str, list[int]] = {}
    for unit in units:
        if not unit.is_copied and not unit.wraps_app:  # the wrapper stays in main.py: it binds no block's name
            for name in unit.binds:
                binders.setdefault(name, []).append(unit.index)
    uf = _units_that_move_together(analysis, binders, apart)
    staying = annotations_resolved_late(analysis, binders) | read_by_module_finders(analysis, binders)
    endpoint_paths = _endpoint_paths(analysis, binders)
    hook_functions = {h.function for h in analysis.hooks if h.function} | (
        {analysis.lifespan} if analysis.lifespan else set()
    )
    leading = last_leading_import(analysis)
    grouped: dict[int, list[int]] = {}
    for unit in units:
        grouped.setdefault(uf.find(unit.index), []).append(unit.index)
    blocks: list[Block] = []
    block_of_unit: dict[int, int] = {}
    for root in sorted(grouped):
        members = grouped[root]
        block = _block(analysis, len(blocks), members, leading, hook_functions)
        block.must_stay = block.must_stay or next((staying[i] for i in members if i in staying), "")
        block.endpoint_paths = [p for i in members for p in endpoint_paths.get(i, [])]
        blocks.append(block)
        for index in members:
            block_of_unit[index] = block.id
    return blocks, block_of_unit


def _units_that_move_together(
    analysis: Analysis, binders: dict[str, list[int]], apart: frozenset[tuple[str, int]]
) -> _UnionFind:
    """Statements binding one name and those reading it between two of them; a global and the functions that rebind
    it (but those `apart`); a local router and its users."""
    units = analysis.units
    uf = _UnionFind(len(units))
    for name, indices in binders.items():
        for other in indices[1:]:
            uf.union(indices[0], other)
        for reader in readers_between_definitions(analysis, name, indices):
            uf.union(indices[0], reader.index)  # it reads the definition above it: elsewhere only the last one
    global_declarers: dict[str, list[int]] = {}
    for unit in units:
        for name in unit.rebinds_globals:
            global_declarers.setdefault(name, []).append(unit.index)
    for name, declarers in global_declarers.items():
        anchor = binders.get(name, declarers)[0]
        for index in declarers:
            if (name, index) not in apart:
                uf.union(anchor, index)
    routers = analysis.local_routers
    for unit in units:
        if unit.route_owner in routers:
            uf.union(routers[unit.route_owner], unit.index)
        elif unit.kind == "statement" and not unit.app_in_body and unit.uses & set(routers):
            if not set(unit.binds) & set(routers):  # `b = APIRouter(callbacks=a.routes)` only reads `a`: an import
                uf.union(routers[_router_acted_on(analysis, unit, unit.uses & set(routers))], unit.index)
    return uf


def _router_acted_on(analysis: Analysis, unit: Unit, names: set[str]) -> str:
    """The router a statement changes: `outer.include_router(inner)` runs in `outer`'s module, which imports
    `inner`'s; in `inner`'s module nothing would import it (the app includes `outer`). Else the first by name."""
    node = analysis.tree.body[unit.index] if analysis.tree is not None else None
    call = node.value if isinstance(node, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
        receiver = call.func.value
        if isinstance(receiver, ast.Name) and receiver.id in names:
            return receiver.id
    return sorted(names)[0]


def readers_between_definitions(analysis: Analysis, name: str, binders: list[int]) -> list[Unit]:
    """Statements reading `name` at import time between two of its definitions (a decorator, a default, a base
    class, an annotation FastAPI resolves when it registers the route): they see the definition above them. A
    function body reads it when it runs, so the last definition, wherever it lives."""
    if len(binders) < 2 or analysis.tree is None:
        return []
    units, body = analysis.units, analysis.tree.body
    between = [u for u in units[binders[0] + 1 : binders[-1]] if name in u.uses and not u.is_copied]
    return [u for u in between if name in import_time_reads(body[u.index])]


def import_time_reads(statement: ast.stmt) -> set[str]:
    """Names a top-level statement reads while the module runs: its own code and its class bodies, not the
    bodies of its functions and lambdas."""
    found: set[str] = set()
    stack = [build_scopes(statement)]
    while stack:
        scope = stack.pop()
        found |= scope.reads | scope.annotation_reads | scope.hint_reads
        stack.extend(child for child in scope.children if child.kind not in ("function", "lambda"))
    return found


def annotations_resolved_late(analysis: Analysis, binders: dict[str, list[int]]) -> dict[int, str]:
    """Route handlers whose string annotations (`from __future__ import annotations`, or quoted) name a model
    defined again below them -> why their group stays in main.py: a router's routes are registered again by
    `include_router`, which resolves those strings once the module is fully loaded, so to the last definition."""
    reasons: dict[int, str] = {}
    for name, indices in binders.items():
        for reader in readers_between_definitions(analysis, name, indices):
            text = analysis.text_of(reader.first_line, reader.last_line)
            quoted = re.search(rf"[\"'][^\"'\n]*\b{re.escape(name)}\b", text)
            if reader.route_owner and (analysis.future_annotations or quoted):
                last = analysis.units[indices[-1]].first_line
                reasons[reader.index] = (
                    f"the route at line {reader.first_line} is annotated with the `{name}` defined above it, and line "
                    f"{last} defines `{name}` again: a router would resolve the annotation to that one when the app "
                    "includes it"
                )
    return reasons


def _endpoint_paths(analysis: Analysis, binders: dict[str, list[int]]) -> dict[int, list[str | None]]:
    """unit index -> paths of the app's routes it handles (decorated, or registered with add_api_route)."""
    primary = analysis.app_names[0]
    endpoint_paths: dict[int, list[str | None]] = {}
    handler_units: dict[int, list[str | None]] = {}
    for registration in analysis.registrations:
        if registration.owner != primary or registration.kind not in ("route", "websocket") or registration.conditional:
            continue
        if registration.form == "decorator":
            endpoint_paths.setdefault(registration.unit, []).append(registration.path)
        elif registration.function in binders:
            handler_units.setdefault(binders[registration.function][-1], []).append(registration.path)
    for unit_index, paths in handler_units.items():
        endpoint_paths.setdefault(unit_index, []).extend(paths)
    for function, routes in analysis.factory_routes.items():  # `register_items(app)`: an app factory's routes
        endpoint_paths.setdefault(binders[function][-1], []).extend(route.path for route in routes)
    return endpoint_paths


def _block(analysis: Analysis, block_id: int, members: list[int], leading: int, hook_functions: set[str]) -> Block:
    units, routers = analysis.units, analysis.local_routers
    member_units = [units[i] for i in members]
    binds = frozenset(n for u in member_units if not u.is_copied for n in u.binds)
    uses = frozenset(n for u in member_units for n in u.uses) - binds
    router_var = next((r for r, i in routers.items() if i in members), None)
    single_function = len(members) == 1 and member_units[0].kind == "function"
    block = Block(
        id=block_id,
        units=members,
        name=member_units[0].name,
        line=member_units[0].first_line,
        lines=sum(u.footprint for u in member_units),
        binds=binds,
        uses=uses,
        impure=any(u.impure for u in member_units),
        must_stay=next((r for r in (_must_stay(u, analysis, leading) for u in member_units) if r), ""),
        router_var=router_var,
        router_prefix=router_prefix(analysis, units[routers[router_var]]) if router_var else None,
        # a hook that alone binds module state (`global client` in a startup handler) is placed with that state
        is_hook=single_function
        and (bool(member_units[0].hook_kinds) or member_units[0].name in hook_functions)
        and binds == {member_units[0].name},
        placeable=not all(u.is_copied for u in member_units),
        is_definition=any(u.kind in ("function", "class") for u in member_units),
    )
    if not block.must_stay:
        # Its only use of the app is a route/hook decorator, which apply rewrites or detaches.
        block.uses = block.uses - {analysis.app_names[0]}
    if router_var:
        block.impure = False  # APIRouter() and its decorators only build the router object
    return block


def strongly_connected(nodes: list[int], edges: dict[int, set[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative; components come out dependencies-first."""
    node_set = set(nodes)
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for start in nodes:
        if start in index_of:
            continue
        work = [(start, iter(sorted(e for e in edges.get(start, ()) if e in node_set)))]
        index_of[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(e for e in edges.get(child, ()) if e in node_set))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                result.append(sorted(component))
    return result
