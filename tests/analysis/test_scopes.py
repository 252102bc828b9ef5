"""statement_facts: which module-level names one top-level statement reads, binds, rebinds and mutates.

`uses` must be exact both ways: a missing name means a moved statement lacks an import (NameError), an
extra one means a generated module imports something it never uses.
"""

from __future__ import annotations

import ast

import pytest

from splitter.analysis.scopes import statement_facts
from tests.helpers import code


def facts_of(source: str):
    tree = ast.parse(source)
    assert len(tree.body) == 1, "one top-level statement per row"
    return statement_facts(tree.body[0])


# (id, statement, uses, binds)
USES_AND_BINDS = [
    (
        "Literal[...] strings are values, not forward references (`import json` stays unused)",
        code("""
            def export(fmt: Literal["csv", "json"], other: "Order") -> typing.Literal["xml"]:
                return fmt
        """),
        {"Literal", "Order", "typing"},
        {"export"},
    ),
    (
        "module-level `except ... as e`: `e` is deleted when the handler ends, so it binds nothing",
        code("""
            try:
                from logging_config import configure
                CONFIGURED = True
            except ImportError as e:
                CONFIGURED = False
                log(e)
        """),
        {"ImportError", "log"},
        {"configure", "CONFIGURED"},
    ),
    (
        "module-level `except ... as err` with `err` also assigned: a real binding",
        code("""
            try:
                import orjson
            except ImportError as err:
                err = None
        """),
        {"ImportError"},
        {"orjson", "err"},
    ),
    (
        "function: parameters and locals excluded, globals included",
        code("""
            def total(order, *extra, scale=1, **options):
                subtotal = sum(line.price for line in order.lines)
                return round(subtotal * scale * TAX_RATE) + helper(extra, options)
        """),
        {"sum", "round", "TAX_RATE", "helper"},
        {"total"},
    ),
    (
        "defaults, annotations and decorators are evaluated at module scope",
        code("""
            @router_cache(maxsize=CACHE_SIZE)
            def fetch(item: Item, limit: int = DEFAULT_LIMIT, *, mode: Mode = Mode.FAST) -> Result:
                return item
        """),
        {"router_cache", "CACHE_SIZE", "Item", "int", "DEFAULT_LIMIT", "Mode", "Result"},
        {"fetch"},
    ),
    (
        "string forward-reference annotations",
        code("""
            def convert(raw: "Item", extra: "list[Tag] | None" = None) -> "Optional[Item]":
                return raw
        """),
        {"Item", "list", "Tag", "Optional"},
        {"convert"},
    ),
    ("annotated module assignment with a string annotation", 'current: "Item | None" = None\n', {"Item"}, {"current"}),
    (
        "nested function: closure over the outer local, globals seen through",
        code("""
            def outer():
                def inner(y):
                    return y + z + GLOBAL_OFFSET
                z = 1
                return inner
        """),
        {"GLOBAL_OFFSET"},
        {"outer"},
    ),
    (
        "async function with await, async with and async for",
        code("""
            async def pump():
                async with lock:
                    async for message in source():
                        await sink.send(message)
        """),
        {"lock", "source", "sink"},
        {"pump"},
    ),
    ("lambda: parameter excluded", "scale = lambda value: value * FACTOR\n", {"FACTOR"}, {"scale"}),
    (
        "list comprehension at module level: loop variable excluded",
        "names = [item.name.upper() for item in ITEMS if item.price > MIN_PRICE]\n",
        {"ITEMS", "MIN_PRICE"},
        {"names"},
    ),
    (
        "dict comprehension and generator inside a function",
        code("""
            def index(rows):
                by_id = {row.id: row for row in rows}
                return sum(1 for key in by_id if key in KNOWN)
        """),
        {"sum", "KNOWN"},
        {"index"},
    ),
    (
        "class body: bases, keywords; its own attributes are not globals",
        code("""
            class Order(BaseModel, metaclass=Meta):
                status: Status = DEFAULT_STATUS
                retries = 3
                limit = retries * 2
        """),
        {"BaseModel", "Meta", "Status", "DEFAULT_STATUS"},
        {"Order"},
    ),
    (
        "class bodies do not enclose their methods: `retries` in a method is the global",
        code("""
            class Worker:
                retries = 3

                def run(self):
                    return retries
        """),
        {"retries"},
        {"Worker"},
    ),
    (
        "a method naming its own class reads the module binding",
        "class Node:\n    def clone(self):\n        return Node()\n",
        {"Node"},
        {"Node"},
    ),
    ("assignment targets", "x = y = compute()\n", {"compute"}, {"x", "y"}),
    (
        "tuple unpacking with a starred target",
        "first, (second, *rest) = VALUES\n",
        {"VALUES"},
        {"first", "second", "rest"},
    ),
    (
        "for loop at module level binds its targets and body assignments",
        "for key, value in PAIRS:\n    LAST = value\n",
        {"PAIRS", "value"},
        {"key", "value", "LAST"},
    ),
    ("import binds the top package", "import os.path\n", set(), {"os"}),
    ("import as", "import numpy as np\n", set(), {"np"}),
    (
        "from-import with alias",
        "from fastapi import Depends, status as http_status\n",
        set(),
        {"Depends", "http_status"},
    ),
    ("star import binds nothing traceable", "from helpers import *\n", set(), set()),
    ("def name", "def handler():\n    pass\n", set(), {"handler"}),
    ("class name", "class Model:\n    pass\n", set(), {"Model"}),
    (
        "names bound in both branches of an if",
        code("""
            if USE_FAST:
                def encode(value):
                    return fast(value)
            else:
                encode = slow_encode
                MODE = "slow"
        """),
        {"USE_FAST", "fast", "slow_encode"},
        {"encode", "MODE"},
    ),
    (
        "try/except import fallback",
        code("""
            try:
                import ujson as json
            except ImportError:
                import json
        """),
        {"ImportError"},
        {"json"},
    ),
    (
        "with statement binds its `as` target",
        "with open(CONFIG_PATH) as handle:\n    CONFIG = load(handle)\n",
        {"open", "CONFIG_PATH", "load", "handle"},
        {"handle", "CONFIG"},
    ),
    ("walrus at module level", "(size := compute_size())\n", {"compute_size"}, {"size"}),
    (
        "except handler name is local to the function",
        "def safe():\n    try:\n        return risky()\n    except KeyError as exc:\n        return exc\n",
        {"risky", "KeyError"},
        {"safe"},
    ),
    (
        "nonlocal rebinding is not a global",
        code("""
            def counter():
                count = 0
                def bump():
                    nonlocal count
                    count += 1
                    return count
                return bump
        """),
        set(),
        {"counter"},
    ),
]


