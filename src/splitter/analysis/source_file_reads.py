"""Code that names the monolith's file as a path (`root / "main.py"`, `open("app/main.py")`): it reads or parses that
file's text (a security audit grepping it for `CORSMiddleware`, a test counting `@app.get` lines), and after a
split the file holds only the slim main.py. `inspect.getsource(main)` is found with the patch sites
(analysis/patched_names.py); this finds the reads by path."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

from splitter.analysis.ast_walk import walk
from splitter.analysis.package_folder import is_package_folder, package_modules
from splitter.analysis.patched_names import dotted_name
from splitter.analysis.top_level_chunks import NotCut, statements_mentioning

# calls that take a path as an argument and open, build or read it
_PATH_TAKERS = frozenset({"open", "Path", "PurePath", "PosixPath", "join", "joinpath", "read_text", "parse_file"})
_MODULE_LOADERS = frozenset({"spec_from_file_location", "run_path", "SourceFileLoader", "load_source"})


def spelled_ending(module: str) -> tuple[str, ...]:
    """How a path to the monolith ends, as far as code must spell it: `shopapi/main.py` for `shopapi.main`, so a
    test writing its own `tmp_path / "main.py"` is not taken for one; `main.py` for a top-level `main`."""
    parts = module.split(".")
    return (*parts[-2:-1], parts[-1] + ".py")


def source_file_reads(sources: Iterable[tuple[Path, str]], ending: tuple[str, ...]) -> list[tuple[str, int]]:
    """(file, line) of each path expression whose literal parts end with `ending` (`spelled_ending`), in files
    whose text quotes its file name; sorted."""
    file_name = ending[-1]
    quoted = (f'"{file_name}"', f"'{file_name}'", f'/{file_name}"', f"/{file_name}'")
    # Each part is spelled between quotes or slashes: only files that have all of them are parsed (a repository
    # of 1,000 files quoting "main.py" somewhere, and `mcpgateway.main` everywhere, parsed 130 of them).
    spelled = [re.compile(rf"[\"'/\\]{re.escape(part)}[\"'/\\]") for part in ending[:-1]]
    # or the package's folder is taken from a module of it: `os.path.dirname(calls.__file__)` (package_folder.py)
    package = re.escape(ending[0]) if len(ending) == 2 else None
    imported = re.compile(rf"\bimport\b.*\b{package}\b|\b{package}\b.*\bimport\b") if package else None
    found = []
    for path, text in sources:
        if file_name not in text or not any(q in text for q in quoted):
            continue
        through_a_module = imported is not None and "__file__" in text and imported.search(text) is not None
        if not through_a_module and not all(pattern.search(text) for pattern in spelled):
            continue
        try:
            tree = _statements_naming(text, (file_name, *_MODULE_LOADERS, *ending[-2:-1]))
        except (SyntaxError, ValueError):
            continue  # not Python: it reads nothing when the app runs
        loaded = _loaded_paths(tree) if any(loader in text for loader in _MODULE_LOADERS) else set()
        modules = package_modules(tree, ending[-2]) if through_a_module else set()
        found += [(str(path), line) for line in _path_lines(tree, list(ending), loaded, modules)]
    return sorted(set(found))


def _statements_naming(text: str, words: tuple[str, ...]) -> ast.Module:
    """The top-level statements whose text has one of `words` (mcpforge's 306 KB test file names main.py in a few
    of its tests), or the whole module when it cannot be cut."""
    try:
        body = statements_mentioning(text, lambda _found: lambda chunk: any(w in chunk for w in words))
    except NotCut:
        return ast.parse(text)
    return ast.Module(body=body, type_ignores=[])


def _path_lines(tree: ast.AST, ending: list[str], loaded: set[int], modules: set[str]) -> list[int]:
    """`modules`: names of modules of the monolith's package, whose folder (`dirname(calls.__file__)`) stands for
    the package's name before the file's."""
    lines = []
    package = ending[:-1]
    for node in walk(tree):
        if id(node) in loaded:
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            base, parts = _chain_parts(node)
            if _ends((package if is_package_folder(base, modules) else []) + parts, ending):
                lines.append(node.lineno)  # `root / "main.py"`, `root / "shopapi" / "main.py"`
        elif isinstance(node, ast.Call) and node.args and _ends(_literal_tail(node.args, package, modules), ending):
            callee = dotted_name(node.func) or ""
            if callee.rpartition(".")[2] in _PATH_TAKERS:
                lines.append(node.lineno)  # `open("main.py")`, `os.path.join(ROOT, "shopapi", "main.py")`
    return lines


def _ends(parts: list[str], ending: list[str]) -> bool:
    return len(parts) >= len(ending) and parts[-len(ending) :] == ending


def _chain_parts(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """The base and literal parts at the end of a `/` chain: `base / "shopapi" / "main.py"` -> shopapi, main.py."""
    parts: list[str] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        literal = _literal_parts(node.right)
        if literal is None:
            break
        parts = literal + parts
        node = node.left
    if isinstance(node, ast.Call) and len(node.args) == 1:  # Path("shopapi") / "main.py"
        parts = (_literal_parts(node.args[0]) or []) + parts
    return node, parts


def _literal_tail(args: list[ast.expr], package: list[str], modules: set[str]) -> list[str]:
    """The literal parts of a call's last arguments: `os.path.join(ROOT, "shopapi", "main.py")`; the argument
    before them naming the package's folder through a module of it counts as `package`."""
    parts: list[str] = []
    for arg in reversed(args):
        literal = _literal_parts(arg)
        if literal is None:
            return (package if is_package_folder(arg, modules) else []) + parts
        parts = literal + parts
    return parts


def _literal_parts(node: ast.AST) -> list[str] | None:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or "\n" in node.value:
        return None
    return [part for part in node.value.replace("\\", "/").split("/") if part]


def _loaded_paths(tree: ast.AST) -> set[int]:
    """Path expressions a module loader takes (`spec_from_file_location("m", ROOT / "main.py")`), directly or
    through a name assigned them: loading the slim main.py still builds the whole app, nothing reads its text."""
    calls = [n for n in walk(tree) if isinstance(n, ast.Call)]
    loader_args = [
        a for c in calls if (dotted_name(c.func) or "").rpartition(".")[2] in _MODULE_LOADERS for a in c.args
    ]
    names = {a.id for a in loader_args if isinstance(a, ast.Name)}
    loaded = {id(a) for a in loader_args}
    for node in walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            loaded.add(id(node.value))
    return loaded
