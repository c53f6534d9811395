"""Type expressions (SPEC §2.11): parsing, checking values, JSON Schema."""

from __future__ import annotations

import pytest

from flowscript.ast import FieldSpec
from flowscript.types import (
    EnumType,
    ListType,
    Nullable,
    ObjectField,
    ObjectType,
    Primitive,
    SchemaRef,
    TypeSyntaxError,
    UnionType,
    check,
    field_type,
    is_datetime,
    object_type,
    parse_type,
    references,
    schema_types,
    to_json_schema,
)


class TestParse:
    @pytest.mark.parametrize("source", [
        "string", "number[]", "{score: number, tags: string[], notes?: string}",
        "enum[draft, review, published]", "(string | number)[]", "Author?", "A | B | null",
        "{a: {b: enum[1, 2.5, true, \"x y\", \"1\"]}}", "(string?)[]", "string[][]?",
        '{"a b": string}'])
    def test_round_trip(self, source):
        assert str(parse_type(source)) == source

    def test_structure(self):
        parsed = parse_type(" { id : int , 'my key'? : (float|Author)[] , n: string? , } ")
        assert parsed == ObjectType((
            ObjectField("id", Primitive("integer")),
            ObjectField("my key", ListType(UnionType((Primitive("number"), SchemaRef("Author")))),
                        required=False),
            ObjectField("n", Nullable(Primitive("string")), required=False)))

    def test_enum_values_are_typed(self):
        assert parse_type("enum[a, 'b c', 1, 2.5, -3, true, false]") == EnumType(
            ("a", "b c", 1, 2.5, -3, True, False))

    @pytest.mark.parametrize(("source", "offset", "fragment"), [
        ("", 0, "empty"), ("   ", 3, "empty"), ("string[", 7, "']'"), ("{a: }", 4, "a type"),
        ("{a string}", 3, "':'"), ("enum[]", 5, "at least one"), ("enum[a, a]", 8, "twice"),
        ("enum", 4, "'['"), ("string |", 8, "a type"), ("(string", 7, "')'"),
        ("string?[]", 7, "unexpected"), ("{a: x, a: y}", 7, "twice"), ("'x'", 0, "a type"),
        ("{'a: string}", 1, "unterminated"), ("{a: string b: number}", 11, "','"),
        ("string number", 7, "unexpected"), ("3", 0, "a type")])
    def test_syntax_errors_carry_the_offset(self, source, offset, fragment):
        with pytest.raises(TypeSyntaxError) as caught:
            parse_type(source)
        assert caught.value.offset == offset and fragment in caught.value.message

    def test_references_in_source_order_with_offsets(self):
        parsed = parse_type("{a: Author, b: (Tag | string)[], c: Author?}")
        assert [(r.name, r.offset) for r in references(parsed)] == [
            ("Author", 4), ("Tag", 16), ("Author", 36)]


