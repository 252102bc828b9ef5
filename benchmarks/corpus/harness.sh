#!/usr/bin/env bash
# Lay out a private copy of the shared practice-corpus harness with this project's own cases added.
# Our cases live here (cases/*.env: repository, pinned commit, target, app, tests, install) because machines are
# replaced between sessions and everything under ~/.cache goes with them; the trees and virtualenvs never live here.
# usage: benchmarks/corpus/harness.sh [DEST]      (default ~/.cache/splitter-harness; prints DEST)
# then:  DEST/setup-case.sh NAME GIT_DIR   and, from a checkout,   DEST/run-case.sh NAME   (see DEST/README.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED_CORPUS:-$here/../../../shared/corpus}
dest=${1:-$HOME/.cache/splitter-harness}
[ -f "$shared/run-case.sh" ] || { echo "no shared corpus harness at $shared (set SHARED_CORPUS)" >&2; exit 2; }
mkdir -p "$dest/cases"
cp -r "$shared/." "$dest/"
cp "$here"/cases/*.env "$dest/cases/" 2>/dev/null || true
cp "$here"/*.py "$dest/"   # helpers a case's INSTALL may call as "$here/NAME.py" (lock_pins.py)
# Test output can hold a stray binary byte; grep then prints "Binary file matches" instead of the result lines.
sed -i -E "s/grep -rlE/grep -arlE/; s/grep -E '\^\(PASSED/grep -aE '^(PASSED/" "$dest/lib.sh" "$dest/run-case.sh"
# A monolith saved with a UTF-8 byte order mark (app-jupter's backend/app.py): `ast.parse` of the text read with
# the default codec fails on U+FEFF, the `ast.parse` time is left empty and the summary line is never printed.
sed -i "s/s=open('\$TARGET').read()/s=open('\$TARGET', encoding='utf-8-sig').read()/g" "$dest/run-case.sh"
# The lint count: ruff 0.17 no longer knows rule E999, so `ruff check --select ...,E999` failed, printed nothing,
# and the count read 0 for every split, whatever it held. lint_delta.py counts the findings the split added: the
# repository's own (an unused import moved with its code, a test's retargeted one) are not the split's.
python3 - "$dest/run-case.sh" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
counted = 'lint=$("$vs/bin/python" "$here/lint_delta.py" "$vs/bin/ruff" 2>"$w/$case-lint.txt")'
text, replaced = re.subn(r'lint=\$\("\$vs/bin/ruff" check [^\n]*', lambda _: counted, text)
if not replaced and counted not in text:
    sys.exit(f"{path}: no lint line to replace")
open(path, "w", encoding="utf-8").write(text)
PY
# FastAPI 0.137-0.14x: iter_route_contexts leaves a websocket of an included router blank (no path, name or
# endpoint) and keeps the route the app matches beside it (`starlette_route`); read that one, as splitter's own
# snapshot does, or every split that moves a websocket into a router shows an "app diff" that is none (pingpong).
python3 - "$dest/dump_app.py" <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
blank = "    out = [(rc, type(rc.original_route).__name__) for rc in iter_route_contexts(app.routes)]\n"
read = (
    "    def _matched(rc):\n"
    "        built = getattr(getattr(rc, '_route_context', None), 'starlette_route', None)\n"
    "        return built if built is not None and not getattr(rc, 'path', None) else rc\n"
    "    out = [(_matched(rc), type(rc.original_route).__name__) for rc in iter_route_contexts(app.routes)]\n"
)
if blank in text:
    open(path, "w", encoding="utf-8").write(text.replace(blank, read))
PY
# A route registered twice (an included router and an @app copy of the same path and name) is one key in
# compare.py's position table, so its last copy's place stood for both and an unchanged order read as changed
# (clonnect). Number the copies of a key in registration order so each copy keeps its own place.
python3 - "$dest/compare.py" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
edits = [
    ('    pos_after = {_key(r): i for i, r in enumerate(after["routes"])}\n    rs = before["routes"]\n',
     '    pos_after = {k: i for i, k in enumerate(_numbered(after["routes"]))}\n    rs = before["routes"]\n'
     '    keys_before = _numbered(rs)\n'),
    ('pos_after.get(_key(a)), pos_after.get(_key(b))', 'pos_after.get(keys_before[i]), pos_after.get(keys_before[j])'),
    ('\ndef main() -> int:', '\ndef _numbered(routes):\n    seen = {}\n    keys = []\n    for r in routes:\n'
     '        seen[_key(r)] = seen.get(_key(r), 0) + 1\n        keys.append((_key(r), seen[_key(r)]))\n'
     '    return keys\n\n\ndef main() -> int:'),
]
if "_numbered" not in text:
    for old, new in edits:
        if old not in text:
            sys.exit(f"compare.py has changed: {old.strip()[:40]!r} not found; the duplicate-route fix is not applied")
        text = text.replace(old, new, 1)
    open(path, "w").write(text)
PY
echo "$dest"
