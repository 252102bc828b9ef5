"""Where each moved name of the old module lives now: shared by the libcst codemod and the ast fast path.

Kept free of libcst so that `retarget_fast` (and `splitter plan`) never import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from splitter.analysis.patched_names import name_in_target_string

DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "import_module", "__import__"})


@dataclass(frozen=True)
class Relocation:
    old_module: str  # "shopapi.main" / "main"
    moved: Mapping[str, str]  # name -> module M such that M.<name> is now the object

    def is_package_level(self, name: str) -> bool:
        """The name's home is a package above the old module (`from . import db`): the name itself is imported.

        "" as a home means a top-level module of that name (`import db` next to a top-level `main.py`).
        """
        home = self.moved[name]
        return home == "" or self.old_module.startswith(home + ".")

    def object_path(self, name: str) -> str:
        home = self.moved[name]
        return f"{home}.{name}" if home else name

    def retarget_string(self, target: str) -> str | None:
        """ "pkg.main.helper.attr" -> "pkg.services.shared.helper.attr"; None when no moved name is involved."""
        name = name_in_target_string(target, self.old_module)
        if name not in self.moved:
            return None
        return self.object_path(name) + target[len(self.old_module) + 1 + len(name) :]
