"""Static analysis for the validator and the planner (SPEC §4.7, §11.3)."""

from __future__ import annotations

from flowscript.expr.analysis import (
    CallSite,
    Problem,
    Reference,
    analyze_expression,
    analyze_pattern,
    analyze_template,
    check_syntax,
)


def names(source: str, declared: tuple[str, ...] = ()) -> list[tuple[str, tuple[object, ...]]]:
    return [(r.name, r.path) for r in analyze_expression(source, declared).names]


class TestReferences:
    def test_paths_after_names(self) -> None:
        assert names("fetch.output.items[0].id + other['k'][i].z") == [
            ("fetch", ("output", "items", 0, "id")), ("other", ("k",)), ("i", ())]

    def test_offsets(self) -> None:
        found = analyze_expression("a + fetch-data.x", ("fetch-data",)).names
        assert found == [Reference("a", 0, ()), Reference("fetch-data", 4, ("x",))]

    def test_lambda_parameters_are_not_references(self) -> None:
        assert names("map(items, x => x.a + y)") == [("items", ()), ("y", ())]
        assert names("map(a, x => map(b, y => x + y + z))") == [("a", ()), ("b", ()),
                                                               ("z", ())]

    def test_template_bindings_are_not_references(self) -> None:
        assert names("this.a + @index") == []

    def test_method_receivers_are_references_but_namespaces_are_not(self) -> None:
        assert names("fetch.items.map(x => x).length") == [("fetch", ("items",))]
        assert names("JSON.parse(raw) + Math.max(a, 1)") == [("raw", ()), ("a", ())]

    def test_dollar_names(self) -> None:
        found = analyze_expression("$secrets.TOKEN + $config.k.j + $nodes.fetch.status")
        assert [(r.name, r.path) for r in found.dollars] == [
            ("$secrets", ("TOKEN",)), ("$config", ("k", "j")),
            ("$nodes", ("fetch", "status"))]
        assert not found.context_whole

    def test_context_read_whole_or_computed(self) -> None:
        assert not analyze_expression("$context.x").context_whole
        assert analyze_expression("$context").context_whole
        assert analyze_expression("$context[k]").context_whole
        assert analyze_expression("keys($context)").context_whole

    def test_calls_never_count_as_name_references(self) -> None:
        assert names("sum(values)") == [("values", ())]


class TestCalls:
    def test_call_sites(self) -> None:
        found = analyze_expression("upper(a) + 'x'.toUpperCase() + (b | join(',')) "
                                   "+ JSON.parse(s)")
        assert found.calls == [
            CallSite("upper", 0, 1, "call", "upper"),
            CallSite("toUpperCase", 15, 1, "method", "upper"),
            CallSite("join", 36, 2, "pipe", "join"),
            CallSite("JSON.parse", 54, 1, "method", "json_decode")]
        assert found.problems == []

    def test_unknown_functions_and_arity(self) -> None:
        found = analyze_expression("uper('abc') + upper() + x.nope() + Math.nope(1)")
        assert [(p.kind, p.message, p.offset) for p in found.problems] == [
            ("function", "unknown function 'uper'", 0),
            ("arity", "upper() takes 1 argument, got 0", 14),
            ("function", "unknown method 'nope'", 26),
            ("function", "unknown method 'Math.nope'", 40)]
        assert found.problems[0].hints == ('did you mean "upper"?',)

    def test_calling_a_lambda_parameter_is_not_a_builtin_call(self) -> None:
        found = analyze_expression("(f => f(1))(x => x)")
        assert found.calls == [] and found.problems == []


class TestFunctionValues:
    def test_whole_lambda_where_a_value_is_required(self) -> None:
        assert [p.kind for p in analyze_expression("x => x").problems] == ["type"]
        assert analyze_expression("x => x", value_required=False).problems == []

    def test_evident_function_values(self) -> None:
        found = analyze_expression("[x => x, 1 + (y => y), {f: z => z}, !(w => w)]")
        assert [p.offset for p in found.problems] == [1, 14, 27, 38]
        assert all(p.kind == "type" for p in found.problems)

    def test_lambdas_passed_to_functions_are_fine(self) -> None:
        assert analyze_expression("map(a, x => x) ?? typeof (y => y)").problems == []


class TestTemplatesAndPatterns:
    def test_template_references_have_template_offsets(self) -> None:
        found = analyze_template("Hi {{ user.name }}{{#each items}}{{ this.x }}{{ y }}"
                                 "{{/each}}{{ uper(z) }}")
        assert [(r.name, r.offset, r.path) for r in found.names] == [
            ("user", 6, ("name",)), ("items", 26, ()), ("y", 48, ()), ("z", 69, ())]
        assert [p.kind for p in found.problems] == ["function"]
        assert found.problems[0].offset == 64

    def test_pattern_dollar_paths(self) -> None:
        found = analyze_pattern("{ score: > $config.threshold, t: $secrets.T } OR $x")
        assert [(r.name, r.offset, r.path) for r in found.dollars] == [
            ("$config", 11, ("threshold",)), ("$secrets", 33, ("T",)), ("$x", 49, ())]


class TestCheckSyntax:
    def test_expressions(self) -> None:
        assert check_syntax("a + 1") is None
        problem = check_syntax("item.score > > 5")
        assert problem == Problem("syntax", "expected an expression, got '>'", 13)

    def test_templates(self) -> None:
        assert check_syntax("Hi {{ a }}", kind="template") is None
        problem = check_syntax("Hello {{ $input.name", kind="template")
        assert problem is not None and problem.kind == "syntax" and problem.offset == 6
        problem = check_syntax("a {{#each x}}b", kind="template")
        assert problem is not None and "never closed" in problem.message
        assert problem.offset == 2

    def test_patterns(self) -> None:
        assert check_syntax("{ a: 1 }", kind="pattern") is None
        problem = check_syntax("{ a: /(/ }", kind="pattern")
        assert problem is not None and problem.kind == "regex" and problem.offset == 5
        problem = check_syntax("{ a: b }", kind="pattern")
        assert problem is not None and problem.kind == "syntax"

    def test_declared_names_matter(self) -> None:
        assert check_syntax("a-b =>", ("a-b",)) is not None
        assert check_syntax("count-1") is None


class TestWrappedValues:
    def test_analysis_unwraps_a_single_tag(self) -> None:
        found = analyze_expression("{{ fetch.items }}", allow_wrapped=True)
        assert found.names == [Reference("fetch", 3, ("items",))]

    def test_check_syntax_unwraps_a_single_tag(self) -> None:
        assert check_syntax("{{ a + 1 }}", allow_wrapped=True) is None
        problem = check_syntax("{{ a + }}", allow_wrapped=True)
        assert problem is not None and problem.offset == 6
        assert check_syntax("{{ a }}") is not None
