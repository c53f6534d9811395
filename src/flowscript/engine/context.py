"""What a runtime may touch: ``NodeContext`` (SPEC §10.10 "Plugins", DESIGN "runtimes").

A runtime gets the node, its resolved input and evaluated configuration, and a few
services: evaluating expressions and templates in the node's scope, the run's shared HTTP
client, secrets, path resolution with confinement (§12.5), the event emitter, and
``run_children`` for control-flow runtimes. It never touches ``RunState`` directly.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NodeConfigError, PathError, SchemaValidationError
from .events import EventBus
from .retry import Clock, SystemClock
from .scope import Scope

if TYPE_CHECKING:
    import httpx

    from ..ast import Node, Sequence


class RunServices:
    """Per-run services shared by every node context: compiled expressions, the HTTP
    client (created on first use, closed when the run ends), secrets, paths, events."""

    def __init__(self, *, bus: EventBus, secrets: Mapping[str, str], base_dir: Path,
                 restrict_paths: bool, declared: frozenset[str],
                 schemas: Mapping[str, Any] | None = None, redactor: Any = None) -> None:
        self.bus = bus
        self.secrets = dict(secrets)
        #: The base directory of relative paths, resolved (symlinks too).
        self.base_dir = base_dir.resolve()
        self.restrict_paths = restrict_paths
        #: Declared names of the workflow (the hyphen rule of SPEC §5.2).
        self.declared = declared
        #: Named schemas for type checks (``validate``).
        self.schemas = schemas or {}
        #: The run's redactor (``engine.redact.Redactor``), or None when nothing is secret.
        self.redactor = redactor
        #: Free per-run storage for runtimes (OAuth2 tokens…); never module-level state.
        self.cache: dict[str, Any] = {}
        #: ``async (sequence, scope, container_input) -> SequenceOutcome``, set by
        #: ``prepare`` so that ``NodeContext.run_children`` reaches the node procedure.
        self.run_sequence: Callable[..., Awaitable[Any]] | None = None
        #: Where back-off, breakers and waits read time; tests put a ``FakeClock`` here
        #: before the run starts, so a 30-second back-off takes no time (STYLE lesson 7).
        self.clock: Clock = SystemClock()
        #: Draws back-off jitter; None is the module's shared generator. Tests seed one.
        self.rng: random.Random | None = None
        #: Container result key → ``{iteration, completed}`` (SPEC §8.4 ``progress``): the
        #: run state's own table once the run is wired, so a resumed run sees what the
        #: interrupted one recorded.
        self.progress: dict[str, Any] = {}
        #: The progress a resumed run found recorded (§8.6 step 5); each container takes
        #: its entry once, so a later run of the same key (a loop body) starts afresh.
        self.resumed_progress: dict[str, Any] = {}
        #: ``(final) -> None``: persists the run after an iteration checkpoint; None when
        #: the run keeps no state file (the checkpoint then stays in memory only).
        self.checkpoint_hook: Callable[[bool], None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._expressions: dict[str, Any] = {}
        self._templates: dict[str, Any] = {}

    def expression(self, source: str) -> Any:
        """The compiled expression for ``source`` (compiled once per run); an expr value
        that is exactly one ``{{ … }}`` is unwrapped (SPEC §3.2.2)."""
        compiled = self._expressions.get(source)
        if compiled is None:
            from ..expr.api import compile_expression

            compiled = self._expressions[source] = compile_expression(
                source, self.declared, allow_wrapped=True)
        return compiled

    def template(self, source: str) -> Any:
        """The compiled template for ``source`` (compiled once per run)."""
        compiled = self._templates.get(source)
        if compiled is None:
            from ..expr.api import compile_template

            compiled = self._templates[source] = compile_template(source, self.declared)
        return compiled

    def literal(self, source: str) -> Any:
        """A *value*-kind literal parsed once per run (treat the result as read-only)."""
        key = "literal:" + source
        if key not in self.cache:
            from .config_values import literal_value

            self.cache[key] = literal_value(source)
        return self.cache[key]

    @property
    def http(self) -> httpx.AsyncClient:
        """The run's one HTTP client: TLS verified, no client-side timeout (attempt
        timeouts cancel requests), redirects handled by the HTTP runtime."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(verify=True, timeout=httpx.Timeout(None),
                                           follow_redirects=False, trust_env=False)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def checkpoint(self, key: str, entry: dict[str, Any], *, final: bool = False) -> None:
        """Record a container's iteration progress (SPEC §8.2), so that a killed run does
        not redo completed iterations; ``final`` asks for a write now, not a grouped one."""
        self.progress[key] = entry
        if self.checkpoint_hook is not None:
            self.checkpoint_hook(final)

    def add_derived_secret(self, value: str) -> None:
        """Redact a value derived from a secret (base64 credentials, tokens) from now on."""
        if value and self.redactor is not None:
            self.redactor.add(value)

    def clean(self, value: Any) -> Any:
        """``value`` with secrets redacted (error objects, messages: SPEC §8.5)."""
        if self.redactor is None or not self.redactor:
            return value
        return self.redactor.redact(value)[0]

    def resolve_path(self, text: str) -> Path:
        """``text`` resolved against the base directory, symlinks resolved; confined to
        the base directory unless the caller lifted it. NUL is always refused."""
        if "\x00" in text:
            raise PathError("path contains a NUL character")
        path = Path(text)
        if not path.is_absolute():
            path = self.base_dir / path
        try:
            resolved = path.resolve(strict=False)
        except (OSError, RuntimeError) as exc:
            raise PathError(f'cannot resolve path "{text}": {exc}') from None
        if self.restrict_paths and not resolved.is_relative_to(self.base_dir):
            raise PathError(f'path "{text}" resolves outside the base directory '
                            f"{self.base_dir}; only the caller can allow that "
                            "(--allow-any-path, restrict_paths=False)")
        return resolved


