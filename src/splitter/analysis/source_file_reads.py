"""Code that names the monolith's file as a path (`root / "main.py"`, `open("app/main.py")`): it reads or parses that
file's text (a security audit grepping it for `CORSMiddleware`, a test counting `@app.get` lines), and after a
split the file holds only the slim main.py. `inspect.getsource(main)` is found with the patch sites
(analysis/patched_names.py); this finds the reads by path."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from splitter.analysis.patched_names import dotted_name

# calls that take a path as an argument and open, build or read it
_PATH_TAKERS = frozenset({"open", "Path", "PurePath", "PosixPath", "join", "joinpath", "read_text", "parse_file"})
_MODULE_LOADERS = frozenset({"spec_from_file_location", "run_path", "SourceFileLoader", "load_source"})


def source_file_reads(sources: Iterable[tuple[Path, str]], file_name: str) -> list[tuple[str, int]]:
    """(file, line) of each path expression naming `file_name`, in files whose text quotes it; sorted."""
    quoted = (f'"{file_name}"', f"'{file_name}'", f'/{file_name}"', f"/{file_name}'")
    found = []
    for path, text in sources:
        if file_name not in text or not any(q in text for q in quoted):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue  # not Python: it reads nothing when the app runs
        found += [(str(path), line) for line in _path_lines(tree, file_name)]
    return sorted(set(found))


def _path_lines(tree: ast.AST, file_name: str) -> list[int]:
    loaded = _loaded_paths(tree)
    lines = []
    for node in ast.walk(tree):
        if id(node) in loaded:
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _names(node.right, file_name):
            lines.append(node.lineno)  # `root / "main.py"`
        elif isinstance(node, ast.Call) and any(_names(a, file_name) for a in node.args):
            callee = dotted_name(node.func) or ""
            if callee.rpartition(".")[2] in _PATH_TAKERS:
                lines.append(node.lineno)  # `open("main.py")`, `os.path.join(ROOT, "main.py")`
    return lines


def _loaded_paths(tree: ast.AST) -> set[int]:
    """Path expressions a module loader takes (`spec_from_file_location("m", ROOT / "main.py")`), directly or
    through a name assigned them: loading the slim main.py still builds the whole app, nothing reads its text."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    loader_args = [
        a for c in calls if (dotted_name(c.func) or "").rpartition(".")[2] in _MODULE_LOADERS for a in c.args
    ]
    names = {a.id for a in loader_args if isinstance(a, ast.Name)}
    loaded = {id(a) for a in loader_args}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            loaded.add(id(node.value))
    return loaded


def _names(node: ast.AST, file_name: str) -> bool:
    """A string that is the file's name or a path ending in it: not a list of names (`["main.py", "db.py"]`)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    value = node.value.replace("\\", "/")
    return value == file_name or value.endswith("/" + file_name)
