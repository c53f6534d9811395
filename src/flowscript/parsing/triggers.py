"""Triggers (SPEC §2.4): every accepted form normalised to a list of ``{type, …}`` objects.

Triggers are descriptive metadata (the engine starts nothing by itself), so they are
validated strictly — a cron expression that would never fire is a mistake worth reporting —
but never interpreted further.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import did_you_mean
from ..durations import parse_duration
from .yaml_reader import YamlReader, describe
from .yaml_tree import item, join

TRIGGER_TYPES = ("manual", "schedule", "webhook", "watch", "queue", "event")
_FIELDS = {"manual": (), "schedule": ("cron", "every"), "webhook": ("path", "auth", "method"),
           "watch": ("paths", "events"), "queue": ("name", "concurrency"), "event": ("name",)}
_WEBHOOK_AUTH = ("none", "basic", "bearer", "hmac")
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_WATCH_EVENTS = ("created", "modified", "deleted")

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
#: label, lowest, highest, names (the first name standing for the lowest value)
_CRON_FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day-of-month", 1, 31, ()),
                ("month", 1, 12, _MONTHS), ("day-of-week", 0, 7, _DAYS))


def read_triggers(reader: YamlReader, data: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """``trigger`` (string or mapping) and ``triggers`` (list), concatenated."""
    found: list[dict[str, Any]] = []
    if data.get("trigger") is not None:
        found += _trigger(reader, data["trigger"], "trigger")
    value = data.get("triggers")
    if isinstance(value, list):
        for index, entry in enumerate(value):
            path = item("triggers", index)
            if isinstance(entry, dict) and "type" in entry:
                found += _explicit(reader, entry, path)
            else:
                reader.error("FS-YAML-014", "each entry of triggers must be a mapping with a "
                             "'type'", path)
    elif value is not None:
        reader.error("FS-YAML-014", f"triggers must be a list, not {describe(value)}",
                     "triggers")
    return tuple(found)


def cron_problem(text: str) -> str | None:
    """Why ``text`` is not a 5-field cron expression, or ``None`` when it is one."""
    fields = text.split()
    if len(fields) != 5:
        return (f"a cron expression has 5 fields (minute hour day-of-month month "
                f"day-of-week), not {len(fields)}")
    for written, (label, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for part in written.split(","):
            problem = _cron_part(part, low, high, names)
            if problem:
                return f"{label} field {written!r}: {problem}"
    return None


def _cron_part(part: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    base, slash, step = part.partition("/")
    if slash and not (step.isdigit() and int(step) >= 1):
        return f"the step {step!r} must be a positive integer"
    if base == "*":
        return None
    first, dash, last = base.partition("-")
    bounds = [_cron_value(v, names, low) for v in ((first, last) if dash else (first,))]
    if any(v is None or not low <= v <= high for v in bounds):
        return f"{base!r} is not a value from {low} to {high}"
    if dash and bounds[0] > bounds[1]:  # type: ignore[operator]
        return f"the range {base!r} runs backwards"
    return None


def _cron_value(text: str, names: tuple[str, ...], low: int) -> int | None:
    if text.isdigit():
        return int(text)
    upper = text.upper()
    return names.index(upper) + low if upper in names else None


def _trigger(reader: YamlReader, value: Any, path: str) -> list[dict[str, Any]]:
    if isinstance(value, str):
        kind = value.strip()
        if kind in TRIGGER_TYPES:
            return [_defaults({"type": kind})]
        reader.error("FS-YAML-014", f"unknown trigger type {kind!r}", path,
                     hints=did_you_mean(kind, TRIGGER_TYPES))
        return []
    if isinstance(value, dict):
        return _explicit(reader, value, path) if "type" in value else _kinds(reader, value, path)
    reader.error("FS-YAML-014", f"trigger must be a string or a mapping, not {describe(value)}",
                 path)
    return []


def _kinds(reader: YamlReader, mapping: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The mapping form: one key per trigger kind (``{manual: true, schedule: "0 9 * * *"}``)."""
    found: list[dict[str, Any]] = []
    for kind, setting in mapping.items():
        where = join(path, kind)
        if kind not in TRIGGER_TYPES:
            reader.error("FS-YAML-014", f"unknown trigger type {kind!r}", where, key=True,
                         hints=did_you_mean(kind, TRIGGER_TYPES))
        elif isinstance(setting, bool) and kind in ("manual", "webhook"):
            found += [_defaults({"type": kind})] if setting else []
        elif kind == "schedule" and isinstance(setting, str | list):
            found += _schedules(reader, setting, where)
        elif kind == "event" and isinstance(setting, str):
            found += [{"type": "event", "name": setting}]
        elif isinstance(setting, dict) and kind != "manual":
            found += _explicit(reader, {**setting, "type": kind}, where)
        else:
            reader.error("FS-YAML-014", f"trigger {kind!r} cannot be {describe(setting)}",
                         where)
    return found


