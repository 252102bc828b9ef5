"""main.py's import-time reads of the app's route list, listing the routes of the routers the split made.

FastAPI 0.137 and later keep an included router as one entry of `app.routes`: code that walks the list at import
time finds the routers, not their routes, once the routes move into routers. Where main.py (or a module of its
setup, run in its place) only reads the routes at import time (analysis/route_list_reads.py: a loop reading or
setting their attributes, `len(...)`), it reads `compat.routes_as_registered(app.routes)` instead: the same list
on an older FastAPI, the routes in place of each router the split made on a newer one (emit/compat.py). Done on
the final text, whichever path built each statement, so the plan's note (planning/project.py) holds for every
layout.
"""

from __future__ import annotations

import ast
import re
from itertools import accumulate

from splitter.analysis.route_list_reads import route_list_reads

HELPER = "routes_as_registered"
_LINE_ENDS = re.compile(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)")  # where the tokenizer ends a line


def routes_listed(text: str, apps: set[str], compat: str) -> str:
    """`text` (main.py) with each import-time whole read of an app's route list wrapped in `compat.HELPER(...)`."""
    if ".routes" not in text:
        return text
    tree = ast.parse(text)
    lines = _LINE_ENDS.split(text)
    starts = list(accumulate((len(line) for line in lines), initial=0))

    def offset(line: int, byte_column: int) -> int:
        physical = lines[line - 1]
        return starts[line - 1] + len(physical.encode("utf-8")[:byte_column].decode("utf-8", "replace"))

    spans = [
        (offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset))
        for statement in tree.body
        for node, whole in route_list_reads(statement, apps)
        if whole
    ]
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]}{compat}.{HELPER}({text[start:end]}){text[end:]}"
    return text
