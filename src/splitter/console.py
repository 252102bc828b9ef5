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
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported on first output: `splitter --version` and `--help` do not pay for it
    from rich.console import Console
    from rich.table import Table

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
    if state.level >= level:
        (err() if to_err else out()).print(text, style=style, markup=False)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> Table:
    """A rich table: boxed on a terminal, plain aligned columns when piped."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    terminal = sys.stdout.isatty()
    result = Table(
        box=box.SIMPLE_HEAD if terminal else None,
        show_edge=False,
        pad_edge=False,
        header_style="bold" if terminal else "",
    )
    for index, title in enumerate(header):
        result.add_column(title, justify="right" if index in numeric else "left", no_wrap=True)
    for row in rows:
        # Text, not markup: `exception_handlers[ValueError]` or a `[id].py` path must print as written.
        result.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in row))
    return result


def print_table(rendered: Table) -> None:
    """Print a table to stdout; piped, without the padding rich leaves at the end of each line."""
    console = out()
    if console.is_terminal:
        console.print(rendered)
        return
    with console.capture() as captured:
        console.print(rendered)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on stderr for work that lasts longer than PROGRESS_AFTER; nothing when piped or -q."""
    console = err()
    if state.level == QUIET or not console.is_terminal:
        yield
        return
    status = console.status(message)
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
