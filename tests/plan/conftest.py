"""The plan tests share the workflow fixtures of ``tests/validate/conftest.py``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_flowscript_validate_fixtures", Path(__file__).parents[1] / "validate" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)

parse = _helpers.parse
workflow = _helpers.workflow
