"""``<source type="http">`` and ``<sink type="http">`` against a real local server
(SPEC §3.7, §3.15, §12.6)."""

from __future__ import annotations

import base64
import socket
from email.utils import formatdate
from time import time
from typing import Any

import pytest

from ..run.support import HttpServer, data, run_nodes, template


def source(node_id: str, url: str, **config: Any) -> Any:
    return data(node_id, "source", "http", url=url, **config)


async def one(node: Any, **kw: Any) -> Any:
    state = await run_nodes(node, **kw)
    return state.nodes[node.id]


async def test_get_with_query_parameters_and_headers(server: HttpServer) -> None:
    result = await one(source("search", f"{server.url}/echo/search?fixed=1",
                              headers={"X-Client": "tests", "X-Number": 7},
                              params={"q": "flow script", "page": 2, "tag": ["a", "b"],
                                      "skip": None}))
    assert result.status == "success", result.error
    echo = result.output
    assert echo["method"] == "GET" and echo["path"] == "/echo/search"
    assert echo["query"] == {"fixed": "1", "q": "flow script", "page": "2", "tag": ["a", "b"]}
    assert echo["headers"]["x-client"] == "tests" and echo["headers"]["x-number"] == "7"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "post"])
async def test_methods_and_json_bodies(server: HttpServer, method: str) -> None:
    result = await one(source("call", f"{server.url}/echo/m", method=method,
                              body={"v": 1, "s": "é"}))
    assert result.output["method"] == method.upper()
    assert result.output["json"] == {"v": 1, "s": "é"}
    assert "application/json" in result.output["headers"]["content-type"]


async def test_an_empty_reply_is_null(server: HttpServer) -> None:
    server.routes({"DELETE /items/9": {"status": 204}})
    result = await one(source("delete", f"{server.url}/items/9", method="DELETE"))
    assert result.status == "success" and result.output is None


async def test_structured_body_leaves_keep_their_types(server: HttpServer) -> None:
    server.routes({"POST /orders": {"status": 201, "json": {"id": 7}}})
    order = template("order", "{{ {sku: 'A-1', qty: 3, tags: ['x', 'y']} }}")
    create = source("create", f"{server.url}/orders", input="order", method="POST",
                    body={"sku": "{{ input.sku }}", "quantity": "{{ input.qty * 2 }}",
                          "tags": "{{ input.tags }}", "source": "tests", "n": 1})
    state = await run_nodes(order, create, dependencies={"create": ["order"]})
    assert state.nodes["create"].output == {"id": 7}
    sent = server.log()[0]
    assert sent["json"] == {"sku": "A-1", "quantity": 6, "tags": ["x", "y"],
                            "source": "tests", "n": 1}


async def test_string_bodies_and_forms(server: HttpServer) -> None:
    state = await run_nodes(
        source("raw", f"{server.url}/echo/raw", method="POST", body="plain {{ 1 + 1 }}",
               headers={"Content-Type": "text/plain"}),
        source("form", f"{server.url}/echo/form", method="POST",
               form={"a": "1", "b": ["x", "y"]}),
        source("both", f"{server.url}/echo/both", method="POST", body="x", form={"a": 1}))
    assert state.nodes["raw"].output["body"] == "plain 2"
    assert state.nodes["form"].output["body"] == "a=1&b=x&b=y"
    assert "x-www-form-urlencoded" in state.nodes["form"].output["headers"]["content-type"]
    assert state.nodes["both"].error["type"] == "ConfigError"


async def test_sink_posts_its_input_and_returns_the_full_response(server: HttpServer) -> None:
    server.routes({"POST /collect": {"status": 202, "json": {"accepted": True},
                                     "headers": {"X-Trace": "t1"}}})
    summary = template("summary", "{{ {count: 3, total: 6} }}")
    publish = data("publish", "sink", "http", url=f"{server.url}/collect", input="summary")
    state = await run_nodes(summary, publish, dependencies={"publish": ["summary"]})
    output = state.nodes["publish"].output
    assert output["status"] == 202 and output["body"] == {"accepted": True}
    assert output["headers"]["x-trace"] == "t1"
    assert server.log()[0]["json"] == {"count": 3, "total": 6}


