"""Secret redaction for everything the engine records or prints (SPEC §8.5, §12.4).

Each secret value of at least 4 characters is replaced by ``***`` together with its
percent-encoded, base64 and JSON-escaped forms, and the base64 of registered basic-auth
``user:password`` pairs. All forms go into one regular expression, longest first, so a
longer form wins over a shorter one it contains.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
#: Shortest secret value the engine accepts (shorter ones are FS-RUN-004).
MIN_SECRET_LENGTH = 4
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def too_short(secrets: Mapping[str, str]) -> list[str]:
    """Names of the secrets whose value is shorter than 4 characters (sorted)."""
    return sorted(name for name, value in secrets.items()
                  if len(str(value)) < MIN_SECRET_LENGTH)


def encoded_forms(value: str) -> set[str]:
    """The value and every encoded form of it that redaction replaces."""
    forms = {value}
    for encoded in (quote(value, safe=""), quote(value), quote_plus(value),
                    quote_plus(value, safe="/")):
        forms.add(encoded)
        # Clients differ in the case of percent-escapes (%2F, %2f).
        forms.add(_PERCENT.sub(lambda m: m.group(0).lower(), encoded))
    forms.update(_base64_forms(value))
    for ascii_only in (True, False):
        escaped = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
        forms.add(escaped)
        # A JSON document embedded as a string in another one escapes twice.
        forms.add(json.dumps(escaped, ensure_ascii=ascii_only)[1:-1])
    return forms


def _base64_forms(text: str) -> set[str]:
    raw = text.encode("utf-8")
    forms = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        padded = encode(raw).decode("ascii")
        forms.update((padded, padded.rstrip("=")))
    return forms


class Redactor:
    """Replaces secret values, in all their forms, by ``***``.

    With no secrets every method is a no-op that returns its argument unchanged.
    """

    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        self._values: set[str] = set()
        self._forms: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None
        self.add_all((secrets or {}).values())

    def __bool__(self) -> bool:
        return self._pattern is not None

    def add(self, value: str) -> None:
        """Redact ``value`` (and its forms) from now on; values under 4 characters are
        ignored — refuse them at run start with :func:`too_short`."""
        self.add_all((value,))

    def add_all(self, values: Iterable[str]) -> None:
        """Redact every value of ``values``."""
        new = {str(v) for v in values if len(str(v)) >= MIN_SECRET_LENGTH} - self._values
        if not new:
            return
        self._values |= new
        forms = set(self._forms)
        for value in new:
            forms |= encoded_forms(value)
        self._compile(forms)

    def add_basic_pair(self, user: str, password: str) -> None:
        """Redact the base64 of ``user:password`` (HTTP basic authentication)."""
        self.add(password)
        self._compile(set(self._forms) | _base64_forms(f"{user}:{password}"))

    def _compile(self, forms: set[str]) -> None:
        forms = {form for form in forms if len(form) >= MIN_SECRET_LENGTH}
        self._forms = tuple(sorted(forms, key=lambda f: (-len(f), f)))
        self._pattern = re.compile("|".join(map(re.escape, self._forms)))

    def redact_text(self, text: str) -> str:
        """``text`` with every secret form replaced by ``***`` (the same object when no
        secret occurs in it)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def contains_secret(self, text: str) -> bool:
        """Whether any secret form occurs in ``text`` (a cheap test, e.g. of JSON text)."""
        return any(form in text for form in self._forms)

    def redact(self, value: Any) -> tuple[Any, bool]:
        """``(value, changed)`` for a JSON value, strings and object keys redacted deeply.

        An unchanged value is returned as the same object (nothing is copied).
        """
        if self._pattern is None:
            return value, False
        if isinstance(value, str):
            clean = self._pattern.sub(MASK, value)
            return clean, clean is not value
        # Most values hold no secret: one substring scan over all their strings (C speed)
        # settles that before any copy. A form spanning the NUL joiner can only cause a
        # needless walk, never a miss.
        strings: list[str] = []
        _collect_strings(value, strings)
        if not self.contains_secret("\x00".join(strings)):
            return value, False
        return self._walk(value)

    def _walk(self, value: Any) -> tuple[Any, bool]:
        if isinstance(value, str):
            clean = self.redact_text(value)
            return clean, clean is not value
        if isinstance(value, dict):
            return self._walk_object(value)
        if isinstance(value, list | tuple):
            return self._walk_list(value)
        return value, False

    def _walk_list(self, value: list[Any] | tuple[Any, ...]) -> tuple[Any, bool]:
        result: list[Any] | None = None
        for index, item in enumerate(value):
            clean, changed = self._walk(item)
            if changed and result is None:
                result = list(value[:index])
            if result is not None:
                result.append(clean)
        return (result, True) if result is not None else (value, False)

    def _walk_object(self, value: dict[Any, Any]) -> tuple[Any, bool]:
        # Copy only once something changed: clean data allocates nothing.
        result: dict[Any, Any] | None = None
        for index, (key, item) in enumerate(value.items()):
            clean_key, key_changed = self._walk(key) if isinstance(key, str) else (key, False)
            clean_item, item_changed = self._walk(item)
            if (key_changed or item_changed) and result is None:
                result = dict(islice(value.items(), index))
            if result is not None:
                result[clean_key] = clean_item
        return (result, True) if result is not None else (value, False)


def _collect_strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                out.append(key)
            _collect_strings(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_strings(item, out)
