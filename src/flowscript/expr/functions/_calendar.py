"""Calendar arithmetic for the time built-ins (SPEC §5.19).

A duration is split into calendar months (years are twelve of them) and exact
milliseconds: months move the date and clamp the day to the month's end (Jan 31 + 1 month
is Feb 28), everything else is added as elapsed time. All work happens at the instant's own
fixed offset, which is why a day here is always 24 hours.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta
from typing import Any

from ...durations import parse_duration
from ..values import argument_error, is_number, type_name
from ._instants import ONE_MS

#: Milliseconds in each exact unit (singular and plural names are both accepted).
EXACT_UNITS = {"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000,
               "day": 86_400_000, "week": 604_800_000}
#: Months in each calendar unit.
CALENDAR_UNITS = {"month": 1, "quarter": 3, "year": 12}

_ISO_DURATION = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?", re.ASCII)
_ISO_MILLISECONDS = (604_800_000, 86_400_000, 3_600_000, 60_000, 1000)
_OBJECT_FIELDS = {"years": 12, "months": 1, "weeks": 604_800_000, "days": 86_400_000,
                  "hours": 3_600_000, "minutes": 60_000, "seconds": 1000, "milliseconds": 1}


def unit_name(unit: Any, allowed: tuple[str, ...], function: str) -> str:
    """A unit argument in its singular form (``days`` and ``day`` are the same unit)."""
    name = unit.lower() if isinstance(unit, str) else None
    if name is not None and name.endswith("s") and name[:-1] in allowed:
        name = name[:-1]
    if name not in allowed:
        shown = unit if isinstance(unit, str) else type_name(unit)
        raise argument_error(f"{function}(): unknown unit {shown!r}; expected one of "
                             f"{', '.join(allowed)}")
    return name


def add_months(moment: datetime, months: int) -> datetime | None:
    """``months`` calendar months later, the day clamped to the month's end; None when the
    year leaves 1–9999."""
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def shift(moment: datetime, months: int, milliseconds: float) -> datetime | None:
    """Months first (calendar), then the exact part; None when out of range."""
    moved = add_months(moment, months) if months else moment
    if moved is None:
        return None
    try:
        return moved + timedelta(milliseconds=round(milliseconds))
    except OverflowError:
        return None


def parse_shift(duration: Any, function: str) -> tuple[int, float]:
    """``(months, milliseconds)`` of an ``add_time`` duration: an ISO-8601 duration, a
    duration string (§2.12), a number of seconds, or an object of named units."""
    if is_number(duration):
        return 0, duration * 1000
    if isinstance(duration, dict):
        return _object_shift(duration, function)
    if isinstance(duration, str):
        text = duration.strip()
        negative = text.startswith("-")
        months, milliseconds = _string_shift(text[1:] if negative else text, function)
        return (-months, -milliseconds) if negative else (months, milliseconds)
    raise argument_error(f"{function}() expects a duration, got {type_name(duration)}")


def _string_shift(text: str, function: str) -> tuple[int, float]:
    match = _ISO_DURATION.fullmatch(text)
    if match and text not in ("P", "PT") and not text.endswith("T"):
        _, years, months, *exact = match.groups()
        milliseconds = sum(float(value) * unit
                           for value, unit in zip(exact, _ISO_MILLISECONDS, strict=True)
                           if value)
        return int(years or 0) * 12 + int(months or 0), milliseconds
    # An ISO duration that failed above (fractional years or months) must not fall back to
    # §2.12's 30-day months: calendar units are whole here.
    seconds = None if text.startswith("P") else parse_duration(text)
    if seconds is None:
        raise argument_error(f"{function}(): {text!r} is not a duration")
    return 0, seconds * 1000


def _object_shift(duration: dict[str, Any], function: str) -> tuple[int, float]:
    months, milliseconds = 0, 0.0
    for key, value in duration.items():
        if key not in _OBJECT_FIELDS:
            raise argument_error(f"{function}(): unknown duration field {key!r}; expected "
                                 f"{', '.join(_OBJECT_FIELDS)}")
        if value is None:
            continue
        if not is_number(value):
            raise argument_error(f"{function}(): duration field {key!r} must be a number")
        if key in ("years", "months"):
            if not float(value).is_integer():
                raise argument_error(f"{function}(): {key} must be a whole number")
            months += int(value) * _OBJECT_FIELDS[key]
        else:
            milliseconds += value * _OBJECT_FIELDS[key]
    return months, milliseconds


def start_of(moment: datetime, unit: str) -> datetime:
    """The first millisecond of the ``unit`` holding ``moment`` (weeks start on Monday)."""
    if unit == "second":
        return moment.replace(microsecond=0)
    if unit == "minute":
        return moment.replace(second=0, microsecond=0)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def end_of(moment: datetime, unit: str) -> datetime | None:
    """The last millisecond of the ``unit`` holding ``moment``."""
    first = start_of(moment, unit)
    if unit in CALENDAR_UNITS:
        following = add_months(first, CALENDAR_UNITS[unit])
        if following is None:  # the unit ends with year 9999
            return first.replace(month=12, day=31, hour=23, minute=59, second=59,
                                 microsecond=999_000)
    else:
        following = first + timedelta(milliseconds=EXACT_UNITS[unit])
    return following - ONE_MS


def whole_months(later: datetime, earlier: datetime, step: int) -> int:
    """The largest whole ``n`` with ``earlier`` + n×``step`` months not past ``later``;
    negative (counting back from ``earlier``) when ``later`` is before ``earlier``."""
    direction = 1 if later >= earlier else -1
    local = later.astimezone(earlier.tzinfo)
    estimate = abs((local.year - earlier.year) * 12 + local.month - earlier.month) // step + 1
    for n in range(estimate, 0, -1):
        moved = add_months(earlier, direction * n * step)
        if moved is not None and (moved <= later if direction > 0 else moved >= later):
            return direction * n
    return 0
