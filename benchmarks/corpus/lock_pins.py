"""Print a project's declared dependencies pinned to the versions its uv.lock resolved.

usage: python lock_pins.py [PYPROJECT [UV_LOCK]]   (defaults: pyproject.toml, uv.lock) -> requirements on stdout

A corpus case pinned at an old commit needs the library versions its team ran then: the newest release of a
dependency declared with `>=` can drop an API the monolith imports (mcp dropped `streamablehttp_client`). A name
the lock does not hold keeps its declared requirement; extras are kept.
"""

import re
import sys
import tomllib

REQUIREMENT = re.compile(r"\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirement: str, locked: dict[str, str]) -> str:
    match = REQUIREMENT.match(requirement)
    if match is None or normalized(match.group(1)) not in locked:
        return requirement
    return f"{match.group(1)}{match.group(2) or ''}=={locked[normalized(match.group(1))]}"


def main(argv: list[str]) -> int:
    pyproject = argv[1] if len(argv) > 1 else "pyproject.toml"
    lock = argv[2] if len(argv) > 2 else "uv.lock"
    with open(pyproject, "rb") as fh:
        declared = tomllib.load(fh)["project"]["dependencies"]
    with open(lock, "rb") as fh:
        locked = {normalized(p["name"]): p["version"] for p in tomllib.load(fh)["package"] if "version" in p}
    print("\n".join(pinned(requirement, locked) for requirement in declared))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
