"""Module globals that no top-level statement binds: only functions do, through `global` statements
(`def start(): global pipeline; pipeline = Pipeline()`, called by the lifespan).

They are module globals all the same, read by helpers and endpoints like any other. The functions that declare
them are their binders, as they are rebinders of a global bound at top level: the name gets a home (the block of
those functions) and, being rebound, is a seam that moved readers reach through that home (`core.pipeline`)."""

from __future__ import annotations

from splitter.analysis.model import Unit


def bind_global_only_names(units: list[Unit]) -> None:
    """Add to each unit's `binds` the names it declares `global` that no statement of the module binds."""
    bound = {name for unit in units for name in unit.binds}
    for unit in units:
        only_declared = sorted(unit.rebinds_globals - bound)
        if only_declared:
            unit.binds = unit.binds + tuple(only_declared)
