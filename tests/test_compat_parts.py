"""A compatibility module whose table of moved names would take it to max_lines keeps the rest of the table in
modules of its own (`compat_homes.py`, ...), each under the limit: oompah's 1,000 moved names made a 586-line
compat.py. Every moved name stays reachable and patchable as `main.NAME`, and applying again changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from splitter.cli import app
from splitter.emit.compat import compat_modules, compat_source, existing_homes

GROUPS, HELPERS, MAX_LINES = 12, 10, 200
runner = CliRunner()


def monolith() -> str:
    """Twelve resources, each with three endpoints and ten helpers only it uses: 156 names move."""
    parts = ["from fastapi import FastAPI\n\napp = FastAPI()\n"]
    for g in range(GROUPS):
        helpers = [f"resource_{g:02d}_helper_value_{h:02d}" for h in range(HELPERS)]
        parts += [f"\n\ndef {name}():\n    return {g * 100 + h}\n" for h, name in enumerate(helpers)]
        for e in range(3):
            reads = " + ".join(f"{name}()" for name in helpers[e::3])
            parts.append(f"\n\n@app.get('/resource{g}/item{e}')\ndef resource_{g:02d}_item_{e}():\n")
            parts.append(f"    return {{'value': {reads}}}\n")
    return "".join(parts)


TESTS = f"""\
import main
from fastapi.testclient import TestClient


def test_every_moved_name_is_an_attribute_of_main():
    for g in range({GROUPS}):
        for h in range({HELPERS}):
            assert getattr(main, f"resource_{{g:02d}}_helper_value_{{h:02d}}")() == g * 100 + h


def test_patching_through_main_reaches_the_moved_code(monkeypatch):
    # services.resource9 sorts after services.resource10 ...: its names are in a part of the table
    monkeypatch.setattr(main, "resource_09_helper_value_00", lambda: 1000)
    served = TestClient(main.app).get("/resource9/item0").json()["value"]
    assert served == 1000 + 903 + 906 + 909
"""


def _repository(root: Path) -> Path:
    (root / "main.py").write_text(monolith())
    (root / "tests").mkdir()
    (root / "tests" / "test_main.py").write_text(TESTS)
    (root / "pyproject.toml").write_text(
        f'[tool.splitter]\nmax_lines = {MAX_LINES}\n\n[tool.pytest.ini_options]\npythonpath = ["."]\n'
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "before"]):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True)
    return root / "main.py"


def test_the_table_goes_on_in_parts_each_under_the_limit(tmp_path: Path) -> None:
    path = _repository(tmp_path)
    done = runner.invoke(app, ["apply", str(path), "--yes"])
    assert done.exit_code == 0, done.output
    written = {p.name: p.read_text().count("\n") for p in tmp_path.glob("compat*.py")}
    assert "compat_homes.py" in written and all(lines < MAX_LINES for lines in written.values()), written
    assert "written with" not in done.output
    assert "services.resource9" in (tmp_path / "compat_homes.py").read_text()
    homes = existing_homes(tmp_path / "compat.py")
    assert sum(len(names) for names in homes.values()) >= GROUPS * (HELPERS + 3)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path, text=True, capture_output=True
    )
    assert tests.returncode == 0, tests.stdout[-2000:]
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "split"], cwd=tmp_path, check=True
    )
    again = runner.invoke(app, ["apply", str(path), "--dry-run", "--check"])
    assert again.exit_code == 0 and again.output == "", again.output


def test_one_module_while_it_fits_and_the_same_text_as_before() -> None:
    homes = {"shopapi.routers.orders": ["get_order", "list_orders"], "shopapi.core": ["settings"]}
    texts = compat_modules(homes, "main.py", "shopapi.main", "by splitter", 88, [], False, (500, "compat"))
    assert texts == {"compat": compat_source(homes, "main.py", "shopapi.main", "by splitter", 88)}


def test_parts_are_laid_out_as_ruff_format_keeps_them(tmp_path: Path) -> None:
    homes = {f"shopapi.services.module_{k:03d}": [f"name_{k}_{n}" for n in range(12)] for k in range(60)}
    texts = compat_modules(homes, "main.py", "shopapi.main", "by splitter", 88, [], True, (MAX_LINES, "compat"))
    assert len(texts) > 2 and all(text.count("\n") < MAX_LINES for text in texts.values())
    for name, text in texts.items():
        (tmp_path / f"{name}.py").write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", "88", *map(str, tmp_path.glob("*.py"))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    assert existing_homes(tmp_path / "compat.py") == {home: sorted(names) for home, names in homes.items()}


def test_a_second_wave_extends_the_parts_an_earlier_one_wrote(tmp_path: Path) -> None:
    path = _repository(tmp_path)
    first = [f"--only=resource{g}" for g in range(GROUPS - 2)]
    done = runner.invoke(app, ["apply", str(path), "--yes", *first])
    assert done.exit_code == 0, done.output
    before = (tmp_path / "compat_homes.py").read_text()
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "wave 1"], cwd=tmp_path, check=True
    )
    done = runner.invoke(app, ["apply", str(path), "--yes"])
    assert done.exit_code == 0, done.output
    written = {p.name: p.read_text() for p in tmp_path.glob("compat*.py")}
    assert written["compat_homes.py"] != before and all(t.count("\n") < MAX_LINES for t in written.values())
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path, text=True, capture_output=True
    )
    assert tests.returncode == 0, tests.stdout[-2000:]


def test_a_module_of_that_name_splitter_did_not_write_is_refused(tmp_path: Path) -> None:
    path = _repository(tmp_path)
    (tmp_path / "compat_homes.py").write_text("HOMES = {'mine': 'x'}\n")
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "own"], cwd=tmp_path, check=True
    )
    done = runner.invoke(app, ["apply", str(path), "--yes"])
    assert done.exit_code == 2 and "splitter did not write it" in done.output, done.output
    assert (tmp_path / "compat_homes.py").read_text() == "HOMES = {'mine': 'x'}\n"
    assert not (tmp_path / "compat.py").exists()
