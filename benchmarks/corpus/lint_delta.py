"""Count the ruff findings a split added: run from a split tree whose changes are staged (run-case.sh does).

usage: python lint_delta.py RUFF   -> prints the count on stdout, one `file:line: CODE message` per new finding on
stderr; -1 when ruff could not check the files (the summary then reads SHORT rather than a false 0).

The harness checks F401/F811/F821/F823 in every file the split wrote or changed. A monolith's own unused import
travels with the code that holds it (moved byte for byte) or stays in the slim module as what `main.name` was, and
a test's unused `from main import x` is retargeted, not removed: findings the repository already had are not the
split's. So the findings in the original text of the changed files are taken off, matched by rule and message
with line numbers and module paths left out (`main.x` imported but unused is `services.shared.x` after it).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

RULES = "F401,F811,F821,F823"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def findings(ruff: str, root: Path, files: list[str]) -> list[tuple[str, str, str]]:
    """(key, file, line) per finding; key = rule and message without line numbers or dotted module paths."""
    if not files:
        return []
    command = [ruff, "check", "--isolated", "--select", RULES, "--output-format", "json", *files]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 2: ruff itself failed (an unknown rule, a bad path)
        raise RuntimeError(done.stderr.strip())
    result = []
    for item in json.loads(done.stdout or "[]"):
        message = re.sub(r"line \d+", "line N", item["message"])
        message = re.sub(r"`[\w.]*?(\w+)`", r"`\1`", message)
        result.append((f"{item['code']} {message}", item["filename"], str(item["location"]["row"])))
    return result


def original_findings(ruff: str, modified: list[str]) -> list[tuple[str, str, str]]:
    """The findings in the committed text of the files the split modified (new files had none)."""
    with tempfile.TemporaryDirectory() as folder:
        for name in modified:
            path = Path(folder, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(git("show", f"HEAD:{name}"), encoding="utf-8")
        return findings(ruff, Path(folder), modified)


def main(ruff: str) -> int:
    changed = git("diff", "--cached", "--name-only", "--diff-filter=AM", "--", "*.py").split()
    modified = git("diff", "--cached", "--name-only", "--diff-filter=M", "--", "*.py").split()
    try:
        after = findings(ruff, Path.cwd(), changed)
        before = Counter(key for key, _, _ in original_findings(ruff, modified))
    except (RuntimeError, json.JSONDecodeError) as error:
        print(f"ruff could not check the split: {error}", file=sys.stderr)
        return -1
    new = 0
    for key, file, line in after:
        if before[key] > 0:
            before[key] -= 1
            continue
        new += 1
        print(f"{Path(file).resolve().relative_to(Path.cwd().resolve())}:{line}: {key}", file=sys.stderr)
    return new


if __name__ == "__main__":
    print(main(sys.argv[1]))
