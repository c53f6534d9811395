"""Every exception FlowScript raises, in one tree.

    FlowScriptError
    ├── ParseError            the file cannot be read or parsed (.diagnostics)
    ├── ValidationError       the file parses but has error diagnostics (.diagnostics)
    ├── ConfigError           invalid config, input or secrets (FS-RUN-001…005), or an
    │                         invalid configuration value met while a node runs
    ├── ResumeError           a state cannot be resumed (FS-RUN-006…008)
    ├── RunError              a run failed or was cancelled (.state)
    │   ├── NodeError         a node failed for good (.node_id, .attempts, .cause)
    │   ├── WorkflowTimeoutError
    │   ├── OutputSchemaError
    │   └── RunCancelledError
    └── NodeFailure           raised while a node runs; says whether to retry it
        ├── ExpressionError, HttpError, NetworkError ("ConnectionError"),
        ├── AttemptTimeoutError, WrapperTimeoutError ("TimeoutError"),
        └── AIError, DatabaseError, EmailError, FileError, FormatError, PathError, …

A node failure's ``type_name`` is the error type of SPEC §7.1; classification for retry is
the one attribute ``retryable`` (lesson 6 of STYLE.md), never a list of types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .diagnostics import Diagnostic


class FlowScriptError(Exception):
    """Base of every FlowScript exception."""

    #: The error type name of SPEC §7.1 (the class name unless a builtin name clashes).
    type_name: ClassVar[str] = "FlowScriptError"
    #: Exit code of the command line when this error ends a command.
    exit_code: ClassVar[int] = 1
    retryable: bool = False
    status: int | None = None
    retry_after: float | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "type_name" not in cls.__dict__:
            cls.type_name = cls.__name__

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.type_name


class _WithDiagnostics(FlowScriptError):
    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


class ParseError(_WithDiagnostics):
    """The workflow file cannot be read or parsed (FS-FILE, FS-YAML-001…009, FS-XML, FS-SEC)."""

    exit_code = 2


class ValidationError(_WithDiagnostics):
    """The workflow parses but has error diagnostics."""


class ConfigError(_WithDiagnostics):
    """Invalid config, input or secrets before a run (FS-RUN-001…005), or an invalid
    configuration value met while a node runs (error type ``ConfigError``, not retryable)."""

    exit_code = 2


class ResumeError(_WithDiagnostics):
    """A state cannot be resumed: workflow changed (FS-RUN-006), unreadable (FS-RUN-007) or
    locked by a live process (FS-RUN-008)."""

    def __init__(self, message: str, code: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message, diagnostics)
        self.code = code

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return 2 if self.code == "FS-RUN-007" else 1


class RunError(FlowScriptError):
    """A run ended failed or cancelled; ``state`` is its final RunState."""

    def __init__(self, message: str, state: Any = None) -> None:
        super().__init__(message)
        self.state = state


class NodeError(RunError):
    """A node failed for good. The original error is both ``cause`` and ``__cause__``."""

    def __init__(self, message: str, *, node_id: str, attempts: int, cause: BaseException,
                 state: Any = None) -> None:
        super().__init__(message, state)
        self.node_id = node_id
        self.attempts = attempts
        self.cause = cause
        self.__cause__ = cause


class WorkflowTimeoutError(RunError):
    """The whole run exceeded its time limit (never retried)."""


class OutputSchemaError(RunError):
    """The workflow output does not match the frontmatter ``output`` schema."""


class RunCancelledError(RunError):
    """The run was cancelled (SIGINT, SIGTERM or cancellation of the calling task)."""

    type_name = "CancelledError"
    exit_code = 130


class NodeFailure(FlowScriptError):
    """An error raised while a node runs. Runtimes raise these; the executor stamps the node."""

    def __init__(self, message: str, *, retryable: bool | None = None, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


class ExpressionError(NodeFailure):
    """An expression, template or pattern failed to parse or evaluate (never retryable).

    ``kind`` is one of syntax, name, function, arity, type, argument, zero-division, regex,
    limit; ``column`` is 1-based within ``source``; ``str()`` shows a caret under it.
    """

    def __init__(self, message: str, *, kind: str = "syntax", source: str = "",
                 column: int = 1, hints: list[str] | None = None,
                 names: list[str] | None = None) -> None:
        super().__init__(message, retryable=False)
        self.kind = kind
        self.source = source
        self.column = column
        self.hints = list(hints or [])
        #: For an unknown name: the names in scope (never their values).
        self.names = list(names or [])

    @property
    def message(self) -> str:
        return str(self.args[0])

    def caret(self) -> str:
        """The source line holding ``column`` with a caret under it."""
        line_start = 0
        lines = self.source.split("\n")
        for line in lines:
            if self.column - 1 <= line_start + len(line):
                return f"{line}\n{' ' * max(0, self.column - 1 - line_start)}^"
            line_start += len(line) + 1
        return f"{lines[-1] if lines else ''}\n^"

    def __str__(self) -> str:
        text = f"{self.message} (column {self.column})"
        if self.source:
            text += "\n" + self.caret()
        for hint in self.hints:
            text += f"\nhint: {hint}"
        return text


class HttpError(NodeFailure):
    """A non-2xx HTTP response: ``status``, the truncated ``body``, ``retryable`` (408, 429,
    5xx) and ``retry_after`` (seconds from a ``Retry-After`` header)."""

    def __init__(self, message: str, *, status: int, body: Any = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, retryable=status in (408, 429) or 500 <= status <= 599,
                         status=status, retry_after=retry_after)
        self.body = body


class NetworkError(NodeFailure):
    """A refused, reset or dropped connection or a DNS failure (retryable)."""

    type_name = "ConnectionError"
    retryable = True


class AttemptTimeoutError(NodeFailure):
    """One attempt exceeded its limit and was cancelled (retryable)."""

    retryable = True


class WrapperTimeoutError(NodeFailure):
    """A ``<timeout>`` wrapper hit its limit (retryable)."""

    type_name = "TimeoutError"
    retryable = True


class AIError(NodeFailure):
    """The AI provider failed; retryable for 408, 429, 5xx, network errors, empty replies."""


class DatabaseError(NodeFailure):
    """A database node failed; retryable when the connection fails or the database is busy."""


class EmailError(NodeFailure):
    """The email sink failed; retryable for connection failures, SMTP 4xx, SendGrid 429/5xx."""


class SchemaValidationError(NodeFailure):
    """A value does not match its schema (AI output, HTTP ``validate``)."""


class BudgetExceededError(NodeFailure):
    """An AI token budget is exhausted (never retried)."""


class FileError(NodeFailure):
    """A file is missing, unreadable or a directory."""


class FormatError(NodeFailure):
    """Content does not parse in the expected format."""


class PathError(NodeFailure):
    """A path escapes the base directory or contains NUL (SPEC §12.5)."""


class NodeConfigError(NodeFailure):
    """A configuration value is invalid when the node runs."""

    type_name = "ConfigError"


class CheckpointRejected(NodeFailure):
    """A person chose ``reject`` at a checkpoint (never retried)."""


class CircuitOpenError(NodeFailure):
    """The node's circuit breaker is open."""


class LoopLimitError(NodeFailure):
    """A loop or while reached its safety cap."""


class GotoLimitError(NodeFailure):
    """A goto fired more than its ``max`` times."""


class SubWorkflowError(NodeFailure):
    """An included or called workflow failed; status and retryable are the inner error's."""


class IncludeCycleError(NodeFailure):
    """An include or call re-entered a file already on the chain."""


class InternalError(NodeFailure):
    """A bug in the engine or a plugin."""


#: Error types never retried, whatever a ``when`` expression says (SPEC §7.2).
NEVER_RETRIED = frozenset({"CancelledError", "WorkflowTimeoutError", "CheckpointRejected",
                           "BudgetExceededError"})
