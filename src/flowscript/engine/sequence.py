"""Sequences (SPEC §6.8): the nodes of a container body run one after another.

Each node goes through the full node procedure (§6.5). Without an ``input`` attribute a
node receives the output of the nearest preceding node that is not a ``set``, ``context``
or ``checkpoint``, or the container's value for the first one (§4.3). The sequence stops
at the first failure; nodes it does not reach are not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ast import Sequence
from .node import NodeRunner
from .scope import Scope
from .state import NodeResult

#: Kinds whose output is not passed on to the next node of a sequence (§4.3).
NOT_CHAINED = frozenset({"state:set", "state:context", "checkpoint"})


@dataclass(slots=True)
class SequenceOutcome:
    """How a sequence ended: its last chained output, every result, the failure if any."""

    output: Any = None
    results: list[NodeResult] = field(default_factory=list)
    failed: NodeResult | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None


async def run_sequence(runner: NodeRunner, sequence: Sequence, scope: Scope,
                       container_input: Any) -> SequenceOutcome:
    """Run ``sequence`` in ``scope``; result keys take the scope's innermost prefix."""
    outcome = SequenceOutcome(output=container_input)
    prefix = scope.prefixes[0]
    for node in sequence:
        result = await runner.run_node(node, scope, key=prefix + node.id,
                                       implicit_input=outcome.output)
        outcome.results.append(result)
        if result.status != "success":
            outcome.failed = result
            break
        if node.kind not in NOT_CHAINED:
            outcome.output = result.output
    return outcome


__all__ = ["NOT_CHAINED", "SequenceOutcome", "run_sequence"]
