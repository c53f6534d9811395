"""The public entry points (SPEC §10.10, §3.2.2): caching, declared names, unwrapping."""

from __future__ import annotations

import pytest

import flowscript
from flowscript.errors import ExpressionError
from flowscript.expr import (
    compile_expression,
    compile_pattern,
    compile_template,
    evaluate,
    match,
    render,
    unwrap_braces,
)
from flowscript.expr.context import EvalContext, current_instant


class TestPublicFunctions:
    def test_package_exports(self) -> None:
        assert flowscript.evaluate("1 + a", {"a": 2}) == 3
        assert flowscript.render("x={{ a }}", {"a": 2}) == "x=2"
        assert flowscript.match("{ a: > 1 }", {"a": 2}) is True
        assert flowscript.compile_expression("a").evaluate({"a": 1}) == 1
        assert flowscript.compile_template("{{ a }}!").render({"a": 1}) == "1!"

    def test_evaluate_takes_a_bare_expression(self) -> None:
        with pytest.raises(ExpressionError) as info:
            evaluate("{{ a }}", {"a": 1})
        assert info.value.kind == "syntax"

    def test_match_without_variables(self) -> None:
        assert match("_", None) is True


class TestCaching:
    def test_same_source_same_object(self) -> None:
        assert compile_expression("a + 1") is compile_expression("a + 1")
        assert compile_template("x{{a}}") is compile_template("x{{a}}")
        assert compile_pattern("{ a: 1 }") is compile_pattern("{ a: 1 }")

    def test_declared_names_that_do_not_matter_share_the_cache(self) -> None:
        assert compile_expression("a + 1", {"x"}) is compile_expression("a + 1", {"y"})

    def test_declared_names_that_matter_give_different_programs(self) -> None:
        declared = compile_expression("a-b", {"a-b"})
        plain = compile_expression("a-b")
        assert declared is not plain
        variables = {"a-b": 10, "a": 5, "b": 1}
        assert declared.evaluate(variables) == 10
        assert plain.evaluate(variables) == 4

    def test_evaluate_uses_the_variable_names_as_declared_names(self) -> None:
        assert evaluate("fetch-data", {"fetch-data": 1, "fetch": 5, "data": 2}) == 1
        assert evaluate("fetch-data", {"fetch": 5, "data": 2}) == 3
        assert render("{{ a-b }}", {"a-b": "x"}) == "x"

    def test_source_is_kept(self) -> None:
        assert compile_expression("a").source == "a"
        assert compile_template("t").source == "t"
        assert compile_pattern("_").source == "_"


class TestUnwrapping:
    @pytest.mark.parametrize(("value", "span"), [
        ("{{ a }}", (3, 4)), ("  {{a.b}} ", (4, 7)), ("{{ {a: 1} }}", (3, 9)),
        ("a", None), ("{{ a }} {{ b }}", None), ("x{{ a }}", None), ("{{#if a}}", None),
        ("{{! c }}", None), ("{{ a }}}", None),
    ])
    def test_unwrap_braces(self, value: str, span: tuple[int, int] | None) -> None:
        assert unwrap_braces(value) == span

    def test_compile_expression_unwraps_when_allowed(self) -> None:
        expression = compile_expression("{{ input.items }}", allow_wrapped=True)
        assert expression.evaluate({"input": {"items": [1]}}) == [1]
        assert compile_expression("input", allow_wrapped=True).evaluate({"input": 2}) == 2

    def test_errors_point_into_the_original_text(self) -> None:
        with pytest.raises(ExpressionError) as info:
            compile_expression("{{ a + }}", allow_wrapped=True)
        assert info.value.column == 7 and info.value.source == "{{ a + }}"


class TestContext:
    def test_pinned_clock(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("FLOWSCRIPT_NOW", "2025-03-09T14:05:07.042Z")
        assert current_instant().isoformat() == "2025-03-09T14:05:07.042000+00:00"
        assert evaluate("now()", {}) == "2025-03-09T14:05:07.042Z"
        monkeypatch.setenv("FLOWSCRIPT_NOW", "2025-03-09T15:05:07+01:00")
        assert current_instant().hour == 14

    def test_bad_pinned_clock(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("FLOWSCRIPT_NOW", "yesterday")
        with pytest.raises(ExpressionError):
            current_instant()

    def test_one_evaluation_sees_one_instant(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("FLOWSCRIPT_NOW", raising=False)
        context = EvalContext({})
        assert context.now() is context.now()
        assert context.now().tzinfo is not None

    def test_step_budget(self) -> None:
        context = EvalContext({}, steps=9_999_999)
        context.step()
        with pytest.raises(ExpressionError) as info:
            context.step()
        assert info.value.kind == "limit"

    def test_regex_helpers(self) -> None:
        context = EvalContext({})
        assert context.regex("a+", "i") is context.regex("a+", "i")
        assert context.search("b+", "", "abbc").group() == "bb"
        assert [m.group() for m in context.finditer("[0-9]+", "", "a1b22")] == ["1", "22"]
        assert context.sub("a", "i", "x", "AbA") == "xbx"
        assert context.regex("^x$", "ms").flags & 8
        assert context.search("x", "gu", "x") is not None

    @pytest.mark.parametrize(("pattern", "flags", "kind"), [
        ("(", "", "regex"), ("a", "q", "regex"), ("a" * 1001, "", "limit")])
    def test_regex_errors(self, pattern: str, flags: str, kind: str) -> None:
        with pytest.raises(ExpressionError) as info:
            EvalContext({}).regex(pattern, flags)
        assert info.value.kind == kind

    def test_regex_timeout_and_subject_limit(self) -> None:
        context = EvalContext({})
        with pytest.raises(ExpressionError) as info:
            context.search("(a|aa)+$", "", "a" * 60 + "!")
        assert info.value.kind == "limit"
        with pytest.raises(ExpressionError) as info:
            context.finditer("a", "", "a" * 1_000_001)
        assert info.value.kind == "limit"
