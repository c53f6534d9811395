"""What the executor takes from planning (SPEC §4.7, §6.2, §6.3), in one small record.

``plan_facts`` asks the planner for the ``ExecutionPlan`` — waves, dependencies, handler
nodes, the nodes each ``input`` attribute references, and the get_ready/done protocol the
scheduler drives — and adds what the scopes need: the declared names (the hyphen rule of
§5.2), the referable node ids and the nodes of each phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..ast import Workflow

if TYPE_CHECKING:
    from ..planner import ExecutionPlan


@dataclass(slots=True)
class PlanFacts:
    """The plan as the executor reads it."""

    #: The planner's plan; the executor drives a ``copy()`` of it per run.
    plan: ExecutionPlan
    #: Declared names of the workflow (the hyphen rule, SPEC §5.2).
    declared: frozenset[str] = frozenset()
    #: Node ids expressions may reference (explicit ids, nested nodes included).
    referable: frozenset[str] = frozenset()
    #: Phase name → the ids of its nodes.
    phases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def waves(self) -> list[list[str]]:
        return self.plan.waves

    def dependencies(self, node_id: str) -> tuple[str, ...]:
        return self.plan.dependencies.get(node_id, ())

    def input_references(self, node_id: str) -> tuple[str, ...]:
        """Node ids the node's ``input`` attribute references (for the skip rule)."""
        planned = self.plan.nodes.get(node_id)
        return planned.input_references if planned is not None else ()

    def is_handler(self, node_id: str) -> bool:
        planned = self.plan.nodes.get(node_id)
        return planned is not None and planned.handler


def plan_facts(workflow: Workflow) -> PlanFacts:
    """The facts of ``workflow``'s plan; raises ``ValidationError`` on error diagnostics."""
    from ..planner import plan
    from ..validation.index import build_index

    execution_plan = plan(workflow)
    index = build_index(workflow)
    return PlanFacts(
        plan=execution_plan, declared=index.declared_names(),
        referable=frozenset(entry.id for entry in index.entries if not entry.node.auto_id),
        phases={name: tuple(ids) for name, ids in index.phases.items()})


__all__ = ["PlanFacts", "plan_facts"]
