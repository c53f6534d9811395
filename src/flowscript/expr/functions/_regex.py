"""Running user regular expressions inside the §5.8 limits, and JavaScript replacements.

The evaluator compiles patterns (``ctx.regex``: the ``regex`` package, JS-ish flags, length
and syntax checks) and owns the timeout translation (``context.bounded``); the helpers here
add the subject-length check and the one-second budget to every match a built-in makes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import bounded, check_subject
from ..values import REGEX_TIMEOUT, EvalContext, text
from ._args import as_string, check_string_size


def compile_pattern(ctx: EvalContext, pattern: Any, flags: Any, function: str) -> Any:
    """The compiled pattern for a built-in's ``re`` and ``flags`` arguments."""
    source = as_string(pattern, function, "regular expression string")
    flag_text = "" if flags is None else as_string(flags, function, "flags string")
    return ctx.regex(source, flag_text)


def subject_text(value: Any) -> str:
    """text(value), refused when longer than a regular expression may scan."""
    subject = text(value)
    check_subject(subject)
    return subject


def search(compiled: Any, subject: str) -> Any:
    """The first match or None."""
    return bounded(lambda: compiled.search(subject, timeout=REGEX_TIMEOUT))


def find_all(compiled: Any, subject: str) -> Iterator[Any]:
    """Every non-overlapping match, left to right."""
    return bounded(lambda: iter(list(compiled.finditer(subject, timeout=REGEX_TIMEOUT))))


def replace_all(compiled: Any, subject: str, replacement: str) -> str:
    """Every match replaced by the JavaScript-style template ``replacement``. The growth is
    counted match by match, so an empty pattern with a long replacement stops at the string
    limit instead of building a gigantic result first."""
    parts = _parse_replacement(replacement, compiled.groups, set(compiled.groupindex))
    size = [len(subject)]

    def expand(match: Any) -> str:
        expansion = _expand(parts, match)
        size[0] += len(expansion) - (match.end() - match.start())
        check_string_size(size[0])
        return expansion

    return bounded(lambda: compiled.sub(expand, subject, timeout=REGEX_TIMEOUT))


# A replacement part: literal text, a group number, or a group name.
_Part = tuple[str, str | int]


def _parse_replacement(template: str, groups: int, names: set[str]) -> list[_Part]:
    """Split ``template`` into literals and group references, as ``String.replace`` does:
    ``$1``…``$99`` (two digits when that group exists), ``$<name>`` (only when the pattern has
    named groups), ``$&`` the match, ``$$`` a dollar; any other ``$`` is literal."""
    parts: list[_Part] = []
    literal: list[str] = []
    i = 0
    while i < len(template):
        reference, width = _reference_at(template, i, groups, names)
        if reference is None:
            literal.append(template[i] if width == 1 else "$")
            i += width
            continue
        if literal:
            parts.append(("text", "".join(literal)))
            literal = []
        parts.append(reference)
        i += width
    if literal:
        parts.append(("text", "".join(literal)))
    return parts


def _reference_at(template: str, i: int, groups: int,
                  names: set[str]) -> tuple[_Part | None, int]:
    """The reference starting at ``i`` and its width; ``(None, 2)`` for ``$$``."""
    if template[i] != "$" or i + 1 >= len(template):
        return None, 1
    following = template[i + 1]
    if following == "$":
        return None, 2
    if following == "&":
        return ("group", 0), 2
    if following.isdigit() and following.isascii():
        two = template[i + 1:i + 3]
        if len(two) == 2 and two.isdigit() and two.isascii() and 1 <= int(two) <= groups:
            return ("group", int(two)), 3
        if 1 <= int(following) <= groups:
            return ("group", int(following)), 2
        return None, 1
    if following == "<" and names:
        end = template.find(">", i + 2)
        if end != -1:
            return ("name", template[i + 2:end]), end - i + 1
    return None, 1


def _expand(parts: list[_Part], match: Any) -> str:
    out: list[str] = []
    for kind, value in parts:
        if kind == "text":
            out.append(str(value))
        elif kind == "group":
            out.append(match.group(value) or "")
        else:
            out.append(match.groupdict().get(value) or "")
    return "".join(out)
