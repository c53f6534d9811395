"""The frontmatter ``runtime`` section (SPEC §2.8) and its default retry policy (§7.3).

Durations become seconds here, once, so the executor never parses text; a retry mapping
keeps the ``RetryPolicy`` field names so it can be handed to that dataclass as is.
"""

from __future__ import annotations

from typing import Any

from ..ast import Runtime
from ..durations import parse_duration, parse_token_count
from .yaml_reader import YamlReader, describe
from .yaml_tree import join

RUNTIME_KEYS = ("timeout", "concurrency", "retry", "max_iterations", "context_budget", "model",
                "models", "log")
RETRY_KEYS = ("max_retries", "backoff", "base", "max_delay", "jitter", "timeout", "when",
              "fallback_node")
BACKOFFS = ("exponential", "linear", "fixed")


def read_runtime(reader: YamlReader, value: Any) -> Runtime:
    mapping = reader.mapping(value, "runtime")
    if not mapping:
        return Runtime()
    reader.unknown_keys(mapping, "runtime", RUNTIME_KEYS, "FS-YAML-015", "runtime")
    models = _models(reader, mapping.get("models"))
    max_iterations = reader.integer(mapping.get("max_iterations"), "runtime.max_iterations", 1)
    return Runtime(
        timeout=_duration(reader, mapping.get("timeout"), "runtime.timeout", positive=True),
        concurrency=reader.integer(mapping.get("concurrency"), "runtime.concurrency", 1),
        retry=_retry(reader, mapping.get("retry"), "runtime.retry"),
        max_iterations=1000 if max_iterations is None else max_iterations,
        context_budget=_budget(reader, mapping.get("context_budget")),
        model=reader.string(mapping.get("model"), "runtime.model"),
        models=models,
        log=reader.boolean(mapping.get("log"), "runtime.log", True),
    )


def _duration(reader: YamlReader, value: Any, path: str, positive: bool) -> float | None:
    if value is None:
        return None
    seconds = parse_duration(value)
    if seconds is None or (positive and seconds <= 0):
        limit = "greater than zero" if positive else "zero or more"
        reader.error("FS-YAML-014", f"{path} must be a duration {limit} (such as 30s, 5m or "
                     f"1h30m), not {reader.source(path, value)!r}", path)
        return None
    return seconds


def _budget(reader: YamlReader, value: Any) -> int | None:
    if value is None:
        return None
    tokens = parse_token_count(value)
    if tokens is None:
        reader.error("FS-YAML-014", "runtime.context_budget must be a token count such as "
                     f"50000, 200k or 1.5M, not {reader.source('runtime.context_budget', value)!r}",
                     "runtime.context_budget")
    return tokens


def _models(reader: YamlReader, value: Any) -> dict[str, str]:
    mapping = reader.mapping(value, "runtime.models")
    models: dict[str, str] = {}
    for alias, model in (mapping or {}).items():
        if isinstance(model, str) and model.strip():
            models[alias] = model
        else:
            reader.error("FS-YAML-014", f"model alias {alias!r} must name a model (a string), "
                         f"not {describe(model)}", join("runtime.models", alias))
    return models


def _retry(reader: YamlReader, value: Any, path: str) -> dict[str, Any] | None:
    """An integer ``n`` (``{max_retries: n}``) or a mapping of RetryPolicy fields."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        retries = reader.integer(value, path, 0)
        return None if retries is None else {"max_retries": retries}
    mapping = reader.mapping(value, path)
    if mapping is None:
        return None
    reader.unknown_keys(mapping, path, RETRY_KEYS, "FS-YAML-015", "runtime.retry")
    policy: dict[str, Any] = {}
    for key in RETRY_KEYS:
        if mapping.get(key) is not None:
            checked = _RETRY_FIELDS[key](reader, mapping[key], join(path, key))
            if checked is not None:
                policy[key] = checked
    return policy


def _backoff(reader: YamlReader, value: Any, path: str) -> str | None:
    if value in BACKOFFS:
        return str(value)
    reader.error("FS-YAML-014", f"{path} must be one of {', '.join(BACKOFFS)}", path)
    return None


def _jitter(reader: YamlReader, value: Any, path: str) -> str | float | None:
    if value in ("full", "none"):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
        return float(value)
    reader.error("FS-YAML-014", f"{path} must be full, none or a fraction in (0, 1]", path)
    return None


def _text(reader: YamlReader, value: Any, path: str) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    reader.error("FS-YAML-014", f"{path} must be a non-empty string", path)
    return None


_RETRY_FIELDS: dict[str, Any] = {
    "max_retries": lambda reader, value, path: reader.integer(value, path, 0),
    "backoff": _backoff,
    "base": lambda reader, value, path: _duration(reader, value, path, positive=False),
    "max_delay": lambda reader, value, path: _duration(reader, value, path, positive=False),
    "jitter": _jitter,
    "timeout": lambda reader, value, path: _duration(reader, value, path, positive=True),
    "when": _text,
    "fallback_node": _text,
}

__all__ = ["BACKOFFS", "RETRY_KEYS", "RUNTIME_KEYS", "read_runtime"]
