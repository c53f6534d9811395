"""``inspect`` outputs (SPEC §10.4, §10.8): the JSON document, text, Mermaid and DOT."""

from __future__ import annotations

import json
import shutil
import subprocess

import pydot
import pytest

from flowscript.inspect import inspect_json, inspect_text, render, to_dot, to_mermaid

from .conftest import locate

BODY = """
    <workflow>
      <phase name="gather">
        <source id="fetch-data" type="http" url="http://example.com/x">
          <on-error><fallback node="cached"/></on-error>
        </source>
        <source id="cached" type="file"><path>cache.json</path></source>
      </phase>
      <phase name="deliver">
        <if id="check" condition="length(fetch-data) &gt; 0">
          <then><goto node="alert"/></then>
        </if>
        <sink id="save" type="file" input="fetch-data"><path>out "x".json</path></sink>
      </phase>
      <transform id="alert" type="template"><template>{{ 'a' }}</template></transform>
      <schema name="Row"><field name="id" type="integer"/></schema>
    </workflow>
"""
FRONT = """
description: Pulls data
tags: [demo]
config:
  limit: 5
"""


@pytest.fixture
def made(workflow):
    return workflow(BODY, FRONT)


def test_json_document(made) -> None:
    document = inspect_json(made)
    json.dumps(document)                                   # plain JSON values only
    assert set(document) == {"workflow", "phases", "nodes", "plan", "ast", "diagnostics"}
    assert document["workflow"]["name"] == "t"
    assert document["workflow"]["tags"] == ["demo"]
    assert document["workflow"]["config"]["limit"]["default"] == 5
    assert document["phases"] == ["gather", "deliver"]
    nodes = {n["id"]: n for n in document["nodes"]}
    assert list(nodes) == ["fetch-data", "cached", "check", "save", "alert"]
    line, column = locate(made.source, '<sink id="save"')
    assert nodes["save"] == {"id": "save", "kind": "sink:file", "phase": "deliver",
                             "line": line, "column": column, "depends_on": ["fetch-data"],
                             "handler": False}
    assert nodes["cached"]["handler"] and nodes["alert"]["handler"]
    assert document["plan"] == [["fetch-data", "cached", "alert"], ["check", "save"]]
    assert document["diagnostics"] == []


def test_json_ast(made) -> None:
    root = inspect_json(made)["ast"]
    assert root["element"] == "workflow" and root["kind"] is None and root["id"] is None
    assert [c["element"] for c in root["children"]] == ["phase", "phase", "transform",
                                                        "schema"]
    gather = root["children"][0]
    assert gather["attributes"]["name"] == "gather"
    fetch = gather["children"][0]
    assert set(fetch) == {"element", "kind", "id", "attributes", "config", "children",
                          "line", "column"}
    assert (fetch["element"], fetch["kind"], fetch["id"]) == ("source", "source:http",
                                                             "fetch-data")
    assert fetch["config"]["url"] == "http://example.com/x"
    assert fetch["children"][0]["element"] == "on-error"
    assert fetch["children"][0]["children"][0]["attributes"]["node"] == "cached"
    check = root["children"][1]["children"][0]
    assert check["children"][0]["element"] == "then"
    assert check["children"][0]["children"][0]["kind"] == "control:goto"


def test_json_includes_diagnostics(workflow) -> None:
    made = workflow("""
        <workflow>
          <transform id="a" type="template" input="b"><template>x</template></transform>
          <transform id="b" type="template" input="a"><template>x</template></transform>
        </workflow>
    """)
    document = inspect_json(made)
    assert [d["code"] for d in document["diagnostics"]] == ["FS-CYCLE-001"]
    assert document["plan"] == []                           # the cycle leaves no wave


def test_text_summary(made) -> None:
    text = inspect_text(made)
    assert "workflow t 1.0.0" in text
    assert "phases: gather, deliver" in text
    assert "save" in text and "depends on: fetch-data" in text
    assert "[handler]" in text
    assert "fetch-data -fallback-> cached" in text and "check -goto-> alert" in text
    assert "wave 0: fetch-data, cached, alert" in text
    assert "wave 1: check, save" in text


def test_mermaid(made) -> None:
    chart = to_mermaid(made)
    lines = chart.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  subgraph phase0["gather"]' in lines and '  subgraph phase1["deliver"]' in lines
    assert '    n0["fetch-data<br/>source:http"]' in lines
    assert '  n4(["alert<br/>transform:template"])' in lines
    assert "  n0 --> n3" in lines                          # fetch-data → save
    assert "  n0 -. fallback .-> n1" in lines
    assert "  n2 -. goto .-> n4" in lines
    assert '"' not in chart.replace('["', "").replace('"]', "")


def test_mermaid_escapes_labels(workflow) -> None:
    made = workflow("""
        <workflow>
          <phase name="a-b"><delay id="x" duration="1s"/></phase>
        </workflow>
    """)
    assert 'subgraph phase0["a-b"]' in to_mermaid(made)


# pydot still calls pyparsing's camelCase API, which warns on recent pyparsing
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dot_parses_and_renders(made, tmp_path) -> None:
    text = to_dot(made)
    (graph,) = pydot.graph_from_dot_data(text)
    assert graph.get_name() == '"t"'
    clusters = {g.get_name(): g for g in graph.get_subgraphs()}
    assert set(clusters) == {'"cluster_gather"', '"cluster_deliver"'}
    names = {n.get_name() for n in clusters['"cluster_gather"'].get_nodes()}
    assert names == {'"fetch-data"', '"cached"'}
    edges = {(e.get_source(), e.get_destination()): e for e in graph.get_edges()}
    assert ('"fetch-data"', '"save"') in edges
    dashed = edges[('"check"', '"alert"')]
    assert dashed.get("style") == "dashed" and dashed.get("label") == '"goto"'
    if shutil.which("dot") is None:
        return                     # rendering needs Graphviz; parsing is checked above
    output = tmp_path / "graph.svg"
    subprocess.run(["dot", "-Tsvg", "-o", str(output)], input=text, text=True,
                   check=True, capture_output=True)
    svg = output.read_text(encoding="utf-8")
    assert "cluster_gather" in svg and ">alert<" in svg and "fetch&#45;data" in svg


def test_render_formats(made) -> None:
    assert json.loads(render(made, "json"))["phases"] == ["gather", "deliver"]
    assert render(made, "dot").startswith("digraph")
    assert render(made, "mermaid").startswith("flowchart TD")
    assert render(made, "text").startswith("workflow t")
    with pytest.raises(ValueError, match="unknown inspect format"):
        render(made, "yaml")