@pytest.mark.parametrize(
    ("source", "uses", "binds"), [r[1:] for r in USES_AND_BINDS], ids=[r[0] for r in USES_AND_BINDS]
)
def test_uses_and_binds(source: str, uses: set[str], binds: set[str]) -> None:
    facts = facts_of(source)
    assert facts.uses == uses
    assert facts.binds == binds


# (id, statement, global declarations)
GLOBALS = [
    ("one global rebound", "def reset():\n    global _client\n    _client = None\n", {"_client"}),
    (
        "several names, nested function",
        code("""
            def configure():
                def apply():
                    global MODE, LEVEL
                    MODE, LEVEL = "x", 1
                apply()
        """),
        {"MODE", "LEVEL"},
    ),
    (
        "a global statement in a method",
        "class C:\n    def m(self):\n        global COUNT\n        COUNT += 1\n",
        {"COUNT"},
    ),
    ("no global statement", "def f():\n    COUNT = 1\n    return COUNT\n", set()),
]


@pytest.mark.parametrize(("source", "declared"), [r[1:] for r in GLOBALS], ids=[r[0] for r in GLOBALS])
def test_global_declarations(source: str, declared: set[str]) -> None:
    facts = facts_of(source)
    assert facts.global_decls == declared
    assert declared <= facts.uses  # a rebound global is also one the statement depends on
    assert not declared & facts.binds  # it is bound in the module, not by this statement


