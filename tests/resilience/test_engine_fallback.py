"""Fallbacks (SPEC §7.6): the handler runs once, inline, with ``$primaryError`` and
``$primaryInput``, under its own ``<on-error>`` only; its success recovers the node, its
failure is recorded as ``fallback_error``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowscript.errors import HttpError, NodeError

from .engine_support import flaky, hits, run_flow


def source(node_id: str, path: str, extra: str = "", attributes: str = "") -> str:
    return (f'<source id="{node_id}" type="http"{attributes}>\n'
            f'  <request>\n    url: "{{{{ $env.FS_TEST_HTTP }}}}{path}"\n  </request>\n'
            f"  {extra}\n</source>\n")


REPORT = """<transform id="report" type="template">
  <template>{{ {error: $primaryError, input: $primaryInput, plain: input} }}</template>
</transform>"""


async def test_the_handler_sees_the_primary_error_and_input(server: Any,
                                                            tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 503, "json": {"error": "down"}}})
    body = ('<transform id="params" type="template"><template>{{ {region: "eu"} }}'
            "</template></transform>\n"
            + source("primary", "/primary", '<on-error><retry max="1" base="50ms"/>'
                     '<fallback node="report"/></on-error>', ' input="params"')
            + REPORT
            + '<transform id="how" type="template" input="primary">'
              "<template>{{ $nodes.primary.recovered_by }}</template></transform>")
    run = await run_flow(tmp_path, body, server)
    assert run.state.status == "completed"
    primary = run.node("primary")
    assert primary.status == "success" and primary.recovered_by == "report"
    assert primary.error["type"] == "HttpError" and primary.error["status"] == 503
    assert primary.attempts == 2 and primary.fallback_error is None
    seen = primary.output
    assert seen["error"] == {"type": "HttpError", "message": primary.error["message"],
                             "status": 503, "attempts": 2, "node": "primary"}
    assert seen["input"] == {"region": "eu"} and seen["plain"] == {"region": "eu"}
    assert run.node("report").status == "success" and run.node("report").output == seen
    assert run.node("how").output == "report"
    assert hits(server, "/primary") == 2
    finished = [e for e in run.of_type("node_finished") if e["key"] == "primary"]
    assert finished[0]["status"] == "success" and finished[0]["error"]["status"] == 503


async def test_the_fallback_is_not_retried_under_the_primary_policy(
        server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 503}, "/backup": {"status": 502}})
    body = (source("primary", "/primary", '<on-error><retry max="2" base="50ms"/>'
                   '<fallback node="backup"/></on-error>')
            + source("backup", "/backup"))
    run = await run_flow(tmp_path, body, server, front="runtime:\n  retry: 3\n")
    primary = run.node("primary")
    assert (primary.status, primary.attempts) == ("failed", 3)
    assert primary.error["status"] == 503, "the node fails with its primary error"
    assert primary.fallback_error["status"] == 502
    assert primary.fallback_error["node"] == "backup"
    assert run.node("backup").status == "failed" and run.node("backup").attempts == 1
    assert hits(server, "/primary") == 3 and hits(server, "/backup") == 1
    assert isinstance(run.error, NodeError) and isinstance(run.error.cause, HttpError)
    assert run.error.cause.status == 503


async def test_the_fallback_uses_its_own_retry(server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 400},
                   "/backup": flaky({"status": 503}, {"json": {"from": "backup"}})})
    body = (source("primary", "/primary", '<on-error><fallback node="backup"/></on-error>')
            + source("backup", "/backup", attributes=' retry="1"'))
    run = await run_flow(tmp_path, body, server)
    assert run.node("primary").output == {"from": "backup"}
    assert run.node("backup").attempts == 2


async def test_a_false_when_leaves_the_node_failed(server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 503}})
    body = (source("primary", "/primary",
                   '<on-error><fallback node="backup" when="error.status == 500"/></on-error>')
            + '<transform id="backup" type="template"><template>b</template></transform>')
    run = await run_flow(tmp_path, body, server)
    assert run.node("primary").status == "failed"
    assert run.node("primary").fallback_error is None
    assert "backup" not in run.state.nodes, "the run stopped before handlers were settled"


async def test_when_sees_the_bindings_of_retry(server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 503}})
    body = (source("primary", "/primary",
                   '<on-error><fallback node="backup" when="status == 503 and attempt == 1 '
                   "and type == 'HttpError' and retryable and $error.node == 'primary'\"/>"
                   "</on-error>")
            + '<transform id="backup" type="template"><template>b</template></transform>')
    run = await run_flow(tmp_path, body, server)
    assert run.node("primary").output == "b"


async def test_an_unused_handler_ends_skipped(server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"json": {"ok": True}}})
    body = (source("primary", "/primary", '<on-error><fallback node="backup"/></on-error>')
            + '<transform id="backup" type="template"><template>b</template></transform>')
    run = await run_flow(tmp_path, body, server)
    assert run.state.status == "completed"
    assert run.node("backup").status == "skipped" and run.node("backup").attempts == 0


async def test_fallback_chains(server: Any, tmp_path: Path) -> None:
    server.routes({"/a": {"status": 503}, "/b": {"status": 500}})
    body = (source("a", "/a", '<on-error><fallback node="b"/></on-error>')
            + source("b", "/b", '<on-error><fallback node="c"/></on-error>')
            + '<transform id="c" type="template"><template>{{ $primaryError.node }}'
              "</template></transform>")
    run = await run_flow(tmp_path, body, server)
    assert run.state.status == "completed"
    assert (run.node("a").output, run.node("a").recovered_by) == ("b", "b")
    assert (run.node("b").output, run.node("b").recovered_by) == ("b", "c")
    assert run.node("b").error["status"] == 500


async def test_the_handler_scope_is_discarded(server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 503}})
    body = ('<context id="vars"><set var="mark" value="0"/></context>\n'
            + source("primary", "/primary", '<on-error><fallback node="note"/></on-error>',
                     ' input="vars"')
            + '<set id="note" var="mark" value="1"/>\n'
            + '<transform id="after" type="template" input="primary">'
              "<template>{{ mark }}</template></transform>")
    run = await run_flow(tmp_path, body, server)
    assert run.node("primary").output == 1, "the handler's output recovers the node"
    assert run.node("after").output == 0, "its variable writes stay in its own scope"


async def test_a_default_policy_may_name_the_fallback(server: Any, tmp_path: Path) -> None:
    server.routes({"/primary": {"status": 503}})
    body = (source("primary", "/primary")
            + '<transform id="backup" type="template"><template>{{ $primaryError.attempts }}'
              "</template></transform>")
    run = await run_flow(tmp_path, body, server, default_retry={
        "max_retries": 1, "base": "10ms", "fallback_node": "backup"})
    assert run.node("primary").output == 2
    assert run.node("backup").attempts == 1
