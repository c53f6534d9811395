"""Encoding and hashing built-ins (SPEC §5.20).

Decoders return ``null`` (or their input, for ``url_decode``) on bad input instead of
raising, because they usually read data from outside the workflow; encoders work on the
UTF-8 bytes of text(x).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac as _hmac
import json
import math
import re
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from ..values import (
    EvalContext,
    argument_error,
    builtin,
    is_number,
    normalize,
    text,
    to_json,
    type_name,
)
from ._args import as_integer, check_list_size, check_string_size

#: Hash algorithms ``hash`` and ``hmac`` accept.
ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
#: What ``encodeURIComponent`` leaves alone besides letters and digits.
URL_SAFE = "-_.!~*'()"
#: JSON.stringify caps indentation at ten spaces; so do we, which also bounds output size.
MAX_INDENT = 10

_BASE64 = re.compile(r"[A-Za-z0-9+/\-_]*={0,2}")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def utf8(value: str) -> bytes:
    """UTF-8 bytes; a lone surrogate (possible in decoded JSON) becomes U+FFFD, as a
    browser's TextEncoder does, instead of failing."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        repaired = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return repaired.encode("utf-8")


@builtin("json_encode")
def json_encode(ctx: EvalContext, x: Any, indent: Any = None) -> str:
    """Compact unless ``indent`` is at least 1, as with ``JSON.stringify``."""
    spaces = None if indent is None else as_integer(indent, "json_encode", "indent")
    if spaces is not None and spaces < 1:
        spaces = None
    ctx.step()
    encoded = to_json(x, None if spaces is None else min(spaces, MAX_INDENT))
    check_string_size(len(encoded))
    return encoded


@builtin("pretty")
def pretty(ctx: EvalContext, x: Any, indent: Any = 2) -> str:
    return json_encode(ctx, x, indent)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_number(literal: str) -> float | int:
    number = float(literal)
    if not math.isfinite(number):
        raise ValueError(f"{literal} is out of range")
    return normalize(number)


@builtin("json_decode")
def json_decode(s: Any) -> Any:
    """``NaN``/``Infinity`` and numbers too large for a double count as invalid JSON."""
    if s is None:
        return None
    if not isinstance(s, str):
        raise argument_error(f"json_decode() expects a string, got {type_name(s)}")
    try:
        decoded = json.loads(s, parse_float=_json_number, parse_constant=_reject_constant)
    except (ValueError, RecursionError, ArithmeticError):
        return None
    _check_sizes(decoded)
    return decoded


def _check_sizes(value: Any) -> None:
    """Decoded text obeys the same element limit as a value an expression builds (§5.8)."""
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, list | dict):
            check_list_size(len(current))
            pending.extend(current.values() if isinstance(current, dict) else current)


@builtin("base64_encode")
def base64_encode(s: Any) -> str:
    encoded = base64.b64encode(utf8(text(s))).decode("ascii")
    check_string_size(len(encoded))
    return encoded


@builtin("base64_decode")
def base64_decode(s: Any) -> str | None:
    """Standard or URL-safe alphabet, padding optional; ``null`` when not base64 of UTF-8."""
    if s is None:
        return None
    if not isinstance(s, str):
        raise argument_error(f"base64_decode() expects a string, got {type_name(s)}")
    if not _BASE64.fullmatch(s) or ("=" in s and len(s) % 4):
        return None
    body = s.rstrip("=").replace("-", "+").replace("_", "/")
    if len(body) % 4 == 1:
        return None
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


@builtin("url_encode")
def url_encode(s: Any) -> str:
    encoded = quote(utf8(text(s)), safe=URL_SAFE)
    check_string_size(len(encoded))
    return encoded


@builtin("url_decode")
def url_decode(s: Any) -> str:
    """Malformed input (a stray ``%``, escapes that are not UTF-8) comes back unchanged."""
    value = text(s)
    if "%" not in value or _BAD_ESCAPE.search(value):
        return value
    try:
        return unquote_to_bytes(value).decode("utf-8")
    except (UnicodeError, ValueError):
        return value


def _algorithm(name: Any, function: str) -> str:
    algorithm = name.lower() if isinstance(name, str) else name
    if algorithm not in ALGORITHMS:
        shown = name if isinstance(name, str) or is_number(name) else type_name(name)
        raise argument_error(f"{function}() algorithm must be one of "
                             f"{', '.join(ALGORITHMS)}, got {shown!r}")
    return str(algorithm)


@builtin("hash")
def hash_(s: Any, algorithm: Any = "sha256") -> str:
    return hashlib.new(_algorithm(algorithm, "hash"), utf8(text(s))).hexdigest()


@builtin("md5")
def md5(s: Any) -> str:
    return hashlib.md5(utf8(text(s))).hexdigest()


@builtin("sha1")
def sha1(s: Any) -> str:
    return hashlib.sha1(utf8(text(s))).hexdigest()


@builtin("sha256")
def sha256(s: Any) -> str:
    return hashlib.sha256(utf8(text(s))).hexdigest()


@builtin("hmac")
def hmac(s: Any, key: Any, algorithm: Any = "sha256") -> str:
    digest = _algorithm(algorithm, "hmac")
    return _hmac.new(utf8(text(key)), utf8(text(s)), digest).hexdigest()
