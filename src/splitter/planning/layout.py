"""Where each destination lives on disk and how one generated module imports another."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from splitter.planning.destination import Destination, Role
from splitter.planning.plan_io import Layout

GENERATED_MARKER = "by splitter"


def compat_part_name(stem: str, number: int) -> str:
    """`compat_homes`, `compat_homes_2`, ...: the modules holding the rest of the compatibility module's table
    when one file cannot hold it (emit/compat.py)."""
    return f"{stem}_homes" if number == 1 else f"{stem}_homes_{number}"


def is_compat_part(stem: str, compat_module: str) -> bool:
    prefix = compat_part_name(compat_module, 1)
    return stem == prefix or (stem.startswith(f"{prefix}_") and stem[len(prefix) + 1 :].isdigit())


class Destinations(NamedTuple):
    folder: Path  # the monolith's folder
    package: str | None  # the monolith's package, None for a top-level module
    layout: Layout
    relative: bool  # the monolith itself uses relative imports: generated code does too
    packages: frozenset[str] = frozenset()  # groups cut by size into a package: `routers/<g>/__init__.py` + modules

    def subpath(self, destination: Destination) -> str:
        """Dotted path of a destination below the monolith's folder."""
        lay = self.layout
        role = destination.role
        if role is Role.MAIN:
            raise ValueError("main is the monolith itself")
        fixed = {
            Role.CORE: lay.core_module,
            Role.HOOKS: lay.hooks_module,
            Role.COMPAT: lay.compat_module,
            Role.SHARED: f"{lay.services_package}.{lay.shared_module}",
        }
        if role in fixed:
            return fixed[role]
        if role is Role.ROOT:
            return destination.name
        package = lay.routers_package if role is Role.ROUTER else lay.services_package
        return f"{package}.{destination.name}"

    def depth(self, destination: Destination) -> int:
        """How many folders below the monolith's folder the destination's module lives."""
        if destination.role not in (Role.SHARED, Role.ROUTER, Role.SERVICE):
            return 0
        # what `len(self.path(destination).relative_to(self.folder).parts) - 1` says, without building paths:
        # the emitter asks this for every moved statement
        return self.subpath(destination).count(".") + self.is_package(destination)

    def is_package(self, destination: Destination) -> bool:
        """The module of a group cut into a package is the package's `__init__.py`."""
        return destination.role in (Role.ROUTER, Role.SERVICE) and destination.name in self.packages

    def path(self, destination: Destination) -> Path:
        parts = self.subpath(destination).split(".")
        if self.is_package(destination):
            return self.folder.joinpath(*parts, "__init__.py")
        return self.folder.joinpath(*parts).with_suffix(".py")

    def dotted(self, destination: Destination, monolith_module: str) -> str:
        if destination.is_main:
            return monolith_module
        prefix = f"{self.package}." if self.package else ""
        return prefix + self.subpath(destination)

    def routers_folder(self) -> Path:
        return self.folder / self.layout.routers_package

    def package_inits(self) -> list[Path]:
        top = [self.folder / self.layout.routers_package, self.folder / self.layout.services_package]
        return [folder / "__init__.py" for folder in top] + [
            folder / package / "__init__.py" for package in sorted(self.packages) for folder in top
        ]

    def from_clause(self, importer: Destination, target: Destination) -> str:
        """The `from X` part for importing names of `target` into `importer`."""
        sub = self.subpath(target)
        if self.package and self.relative:
            return "." * (self.depth(importer) + 1) + sub
        return f"{self.package}.{sub}" if self.package else sub
