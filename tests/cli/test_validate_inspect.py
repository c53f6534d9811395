"""``flowscript validate`` and ``inspect``: exit codes, the §10.8 JSON, the §10.9 text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

VALID = """---
name: demo
version: 1.0.0
---
<workflow>
  <source id="fetch-data" type="file" path="in.json"/>
  <transform id="total" type="reduce" input="fetch-data">
    <reducer>acc + item</reducer>
    <initial>0</initial>
  </transform>
</workflow>
"""


def write(tmp_path: Path, text: str, name: str = "w.flow.md") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def test_valid_file_exits_0_with_a_count_line(cli, tmp_path: Path) -> None:
    result = cli("validate", write(tmp_path, VALID))
    assert result.exit_code == 0
    assert "w.flow.md: 0 errors, 0 warnings" in result.stdout


def test_unknown_input_reference_has_code_frame_caret_and_hint(cli, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('input="fetch-data"', 'input="fetch-dta"'))
    result = cli("validate", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == 'w.flow.md:7:46: error FS-REF-001: input references unknown node "fetch-dta"'
    assert lines[1].strip().startswith("7 |") and 'input="fetch-dta"' in lines[1]
    assert lines[2].rstrip().endswith("^~~~~~~~~")
    assert lines[2].index("^") == lines[1].index("fetch-dta")
    assert '= hint: did you mean "fetch-data"?' in result.stdout


def test_json_format_lists_each_file(cli, tmp_path: Path) -> None:
    good = write(tmp_path, VALID, "good.flow.md")
    bad = write(tmp_path, VALID.replace("<reducer>", "<reducr>").replace("</reducer>",
                                                                         "</reducr>"),
                "bad.flow.md")
    result = cli("validate", "--format", "json", good, bad)
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [(f["path"], f["valid"]) for f in files] == [(good, True), (bad, False)]
    codes = {d["code"] for d in files[1]["diagnostics"]}
    assert "FS-STRUCT-002" in codes or "FS-STRUCT-001" in codes
    first = files[1]["diagnostics"][0]
    assert set(first) == {"code", "severity", "message", "line", "column", "hints"}


@pytest.mark.parametrize(("content", "code"), [
    (b"", "FS-FILE-003"),
    (b"   \n\t\n", "FS-FILE-003"),
    (b"\xff\xfe\x00binary", "FS-FILE-002"),
    (b"no frontmatter here\n", "FS-YAML-001"),
    (b"---\nname: x\n", "FS-YAML-002"),
])
def test_unreadable_files_are_reported_not_raised(cli, tmp_path: Path, content: bytes,
                                                  code: str) -> None:
    (tmp_path / "f.flow.md").write_bytes(content)
    result = cli("validate", "--format", "json", "f.flow.md")
    assert result.exit_code == 1
    diagnostics = json.loads(result.stdout)["files"][0]["diagnostics"]
    assert code in {d["code"] for d in diagnostics}
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_file_and_directory_are_fs_file_001(cli, tmp_path: Path) -> None:
    (tmp_path / "dir.flow.md").mkdir()
    result = cli("validate", "--format", "json", "missing.flow.md", "dir.flow.md")
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [f["diagnostics"][0]["code"] for f in files] == ["FS-FILE-001", "FS-FILE-001"]
    assert files[0]["diagnostics"][0]["line"] is None


def test_strict_makes_warnings_invalid(cli, tmp_path: Path) -> None:
    text = VALID.replace("---\n<workflow>", "secrets: [UNUSED_TOKEN]\n---\n<workflow>")
    path = write(tmp_path, text)
    assert cli("validate", path).exit_code == 0
    strict = cli("validate", "--strict", path)
    assert strict.exit_code == 1
    assert "FS-REF-011" in strict.stdout


def test_usage_errors_exit_2(cli) -> None:
    assert cli("validate").exit_code == 2
    assert cli("validate", "--format", "xml", "x").exit_code == 2
    assert cli("frobnicate").exit_code == 2


def test_inspect_json_has_nodes_plan_and_ast(cli, tmp_path: Path) -> None:
    result = cli("inspect", "--format", "json", write(tmp_path, VALID))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["workflow"]["name"] == "demo"
    assert document["plan"] == [["fetch-data"], ["total"]]
    total = next(n for n in document["nodes"] if n["id"] == "total")
    assert total["depends_on"] == ["fetch-data"] and total["kind"] == "transform:reduce"
    root = document["ast"]
    assert root["element"] == "workflow"
    assert [c["id"] for c in root["children"]] == ["fetch-data", "total"]


def test_inspect_mermaid_and_dot_draw_the_dependency(cli, tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    mermaid = cli("inspect", "--format", "mermaid", path).stdout
    assert mermaid.startswith("flowchart TD")
    assert "fetch-data" in mermaid and "-->" in mermaid
    dot = cli("inspect", "--format", "dot", path).stdout
    import pydot
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs and len(graphs[0].get_edges()) == 1


def test_inspect_of_unparseable_file_exits_2(cli, tmp_path: Path) -> None:
    result = cli("inspect", write(tmp_path, "---\nname: x\nversion: 1.0\n---\n<workflow>"))
    assert result.exit_code == 2
    assert "FS-XML-002" in result.stdout + result.stderr
