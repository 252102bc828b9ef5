"""Terminal output: rich on a terminal (colour unless NO_COLOR), plain text when piped; -q/-v; progress.

Everything a command prints goes through `out` (results, stdout) or `err` (errors, progress, stderr), so
`splitter plan -o - > plan.json` keeps stdout clean and `2>/dev/null` silences the chatter.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from unicodedata import combining, east_asian_width

if TYPE_CHECKING:  # rich is imported on a terminal only: piped output and `--help` do not pay for it
    from rich.console import Console
    from rich.table import Table as RichTable

QUIET, NORMAL, VERBOSE = 0, 1, 2
PROGRESS_AFTER = 1.0  # seconds: shorter work shows no spinner


class _State:
    level = NORMAL


state = _State()


def _console(stream) -> Console:
    from rich.console import Console

    terminal = stream.isatty() if hasattr(stream, "isatty") else False
    # Piped: no colour, no wrapping at 80 columns, no markup surprises from file names like [id].py.
    return Console(
        file=stream,
        force_terminal=terminal or None,
        no_color=bool(os.environ.get("NO_COLOR")) or not terminal,
        width=None if terminal else 10_000,
        highlight=False,
        soft_wrap=True,
    )


def out() -> Console:
    return _console(sys.stdout)


def err() -> Console:
    return _console(sys.stderr)


def set_verbosity(quiet: bool, verbose: bool) -> None:
    state.level = QUIET if quiet else VERBOSE if verbose else NORMAL


def verbose() -> bool:
    return state.level >= VERBOSE


def say(text: str = "", style: str | None = None, level: int = NORMAL, to_err: bool = False) -> None:
    """Print a line of report unless -q (or below -v for level=VERBOSE)."""
    if state.level < level:
        return
    stream = sys.stderr if to_err else sys.stdout
    if _is_terminal(stream):
        _console(stream).print(text, style=style, markup=False)
    else:  # piped: the text as it is, without importing rich (a third of a small plan's time)
        stream.write(text + "\n")


def _is_terminal(stream) -> bool:
    return stream.isatty() if hasattr(stream, "isatty") else False


class Styled(str):
    """A table cell with a rich style, shown on a terminal only."""

    style: str = ""


def styled(text: str, style: str) -> Styled:
    cell = Styled(text)
    cell.style = style
    return cell


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[int] = ()


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> Table:
    """A table to print: boxed by rich on a terminal, plain aligned columns when piped."""
    return Table(header, rows, numeric)


def print_table(table: Table) -> None:
    """Print a table to stdout; piped, as aligned columns two spaces apart, without trailing spaces."""
    if _is_terminal(sys.stdout):
        out().print(_rich_table(table))
        return
    cells = [list(table.header), *(list(row) for row in table.rows)]
    widths = [max(_width(row[index]) for row in cells) for index in range(len(table.header))]
    for row in cells:
        padded = [
            _pad(cell, width, right=index in table.numeric)
            for index, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        sys.stdout.write("  ".join(padded).rstrip() + "\n")


def _pad(cell: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(cell))
    return fill + cell if right else cell + fill


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: wide East Asian characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


def _rich_table(table: Table) -> RichTable:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    result = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for index, title in enumerate(table.header):
        result.add_column(title, justify="right" if index in table.numeric else "left", no_wrap=True)
    for row in table.rows:
        # Text, not markup: `exception_handlers[ValueError]` or a `[id].py` path must print as written.
        result.add_row(*(Text(cell, style=getattr(cell, "style", "")) for cell in row))
    return result


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on stderr for work that lasts longer than PROGRESS_AFTER; nothing when piped or -q."""
    if state.level == QUIET or not _is_terminal(sys.stderr):
        yield
        return
    status = err().status(message)
    lock = threading.Lock()
    done = False

    def start() -> None:
        with lock:
            if not done:
                status.start()

    timer = threading.Timer(PROGRESS_AFTER, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            done = True
            timer.cancel()
            status.stop()
