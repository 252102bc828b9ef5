"""Time reference retargeting on one large generated test module: the libcst codemod and the `ast` fast path.

```
.venv/bin/python benchmarks/bench_retarget.py                 # 3000 lines, best of 3
.venv/bin/python benchmarks/bench_retarget.py --lines 12000 --repeats 1
.venv/bin/python benchmarks/bench_retarget.py --no-shadowing   # no parameter or local named like the alias
```

The module reads the monolith the ways real suites do: an alias import at module level and inside functions,
`main.x` loads, stores and calls, `monkeypatch.setattr(main, "x", ...)`, `patch("pkg.main.x")` strings,
comprehensions, lambdas, classes with methods, parameters and locals that shadow the alias.
"""

from __future__ import annotations

import argparse
import time

from splitter.codemods.retarget_references import retarget_source
from splitter.emit.retarget_fast import retarget_text
from splitter.planning.relocation import Relocation

RELOCATION = Relocation(
    "pkg.main",
    {f"helper_{index}": f"pkg.services.group_{index % 7}" for index in range(40)} | {"COUNT": "pkg.services.shared"},
)

_TEMPLATES = [
    "def test_call_{n}():\n    assert main.helper_{a}() == main.helper_{b}(1)\n    main.app.title = 'x'\n\n",
    "def test_patch_{n}(monkeypatch):\n    monkeypatch.setattr(main, 'helper_{a}', lambda: {n})\n"
    "    with patch('pkg.main.helper_{b}'):\n        assert main.COUNT >= 0\n\n",
    "def test_local_{n}():\n    from pkg import main as m\n    values = [m.helper_{a}(i) for i in range({n})]\n"
    "    assert values\n\n",
    "class TestGroup{n}:\n    limit = {n}\n\n    def test_method(self, main=None):\n        return main\n\n"
    "    def test_reads(self):\n        main.COUNT += 1\n        return (lambda: main.helper_{b})()\n\n",
    "def test_shadow_{n}():\n    main = object()\n    return main\n\n",
]


def generate_test_module(lines: int, shadowing: bool = True) -> str:
    templates = _TEMPLATES if shadowing else [t for t in _TEMPLATES if "main=" not in t and "main =" not in t]
    parts = ["import pytest\nfrom unittest.mock import patch\n\nfrom pkg import main\nfrom pkg.main import app\n\n"]
    count = 0
    while sum(part.count("\n") for part in parts) < lines:
        template = templates[count % len(templates)]
        parts.append(template.format(n=count, a=count % 40, b=(count * 7) % 40))
        count += 1
    return "".join(parts)


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-shadowing", dest="shadowing", action="store_false")
    args = parser.parse_args()
    source = generate_test_module(args.lines, args.shadowing)
    codemod = best_of(args.repeats, lambda: retarget_source(source, RELOCATION, "tests.test_big"))
    fast = best_of(args.repeats, lambda: retarget_text(source, RELOCATION, "tests.test_big"))
    same = retarget_text(source, RELOCATION, "tests.test_big") == retarget_source(source, RELOCATION, "tests.test_big")
    print(f"{source.count(chr(10))} lines: codemod {codemod:.1f} ms, fast path {fast:.1f} ms, same bytes: {same}")


if __name__ == "__main__":
    main()
