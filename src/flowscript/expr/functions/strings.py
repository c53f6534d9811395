"""String built-ins (SPEC §5.13).

Most take any value and work on its text (the interpolation rule), so ``upper(null)`` is
``""`` rather than an error; indexes count code points, which is what Python strings hold.
"""

from __future__ import annotations

from typing import Any

from ..values import (
    EvalContext,
    argument_error,
    builtin,
    loose_equals,
    text,
    type_name,
)
from . import _regex
from ._args import as_integer, check_list_size, check_string_size
from .lists import array_concat

#: Unicode White_Space characters: what ``trim`` removes (Python's ``str.strip()`` would also
#: remove the ASCII separators U+001C–U+001F, which are not whitespace).
WHITESPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")

_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "'": "&#39;"})


@builtin("upper")
def upper(s: Any) -> str:
    """Full case mapping, so ``ß`` becomes ``SS`` (the result may grow)."""
    return _sized(text(s).upper())


@builtin("lower")
def lower(s: Any) -> str:
    return _sized(text(s).lower())


def _sized(result: str) -> str:
    check_string_size(len(result))
    return result


@builtin("capitalize")
def capitalize(s: Any) -> str:
    """Only the first code point changes, so ``capitalize('hELLO')`` is ``"HELLO"``."""
    value = text(s)
    return _sized(value[:1].upper() + value[1:])


@builtin("trim")
def trim(s: Any) -> str:
    return text(s).strip(WHITESPACE)


@builtin("trim_start")
def trim_start(s: Any) -> str:
    return text(s).lstrip(WHITESPACE)


@builtin("trim_end")
def trim_end(s: Any) -> str:
    return text(s).rstrip(WHITESPACE)


@builtin("replace")
def replace(s: Any, old: Any, new: Any) -> str:
    """Literal replacement of every occurrence; an empty ``old`` changes nothing (JavaScript's
    ``replaceAll('')`` would insert between every character, which nobody means)."""
    subject, target, replacement = text(s), text(old), text(new)
    if not target:
        return subject
    count = subject.count(target)
    check_string_size(len(subject) + count * (len(replacement) - len(target)))
    return subject.replace(target, replacement)


@builtin("regex_replace")
def regex_replace(ctx: EvalContext, s: Any, re: Any, replacement: Any, flags: Any = "") -> str:
    compiled = _regex.compile_pattern(ctx, re, flags, "regex_replace")
    return _regex.replace_all(compiled, _regex.subject_text(s), text(replacement))


@builtin("split")
def split(ctx: EvalContext, s: Any, sep: Any, limit: Any = None) -> list[str]:
    if s is None:
        return []
    subject = text(s)
    most = None if limit is None else as_integer(limit, "split", "limit")
    if most is not None and most < 0:
        raise argument_error("split() expects a limit of 0 or more")
    if sep is None:
        return [subject][:most]
    separator = text(sep)
    pieces = len(subject) if separator == "" else subject.count(separator) + 1
    check_list_size(pieces if most is None else min(pieces, most))
    ctx.step(pieces)
    parts = list(subject) if separator == "" else subject.split(separator)
    return parts if most is None else parts[:most]


@builtin("join")
def join(ctx: EvalContext, items: Any, sep: Any = "") -> str:
    if items is None:
        return ""
    if not isinstance(items, list):
        raise argument_error(f"join() expects a list, got {type_name(items)}")
    ctx.step(len(items))
    separator = text(sep)
    texts = [text(item) for item in items]
    check_string_size(sum(map(len, texts)) + len(separator) * max(0, len(texts) - 1))
    return separator.join(texts)


@builtin("concat")
def concat(ctx: EvalContext, first: Any, *rest: Any) -> str | list[Any]:
    """The first non-null argument decides: a list makes this list concatenation (so
    ``concat(items, extra)`` works), anything else text concatenation."""
    arguments = (first, *rest)
    leader = next((value for value in arguments if value is not None), None)
    if isinstance(leader, list):
        return array_concat(ctx, *arguments)
    texts = [text(value) for value in arguments]
    check_string_size(sum(map(len, texts)))
    return "".join(texts)


@builtin("truncate")
def truncate(s: Any, n: Any, suffix: Any = "...") -> str:
    value, ending = text(s), text(suffix)
    size = as_integer(n, "truncate", "length")
    if size < 0:
        raise argument_error("truncate() expects a length of 0 or more")
    if len(value) <= size:
        return value
    if size <= len(ending):
        return value[:size]
    return value[:size - len(ending)] + ending


