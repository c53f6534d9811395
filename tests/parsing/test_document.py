"""Reading a workflow file and splitting it into sections (SPEC §1.1–§1.3)."""

from __future__ import annotations

import hashlib
import os

import pytest

from flowscript.diagnostics import DiagnosticSink
from flowscript.document import Document, LineIndex, read_document, split_document, split_text
from flowscript.parsing import load_frontmatter

HEAD = "---\nname: demo\nversion: 1.0.0\n---\n"
BODY = '<workflow>\n  <delay id="wait" duration="1s"/>\n</workflow>'


def split(text: str | bytes) -> tuple[Document | None, DiagnosticSink]:
    sink = DiagnosticSink("demo.flow.md")
    data = text.encode("utf-8") if isinstance(text, str) else text
    return split_document(data, sink), sink


def found(sink: DiagnosticSink) -> list[tuple[str, int | None, int | None]]:
    return [(d.code, d.line, d.column) for d in sink.items]


class TestLineIndex:
    def test_every_line_break_kind_counts_once(self):
        lines = LineIndex("a\nbc\r\nd\re")
        assert lines.line_count == 4
        assert [lines.position(i) for i in (0, 2, 3, 4, 5, 6, 7, 8)] == [
            (1, 1), (2, 1), (2, 2), (2, 3), (2, 4), (3, 1), (3, 2), (4, 1)]

    def test_columns_count_code_points_and_tabs_count_one(self):
        lines = LineIndex("\té😀x")
        assert lines.position(3) == (1, 4)

    def test_span_and_line_start(self):
        lines = LineIndex("ab\ncd\nef")
        assert lines.line_start(3) == 6
        span = lines.span(1, 4)
        assert (span.line, span.column, span.end_line, span.end_column) == (1, 2, 2, 2)


class TestFileChecks:
    def test_missing_file(self, tmp_path):
        sink = DiagnosticSink()
        assert read_document(tmp_path / "none.flow.md", sink) is None
        assert found(sink) == [("FS-FILE-001", None, None)]

    def test_directory(self, tmp_path):
        sink = DiagnosticSink()
        assert read_document(tmp_path, sink) is None
        assert found(sink) == [("FS-FILE-001", None, None)]
        assert "directory" in sink.items[0].message

    def test_unreadable_path(self, tmp_path):
        (tmp_path / "file").write_text("x")
        sink = DiagnosticSink()
        assert read_document(tmp_path / "file" / "inside.flow.md", sink) is None
        assert found(sink) == [("FS-FILE-001", None, None)]

    def test_larger_than_ten_mib(self, tmp_path):
        path = tmp_path / "big.flow.md"
        with open(path, "wb") as handle:
            handle.truncate(10 * 1024 * 1024 + 1)
        sink = DiagnosticSink()
        assert read_document(path, sink) is None
        assert found(sink) == [("FS-FILE-004", None, None)]

    def test_reads_a_file(self, tmp_path):
        path = tmp_path / "ok.flow.md"
        path.write_text(HEAD + BODY, encoding="utf-8")
        sink = DiagnosticSink()
        document = read_document(path, sink)
        assert sink.items == []
        assert document is not None and document.path == os.fspath(path)
        assert document.root is not None and document.root.name == "workflow"

    def test_invalid_utf8_points_at_the_first_bad_byte(self):
        document, sink = split(b"---\nname: d\xc3\xa9mo \xff\n")
        assert document is None
        assert found(sink) == [("FS-FILE-002", 2, 12)]

    def test_nul_points_at_its_position(self):
        document, sink = split(b"---\r\nab\x00\n")
        assert document is None
        assert found(sink) == [("FS-FILE-002", 2, 3)]
        assert "NUL" in sink.items[0].message

    def test_bom_is_not_a_column_of_the_bad_byte(self):
        _, sink = split(b"\xef\xbb\xbfab\xfe")
        assert found(sink) == [("FS-FILE-002", 1, 3)]

    @pytest.mark.parametrize("text", ["", "   \n\t\r\n", "\ufeff"])
    def test_empty_or_whitespace(self, text):
        document, sink = split(text)
        assert document is None
        assert found(sink) == [("FS-FILE-003", None, None)]


