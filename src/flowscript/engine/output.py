"""The workflow output (SPEC §3.38, §6.11) and its check against the frontmatter ``output``
schema (§2.7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..ast import Workflow
from .context import RunServices
from .scope import Scope


def evaluate_output(workflow: Workflow, scope: Scope, services: RunServices) -> Any:
    """``<output>``: the object of its ``<set field>`` entries, or its value template;
    ``None`` without ``<output>``. References to nodes that did not succeed read ``null``."""
    output = workflow.body.output
    if output is None:
        return None
    if output.value is not None:
        source = output.value.value
        return services.template(source).render(scope) if "{{" in source else source
    result: dict[str, Any] = {}
    for entry in output.fields:
        source = entry.value.value
        value = services.template(source).render(scope) if "{{" in source \
            else services.literal(source)
        _assign(result, entry.var.value.split("."), value)
    return result


def _assign(target: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        nested = target.get(key)
        if not isinstance(nested, dict):
            nested = target[key] = {}
        target = nested
    target[path[-1]] = value


def check_output(workflow: Workflow, output: Any, schemas: Mapping[str, Any]) -> list[str]:
    """Why ``output`` does not match the frontmatter ``output`` schema (empty when it
    does, or when no schema is declared)."""
    declared = workflow.frontmatter.output
    if declared is None:
        return []
    from ..types import check, object_type

    if not isinstance(output, dict):
        shown = "null" if output is None else type(output).__name__
        return [f"expected an object, got {shown}"]
    problems = check(output, object_type(declared), schemas)
    for name, spec in declared.items():
        if spec.required and output.get(name) is None and name in output:
            problems.append(f"{name}: required field is null")
    return problems


__all__ = ["check_output", "evaluate_output"]
