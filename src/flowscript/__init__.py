"""FlowScript: a text-native workflow engine.

This module is the public API of SPEC §10.10 and only it. Names load lazily (PEP 562), so
``import flowscript`` and ``flowscript --help`` stay fast; implementation modules are
named so that none of them shadows an exported function (``engine``, not ``run``;
``parsing``, not ``parse``; ``planner``, ``validation``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: exported name → "module:attribute"
_EXPORTS: dict[str, str] = {
    "load": "flowscript.loader:load",
    "parse": "flowscript.loader:parse",
    "validate": "flowscript.validation:validate",
    "plan": "flowscript.planner:plan",
    "run": "flowscript.engine.api:run",
    "arun": "flowscript.engine.api:arun",
    "resume": "flowscript.engine.api:resume",
    "aresume": "flowscript.engine.api:aresume",
    "evaluate": "flowscript.expr.api:evaluate",
    "render": "flowscript.expr.api:render",
    "match": "flowscript.expr.api:match",
    "compile_expression": "flowscript.expr.api:compile_expression",
    "compile_template": "flowscript.expr.api:compile_template",
    "ExecutionOptions": "flowscript.engine.options:ExecutionOptions",
    "RetryPolicy": "flowscript.engine.retry:RetryPolicy",
    "ExecutionPlan": "flowscript.planner:ExecutionPlan",
    "Workflow": "flowscript.ast:Workflow",
    "RunState": "flowscript.engine.state:RunState",
    "NodeResult": "flowscript.engine.state:NodeResult",
    "Diagnostic": "flowscript.diagnostics:Diagnostic",
}
_ERRORS = (
    "FlowScriptError",
    "ParseError",
    "ValidationError",
    "ConfigError",
    "ExpressionError",
    "ResumeError",
    "RunError",
    "NodeError",
    "WorkflowTimeoutError",
    "OutputSchemaError",
    "RunCancelledError",
    "NodeFailure",
    "HttpError",
    "NetworkError",
    "AttemptTimeoutError",
    "WrapperTimeoutError",
    "AIError",
    "DatabaseError",
    "EmailError",
    "SchemaValidationError",
    "BudgetExceededError",
    "FileError",
    "FormatError",
    "PathError",
    "NodeConfigError",
    "CheckpointRejected",
    "CircuitOpenError",
    "LoopLimitError",
    "GotoLimitError",
    "SubWorkflowError",
    "IncludeCycleError",
    "InternalError",
)
_EXPORTS.update({name: f"flowscript.errors:{name}" for name in _ERRORS})

__all__ = [
    "AIError",
    "AttemptTimeoutError",
    "BudgetExceededError",
    "CheckpointRejected",
    "CircuitOpenError",
    "ConfigError",
    "DatabaseError",
    "Diagnostic",
    "EmailError",
    "ExecutionOptions",
    "ExecutionPlan",
    "ExpressionError",
    "FileError",
    "FlowScriptError",
    "FormatError",
    "GotoLimitError",
    "HttpError",
    "IncludeCycleError",
    "InternalError",
    "LoopLimitError",
    "NetworkError",
    "NodeConfigError",
    "NodeError",
    "NodeFailure",
    "NodeResult",
    "OutputSchemaError",
    "ParseError",
    "PathError",
    "ResumeError",
    "RetryPolicy",
    "RunCancelledError",
    "RunError",
    "RunState",
    "SchemaValidationError",
    "SubWorkflowError",
    "ValidationError",
    "Workflow",
    "WorkflowTimeoutError",
    "WrapperTimeoutError",
    "aresume",
    "arun",
    "compile_expression",
    "compile_template",
    "evaluate",
    "load",
    "match",
    "parse",
    "plan",
    "render",
    "resume",
    "run",
    "validate",
]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'flowscript' has no attribute {name!r}")
    module_name, attribute = target.split(":")
    value = getattr(importlib.import_module(module_name), attribute)
    if getattr(value, "__module__", "").startswith("flowscript."):
        try:
            value.__module__ = "flowscript"
        except (AttributeError, TypeError):
            pass
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .ast import Workflow
    from .diagnostics import Diagnostic
    from .engine.api import aresume, arun, resume, run
    from .engine.options import ExecutionOptions
    from .engine.retry import RetryPolicy
    from .engine.state import NodeResult, RunState
    from .errors import (
        AIError,
        AttemptTimeoutError,
        BudgetExceededError,
        CheckpointRejected,
        CircuitOpenError,
        ConfigError,
        DatabaseError,
        EmailError,
        ExpressionError,
        FileError,
        FlowScriptError,
        FormatError,
        GotoLimitError,
        HttpError,
        IncludeCycleError,
        InternalError,
        LoopLimitError,
        NetworkError,
        NodeConfigError,
        NodeError,
        NodeFailure,
        OutputSchemaError,
        ParseError,
        PathError,
        ResumeError,
        RunCancelledError,
        RunError,
        SchemaValidationError,
        SubWorkflowError,
        ValidationError,
        WorkflowTimeoutError,
        WrapperTimeoutError,
    )
    from .expr.api import compile_expression, compile_template, evaluate, match, render
    from .loader import load, parse
    from .planner import ExecutionPlan, plan
    from .validation import validate
