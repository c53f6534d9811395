"""Hostile input (SPEC §1.8, §12.1, §12.2): rejected at once, with its code and position,
never expanded, executed or allowed to exhaust the stack."""

from __future__ import annotations

import pytest

from flowscript.diagnostics import DiagnosticSink
from flowscript.document import Document, split_document
from flowscript.parsing import load_frontmatter
from flowscript.types import TypeSyntaxError, check, parse_type

HEAD = "---\nname: hostile\nversion: 1.0.0\n---\n"

BILLION_LAUGHS = HEAD + """<!DOCTYPE workflow [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<workflow>
  <transform id="boom" type="template"><template>&lol9;</template></transform>
</workflow>
"""


def load(text: str) -> tuple[Document | None, list[tuple[str, int | None, int | None]]]:
    sink = DiagnosticSink()
    document = split_document(text.encode("utf-8"), sink)
    if document is not None:
        load_frontmatter(document, sink)
    return document, [(d.code, d.line, d.column) for d in sink.items]


class TestXml:
    def test_billion_laughs_is_rejected_at_the_doctype(self):
        document, problems = load(BILLION_LAUGHS)
        assert problems == [("FS-SEC-001", 5, 1)]
        assert document.root is None and document.body_start is None

    def test_external_entity_is_never_read(self, tmp_path):
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET-CONTENT")
        text = (HEAD + f'<!DOCTYPE workflow [\n  <!ENTITY s SYSTEM "file://{secret}">\n]>\n'
                '<workflow><transform id="t" type="template"><template>&s;</template>'
                "</transform></workflow>")
        sink = DiagnosticSink()
        document = split_document(text.encode(), sink)
        assert [(d.code, d.line) for d in sink.items] == [("FS-SEC-001", 5)]
        assert "TOP-SECRET" not in repr(document) + repr(sink.items)

    def test_entity_declaration_without_doctype(self):
        _, problems = load(HEAD + '<!ENTITY x "y">\n<workflow/>')
        assert problems == [("FS-SEC-002", 5, 1)]

    def test_doctype_inside_the_body(self):
        _, problems = load(HEAD + "<workflow>\n  <!DOCTYPE x [<!ENTITY a 'b'>]>\n  &a;\n"
                                  "</workflow>")
        assert problems == [("FS-SEC-001", 6, 3)]

    def test_deep_nesting_stops_at_depth_100(self):
        document, problems = load(HEAD + "<workflow>" + "<if>" * 10_000 + "</if>" * 10_000
                                  + "</workflow>")
        assert problems == [("FS-SEC-007", 5, 11 + 99 * 4)]
        assert document.root is None

    def test_depth_100_is_allowed(self):
        document, problems = load(HEAD + "<workflow>" + "<if>" * 99 + "</if>" * 99
                                  + "</workflow>")
        assert problems == [] and document.root is not None

    def test_element_count_stops_after_100000(self):
        body = "<workflow>\n" + "<a/>\n" * 200_000 + "</workflow>"
        document, problems = load(HEAD + body)
        assert problems == [("FS-SEC-007", 5 + 100_000, 1)]
        assert document.root is None

    @pytest.mark.parametrize(("template", "column"), [
        ('<workflow a="{}"/>', 14), ("<workflow>{}</workflow>", 11),
        ("<workflow><![CDATA[{}]]></workflow>", 20),
        ("<workflow><set var='v'>{}</set></workflow>", 24)])
    def test_values_larger_than_one_mib(self, template, column):
        _, problems = load(HEAD + template.format("x" * (2 * 1024 * 1024)))
        assert problems == [("FS-SEC-007", 5, column)]

    def test_raw_text_size_counts_all_its_parts(self):
        half = "x" * (600 * 1024)
        _, problems = load(HEAD + f"<workflow><set var='v'><![CDATA[{half}]]>{half}</set>"
                                  "</workflow>")
        assert problems == [("FS-SEC-007", 5, 24)]

    def test_value_size_counts_utf8_bytes(self):
        _, small = load(HEAD + "<workflow>" + "é" * 500_000 + "</workflow>")
        _, large = load(HEAD + "<workflow>" + "€" * 500_000 + "</workflow>")
        assert small == [] and large == [("FS-SEC-007", 5, 11)]

    def test_a_large_body_scans_completely(self):
        nodes = "".join(f'  <delay id="d{i}" duration="1s"/>\n' for i in range(20_000))
        document, problems = load(HEAD + "<workflow>\n" + nodes + "</workflow>\n")
        assert problems == []
        assert sum(1 for c in document.root.children if not hasattr(c, "cdata")) == 20_000


class TestYaml:
    @pytest.mark.parametrize("tag", [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/new:os.system ["touch {marker}"]',
        "!!python/name:os.system", "!!python/module:os"])
    def test_python_tags_are_rejected_and_never_run(self, tmp_path, tag):
        marker = tmp_path / "pwned"
        text = (HEAD[:-4] + "config:\n  payload:\n    default: " + tag.format(marker=marker)
                + "\n---\n<workflow/>")
        _, problems = load(text)
        assert problems == [("FS-SEC-004", 6, 14)]
        assert not marker.exists()

    def test_yaml_billion_laughs_stops_at_the_first_anchor(self):
        lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]"
                  for i in range(8)]
        text = "---\nname: lol\nversion: 1.0.0\n" + "\n".join(lines) + "\n---\n<workflow/>"
        _, problems = load(text)
        assert problems[0] == ("FS-SEC-005", 4, 4)
        assert {code for code, _, _ in problems} == {"FS-SEC-005"}

    def test_deep_yaml_nesting(self):
        text = HEAD[:-4] + "deep:\n" + "".join(
            f"{'  ' * depth}- \n" for depth in range(300)) + "---\n<workflow/>"
        _, problems = load(text)
        assert problems == [("FS-SEC-007", 104, 199)]  # the 101st collection, root included

    def test_deep_flow_nesting(self):
        text = HEAD[:-4] + "deep: " + "[" * 10_000 + "]" * 10_000 + "\n---\n<workflow/>"
        _, problems = load(text)
        assert [code for code, _, _ in problems] == ["FS-SEC-007"]

    def test_frontmatter_larger_than_one_mib(self):
        text = HEAD[:-4] + "description: " + "x" * (1024 * 1024) + "\n---\n<workflow/>"
        document, problems = load(text)
        assert problems == [("FS-SEC-007", 2, 1)]
        assert document.root is not None


class TestTypes:
    def test_deeply_nested_type_expression_is_a_syntax_error(self):
        with pytest.raises(TypeSyntaxError) as caught:
            parse_type("(" * 10_000 + "string" + ")" * 10_000)
        assert caught.value.offset == 64

    def test_deep_value_against_a_recursive_schema(self):
        schemas = {"Node": parse_type("{next?: Node}")}
        value: dict = {}
        for _ in range(5_000):
            value = {"next": value}
        problems = check(value, parse_type("Node"), schemas)
        assert len(problems) == 1 and "nested more than" in problems[0]

    def test_self_referring_schemas_terminate(self):
        schemas = {"A": parse_type("B"), "B": parse_type("A")}
        assert "nested more than" in check(1, parse_type("A"), schemas)[0]
