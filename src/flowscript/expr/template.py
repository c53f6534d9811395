"""Compile templates (SPEC §5.10) to closures: text, ``{{ expr }}``, ``#each``/``#if``/
``#unless`` blocks with ``else``/``else if``, comments and standalone lines.

A template that is exactly one ``{{ expr }}`` renders to the raw value of ``expr``; any
other template renders to a string, each value converted by the interpolation rule. The
literal text is laid out once at compile time and rendering concatenates it with the
interpolated values, so a render costs about one closure call per tag. A template without
``#each`` whose tags need no evaluation context renders directly on the variables mapping
(``program.needs_context``); the others get an ``EvalContext`` for the block bindings and
the step budget.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExpressionError
from .compiler import Compiler
from .context import EvalContext, TemplateBlock, steps_exceeded
from .nodes import contains_lambda, size
from .parser import parse_expression
from .program import CompiledExpression, needs_context, run_guarded
from .runtime import contains_function, limit
from .template_scan import Segment, Tag, check_blocks, find_tag_end, scan, syntax
from .values import MAX_STEPS, MAX_STRING, text, truthy, type_name

#: A renderer takes the EvalContext, or the variables mapping in direct mode.
Render = Callable[[Any], str]


@dataclass(slots=True)
class _Body:
    """Parts of a block body being built: literal strings and renderers."""

    parts: list[str | Render] = field(default_factory=list)
    cost: int = 0


@dataclass(slots=True)
class _Open:
    """A block whose closing tag has not been seen yet."""

    tag: Tag
    branches: list[tuple[Any, bool, _Body]]
    otherwise: _Body | None = None


def single_expression(source: str) -> tuple[int, int] | None:
    """The expression span when ``source`` is exactly one ``{{ expr }}`` tag."""
    if not source.startswith("{{") or source.startswith("{{!"):
        return None
    close = find_tag_end(source, 2)
    if close != len(source) - 2:
        return None
    inner = source[2:close]
    body = inner.strip()
    if not body or body[0] in "#/" or body == "else" or body.startswith("else "):
        return None
    start = 2 + len(inner) - len(inner.lstrip())
    return start, start + len(body)


def unwrap_braces(source: str) -> tuple[int, int] | None:
    """The span of the expression when ``source`` (ignoring surrounding whitespace) is
    exactly one ``{{ … }}`` tag, as an ``expr`` value may be written (§3.2.2); else None."""
    stripped = source.strip()
    span = single_expression(stripped)
    if span is None:
        return None
    lead = len(source) - len(source.lstrip())
    return span[0] + lead, span[1] + lead


class TemplateCompiler:
    """Builds the block tree of one template from its segments and compiles it."""

    def __init__(self, source: str, declared: Collection[str]) -> None:
        self.source = source
        segments = scan(source)
        check_blocks(segments, source)
        self.segments = segments
        #: The parsed expression of each tag, by ``id`` of the tag.
        self.trees = {id(tag): parse_expression(source, declared, tag.start, tag.end)
                      for tag in segments if isinstance(tag, Tag) and tag.has_expression}
        #: Whether the template can render on the variables mapping itself: no #each
        #: (which needs block bindings and a step budget) and no tag needing a context.
        self.direct = not any(isinstance(tag, Tag) and tag.helper == "each"
                              for tag in segments) and not any(
            needs_context(tree) for tree in self.trees.values())
        self.compiler = Compiler(source, direct=self.direct)

    def compile(self) -> tuple[Render, int]:
        """The renderer and its static step cost; blocks are already known balanced."""
        root = _Body()
        stack: list[tuple[_Open, _Body]] = []
        current = root
        for segment in self.segments:
            current = self._add(segment, current, stack)
        return _join(root.parts), root.cost

    def _add(self, segment: Segment, current: _Body,
             stack: list[tuple[_Open, _Body]]) -> _Body:
        """Add one segment to the body being built; returns the body to continue in."""
        if isinstance(segment, str):
            current.parts.append(segment)
        elif segment.kind == "expr":
            current.parts.append(self._interpolation(segment, current))
        elif segment.kind == "open":
            block = _Open(segment, [(self._expression(segment, current),
                                     segment.helper == "unless", _Body())])
            stack.append((block, current))
            return block.branches[0][2]
        elif segment.kind == "else":
            block = stack[-1][0]
            body = _Body()
            if segment.has_expression:
                block.branches.append((self._expression(segment, current), False, body))
            else:
                block.otherwise = body
            return body
        elif segment.kind == "close":
            block, parent = stack.pop()
            parent.parts.append(self._block(block, parent))
            return parent
        return current

    # -- compiling ------------------------------------------------------------------------

    def _expression(self, tag: Tag, body: _Body) -> Any:
        tree = self.trees[id(tag)]
        body.cost += size(tree)
        try:
            return self.compiler.compile(tree), contains_lambda(tree)
        except RecursionError:
            raise syntax("expression nested too deeply", self.source, tag.offset) from None

    def _interpolation(self, tag: Tag, body: _Body) -> Render:
        run, checks = self._expression(tag, body)
        source, offset = self.source, tag.offset

        def interpolate(ctx: EvalContext) -> str:
            value = run(ctx)
            kind = value.__class__
            if kind is str:
                return value
            if kind is int:
                return str(value)
            if checks and contains_function(value):
                raise _function_in_text(source, offset)
            try:
                return text(value)
            except ExpressionError as error:
                raise self.compiler.locate(error, offset) from None
        return interpolate

    def _block(self, block: _Open, parent: _Body) -> Render:
        otherwise = _join(block.otherwise.parts) if block.otherwise else _empty
        if block.otherwise:
            parent.cost += block.otherwise.cost
        if block.tag.helper == "each":
            (run, _), _, body = block.branches[0]
            return self._each(run, _join(body.parts), body.cost + 1, otherwise,
                              block.tag.offset)
        branches = [(run, negate, _join(body.parts)) for (run, _), negate, body
                    in block.branches]
        parent.cost += sum(body.cost for _, _, body in block.branches)

        def conditional(ctx: EvalContext) -> str:
            for run, negate, render in branches:
                if truthy(run(ctx)) is not negate:
                    return render(ctx)
            return otherwise(ctx)
        return conditional

    def _each(self, run: Any, body: Render, cost: int, otherwise: Render,
              offset: int) -> Render:
        source = self.source

        def each(ctx: EvalContext) -> str:
            collection = run(ctx)
            if collection is None:
                return otherwise(ctx)
            if collection.__class__ is list:
                pairs: Any = enumerate(collection)
                keyed = False
            elif isinstance(collection, Mapping):
                pairs, keyed = enumerate(collection.items()), True
            else:
                raise ExpressionError(f"{{{{#each}}}} needs a list or an object, got "
                                      f"{type_name(collection)}", kind="type",
                                      source=source, column=offset + 1)
            if not collection:
                return otherwise(ctx)
            try:
                return _repeat(ctx, pairs, keyed, len(collection), body, cost)
            except ExpressionError as error:
                raise self.compiler.locate(error, offset) from None
        return each


def _repeat(ctx: EvalContext, pairs: Any, keyed: bool, count: int, body: Render,
            cost: int) -> str:
    """Render ``body`` once per element with its block bindings, charging ``cost`` steps
    per iteration and refusing output over MAX_STRING as it grows."""
    saved = ctx.block
    out: list[str] = []
    total = 0
    try:
        for position, item in pairs:
            ctx.steps += cost
            if ctx.steps > MAX_STEPS:
                raise steps_exceeded()
            key, value = item if keyed else (None, item)
            ctx.block = TemplateBlock(value, position, position == 0,
                                      position == count - 1, key)
            piece = body(ctx)
            total += len(piece)
            if total > MAX_STRING:
                raise limit(f"template output longer than {MAX_STRING} characters")
            out.append(piece)
    finally:
        ctx.block = saved
    return "".join(out)


def _function_in_text(source: str, offset: int) -> ExpressionError:
    return ExpressionError("a function cannot be interpolated", kind="type", source=source,
                           column=offset + 1)


def _empty(ctx: EvalContext) -> str:
    return ""


def _join(parts: list[str | Render]) -> Render:
    """One renderer for a sequence of literal strings and renderers."""
    merged: list[str | Render] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    if not merged:
        return _empty
    if len(merged) == 1:
        only = merged[0]
        return (lambda ctx: only) if isinstance(only, str) else only
    slots = [part for part in merged if not isinstance(part, str)]
    if len(slots) <= 3:
        return _concatenation(merged, slots)
    layout = [part if isinstance(part, str) else "" for part in merged]
    positions = [(i, part) for i, part in enumerate(merged) if not isinstance(part, str)]

    def render(ctx: EvalContext) -> str:
        out = layout.copy()
        for i, part in positions:
            out[i] = part(ctx)
        return "".join(out)
    return render


def _concatenation(merged: list[str | Render], slots: list[Render]) -> Render:
    """``s0 + r1(ctx) + s1 + …`` for up to three renderers, the common short template."""
    texts = [""]
    for part in merged:
        if isinstance(part, str):
            texts[-1] += part
        else:
            texts.append("")
    if len(slots) == 1:
        (first,), (s0, s1) = slots, texts
        return lambda ctx: s0 + first(ctx) + s1
    if len(slots) == 2:
        (first, second), (s0, s1, s2) = slots, texts
        return lambda ctx: s0 + first(ctx) + s1 + second(ctx) + s2
    (first, second, third), (s0, s1, s2, s3) = slots, texts
    return lambda ctx: s0 + first(ctx) + s1 + second(ctx) + s2 + third(ctx) + s3


class CompiledTemplate:
    """A compiled template: ``render(variables)`` gives a string, or the raw value when the
    template is exactly one ``{{ expr }}`` (``single``)."""

    __slots__ = ("_direct", "_expression", "_render", "_steps", "single", "source")

    def __init__(self, source: str, declared: Collection[str] = ()) -> None:
        self.source = source
        span = single_expression(source)
        self.single = span is not None
        self._expression: CompiledExpression | None = None
        if span is not None:
            tree = parse_expression(source, declared, *span)
            self._expression = CompiledExpression(source, tree)
            return
        compiler = TemplateCompiler(source, declared)
        self._render, self._steps = compiler.compile()
        self._direct = compiler.direct and self._steps <= MAX_STEPS

    def render(self, variables: Mapping[str, Any]) -> Any:
        """The rendered text, or the raw value of a single-expression template."""
        if self._expression is not None:
            return self._expression.evaluate(variables)
        if self._direct:
            output = run_guarded(self._render, variables, self.source)
        elif self._steps > MAX_STEPS:
            raise ExpressionError(f"evaluation took more than {MAX_STEPS} steps",
                                  kind="limit", source=self.source, column=1)
        else:
            output = run_guarded(self._render, EvalContext(variables, self._steps),
                                 self.source)
        if len(output) > MAX_STRING:
            raise ExpressionError(f"template output longer than {MAX_STRING} characters",
                                  kind="limit", source=self.source, column=1)
        return output


__all__ = ["CompiledTemplate", "single_expression", "unwrap_braces"]
