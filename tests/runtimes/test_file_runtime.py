"""``<source type="file">`` and ``<sink type="file">`` on real files (SPEC §3.8, §3.16,
§12.5)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowscript.ast import ConfigField

from ..run.support import data, run_nodes, template


def source(node_id: str, path: str, **config: Any) -> Any:
    return data(node_id, "source", "file", path=path, **config)


def sink(node_id: str, path: str, **config: Any) -> Any:
    return data(node_id, "sink", "file", path=path, **config)


async def read(tmp_path: Path, name: str, content: str | bytes, **config: Any) -> Any:
    target = tmp_path / name
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    state = await run_nodes(source("read", name, **config), base_dir=tmp_path)
    return state.nodes["read"]


@pytest.mark.parametrize(("name", "content", "config", "expected"), [
    ("a.json", '{"a": [1, 2.5, null]}', {}, {"a": [1, 2.5, None]}),
    ("a.jsonl", '{"a": 1}\n\n"x"\n[2]\n', {}, [{"a": 1}, "x", [2]]),
    ("a.ndjson", "1\n2", {}, [1, 2]),
    ("a.csv", 'name,age\nAda,36\n"Lovelace, Ada",27\n\nBo\nCy,1,extra\n', {},
     [{"name": "Ada", "age": "36"}, {"name": "Lovelace, Ada", "age": "27"},
      {"name": "Bo", "age": ""}, {"name": "Cy", "age": "1"}]),
    ("a.csv", "a;b\n1;2\n", {"delimiter": ";", "header": "false"}, [["a", "b"], ["1", "2"]]),
    ("a.yaml", "service:\n  name: api\n  replicas: 2\nregions: [eu, us]\n", {},
     {"service": {"name": "api", "replicas": 2}, "regions": ["eu", "us"]}),
    ("a.yml", "base: &b {x: 1}\nother: *b\nwhen: 2024-01-02\n", {},
     {"base": {"x": 1}, "other": {"x": 1}, "when": "2024-01-02"}),
    ("a.txt", "hello there\n", {}, "hello there\n"),
    ("notes", "no extension", {}, "no extension"),
    ("a.txt", "carol\r\nalice\nbob\n", {"format": "lines"}, ["carol", "alice", "bob"]),
    ("a.txt", "", {"format": "lines"}, []),
    ("a.data", '{"forced": true}', {"format": "json"}, {"forced": True}),
    ("latin.txt", "café".encode("latin-1"), {"encoding": "latin-1"}, "café"),
])
async def test_formats_parse(tmp_path: Path, name: str, content: str | bytes,
                             config: dict[str, Any], expected: Any) -> None:
    result = await read(tmp_path, name, content, **config)
    assert result.status == "success", result.error
    assert result.output == expected


@pytest.mark.parametrize(("name", "content", "error_type"), [
    ("bad.json", "{oops", "FormatError"),
    ("nan.json", "[NaN]", "FormatError"),
    ("bad.jsonl", '1\n{"a": \n', "FormatError"),
    ("bad.yaml", "a: [1, 2", "FormatError"),
    ("tag.yaml", "a: !!python/object:os.system x", "FormatError"),
    ("local.yaml", "a: !mine 1", "FormatError"),
    ("set.yaml", "a: !!set {x: null}", "FormatError"),
    ("inf.yaml", "a: .inf", "FormatError"),
    ("bad.txt", b"\xff\xfe\xfa", "FormatError"),
])
async def test_content_that_does_not_parse_is_a_format_error(
        tmp_path: Path, name: str, content: str | bytes, error_type: str) -> None:
    result = await read(tmp_path, name, content)
    assert result.status == "failed"
    assert result.error["type"] == error_type and result.error["retryable"] is False


async def test_yaml_alias_expansion_is_bounded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    result = await read(tmp_path, "laughs.yaml", "\n".join(lines))
    assert result.status == "failed" and result.error["type"] == "FormatError"
    assert "expands" in result.error["message"]


async def test_missing_file_and_directory_are_file_errors(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    state = await run_nodes(source("missing", "nowhere/missing.json"),
                            source("folder", "folder"), base_dir=tmp_path)
    assert state.nodes["missing"].error["type"] == "FileError"
    assert "missing.json" in state.nodes["missing"].error["message"]
    assert state.nodes["folder"].error["type"] == "FileError"


async def test_paths_are_confined_to_the_base_directory(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (tmp_path / "outside.json").write_text('{"secret": "outside"}')
    (base / "link.json").symlink_to(tmp_path / "outside.json")
    state = await run_nodes(source("up", "../outside.json"),
                            source("absolute", str(tmp_path / "outside.json")),
                            source("link", "link.json"), source("nul", "a\x00b"),
                            sink("write", "../escape.json", content="x"), base_dir=base)
    for key in ("up", "absolute", "link", "nul", "write"):
        assert state.nodes[key].error["type"] == "PathError", key
        assert state.nodes[key].error["retryable"] is False
    assert not (tmp_path / "escape.json").exists()
    lifted = await run_nodes(source("up", "../outside.json"), base_dir=base,
                             restrict_paths=False)
    assert lifted.nodes["up"].output == {"secret": "outside"}


@pytest.mark.parametrize(("name", "config", "value", "expected_text"), [
    ("o.json", {}, {"b": 1, "a": [1, "é"]},
     '{\n  "b": 1,\n  "a": [\n    1,\n    "é"\n  ]\n}\n'),
    ("o.json", {"pretty": "false"}, {"b": 1.5, "a": None}, '{"b":1.5,"a":null}\n'),
    ("o.jsonl", {}, [{"a": 1}, "x"], '{"a":1}\n"x"\n'),
    ("o.jsonl", {}, {"single": True}, '{"single":true}\n'),
    ("o.csv", {}, [{"name": "Ada", "age": 37}, {"name": "Lovelace, Ada", "x": True}],
     'name,age,x\nAda,37,\n"Lovelace, Ada",,true\n'),
    ("o.csv", {"delimiter": ";"}, [["a", 1], ["b", None]], "a;1\nb;\n"),
    ("o.txt", {}, "HELLO", "HELLO"),
    ("o.txt", {}, {"a": 1}, '{"a":1}'),
    ("o.out", {"format": "lines"}, ["b", 2, None], "b\n2\n\n"),
    ("unknown", {}, "plain", "plain"),
    ("unknown", {}, [1, 2], "[\n  1,\n  2\n]\n"),
])
async def test_sink_formats_serialise(tmp_path: Path, name: str, config: dict[str, Any],
                                      value: Any, expected_text: str) -> None:
    producer = template("value", "{{ " + json.dumps(value) + " }}")
    state = await run_nodes(producer, sink("write", f"out/{name}", input="value", **config),
                            base_dir=tmp_path, dependencies={"write": ["value"]})
    result = state.nodes["write"]
    assert result.status == "success", result.error
    written = (tmp_path / "out" / name).read_bytes()
    assert written.decode() == expected_text
    assert result.output["path"] == f"out/{name}"
    assert result.output["bytes"] == len(written)


async def test_yaml_sink_keeps_key_order(tmp_path: Path) -> None:
    state = await run_nodes(sink("write", "s.yaml", content="{{ {service: 'api', n: 4} }}"),
                            base_dir=tmp_path)
    assert state.nodes["write"].output["format"] == "yaml"
    text = (tmp_path / "s.yaml").read_text()
    assert text.startswith("service: api\n") and yaml.safe_load(text) == {
        "service": "api", "n": 4}


async def test_sink_writes_atomically_and_creates_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_text("old")
    state = await run_nodes(sink("one", "a/f.txt", content="new"),
                            sink("two", "deep/er/f.txt", content="made"), base_dir=tmp_path)
    assert state.status == "completed"
    assert (tmp_path / "a" / "f.txt").read_text() == "new"
    assert (tmp_path / "deep" / "er" / "f.txt").read_text() == "made"
    assert sorted(os.listdir(tmp_path / "a")) == ["f.txt"], "no temporary file left"


async def test_mkdir_false_needs_the_directory(tmp_path: Path) -> None:
    state = await run_nodes(sink("write", "missing/f.txt", content="x", mkdir="false"),
                            base_dir=tmp_path)
    assert state.nodes["write"].error["type"] == "FileError"


async def test_append_mode(tmp_path: Path) -> None:
    rows = template("rows", "{{ [{a: 1, b: 2}] }}")
    for _ in range(2):
        state = await run_nodes(
            rows, sink("csv", "log.csv", input="rows", mode="append"),
            sink("lines", "log.txt", content="{{ ['x', 'y'] }}", format="lines",
                 mode="append"),
            sink("jsonl", "log.jsonl", input="rows", mode="append"),
            base_dir=tmp_path, dependencies={"csv": ["rows"], "jsonl": ["rows"]})
        assert state.status == "completed"
    assert (tmp_path / "log.csv").read_text() == "a,b\n1,2\n1,2\n"
    assert (tmp_path / "log.txt").read_text() == "x\ny\nx\ny\n"
    assert (tmp_path / "log.jsonl").read_text() == '{"a":1,"b":2}\n' * 2
    refused = await run_nodes(sink("json", "x.json", content="1", mode="append"),
                              base_dir=tmp_path)
    assert refused.nodes["json"].error["type"] == "ConfigError"


async def test_templated_paths_and_content(tmp_path: Path) -> None:
    fields = {"day": ConfigField(name="day", type="string", default="2024-01-01",
                                 has_default=True)}
    state = await run_nodes(
        sink("write", "out/{{ $config.day }}/{{ lower($input.name) }}.json",
             content="{{ {who: $input.name} }}"),
        base_dir=tmp_path, config_fields=fields, config={"day": "2025-06-30"},
        input={"name": "Ada"})
    assert state.status == "completed", state.error
    assert json.loads((tmp_path / "out/2025-06-30/ada.json").read_text()) == {"who": "Ada"}
    assert state.nodes["write"].output["path"] == "out/2025-06-30/ada.json"


async def test_a_bad_delimiter_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("a\n1\n")
    result = await read(tmp_path, "a.csv", "a\n1\n", delimiter="::")
    assert result.error["type"] == "ConfigError"