def test_a_global_assigned_in_a_function_is_used_not_local() -> None:
    facts = facts_of("def set_mode(value):\n    global MODE\n    MODE = value\n    return MODE\n")
    assert facts.uses == {"MODE"}
    assert facts.binds == {"set_mode"}


def test_a_global_declared_only_to_read_it_is_a_read_not_a_rebinding() -> None:
    # fixtures/regressions/global_declared_only_to_read.py, from PinePods' `/api/data/config`
    facts = facts_of("def config():\n    global API_URL, PROXY_URL\n    return API_URL, PROXY_URL\n")
    assert facts.global_decls == set()
    assert facts.uses == {"API_URL", "PROXY_URL"}
    assert facts_of("def reset():\n    global CACHE\n    del CACHE\n").global_decls == {"CACHE"}
    assert facts_of("def load():\n    global np\n    import numpy as np\n").global_decls == {"np"}


# (id, statement, dynamic reasons)
DYNAMIC = [
    ("exec and eval in a function", "def run(code):\n    exec(code)\n    return eval(code)\n", {"exec()", "eval()"}),
    ("globals() at module level", "table = globals()\n", {"globals()"}),
    ("locals() and vars() at module level", "names = locals(), vars()\n", {"locals()", "vars()"}),
    ("locals() and vars() in a function see its own names", "def f():\n    return locals(), vars()\n", set()),
    ("locals() in a comprehension", "def f(a):\n    return any(v in locals() for v in ['a'])\n", set()),
    ("locals() in a class body", "class Config:\n    debug = 'debug' in locals()\n", set()),
    ("vars(obj) is obj.__dict__", "settings = vars(parse_args())\n", set()),
    ("a method named exec is not the builtin", "def f(cursor):\n    cursor.exec('sql')\n", set()),
    ("plain calls", "value = compute(1)\n", set()),
    # strategyos-mvp's api.py: a guard asking globals() for a name the code also reads is a read of that name
    ("'x' in globals() guarding a read of x", "def f(s):\n    return fmt(s) if 'fmt' in globals() else s\n", set()),
    ("get and [] of a name it reads", "def f():\n    return globals().get('x') or globals()['x'] or x\n", set()),
    ("a name asked for but never read", "def f():\n    return globals().get('fmt')\n", {"globals()"}),
    ("a name held in a variable", "def f(name):\n    return globals()[name] if fmt else None\n", {"globals()"}),
    ("written through globals()", "def f():\n    globals()['fmt'] = fmt\n", {"globals()"}),
    ("a lookup beside another use", "def f():\n    return 'x' in globals() and x(dict(globals()))\n", {"globals()"}),
]


@pytest.mark.parametrize(("source", "reasons"), [r[1:] for r in DYNAMIC], ids=[r[0] for r in DYNAMIC])
def test_dynamic_calls(source: str, reasons: set[str]) -> None:
    assert facts_of(source).dynamic == reasons


def test_a_literal_globals_lookup_names_what_it_asks_for() -> None:
    facts = facts_of("def f(s):\n    return fmt(s) if 'fmt' in globals() else s\n")
    assert facts.global_lookups == {"fmt"} and "fmt" in facts.uses
    assert facts_of("def f():\n    return fmt(globals())\n").global_lookups == frozenset()


# (id, statement, mutated names)
def test_dunder_file_is_noticed() -> None:
    assert facts_of("def where():\n    return Path(__file__).parent, getLogger(__name__)\n").dunder_file
    assert not facts_of("def f():\n    return module.__file__\n").dunder_file


def test_a_comprehension_in_a_class_body_does_not_see_class_attributes() -> None:
    """Only the first iterable of a comprehension is evaluated in the class body; its element expression runs in
    a function scope that skips the class, so `LIMIT` below is the module global. Missing it means a moved
    class loses the import of `LIMIT` (NameError at import)."""
    facts = facts_of(
        code("""
        class Settings:
            LIMIT = 10
            limits = [LIMIT for _ in range(3)]
    """)
    )
    assert "LIMIT" in facts.uses
