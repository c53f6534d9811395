"""YAML value blocks, template placeholders and shorthand variables (SPEC §3.2.2, §5.10)."""

from __future__ import annotations

import pytest
from body_support import build, clean, codes
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscript.diagnostics import DiagnosticSink
from flowscript.parsing.blocks import (
    BlockError,
    expand_located,
    expand_shorthands,
    load_mapping,
    template_spans,
)
from flowscript.parsing.text import Located, config_texts


def load(text: str, *, line: int = 1, expand: bool = False):
    sink = DiagnosticSink()
    entries = load_mapping(Located.exact(text, line, 1), sink, what="<request>",
                           where=(line, 1), expand=lambda path: expand)
    return {e.key: e.value for e in entries}, sink.items


def fails(text: str, line: int = 10) -> list[tuple[str, int | None, int | None]]:
    sink = DiagnosticSink()
    with pytest.raises(BlockError):
        load_mapping(Located.exact(text, line, 5), sink, what="<request>", where=(line, 5))
    return [(d.code, d.line, d.column) for d in sink.items]


class TestTemplateSpans:
    @pytest.mark.parametrize(("text", "tags"), [
        ("a {{x}} b", ["{{x}}"]),
        ('{"a": {{x}}}', ["{{x}}"]),
        ("{{ {a: 1} }}", ["{{ {a: 1} }}"]),
        ("{{ '}}' + x }} tail", ["{{ '}}' + x }}"]),
        ('{{ "a \\" }}" }}', ['{{ "a \\" }}" }}']),
        ("\\{{ literal }} {{y}}", ["{{y}}"]),
        ("{{! don't }} {{!-- a }} b --}}", ["{{! don't }}", "{{!-- a }} b --}}"]),
        ("{{#each xs}}{{this}}{{/each}}", ["{{#each xs}}", "{{this}}", "{{/each}}"]),
        ("open {{ x", []),
    ])
    def test_tags_are_delimited_as_in_5_10(self, text, tags):
        assert [text[a:b] for a, b in template_spans(text)] == tags


class TestLoading:
    def test_text_that_looks_like_a_placeholder_is_kept(self):
        values, diagnostics = load("a: \ue0000\ue001 {{ x }}\nb: \ue0010\ue011")
        assert diagnostics == []
        assert values["a"].value == "\ue0000\ue001 {{ x }}"
        assert values["b"].value == "\ue0010\ue011"

    def test_templates_need_no_quoting(self):
        values, diagnostics = load("url: {{$config.url}}/users\nbody: {{input}}\n"
                                   "count: {{ n + 1 }}")
        assert diagnostics == []
        assert values["url"].value == "{{$config.url}}/users"
        assert values["body"].value == "{{input}}"
        assert values["count"].value == "{{ n + 1 }}"

    def test_templates_with_yaml_syntax_inside_stay_whole(self):
        values, _ = load('body: {{ {"a": [1, 2], "b": x} }}\ntext: "say {{ "hi" }}"')
        assert values["body"].value == '{{ {"a": [1, 2], "b": x} }}'
        assert values["text"].value == 'say {{ "hi" }}'

    def test_numbers_booleans_and_nulls_stay_typed(self):
        values, _ = load("page: 1\nratio: 0.5\nfull: true\nflag: yes\nnothing: null\n"
                         "quoted: '1'")
        assert [values[k].value for k in ("page", "ratio", "full", "flag", "nothing")] == \
            [1, 0.5, True, True, None]
        assert values["quoted"].value == "1"

    def test_timestamps_become_iso_strings(self):
        values, _ = load("since: 2024-01-01\nat: 2024-01-01 10:00:00")
        assert values["since"].value == "2024-01-01"
        assert values["at"].value == "2024-01-01T10:00:00"

    def test_nested_leaves_keep_their_file_position(self):
        text = "method: GET\nheaders:\n  Authorization: \"Bearer {{ $secrets.T }}\"\n  X: 1"
        values, _ = load(text, line=20)
        leaf = values["headers"].leaves[("Authorization",)]
        assert leaf.value == "Bearer {{ $secrets.T }}"
        assert (leaf.span.line, leaf.span.column) == (22, 19)
        assert leaf.position(leaf.value.index("$secrets")) == (22, 29)
        assert values["method"].leaves[()].span.line == 20
        assert ("X",) not in values["headers"].leaves

    def test_lists_of_mappings(self):
        values, _ = load("filters:\n  - kind: a\n  - kind: '{{ b }}'")
        assert values["filters"].value == [{"kind": "a"}, {"kind": "{{ b }}"}]
        assert values["filters"].leaves[(1, "kind")].span.line == 3

    def test_keys_are_taken_as_written(self):
        values, _ = load("on: 1\n1: x\ntrue: y")
        assert set(values) == {"on", "1", "true"}

    def test_an_empty_block_has_no_entries(self):
        assert load("")[0] == {} and load("  # just a comment")[0] == {}


