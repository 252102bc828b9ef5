"""A module imported into a package's `__init__` never takes the name of one of that package's own modules."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from splitter.emit.emitter import Emitter
from splitter.planning.destination import Destination


def emitter_placing(*destinations: Destination) -> SimpleNamespace:
    """The parts of an Emitter that `alias_for` reads: where each unit goes, and the names already in use."""
    fake = SimpleNamespace(
        placement=dict(enumerate(destinations)),
        _destinations=set(destinations),
        _aliases={},
        bound_in=set(),
        where=SimpleNamespace(subpath=lambda d: f"{d.role.value}.{d.name}"),
        words_of=lambda destination: set(),
    )
    fake._submodules_of = lambda package: Emitter._submodules_of(fake, package)
    return fake


ROUTERS_PACKAGE = Destination.router("tools")
PART = Destination.router("tools.part_2")
SERVICES_PART = Destination.service("tools.part_2")


@pytest.mark.parametrize(
    ("importer", "home", "alias"),
    [
        pytest.param(ROUTERS_PACKAGE, SERVICES_PART, "part_2_module", id="another-package's-part-is-renamed"),
        pytest.param(ROUTERS_PACKAGE, PART, "part_2", id="its-own-part-keeps-its-name"),
        pytest.param(PART, SERVICES_PART, "part_2", id="a-module-that-is-no-package"),
    ],
)
def test_an_import_never_shadows_a_part_of_the_package(importer, home, alias) -> None:
    emitter = emitter_placing(ROUTERS_PACKAGE, PART, SERVICES_PART)
    assert Emitter.alias_for(emitter, importer, home) == alias