@builtin("includes", "contains")
def includes(x: Any, y: Any) -> bool:
    if x is None:
        return False
    if isinstance(x, str):
        return text(y) in x
    if isinstance(x, list):
        return any(loose_equals(item, y) for item in x)
    if isinstance(x, dict):
        return text(y) in x
    raise argument_error(f"includes() expects a string, list or object, got {type_name(x)}")


@builtin("starts_with")
def starts_with(s: Any, p: Any) -> bool:
    return text(s).startswith(text(p))


@builtin("ends_with")
def ends_with(s: Any, p: Any) -> bool:
    return text(s).endswith(text(p))


def _bound(value: Any, function: str, default: int) -> int:
    """A JavaScript-style position: ``null`` is the default, fractions are truncated."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise argument_error(f"{function}() expects a number as position, got "
                             f"{type_name(value)}")
    return int(value) if abs(value) < 2**53 else (2**53 if value > 0 else -2**53)


@builtin("substring")
def substring(s: Any, start: Any, end: Any = None) -> str:
    value = text(s)
    low = min(max(_bound(start, "substring", 0), 0), len(value))
    high = min(max(_bound(end, "substring", len(value)), 0), len(value))
    if low > high:
        low, high = high, low
    return value[low:high]


@builtin("slice")
def slice_(x: Any, start: Any, end: Any = None) -> str | list[Any] | None:
    """Python slicing already counts negative bounds from the end and clamps, as JS does."""
    if x is None:
        return None
    if not isinstance(x, str | list):
        raise argument_error(f"slice() expects a string or list, got {type_name(x)}")
    low = _bound(start, "slice", 0)
    high = _bound(end, "slice", len(x))
    return x[low:high]


def _padding(s: Any, n: Any, fill: Any, function: str) -> tuple[str, str]:
    value, filler = text(s), text(fill)
    width = as_integer(n, function, "length")
    if not filler or width <= len(value):
        return value, ""
    check_string_size(width)
    needed = width - len(value)
    return value, (filler * (needed // len(filler) + 1))[:needed]


@builtin("pad_start")
def pad_start(s: Any, n: Any, fill: Any = " ") -> str:
    value, padding = _padding(s, n, fill, "pad_start")
    return padding + value


@builtin("pad_end")
def pad_end(s: Any, n: Any, fill: Any = " ") -> str:
    value, padding = _padding(s, n, fill, "pad_end")
    return value + padding


@builtin("repeat")
def repeat(s: Any, n: Any) -> str:
    value = text(s)
    times = as_integer(n, "repeat")
    if times < 0:
        raise argument_error("repeat() expects a count of 0 or more")
    check_string_size(len(value) * times)
    return value * times


@builtin("char_at")
def char_at(s: Any, i: Any) -> str:
    value = text(s)
    index = as_integer(i, "char_at", "index")
    return value[index] if 0 <= index < len(value) else ""


@builtin("index_of")
def index_of(x: Any, y: Any) -> int:
    if x is None:
        return -1
    if isinstance(x, str):
        return x.find(text(y))
    if isinstance(x, list):
        return next((i for i, item in enumerate(x) if loose_equals(item, y)), -1)
    raise argument_error(f"index_of() expects a string or list, got {type_name(x)}")


@builtin("match")
def match(ctx: EvalContext, s: Any, re: Any, flags: Any = "") -> str | None:
    compiled = _regex.compile_pattern(ctx, re, flags, "match")
    found = _regex.search(compiled, _regex.subject_text(s))
    return None if found is None else found.group(0)


@builtin("match_all")
def match_all(ctx: EvalContext, s: Any, re: Any, flags: Any = "") -> list[str]:
    compiled = _regex.compile_pattern(ctx, re, flags, "match_all")
    found = [m.group(0) for m in _regex.find_all(compiled, _regex.subject_text(s))]
    check_list_size(len(found))
    ctx.step(len(found))
    return found


@builtin("test")
def test(ctx: EvalContext, s: Any, re: Any, flags: Any = "") -> bool:
    compiled = _regex.compile_pattern(ctx, re, flags, "test")
    return _regex.search(compiled, _regex.subject_text(s)) is not None


@builtin("html_escape")
def html_escape(s: Any) -> str:
    escaped = text(s).translate(_HTML_ESCAPES)
    check_string_size(len(escaped))
    return escaped
