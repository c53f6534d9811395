"""Time built-ins (SPEC §5.19): instants as ISO-8601 text, durations in seconds.

An invalid date gives ``null`` (``false`` for the predicates), because dates come from
data; a bad unit, format or zone is a mistake in the workflow and raises an ``argument``
error. ``now``, ``date``, ``time``, ``timestamp`` and ``relative`` read ``ctx.now()``, which
honours ``FLOWSCRIPT_NOW``, so tests and replays are deterministic.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from ...durations import parse_duration
from ..values import EvalContext, builtin, is_number, to_numeric
from . import _calendar as cal
from ._args import as_string
from ._formats import format_instant, parse_with_format
from ._instants import (
    ONE_MS,
    UTC,
    current,
    epoch_seconds,
    from_epoch,
    in_zone,
    iso,
    parse_instant,
    zone_argument,
)
from .numbers import result

#: Units of ``start_of`` and ``end_of``.
PERIODS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
#: Units of ``diff``.
DIFF_UNITS = (*cal.EXACT_UNITS, "month", "year")
#: What ``get_part`` can read from an instant, at the instant's own offset.
PARTS = {
    "year": lambda d: d.year, "month": lambda d: d.month, "day": lambda d: d.day,
    "hour": lambda d: d.hour, "minute": lambda d: d.minute, "second": lambda d: d.second,
    "millisecond": lambda d: d.microsecond // 1000, "weekday": lambda d: d.isoweekday(),
    "quarter": lambda d: (d.month - 1) // 3 + 1, "ordinal": lambda d: d.timetuple().tm_yday,
    "week": lambda d: d.isocalendar().week,
}
#: ``relative`` units, largest first, in seconds (a year is 365 days, a month 30).
RELATIVE_UNITS = (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800),
                  ("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def _pattern(value: Any, default: str, function: str) -> str:
    return default if value is None else as_string(value, function, "format string")


@builtin("now")
def now(ctx: EvalContext, tz: Any = None) -> str | None:
    return _iso(in_zone(current(ctx.now()), zone_argument(tz, "now")))


def _formatted_now(ctx: EvalContext, format: Any, tz: Any, default: str, name: str) -> str:
    pattern = _pattern(format, default, name)
    moment = in_zone(current(ctx.now()), zone_argument(tz, name))
    return "" if moment is None else format_instant(moment, pattern)


@builtin("date")
def date(ctx: EvalContext, format: Any = "YYYY-MM-DD", tz: Any = "UTC") -> str:
    return _formatted_now(ctx, format, tz, "YYYY-MM-DD", "date")


@builtin("time")
def time(ctx: EvalContext, format: Any = "HH:mm:ss", tz: Any = "UTC") -> str:
    return _formatted_now(ctx, format, tz, "HH:mm:ss", "time")


@builtin("timestamp")
def timestamp(ctx: EvalContext) -> float | int:
    return epoch_seconds(current(ctx.now()))


@builtin("from_timestamp")
def from_timestamp(seconds: Any, tz: Any = None) -> str | None:
    zone = zone_argument(tz, "from_timestamp")
    number = to_numeric(seconds)
    moment = None if number is None else from_epoch(number)
    return None if moment is None else _iso(in_zone(moment, zone))


@builtin("to_timestamp")
def to_timestamp(value: Any) -> float | int | None:
    moment = parse_instant(value)
    return None if moment is None else epoch_seconds(moment)


@builtin("parse_date")
def parse_date(s: Any, format: Any = None, tz: Any = "UTC") -> str | None:
    """ISO text (or epoch seconds), or text in ``format``; an offset in the input is kept,
    otherwise the value is read in ``tz``."""
    zone = zone_argument(tz, "parse_date")
    if format is None:
        moment = parse_instant(s, zone)
        if moment is not None and is_number(s):
            moment = in_zone(moment, zone)
        return _iso(moment)
    pattern = as_string(format, "parse_date", "format string")
    if not isinstance(s, str):
        return None
    return _iso(parse_with_format(s, pattern, zone))


@builtin("format_date")
def format_date(value: Any, format: Any, tz: Any = None) -> str | None:
    """In ``tz`` when given (an input without an offset is then read there too), else at
    the date's own offset; a ``null`` format writes ISO text."""
    zone = zone_argument(tz, "format_date", default=None)
    pattern = None if format is None else as_string(format, "format_date", "format string")
    moment = parse_instant(value, zone or UTC)
    moment = None if moment is None else in_zone(moment, zone)
    if moment is None:
        return None
    return iso(moment) if pattern is None else format_instant(moment, pattern)


def _shifted(value: Any, duration: Any, sign: int, function: str) -> str | None:
    months, milliseconds = cal.parse_shift(duration, function)
    moment = parse_instant(value)
    if moment is None:
        return None
    return _iso(cal.shift(moment, sign * months, sign * milliseconds))


@builtin("add_time")
def add_time(value: Any, duration: Any) -> str | None:
    return _shifted(value, duration, 1, "add_time")


@builtin("subtract_time")
def subtract_time(value: Any, duration: Any) -> str | None:
    return _shifted(value, duration, -1, "subtract_time")


@builtin("diff")
def diff(a: Any, b: Any, unit: Any = "days") -> float | int | None:
    """``a − b``: exact units may be fractional; months and years count whole calendar
    steps from ``b``."""
    name = cal.unit_name(unit, DIFF_UNITS, "diff")
    later, earlier = parse_instant(a), parse_instant(b)
    if later is None or earlier is None:
        return None
    if name in cal.EXACT_UNITS:
        return result(((later - earlier) // ONE_MS) / cal.EXACT_UNITS[name])
    return cal.whole_months(later, earlier, cal.CALENDAR_UNITS[name])


@builtin("start_of")
def start_of(value: Any, unit: Any) -> str | None:
    name = cal.unit_name(unit, PERIODS, "start_of")
    moment = parse_instant(value)
    return None if moment is None else iso(cal.start_of(moment, name))


@builtin("end_of")
def end_of(value: Any, unit: Any) -> str | None:
    name = cal.unit_name(unit, PERIODS, "end_of")
    moment = parse_instant(value)
    return None if moment is None else _iso(cal.end_of(moment, name))


@builtin("get_part")
def get_part(value: Any, part: Any) -> int | None:
    name = cal.unit_name(part, tuple(PARTS), "get_part")
    moment = parse_instant(value)
    return None if moment is None else PARTS[name](moment)


@builtin("is_before")
def is_before(a: Any, b: Any) -> bool:
    first, second = parse_instant(a), parse_instant(b)
    return first is not None and second is not None and first < second


@builtin("is_after")
def is_after(a: Any, b: Any) -> bool:
    first, second = parse_instant(a), parse_instant(b)
    return first is not None and second is not None and first > second


@builtin("relative")
def relative(ctx: EvalContext, value: Any) -> str | None:
    """``"in 2 hours"`` / ``"3 days ago"`` / ``"just now"`` relative to ``ctx.now()``."""
    moment = parse_instant(value)
    if moment is None:
        return None
    seconds = ((moment - current(ctx.now())) // ONE_MS) / 1000
    distance = abs(seconds)
    if distance < 1:
        return "just now"
    unit, size = next((u, s) for u, s in RELATIVE_UNITS if s <= distance)
    count = math.floor(distance / size)
    label = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {label}" if seconds > 0 else f"{label} ago"


@builtin("duration")
def duration(spec: Any) -> float | int | None:
    seconds = parse_duration(spec)
    return None if seconds is None else result(seconds)
