"""Patch targets a test module builds instead of writing them out in the call.

`patch(_CLEAN)` with `_CLEAN = "pkg.main._clean"` at module level (agent-bom's tests), and an f-string whose
module part comes from a list of module names: ARIA's conftest patches one name in every module that imported it,
`for module_path in ("pkg.auth", "pkg.main"): monkeypatch.setattr(f"{module_path}.get_config", fake)`, the list
written in the loop or kept in a module-level constant. Which loop binds a name is not tracked: a name that some
loop (or constant) of the file fills with module names stands for all of them, which can only add a seam.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from itertools import product

from splitter.analysis.ast_walk import walk

# an f-string with several placeholders is read only while it spells out at most this many strings
_MOST_SPELLINGS = 64


def target_constants(tree: ast.Module, old_module: str) -> dict[str, str]:
    """Module-level names bound to a patch target string: `_SANITIZE = "pkg.main._clean"` -> {"_SANITIZE": "_clean"}
    (agent-bom's tests then write `patch(_SANITIZE, ...)`)."""
    found: dict[str, str] = {}
    for statement in tree.body:
        value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str) and old_module in value.value):
            continue
        name = name_in_target_string(value.value, old_module)
        for target in _assigned_names(statement) if name is not None else ():
            found[target] = name
    return found


def name_in_target_string(target: str, old_module: str) -> str | None:
    """ "pkg.main.x.attr" -> "x" for a patch target string that goes through the old module."""
    if target.startswith(old_module + "."):
        name = target[len(old_module) + 1 :].split(".")[0]
        return name or None
    return None


def module_name_constants(tree: ast.Module, old_module: str) -> dict[str, tuple[str, ...]]:
    """Module-level names bound to a string, or a tuple, list or set of strings, that can spell the old module's
    name (`_PATCH_SITES = ("pkg.auth", "pkg.main")`): what an f-string target may be built from."""
    found: dict[str, tuple[str, ...]] = {}
    for statement in tree.body:
        value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
        strings = _strings_of(value, old_module)
        for target in _assigned_names(statement) if strings else ():
            found[target] = strings
    return found


def loop_values(statements: Iterable[ast.stmt], constants: Mapping[str, tuple[str, ...]], old_module: str):
    """Names a `for` loop or a comprehension binds to each of a literal collection of strings that can spell the
    old module's name, or to each string of one of `constants`; with `constants` themselves."""
    found: dict[str, tuple[str, ...]] = dict(constants)
    for statement in statements:
        for node in walk(statement):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(node.target, ast.Name):
                strings = _strings_of(node.iter, old_module, elements=True)
                if isinstance(node.iter, ast.Name):
                    strings = constants.get(node.iter.id, ())
                if strings:
                    found[node.target.id] = tuple(dict.fromkeys(found.get(node.target.id, ()) + strings))
    return found


def fstring_spellings(node: ast.JoinedStr, values: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every string `node` can be when each placeholder is a plain name with known values; [] otherwise."""
    choices: list[tuple[str, ...]] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            choices.append((part.value,))
        elif _plain_name(part) in values:
            choices.append(values[part.value.id])  # type: ignore[union-attr]
        else:
            return []  # a call, a format spec or an unknown name: not read
    count = 1
    for options in choices:
        count *= len(options)
    return ["".join(parts) for parts in product(*choices)] if count <= _MOST_SPELLINGS else []


def _plain_name(part: ast.expr) -> str | None:
    """The name of a placeholder `{name}` written without conversion or format spec."""
    if isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None:
        return part.value.id if isinstance(part.value, ast.Name) else None
    return None


def _strings_of(value: ast.AST | None, old_module: str, elements: bool = False) -> tuple[str, ...]:
    """The strings of a literal string (unless `elements`) or collection of strings, if one can spell the old
    module's name or a name inside it, else ()."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str) and not elements:
        strings = (value.value,)
    elif isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
            return ()
        strings = tuple(e.value for e in value.elts)  # type: ignore[attr-defined]
    else:
        return ()
    return strings if any(_may_spell(s, old_module) for s in strings) else ()


def _may_spell(text: str, old_module: str) -> bool:
    """ "pkg.main", "pkg.main.sub" and "pkg" (for `f"{p}.main.x"`) can start a target through "pkg.main"."""
    return text == old_module or text.startswith(old_module + ".") or old_module.startswith(text + ".")


def _assigned_names(statement: ast.stmt) -> list[str]:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]  # type: ignore[attr-defined]
    return [target.id for target in targets if isinstance(target, ast.Name)]
