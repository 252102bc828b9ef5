"""The scope model against the stdlib `symtable`: for every function, lambda and comprehension scope, the
locals, globals and free names `splitter.analysis.scopes` reports are the ones CPython's compiler computes.

From Python 3.12 the compiler inlines list, set and dict comprehensions into the scope that holds them (PEP 709:
the same name resolution, no table of their own): there the model's comprehensions are compared as part of it.

Run over every fixture that parses, the generated monoliths of tests/property, and a table of scoping corners.
"""

from __future__ import annotations

import ast
import symtable
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from splitter.analysis.scopes import Scope, build_scopes, nested_scopes, symbol_table
from tests.property.strategies import monoliths

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def parseable_fixtures() -> list[Path]:
    found = []
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        found.append(path)
    return found


INLINED = {"listcomp", "setcomp", "dictcomp"} if sys.version_info >= (3, 12) else set()


def _inlined(scope: Scope) -> list[Scope]:
    """The comprehensions the compiler builds into `scope` itself, nested ones too."""
    found = []
    for child in scope.children:
        if child.kind == "comprehension" and child.name in INLINED:
            found += [child, *_inlined(child)]
    return found


def _tables_of(scope: Scope) -> list[Scope]:
    """The scopes below `scope` that have a symbol table of their own."""
    inlined = [scope, *_inlined(scope)]
    return [child for owner in inlined for child in owner.children if child not in inlined]


def _key(name: str, line: int) -> tuple[str, int]:
    return (name, line)


def _pairs(table: symtable.SymbolTable, scope: Scope) -> list[tuple[symtable.SymbolTable, Scope]]:
    """Every (symtable table, model scope) pair below and including these two, matched by name and line."""
    pairs = [(table, scope)]
    ours: dict[tuple[str, int], list[Scope]] = {}
    for child in _tables_of(scope):
        ours.setdefault(_key(child.name, child.node.lineno), []).append(child)
    theirs: dict[tuple[str, int], list[symtable.SymbolTable]] = {}
    for child in table.get_children():
        if child.get_type() != "annotation":  # `from __future__ import annotations` blocks: never evaluated
            theirs.setdefault(_key(child.get_name(), child.get_lineno()), []).append(child)
    assert {k: len(v) for k, v in theirs.items()} == {k: len(v) for k, v in ours.items()}, table.get_name()
    for key, tables in theirs.items():
        for child_table, child_scope in zip(tables, ours[key], strict=True):
            pairs.extend(_pairs(child_table, child_scope))
    return pairs


def _bound_and_read(table: symtable.SymbolTable) -> tuple[set[str], set[str]]:
    """(names the scope's own code binds, names it reads), as the compiler records them."""
    symbols = table.get_symbols()
    bound = {s.get_name() for s in symbols if s.is_assigned() or s.is_imported() or s.is_parameter()} - {".0"}
    return bound, {s.get_name() for s in symbols if s.is_referenced() and not s.get_name().startswith(".")}


def _binders_and_loads(scope: Scope, lazy_annotations: bool) -> tuple[set[str], set[str]]:
    """The same from the model's nodes: `binders` keys, and the ids of `loads` (the `__class__` cell that
    `super()` reads; annotation names only where annotations are evaluated)."""
    loads = {node.id for node in scope.loads}
    assert loads == scope.reads | scope.annotation_reads
    if lazy_annotations:
        loads = scope.reads
    return set(scope.binders), loads | ({"__class__"} if scope.reads_class_cell else set())


def _with_inlined(scope: Scope, lazy: bool) -> tuple[set[str], ...]:
    """(locals, globals, free, binders, loads) of `scope` and the comprehensions compiled into it: their names are
    its own, so what one of them reads from `scope` is no longer free."""
    merged = [set(part) for part in symbol_table(scope, lazy) + _binders_and_loads(scope, lazy)]
    outside: set[str] = set()  # what the comprehensions read from outside themselves
    for inner in _inlined(scope):
        parts = symbol_table(inner, lazy) + _binders_and_loads(inner, lazy)
        outside |= parts[2]
        for whole, part in zip(merged, parts, strict=True):
            whole |= part
    merged[2] -= merged[0]
    merged[4] -= (outside & merged[0]) - _binders_and_loads(scope, lazy)[1]  # the compiler marks no read there
    return tuple(merged)


