"""Time built-ins (SPEC §5.19): inputs, zones, formats, calendar arithmetic, the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from functions_support import FakeContext, call, error_kind, same

from flowscript.expr import values

NOW = FakeContext()  # 2025-03-09T14:05:07.042Z, the SPEC's pinned clock


class TestAcceptedInputs:
    @pytest.mark.parametrize(("value", "expected"), [
        ("2025-03-09", "2025-03-09T00:00:00.000Z"),
        ("2025-03-09T14:05", "2025-03-09T14:05:00.000Z"),
        ("2025-03-09T14:05:07", "2025-03-09T14:05:07.000Z"),
        ("2025-03-09T14:05:07.5", "2025-03-09T14:05:07.500Z"),
        ("2025-03-09T14:05:07.123456", "2025-03-09T14:05:07.123Z"),
        ("2025-03-09 14:05:07Z", "2025-03-09T14:05:07.000Z"),
        ("2025-03-09T14:05:07+01:00", "2025-03-09T14:05:07.000+01:00"),
        ("2025-03-09T14:05:07-0430", "2025-03-09T14:05:07.000-04:30"),
        ("2025-03-09T14:05:07+00:00", "2025-03-09T14:05:07.000Z"),
        (" 2025-03-09 ", "2025-03-09T00:00:00.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (1741529107.042, "2025-03-09T14:05:07.042Z"),
        (-1, "1969-12-31T23:59:59.000Z"),
    ])
    def test_valid(self, value: Any, expected: str) -> None:
        assert call("parse_date", value) == expected

    @pytest.mark.parametrize("value", [
        "nope", "2025-02-30", "2025-13-01", "2025-3-9", "2025-03-09T24:00", "2025-03-09T14",
        "2025-03-09Z", "2025-03-09T14:05+25:00", "", None, True, [2025], {"y": 2025},
        "1741529107", 1e20, "２０２５-03-09",
    ])
    def test_invalid_dates_give_null(self, value: Any) -> None:
        assert call("parse_date", value) is None
        assert call("to_timestamp", value) is None
        assert call("format_date", value, "YYYY") is None
        assert call("add_time", value, 60) is None
        assert call("get_part", value, "year") is None
        assert call("is_before", value, "2025-01-01") is False
        assert call("is_after", "2025-01-01", value) is False


class TestZones:
    def test_now_in_utc_and_in_zones(self) -> None:
        assert call("now", ctx=NOW) == "2025-03-09T14:05:07.042Z"
        assert call("now", "Europe/Paris", ctx=NOW) == "2025-03-09T15:05:07.042+01:00"
        assert call("now", "America/New_York", ctx=NOW) == "2025-03-09T10:05:07.042-04:00"
        assert call("now", "+05:30", ctx=NOW) == "2025-03-09T19:35:07.042+05:30"
        assert call("now", "Z", ctx=NOW) == call("now", "utc", ctx=NOW)

    def test_unknown_zones_are_argument_errors(self) -> None:
        for zone in ["Mars/Olympus", "../etc/passwd", "", "+25:00", "Europe"]:
            assert error_kind("now", zone, ctx=NOW) == "argument", zone
        assert error_kind("format_date", "2025-01-01", "YYYY", 5) == "argument"

    def test_a_naive_clock_is_utc_and_microseconds_are_dropped(self) -> None:
        ctx = FakeContext(now=datetime(2025, 1, 2, 3, 4, 5, 678_901))
        assert call("now", ctx=ctx) == "2025-01-02T03:04:05.678Z"

    def test_input_without_offset_is_read_in_tz(self) -> None:
        assert call("parse_date", "2025-03-09 10:00", None, "Europe/Paris") == \
            "2025-03-09T10:00:00.000+01:00"
        assert call("parse_date", "2025-07-09 10:00", None, "Europe/Paris") == \
            "2025-07-09T10:00:00.000+02:00"
        assert call("parse_date", "2025-03-09T10:00:00-05:00", None, "Europe/Paris") == \
            "2025-03-09T10:00:00.000-05:00"
        assert call("parse_date", 0, None, "+02:00") == "1970-01-01T02:00:00.000+02:00"
        assert call("format_date", "2025-03-09 10:00", "HH:mm Z", "Asia/Kolkata") == \
            "10:00 +05:30"


class TestClockFunctions:
    def test_date_and_time(self) -> None:
        assert call("date", ctx=NOW) == "2025-03-09"
        assert call("date", "DD/MM/YYYY", ctx=NOW) == "09/03/2025"
        assert call("date", None, "Pacific/Kiritimati", ctx=NOW) == "2025-03-10"
        assert call("time", ctx=NOW) == "14:05:07"
        assert call("time", "h:mm a", "Europe/Paris", ctx=NOW) == "3:05 pm"
        assert error_kind("date", 5, ctx=NOW) == "argument"

    def test_timestamps(self) -> None:
        assert call("timestamp", ctx=NOW) == 1741529107.042
        assert call("from_timestamp", 0) == "1970-01-01T00:00:00.000Z"
        assert call("from_timestamp", "1741529107.042", "Europe/Paris") == \
            "2025-03-09T15:05:07.042+01:00"
        assert call("from_timestamp", "x") is None
        assert call("from_timestamp", 1e300) is None
        assert call("to_timestamp", "2025-01-01") == 1735689600
        assert type(call("to_timestamp", "2025-01-01")) is int
        assert call("to_timestamp", "2025-03-09T15:05:07.042+01:00") == 1741529107.042

    def test_relative(self) -> None:
        rows = {
            "2025-03-07T14:05:07Z": "2 days ago",
            "2025-03-09T17:05:07Z": "in 2 hours",
            "2025-03-09T14:05:07.500Z": "just now",
            "2025-03-09T14:05:06.100Z": "just now",
            "2025-03-09T14:05:05.042Z": "2 seconds ago",
            "2025-03-09T14:06:08Z": "in 1 minute",
            "2025-03-16T14:05:07.042Z": "in 1 week",
            "2025-01-01": "2 months ago",
            "2027-03-09T14:05:07.042Z": "in 2 years",
            "2024-03-09T14:05:07.042Z": "1 year ago",
        }
        for value, expected in rows.items():
            assert call("relative", value, ctx=NOW) == expected, value
        assert call("relative", "nope", ctx=NOW) is None


class TestFormats:
    MOMENT = "2025-03-09T14:05:07.042Z"

    @pytest.mark.parametrize(("pattern", "expected"), [
        ("YYYY-MM-DD", "2025-03-09"),
        ("yyyy-MM-dd", "2025-03-09"),
        ("YY/M/D", "25/3/9"),
        ("yy d", "25 9"),
        ("MMMM MMM", "March Mar"),
        ("dddd ddd EEEE EEE", "Sunday Sun Sunday Sun"),
        ("HH H hh h", "14 14 02 2"),
        ("mm m ss s SSS", "05 5 07 7 042"),
        ("A a", "PM pm"),
        ("Q WW", "1 10"),
        ("Z ZZ", "+00:00 +0000"),
        ("X x", "1741529107 1741529107042"),
        ("[YYYY] 'MM' YYYY", "YYYY MM 2025"),
        ("'it''s' ''", "it's '"),
        ("'a''' YY", "a' 25"),
        ("'ab'' YY", "ab' YY"),
        ("[unclosed", "unclosed"),
        ("'unclosed", "unclosed"),
        ("HH:mm:ss.SSSZ", "14:05:07.042+00:00"),
        ("T-!", "T-!"),
    ])
    def test_tokens(self, pattern: str, expected: str) -> None:
        assert call("format_date", self.MOMENT, pattern) == expected

    def test_twelve_hour_clock_edges(self) -> None:
        assert call("format_date", "2025-03-09T00:30:00Z", "h:mm A hh") == "12:30 AM 12"
        assert call("format_date", "2025-03-09T12:30:00Z", "h:mm a") == "12:30 pm"

    def test_formats_at_the_dates_own_offset_unless_tz_is_given(self) -> None:
        value = "2025-03-09T23:30:00-02:00"
        assert call("format_date", value, "YYYY-MM-DD HH:mm Z") == "2025-03-09 23:30 -02:00"
        assert call("format_date", value, "YYYY-MM-DD HH:mm ZZ", "UTC") == \
            "2025-03-10 01:30 +0000"
        assert call("format_date", "2025-03-09T20:00:00Z", "YYYY-MM-DD HH:mm Z",
                    "America/New_York") == "2025-03-09 16:00 -04:00"

    def test_spec_examples_and_null_format(self) -> None:
        assert call("format_date", "2025-03-09T14:05:07Z", "dddd, MMMM D, YYYY h:mm A") == \
            "Sunday, March 9, 2025 2:05 PM"
        assert call("format_date", "2025-03-09T14:05:07Z", "[Week] WW, [Q]Q") == "Week 10, Q1"
        assert call("format_date", "2025-03-09", None) == "2025-03-09T00:00:00.000Z"
        assert error_kind("format_date", "2025-03-09", 5) == "argument"

    def test_a_result_over_the_string_limit_is_refused(self) -> None:
        pattern = "MMMM" * (values.MAX_STRING // 4)
        assert error_kind("format_date", self.MOMENT, pattern) == "limit"

    def test_iso_week_at_year_boundaries(self) -> None:
        assert call("format_date", "2024-12-30", "WW") == "01"
        assert call("format_date", "2021-01-03", "WW") == "53"


class TestParseWithFormat:
    @pytest.mark.parametrize(("text", "pattern", "expected"), [
        ("09/03/2025", "DD/MM/YYYY", "2025-03-09T00:00:00.000Z"),
        ("9/3/2025", "D/M/YYYY", "2025-03-09T00:00:00.000Z"),
        ("20250309", "YYYYMMDD", "2025-03-09T00:00:00.000Z"),
        ("March 9, 2025 2:05 PM", "MMMM D, YYYY h:mm A", "2025-03-09T14:05:00.000Z"),
        ("sun, 9 mar 25", "ddd, D MMM YY", "2025-03-09T00:00:00.000Z"),
        ("12:15 am", "hh:mm a", "1970-01-01T00:15:00.000Z"),
        ("2025-03-09 10:00 +05:30", "YYYY-MM-DD HH:mm Z", "2025-03-09T10:00:00.000+05:30"),
        ("2025-03-09 10:00 -0400", "YYYY-MM-DD HH:mm ZZ", "2025-03-09T10:00:00.000-04:00"),
        ("2025-03-09 10:00 Z", "YYYY-MM-DD HH:mm Z", "2025-03-09T10:00:00.000Z"),
        ("1741529107", "X", "2025-03-09T14:05:07.000Z"),
        ("1741529107042", "x", "2025-03-09T14:05:07.042Z"),
        ("07.5", "ss.SSS", "1970-01-01T00:00:07.500Z"),
        ("99", "YY", "1999-01-01T00:00:00.000Z"),
        ("[x] 2025", "'[x]' YYYY", "2025-01-01T00:00:00.000Z"),
    ])
    def test_rows(self, text: str, pattern: str, expected: str) -> None:
        assert call("parse_date", text, pattern) == expected

    @pytest.mark.parametrize(("text", "pattern"), [
        ("31/02/2025", "DD/MM/YYYY"), ("2025-03-09", "DD/MM/YYYY"), ("09/03/2025x", "DD/MM/YYYY"),
        ("13:00 PM", "hh:mm A"),
    ])
    def test_text_that_does_not_fit_gives_null(self, text: str, pattern: str) -> None:
        assert call("parse_date", text, pattern) is None

    def test_reads_in_tz_and_rejects_bad_arguments(self) -> None:
        assert call("parse_date", "09/03/2025 10:00", "DD/MM/YYYY HH:mm", "Europe/Paris") == \
            "2025-03-09T10:00:00.000+01:00"
        assert call("parse_date", 5, "YYYY") is None
        assert error_kind("parse_date", "2025", 5) == "argument"
        assert error_kind("parse_date", "2025", "YYYY", "Nowhere/Land") == "argument"


class TestAddTime:
    BASE = "2025-03-09T12:00:00Z"

    @pytest.mark.parametrize(("value", "duration", "expected"), [
        ("2025-01-31T00:00:00Z", "P1M", "2025-02-28T00:00:00.000Z"),
        ("2024-01-31T00:00:00Z", "P1M", "2024-02-29T00:00:00.000Z"),
        ("2024-02-29T00:00:00Z", "P1Y", "2025-02-28T00:00:00.000Z"),
        ("2025-03-09T12:00:00Z", {"days": 1, "hours": 2}, "2025-03-10T14:00:00.000Z"),
        ("2025-03-09T12:00:00Z", "P1DT2H", "2025-03-10T14:00:00.000Z"),
        ("2025-03-09T12:00:00Z", "PT0.5S", "2025-03-09T12:00:00.500Z"),
        ("2025-03-09T12:00:00Z", "P2W", "2025-03-23T12:00:00.000Z"),
        ("2025-03-09T12:00:00Z", "-P1D", "2025-03-08T12:00:00.000Z"),
        ("2025-03-09T12:00:00Z", "90m", "2025-03-09T13:30:00.000Z"),
        ("2025-03-09T12:00:00Z", "1h 30m", "2025-03-09T13:30:00.000Z"),
        ("2025-03-09T12:00:00Z", "600", "2025-03-09T12:10:00.000Z"),
        ("2025-03-09T12:00:00Z", 0.25, "2025-03-09T12:00:00.250Z"),
        ("2025-03-09T12:00:00Z", -3600, "2025-03-09T11:00:00.000Z"),
        ("2025-03-09T12:00:00Z", {"months": 13, "milliseconds": 5},
         "2026-04-09T12:00:00.005Z"),
        ("2025-03-09T12:00:00Z", {"years": -1, "weeks": 1, "minutes": 1, "seconds": 1},
         "2024-03-16T12:01:01.000Z"),
        ("2025-03-09T12:00:00+05:30", "P1D", "2025-03-10T12:00:00.000+05:30"),
        ("2025-03-31T12:00:00Z", {"months": -1}, "2025-02-28T12:00:00.000Z"),
    ])
    def test_rows(self, value: str, duration: Any, expected: str) -> None:
        assert call("add_time", value, duration) == expected

    def test_subtract_time_is_the_inverse_direction(self) -> None:
        assert call("subtract_time", self.BASE, "90m") == "2025-03-09T10:30:00.000Z"
        assert call("subtract_time", "2025-03-31T00:00:00Z", "P1M") == \
            "2025-02-28T00:00:00.000Z"
        assert call("subtract_time", self.BASE, {"days": 1}) == "2025-03-08T12:00:00.000Z"

    @pytest.mark.parametrize("duration", [
        "soon", "P", "PT", "P1DT", "P1.5M", {"day": 1}, {"months": 1.5}, {"days": "1"},
        None, True, [1],
    ])
    def test_bad_durations_are_argument_errors(self, duration: Any) -> None:
        assert error_kind("add_time", self.BASE, duration) == "argument"

    def test_leaving_the_calendar_gives_null(self) -> None:
        assert call("add_time", "9999-12-31T00:00:00Z", "P1Y") is None
        assert call("add_time", "9999-12-31T00:00:00Z", "P2D") is None


class TestDiff:
    @pytest.mark.parametrize(("args", "expected"), [
        (["2025-03-10T00:00:00Z", "2025-03-08T12:00:00Z"], 1.5),
        (["2025-03-10T00:00:00Z", "2025-03-08T12:00:00Z", "hours"], 36),
        (["2025-03-08T12:00:00Z", "2025-03-10T00:00:00Z", "hours"], -36),
        (["2025-03-10T00:00:00Z", "2025-03-10T00:00:00.250Z", "milliseconds"], -250),
        (["2025-03-10T00:00:01Z", "2025-03-10T00:00:00Z", "seconds"], 1),
        (["2025-03-10T00:01:30Z", "2025-03-10T00:00:00Z", "minutes"], 1.5),
        (["2025-03-17", "2025-03-10", "weeks"], 1),
        (["2025-03-17", "2025-03-10", "week"], 1),
        (["2025-03-30", "2025-01-31", "months"], 1),
        (["2025-03-31", "2025-01-31", "months"], 2),
        (["2025-01-31", "2025-03-30", "months"], -1),
        (["2025-01-31", "2025-03-31", "months"], -2),
        (["2026-03-08", "2025-03-09", "years"], 0),
        (["2026-03-09", "2025-03-09", "years"], 1),
        (["2025-03-09", "2028-02-29", "years"], -2),
        (["2025-03-09T00:00:00+01:00", "2025-03-08T23:00:00Z", "days"], 0),
    ])
    def test_rows(self, args: list[Any], expected: Any) -> None:
        result = call("diff", *args)
        assert same(result, expected)
        if isinstance(expected, int):
            assert type(result) is int

    def test_invalid_dates_and_units(self) -> None:
        assert call("diff", "bad", "2025-01-01") is None
        assert error_kind("diff", "2025-01-02", "2025-01-01", "fortnights") == "argument"
        assert error_kind("diff", "2025-01-02", "2025-01-01", None) == "argument"


class TestPeriods:
    @pytest.mark.parametrize(("unit", "start", "end"), [
        ("year", "2025-01-01T00:00:00.000Z", "2025-12-31T23:59:59.999Z"),
        ("quarter", "2025-04-01T00:00:00.000Z", "2025-06-30T23:59:59.999Z"),
        ("month", "2025-05-01T00:00:00.000Z", "2025-05-31T23:59:59.999Z"),
        ("week", "2025-05-12T00:00:00.000Z", "2025-05-18T23:59:59.999Z"),
        ("day", "2025-05-14T00:00:00.000Z", "2025-05-14T23:59:59.999Z"),
        ("hour", "2025-05-14T15:00:00.000Z", "2025-05-14T15:59:59.999Z"),
        ("minute", "2025-05-14T15:30:00.000Z", "2025-05-14T15:30:59.999Z"),
        ("second", "2025-05-14T15:30:45.000Z", "2025-05-14T15:30:45.999Z"),
        ("days", "2025-05-14T00:00:00.000Z", "2025-05-14T23:59:59.999Z"),
    ])
    def test_start_and_end(self, unit: str, start: str, end: str) -> None:
        value = "2025-05-14T15:30:45.678Z"
        assert call("start_of", value, unit) == start
        assert call("end_of", value, unit) == end

    def test_spec_examples_and_offsets(self) -> None:
        assert call("start_of", "2025-03-12T15:30:00Z", "week") == "2025-03-10T00:00:00.000Z"
        assert call("end_of", "2025-02-10T08:00:00Z", "month") == "2025-02-28T23:59:59.999Z"
        assert call("start_of", "2025-03-09T00:30:00+02:00", "day") == \
            "2025-03-09T00:00:00.000+02:00"
        assert call("end_of", "9999-12-05", "month") == "9999-12-31T23:59:59.999Z"

    def test_bad_units_and_dates(self) -> None:
        assert error_kind("start_of", "2025-01-01", "decade") == "argument"
        assert call("end_of", None, "day") is None


class TestGetPart:
    @pytest.mark.parametrize(("part", "expected"), [
        ("year", 2025), ("month", 3), ("day", 9), ("hour", 14), ("minute", 5),
        ("second", 7), ("millisecond", 42), ("weekday", 7), ("quarter", 1),
        ("ordinal", 68), ("week", 10), ("Year", 2025),
    ])
    def test_parts(self, part: str, expected: int) -> None:
        assert call("get_part", "2025-03-09T14:05:07.042Z", part) == expected

    def test_at_the_dates_own_offset(self) -> None:
        assert call("get_part", "2025-03-09T23:30:00-05:00", "day") == 9
        assert call("get_part", "2025-03-10", "weekday") == 1
        assert call("get_part", "2025-12-31", "ordinal") == 365

    def test_unknown_part(self) -> None:
        assert error_kind("get_part", "2025-01-01", "century") == "argument"


def test_comparisons_are_by_instant() -> None:
    assert call("is_before", "2025-01-01", "2025-01-02") is True
    assert call("is_before", "2025-01-02", "2025-01-01") is False
    assert call("is_before", "2025-01-01T00:30:00+01:00", "2025-01-01T00:00:00Z") is True
    assert call("is_after", "bad", "2025-01-01") is False
    assert call("is_after", 1, 0) is True
    assert call("is_before", "2025-01-01", "2025-01-01") is False


@pytest.mark.parametrize(("spec", "expected"), [
    ("1h30m", 5400), ("PT30S", 30), ("500ms", 0.5), ("x", None), ("2d", 172800),
    ("1.5s", 1.5), (90, 90), ("P1D", 86400), (None, None), (True, None), (-5, None),
])
def test_duration(spec: Any, expected: Any) -> None:
    result = call("duration", spec)
    assert same(result, expected)
    if isinstance(expected, int):
        assert type(result) is int


def test_now_reads_the_context_clock() -> None:
    ctx = FakeContext(now=datetime(2000, 1, 1, tzinfo=UTC))
    assert call("now", ctx=ctx) == "2000-01-01T00:00:00.000Z"
    assert call("relative", "2000-01-01T00:00:00Z", ctx=ctx) == "just now"
