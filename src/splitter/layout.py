"""Where each destination lives on disk and how one generated module imports another."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .plan_io import Layout

GENERATED_MARKER = "by splitter"


@dataclass(frozen=True)
class Destinations:
    folder: Path  # the monolith's folder
    package: str | None  # the monolith's package, None for a top-level module
    layout: Layout
    relative: bool  # the monolith itself uses relative imports: generated code does too

    def subpath(self, destination: str) -> str:
        """Dotted path of a destination below the monolith's folder."""
        lay = self.layout
        if destination == "main":
            raise ValueError("main is the monolith itself")
        if destination == "core":
            return lay.core_module
        if destination == "hooks":
            return lay.hooks_module
        if destination == "compat":
            return lay.compat_module
        if destination == "shared":
            return f"{lay.services_package}.{lay.shared_module}"
        kind, name = destination.split(".", 1)
        if kind == "root":
            return name
        return f"{lay.routers_package if kind == 'routers' else lay.services_package}.{name}"

    def depth(self, destination: str) -> int:
        return 0 if destination in ("main", "core", "hooks", "compat") or destination.startswith("root.") else 1

    def path(self, destination: str) -> Path:
        return self.folder.joinpath(*self.subpath(destination).split(".")).with_suffix(".py")

    def dotted(self, destination: str, monolith_module: str) -> str:
        if destination == "main":
            return monolith_module
        prefix = f"{self.package}." if self.package else ""
        return prefix + self.subpath(destination)

    def package_inits(self) -> list[Path]:
        return [
            self.folder / self.layout.routers_package / "__init__.py",
            self.folder / self.layout.services_package / "__init__.py",
        ]

    def from_clause(self, importer: str, target: str) -> str:
        """The `from X` part for importing names of `target` into `importer`."""
        sub = self.subpath(target)
        if self.package and self.relative:
            return "." * (self.depth(importer) + 1) + sub
        return f"{self.package}.{sub}" if self.package else sub

    def module_import(self, importer: str, target: str, alias: str):
        """A statement binding `alias` to the target module object."""
        from . import nodes  # libcst: only apply builds statements; `plan` must not pay for importing it

        sub = self.subpath(target)
        parent, _, leaf = sub.rpartition(".")
        name = leaf if alias == leaf else f"{leaf} as {alias}"
        if self.package and self.relative:
            return nodes.from_import("." * (self.depth(importer) + 1) + parent, [name])
        base = ".".join(p for p in (self.package, parent) if p)
        if base:
            return nodes.from_import(base, [name])
        return nodes.import_module(leaf, alias if alias != leaf else None)