def mismatches(source: str, filename: str = "<source>") -> list[str]:
    tree = ast.parse(source)
    lazy = any(
        isinstance(node, ast.ImportFrom) and node.module == "__future__" and node.names[0].name == "annotations"
        for node in tree.body
    )
    found = []
    checked = 0
    for table, scope in _pairs(symtable.symtable(source, filename, "exec"), build_scopes(tree)):
        if not isinstance(table, symtable.Function):
            continue
        checked += 1
        expected = (
            {name for name in table.get_locals() if not name.startswith(".")},  # `.0`: a comprehension's iterator
            set(table.get_globals()),
            set(table.get_frees()),
        )
        expected += _bound_and_read(table)
        got = _with_inlined(scope, lazy)
        for label, want, have in zip(("locals", "globals", "free", "binders", "loads"), expected, got, strict=True):
            if want != have:
                found.append(f"{filename}:{table.get_lineno()} {table.get_name()} {label}: {want} != {have}")
    assert checked or "def" not in source and "lambda" not in source, "no function scope was compared"
    return found


@pytest.mark.parametrize("path", parseable_fixtures(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_function_scope_matches_symtable(path: Path) -> None:
    assert mismatches(path.read_text(encoding="utf-8", errors="surrogateescape"), str(path)) == []


def test_the_fixtures_hold_function_scopes() -> None:
    """The table above is not vacuous: dozens of fixtures, hundreds of function scopes."""
    paths = parseable_fixtures()
    scopes = [s for p in paths for s in build_scopes(ast.parse(p.read_bytes())).walk() if s.kind != "module"]
    assert len(paths) > 50 and len(scopes) > 500


@settings(max_examples=25)
@given(monoliths())
def test_generated_monoliths_match_symtable(source: str) -> None:
    assert mismatches(source) == []


CORNERS = [
    pytest.param("def f(x):\n    return [x for x in x]\n", id="comprehension target shadows, first iterable outside"),
    pytest.param("def f():\n    [y := i for i in range(3)]\n    return y\n", id="walrus in a comprehension binds in f"),
    pytest.param("[y := i for i in range(3)]\ndef g():\n    return [(w := z) for z in ()]\n", id="walrus, module"),
    pytest.param(
        "def f():\n    x = 1\n    class C:\n        x = 2\n        def m(self):\n            return x\n    return C\n",
        id="a method skips its class and reads f's x",
    ),
    pytest.param(
        "class A:\n    def m(self):\n        return super().m()\n    def n(self):\n        def inner():\n"
        "            return __class__\n        return inner\n",
        id="super() and __class__ read the class cell",
    ),
    pytest.param("def f():\n    def g():\n        nonlocal a\n        a = 2\n    a = 1\n", id="nonlocal"),
    pytest.param("def f():\n    global G\n    def g():\n        return G\n    G = 1\n", id="global in f reaches g"),
    pytest.param("def f(a=lambda: b, *c, d: int = 1, **e) -> str:\n    return lambda: a + c\n", id="lambdas"),
    pytest.param(
        "def f():\n    try:\n        pass\n    except E as err:\n        pass\n    match v:\n"
        "        case {'k': q, **rest}:\n            pass\n        case [first, *others]:\n            pass\n"
        "    import os.path\n    del z\n",
        id="except, match, import and del bind",
    ),
    pytest.param(
        "def f():\n    x: int\n    y: 'Fwd' = 2\n    for i, (j, k) in []:\n        pass\n"
        "    with o as (p, q):\n        pass\n",
        id="annotations, loops, with",
    ),
    pytest.param(
        "from __future__ import annotations\ndef f(a: A) -> B:\n    x: C = 1\n    return x\n", id="lazy annotations"
    ),
    pytest.param("def f():\n    return [[a for a in b] for b in c if d]\n", id="nested comprehensions"),
    pytest.param("def f():\n    y = 1\n    return {k: v + y for k, v in items}\n", id="dict comprehension closure"),
]


@pytest.mark.parametrize("source", CORNERS)
def test_scoping_corners_match_symtable(source: str) -> None:
    assert mismatches(source) == []


RESOLVES = [  # (source, scope name, name, module global?)
    pytest.param("def f(db):\n    return db\n", "f", "db", False, id="parameter"),
    pytest.param("def f():\n    return db\n", "f", "db", True, id="free read"),
    pytest.param("def f():\n    global db\n    db = 1\n", "f", "db", True, id="global declaration"),
    pytest.param("x = [db.name for db in DBS]\n", "listcomp", "db", False, id="comprehension target"),
    pytest.param("def f():\n    class C:\n        db = 1\n", "C", "db", False, id="class body inside a function"),
    pytest.param("class C:\n    db = 1\n    def m(self):\n        return db\n", "m", "db", True, id="method"),
    pytest.param("def f():\n    db = 1\n    return lambda: db\n", "lambda", "db", False, id="closure"),
]


@pytest.mark.parametrize(("source", "scope_name", "name", "is_module"), RESOLVES)
def test_resolves_to_module(source: str, scope_name: str, name: str, is_module: bool) -> None:
    scope = next(s for s in build_scopes(ast.parse(source)).walk() if s.name == scope_name)
    assert scope.resolves_to_module(name) is is_module


def test_nested_scopes_come_in_libcst_entry_order() -> None:
    source = (
        "@deco(lambda: 1)\ndef f(a=[i for i in x]):\n    class C:\n        y = (lambda: 2)()\n"
        "    return {k for k in C.y}\n"
    )
    names = [scope.name for scope in nested_scopes(build_scopes(ast.parse(source)))]
    assert names == ["lambda", "listcomp", "f", "C", "lambda", "setcomp"]


BINDINGS = [  # (source, scope name, name, scope whose binding a read there reaches, what a read may see)
    pytest.param(
        "import x\ndef f():\n    global x\n    x = 1\n", "f", "x", "module", [("alias", 1), ("Name", 4)], id="global"
    ),
    pytest.param(
        "def f():\n    a = 1\n    def g():\n        nonlocal a\n        a = 2\n        return a\n",
        "g",
        "a",
        "f",
        [("Name", 2), ("Name", 5)],
        id="nonlocal",
    ),
    pytest.param("def f():\n    [y := i for i in r]\n", "listcomp", "y", "f", [("Name", 2)], id="walrus, once"),
    pytest.param("def f(a):\n    del a\n", "f", "a", "f", [("arg", 1), ("Name", 2)], id="parameter and del"),
    pytest.param("def f():\n    import os.path\n", "f", "os", "f", [("alias", 2)], id="import binds the top package"),
    pytest.param(
        "x = 1\nclass C:\n    x = 2\n    def m(self):\n        return x\n",
        "m",
        "x",
        "module",
        [("Name", 1)],
        id="a method skips its class",
    ),
    pytest.param(
        "x = 1\nclass C:\n    y = x\n    x = 2\n", "C", "x", "C", [("Name", 4), ("Name", 1)], id="class, module"
    ),
]


@pytest.mark.parametrize(("source", "scope_name", "name", "owner", "seen"), BINDINGS)
def test_the_bindings_a_read_may_see(source: str, scope_name: str, name: str, owner: str, seen: list) -> None:
    scope = next(s for s in build_scopes(ast.parse(source)).walk() if s.name == scope_name)
    assert scope.binding_scope(name).name == owner
    assert [(type(node).__name__, node.lineno) for node in scope.bindings_seen(name)] == seen