class TestBlockErrors:
    def test_invalid_yaml_points_at_the_mapped_line(self):
        assert fails("a: 1\nb: [1, 2", line=10) == [("FS-STRUCT-006", 11, 9)]

    def test_a_python_tag_is_refused(self):
        assert fails("a: !!python/object:os.system x") == [("FS-SEC-004", 10, 8)]

    def test_a_local_tag_is_refused(self):
        assert fails("a: !foo x")[0][0] == "FS-SEC-004"

    def test_anchors_and_aliases_are_refused(self):
        assert fails("a: &x 1\nb: *x") == [("FS-SEC-005", 10, 8)]

    def test_a_block_must_be_a_mapping(self):
        assert fails("- 1\n- 2")[0][0] == "FS-STRUCT-006"

    def test_values_json_cannot_hold(self):
        assert fails("a: .inf")[0][0] == "FS-STRUCT-006"

    def test_deep_nesting_is_refused_without_recursion(self):
        assert fails("a: " + "[" * 150 + "]" * 150)[0][0] == "FS-STRUCT-006"

    def test_a_block_full_of_private_use_characters_is_refused(self):
        text = "a: " + "".join(chr(c) for c in range(0xE000, 0xF8FF))
        sink = DiagnosticSink()
        with pytest.raises(BlockError):
            load_mapping(Located.exact(text, 4, 1), sink, what="<request>", where=(4, 1))
        assert [d.code for d in sink.items] == ["FS-STRUCT-006"]

    def test_duplicate_keys(self):
        _, diagnostics = load("a: 1\nb: 2\na: 3", line=4)
        assert [(d.code, d.line) for d in diagnostics] == [("FS-STRUCT-009", 6)]
        _, diagnostics = load("h:\n  x: 1\n  x: 2", line=4)
        assert [(d.code, d.line) for d in diagnostics] == [("FS-STRUCT-009", 6)]

    def test_standard_tags_are_allowed(self):
        values, diagnostics = load("a: !!str 5\nb: !!int '7'")
        assert diagnostics == [] and values["a"].value == "5" and values["b"].value == 7


class TestShorthands:
    @pytest.mark.parametrize(("text", "expanded"), [
        ("Bearer $secrets.TOKEN", "Bearer {{ $secrets.TOKEN }}"),
        ("$config.api_base/users", "{{ $config.api_base }}/users"),
        ("home is $env.HOME.", "home is {{ $env.HOME }}."),
        ("$config.a.b", "{{ $config.a.b }}"),
        ("{{ $secrets.X }} stays", "{{ $secrets.X }} stays"),
        ("costs \\$config.price", "costs $config.price"),
        ("costs \\$5 and $input.x", "costs \\$5 and $input.x"),
        ("$secrets", "$secrets"),
        ("a $secrets.A and {{ b }} and $env.B", "a {{ $secrets.A }} and {{ b }} and "
                                               "{{ $env.B }}"),
    ])
    def test_expansion(self, text, expanded):
        assert expand_shorthands(text) == expanded

    def test_expanded_text_still_points_at_the_shorthand(self):
        located = expand_located(Located.exact("Bearer $secrets.TOKEN!", 7, 10))
        text = located.to_text()
        assert text.value == "Bearer {{ $secrets.TOKEN }}!"
        assert text.position(text.value.index("$secrets")) == (7, 17)
        assert text.position(text.value.index("!")) == (7, 31)