class TestSections:
    def test_splits_frontmatter_preamble_body_footer(self):
        text = HEAD + "Some prose.\n\n" + BODY + "\n\n## Notes\n<b>not parsed</b>\n"
        document, sink = split(text)
        assert sink.items == []
        assert document.frontmatter == "name: demo\nversion: 1.0.0\n"
        assert document.frontmatter_offset == 4 and document.frontmatter_line == 2
        assert text[document.body_start:document.body_end] == BODY
        assert document.footer_offset == document.body_end
        assert document.footer == "\n\n## Notes\n<b>not parsed</b>\n"

    def test_delimiters_may_have_trailing_blanks(self):
        document, sink = split("--- \t\nname: demo\n---  \n" + BODY)
        assert sink.items == [] and document.frontmatter == "name: demo\n"

    def test_empty_frontmatter(self):
        document, sink = split("---\n---\n" + BODY)
        assert sink.items == [] and document.frontmatter == ""

    def test_missing_frontmatter_still_finds_the_body(self):
        document, sink = split(BODY)
        assert found(sink) == [("FS-YAML-001", 1, 1)]
        assert document.frontmatter is None and document.root is not None

    def test_unclosed_frontmatter(self):
        document, sink = split("---\nname: demo\nversion: 1.0.0\n")
        assert found(sink)[0] == ("FS-YAML-002", 1, 1)
        assert document.frontmatter is None

    def test_no_body_points_at_the_end_of_the_frontmatter(self):
        document, sink = split(HEAD + "\njust prose\n")
        assert found(sink) == [("FS-XML-001", 4, 1)]
        assert document.root is None and document.hash is None
        assert document.footer_offset == len(document.text)

    def test_body_start_skips_commented_workflows(self):
        text = HEAD + "<!-- <workflow> old </workflow> -->\n" + BODY
        document, sink = split(text)
        assert sink.items == []
        assert document.body_start == text.index("<workflow>\n")

    def test_workflow_prefix_is_not_the_body(self):
        _, sink = split(HEAD + "<workflows>\n")
        assert found(sink) == [("FS-XML-009", 5, 1), ("FS-XML-001", 4, 1)]

    def test_element_like_preamble_text_warns(self):
        document, sink = split(HEAD + "See <b>this</b> and a < b.\n" + BODY)
        assert found(sink) == [("FS-XML-009", 5, 5)]
        assert sink.items[0].severity == "warning" and document.root is not None

    def test_unterminated_comment_in_the_preamble(self):
        _, sink = split(HEAD + "<!-- never closed\n" + BODY)
        assert found(sink) == [("FS-XML-006", 5, 1)]

    @pytest.mark.parametrize(("declaration", "code"), [
        ("<!DOCTYPE workflow>", "FS-SEC-001"), ("<!doctype workflow>", "FS-SEC-001"),
        ('<!ENTITY x "y">', "FS-SEC-002"), ("<!ELEMENT x ANY>", "FS-SEC-002")])
    def test_declarations_in_the_preamble_stop_everything(self, declaration, code):
        document, sink = split(HEAD + "\n  " + declaration + "\n" + BODY + "&x;")
        assert found(sink) == [(code, 6, 3)]
        assert document.body_start is None and document.root is None

    def test_body_end_is_found_by_the_scanner(self):
        body = ('<workflow>\n  <!-- </workflow> -->\n  <set var="a" value="</workflow>"/>\n'
                '  <transform id="t" type="template"><template><![CDATA[</workflow>]]>'
                '</template></transform>\n</workflow >')
        text = HEAD + body + "</workflow>\n"
        document, sink = split(text)
        assert sink.items == []
        assert text[document.body_start:document.body_end] == body

    def test_self_closing_body(self):
        text = HEAD + "<workflow/>\nfooter"
        document, sink = split(text)
        assert sink.items == [] and document.footer == "\nfooter"
        assert document.root.self_closing

    def test_unclosed_body(self):
        document, sink = split(HEAD + "<workflow>\n  <delay duration='1s'/>\n")
        assert found(sink) == [("FS-XML-002", 5, 1)]
        assert document.body_end is None and document.hash is None


class TestHash:
    def test_hash_covers_the_bytes_up_to_the_body_end(self):
        text = HEAD + BODY + "\nfooter\n"
        document, _ = split(text)
        expected = hashlib.sha256((HEAD + BODY).encode()).hexdigest()
        assert document.hash == "sha256:" + expected

    def test_footer_changes_keep_the_hash(self):
        first, _ = split(HEAD + BODY + "\n## Log\nrun 1\n")
        second, _ = split(HEAD + BODY + "\n## Log\nrun 1\nrun 2\n")
        changed, _ = split(HEAD + BODY.replace("1s", "2s") + "\n## Log\nrun 1\n")
        assert first.hash == second.hash != changed.hash

    def test_bom_and_crlf_bytes_are_hashed_as_they_are(self):
        data = ("\ufeff" + HEAD + BODY).replace("\n", "\r\n").encode() + b"\r\nfooter"
        document, sink = split(data)
        assert sink.items == [] and document.bom
        assert document.hash == "sha256:" + hashlib.sha256(data[:-8]).hexdigest()

    def test_byte_offsets_account_for_bom_and_multibyte_text(self):
        data = ("\ufeff---\nname: é\n---\n" + BODY + "\nfooter").encode()
        document, _ = split(data)
        assert data[document.byte_offset(document.footer_offset):] == b"\nfooter"


class TestLineEndings:
    SOURCE = ("---\nname: demo\nversion: 1.0.0\ntagz: [a]\nruntime: {concurrency: 0}\n---\n"
              "<b>x</b>\n" '<workflow>\n  <delay id="d" duration="1s"/>\n'
              '  <transform id="t" type="template">\n    <template>a &nbsp; b</template>\n'
              "  </transform>\n</workflow>\n")

    @pytest.mark.parametrize("variant", ["lf", "crlf", "cr", "bom", "bom-crlf"])
    def test_positions_do_not_depend_on_line_breaks_or_bom(self, variant):
        text = self.SOURCE
        if "crlf" in variant:
            text = text.replace("\n", "\r\n")
        elif variant == "cr":
            text = text.replace("\n", "\r")
        if variant.startswith("bom"):
            text = "\ufeff" + text
        document, sink = split(text)
        load_frontmatter(document, sink)
        assert found(sink) == [("FS-XML-009", 7, 1), ("FS-SEC-003", 11, 17),
                               ("FS-YAML-006", 4, 1), ("FS-YAML-014", 5, 24)]
        template = document.root.children[3].children[1]
        assert (template.span.line, template.span.column) == (11, 5)
        assert template.children[0].value == "a &nbsp; b"

    def test_split_text_is_split_document_of_the_utf8_bytes(self):
        sink = DiagnosticSink()
        document = split_text(HEAD + BODY, sink)
        assert sink.items == [] and document.text == HEAD + BODY

    def test_split_text_rejects_lone_surrogates(self):
        sink = DiagnosticSink()
        assert split_text("---\n\udcff", sink) is None
        assert found(sink) == [("FS-FILE-002", 2, 1)]
