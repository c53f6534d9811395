"""The state of one evaluation: the step budget, lambda depth, regexes and the clock.

An ``EvalContext`` is created per ``evaluate``/``render`` call and is also the root frame
the compiled closures read names from (``ctx.vars``). Built-ins that declare a first
parameter ``ctx`` receive it and may use:

- ``ctx.step(n)``: count ``n`` visited elements; past MAX_STEPS → ExpressionError "limit".
- ``ctx.regex(pattern, flags)``: a compiled pattern of the ``regex`` package (cached),
  flags from ``i m s`` (``g`` and ``u`` are accepted and ignored); a pattern longer than
  MAX_REGEX_LENGTH → "limit", an invalid one → "regex". The returned object is the plain
  compiled pattern, so a caller MUST pass ``timeout=REGEX_TIMEOUT`` and check the subject
  length itself — or use the bounded helpers below, which do both and turn a timeout into
  a "limit" error: ``ctx.search(pattern, flags, subject)`` (first match or None),
  ``ctx.finditer(pattern, flags, subject)`` (a list of matches) and
  ``ctx.sub(pattern, flags, replace, subject)`` (``replace`` a string or a function of
  the match). ``bounded(call)`` applies the same translation to any call.
- ``ctx.now()``: the current instant as an aware UTC ``datetime``; ``FLOWSCRIPT_NOW``
  (ISO-8601) overrides the clock, and one evaluation always sees one instant.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ..errors import ExpressionError
from .runtime import limit
from .values import (
    MAX_REGEX_LENGTH,
    MAX_REGEX_SUBJECT,
    MAX_STEPS,
    REGEX_TIMEOUT,
)

#: Accepted flag letters; ``g`` and ``u`` change nothing (every use is global and Unicode).
_FLAGS = frozenset("imsgu")


def steps_exceeded() -> ExpressionError:
    return limit(f"evaluation took more than {MAX_STEPS} steps")


class TemplateBlock:
    """The bindings of one ``{{#each}}`` iteration: ``this``, ``@index`` and friends."""

    __slots__ = ("first", "index", "key", "last", "this")

    def __init__(self, this: Any, index: int, first: bool, last: bool, key: Any) -> None:
        self.this = this
        self.index = index
        self.first = first
        self.last = last
        self.key = key

    def get(self, name: str) -> Any:
        """The value of ``this`` or an ``@`` name."""
        if name == "this":
            return self.this
        if name == "@index":
            return self.index
        if name == "@first":
            return self.first
        return self.last if name == "@last" else self.key


class EvalContext:
    """One evaluation's budget and the root frame of its names (see module docstring)."""

    __slots__ = ("_now", "block", "depth", "steps", "vars")

    def __init__(self, variables: Mapping[str, Any], steps: int = 0) -> None:
        self.vars = variables
        self.steps = steps
        self.depth = 0
        self.block: TemplateBlock | None = None
        self._now: datetime | None = None

    def step(self, n: int = 1) -> None:
        """Count ``n`` steps of work; raises a "limit" error past MAX_STEPS."""
        self.steps += n
        if self.steps > MAX_STEPS:
            raise steps_exceeded()

    def regex(self, pattern: str, flags: str = "") -> Any:
        """The compiled ``regex`` pattern (cached); see the module docstring."""
        return compile_regex(pattern, flags)

    def search(self, pattern: str, flags: str, subject: str) -> Any:
        compiled = compile_regex(pattern, flags)
        check_subject(subject)
        return bounded(lambda: compiled.search(subject, timeout=REGEX_TIMEOUT))

    def finditer(self, pattern: str, flags: str, subject: str) -> list[Any]:
        compiled = compile_regex(pattern, flags)
        check_subject(subject)
        return bounded(lambda: list(compiled.finditer(subject, timeout=REGEX_TIMEOUT)))

    def sub(self, pattern: str, flags: str, replace: str | Callable[[Any], str],
            subject: str) -> str:
        compiled = compile_regex(pattern, flags)
        check_subject(subject)
        return bounded(lambda: compiled.sub(replace, subject, timeout=REGEX_TIMEOUT))

    def now(self) -> datetime:
        """The instant of this evaluation (``FLOWSCRIPT_NOW`` or the UTC system clock)."""
        if self._now is None:
            self._now = current_instant()
        return self._now


class LambdaFrame:
    """The frame of one lambda call: its arguments, the frame it was created in (for the
    enclosing lambdas' parameters) and the evaluation it belongs to."""

    __slots__ = ("args", "block", "ctx", "parent", "vars")

    def __init__(self, args: tuple[Any, ...], parent: EvalContext | LambdaFrame,
                 ctx: EvalContext) -> None:
        self.args = args
        self.parent = parent
        self.ctx = ctx
        self.vars = parent.vars
        self.block = parent.block


def current_instant() -> datetime:
    """``FLOWSCRIPT_NOW`` when set (tests pin the clock with it), else the system clock."""
    pinned = os.environ.get("FLOWSCRIPT_NOW")
    if not pinned:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(pinned.strip())
    except ValueError:
        raise ExpressionError(f"FLOWSCRIPT_NOW is not an ISO-8601 instant: {pinned!r}",
                              kind="argument") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def compile_regex(pattern: str, flags: str = "") -> Any:
    """A compiled pattern within the §5.8 limits; invalid → kind "regex"."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise limit(f"regular expression longer than {MAX_REGEX_LENGTH} characters")
    return _compile_cached(pattern, flags)


@lru_cache(maxsize=1024)
def _compile_cached(pattern: str, flags: str) -> Any:
    import regex  # imported on first use: most workflows never run a regular expression

    unknown = set(flags) - _FLAGS
    if unknown:
        raise ExpressionError(f"unknown regular expression flag {sorted(unknown)[0]!r} "
                              "(use i, m, s)", kind="regex")
    bits = ((regex.IGNORECASE if "i" in flags else 0) | (regex.MULTILINE if "m" in flags
            else 0) | (regex.DOTALL if "s" in flags else 0))
    try:
        return regex.compile(pattern, bits)
    except (regex.error, ValueError, OverflowError) as error:
        raise ExpressionError(f"invalid regular expression: {error}", kind="regex") from None


def check_subject(subject: str) -> None:
    """Refuse to scan a subject longer than MAX_REGEX_SUBJECT code points."""
    if len(subject) > MAX_REGEX_SUBJECT:
        raise limit(f"regular expression subject longer than {MAX_REGEX_SUBJECT} "
                          "characters")


def bounded(call: Callable[[], Any]) -> Any:
    """Run a regex call made with ``timeout=REGEX_TIMEOUT``; a timeout → kind "limit"."""
    try:
        return call()
    except TimeoutError:
        raise limit(f"regular expression ran longer than {REGEX_TIMEOUT:g} second"
                          ) from None
