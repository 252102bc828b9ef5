"""Verification: prove a split changed no behaviour (see docs/verify.md).

snapshot.py   app -> JSON (runs in the target project's interpreter: stdlib + fastapi/starlette only)
runner.py     take_snapshot() in a subprocess; git_snapshot.py at a git revision
compare.py    two snapshots -> Report (openapi_diff.py, findings.py)
tests_runner.py, contract.py; verify_apply.py (`apply --verify`: verify_around)
The `snapshot`/`verify` commands are in splitter/verify_command.py.

Nothing is imported here, so `python -m splitter.verification.snapshot` stays free of splitter's dependencies.
"""
