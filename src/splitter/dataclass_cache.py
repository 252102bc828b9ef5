"""Compiled code of the methods `dataclasses` writes, kept from one run to the next (issue 11).

libcst defines its ~200 node classes as dataclasses. For each, `dataclasses` writes `__init__`, `__eq__`,
`__repr__`, ... as source text and compiles it with the built-in `exec`: some 600 compilations, half the time of
`import libcst` (70 of 130 ms of CPU on Python 3.11), which `apply` pays before it reads a file. While libcst is
imported, `exec` as the dataclasses module sees it takes the code compiled for the same text from a cache instead.
The text is the whole key, so a class that changed compiles again; the cache file is named after the
interpreter's bytecode magic number, lives in the user's cache folder (`$XDG_CACHE_HOME/splitter`, never the
repository), is replaced in one rename and only when something was missing, and any problem reading or writing it
falls back to compiling as usual. `SPLITTER_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib.util import MAGIC_NUMBER
from pathlib import Path

MAX_ENTRIES = 5_000  # several libcst versions' worth; past it the cache starts again from what this run used


def cache_file(command: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base, "splitter", f"dataclass-code-{command}-{MAGIC_NUMBER.hex()}.marshal")


@contextmanager
def cached_dataclass_code(command: str) -> Iterator[None]:
    """Dataclasses created inside the block reuse the code an earlier run of `command` compiled for them (one cache
    per command: `plan` never imports libcst, and reading libcst's 700 KB would cost it more than it saves)."""
    if os.environ.get("SPLITTER_NO_CACHE") or hasattr(dataclasses, "exec"):
        yield
        return
    path = cache_file(command)
    known, compiled = _read(path), {}

    def exec_cached(source, globals=None, locals=None):  # noqa: A002 - the signature dataclasses calls
        if isinstance(source, str):
            code = known.get(source)
            if code is None:  # dont_inherit: compiled as `exec` would, without this module's __future__ flags
                code = compiled[source] = compile(source, "<string>", "exec", dont_inherit=True)
            source = code
        builtins.exec(source, globals, locals)

    dataclasses.exec = exec_cached  # found before the built-in: dataclasses looks `exec` up in its globals
    try:
        yield
    finally:
        del dataclasses.exec
    if compiled:
        _write(path, {**known, **compiled} if len(known) + len(compiled) <= MAX_ENTRIES else compiled)


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as stream:
            entries = marshal.load(stream)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write(path: Path, entries: dict) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as stream:
            marshal.dump(entries, stream)
        os.replace(partial, path)
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
