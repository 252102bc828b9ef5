"""Module globals that no top-level statement binds: only functions do, through `global` statements
(`def start(): global pipeline; pipeline = Pipeline()`, called by the lifespan).

They are module globals all the same, read by helpers and endpoints like any other. The functions that declare
them are their binders, as they are rebinders of a global bound at top level: the name gets a home (the block of
those functions) and, being rebound, is a seam that moved readers reach through that home (`core.pipeline`).

So is a name only an import binds and a function rebinds (`from rate_limiting import limiter`, then `global
limiter; limiter = Limiter(...)` in the app factory: nexus). Imports are copied, each module importing what it
uses; a module importing this name would get the value before the rebinding, and its routes would register on
another object than the monolith's. Such an import is the global's binding statement instead: it has one home,
and readers and the rebinder reach the name through it."""

from __future__ import annotations

from splitter.analysis.model import Diagnostic, Unit


def bind_global_only_names(units: list[Unit]) -> None:
    """Add to each unit's `binds` the names it declares `global` that no statement of the module binds."""
    bound = {name for unit in units for name in unit.binds}
    for unit in units:
        only_declared = sorted(unit.rebinds_globals - bound)
        if only_declared:
            unit.binds = unit.binds + tuple(only_declared)


def rebound_imports_bind(units: list[Unit]) -> list[Diagnostic]:
    """Imports binding only names some function rebinds with `global` stop being copied: the statement binds the
    global, as an assignment would (a relative one is rebased where it moves, as inside a moved function). One
    binding other names too cannot move whole (its other names would be imported from the global's home, unused
    there): a warning says modules importing the name miss the rebinding."""
    rebound: dict[str, list[Unit]] = {}
    for unit in units:
        for name in unit.rebinds_globals:
            rebound.setdefault(name, []).append(unit)
    found = []
    for unit in (u for u in units if u.kind == "import"):
        names = {i.bound for i in unit.imports}
        hit = sorted(n for n in names if any(r is not unit for r in rebound.get(n, ())))
        if hit and len(hit) == len(names):
            unit.kind = "assign"
            unit.relative_inside = any(i.level for i in unit.imports)
        elif hit:
            by = rebound[hit[0]][0]
            message = (
                f"`{hit[0]}` is imported here with other names and rebound with `global` by `{by.name}`: a module "
                "the split writes imports it from where it came, the value before the rebinding; give it an "
                "import statement of its own and plan again"
            )
            found.append(Diagnostic("rebound-import", unit.first_line, message))
    return found
