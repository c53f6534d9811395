"""Authentication of HTTP nodes (SPEC §3.7): ``bearer``, ``basic``, ``oauth2`` (client
credentials) and ``none``.

OAuth2 tokens are cached for the run in the node context's run cache (never at module
level), and fetched again once after a 401. Credentials built here (the base64 of
``user:password``, access tokens) are reported to the context as derived secrets, so the
redactor removes them from everything the engine writes (SPEC §12.4).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from ..errors import HttpError, NetworkError, NodeConfigError
from ..expr.values import text

_TYPES = ("bearer", "basic", "oauth2", "none")


def _auth_type(auth: dict[str, Any]) -> str:
    kind = auth.get("type")
    if kind is None:
        kind = ("bearer" if "token" in auth else "basic" if "username" in auth
                else "oauth2" if "token_url" in auth else "none")
    kind = str(kind).lower()
    if kind not in _TYPES:
        raise NodeConfigError(f"auth type must be one of {', '.join(_TYPES)}, got {kind!r}")
    return kind


async def authorize(ctx: Any, request: httpx.Request, auth: Any) -> None:
    """Add the ``Authorization`` header that ``auth`` asks for."""
    if not auth:
        return
    if not isinstance(auth, dict):
        raise NodeConfigError("auth must be a mapping with a type")
    kind = _auth_type(auth)
    if kind == "bearer":
        token = _required(auth, "token", kind)
        request.headers["Authorization"] = f"Bearer {token}"
    elif kind == "basic":
        user = _required(auth, "username", kind)
        password = text(auth.get("password"))
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        ctx.add_derived_secret(encoded)
        request.headers["Authorization"] = f"Basic {encoded}"
    elif kind == "oauth2":
        token = await _oauth2_token(ctx, auth, refresh=False)
        request.headers["Authorization"] = f"Bearer {token}"


async def refresh_after_401(ctx: Any, request: httpx.Request, auth: Any) -> bool:
    """After a 401 with OAuth2: fetch a new token once and re-authorise ``request``."""
    if not isinstance(auth, dict) or _auth_type(auth) != "oauth2":
        return False
    token = await _oauth2_token(ctx, auth, refresh=True)
    request.headers["Authorization"] = f"Bearer {token}"
    return True


def _required(auth: dict[str, Any], key: str, kind: str) -> str:
    value = auth.get(key)
    if value is None or value == "":
        raise NodeConfigError(f"{kind} auth needs {key}")
    return text(value)


async def _oauth2_token(ctx: Any, auth: dict[str, Any], *, refresh: bool) -> str:
    token_url = _required(auth, "token_url", "oauth2")
    client_id = _required(auth, "client_id", "oauth2")
    scope = auth.get("scope")
    cache = ctx.run_cache.setdefault("oauth2", {})
    cache_key = (token_url, client_id, text(scope))
    if not refresh and cache_key in cache:
        return cache[cache_key]
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": text(auth.get("client_secret"))}
    if scope is not None:
        form["scope"] = " ".join(map(text, scope)) if isinstance(scope, list) else text(scope)
    try:
        response = await ctx.http.post(token_url, data=form,
                                       headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise NetworkError(f"oauth2 token request to {token_url} failed: {exc}") from None
    if not 200 <= response.status_code <= 299:
        raise HttpError(f"oauth2 token request to {token_url} failed with HTTP "
                        f"{response.status_code}", status=response.status_code,
                        body=response.text[:2048])
    token = _access_token(response, token_url)
    ctx.add_derived_secret(token)
    cache[cache_key] = token
    return token


def _access_token(response: httpx.Response, token_url: str) -> str:
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise HttpError(f"oauth2 token response from {token_url} has no access_token",
                        status=response.status_code)
    return token


__all__ = ["authorize", "refresh_after_401"]
