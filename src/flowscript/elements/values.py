"""Checks of literal values against their kind (SPEC §1.6, §2.12, §3.2.2).

Each check returns a short reason when the literal is invalid, else None; the caller
decides the diagnostic (FS-STRUCT-006, or FS-ID-002 for names). Values that contain a
template (``{{``) are left to run time, except for names and refs, which must be literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..durations import parse_duration, parse_rate, parse_token_count
from .specs import Setting

#: SPEC §1.6.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
#: Longest name (§1.6).
MAX_NAME_LENGTH = 128
#: Reserved words of the expression language (§5.2): never names.
RESERVED_WORDS = frozenset({"true", "false", "null", "undefined", "and", "or", "not", "in",
                            "typeof", "this", "AND", "OR", "NOT", "IN"})
#: Boolean literals of §3.2.2, compared lower-cased.
BOOLEAN_WORDS = {"true": True, "yes": True, "on": True, "1": True,
                 "false": False, "no": False, "off": False, "0": False}
#: Merge keywords of §3.24; anything else is an expression.
MERGE_KEYWORDS = ("array", "concat", "object", "keyed", "first")
_WAIT = re.compile(r"n\(\s*([0-9]+)\s*\)")
_INT = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_template(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def name_problem(text: str, *, dotted: bool = False) -> str | None:
    """Why ``text`` is not a valid name (§1.6), or None. ``dotted`` allows ``a.b.c``."""
    if text.startswith("$"):
        return "a name cannot start with '$'"
    if len(text) > MAX_NAME_LENGTH:
        return f"a name is at most {MAX_NAME_LENGTH} characters"
    for part in text.split(".") if dotted else (text,):
        if not NAME.fullmatch(part):
            return ("a name is letters, digits and '_', joined by single '-', "
                    "and does not start with a digit")
        if part in RESERVED_WORDS:
            return f"{part!r} is a reserved word"
    return None


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return BOOLEAN_WORDS.get(value.strip().lower())
    return None


def parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(float(value.strip()))
    return None


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value.strip())
    return None


def parse_wait(value: str) -> int | str | None:
    """``all``/``any`` → the word; ``n(k)`` → k (k ≥ 1); anything else → None (§3.24)."""
    text = value.strip()
    if text in ("all", "any"):
        return text
    match = _WAIT.fullmatch(text)
    if match and int(match.group(1)) >= 1:
        return int(match.group(1))
    return None


def _range_problem(setting: Setting, number: float) -> str | None:
    low, high = setting.minimum, setting.maximum
    if low is not None and (number < low or (setting.exclusive_minimum and number == low)):
        relation = ">" if setting.exclusive_minimum else "≥"
        return f"must be {relation} {low:g}"
    if high is not None and number > high:
        return f"must be ≤ {high:g}"
    return None


def _check_int(setting: Setting, value: Any) -> str | None:
    number = parse_int(value)
    if number is None:
        return "not an integer"
    return _range_problem(setting, number)


def _check_number(setting: Setting, value: Any) -> str | None:
    number = parse_number(value)
    if number is None:
        return "not a number"
    return _range_problem(setting, number)


def _check_bool(setting: Setting, value: Any) -> str | None:
    if parse_bool(value) is None:
        return "not a boolean (true, false, yes, no, on, off, 1 or 0)"
    return None


def _check_duration(setting: Setting, value: Any) -> str | None:
    seconds = parse_duration(value)
    if seconds is None:
        return "not a duration (e.g. 30s, 1h30m, 500ms, PT1M or a number of seconds)"
    if setting.exclusive_minimum and seconds <= 0:
        return "must be greater than zero"
    return None


def _check_enum(setting: Setting, value: Any) -> str | None:
    if str(value).strip() not in setting.choices:
        return "must be one of " + ", ".join(setting.choices)
    return None


def _check_rate(setting: Setting, value: Any) -> str | None:
    if parse_rate(str(value)) is None:
        return "not a rate: N/period, e.g. 10/1m, 5/s, 100/minute"
    return None


def _check_wait(setting: Setting, value: Any) -> str | None:
    if parse_wait(str(value)) is None:
        return "must be all, any or n(k) with k ≥ 1"
    return None


def _check_jitter(setting: Setting, value: Any) -> str | None:
    text = str(value).strip()
    if text in ("full", "none"):
        return None
    number = parse_number(text)
    if number is None or not 0 < number <= 1:
        return "must be full, none or a number in (0, 1]"
    return None


def _check_tokens(setting: Setting, value: Any) -> str | None:
    if parse_token_count(value) is None:
        return "not a token count (e.g. 5000, 200k, 1.5M)"
    return None


def _check_literal_name(setting: Setting, value: Any) -> str | None:
    if is_template(value):
        return "templates ({{ … }}) are not allowed here; write the name itself"
    return None


_CHECKS: dict[str, Callable[[Setting, Any], str | None]] = {
    "int": _check_int, "number": _check_number, "bool": _check_bool,
    "duration": _check_duration, "enum": _check_enum, "rate": _check_rate,
    "wait": _check_wait, "jitter": _check_jitter, "tokens": _check_tokens,
    "name": _check_literal_name, "ref": _check_literal_name,
}


def literal_problem(setting: Setting, value: Any) -> str | None:
    """Why ``value`` is invalid for ``setting``'s kind (FS-STRUCT-006), or None.

    Names are only checked for templates here; their grammar is ``name_problem``
    (FS-ID-002). Templates in other kinds are accepted: they are checked when they run.
    """
    check = _CHECKS.get(setting.kind)
    if check is None:
        return None
    if setting.kind not in ("name", "ref") and is_template(value):
        return None
    return check(setting, value)


__all__ = ["BOOLEAN_WORDS", "MAX_NAME_LENGTH", "MERGE_KEYWORDS", "NAME", "RESERVED_WORDS",
           "is_template", "literal_problem", "name_problem", "parse_bool", "parse_int",
           "parse_number", "parse_wait"]
