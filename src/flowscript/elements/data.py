"""Configuration keys of the built-in data node types (SPEC §3.7–§3.18).

Each key may be an attribute, a child element holding its value as text, or a key of one of
the node's YAML blocks (``<request>``, ``<response>``, ``<message>``, ``<config>``); keys
of kind ``block`` (``headers``, ``params``…) are YAML mappings and cannot be attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from .specs import DataType, Setting

_REQUEST = ("method", "url", "headers", "params", "query", "body", "form", "auth", "timeout")
_RESPONSE = ("extract", "format", "full", "validate")
_MESSAGE = ("to", "cc", "bcc", "from", "reply-to", "subject", "text", "html")
_EMAIL_CONFIG = ("provider", "api-key", "host", "port", "username", "password", "tls")
_FILE_FORMATS = ("auto", "json", "jsonl", "csv", "yaml", "text", "lines")


def _in(block: str, keys: tuple[str, ...], *settings: Setting) -> tuple[Setting, ...]:
    """The settings, each marked as allowed in ``block`` when its name is listed there."""
    return tuple(replace(s, blocks=(*s.blocks, block)) if s.name in keys else s
                 for s in settings)


def _http(element: str, methods: tuple[str, ...], default_method: str) -> DataType:
    keys = (
        Setting("url", "text", required=True, doc="Absolute http or https URL."),
        Setting("method", "enum", default=default_method, choices=methods),
        Setting("headers", "block", default="{}", doc="Request headers (text values)."),
        Setting("params", "block", default="{}", aliases=("query",),
                doc="Query parameters; a list value repeats the parameter."),
        Setting("body", "tmpl", default="the input" if element == "sink" else None,
                doc="A mapping or list is sent as JSON; a string as is."),
        Setting("form", "block", doc="Sent as application/x-www-form-urlencoded."),
        Setting("auth", "block", doc="bearer (token), basic (username, password), "
                                     "oauth2 (token_url, client_id, client_secret, scope)."),
        Setting("timeout", "duration", minimum=0, exclusive_minimum=True,
                node_attribute=True, doc="Per-attempt limit (the node's timeout)."),
        Setting("extract", "text", doc="JSONPath ($…) or JMESPath applied to the body."),
        Setting("format", "enum", default="auto", choices=("auto", "json", "text")),
        Setting("full", "bool", default="false", doc="Output {status, headers, body}."),
        Setting("validate", "type-expr", doc="Type expression or schema name."),
        Setting("follow-redirects", "bool", default="true"),
    )
    keys = _in("response", _RESPONSE, *_in("request", _REQUEST, *keys))
    section = "§3.7" if element == "source" else "§3.15"
    return DataType(element, "http", keys, {"request": _REQUEST, "response": _RESPONSE},
                    section=section)


def _file(element: str) -> DataType:
    common = (
        Setting("path", "text", required=True, doc="Relative to the base directory (§12.5)."),
        Setting("format", "enum", default="auto", choices=_FILE_FORMATS),
        Setting("encoding", "text", default="utf-8"),
        Setting("delimiter", "text", default=","),
    )
    if element == "source":
        return DataType("source", "file", (*common, Setting("header", "bool", default="true")),
                        reserved=("watch",), section="§3.8")
    return DataType("sink", "file", (
        *common,
        Setting("content", "tmpl", default="the input"),
        Setting("mode", "enum", default="write", choices=("write", "append")),
        Setting("pretty", "bool", default="true"),
        Setting("mkdir", "bool", default="true"),
    ), section="§3.16")


_SOURCE_DATABASE = DataType("source", "database", (
    Setting("connection", "text", required=True, doc="sqlite:///…, postgresql://…"),
    Setting("query", "text", required=True, doc="One SQL statement."),
    Setting("params", "value", doc="A list (positional) or a mapping (named)."),
), section="§3.9")

_SINK_DATABASE = DataType("sink", "database", (
    Setting("connection", "text", required=True),
    Setting("table", "text", required=True),
    Setting("operation", "enum", default="insert", choices=("insert", "upsert", "update")),
    Setting("conflict-columns", "list", doc="Required for upsert and update."),
    Setting("columns", "list"),
    Setting("batch", "int", default="100", minimum=1),
), section="§3.17")

_EMAIL = DataType("sink", "email", _in("config", _EMAIL_CONFIG, *_in("message", _MESSAGE,
    Setting("provider", "enum", choices=("smtp", "sendgrid"),
            doc="sendgrid if api-key is set, else smtp"),
    Setting("to", "list", required=True),
    Setting("cc", "list"),
    Setting("bcc", "list"),
    Setting("from", "text", required=True),
    Setting("reply-to", "text"),
    Setting("subject", "text", required=True),
    Setting("text", "text"),
    Setting("html", "text"),
    Setting("api-key", "text"),
    Setting("host", "text"),
    Setting("port", "int", default="587", minimum=1, maximum=65535),
    Setting("username", "text"),
    Setting("password", "text"),
    Setting("tls", "enum", default="starttls", choices=("starttls", "ssl", "none")),
)), {"message": _MESSAGE, "config": _EMAIL_CONFIG}, section="§3.18")

_TEMPLATE = DataType("transform", "template", (
    Setting("template", "tmpl", required=True),
    Setting("format", "enum", default="auto", choices=("auto", "text", "json")),
), section="§3.10")

_MAP = DataType("transform", "map", (
    Setting("expression", "expr", required=True, doc="Evaluated once per item."),
), section="§3.11")

_FILTER = DataType("transform", "filter", (
    Setting("condition", "expr", required=True, doc="Evaluated once per item."),
), section="§3.12")

_REDUCE = DataType("transform", "reduce", (
    Setting("initial", "expr", default="null"),
    Setting("reducer", "expr", required=True, aliases=("expression",)),
    Setting("finalize", "expr"),
), section="§3.13")

_AI = DataType("transform", "ai", (
    Setting("model", "text", default="runtime.model",
            doc="Required unless runtime.model is set (checked by the validator)."),
    Setting("system", "text"),
    Setting("prompt", "text", required=True, aliases=("user",),
            doc="Also the text content of <ai>."),
    Setting("temperature", "number", minimum=0, maximum=2),
    Setting("max-tokens", "int", default="4096", minimum=1),
    Setting("output-schema", "type-expr"),
    Setting("schema", "name", doc="A named schema for structured output."),
    Setting("format", "enum", choices=("text", "json"), doc="json when a schema is given"),
    Setting("validation-retries", "int", default="2", minimum=0),
    Setting("budget", "tokens"),
    Setting("key", "name", doc="The declared secret holding the provider key."),
), section="§3.14")

#: Every built-in data node type, by (element, type). ``<ai>`` is ``("transform", "ai")``.
DATA_TYPES: Mapping[tuple[str, str], DataType] = MappingProxyType({
    (t.element, t.type): t for t in (
        _http("source", ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"), "GET"),
        _file("source"), _SOURCE_DATABASE,
        _TEMPLATE, _MAP, _FILTER, _REDUCE, _AI,
        _http("sink", ("POST", "PUT", "PATCH", "DELETE", "GET"), "POST"),
        _file("sink"), _SINK_DATABASE, _EMAIL,
    )
})

#: Types of earlier designs that are reserved (§3.39, FS-STRUCT-007).
RESERVED_TYPES = frozenset({("source", "queue"), ("source", "list")})

#: The data node elements.
DATA_ELEMENTS = ("source", "transform", "sink", "ai")
