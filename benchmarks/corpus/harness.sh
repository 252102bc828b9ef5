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
# Test output can hold a stray binary byte; grep then prints "Binary file matches" instead of the result lines.
sed -i -E "s/grep -rlE/grep -arlE/; s/grep -E '\^\(PASSED/grep -aE '^(PASSED/" "$dest/lib.sh" "$dest/run-case.sh"
echo "$dest"
