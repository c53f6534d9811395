"""The static facts of one site: what it reads and what is wrong with its syntax
(SPEC §5.3, §5.7, §5.10, §5.11, §2.11).

``site_facts`` runs the expression analysis (``flowscript.expr.analysis``) on a site with
the workflow's declared names, and turns every problem into a diagnostic code with its
offset in the value: FS-EXPR-001 (expression syntax), -002 (template structure), -003
(pattern syntax), -004 (unknown function), -005 (arity), -006 (evident function value),
-007 (literal regex), -008 (type syntax).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ..errors import ExpressionError
from ..expr.analysis import (
    Reference,
    References,
    analyze_expression,
    analyze_pattern,
)
from ..expr.template import single_expression
from ..expr.template_scan import Tag, scan
from ..types import TypeSyntaxError, parse_type, references
from .sites import Site

NameUse = Reference
DollarUse = Reference

#: ``name`` or ``name.member…``: the plain path of §4.3 (hyphenated names included).
_PLAIN_PATH = re.compile(r"\s*[A-Za-z_][\w-]*(?:\s*\.\s*[A-Za-z_][\w-]*)*\s*")
#: Data node configuration keys whose whole value may be a function (§3.11–§3.13).
_FUNCTION_SLOTS = frozenset({"expression", "condition", "reducer", "finalize"})
_KIND_CODES = {"function": "FS-EXPR-004", "arity": "FS-EXPR-005", "type": "FS-EXPR-006",
               "regex": "FS-EXPR-007"}


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    offset: int
    hints: tuple[str, ...] = ()


@dataclass(slots=True)
class Facts:
    names: list[Reference] = field(default_factory=list)
    dollars: list[Reference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: schema names a type expression refers to, with their offsets
    schemas: list[tuple[str, int]] = field(default_factory=list)
    #: the value is a plain path (``name`` or ``name.member…``, §4.3)
    plain_path: bool = False


def site_facts(site: Site, declared: Collection[str]) -> Facts:
    """Analyse one site; syntax errors become problems, never exceptions."""
    source = site.text.value
    facts = Facts(plain_path=site.form == "expr" and bool(_PLAIN_PATH.fullmatch(source)))
    try:
        if site.form == "expr":
            found = _expression(source, declared, value_required=not _function_slot(site))
        elif site.form == "template":
            found = _template(source, declared, facts)
        elif site.form == "pattern":
            found = analyze_pattern(source)
        else:
            _type(source, facts)
            return facts
    except ExpressionError as error:
        facts.problems.append(_syntax_problem(site.form, error))
        return facts
    if found is not None:
        facts.names, facts.dollars = found.names, found.dollars
        facts.problems.extend(Problem(_KIND_CODES.get(p.kind, "FS-EXPR-001"), p.message,
                                      p.offset, p.hints) for p in found.problems)
    return facts


def _function_slot(site: Site) -> bool:
    """map/filter/reduce bodies and a parallel's custom merge may be lambdas (§5.7)."""
    return site.key == "merge" or (site.config and site.key in _FUNCTION_SLOTS)


def _expression(source: str, declared: Collection[str], *, value_required: bool
                ) -> References:
    """An ``expr`` value; one that is exactly ``{{ … }}`` is unwrapped (§3.2.2)."""
    span = single_expression(source.strip()) if "{{" in source else None
    if span is not None:
        lead = len(source) - len(source.lstrip())
        return analyze_expression(source, declared, span[0] + lead, span[1] + lead,
                                  value_required=value_required)
    return analyze_expression(source, declared, value_required=value_required)


def _template(source: str, declared: Collection[str], facts: Facts) -> References | None:
    """A template: its tag structure (FS-EXPR-002), then each tag's expression."""
    try:
        segments = scan(source)
    except ExpressionError as error:
        facts.problems.append(Problem("FS-EXPR-002", error.message, error.column - 1))
        return None
    found = References()
    for segment in segments:
        if isinstance(segment, Tag) and segment.has_expression:
            found.merge(analyze_expression(source, declared, segment.start, segment.end))
    unbalanced = _block_problem([s for s in segments if isinstance(s, Tag)])
    if unbalanced is not None:
        facts.problems.append(unbalanced)
    return found


def _block_problem(tags: list[Tag]) -> Problem | None:
    """The first unbalanced block tag (§5.10), or None."""
    stack: list[Tag] = []
    for tag in tags:
        if tag.kind == "open":
            stack.append(tag)
        elif tag.kind == "else" and not stack:
            return Problem("FS-EXPR-002", "'{{else}}' outside a block", tag.offset)
        elif tag.kind == "close":
            if not stack:
                return Problem("FS-EXPR-002", f"'{{{{/{tag.helper}}}}}' closes no block",
                               tag.offset)
            opened = stack.pop()
            if opened.helper != tag.helper:
                return Problem("FS-EXPR-002", f"'{{{{/{tag.helper}}}}}' does not match "
                               f"'{{{{#{opened.helper}}}}}'", tag.offset)
    if stack:
        helper = stack[-1].helper
        return Problem("FS-EXPR-002", f"'{{{{#{helper}}}}}' is never closed: add "
                       f"'{{{{/{helper}}}}}'", stack[-1].offset)
    return None


def _type(source: str, facts: Facts) -> None:
    try:
        parsed = parse_type(source)
    except TypeSyntaxError as error:
        facts.problems.append(Problem("FS-EXPR-008", str(error.args[0]), error.offset))
        return
    facts.schemas.extend((ref.name, ref.offset) for ref in references(parsed))


def _syntax_problem(form: str, error: ExpressionError) -> Problem:
    offset = max(0, error.column - 1)
    if error.kind == "regex":
        return Problem("FS-EXPR-007", error.message, offset, tuple(error.hints))
    code = {"pattern": "FS-EXPR-003", "template": "FS-EXPR-001"}.get(form, "FS-EXPR-001")
    return Problem(code, error.message, offset, tuple(error.hints))


__all__ = ["DollarUse", "Facts", "NameUse", "Problem", "site_facts"]
