"""Durations, rates and token counts (SPEC §2.12), all in seconds.

A bare number means seconds everywhere; ISO years count 365 days and months 30 days.
Each parser returns ``None`` for malformed text so callers choose the diagnostic.
"""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_PART = re.compile(rf"({_NUMBER})(ms|s|m|h|d|w)")
_PARTS = re.compile(rf"^{_NUMBER}(?:ms|s|m|h|d|w)(?: ?{_NUMBER}(?:ms|s|m|h|d|w))*$")
_ISO = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_ISO_SECONDS = (365 * 86400.0, 30 * 86400.0, 604800.0, 86400.0, 3600.0, 60.0, 1.0)
_RATE_WORDS = {"s": 1.0, "second": 1.0, "m": 60.0, "minute": 60.0, "h": 3600.0,
               "hour": 3600.0, "d": 86400.0, "day": 86400.0}
_TOKENS = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([kKmM]?)$")


def parse_duration(value: object) -> float | None:
    """Seconds in a duration (``1h30m``, ``500ms``, ``PT30S``, ``600``, a number), else None.

    Negative values are malformed.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(_NUMBER, text):
        return float(text)
    if _PARTS.match(text):
        return sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
    iso = _ISO.match(text)
    if iso and text not in ("P", "PT") and not text.endswith("T"):
        return sum(float(g) * k for g, k in zip(iso.groups(), _ISO_SECONDS, strict=True) if g)
    return None


def parse_rate(value: str) -> tuple[int, float] | None:
    """``N/period`` → (N, period seconds): ``10/1m``, ``5/s``, ``100/minute``."""
    count, sep, period = value.strip().partition("/")
    if not sep or not count.strip().isdigit() or int(count) < 1:
        return None
    period = period.strip()
    seconds = _RATE_WORDS.get(period)
    if seconds is None:
        seconds = parse_duration(period)
    if not seconds:
        return None
    return int(count), seconds


def parse_token_count(value: object) -> int | None:
    """A token count: an integer, or ``200k`` / ``1.5M`` (k = 1 000, M = 1 000 000)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = _TOKENS.match(str(value).strip())
    if not match:
        return None
    scale = {"": 1, "k": 1000, "K": 1000, "m": 1_000_000, "M": 1_000_000}[match.group(2)]
    count = int(float(match.group(1)) * scale)
    return count if count > 0 else None


def format_duration(seconds: float) -> str:
    """The execution log's form (SPEC §9.2): ``4.21s``, ``4m32s``, ``1h02m``."""
    if seconds < 60:
        return f"{seconds:.2f}s"
    if seconds < 3600:
        minutes, rest = divmod(int(seconds), 60)
        return f"{minutes}m{rest:02d}s"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m"