class NodeContext:
    """The narrow interface a runtime gets for one attempt of one node."""

    __slots__ = ("attempt", "config", "input", "key", "meta", "node", "scope", "services")

    def __init__(self, node: Node, key: str, scope: Scope, services: RunServices, *,
                 input: Any = None, attempt: int = 1) -> None:
        self.node = node
        #: The node's result key (SPEC §4.1).
        self.key = key
        #: The resolved input (SPEC §4.3).
        self.input = input
        #: Evaluated configuration values by canonical key (SPEC §3.2.3).
        self.config: dict[str, Any] = {}
        #: The names the node's expressions see.
        self.scope = scope
        self.services = services
        self.attempt = attempt
        #: The result's kind-specific ``meta`` (SPEC §6.6); the runner shares its dict.
        self.meta: dict[str, Any] = {}

    # -- expressions -----------------------------------------------------------------

    def evaluate(self, source: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Evaluate an expression in the node's scope, plus ``bindings``."""
        scope = self.scope.bind(bindings) if bindings else self.scope
        return self.services.expression(source).evaluate(scope)

    def render(self, source: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Render a template in the node's scope (a single-tag template keeps its value)."""
        scope = self.scope.bind(bindings) if bindings else self.scope
        return self.services.template(source).render(scope)

    def expression(self, source: str) -> Any:
        """The compiled expression, for runtimes that evaluate it many times."""
        return self.services.expression(source)

    def literal(self, source: str) -> Any:
        """A *value*-kind literal (``"0"`` → 0, ``"[1]"`` → [1]); read-only."""
        return self.services.literal(source)

    def template(self, source: str) -> Any:
        """The compiled template (``.render(scope)``, ``.single``)."""
        return self.services.template(source)

    def config_source(self, key: str) -> str | None:
        """The text of configuration key ``key`` as written (for deferred keys)."""
        value = getattr(self.node, "config", {}).get(key)
        if value is None:
            return None
        return value.value if isinstance(value.value, str) else None

    def check_type(self, expected: str, value: Any) -> None:
        """Raise ``SchemaValidationError`` unless ``value`` matches the type expression or
        schema name ``expected``."""
        from ..types import TypeSyntaxError, check, parse_type

        try:
            type_ = parse_type(expected)
        except TypeSyntaxError as exc:
            raise NodeConfigError(f"invalid type expression {expected!r}: {exc}") from None
        problems = check(value, type_, self.services.schemas)
        if problems:
            raise SchemaValidationError(f"value does not match {expected}: "
                                        + "; ".join(problems))

    # -- services ----------------------------------------------------------------------

    def secret(self, name: str) -> str | None:
        return self.services.secrets.get(name)

    def add_derived_secret(self, value: str) -> None:
        """Report a value derived from a secret so that redaction removes it too."""
        self.services.add_derived_secret(value)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.services.http

    @property
    def run_cache(self) -> dict[str, Any]:
        return self.services.cache

    @property
    def base_dir(self) -> Path:
        return self.services.base_dir

    def resolve_path(self, text: str) -> Path:
        return self.services.resolve_path(text)

    def emit(self, event_type: str, **fields: Any) -> None:
        """Emit an event stamped with this node's key, id and kind."""
        bus = self.services.bus
        if bus.wants(event_type):
            bus.emit(event_type, key=self.key, id=self.node.id, kind=self.node.kind,
                     **fields)

    async def run_children(self, sequence: Sequence, *, input: Any = None,
                           bindings: Mapping[str, Any] | None = None,
                           frame: dict[str, Any] | None = None,
                           prefix: str | None = None) -> Any:
        """Run a nested sequence through the executor's node procedure (SPEC §6.5, §6.8).

        ``input`` is what the container gives the first node; ``frame`` opens a variable
        scope (foreach iteration, parallel lane) and ``prefix`` a result-key prefix
        (``"fe[2]/"``). Returns a ``SequenceOutcome``.
        """
        if self.services.run_sequence is None:
            raise RuntimeError("run_children() is only available while a run executes")
        scope = self.scope.enter(prefix=prefix, frame=frame, bindings=bindings)
        return await self.services.run_sequence(sequence, scope, input)


__all__ = ["NodeContext", "RunServices"]
