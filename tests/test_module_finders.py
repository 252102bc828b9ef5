"""A line changing where modules are found (`sys.path.insert(0, str(backend_path))`) stays in main.py, and so do the
statements binding what it reads, above it (fixtures/regressions/sys_path_line_reads_a_name_bound_above_it):
moved to core.py, main.py had to import core.py to read them, before the line, and core.py ran the imports the
line prepares."""

from __future__ import annotations

from pathlib import Path

from splitter.analysis.analyze import analyze_source
from splitter.analysis.blocks import build_blocks, read_by_module_finders

SOURCE = (
    "import sys\n"
    "from pathlib import Path\n"
    "ROOT = Path(__file__).parent\n"  # 3: read by BACKEND, which the sys.path line reads
    "BACKEND = ROOT / 'backend'\n"  # 4
    "OTHER = 'x'\n"  # 5: nothing the line reads
    "sys.path.insert(0, str(BACKEND))\n"  # 6
    "from services import store\n"
    "BACKEND = ROOT / 'elsewhere'\n"  # 8: bound again below the line: not what it read
    "from fastapi import FastAPI\n"
    "app = FastAPI()\n"
)


def test_the_names_a_sys_path_line_reads_are_bound_in_main_py_above_it() -> None:
    analysis = analyze_source(SOURCE, Path("main.py"), "main")
    lines = {analysis.units[i].first_line for i in read_by_module_finders(analysis)}
    assert lines == {3, 4}


def test_their_blocks_must_stay() -> None:
    analysis = analyze_source(SOURCE, Path("main.py"), "main")
    blocks, _ = build_blocks(analysis)
    staying = {b.name for b in blocks if b.must_stay}
    assert {"ROOT", "BACKEND"} <= staying
    assert "OTHER" not in staying
