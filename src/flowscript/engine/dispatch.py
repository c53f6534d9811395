"""The scale-out seam (DESIGN "Scale-out"): the executor asks a ``Dispatcher`` to run a
node's runtime call. The default runs it in the local event loop; a distributed
dispatcher (Dask, a worker pool) can take over later without touching the executor.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from ..ast import Node
from ..runtimes.registry import Runtime
from .context import NodeContext


class Dispatcher(Protocol):
    """Starts one attempt's runtime call; awaiting the result gives the node's output.
    Cancelling the awaiting task must cancel the call (attempt timeouts rely on it)."""

    def dispatch(self, runtime: Runtime, node: Node, ctx: NodeContext) -> Awaitable[Any]: ...


class LocalDispatcher:
    """Runs the runtime in the current event loop (the default): the runtime's own
    coroutine is awaited directly, so dispatching costs nothing."""

    __slots__ = ()

    def dispatch(self, runtime: Runtime, node: Node, ctx: NodeContext) -> Awaitable[Any]:
        return runtime.run(node, ctx)


__all__ = ["Dispatcher", "LocalDispatcher"]
