"""Where a unit of the monolith goes: a typed value from the planner to the emitter.

A destination is a role (the monolith itself, core, a group's router, ...) plus, for the roles that come in
many, a name. Which file and dotted module it is follows from the plan's layout (planning/layout.py
`Destinations`); its string form ('routers.orders', 'root.core_2') exists only in plan files and messages
(planning/plan_io.py reads and writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import total_ordering


class Role(Enum):
    MAIN = "main"  # the monolith itself (stays the app's module)
    CORE = "core"  # import-time configuration, clients and state, beside the monolith
    HOOKS = "hooks"  # middleware, exception handlers and lifecycle hooks, beside the monolith
    COMPAT = "compat"  # keeps moved names reachable as main.NAME, beside the monolith
    SHARED = "shared"  # helpers used by several groups, in the services package
    ROUTER = "router"  # a group's routes: routers/<group>.py
    SERVICE = "service"  # a group's own helpers, or an overflow module: services/<name>.py
    ROOT = "root"  # an overflow module beside the monolith: <name>.py (core_2, hooks_2)


NAMED_ROLES = frozenset({Role.ROUTER, Role.SERVICE, Role.ROOT})
_PLAN_PREFIX = {Role.ROUTER: "routers", Role.SERVICE: "services", Role.ROOT: "root"}


@total_ordering
@dataclass(frozen=True)
class Destination:
    role: Role
    name: str = ""  # the group (router, service) or module (root) name; empty for the single-module roles

    def __post_init__(self) -> None:
        if (self.role in NAMED_ROLES) != bool(self.name):
            raise ValueError(f"a {self.role.value} destination {'needs' if not self.name else 'takes no'} name")

    @staticmethod
    def router(group: str) -> Destination:
        return Destination(Role.ROUTER, group)

    @staticmethod
    def service(name: str) -> Destination:
        return Destination(Role.SERVICE, name)

    @staticmethod
    def root(name: str) -> Destination:
        return Destination(Role.ROOT, name)

    @property
    def is_main(self) -> bool:
        return self.role is Role.MAIN

    @property
    def group(self) -> str | None:
        """The route group a router or service module belongs to (an overflow services module names itself)."""
        return self.name if self.role in (Role.ROUTER, Role.SERVICE) else None

    def __str__(self) -> str:
        """The plan-file form: 'main', 'shared', 'routers.orders', 'services.orders', 'root.core_2'."""
        prefix = _PLAN_PREFIX.get(self.role)
        return f"{prefix}.{self.name}" if prefix else self.role.value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):  # a leftover of the string form would silently compare unequal
            raise TypeError(f"a Destination compared with the string {other!r}")
        if not isinstance(other, Destination):
            return NotImplemented
        return self.role is other.role and self.name == other.name

    def __hash__(self) -> int:
        return hash((self.role, self.name))

    def __lt__(self, other: Destination) -> bool:
        # Ordered as their plan-file forms, so every sorted listing (imports, extra_modules) reads as before.
        if not isinstance(other, Destination):
            return NotImplemented
        return str(self) < str(other)


MAIN = Destination(Role.MAIN)
CORE = Destination(Role.CORE)
HOOKS = Destination(Role.HOOKS)
COMPAT = Destination(Role.COMPAT)
SHARED = Destination(Role.SHARED)
