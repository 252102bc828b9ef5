"""Where each destination lives on disk and how one generated module imports another."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from splitter.planning.plan_io import Layout

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
