"""What protects a node when it fails (SPEC §7.2–§7.7), decided once per node per run.

``Resilience`` holds the run-wide pieces: the default retry policy (§7.3 sources 2 and 3),
the top-level nodes a fallback may name, which nodes never take the defaults (fallback
handlers and ``<on-workflow-error>`` nodes, §7.6, §7.8), and one circuit breaker per node
shared by every execution of it (§7.7). ``protection(node, runtime)`` turns a node's
``<on-error>`` and ``retry`` attribute into a ``Protection``; the node procedure
(``engine.node``) applies it. Nothing here runs a node.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..ast import Node, RetrySpec, Workflow
from ..durations import parse_duration
from ..errors import ConfigError, NodeConfigError
from .breaker import CircuitBreaker
from .retry import RetryPolicy

if TYPE_CHECKING:
    from ..runtimes.registry import Runtime
    from .context import RunServices
    from .state import RunState

#: Element families whose nodes are leaf nodes (§6.5): sources, transforms (AI included),
#: sinks, include and call. Only they take the default retry policies.
LEAF_FAMILIES = frozenset({"source", "transform", "sink", "compose"})

#: ``<retry>`` attribute → ``RetryPolicy`` field (§3.33).
_RETRY_FIELDS = {"max": "max_retries", "max-retries": "max_retries", "backoff": "backoff",
                 "base": "base", "max-delay": "max_delay", "jitter": "jitter",
                 "timeout": "timeout", "when": "when"}
_DURATIONS = frozenset({"base", "max_delay", "timeout"})

#: Renders an attribute written as a template (``max="{{ $config.retries }}"``).
Render = Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class Fallback:
    """The handler a failing node falls back to (§7.6): its id and ``when`` condition."""

    node: str
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Protection:
    """A node's retry policy, fallback and circuit breaker; all None for most nodes."""

    policy: RetryPolicy | None = None
    fallback: Fallback | None = None
    breaker: CircuitBreaker | None = None


#: The protection of a node with none: one attempt, no fallback, no breaker.
UNPROTECTED = Protection()


class Resilience:
    """The run-wide resilience settings; ``configure`` fills them from the workflow."""

    def __init__(self, services: RunServices) -> None:
        self.services = services
        #: The policy of §7.3 sources 2–3 (API/CLI, else frontmatter), for leaf nodes.
        self.default_policy: RetryPolicy | None = None
        #: Top-level nodes by id: the nodes a fallback may name.
        self.handlers: dict[str, Node] = {}
        #: ``id()`` of nodes that run under their own ``<on-error>`` only.
        self._own_only: set[int] = set()
        self._breakers: dict[str, CircuitBreaker] = {}
        self._policies: dict[tuple[tuple[str, str], ...], Protection] = {}
        #: What the default policy gives a leaf node without its own ``<retry>``.
        self._default = UNPROTECTED
        #: The state document's ``breakers``: restored from on resume, written after
        #: every attempt a breaker sees, so the state always holds their latest form.
        self._saved: dict[str, Any] = {}

    def configure(self, workflow: Workflow, state: RunState) -> None:
        """Read the defaults and handler nodes of ``workflow``; keep breakers in ``state``.

        Raises ``ConfigError`` for an invalid default retry policy (before the run starts).
        """
        self.default_policy = _default_policy(state.options.get("default_retry"),
                                              workflow.frontmatter.runtime.retry)
        self._default = _protection_of(self.default_policy)
        self._saved = state.breakers
        self.handlers = {node.id: node for node, _ in workflow.body.top_level()}
        own_only: list[Node] = []
        for target in _fallback_targets(workflow, self.default_policy):
            handler = self.handlers.get(target)
            if handler is not None:
                own_only.extend(handler.walk())
        on_error = workflow.body.on_workflow_error
        for top in on_error.body if on_error is not None else ():
            own_only.extend(top.walk())
        self._own_only = {id(node) for node in own_only}

    # -- per node ------------------------------------------------------------------------

    def protection(self, node: Node, runtime: Runtime | None, render: Render) -> Protection:
        """The policy (§7.3 source order), fallback (§7.6) and breaker (§7.7) of ``node``.

        Attributes written as templates are rendered once, with ``render``. Raises
        ``NodeConfigError`` for an invalid ``<retry>`` or ``<circuit-breaker>``.
        """
        on_error = node.on_error
        if on_error is not None and on_error.retry is not None:
            base = self._own(on_error.retry, render)
        elif self._default is not UNPROTECTED and self._takes_defaults(node, runtime):
            base = self._default
        else:
            base = UNPROTECTED
        if on_error is None or (on_error.fallback is None
                                and on_error.circuit_breaker is None):
            return base
        fallback = base.fallback
        if on_error.fallback is not None:
            spec = on_error.fallback
            fallback = Fallback(spec.node.value, spec.when.value if spec.when else None)
        breaker = None
        if on_error.circuit_breaker is not None:
            breaker = self._breaker(node.id, on_error.circuit_breaker.attributes, render)
        return Protection(base.policy, fallback, breaker)

    def _own(self, spec: RetrySpec, render: Render) -> Protection:
        """The protection of a ``<retry>`` alone; identical literal ones share one, so a
        thousand ``retry="3"`` nodes build and validate their policy once."""
        key = tuple([(name, text.value) for name, text in spec.attributes.items()])
        protection = self._policies.get(key)
        if protection is None:
            protection = Protection(retry_policy(spec, render))
            if not any("{{" in value for _, value in key):
                self._policies[key] = protection
        return protection

    def _takes_defaults(self, node: Node, runtime: Runtime | None) -> bool:
        return (runtime is not None and runtime.leaf
                and node.kind.partition(":")[0] in LEAF_FAMILIES
                and id(node) not in self._own_only)

    def handler(self, node_id: str) -> Node:
        """The top-level node a fallback names; ``NodeConfigError`` when there is none."""
        node = self.handlers.get(node_id)
        if node is None:
            raise NodeConfigError(f'the fallback node "{node_id}" is not a top-level node '
                                  "of this workflow")
        return node

    # -- circuit breakers (§7.7) ---------------------------------------------------------

    def _breaker(self, node_id: str, attributes: Mapping[str, Any],
                 render: Render) -> CircuitBreaker:
        breaker = self._breakers.get(node_id)
        if breaker is None:
            values = {name: _literal(text.value, render) for name, text in attributes.items()}
            settings = {"threshold": _integer("threshold", values.get("threshold", 5), 1),
                        "window": _seconds("window", values.get("window", "1m")),
                        "cooldown": _seconds("cooldown", values.get("cooldown", "5m"))}
            try:
                breaker = CircuitBreaker.from_json(self._saved.get(node_id), node_id,
                                                   clock=self.services.clock, **settings)
            except ValueError as exc:
                raise NodeConfigError(f"<circuit-breaker>: {exc}") from None
            self._breakers[node_id] = breaker
        return breaker

    def save(self, breaker: CircuitBreaker) -> None:
        """Record the breaker's state in the state document's ``breakers``."""
        self._saved[breaker.node_id] = breaker.to_json()