class TestBlocksInNodes:
    XML = ('<workflow>\n'
           '  <source id="fetch" type="http" timeout="5s">\n'
           '    <request>\n'
           '      method: POST\n'
           '      url: {{ $config.api }}/search\n'
           '      headers:\n'
           '        Authorization: Bearer $secrets.TOKEN\n'
           '      query:\n'
           '        q: flow\n'
           '      body: {{ input }}\n'
           '    </request>\n'
           '    <response>\n'
           '      extract: $.items\n'
           '      full: true\n'
           '    </response>\n'
           '  </source>\n'
           '</workflow>\n')

    def test_request_and_response_keys_become_config(self):
        node = clean(self.XML).items[0]
        config = node.config
        assert config["method"].value == "POST" and config["method"].block == "request"
        assert config["url"].value == "{{ $config.api }}/search"
        assert config["headers"].value == {"Authorization": "Bearer {{ $secrets.TOKEN }}"}
        assert config["params"].value == {"q": "flow"}
        assert config["body"].value == "{{ input }}"
        assert config["extract"].value == "$.items" and config["extract"].block == "response"
        assert config["full"].value is True

    def test_shorthand_in_a_block_points_into_the_file(self):
        node = clean(self.XML).items[0]
        leaf = config_texts(node.config["headers"])[("Authorization",)]
        assert leaf.position(leaf.value.index("$secrets")) == (7, 31)

    def test_enum_values_take_no_shorthand(self):
        _, diagnostics = build('<workflow><source type="http" url="http://x" '
                               'method="$config.m"/></workflow>')
        assert codes(diagnostics) == [("FS-STRUCT-006", 1)]

    def test_timeout_in_the_request_is_the_node_timeout(self):
        xml = ('<workflow><source type="http"><request>\n'
               'url: http://x\ntimeout: 10s\n</request></source></workflow>')
        node = clean(xml).items[0]
        assert node.attributes["timeout"].value == "10s" and "timeout" not in node.config
        _, diagnostics = build(xml.replace('type="http"', 'type="http" timeout="1s"'))
        assert codes(diagnostics) == [("FS-STRUCT-009", 3)]

    def test_child_blocks(self):
        node = clean('<workflow><sink id="s" type="http" url="http://x">\n'
                     '  <headers>\n    X-A: $secrets.K\n  </headers>\n'
                     '  <auth>\n    type: bearer\n    token: "{{ $secrets.K }}"\n  </auth>\n'
                     '</sink></workflow>').items[0]
        assert node.config["headers"].value == {"X-A": "{{ $secrets.K }}"}
        assert node.config["headers"].block == "headers"
        assert node.config["auth"].value == {"type": "bearer", "token": "{{ $secrets.K }}"}

    def test_email_blocks(self):
        node = clean('<workflow><sink type="email">\n'
                     '  <config>\n    api-key: $secrets.SG\n    port: 25\n  </config>\n'
                     '  <message>\n    to: a@b.c\n    from: x@y.z\n    subject: Hi\n'
                     '  </message>\n</sink></workflow>').items[0]
        assert node.config["api-key"].value == "{{ $secrets.SG }}"
        assert node.config["port"].value == 25
        assert node.config["to"].block == "message"

    @pytest.mark.parametrize(("xml", "expected"), [
        ('<source type="http"><request>\nurll: http://x\n</request></source>',
         [("FS-STRUCT-002", 2), ("FS-STRUCT-003", 1)]),
        ('<source type="http" url="http://x"><request>\nurl: http://y\n</request></source>',
         [("FS-STRUCT-009", 2)]),
        ('<source type="http" url="http://x"><request>\nmethod: [\n</request></source>',
         [("FS-STRUCT-006", 2)]),
        ('<source type="http" url="http://x"><response>\nmethod: GET\n</response></source>',
         [("FS-STRUCT-002", 2)]),
        ('<source type="http" url="http://x" headers="a: b"/>', [("FS-STRUCT-002", 1)]),
        ('<source type="http"><request>\nurl: {a: 1}\n</request></source>',
         [("FS-STRUCT-006", 2), ("FS-STRUCT-003", 1)]),
        ('<source type="http" url="u"><request>\nheaders: x\n</request></source>',
         [("FS-STRUCT-006", 2)]),
        ('<source type="http" url="u"><request>\nmethod: 5\n</request></source>',
         [("FS-STRUCT-006", 2)]),
        ('<source type="http" url="http://x"><request>a: !!binary x</request>'
         '<request/></source>', [("FS-SEC-004", 1), ("FS-STRUCT-005", 1)]),
    ])
    def test_block_diagnostics(self, xml, expected):
        _, diagnostics = build(f"<workflow>{xml}</workflow>")
        assert codes(diagnostics) == expected

    def test_unknown_block_key_suggests_the_right_one(self):
        _, diagnostics = build('<workflow><source type="http"><request>\nurl: http://x\n'
                               'heders: {}\n</request></source></workflow>')
        assert diagnostics[0].code == "FS-STRUCT-002"
        assert 'did you mean "headers"?' in diagnostics[0].hints


_PIECES = [*"ab: -[]{}'\"#&*!|>\n\t$.\\\ue000", "{{", "}}", "secrets", "$secrets.X",
           "\ue0000\ue001", "url: "]
_YAMLISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_any_block_text_loads_or_is_reported(text):
    sink = DiagnosticSink()
    try:
        entries = load_mapping(Located.exact(text, 3, 7), sink, what="<request>",
                               where=(3, 7), expand=lambda path: True)
    except BlockError:
        assert any(d.is_error for d in sink.items)
    else:
        assert all(isinstance(entry.key, str) for entry in entries)
    assert all(d.line is not None and d.line >= 3 for d in sink.items)


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_shorthand_expansion_keeps_a_position_for_every_character(text):
    located = expand_located(Located.exact(text, 2, 1))
    value = located.to_text((2, 1))
    for offset in range(len(located.value) + 1):
        line, _ = value.position(offset)
        assert 2 <= line <= 2 + text.count("\n")
    if "$" not in text:
        assert located.value == text
