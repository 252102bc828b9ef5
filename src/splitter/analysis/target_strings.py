"""Patch targets a test module builds instead of writing them out in the call.

`patch(_CLEAN)` with `_CLEAN = "pkg.main._clean"` at module level (agent-bom's tests), and an f-string whose
module part comes from a list of module names: ARIA's conftest patches one name in every module that imported it,
`for module_path in ("pkg.auth", "pkg.main"): monkeypatch.setattr(f"{module_path}.get_config", fake)`, the list
written in the loop or kept in a module-level constant. Which loop binds a name is not tracked: a name that some
loop (or constant) of the file fills with module names stands for all of them, which can only add a seam.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
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


# a patch call whose target is built: `f"{module_path}.x"`, `MODULE + ".x"`, `"%s.x" % BASE`, `"{}.x".format(BASE)`,
# or a name alone: `patch(target)`
_BUILT = re.compile(
    r"""\b(?:setattr|delattr|patch)\(\s*(?:target=)?"""
    r"""(?:f["']|\w+\s*[+)]|["'][^"'\n]*["']\s*(?:%|\.format\())"""
)


def may_build_a_target(text: str) -> bool:
    """A text test: `text` holds a patch call whose target is built, not written out (its loop, or the assignment
    of the names it is built from, quotes the module's name)."""
    return _BUILT.search(text) is not None


def built_target_names(
    node: ast.AST | None, targets: Mapping[str, str], values_of: Callable[[], Mapping], old_module: str
) -> list[str] | None:
    """The names of the old module a target built from parts reaches; None for one written out (a string, or a
    module-level constant holding a whole target, `targets`) and for one that reaches none (a name bound to the
    module itself: `monkeypatch.setattr(main, "x", v)`)."""
    written_out = isinstance(node, ast.Name) and node.id in targets
    built = isinstance(node, (ast.Name, ast.JoinedStr, ast.BinOp)) or _formatting(node)[0] is not None
    if written_out or not built:
        return None
    spelled = spellings(node, values_of())
    return sorted({name for text in spelled if (name := name_in_target_string(text, old_module))}) or None


def name_values(
    statements: Iterable[ast.stmt],
    constants: Mapping[str, tuple[str, ...]],
    old_module: str,
    lines: list[str] | None = None,
):
    """What each name a target may be built from can hold: `constants`, then names assigned such a string or
    collection of strings in a function (`module = "pkg.main"`), then names a `for` loop or a comprehension binds
    to each string of a literal collection or of such a name (`for m in ("pkg.auth", "pkg.main")`).

    Given the file's `lines`, only statements whose text quotes the module's package (for the strings) or names
    a name found so (for loops over it) are walked: a test module that patches the module by an f-string is
    otherwise walked whole, every test in it, for one loop."""
    statements = list(statements)
    text = _statement_text(lines)
    quoting = [s for s in statements if text is None or _quoted_package(old_module).search(text(s))]
    assigned: dict[str, tuple[str, ...]] = dict(constants)
    loops = _collect(quoting, old_module, assigned)
    if text is not None and assigned:
        walked = set(map(id, quoting))
        naming = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, sorted(assigned))))
        loops += _collect([s for s in statements if id(s) not in walked and naming.search(text(s))], old_module, {})
    found = dict(assigned)
    for loop in loops:
        strings = _strings_of(loop.iter, old_module, elements=True)
        if isinstance(loop.iter, ast.Name):
            strings = assigned.get(loop.iter.id, ())
        if strings:
            _add(found, loop.target.id, strings)  # type: ignore[union-attr]
    return found


def _quoted_package(old_module: str) -> re.Pattern:
    """Where a string literal that `_may_spell` accepts can start: a quote, then the top-level package."""
    return re.compile(rf"[\"']{re.escape(old_module.split('.')[0])}")


def _statement_text(lines: list[str] | None) -> Callable[[ast.stmt], str] | None:
    if lines is None:
        return None
    return lambda node: "".join(
        lines[min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]) - 1 : node.end_lineno]
    )


def _collect(statements: list[ast.stmt], old_module: str, assigned: dict[str, tuple[str, ...]]) -> list:
    """Names assigned a string that may spell the module (into `assigned`); the loops binding a plain name."""
    loops: list[ast.For | ast.AsyncFor | ast.comprehension] = []
    for statement in statements:
        for node in walk(statement):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if strings := _strings_of(node.value, old_module):
                    _add(assigned, node.targets[0].id, strings)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(node.target, ast.Name):
                loops.append(node)
    return loops


def _add(values: dict[str, tuple[str, ...]], name: str, strings: tuple[str, ...]) -> None:
    values[name] = tuple(dict.fromkeys(values.get(name, ()) + strings))


def spellings(node: ast.AST, values: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every string `node` can be: a string, a name with known values, an f-string whose placeholders are such
    names, a `+` of those (`MODULE + ".get_db"`), or one formatted with them (`"%s.x" % BASE`,
    `"{}.x".format(BASE)`); [] otherwise (a call, a format spec, an unknown name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return list(values.get(node.id, ()))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _joined([spellings(node.left, values), spellings(node.right, values)], "".join)
    if isinstance(node, ast.JoinedStr):
        return _joined([_placeholder_spellings(part, values) for part in node.values], "".join)
    template, arguments = _formatting(node)
    if template is None:
        return []
    parts = [[template.value], *(spellings(argument, values) for argument in arguments)]  # type: ignore[union-attr]
    return _joined(parts, _formatter(node))


def _joined(parts: list[list[str]], join: Callable) -> list[str]:
    """`join` of every choice of one spelling per part, while there are at most `_MOST_SPELLINGS`."""
    count = 1
    for options in parts:
        count *= len(options)
    if not 0 < count <= _MOST_SPELLINGS:
        return []
    joined = []
    for chosen in product(*parts):
        try:
            joined.append(join(chosen))
        except (TypeError, ValueError, IndexError, KeyError):
            pass  # a template that these values do not fill
    return joined


def _formatting(node: ast.AST) -> tuple[ast.Constant | None, list[ast.expr]]:
    """(template, arguments) of `"%s.x" % a`, `"%s.%s" % (a, b)` and `"{}.x".format(a)`, else (None, [])."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_string(node.left):
        arguments = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        return node.left, list(arguments)  # type: ignore[return-value]
    call = node if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
    if call and call.func.attr == "format" and _is_string(call.func.value) and not call.keywords:  # type: ignore[attr-defined]
        return call.func.value, list(call.args)  # type: ignore[attr-defined]
    return None, []


def _formatter(node: ast.AST) -> Callable:
    if isinstance(node, ast.BinOp):
        return lambda chosen: chosen[0] % tuple(chosen[1:])
    return lambda chosen: chosen[0].format(*chosen[1:])


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _placeholder_spellings(part: ast.expr, values: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A literal piece of an f-string, or a placeholder `{name}` written without conversion or format spec."""
    if isinstance(part, ast.FormattedValue):
        plain = part.conversion == -1 and part.format_spec is None and isinstance(part.value, ast.Name)
        return spellings(part.value, values) if plain else []
    return spellings(part, values)


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
