"""``$config``, secrets, ``$env`` and ``$input`` before a run (SPEC §2.5–§2.7, §12.4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.ast import ConfigField, FieldSpec
from flowscript.engine.inputs import (
    convert_config_strings,
    load_secrets_file,
    referenced_secrets,
    resolve_config,
    resolve_env,
    resolve_input,
    resolve_secrets,
)
from flowscript.errors import ConfigError

from .support import data, template, workflow

CONFIG = {
    "count": ConfigField(name="count", type="number", default=1, has_default=True),
    "size": ConfigField(name="size", type="integer", default=2, has_default=True),
    "flag": ConfigField(name="flag", type="boolean", default=False, has_default=True),
    "name": ConfigField(name="name", type="string", default="nobody", has_default=True),
    "mode": ConfigField(name="mode", type="string", default="fast", has_default=True,
                        enum=("fast", "careful")),
    "tags": ConfigField(name="tags", type="array"),
    "opts": ConfigField(name="opts", type="object"),
    "level": ConfigField(name="level", type="any", enum=(1, 2, 3)),
    "anything": ConfigField(name="anything"),
    "region": ConfigField(name="region", type="string", required=True),
}


def codes(error: ConfigError) -> list[str]:
    return [d.code for d in error.diagnostics]


def test_defaults_apply_and_every_declared_key_is_present() -> None:
    config = resolve_config(CONFIG, {"region": "eu"})
    assert config == {"count": 1, "size": 2, "flag": False, "name": "nobody", "mode": "fast",
                      "tags": None, "opts": None, "level": None, "anything": None,
                      "region": "eu"}


def test_caller_values_override_defaults_and_integers_count_as_numbers() -> None:
    config = resolve_config(CONFIG, {"region": "eu", "count": 3, "size": 4.0,
                                     "mode": "careful", "tags": ["a"], "level": 2})
    assert config["count"] == 3 and config["size"] == 4 and isinstance(config["size"], int)
    assert config["mode"] == "careful" and config["tags"] == ["a"] and config["level"] == 2


@pytest.mark.parametrize(("given", "code"), [
    ({"region": "eu", "cuont": 3}, "FS-RUN-001"),
    ({"region": "eu", "count": "3"}, "FS-RUN-002"),
    ({"region": "eu", "flag": 1}, "FS-RUN-002"),
    ({"region": "eu", "size": 2.5}, "FS-RUN-002"),
    ({"region": "eu", "mode": "turbo"}, "FS-RUN-002"),
    ({"region": "eu", "level": True}, "FS-RUN-002"),
    ({}, "FS-RUN-003"),
])
def test_config_errors_carry_their_code(given: dict[str, Any], code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_config(CONFIG, given)
    assert codes(caught.value) == [code]
    assert caught.value.exit_code == 2


def test_all_config_problems_are_reported_together_with_a_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_config(CONFIG, {"cuont": 1, "flag": "yes"})
    assert codes(caught.value) == ["FS-RUN-001", "FS-RUN-002", "FS-RUN-003"]
    assert 'did you mean "count"?' in caught.value.diagnostics[0].hints


@pytest.mark.parametrize(("key", "text", "value"), [
    ("count", "3", 3), ("count", "2.5", 2.5), ("count", "1e3", 1000), ("count", "-4", -4),
    ("size", "7", 7), ("size", "3.0", 3),
    ("flag", "true", True), ("flag", "YES", True), ("flag", "off", False), ("flag", "0", False),
    ("name", " Ada ", " Ada "), ("mode", "careful", "careful"),
    ("tags", '["a", "b"]', ["a", "b"]), ("opts", '{"a": 1}', {"a": 1}),
    ("level", "2", 2), ("anything", "[1]", [1]), ("anything", "plain text", "plain text"),
])
def test_command_line_strings_convert_to_the_declared_type(key: str, text: str,
                                                           value: Any) -> None:
    assert convert_config_strings(CONFIG, {key: text}) == {key: value}


@pytest.mark.parametrize(("key", "text"), [
    ("count", "lots"), ("size", "2.5"), ("flag", "maybe"), ("tags", '{"a": 1}'),
    ("opts", "[1]"), ("mode", "turbo"), ("level", "4"), ("opts", "{oops"),
])
def test_unconvertible_strings_are_fs_run_002(key: str, text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        convert_config_strings(CONFIG, {key: text})
    assert codes(caught.value) == ["FS-RUN-002"]


def test_unknown_command_line_key_is_fs_run_001() -> None:
    with pytest.raises(ConfigError) as caught:
        convert_config_strings(CONFIG, {"colour": "red"})
    assert codes(caught.value) == ["FS-RUN-001"]


# -- secrets -------------------------------------------------------------------------------

def secret_workflow() -> Any:
    return workflow(template("a", "{{ $secrets.API_TOKEN }}"),
                    data("b", "source", "http", url="https://x/$secrets.OTHER"),
                    secrets=("API_TOKEN", "OTHER", "UNUSED"))


def test_referenced_secrets_are_found_in_expressions_and_shorthands() -> None:
    assert referenced_secrets(secret_workflow()) == {"API_TOKEN", "OTHER"}


def test_secrets_come_from_the_caller_first_then_the_environment() -> None:
    values = resolve_secrets(secret_workflow(), {"API_TOKEN": "from-api-1"},
                             {"API_TOKEN": "from-env-1", "OTHER": "other-env",
                              "NOT_DECLARED": "never"})
    assert values == {"API_TOKEN": "from-api-1", "OTHER": "other-env"}


def test_a_referenced_secret_without_value_is_fs_run_004() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_secrets(secret_workflow(), {"API_TOKEN": "value-1"}, {})
    assert codes(caught.value) == ["FS-RUN-004"]
    assert "OTHER" in caught.value.diagnostics[0].message


def test_an_unused_secret_may_be_missing() -> None:
    values = resolve_secrets(secret_workflow(), {"API_TOKEN": "value-1", "OTHER": "value-2"},
                             {})
    assert "UNUSED" not in values


def test_a_secret_shorter_than_four_characters_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_secrets(secret_workflow(), {"API_TOKEN": "abc", "OTHER": "long-enough"}, {})
    assert codes(caught.value) == ["FS-RUN-004"]
    assert caught.value.diagnostics[0].hints


def test_secrets_file_json_object(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text('{"API_TOKEN": "tok-123", "N": 42}')
    assert load_secrets_file(path) == {"API_TOKEN": "tok-123", "N": "42"}


def test_secrets_file_name_value_lines(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text('# comment\n\nAPI_TOKEN=tok=with=equals\nexport OTHER="quoted value"\n')
    assert load_secrets_file(path) == {"API_TOKEN": "tok=with=equals",
                                       "OTHER": "quoted value"}


@pytest.mark.parametrize("content", ["not a pair\n", "{broken json", "[1, 2]"])
def test_malformed_secrets_file_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secrets"
    path.write_text(content)
    with pytest.raises(ConfigError):
        load_secrets_file(path)


def test_missing_secrets_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_secrets_file(tmp_path / "absent")


def test_env_exposes_declared_variables_only() -> None:
    wf = workflow(env=("GREETING", "NOT_SET"))
    assert resolve_env(wf, {"GREETING": "hi", "SECRET_KEY": "x"}) == {
        "GREETING": "hi", "NOT_SET": None}


# -- input ---------------------------------------------------------------------------------

SCHEMA = {
    "name": FieldSpec(name="name", type="string", required=True),
    "limit": FieldSpec(name="limit", type="number", default=5, has_default=True),
    "tags": FieldSpec(name="tags", type="string[]"),
    "mode": FieldSpec(name="mode", type="string", enum=("a", "b")),
}


def test_no_input_is_an_empty_object() -> None:
    assert resolve_input(None, None) == {}
    assert resolve_input(None, [1, 2]) == [1, 2]


def test_input_schema_applies_defaults_and_keeps_undeclared_fields() -> None:
    assert resolve_input(SCHEMA, {"name": "Ada", "extra": True}) == {
        "name": "Ada", "limit": 5, "extra": True}


@pytest.mark.parametrize("given", [
    {"other": 1}, {"name": 3}, {"name": "Ada", "tags": ["x", 2]}, {"name": "Ada", "mode": "c"},
    [1, 2], "text",
])
def test_input_violations_are_fs_run_005(given: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_input(SCHEMA, given)
    assert set(codes(caught.value)) == {"FS-RUN-005"}
