"""Hostile and malformed input never produces a traceback (SPEC §10.1, §12.1–§12.2):
the right exit code, a diagnostic with its line, promptly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import flowscript

HEAD = "---\nname: hostile\nversion: 1.0.0\n---\n"
BILLION_LAUGHS = HEAD + """<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<workflow><transform id="t" type="template"><template>&lol2;</template></transform></workflow>
"""
XXE = HEAD + """<workflow>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<transform id="t" type="template"><template>&xxe;</template></transform>
</workflow>
"""
PYTHON_TAG = ("---\nname: !!python/object/apply:os.system ['echo pwned']\n"
              "version: 1.0.0\n---\n<workflow/>\n")
DEEP = HEAD + "<workflow>" + "<if condition='true'><then>" * 5000 + "\n</workflow>\n"

CASES = {
    "billion-laughs": (BILLION_LAUGHS, "FS-SEC-001", 5),
    "xxe": (XXE, ["FS-SEC-001", "FS-SEC-002"], 6),
    "python-tag": (PYTHON_TAG, "FS-SEC-004", 2),
    "deep-nesting": (DEEP, "FS-SEC-007", 5),
    "unclosed": (HEAD + "<workflow>\n  <source id='a' type='file'>\n", "FS-XML-002", 6),
    "entity": (HEAD + "<workflow><set var='x' value='&nbsp;'/></workflow>\n", "FS-SEC-003", 5),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("command", ["validate", "run", "inspect"])
def test_hostile_file(tmp_path: Path, name: str, command: str) -> None:
    text, code, line = CASES[name]
    (tmp_path / "h.flow.md").write_text(text, encoding="utf-8")
    args = [command, "h.flow.md"] + (["--format", "json"] if command != "inspect" else [])
    result = flowscript(*args, cwd=tmp_path, timeout=20)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == (1 if command == "validate" else 2), output
    codes = [code] if isinstance(code, str) else code
    assert any(c in output for c in codes), output
    if command == "validate":
        diagnostics = json.loads(result.stdout)["files"][0]["diagnostics"]
        assert any(d["code"] in codes and d["line"] == line for d in diagnostics), diagnostics
    assert not (tmp_path / "pwned").exists()


def test_twenty_thousand_nodes_validate(tmp_path: Path) -> None:
    nodes = "".join(f'<transform id="n{i}" type="template"><template>{i}</template>'
                    "</transform>\n" for i in range(20_000))
    (tmp_path / "big.flow.md").write_text(HEAD + "<workflow>\n" + nodes + "</workflow>\n",
                                          encoding="utf-8")
    result = flowscript("validate", "big.flow.md", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stdout[-2000:]


def test_invalid_utf8_points_at_the_bad_byte(tmp_path: Path) -> None:
    (tmp_path / "bad.flow.md").write_bytes(HEAD.encode() + b"<workflow>\n\xc3\x28\n</workflow>")
    result = flowscript("validate", "--format", "json", "bad.flow.md", cwd=tmp_path)
    diagnostic = json.loads(result.stdout)["files"][0]["diagnostics"][0]
    assert (diagnostic["code"], diagnostic["line"]) == ("FS-FILE-002", 6)


def test_help_and_version(tmp_path: Path) -> None:
    assert "validate" in flowscript("--help", cwd=tmp_path).stdout
    assert flowscript("--version", cwd=tmp_path).returncode == 0
