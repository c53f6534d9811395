"""The frontmatter: safe YAML with positions (SPEC §2.1) read into ``ast.Frontmatter``
(§2.2–§2.12), with a diagnostic for every problem, each pointing at its key or value.

Loading problems (syntax, unsafe tags, aliases, duplicate keys, size) are parse errors: the
frontmatter is then not interpreted at all, since every later message would be a guess.
Interpretation problems are reported and the rest of the frontmatter is still read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..ast import FieldSpec, Frontmatter
from ..diagnostics import DiagnosticSink
from ..types import schema_types
from .fields import check_defaults, read_config, read_fields, read_schemas
from .limits import MAX_FRONTMATTER_BYTES, utf8_length_exceeds
from .runtime_settings import read_runtime
from .triggers import read_triggers
from .yaml_reader import YamlReader, describe
from .yaml_tree import item, join, load_yaml

if TYPE_CHECKING:
    from ..document import Document, LineIndex

TOP_LEVEL_KEYS = ("name", "version", "description", "author", "tags", "license", "trigger",
                  "triggers", "config", "secrets", "env", "input", "output", "runtime",
                  "evolution", "schemas")
EVOLUTION_KEYS = ("generation", "parent", "fitness", "learnings")
_WORKFLOW_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_VERSION = re.compile(r"\d+(\.\d+){1,2}([-+][0-9A-Za-z.-]+)?")
_SECRET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_frontmatter(document: Document, sink: DiagnosticSink) -> Frontmatter | None:
    """The frontmatter of a split document; ``None`` when it is missing or cannot be loaded."""
    if document.frontmatter is None:
        return None
    return parse_frontmatter(document.frontmatter, document.frontmatter_offset,
                             document.lines, sink)


def parse_frontmatter(source: str, offset: int, lines: LineIndex,
                      sink: DiagnosticSink) -> Frontmatter | None:
    """Load and interpret the YAML ``source`` found at ``offset`` of the file text.

    Returns ``None`` after a parse error (FS-YAML-003…005, -007, FS-SEC-004/005/007);
    otherwise a Frontmatter, with any validation diagnostics in ``sink``.
    """
    def locate(at: int) -> tuple[int, int]:
        return lines.position(offset + at)

    if utf8_length_exceeds(source, MAX_FRONTMATTER_BYTES):
        sink.error("FS-SEC-007", "the frontmatter is larger than 1 MiB", *locate(0))
        return None
    tree = load_yaml(source)
    for problem in tree.problems:
        sink.error(problem.code, problem.message, *locate(problem.offset))
    if tree.problems:
        return None
    if not isinstance(tree.value, dict):
        shape = "empty" if not tree.has_document else describe(tree.value)
        sink.error("FS-YAML-004", f"the frontmatter must be a mapping of keys, not {shape}",
                   *locate(0), hints=["start with 'name: my-workflow' and 'version: 1.0.0'"])
        return None
    return interpret(YamlReader(tree, locate, sink), tree.value)


def interpret(reader: YamlReader, data: dict[str, Any]) -> Frontmatter:
    """Read every key of §2.2 from the loaded mapping ``data``."""
    reader.unknown_keys(data, "", TOP_LEVEL_KEYS, "FS-YAML-006", "the frontmatter")
    schemas = read_schemas(reader, data.get("schemas"))
    types = schema_types(schemas)
    for name, schema in schemas.items():
        if isinstance(schema, dict):
            check_defaults(reader, schema, join("schemas", name), types)
    fields: dict[str, dict[str, FieldSpec] | None] = {}
    for key in ("input", "output"):
        fields[key] = read_fields(reader, data.get(key), key)
        declared = fields[key]
        if declared:
            check_defaults(reader, declared, key, types)
    return Frontmatter(
        name=_name(reader, data), version=_version(reader, data),
        description=reader.string(data.get("description"), "description"),
        author=reader.string(data.get("author"), "author"),
        tags=reader.strings(data.get("tags"), "tags"),
        license=reader.string(data.get("license"), "license"),
        triggers=read_triggers(reader, data), config=read_config(reader, data.get("config")),
        secrets=_names(reader, data.get("secrets"), "secrets"),
        env=_names(reader, data.get("env"), "env"),
        input=fields["input"], output=fields["output"],
        runtime=read_runtime(reader, data.get("runtime")),
        evolution=_evolution(reader, data.get("evolution")), schemas=schemas,
        data=data, spans=reader.all_spans())


def _name(reader: YamlReader, data: dict[str, Any]) -> str:
    """``name`` (§2.3). A YAML number (``name: 2024``) is taken as written, as ``version``
    is: it names the state directory, so its text is what matters."""
    if "name" not in data:
        reader.error("FS-YAML-010", "the frontmatter has no 'name'", "",
                     hints=["add 'name: my-workflow'"])
        return ""
    value = data["name"]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        reader.error("FS-YAML-010", f"name must be a non-empty string, not {describe(value)}",
                     "name", key=value is None)
        return ""
    text = reader.source("name", value)
    if not text.strip():
        reader.error("FS-YAML-010", "name must not be empty", "name", key=True)
    elif not _WORKFLOW_NAME.fullmatch(text):
        reader.error("FS-YAML-011", f"name {text!r} may hold only letters, digits, '_', '.' and "
                     "'-' (starting with a letter or digit, at most 128 characters)", "name")
    return text


def _version(reader: YamlReader, data: dict[str, Any]) -> str:
    """``version`` (§2.3), by its source text: ``1.10`` stays ``1.10``, not the float 1.1."""
    value = data.get("version")
    if value is None:
        reader.error("FS-YAML-012", "the frontmatter has no 'version'", "version", key=True,
                     hints=["add 'version: 1.0.0'"])
        return ""
    text = reader.source("version", value) if not isinstance(value, bool) else str(value)
    if isinstance(value, list | dict) or not _VERSION.fullmatch(text):
        shown = text if isinstance(value, str | int | float) else describe(value)
        reader.error("FS-YAML-013", f"version {shown!r} is not a version such as 1.0 or 1.2.0",
                     "version")
    return text if isinstance(value, str | int | float) else ""


def _names(reader: YamlReader, value: Any, path: str) -> tuple[str, ...]:
    """``secrets``/``env``: names matching ``[A-Za-z_][A-Za-z0-9_]*``, each once."""
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.error("FS-YAML-014", f"{path} must be a list of names, not {describe(value)}",
                     path)
        return ()
    names: list[str] = []
    for index, entry in enumerate(value):
        where = item(path, index)
        if not isinstance(entry, str) or not _SECRET_NAME.fullmatch(entry):
            shown = entry if isinstance(entry, str) else describe(entry)
            reader.error("FS-YAML-016", f"{shown!r} is not a valid {path} name (letters, "
                         "digits and '_', not starting with a digit)", where)
        elif entry in names:
            reader.error("FS-YAML-016", f"{entry!r} is declared twice in {path}", where)
        else:
            names.append(entry)
    return tuple(names)


def _evolution(reader: YamlReader, value: Any) -> dict[str, Any] | None:
    mapping = reader.mapping(value, "evolution")
    if mapping is None:
        return None
    reader.unknown_keys(mapping, "evolution", EVOLUTION_KEYS, "FS-YAML-015", "evolution")
    result: dict[str, Any] = {k: v for k, v in mapping.items() if k not in EVOLUTION_KEYS}
    if mapping.get("generation") is None:
        reader.error("FS-YAML-014", "evolution needs 'generation' (an integer, 0 or more)",
                     "evolution", key=True)
    else:
        result["generation"] = reader.integer(mapping["generation"], "evolution.generation", 0)
    parent = mapping.get("parent")
    if parent is not None:
        if isinstance(parent, str | int | float) and not isinstance(parent, bool):
            result["parent"] = reader.source("evolution.parent", parent)
        else:
            reader.error("FS-YAML-014", "evolution.parent must be a string", "evolution.parent")
    fitness = mapping.get("fitness")
    if fitness is not None:
        if isinstance(fitness, int | float) and not isinstance(fitness, bool) and (
                0 <= fitness <= 1):
            result["fitness"] = fitness
        else:
            reader.error("FS-YAML-014", "evolution.fitness must be a number from 0 to 1",
                         "evolution.fitness")
    if "learnings" in mapping:
        result["learnings"] = list(reader.strings(mapping["learnings"], "evolution.learnings"))
    return result


__all__ = ["EVOLUTION_KEYS", "TOP_LEVEL_KEYS", "interpret", "load_frontmatter",
           "parse_frontmatter"]