# ---------------------------------------------------------------------------------------
# Policies

def retry_policy(spec: RetrySpec, render: Render) -> RetryPolicy:
    """The policy of a ``<retry>`` element or ``retry="N"`` attribute (§3.33).

    Fields not written take the defaults of §7.3; ``when`` stays an expression source.
    """
    fields: dict[str, Any] = {}
    for name, text in spec.attributes.items():
        field = _RETRY_FIELDS.get(name)
        if field is None:
            continue
        raw = text.value if field == "when" else _literal(text.value, render)
        fields[field] = _retry_field(field, raw)
    try:
        return RetryPolicy(**fields)
    except ValueError as exc:
        raise NodeConfigError(f"<retry>: {exc}") from None


def _retry_field(field: str, raw: Any) -> Any:
    if field == "max_retries":
        return _integer("max", raw, 0)
    if field in _DURATIONS:
        return _seconds(field.replace("_", "-"), raw)
    if field == "jitter" and isinstance(raw, str) and raw not in ("full", "none"):
        try:
            return float(raw)
        except ValueError:
            return raw  # RetryPolicy explains what a jitter may be
    return raw


def _default_policy(option: Any, frontmatter: Mapping[str, Any] | None
                    ) -> RetryPolicy | None:
    """§7.3 sources 2 and 3: the API/CLI policy, else the frontmatter's, else None."""
    for source, value in (("default_retry", option), ("runtime.retry", frontmatter)):
        if value is None:
            continue
        if isinstance(value, RetryPolicy):
            return value
        try:
            return RetryPolicy.from_mapping(value)
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from None
    return None


def _protection_of(policy: RetryPolicy | None) -> Protection:
    if policy is None:
        return UNPROTECTED
    return Protection(policy, Fallback(policy.fallback_node) if policy.fallback_node else None)


def _fallback_targets(workflow: Workflow, default: RetryPolicy | None) -> Iterator[str]:
    """Every node id named as a fallback, by a ``<fallback>`` or the default policy."""
    if default is not None and default.fallback_node:
        yield default.fallback_node
    for top, _ in workflow.body.top_level():
        for node in top.walk():
            on_error = node.on_error
            if on_error is not None and on_error.fallback is not None:
                yield on_error.fallback.node.value


# ---------------------------------------------------------------------------------------
# Attribute values (§3.2.2: literal or template)

def _literal(text: str, render: Render) -> Any:
    return render(text) if "{{" in text else text


def _integer(name: str, value: Any, minimum: int) -> int:
    """An int attribute (§3.2.2): numeric strings convert; the value must be integral."""
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if (isinstance(number, bool) or not isinstance(number, int | float)
            or not math.isfinite(number) or number != int(number) or number < minimum):
        raise NodeConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(number)


def _seconds(name: str, value: Any) -> float:
    seconds = parse_duration(value)
    if seconds is None:
        raise NodeConfigError(f"{name} must be a duration, got {value!r}")
    return seconds


__all__ = ["LEAF_FAMILIES", "UNPROTECTED", "Fallback", "Protection", "Resilience",
           "retry_policy"]