async def test_response_formats(server: HttpServer) -> None:
    server.routes({"/readme": {"text": "line one\nline two"},
                   "/json-text": {"text": '{"a": 1}'},
                   "/broken": {"body": "{oops", "content_type": "application/json"},
                   "/odd": {"body": '{"b": 2}', "content_type": "application/octet-stream"},
                   "/odd-text": {"body": "not json", "content_type": "application/x-thing"},
                   "/xml": {"body": "<a/>", "content_type": "application/xml"}})
    state = await run_nodes(
        source("readme", f"{server.url}/readme"),
        source("full", f"{server.url}/readme", full="true"),
        source("forced", f"{server.url}/json-text", format="json"),
        source("text", f"{server.url}/json-text", format="text"),
        source("broken", f"{server.url}/broken"),
        source("odd", f"{server.url}/odd"), source("odd-text", f"{server.url}/odd-text"),
        source("xml", f"{server.url}/xml"))
    nodes = state.nodes
    assert nodes["readme"].output == "line one\nline two"
    assert nodes["full"].output["status"] == 200
    assert "text/plain" in nodes["full"].output["headers"]["content-type"]
    assert nodes["full"].output["body"] == "line one\nline two"
    assert nodes["forced"].output == {"a": 1} and nodes["text"].output == '{"a": 1}'
    assert nodes["broken"].error["type"] == "FormatError"
    assert nodes["odd"].output == {"b": 2} and nodes["odd-text"].output == "not json"
    assert nodes["xml"].output == "<a/>"


CATALOG = {"data": {"items": [{"name": "a", "active": True}, {"name": "b", "active": False},
                              {"name": "c", "active": True}]}, "meta": {"page": 1}}


@pytest.mark.parametrize(("path", "expected"), [
    ("$.data.items[*].name", ["a", "b", "c"]),
    ("$.meta.page", 1),
    ("$.meta.missing", None),
    ("$..name", ["a", "b", "c"]),
    ("$.data.items[0:2].name", ["a", "b"]),
    ("data.items[?active].name", ["a", "c"]),
    ("meta.page", 1),
    ("length(data.items)", 3),
])
async def test_extraction(server: HttpServer, path: str, expected: Any) -> None:
    server.routes({"/catalog": {"json": CATALOG}})
    result = await one(source("x", f"{server.url}/catalog", extract=path))
    assert result.status == "success", result.error
    assert result.output == expected


async def test_invalid_extraction_path_and_validation(server: HttpServer) -> None:
    server.routes({"/catalog": {"json": CATALOG}})
    state = await run_nodes(
        source("bad-path", f"{server.url}/catalog", extract="data.[[["),
        source("valid", f"{server.url}/catalog", extract="meta", validate="{page: number}"),
        source("invalid", f"{server.url}/catalog", extract="meta",
               validate="{page: string}"))
    assert state.nodes["bad-path"].error["type"] == "ConfigError"
    assert state.nodes["valid"].output == {"page": 1}
    assert state.nodes["invalid"].error["type"] == "SchemaValidationError"


@pytest.mark.parametrize(("route", "status", "retryable", "retry_after"), [
    ({"status": 404, "json": {"error": "no such user"}}, 404, False, None),
    ({"status": 400}, 400, False, None),
    ({"status": 408}, 408, True, None),
    ({"status": 503}, 503, True, None),
    ({"status": 429, "headers": {"Retry-After": "1"}}, 429, True, 1.0),
])
async def test_status_errors(server: HttpServer, route: dict[str, Any], status: int,
                             retryable: bool, retry_after: float | None) -> None:
    server.routes({"/x": route})
    result = await one(source("x", f"{server.url}/x"))
    assert result.status == "failed"
    error = result.error
    assert error["type"] == "HttpError" and error["status"] == status
    assert error["retryable"] is retryable and error["retry_after"] == retry_after
    assert error["attempts"] == 1 and error["node"] == "x"