class TestCheck:
    TICKET = parse_type("{id: integer, items: {score: number, name?: string}[], when: datetime,"
                        " every?: duration, tag: enum[a, b]?, extra: any}")

    def test_a_matching_value(self):
        value = {"id": 2.0, "items": [{"score": 1}, {"score": 0.5, "name": "x"}],
                 "when": "2025-03-09 14:05", "every": "1h30m", "tag": None, "extra": [1],
                 "undeclared": True}
        assert check(value, self.TICKET) == []

    def test_mismatches_name_their_paths(self):
        value = {"id": 1.5, "items": [{"score": 1}, {"score": "high", "name": 3}],
                 "when": "yesterday", "every": "soon", "tag": "c"}
        assert check(value, self.TICKET) == [
            "id: expected integer, got number 1.5",
            "items[1].score: expected number, got string 'high'",
            "items[1].name: expected string, got number 3",
            "when: expected datetime, got string 'yesterday'",
            "every: expected duration, got string 'soon'",
            "tag: expected enum[a, b], got string 'c'",
            "extra: missing (required any)"]

    @pytest.mark.parametrize(("value", "source"), [
        (True, "number"), (1, "boolean"), ("1", "integer"), (None, "string"), ({}, "array"),
        ([], "object"), (1, "enum[true]"), (True, "enum[1]"), (1, "null"), (1, "{a?: string}")])
    def test_kinds_do_not_mix(self, value, source):
        assert len(check(value, parse_type(source))) == 1

    def test_union_reports_the_option_with_the_values_shape(self):
        assert check({"a": "x"}, parse_type("string | {a: number}")) == [
            "a: expected number, got string 'x'"]
        assert check(5, parse_type("string | boolean")) == [
            "expected string | boolean, got number 5"]

    def test_named_schemas_resolve_and_unknown_names_match_anything(self):
        schemas = {"Tag": parse_type("{label: string}")}
        assert check([{"label": 1}], parse_type("Tag[]"), schemas) == [
            "[0].label: expected string, got number 1"]
        assert check(42, parse_type("Unknown")) == []

    def test_path_prefix(self):
        assert check("x", Primitive("number"), path="input.n") == [
            "input.n: expected number, got string 'x'"]

    @pytest.mark.parametrize(("text", "valid"), [
        ("2025-03-09", True), ("2025-03-09T14:05", True), ("2025-03-09T14:05:07.123Z", True),
        ("2025-03-09 14:05:07+05:30", True), ("2025-03-09T14:05:07-0800", True),
        ("2025-02-30", False), ("2025-03-09T25:00", False), ("09/03/2025", False),
        ("2025-03-09T14:05+24:00", False)])
    def test_datetime_forms(self, text, valid):
        assert is_datetime(text) is valid


class TestSchemas:
    def test_field_type_narrows_to_the_enum(self):
        assert field_type(FieldSpec(name="a", type="string?", enum=("x", "y"))) == Nullable(
            EnumType(("x", "y")))
        assert field_type(FieldSpec(name="a", type="{")) == Primitive("any")

    def test_object_type_of_field_specifications(self):
        specs = {"a": FieldSpec(name="a", type="string", required=True),
                 "b": FieldSpec(name="b", type="number")}
        assert object_type(specs) == ObjectType((ObjectField("a", Primitive("string")),
                                                 ObjectField("b", Primitive("number"), False)))

    def test_schema_types_skip_what_does_not_parse(self):
        types = schema_types({"A": "string[]", "B": "{", "C": {"x": FieldSpec(name="x")},
                              "D": Primitive("null")})
        assert types == {"A": ListType(Primitive("string")),
                         "C": ObjectType((ObjectField("x", Primitive("any"), False),)),
                         "D": Primitive("null")}


class TestJsonSchema:
    def test_objects_close_and_list_required_fields(self):
        schema = to_json_schema(parse_type(
            "{category: enum[bug, billing], urgency: integer, tags: string[], note?: string,"
            " lang: string?, mixed: enum[a, 1], when: datetime, any: any}"))
        assert schema == {
            "type": "object",
            "properties": {
                "category": {"type": "string", "enum": ["bug", "billing"]},
                "urgency": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "note": {"type": "string"},
                "lang": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "mixed": {"enum": ["a", 1]},
                "when": {"type": "string", "description": "ISO-8601 date or date-time"},
                "any": {}},
            "required": ["category", "urgency", "tags", "mixed", "when", "any"],
            "additionalProperties": False}

    def test_named_schemas_are_inlined_and_recursion_uses_defs(self):
        schemas = {"Author": parse_type("{name: string}"),
                   "Node": parse_type("{value: number, children?: Node[]}")}
        schema = to_json_schema(parse_type("{author: Author, tree: Node | null}"), schemas)
        assert schema["properties"]["author"]["properties"] == {"name": {"type": "string"}}
        tree = schema["properties"]["tree"]["anyOf"][0]
        assert tree["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
        assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {
            "$ref": "#/$defs/Node"}

    def test_unknown_names_allow_anything(self):
        assert to_json_schema(parse_type("Missing[]")) == {"type": "array", "items": {}}
