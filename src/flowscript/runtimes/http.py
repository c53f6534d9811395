"""``<source type="http">`` and ``<sink type="http">`` (SPEC §3.7, §3.15, §12.6).

Every request of a run goes through the run's one shared ``httpx.AsyncClient``
(``ctx.http``), so connections are pooled and cancelling an attempt aborts its request.
Only ``http``/``https`` URLs are requested or followed; TLS is always verified.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx

from ..errors import FormatError, HttpError, NetworkError, NodeConfigError
from ..expr.values import text, to_json
from . import extract as extraction
from .http_auth import authorize, refresh_after_401
from .registry import Runtime

#: Most redirects followed for one request.
MAX_REDIRECTS = 10
#: Longest response body kept in an ``HttpError``.
MAX_ERROR_BODY = 2048


async def http_source(node: Any, ctx: Any) -> Any:
    """Request ``url`` and return the parsed (and extracted) body, or ``{status, headers,
    body}`` with ``full``."""
    response = await send(ctx, default_method="GET", default_body=_NO_BODY)
    body = parse_body(response, ctx.config.get("format") or "auto")
    extract = ctx.config.get("extract")
    if extract:
        body = extraction.extract(extract, body)
    _validate(ctx, body)
    if ctx.config.get("full"):
        return {"status": response.status_code, "headers": _headers(response), "body": body}
    return body


async def http_sink(node: Any, ctx: Any) -> dict[str, Any]:
    """Send the input (or ``body``) and return ``{status, headers, body}``."""
    response = await send(ctx, default_method="POST", default_body=ctx.input)
    body = parse_body(response, ctx.config.get("format") or "auto")
    extract = ctx.config.get("extract")
    if extract:
        body = extraction.extract(extract, body)
    _validate(ctx, body)
    return {"status": response.status_code, "headers": _headers(response), "body": body}


_NO_BODY: Any = object()


# ---------------------------------------------------------------------------------------
# Request

async def send(ctx: Any, *, default_method: str, default_body: Any) -> httpx.Response:
    """Build the request from the configuration, send it with authentication and
    redirects, and raise ``HttpError`` for a status outside 200–299."""
    config = ctx.config
    request = _build_request(ctx, default_method, default_body)
    auth = config.get("auth") or None
    await authorize(ctx, request, auth)
    follow = config.get("follow-redirects") is not False
    response = await _send_following(ctx.http, request, follow)
    if response.status_code == 401 and await refresh_after_401(ctx, request, auth):
        response = await _send_following(ctx.http, request, follow)
    if not 200 <= response.status_code <= 299:
        raise _status_error(request, response)
    return response


def _build_request(ctx: Any, default_method: str, default_body: Any) -> httpx.Request:
    config = ctx.config
    url = _checked_url(config.get("url"))
    method = str(config.get("method") or default_method).upper()
    headers = {str(k): text(v) for k, v in (config.get("headers") or {}).items()
               if v is not None}
    params = _params(config.get("params") or {})
    body = config.get("body") if "body" in ctx.node.config else default_body
    form = config.get("form")
    if form is not None and "body" in ctx.node.config:
        raise NodeConfigError("body and form are exclusive: give one of them")
    content: bytes | None = None
    if form is not None:
        if not isinstance(form, dict):
            raise NodeConfigError("form must be a mapping of fields")
        content = str(httpx.QueryParams(_params(form))).encode()
        _default_header(headers, "Content-Type", "application/x-www-form-urlencoded")
    elif body is not _NO_BODY and body is not None:
        if isinstance(body, str):
            content = body.encode()
        else:
            content = to_json(body).encode()
            _default_header(headers, "Content-Type", "application/json")
    try:
        target = httpx.URL(url)
        if params:
            target = target.copy_with(params=httpx.QueryParams(
                [*target.params.multi_items(), *params]))
        return httpx.Request(method, target, headers=headers, content=content)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise NodeConfigError(f"invalid request: {exc}") from None


def _checked_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NodeConfigError("url is empty")
    url = value.strip()
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise NodeConfigError(f"invalid url {url!r}: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise NodeConfigError(f"url must be an absolute http or https URL, got {url!r}")
    return url


def _params(values: Any) -> list[tuple[str, str]]:
    if not isinstance(values, dict):
        raise NodeConfigError("params must be a mapping of names to values")
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                pairs.append((str(name), text(item)))
    return pairs


def _default_header(headers: dict[str, str], name: str, value: str) -> None:
    if not any(key.lower() == name.lower() for key in headers):
        headers[name] = value


async def _send_following(client: httpx.AsyncClient, request: httpx.Request,
                          follow: bool) -> httpx.Response:
    for _ in range(MAX_REDIRECTS + 1):
        response = await _send_once(client, request)
        redirect = response.next_request
        if not follow or redirect is None:
            return response
        if redirect.url.scheme not in ("http", "https"):
            raise HttpError(f"redirect to a {redirect.url.scheme!r} URL refused: only http "
                            "and https are followed", status=response.status_code)
        request = redirect
    raise HttpError(f"more than {MAX_REDIRECTS} redirects", status=response.status_code)


async def _send_once(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    where = f"{request.method} {request.url.copy_with(query=None)}"
    try:
        return await client.send(request, follow_redirects=False)
    except httpx.TimeoutException as exc:
        raise NetworkError(f"{where}: connection timed out ({type(exc).__name__})") from None
    except httpx.UnsupportedProtocol as exc:
        raise NodeConfigError(f"{where}: {exc}") from None
    except (httpx.TransportError, OSError) as exc:
        detail = str(exc) or type(exc).__name__
        raise NetworkError(f"{where}: connection failed: {detail}") from None


def _status_error(request: httpx.Request, response: httpx.Response) -> HttpError:
    body = response.text[:MAX_ERROR_BODY] if response.content else None
    where = f"{request.method} {request.url.copy_with(query=None)}"
    return HttpError(f"HTTP {response.status_code} {response.reason_phrase} from {where}",
                     status=response.status_code, body=body,
                     retry_after=retry_after(response.headers.get("retry-after")))


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# ---------------------------------------------------------------------------------------
# Response

def parse_body(response: httpx.Response, fmt: str) -> Any:
    """Parse the response body (SPEC §3.7): ``auto`` by content type, ``json``, ``text``."""
    if not response.content:
        return None
    if fmt == "text":
        return response.text
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if fmt == "json" or content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise FormatError(f"response is not valid JSON: {exc}") from None
    if content_type.startswith("text/") or content_type.endswith("xml"):
        return response.text
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def _headers(response: httpx.Response) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _validate(ctx: Any, value: Any) -> None:
    expected = ctx.config.get("validate")
    if expected:
        ctx.check_type(expected, value)


SOURCE = Runtime(run=http_source, timeout=30.0,
                 summary="Request an HTTP resource and parse the response.")
SINK = Runtime(run=http_sink, timeout=30.0, summary="Send the input to an HTTP endpoint.")

__all__ = ["MAX_ERROR_BODY", "MAX_REDIRECTS", "SINK", "SOURCE",
           "parse_body", "retry_after", "send"]
