"""Checks of single values beyond their syntax (SPEC §2.11, §3.7, §3.9, §3.14, §3.37).

FS-REF-009 unknown schema names (type expressions, ``schema=``, ``<output type>``);
FS-EXPR-009 an invalid literal JSONPath or JMESPath in ``extract``; FS-SEC-006 (warning) a
template inside a SQL ``query``; FS-TYPE-006 a ``<field default>`` that does not match its
type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from ..ast import DataNode, Field, Text
from ..diagnostics import DiagnosticSink, did_you_mean
from ..types import TypeSyntaxError, check, parse_type, schema_types
from .facts import Facts
from .index import WorkflowIndex
from .sites import Site, SourceLocator


def schema_names(index: WorkflowIndex) -> set[str]:
    """Named schemas: the frontmatter's ``schemas`` and every ``<schema>`` element."""
    body = index.workflow.body
    names = set(index.workflow.frontmatter.schemas)
    names.update(schema.name for schema in body.schemas)
    for phase in body.phases():
        names.update(schema.name for schema in phase.schemas)
    return names


def check_site_extras(index: WorkflowIndex, site: Site, facts: Facts,
                      locator: SourceLocator, sink: DiagnosticSink) -> None:
    if facts.schemas:
        known = schema_names(index)
        for name, offset in facts.schemas:
            if name not in known:
                line, column = locator.position(site.text, offset)
                unknown_schema(sink, name, line, column, known)
    owner = site.owner.node if site.owner is not None else None
    if not isinstance(owner, DataNode) or not site.config:
        return
    if site.key == "query" and owner.kind == "source:database" and site.form == "template":
        line, column = locator.position(site.text, site.text.value.find("{{"))
        sink.warning("FS-SEC-006", "template inside a SQL query: values belong in params",
                     line, column, hints=("write a placeholder (?, $1 or :name) and pass "
                                          "the value in <params>",))


def unknown_schema(sink: DiagnosticSink, name: str, line: int, column: int,
                   known: Iterable[str]) -> None:
    sink.error("FS-REF-009", f'unknown schema "{name}"', line, column,
               end_line=line, end_column=column + len(name),
               hints=did_you_mean(name, known) or ("declare it under schemas: or with "
                                                  "<schema name>",))


def check_nodes(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    """Per-node checks that are not about one site: schema names, extract paths, field
    defaults."""
    known = schema_names(index)
    for entry in index.entries:
        node = entry.node
        if not isinstance(node, DataNode):
            continue
        for name in _schema_names_of(node):
            if name.value.strip() and name.value.strip() not in known:
                unknown_schema(sink, name.value.strip(), name.span.line, name.span.column,
                               known)
        extract = node.config.get("extract")
        if extract is not None and isinstance(extract.value, str):
            _extract(extract.as_text(), sink)
        for item in node.output_fields or ():
            field_default(item, index, sink)
    body = index.workflow.body
    for schema in (*body.schemas, *(s for p in body.phases() for s in p.schemas)):
        for item in schema.fields:
            field_default(item, index, sink)


def _schema_names_of(node: DataNode) -> list[Text]:
    names: list[Text] = []
    schema = node.config.get("schema")
    if schema is not None and isinstance(schema.value, str) and "{{" not in schema.value:
        names.append(schema.as_text())
    if node.output_type is not None:
        names.append(node.output_type)
    return names


def _extract(text: Text, sink: DiagnosticSink) -> None:
    """FS-EXPR-009: a literal extract path must parse (JSONPath when it starts with $)."""
    source = text.value.strip()
    if not source or "{{" in source:
        return
    try:
        if source.startswith("$"):
            from jsonpath_ng.ext import parse as parse_jsonpath

            parse_jsonpath(source)
        else:
            import jmespath

            jmespath.compile(source)
    except Exception as error:  # both libraries raise assorted exception types
        kind = "JSONPath" if source.startswith("$") else "JMESPath"
        sink.error("FS-EXPR-009", f"invalid {kind} {source!r}: {error}".splitlines()[0],
                   text.span.line, text.span.column)


def field_default(item: Field, index: WorkflowIndex, sink: DiagnosticSink) -> None:
    """FS-TYPE-006: a literal ``<field default>`` must match the field's type."""
    default = item.attr("default")
    type_text = item.attr("type")
    if default is None or type_text is None or "{{" in default.value:
        return
    try:
        type_ = parse_type(type_text.value)
    except TypeSyntaxError:
        return  # reported as FS-EXPR-008 with the type's site
    value = _literal(default.value)
    schemas = _schema_types(index)
    problems = check(value, type_, schemas)
    if problems:
        sink.error("FS-TYPE-006", f'default of field "{item.name}" does not match its type '
                   f"{type_text.value}: {problems[0]}", default.span.line, default.span.column)


def _literal(text: str) -> Any:
    """A value-kind literal (§3.2.2): a YAML flow value, else the string."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _schema_types(index: WorkflowIndex) -> dict[str, Any]:
    try:
        return schema_types(index.workflow.frontmatter.schemas)
    except (TypeSyntaxError, ValueError, TypeError):
        return {}


__all__ = ["check_nodes", "check_site_extras", "field_default", "schema_names",
           "unknown_schema"]
