"""Instants for the time built-ins (SPEC §5.19): reading inputs, zones, ISO output.

An instant is an aware ``datetime`` with a *fixed* offset and millisecond precision. IANA
zones are consulted only when a value enters a zone (``now('Europe/Paris')``, a ``tz``
argument); from then on the offset travels with the value, as it does in the ISO text the
functions return, so arithmetic never depends on a zone database lookup.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..values import argument_error, is_number, type_name

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|z|[+-]\d{2}:?\d{2})?)?", re.ASCII)
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})", re.ASCII)


def offset_zone(text: str) -> timezone | None:
    """``Z``, ``+05:30`` or ``-0400`` as a fixed zone; None when malformed."""
    if text in ("Z", "z"):
        return UTC
    match = _OFFSET.fullmatch(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    if int(hours) > 23 or int(minutes) > 59:
        return None
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return UTC if not delta else timezone(-delta if sign == "-" else delta)


def zone_argument(tz: Any, function: str, default: tzinfo | None = UTC) -> tzinfo | None:
    """A ``tz`` argument: an IANA name, ``UTC``, ``Z`` or a fixed offset; ``null`` is the
    default. An unknown zone is an argument error, never a silent UTC."""
    if tz is None:
        return default
    if not isinstance(tz, str):
        raise argument_error(f"{function}() expects a time zone name, got {type_name(tz)}")
    if tz.upper() in ("UTC", "Z"):
        return UTC
    fixed = offset_zone(tz)
    if fixed is not None:
        return fixed
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise argument_error(f"{function}(): unknown time zone {tz!r}") from None


def fixed(moment: datetime) -> datetime:
    """The same instant at a fixed whole-minute offset, with millisecond precision."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    zone = UTC if minutes == 0 else timezone(timedelta(minutes=minutes))
    moment = moment.astimezone(zone)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def in_zone(moment: datetime, zone: tzinfo | None) -> datetime | None:
    """``moment`` seen from ``zone`` (None keeps its own offset); None past year 9999."""
    try:
        return moment if zone is None else fixed(moment.astimezone(zone))
    except (OverflowError, ValueError):
        return None


def from_epoch(seconds: float | int) -> datetime | None:
    """The UTC instant ``seconds`` after 1970-01-01, rounded to the millisecond."""
    try:
        return EPOCH + timedelta(milliseconds=round(seconds * 1000))
    except (OverflowError, ValueError):
        return None


def epoch_milliseconds(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_MS


def epoch_seconds(moment: datetime) -> float | int:
    """Epoch seconds with millisecond precision (an integer when whole)."""
    milliseconds = epoch_milliseconds(moment)
    return milliseconds // 1000 if milliseconds % 1000 == 0 else milliseconds / 1000


def parse_instant(value: Any, zone: tzinfo | None = UTC) -> datetime | None:
    """An accepted input (§5.19) as an instant, or None when it is not a valid date.

    Text without an offset is read in ``zone``; numbers are epoch seconds.
    """
    if is_number(value):
        return from_epoch(value)
    if not isinstance(value, str):
        return None
    match = _ISO.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    milliseconds = int((fraction or "0")[:3].ljust(3, "0"))
    try:
        local = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                         int(second or 0), milliseconds * 1000)
    except ValueError:
        return None
    if offset is None:
        return attach(local, zone)
    fixed_zone = offset_zone(offset)
    return None if fixed_zone is None else attach(local, fixed_zone)


def attach(local: datetime, zone: tzinfo | None) -> datetime | None:
    """A wall-clock time read in ``zone`` (None: UTC) as a fixed-offset instant."""
    try:
        return fixed(local.replace(tzinfo=zone or UTC))
    except (OverflowError, ValueError):
        return None


def offset_text(moment: datetime, colon: bool = True, utc_as_z: bool = False) -> str:
    """``+01:00`` / ``+0100``; UTC is ``Z`` in ISO output, ``+00:00`` in formats."""
    offset = moment.utcoffset() or timedelta(0)
    if utc_as_z and not offset:
        return "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{rest:02d}"


def iso(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:mm:ss.SSS`` plus ``Z`` in UTC or the ``±HH:MM`` offset."""
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}"
            + offset_text(moment, utc_as_z=True))


def current(clock: datetime) -> datetime:
    """``ctx.now()`` as a UTC instant (a naive clock value is taken to be UTC)."""
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=UTC)
    return fixed(clock.astimezone(UTC))
