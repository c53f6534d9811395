"""Configuration values by kind (SPEC §3.2.2): literals, templates, conversions."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.ast import ConfigValue, Span
from flowscript.elements.specs import Setting
from flowscript.engine.config_values import compile_config, literal_value
from flowscript.engine.context import RunServices
from flowscript.engine.events import EventBus
from flowscript.engine.scope import RunTables, Scope
from flowscript.errors import NodeConfigError
from flowscript.runtimes.registry import ConfigKey


def services() -> RunServices:
    from pathlib import Path

    return RunServices(bus=EventBus("r"), secrets={}, base_dir=Path("."),
                       restrict_paths=True, declared=frozenset())


def scope() -> Scope:
    tables = RunTables(results={}, node_ids=frozenset(), phase_nodes={},
                       variables={"global": {"n": 3, "word": "careful"}, "phases": {}},
                       dollars={"$config": {"flag": "yes"}})
    return Scope(tables, bindings={"input": {"items": [1, 2]}})


def evaluate(kind: str, raw: Any, **setting: Any) -> Any:
    key = Setting("key", kind, **setting)
    program = compile_config({"key": ConfigValue(raw, Span(1, 1))}, [key], services())
    return program.evaluate(scope())["key"]


@pytest.mark.parametrize(("kind", "raw", "setting", "expected"), [
    ("text", "plain", {}, "plain"),
    ("text", "n={{ n }} {{ input.items }}", {}, "n=3 [1,2]"),
    ("text", "{{ input.items }}", {}, "[1,2]"),
    ("tmpl", "{{ input.items }}", {}, [1, 2]),
    ("tmpl", "x{{ n }}", {}, "x3"),
    ("expr", "n * 2", {}, 6),
    ("expr", " {{ n * 2 }} ", {}, 6),
    ("int", "42", {}, 42),
    ("int", "{{ n }}", {}, 3),
    ("int", "3.0", {}, 3),
    ("number", "2.5", {}, 2.5),
    ("number", "4", {}, 4),
    ("bool", "yes", {}, True),
    ("bool", "{{ $config.flag }}", {}, True),
    ("bool", "OFF", {}, False),
    ("duration", "1m30s", {}, 90.0),
    ("duration", "{{ n }}", {}, 3.0),
    ("value", "0", {}, 0),
    ("value", "[1, 2]", {}, [1, 2]),
    ("value", '{"a": 1}', {}, {"a": 1}),
    ("value", "UTC", {}, "UTC"),
    ("value", "{{ n + 1 }}", {}, 4),
    ("value", "{not: [valid", {}, "{not: [valid"),
    ("list", "id, email", {}, ["id", "email"]),
    ("list", "[a, b]", {}, ["a", "b"]),
    ("list", "{{ input.items }}", {}, [1, 2]),
    ("enum", "careful", {"choices": ("fast", "careful")}, "careful"),
    ("enum", "{{ word }}", {"choices": ("fast", "careful")}, "careful"),
    ("enum", "get", {"choices": ("GET", "POST")}, "GET"),
    ("block", {"a": "{{ n }}", "b": ["x{{ n }}", 2], "c": True}, {},
     {"a": 3, "b": ["x3", 2], "c": True}),
    ("tmpl", {"sku": "{{ input.items[0] }}", "fixed": "yes"}, {},
     {"sku": 1, "fixed": "yes"}),
    ("name", "{{ not evaluated }}", {}, "{{ not evaluated }}"),
])
def test_kinds(kind: str, raw: Any, setting: dict[str, Any], expected: Any) -> None:
    assert evaluate(kind, raw, **setting) == expected


@pytest.mark.parametrize(("kind", "raw", "setting"), [
    ("int", "2.5", {}), ("int", "many", {}), ("number", "{{ word }}", {}),
    ("bool", "maybe", {}), ("duration", "soon", {}),
    ("enum", "turbo", {"choices": ("fast", "careful")}), ("block", "[1]", {}),
    ("list", "{{ n }}", {}),
])
def test_values_that_do_not_convert_are_config_errors(kind: str, raw: Any,
                                                      setting: dict[str, Any]) -> None:
    with pytest.raises(NodeConfigError) as caught:
        evaluate(kind, raw, **setting)
    assert caught.value.type_name == "ConfigError" and not caught.value.retryable


def test_defaults_are_converted_and_described_defaults_are_left_to_the_runtime() -> None:
    keys = [Setting("method", "enum", default="GET", choices=("GET", "POST")),
            Setting("full", "bool", default="false"), Setting("headers", "block", default="{}"),
            Setting("body", "tmpl", default="the input"),
            Setting("initial", "expr", default="null"), Setting("batch", "int", default="100"),
            Setting("model", "text", default="runtime.model"),
            ConfigKey("volume", "int", default=3), ConfigKey("mode", "enum(a|b)", default="b")]
    config = compile_config({}, keys, services()).evaluate(scope())
    assert config == {"method": "GET", "full": False, "headers": {}, "body": None,
                      "initial": None, "batch": 100, "model": None, "volume": 3, "mode": "b"}


def test_deferred_keys_are_left_out() -> None:
    key = Setting("expression", "expr")
    program = compile_config({"expression": ConfigValue("item", Span(1, 1))}, [key],
                             services(), deferred=frozenset({"expression"}))
    assert program.evaluate(scope()) == {}


def test_literal_values() -> None:
    assert literal_value("true") is True and literal_value("null") is None
    assert literal_value("2024-01-01") == "2024-01-01"
