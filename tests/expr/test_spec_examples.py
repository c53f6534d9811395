"""The worked examples of SPEC §5.13–§5.21, run through the public expression API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from functions_support import same
from spec_examples import ALL, SPEC_NOW

from flowscript.expr.api import evaluate


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWSCRIPT_NOW", SPEC_NOW)


@pytest.mark.parametrize(("source", "variables", "expected"), [row for _, row in ALL],
                         ids=[f"{section} {row[0]}" for section, row in ALL])
def test_worked_example(source: str, variables: dict[str, Any], expected: Any) -> None:
    actual = evaluate(source, variables)
    assert same(actual, expected), f"{source} gave {actual!r}, expected {expected!r}"


def test_every_section_has_rows() -> None:
    sections = {section for section, _ in ALL}
    assert sections == {f"5.{n}" for n in range(13, 21)}
    assert len(ALL) >= 200


UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_uuid_is_a_random_version_4_uuid() -> None:
    """§5.21 has no table of values, only the shape: check it, and that values differ."""
    first, second = evaluate("uuid()", {}), evaluate("uuid()", {})
    assert UUID_V4.match(first) and UUID_V4.match(second)
    assert first != second


def test_random_functions_stay_in_range() -> None:
    values = evaluate("map(range(200), i => [random(), random_int(1, 3)])", {})
    assert all(0 <= r < 1 and r.__class__ in (int, float) for r, _ in values)
    assert {n for _, n in values} == {1, 2, 3}