async def test_retry_after_as_an_http_date_and_truncated_bodies(server: HttpServer) -> None:
    server.routes({"/later": {"status": 503, "headers": {
        "Retry-After": formatdate(time() + 120, usegmt=True)}, "text": "x" * 5000}})
    state = await run_nodes(source("later", f"{server.url}/later"))
    error = state.nodes["later"].exception
    assert 60 < error.retry_after <= 121
    assert len(error.body) == 2048


async def test_connection_failures_are_retryable(server: HttpServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    server.routes({"/drop": {"drop": True}, "/reset": {"reset": True}})
    state = await run_nodes(source("refused", f"http://127.0.0.1:{closed_port}/x"),
                            source("drop", f"{server.url}/drop"),
                            source("reset", f"{server.url}/reset"))
    for key in ("refused", "drop", "reset"):
        error = state.nodes[key].error
        assert error["type"] == "ConnectionError" and error["retryable"] is True, key


async def test_redirects(server: HttpServer) -> None:
    server.routes({"/moved": {"status": 302, "headers": {"Location": "/echo/target"}},
                   "/to-ftp": {"status": 302, "headers": {"Location": "ftp://x/file"}}})
    state = await run_nodes(source("follow", f"{server.url}/moved"),
                            source("stay", f"{server.url}/moved", follow_redirects="false"),
                            source("ftp", f"{server.url}/to-ftp"))
    assert state.nodes["follow"].output["path"] == "/echo/target"
    assert state.nodes["stay"].error["status"] == 302
    assert state.nodes["ftp"].error["type"] == "HttpError"
    assert "ftp" in state.nodes["ftp"].error["message"]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "/relative", "", "http://"])
async def test_only_absolute_http_urls(url: str) -> None:
    result = await one(source("x", url))
    assert result.error["type"] == "ConfigError"


async def test_bearer_and_basic_auth(server: HttpServer) -> None:
    state = await run_nodes(
        source("bearer", f"{server.url}/echo/b",
               auth={"type": "bearer", "token": "{{ $secrets.API_TOKEN }}"}),
        source("basic", f"{server.url}/echo/c",
               auth={"type": "basic", "username": "ada-user", "password": "pw-5x7q"}),
        source("none", f"{server.url}/echo/d", auth={"type": "none"}),
        source("unknown", f"{server.url}/echo/e", auth={"type": "magic"}),
        secrets=("API_TOKEN",), secret_values={"API_TOKEN": "tok-9f8e"})
    assert state.nodes["bearer"].output["headers"]["authorization"] == "Bearer tok-9f8e"
    expected = base64.b64encode(b"ada-user:pw-5x7q").decode()
    assert state.nodes["basic"].output["headers"]["authorization"] == f"Basic {expected}"
    assert "authorization" not in state.nodes["none"].output["headers"]
    assert state.nodes["unknown"].error["type"] == "ConfigError"


async def test_oauth2_token_is_cached_and_refetched_once_after_401(
        server: HttpServer) -> None:
    server.routes({"POST /token": {"json": {"access_token": "tok-abc123", "expires_in": 60}},
                   "/one": {"json": {"n": 1}},
                   "/two": {"sequence": [{"status": 401}, {"json": {"n": 2}}]}})
    auth = {"type": "oauth2", "token_url": f"{server.url}/token", "client_id": "cid",
            "client_secret": "cs-secret", "scope": ["read", "write"]}
    state = await run_nodes(source("one", f"{server.url}/one", auth=auth),
                            source("two", f"{server.url}/two", auth=auth),
                            dependencies={"two": ["one"]})
    assert state.nodes["one"].output == {"n": 1} and state.nodes["two"].output == {"n": 2}
    assert server.hits("/token")["hits"] == 2, "cached once, fetched again after the 401"
    token_request = next(e for e in server.log() if e["path"] == "/token")
    assert "grant_type=client_credentials" in token_request["body"]
    assert "scope=read+write" in token_request["body"]


async def test_a_failing_token_endpoint_fails_the_node(server: HttpServer) -> None:
    server.routes({"POST /token": {"status": 401}})
    auth = {"type": "oauth2", "token_url": f"{server.url}/token", "client_id": "cid"}
    result = await one(source("x", f"{server.url}/echo", auth=auth))
    assert result.error["type"] == "HttpError" and result.error["status"] == 401
