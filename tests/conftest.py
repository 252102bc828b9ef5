"""Shared test setup: import paths and hypothesis profiles.

Profiles (pick with `pytest --hypothesis-profile=NAME`):
  default  200 examples per property (the normal run)
  ci-long  2000 examples per property (nightly / before a release)
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
# The repo root for `benchmarks`; splitter itself (with `splitter.codemods`, mapped from the top-level
# `codemods/` folder) must be installed: `pip install -e '.[test]'`.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Examples build, import and split whole apps, so they are slow by unit-test standards: no deadline.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "print_blob": True}
settings.register_profile("default", max_examples=200, **_COMMON)
settings.register_profile("ci-long", max_examples=2000, **_COMMON)
settings.load_profile("default")
