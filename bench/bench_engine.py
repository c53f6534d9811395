"""Engine overhead per node, side by side with references run in the same process.

    PYTHONPATH=src python bench/bench_engine.py [--nodes 1000] [--repeat 3]

Workflows of template nodes are generated: *wide* (N independent nodes, one wave) and a
*chain* (each node reads the previous one, N waves). The reference does the same template
renders with plain asyncio (bounded the same way for the wide graph); Dask and LangGraph
columns appear when those packages are importable (``pip install -e '.[bench]'``). The
figures that matter are ratios: engine time over reference time, and a 5x longer chain
over the 1x chain (linear scaling means about 5).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from flowscript.ast import (
    Body,
    ConfigValue,
    DataNode,
    Frontmatter,
    OnError,
    RetrySpec,
    Span,
    Text,
    Workflow,
)
from flowscript.engine.api import prepare
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.planning import PlanFacts
from flowscript.expr.api import compile_template
from flowscript.planner import ExecutionPlan

SPAN = Span(1, 1)
CONCURRENCY = 10


# ---------------------------------------------------------------------------------------
# Generated workflows

def node(node_id: str, source: str) -> DataNode:
    return DataNode(element="transform", span=SPAN, id=node_id, kind="transform:template",
                    type="template", config={"template": ConfigValue(source, SPAN)})


def wide(n: int) -> tuple[Workflow, PlanFacts]:
    nodes = [node(f"n{i}", f"{{{{ {i} + 1 }}}}") for i in range(n)]
    return _workflow(nodes), _facts(nodes, {})


def chain(n: int) -> tuple[Workflow, PlanFacts]:
    nodes = [node("n0", "{{ 0 + 1 }}")]
    nodes += [node(f"n{i}", f"{{{{ n{i - 1} + 1 }}}}") for i in range(1, n)]
    return _workflow(nodes), _facts(nodes, {f"n{i}": {f"n{i - 1}"} for i in range(1, n)})


def _workflow(nodes: list[DataNode]) -> Workflow:
    body = Body(element="workflow", span=SPAN, items=tuple(nodes))
    return Workflow(path=None, source="", frontmatter=Frontmatter(name="bench", version="1.0"),
                    body=body, hash="sha256:0")


def _facts(nodes: list[DataNode], deps: dict[str, set[str]]) -> PlanFacts:
    ids = [n.id for n in nodes]
    plan = ExecutionPlan.from_dependencies({i: tuple(deps.get(i, ())) for i in ids})
    return PlanFacts(plan=plan, declared=frozenset(ids), referable=frozenset(ids))


# ---------------------------------------------------------------------------------------
# Contenders

async def engine(graph: tuple[Workflow, PlanFacts]) -> None:
    workflow, facts = graph
    executor = prepare(workflow, facts, config=None, input=None, secrets=None,
                       options=ExecutionOptions(), environ={})
    state = await executor.execute()
    assert state.status == "completed"


def sources(n: int, shape: str) -> list[str]:
    """The template of every node, as the generated workflows write them."""
    if shape == "wide":
        return [f"{{{{ {i} + 1 }}}}" for i in range(n)]
    return ["{{ 0 + 1 }}", *(f"{{{{ n{i - 1} + 1 }}}}" for i in range(1, n))]


async def asyncio_dag(n: int, shape: str) -> None:
    """What one would write by hand with plain asyncio: a task per node awaiting its
    dependency, a semaphore bounding concurrency, the same compiled renders."""
    templates = [compile_template(source) for source in sources(n, shape)]
    results: dict[str, Any] = {}
    tasks: list[asyncio.Task[None]] = []
    limit = asyncio.Semaphore(CONCURRENCY)

    async def run(i: int) -> None:
        if shape == "chain" and i:
            await tasks[i - 1]
        async with limit:
            results[f"n{i}"] = templates[i].render(results)

    for i in range(n):
        tasks.append(asyncio.ensure_future(run(i)))
    await asyncio.gather(*tasks)
    assert len(results) == n


async def renders_only(n: int, shape: str) -> None:
    """The floor: the same renders in a loop, no scheduling at all."""
    templates = [compile_template(source) for source in sources(n, shape)]
    results: dict[str, Any] = {}
    for i, template in enumerate(templates):
        results[f"n{i}"] = template.render(results)


def dask_run(n: int, shape: str) -> Callable[[], None] | None:
    if importlib.util.find_spec("dask") is None:
        return None
    import dask

    def run() -> None:
        templates = [compile_template(f"{{{{ {i} + 1 }}}}") for i in range(n)] \
            if shape == "wide" else None
        if shape == "wide":
            tasks = [dask.delayed(t.render)({}) for t in templates]  # type: ignore[union-attr]
            dask.compute(*tasks, scheduler="threads", num_workers=CONCURRENCY)
            return
        previous = dask.delayed(compile_template("{{ 0 + 1 }}").render)({})
        for i in range(1, n):
            step = compile_template(f"{{{{ n{i - 1} + 1 }}}}")
            previous = dask.delayed(lambda v, s=step, k=f"n{i - 1}": s.render({k: v}))(previous)
        previous.compute(scheduler="sync")
    return run


def langgraph_run(n: int, shape: str) -> Callable[[], None] | None:
    if importlib.util.find_spec("langgraph") is None:
        return None
    from typing import Annotated, TypedDict

    from langgraph.graph import END, START, StateGraph

    def merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
        return {**left, **right}

    # The functional form: evaluated now, not a string annotation (``from __future__``).
    State = TypedDict("State", {"results": Annotated[dict[str, Any], merge]})  # noqa: UP013

    def build() -> Any:
        graph: Any = StateGraph(State)
        for i, source in enumerate(sources(n, shape)):
            template = compile_template(source)
            graph.add_node(f"n{i}", lambda state, t=template, k=f"n{i}": {
                "results": {k: t.render(state["results"])}})
            if shape == "wide":
                graph.add_edge(START, f"n{i}")
                graph.add_edge(f"n{i}", END)
            elif i:
                graph.add_edge(f"n{i - 1}", f"n{i}")
        if shape == "chain":
            graph.add_edge(START, "n0")
            graph.add_edge(f"n{n - 1}", END)
        return graph.compile()

    def run() -> None:
        build().invoke({"results": {}}, {"recursion_limit": n + 10})
    return run


# ---------------------------------------------------------------------------------------
# Measuring

def best_of(repeat: int, run: Callable[[], Awaitable[None] | None]) -> float:
    """The fastest of ``repeat`` runs after one unmeasured warm-up run. As ``timeit``
    does, the cyclic garbage collector is paused while a run is timed: its full
    collections fire at heap-size thresholds, which would make the figures depend on when
    a collection happens to land rather than on the code measured."""
    times = []
    _once(run)
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            _once(run)
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return min(times)


def _once(run: Callable[[], Awaitable[None] | None]) -> None:
    result = run()
    if asyncio.iscoroutine(result):
        asyncio.run(result)


def clear_compile_caches() -> None:
    """Forget compiled templates, so a run pays for compiling like a fresh load."""
    from flowscript.expr import api

    for cached in (api._compile_template, api._compile_expression):
        cached.cache_clear()


def compare(shape: str, n: int, repeat: int, notes: list[str]) -> list[tuple[str, str]]:
    """The engine against plain asyncio, the render floor, Dask and LangGraph."""
    graph = (wide if shape == "wide" else chain)(n)
    ours = best_of(repeat, lambda: engine(graph))
    dag = best_of(repeat, lambda: asyncio_dag(n, shape))
    floor = best_of(repeat, lambda: renders_only(n, shape))
    rows = [(f"{shape} {n}: engine", f"{ours * 1e3:8.1f} ms"),
            (f"{shape} {n}: plain asyncio (task per node)", f"{dag * 1e3:8.1f} ms"),
            (f"{shape} {n}: renders only, no scheduling", f"{floor * 1e3:8.1f} ms"),
            (f"{shape} {n}: engine / plain asyncio", f"{ours / dag:8.2f} x"),
            (f"{shape} {n}: engine overhead per node", f"{(ours - floor) / n * 1e6:8.1f} us")]
    for name, factory in (("dask", dask_run), ("langgraph", langgraph_run)):
        contender = factory(n, shape)
        if contender is None:
            notes.append(f"{name} is not installed: its columns are skipped "
                         "(pip install -e '.[bench]')")
            continue
        theirs = best_of(repeat, contender)
        rows += [(f"{shape} {n}: {name}", f"{theirs * 1e3:8.1f} ms"),
                 (f"{shape} {n}: engine / {name}", f"{ours / theirs:8.2f} x")]
    return rows


def scaling(n: int, repeat: int) -> list[tuple[str, str]]:
    """A chain five times longer, each run compiling its templates afresh."""
    def cold_chain(size: int) -> Callable[[], Awaitable[None]]:
        def run() -> Awaitable[None]:
            clear_compile_caches()
            return engine(chain(size))
        return run

    short = best_of(repeat, cold_chain(n))
    long = best_of(repeat, cold_chain(5 * n))
    return [(f"chain {n}, cold (compiling included)", f"{short * 1e3:8.1f} ms"),
            (f"chain {5 * n}, cold (compiling included)", f"{long * 1e3:8.1f} ms"),
            (f"chain {5 * n} / chain {n}", f"{long / short:8.2f} x")]


def with_retry(graph: tuple[Workflow, PlanFacts]) -> tuple[Workflow, PlanFacts]:
    """The same workflow with ``retry="3"`` on every node (the ``retry`` shorthand)."""
    from dataclasses import replace

    workflow, facts = graph
    policy = OnError(element="on-error", span=SPAN, retry=RetrySpec(
        element="retry", span=SPAN, attributes={"max": Text("3", SPAN)}))
    nodes = tuple(replace(item, on_error=policy) for item in workflow.body.items)
    return replace(workflow, body=replace(workflow.body, items=nodes)), facts


def retry_overhead(n: int, repeat: int) -> list[tuple[str, str]]:
    """What the retry machinery costs a node that succeeds first time (SPEC §7.3): a chain
    of ``n`` nodes each with ``retry="3"`` against the same chain without a policy, as a
    share of the engine's own per-node overhead (goal: under 5%). The two are measured in
    turns, several rounds, keeping each one's best, so drift in the machine's speed
    during the run does not land on one side only."""
    plain = chain(n)
    retried = with_retry(plain)
    floor = best_of(repeat, lambda: renders_only(n, "chain"))
    without, with_policy = float("inf"), float("inf")
    for _ in range(3 * repeat):
        without = min(without, best_of(1, lambda: engine(plain)))
        with_policy = min(with_policy, best_of(1, lambda: engine(retried)))
    per_node = (without - floor) / n
    extra = (with_policy - without) / n
    return [(f"chain {n}: engine, no retry policy", f"{without * 1e3:8.1f} ms"),
            (f"chain {n}: engine, retry=\"3\" on every node", f"{with_policy * 1e3:8.1f} ms"),
            (f"chain {n}: retry machinery per node", f"{extra * 1e6:8.2f} us"),
            (f"chain {n}: retry machinery / per-node overhead", f"{extra / per_node:8.1%}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    notes: list[str] = []
    rows = compare("wide", args.nodes, args.repeat, notes)
    rows += compare("chain", args.nodes, args.repeat, notes)
    rows += scaling(args.nodes, max(2, args.repeat - 2))
    rows += retry_overhead(args.nodes, args.repeat)
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  value")
    print("-" * (width + 14))
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for note in dict.fromkeys(notes):
        print(f"note: {note}")


if __name__ == "__main__":
    main()
