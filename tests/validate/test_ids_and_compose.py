"""Unique ids and shadowing names (FS-ID-001, -003, -004); include/call targets and cycles
(FS-REF-010, FS-CYCLE-003); the order and merging of diagnostics."""

from __future__ import annotations

from pathlib import Path

from flowscript.validation import analyse, validate

from .conftest import flow, locate, parse_workflow


def check(workflow, body: str, front: str = "") -> tuple[list[tuple], str]:
    made = workflow(body, front)
    return [(d.code, d.line, d.column) for d in validate(made)], made.source


def test_ids_and_phase_names_share_one_namespace(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <transform id="load" type="template"><template>a</template></transform>
          <phase name="load">
            <transform id="x" type="template"><template>b</template></transform>
          </phase>
          <loop id="again" max="1">
            <transform id="x" type="template"><template>c</template></transform>
          </loop>
          <on-workflow-error>
            <transform id="again" type="template"><template>d</template></transform>
          </on-workflow-error>
        </workflow>
    """)
    assert found == [("FS-ID-001", *locate(source, "load", 2)),
                     ("FS-ID-001", *locate(source, "x", 3)),
                     ("FS-ID-001", *locate(source, "again", 2))]


def test_shadowing_names_are_warnings(workflow) -> None:
    made = workflow("""
        <workflow>
          <transform id="total" type="template"><template>t</template></transform>
          <context id="vars"><set key="total" value="0"/></context>
          <foreach id="each" collection="[1]" item="total">
            <transform id="x" type="template"><template>{{ total }}</template></transform>
          </foreach>
          <transform id="input" type="template"><template>i</template></transform>
        </workflow>
    """)
    diagnostics = validate(made)
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("FS-ID-003", "warning", *locate(made.source, "total", 2)),
        ("FS-ID-003", "warning", *locate(made.source, "total", 3)),
        ("FS-ID-003", "warning", *locate(made.source, "input\""))]


def test_schema_element_repeating_a_frontmatter_schema(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <schema name="Person"><field name="name" type="string"/></schema>
        </workflow>
    """, "schemas:\n  Person: '{name: string}'")
    assert found == [("FS-ID-004", *locate(source, "Person\">"))]


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(flow(body), encoding="utf-8")
    return path


def test_missing_and_unparseable_include_targets(tmp_path: Path) -> None:
    (tmp_path / "broken.flow.md").write_text("no frontmatter\n", encoding="utf-8")
    main = _write(tmp_path, "main.flow.md", """
        <workflow>
          <include id="a" workflow="missing.flow.md"/>
          <call id="b" workflow="broken.flow.md"/>
          <include id="c" workflow="{{ $input.file }}"/>
        </workflow>
    """)
    made = parse_workflow(main.read_text(encoding="utf-8"), str(main))
    diagnostics = validate(made)
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("FS-REF-010", "warning", *locate(made.source, "missing.flow.md")),
        ("FS-REF-010", "warning", *locate(made.source, "broken.flow.md"))]


def test_include_cycle_through_another_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    main = _write(tmp_path, "main.flow.md", """
        <workflow>
          <include id="to-b" workflow="sub/b.flow.md"/>
        </workflow>
    """)
    _write(tmp_path / "sub", "b.flow.md", """
        <workflow>
          <call id="to-c" workflow="c.flow.md"/>
        </workflow>
    """)
    _write(tmp_path / "sub", "c.flow.md", """
        <workflow>
          <include id="home" workflow="../main.flow.md"/>
        </workflow>
    """)
    made = parse_workflow(main.read_text(encoding="utf-8"), str(main))
    diagnostics = validate(made)
    assert [(d.code, d.line) for d in diagnostics] == [
        ("FS-CYCLE-003", locate(made.source, "sub/b")[0])]
    assert "main.flow.md -> b.flow.md -> c.flow.md -> main.flow.md" in diagnostics[0].message


def test_parser_diagnostics_come_first_in_order(workflow) -> None:
    made = workflow("""
        <workflow>
          <transform id="a" type="template" input="nothing"><template>x</template></transform>
          <transfrom id="b" type="template"><template>y</template></transfrom>
        </workflow>
    """, "colour: red")
    diagnostics = validate(made)
    assert [d.code for d in diagnostics] == ["FS-YAML-006", "FS-REF-001", "FS-STRUCT-001"]
    assert diagnostics == sorted(diagnostics, key=lambda d: d.sort_key())
    assert not analyse(made).valid
    assert validate(made) == diagnostics          # cached analysis, same answer
