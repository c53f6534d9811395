"""Date format patterns (SPEC §5.19 format tokens): writing and reading dates.

A pattern is cut into tokens once (longest token first; ``[…]`` and ``'…'`` are literal,
``''`` is a quote) and cached, so a format used for every row of a list costs one parse.
Both moment (``YYYY-MM-DD``) and Luxon (``yyyy-MM-dd``) spellings mean the same fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache

from ._args import check_string_size
from ._instants import attach, epoch_milliseconds, from_epoch, offset_text, offset_zone

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_Writer = Callable[[datetime], str]

_WRITERS: dict[str, _Writer] = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "MMMM": lambda d: MONTHS[d.month - 1],
    "MMM": lambda d: MONTHS[d.month - 1][:3],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "DD": lambda d: f"{d.day:02d}",
    "D": lambda d: str(d.day),
    "dddd": lambda d: WEEKDAYS[d.weekday()],
    "ddd": lambda d: WEEKDAYS[d.weekday()][:3],
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{(d.hour % 12) or 12:02d}",
    "h": lambda d: str((d.hour % 12) or 12),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "A": lambda d: "AM" if d.hour < 12 else "PM",
    "a": lambda d: "am" if d.hour < 12 else "pm",
    "Q": lambda d: str((d.month - 1) // 3 + 1),
    "ZZ": lambda d: offset_text(d, colon=False),
    "Z": lambda d: offset_text(d),
    "WW": lambda d: f"{d.isocalendar().week:02d}",
    "X": lambda d: str(epoch_milliseconds(d) // 1000),
    "x": lambda d: str(epoch_milliseconds(d)),
}
#: Other spellings of the same tokens (Luxon style; lower-case ``d``/``dd`` are the day).
_ALIASES = {"yyyy": "YYYY", "yy": "YY", "dd": "DD", "d": "D", "EEEE": "dddd", "EEE": "ddd"}
_TOKENS = sorted([*_WRITERS, *_ALIASES], key=len, reverse=True)

_NAME = "|".join
_READERS: dict[str, str] = {
    "YYYY": r"\d{4}", "YY": r"\d{2}", "MMMM": _NAME(MONTHS),
    "MMM": _NAME(m[:3] for m in MONTHS), "MM": r"\d{1,2}", "M": r"\d{1,2}",
    "DD": r"\d{1,2}", "D": r"\d{1,2}", "dddd": _NAME(WEEKDAYS),
    "ddd": _NAME(w[:3] for w in WEEKDAYS), "HH": r"\d{1,2}", "H": r"\d{1,2}",
    "hh": r"\d{1,2}", "h": r"\d{1,2}", "mm": r"\d{1,2}", "m": r"\d{1,2}", "ss": r"\d{1,2}",
    "s": r"\d{1,2}", "SSS": r"\d{1,3}", "A": r"[AaPp][Mm]", "a": r"[AaPp][Mm]",
    "Q": r"[1-4]", "ZZ": r"[Zz]|[+-]\d{4}", "Z": r"[Zz]|[+-]\d{2}:\d{2}", "WW": r"\d{1,2}",
    "X": r"-?\d+(?:\.\d+)?", "x": r"-?\d+",
}

# A tokenised pattern: (True, token) for a field, (False, text) for literal text.
_Piece = tuple[bool, str]

#: One piece of a pattern: a ``[…]`` literal, a quoted literal (``''`` inside is a quote),
#: a token (longest first), a run of characters that cannot start either, or one character.
_PIECE = re.compile(r"\[[^\]]*\]?|'(?:[^']|'')*'?|"
                    + "|".join(map(re.escape, _TOKENS)) + r"|[^\['A-Za-z]+|.", re.DOTALL)


@lru_cache(maxsize=256)
def tokenize(pattern: str) -> tuple[_Piece, ...]:
    """Cut ``pattern`` into fields and literals; an unclosed ``[`` or quote runs to the end."""
    pieces: list[_Piece] = []
    for match in _PIECE.finditer(pattern):
        piece = match.group()
        if piece == "''":
            pieces.append((False, "'"))
        elif piece[0] == "[":
            pieces.append((False, piece[1:-1] if piece.endswith("]") else piece[1:]))
        elif piece[0] == "'":
            closed = len(piece) > 1 and piece.endswith("'") and not _open_quote(piece)
            inner = piece[1:-1] if closed else piece[1:]
            pieces.append((False, inner.replace("''", "'")))
        elif piece in _WRITERS or piece in _ALIASES:
            pieces.append((True, _ALIASES.get(piece, piece)))
        else:
            pieces.append((False, piece))
    return tuple(pieces)


def _open_quote(piece: str) -> bool:
    """Whether a quoted piece ends inside its quotes (``'it''`` is ``it'`` still open)."""
    body = piece[1:]
    quotes = len(body) - len(body.rstrip("'"))
    return quotes % 2 == 0


def format_instant(moment: datetime, pattern: str) -> str:
    result = "".join(_WRITERS[value](moment) if is_token else value
                     for is_token, value in tokenize(pattern))
    check_string_size(len(result))
    return result


@lru_cache(maxsize=256)
def _reader(pattern: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    parts: list[str] = []
    fields: list[str] = []
    for is_token, value in tokenize(pattern):
        if is_token:
            parts.append(f"({_READERS[value]})")
            fields.append(value)
        else:
            parts.append(re.escape(value))
    return re.compile("".join(parts), re.IGNORECASE | re.ASCII), tuple(fields)


def parse_with_format(text: str, pattern: str, zone: tzinfo | None) -> datetime | None:
    """``text`` read with ``pattern``; missing fields default to 1970-01-01 00:00:00 and an
    input without an offset is read in ``zone``. None when it does not fit."""
    regex, fields = _reader(pattern)
    match = regex.fullmatch(text.strip())
    if not match:
        return None
    values = dict(zip(fields, match.groups(), strict=True))
    if "X" in values:
        return from_epoch(float(values["X"]))
    if "x" in values:
        return from_epoch(int(values["x"]) / 1000)
    local = _local_time(values)
    if local is None:
        return None
    offset = values.get("Z") or values.get("ZZ")
    if offset is not None:
        zone = offset_zone(offset)
        if zone is None:
            return None
    return attach(local, zone)


def _local_time(values: dict[str, str]) -> datetime | None:
    year = int(values.get("YYYY") or _two_digit_year(values.get("YY")))
    month = _month(values)
    hour = int(values.get("HH") or values.get("H") or 0)
    twelve = values.get("hh") or values.get("h")
    meridiem = (values.get("A") or values.get("a") or "").lower()
    if twelve is not None:
        if not 1 <= int(twelve) <= 12:
            return None
        hour = int(twelve) % 12 + (12 if meridiem == "pm" else 0)
    elif meridiem == "pm" and hour < 12:
        hour += 12
    try:
        return datetime(year, month, int(values.get("DD") or values.get("D") or 1), hour,
                        int(values.get("mm") or values.get("m") or 0),
                        int(values.get("ss") or values.get("s") or 0),
                        int((values.get("SSS") or "0").ljust(3, "0")) * 1000)
    except ValueError:
        return None


def _two_digit_year(text: str | None) -> int:
    """``YY`` as moment reads it: 69–99 are 19xx, 00–68 are 20xx; absent is 1970."""
    if text is None:
        return 1970
    short = int(text)
    return 1900 + short if short > 68 else 2000 + short


def _month(values: dict[str, str]) -> int:
    for token, names in (("MMMM", MONTHS), ("MMM", [m[:3] for m in MONTHS])):
        if token in values:
            return [n.lower() for n in names].index(values[token].lower()) + 1
    return int(values.get("MM") or values.get("M") or 1)