def _schedules(reader: YamlReader, setting: str | list[Any], path: str) -> list[dict[str, Any]]:
    """``schedule: "<cron or every …>"`` or a list of them."""
    entries = [(setting, path)] if isinstance(setting, str) else [
        (entry, item(path, index)) for index, entry in enumerate(setting)]
    checked = (_schedule_text(reader, entry, where) for entry, where in entries)
    return [schedule for schedule in checked if schedule is not None]


def _explicit(reader: YamlReader, mapping: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """A mapping with ``type`` (also built from one kind's settings in the mapping form)."""
    kind = mapping["type"]
    if kind not in TRIGGER_TYPES:
        reader.error("FS-YAML-014", f"unknown trigger type {kind!r}", join(path, "type"),
                     hints=did_you_mean(str(kind), TRIGGER_TYPES))
        return []
    known = _FIELDS[kind]
    for key in mapping:
        if key not in known and key != "type":
            reader.warning("FS-YAML-015", f"unknown key {key!r} in a {kind} trigger",
                           join(path, key), key=True, hints=did_you_mean(key, known))
    settings = {k: v for k, v in mapping.items() if k in known}
    checked = _SETTINGS[kind](reader, settings, path)
    if checked is None:
        return []
    return [_defaults({"type": kind, **checked})]


def _schedule(reader: YamlReader, settings: dict[str, Any], path: str) -> dict[str, Any] | None:
    if ("cron" in settings) == ("every" in settings):
        reader.error("FS-YAML-014", "a schedule trigger needs exactly one of 'cron' and "
                     "'every'", path)
        return None
    key = "cron" if "cron" in settings else "every"
    value = settings[key]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        reader.error("FS-YAML-014", f"{key} must be a string", join(path, key))
        return None
    text = reader.source(join(path, key), value)
    checked = _schedule_text(reader, text if key == "cron" else f"every {text}", join(path, key))
    return None if checked is None else {k: v for k, v in checked.items() if k != "type"}


def _schedule_text(reader: YamlReader, text: Any, path: str) -> dict[str, Any] | None:
    if not isinstance(text, str):
        reader.error("FS-YAML-014", "a schedule is a cron expression or 'every <duration>'",
                     path)
        return None
    stripped = text.strip()
    if stripped.lower().startswith("every"):
        duration = stripped[5:].strip()
        if not parse_duration(duration):
            reader.error("FS-YAML-014", f"{duration!r} is not a duration greater than zero "
                         "(such as 'every 4h')", path)
            return None
        return {"type": "schedule", "every": duration}
    problem = cron_problem(stripped)
    if problem:
        reader.error("FS-YAML-014", f"invalid cron expression {stripped!r}: {problem}", path,
                     hints=["for example '0 9 * * MON-FRI' or 'every 4h'"])
        return None
    return {"type": "schedule", "cron": stripped}


def _webhook(reader: YamlReader, settings: dict[str, Any], path: str) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    route = settings.get("path")
    if route is not None and not (isinstance(route, str) and route.startswith("/")):
        reader.error("FS-YAML-014", "a webhook path must be a string starting with '/'",
                     join(path, "path"))
        return None
    if route is not None:
        result["path"] = route
    for key, allowed, fold in (("auth", _WEBHOOK_AUTH, str.lower),
                               ("method", _HTTP_METHODS, str.upper)):
        value = settings.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or fold(value) not in allowed:
            reader.error("FS-YAML-014", f"webhook {key} must be one of {', '.join(allowed)}",
                         join(path, key))
            return None
        result[key] = fold(value)
    return result


def _watch(reader: YamlReader, settings: dict[str, Any], path: str) -> dict[str, Any] | None:
    paths, events = settings.get("paths"), settings.get("events", list(_WATCH_EVENTS))
    if isinstance(paths, str):
        paths = [paths]
    if not (isinstance(paths, list) and paths and all(isinstance(p, str) for p in paths)):
        reader.error("FS-YAML-014", "a watch trigger needs 'paths': a list of globs",
                     join(path, "paths"))
        return None
    if not (isinstance(events, list) and all(e in _WATCH_EVENTS for e in events)):
        reader.error("FS-YAML-014", f"watch events are a list of {', '.join(_WATCH_EVENTS)}",
                     join(path, "events"))
        return None
    return {"paths": paths, "events": events}


def _named(reader: YamlReader, settings: dict[str, Any], path: str) -> dict[str, Any] | None:
    name = settings.get("name")
    if not (isinstance(name, str) and name.strip()):
        reader.error("FS-YAML-014", "this trigger needs a 'name' string", join(path, "name"))
        return None
    result: dict[str, Any] = {"name": name}
    if "concurrency" in settings:
        concurrency = reader.integer(settings["concurrency"], join(path, "concurrency"), 1)
        if concurrency is None:
            return None
        result["concurrency"] = concurrency
    return result


def _defaults(trigger: dict[str, Any]) -> dict[str, Any]:
    if trigger["type"] == "webhook":
        return {"type": "webhook", "auth": "none", "method": "POST", **trigger}
    return trigger


_SETTINGS = {"manual": lambda reader, settings, path: {}, "schedule": _schedule,
             "webhook": _webhook, "watch": _watch, "queue": _named, "event": _named}

__all__ = ["TRIGGER_TYPES", "cron_problem", "read_triggers"]
