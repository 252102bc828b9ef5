"""Cheap text tests run before any parse: can this file's text name the module at all?"""

from __future__ import annotations

import re
from functools import lru_cache


def could_reference(source: str, old_module: str) -> bool:
    """Cheap text test: False only when no import or string in `source` can name `old_module`."""
    leaf = old_module.rsplit(".", 1)[-1]
    if leaf not in source:
        return False
    if _naming_pattern(old_module).search(source):
        return True  # an absolute import or a patch target string
    return _word_in_an_import(source, leaf, _IMPORT_WORD)


def could_bind_or_target(text: str, old_module: str) -> bool:
    """Cheap text test: False only when `text` neither binds `old_module` by an import nor holds a string that
    is its name or starts with it and a dot (a patch target). `from pkg.main import x` names the module but binds
    only `x`: the tests of a big app do that in almost every test, and parsing them all was most of `plan`.
    `str.find` and a look around each hit, not a regex: that one tries every position of every chunk."""
    leaf = old_module.rsplit(".", 1)[-1]
    if leaf not in text:
        return False
    position = text.find(old_module)
    while position != -1:  # "pkg.main.x", "pkg.main"; not uvicorn's "pkg.main:app"
        end = position + len(old_module)
        if text[position - 1 : position] in _QUOTES and text[end : end + 1] in _AFTER_QUOTED_NAME:
            return True
        position = text.find(old_module, end)
    return _word_in_an_import(text, leaf, _IMPORT)  # `import pkg.main`, `from pkg import main`, `from . import (main)`


_QUOTES = ("'", '"')
_AFTER_QUOTED_NAME = (".", "'", '"')


@lru_cache(maxsize=8)
def _naming_pattern(old_module: str) -> re.Pattern[str]:
    """Compiled once: `could_reference` runs on every file of a repository."""
    dotted = r"\s*\.\s*".join(map(re.escape, old_module.split(".")))
    return re.compile(rf"{dotted}\b" if "." in old_module else rf"['\"]{dotted}\b")


def _word_in_an_import(text: str, word: str, keyword: re.Pattern[str]) -> bool:
    """Whether `word` stands alone somewhere `keyword` may precede it in an import statement. `str.find`, not
    a `\b` regex: that one tries every position of the file."""
    position = text.find(word)
    while position != -1:
        end = position + len(word)
        alone = not _is_word(text[position - 1 : position]) and not _is_word(text[end : end + 1])
        if alone and _in_import(text, position, keyword):
            return True
        position = text.find(word, end)
    return False


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _in_import(source: str, position: int, keyword: re.Pattern[str]) -> bool:
    """Whether `keyword` (`import` or `from`, or `import` alone) may precede the word at `position` in an import
    statement (`from . import main`, `from .main`)."""
    start = source.rfind("\n", 0, position) + 1
    while start > 1 and source[start - 2] == "\\":  # a backslash-continued line: the statement starts above
        start = source.rfind("\n", 0, start - 1) + 1
    if keyword.search(source, start, position):
        return True
    opening = source.rfind("(", 0, position)  # `from pkg import (\n    app,\n    main,\n)`
    if opening == -1 or source.find(")", opening, position) != -1:
        return False
    return source[max(0, opening - 100) : opening].rstrip().endswith("import")


_IMPORT_WORD = re.compile(r"\b(?:import|from)\b")
_IMPORT = re.compile(r"\bimport\b")
