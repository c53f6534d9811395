"""Test support: the conformance HTTP test server, and builders for hand-made workflows.

The server is the corpus's own ``http_server.py`` (stdlib only), started as a subprocess
on 127.0.0.1; tests set its routes and read its hit counters and request log.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flowscript.ast import (
    Body,
    ConfigField,
    ConfigValue,
    ContextNode,
    DataNode,
    FieldSpec,
    Frontmatter,
    Node,
    Phase,
    Runtime,
    SetNode,
    Span,
    Text,
    Workflow,
    WorkflowOutput,
)
from flowscript.engine.planning import PlanFacts

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"
SERVER_SCRIPT = CORPUS / "servers" / "http_server.py"
CASES = CORPUS / "cases"


class HttpServer:
    """The conformance HTTP server in a subprocess; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(SERVER_SCRIPT)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline().strip())
        self.url = f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def routes(self, table: Mapping[str, Any]) -> None:
        """Replace the route table; resets counters and the log."""
        self._call("POST", "/_routes", dict(table))

    def hits(self, path: str) -> dict[str, Any]:
        return self._call("GET", "/_hits" + path)

    def log(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_log")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


# ---------------------------------------------------------------------------------------
# Builders

SPAN = Span(1, 1)


def text(value: str) -> Text:
    return Text(value, SPAN)


def data(node_id: str, element: str, type_: str, *, input: str | None = None,
         timeout: str | None = None, **config: Any) -> DataNode:
    """A data node; keyword arguments are configuration keys (``_`` for ``-``)."""
    attributes = {}
    if input is not None:
        attributes["input"] = text(input)
    if timeout is not None:
        attributes["timeout"] = text(timeout)
    return DataNode(element=element, span=SPAN, attributes=attributes, id=node_id,
                    kind=f"{element}:{type_}", type=type_,
                    config={key.replace("_", "-"): ConfigValue(value, SPAN)
                            for key, value in config.items()})


def template(node_id: str, source: str, **kw: Any) -> DataNode:
    return data(node_id, "transform", "template", template=source, **kw)


def set_node(node_id: str, var: str, value: str, *, input: str | None = None) -> SetNode:
    attributes = {"input": text(input)} if input is not None else {}
    return SetNode(element="set", span=SPAN, attributes=attributes, id=node_id,
                   kind="state:set", var=text(var), value=text(value))


def context(node_id: str, entries: Mapping[str, str], *, scope: str | None = None
            ) -> ContextNode:
    sets = tuple(set_node(f"{node_id}-{k}", k, v) for k, v in entries.items())
    attributes = {"scope": text(scope)} if scope else {}
    return ContextNode(element="context", span=SPAN, attributes=attributes, id=node_id,
                       kind="state:context", entries=sets)


def phase(name: str, *nodes: Node) -> Phase:
    return Phase(element="phase", span=SPAN, name=name, nodes=tuple(nodes))


def workflow(*items: Node | Phase, config: Mapping[str, ConfigField] | None = None,
             config_fields: Mapping[str, ConfigField] | None = None,
             secrets: Iterable[str] = (), env: Iterable[str] = (),
             input: Mapping[str, FieldSpec] | None = None,
             output_schema: Mapping[str, FieldSpec] | None = None,
             output: WorkflowOutput | None = None, runtime: Runtime | None = None,
             path: str | None = None) -> Workflow:
    front = Frontmatter(name="test", version="1.0",
                        config=dict(config or config_fields or {}),
                        secrets=tuple(secrets), env=tuple(env), input=input,
                        output=output_schema, runtime=runtime or Runtime())
    body = Body(element="workflow", span=SPAN, items=tuple(items), output=output)
    return Workflow(path=path, source="", frontmatter=front, body=body, hash="sha256:0")


def output_fields(**fields: str) -> WorkflowOutput:
    return WorkflowOutput(element="output", span=SPAN, fields=tuple(
        set_node(f"out-{name}", name, value) for name, value in fields.items()))


def facts(wf: Workflow, dependencies: Mapping[str, Iterable[str]] | None = None, *,
          input_refs: Mapping[str, Iterable[str]] | None = None,
          handlers: Iterable[str] = ()) -> PlanFacts:
    """Plan facts for a hand-built workflow: the given dependencies and input references
    (a real ``ExecutionPlan`` over them, waves by Kahn)."""
    from dataclasses import replace

    from flowscript.planner import ExecutionPlan

    deps = {node.id: tuple((dependencies or {}).get(node.id, ()))
            for node, _ in wf.body.top_level()}
    plan = ExecutionPlan.from_dependencies(deps, handlers=handlers)
    for node_id, refs in (input_refs or {}).items():
        plan.nodes[node_id] = replace(plan.nodes[node_id], input_references=tuple(refs))
    ids = frozenset(node.id for top, _ in wf.body.top_level() for node in top.walk())
    phases = {p.name: tuple(n.id for n in p.nodes) for p in wf.body.phases()}
    return PlanFacts(plan=plan,
                     declared=ids | frozenset(phases) | frozenset(wf.frontmatter.config),
                     referable=ids, phases=phases)


def runtime(**settings: Any) -> Runtime:
    """Frontmatter ``runtime`` settings, ignoring ``None`` values."""
    return Runtime(**{key: value for key, value in settings.items() if value is not None})


async def run_nodes(*nodes: Node, base_dir: Any = None, dependencies: Any = None,
                    **options: Any) -> Any:
    """Run hand-built top-level nodes (in one wave unless ``dependencies`` say otherwise)
    and return the final state; a failed run returns the state of its ``RunError``."""
    from flowscript.engine.api import prepare
    from flowscript.engine.options import ExecutionOptions
    from flowscript.errors import RunError

    config = options.pop("config", None)
    wf = workflow(*nodes, **{k: options.pop(k) for k in ("env", "secrets", "runtime",
                                                          "config_fields") if k in options})
    executor = prepare(wf, facts(wf, dependencies), config=config, input=options.pop(
        "input", None), secrets=options.pop("secret_values", None),
        options=ExecutionOptions(base_dir=base_dir, **options),
        environ=options.pop("environ", {}))
    try:
        return await executor.execute()
    except RunError as error:
        return error.state
    finally:
        await executor.aclose()
