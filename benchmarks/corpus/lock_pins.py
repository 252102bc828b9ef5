"""Print a project's declared dependencies pinned to the versions its uv.lock resolved.

usage: python lock_pins.py [--extra NAME]... [PYPROJECT [UV_LOCK]]   (defaults: pyproject.toml, uv.lock)
       -> requirements on stdout: [project].dependencies and each named optional-dependencies extra

A corpus case pinned at an old commit needs the library versions its team ran then: the newest release of a
dependency declared with `>=` can drop an API the monolith imports (mcp dropped `streamablehttp_client`), and
loose bounds can send pip backtracking for many minutes (treg). A name the lock does not hold keeps its declared
requirement; extras are kept; an extra that names the project itself (`pkg[server]`) is left out.
"""

import argparse
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


def declared(project: dict, extras: list[str]) -> list[str]:
    wanted = list(project.get("dependencies", []))
    for extra in extras:
        wanted += project.get("optional-dependencies", {})[extra]
    own = normalized(project.get("name", ""))
    return [r for r in wanted if not (m := REQUIREMENT.match(r)) or normalized(m.group(1)) != own]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[], help="an optional-dependencies group to add")
    parser.add_argument("pyproject", nargs="?", default="pyproject.toml")
    parser.add_argument("lock", nargs="?", default="uv.lock")
    args = parser.parse_args(argv[1:])
    with open(args.pyproject, "rb") as fh:
        project = tomllib.load(fh)["project"]
    with open(args.lock, "rb") as fh:
        locked = {normalized(p["name"]): p["version"] for p in tomllib.load(fh)["package"] if "version" in p}
    print("\n".join(pinned(requirement, locked) for requirement in declared(project, args.extra)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
