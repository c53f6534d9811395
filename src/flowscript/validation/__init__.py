"""Validation: every diagnostic that needs the whole workflow but no run (SPEC §11).

``validate(workflow)`` returns the diagnostics found while parsing (``workflow.diagnostics``)
together with those of this package, sorted by line, column and code: unique ids
(``ids``), references, visibility and ``$`` names (``references``), expression syntax and
functions (``facts``), handler targets and fallback chains (``handlers``), dependency cycles
(the graph of ``graph``, cycles found by ``flowscript.planner``), and include/call targets
(``compose``). ``analyse`` keeps the intermediate results (index, graph, cycles) that the
planner and ``inspect`` reuse; the last few analyses are cached by workflow identity.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from ..ast import Workflow
from ..diagnostics import Diagnostic, DiagnosticSink
from ..parsing.xml_text import collector_paused
from ..planner import find_cycles
from .checks import check_nodes, check_site_extras
from .compose import check_compose
from .facts import site_facts
from .fields import check_ai_fields
from .graph import DependencyGraph, build_graph
from .handlers import check_handlers
from .ids import check_ids
from .index import WorkflowIndex, build_index
from .references import Resolver
from .sites import SourceLocator, node_sites, workflow_sites

#: How many analyses to keep, by workflow identity (validate, plan and inspect share them).
_CACHE_SIZE = 8
_cache: OrderedDict[tuple[int, bool], tuple[Workflow, Analysis]] = OrderedDict()


@dataclass(slots=True)
class Analysis:
    """Everything validation learned about one workflow."""

    workflow: Workflow
    index: WorkflowIndex
    graph: DependencyGraph
    #: every diagnostic, those of the parser included, sorted
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: dependency cycles, each a path ``[a, c, b, a]``
    cycles: list[list[str]] = field(default_factory=list)
    strict: bool = False

    @property
    def valid(self) -> bool:
        if self.strict:
            return not self.diagnostics
        return not any(d.is_error for d in self.diagnostics)


def validate(workflow: Workflow, *, strict: bool = False) -> list[Diagnostic]:
    """All diagnostics of ``workflow`` sorted by line, column and code (SPEC §10.8).

    With ``strict`` an unresolvable name is an error (FS-REF-005, §5.8); the caller treats
    any diagnostic as invalid.
    """
    return list(analyse(workflow, strict=strict).diagnostics)


def analyse(workflow: Workflow, *, strict: bool = False) -> Analysis:
    """Validate ``workflow`` and keep the index and dependency graph."""
    key = (id(workflow), strict)
    cached = _cache.get(key)
    if cached is not None and cached[0] is workflow:
        _cache.move_to_end(key)
        return cached[1]
    with collector_paused():  # the index is acyclic; see collector_paused
        analysis = _analyse(workflow, strict)
    _cache[key] = (workflow, analysis)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return analysis


def _analyse(workflow: Workflow, strict: bool) -> Analysis:
    sink = DiagnosticSink(file=workflow.path)
    index = build_index(workflow)
    check_ids(index, sink)
    check_nodes(index, sink)
    locator = SourceLocator(workflow.source)
    resolver = Resolver(index, sink, locator, strict)
    declared = index.declared_names()
    sites = [site for entry in index.entries for site in node_sites(entry, index)]
    sites.extend(workflow_sites(workflow))
    for site in sites:
        facts = site_facts(site, declared)
        for problem in facts.problems:
            line, column = locator.position(site.text, problem.offset)
            sink.error(problem.code, problem.message, line, column, hints=problem.hints)
        resolver.check(site, facts)
        check_site_extras(index, site, facts, locator, sink)
    check_ai_fields(index, resolver.reads, sink)
    graph = build_graph(index, resolver.reads)
    check_handlers(index, graph, resolver, sink)
    cycles = find_cycles(graph.order, graph.depends_on)
    for cycle in cycles:
        entry = index.by_id[cycle[0]]
        span = (entry.node.attr("id") or entry.node).span
        sink.error("FS-CYCLE-001", f"dependency cycle: {' -> '.join(cycle)}", span.line,
                   span.column, hints=("a node cannot depend on itself through other "
                                       "nodes; remove one of these references",))
    check_compose(workflow, sink)
    diagnostics = _merge(workflow.diagnostics, sink.items)
    return Analysis(workflow, index, graph, diagnostics, cycles, strict)


def _merge(parsed: tuple[Diagnostic, ...], found: list[Diagnostic]) -> list[Diagnostic]:
    """Parser and validator diagnostics, without repeats, in the order of §10.8."""
    seen: set[tuple[str, int | None, int | None, str]] = set()
    out: list[Diagnostic] = []
    for item in (*parsed, *found):
        mark = (item.code, item.line, item.column, item.message)
        if mark not in seen:
            seen.add(mark)
            out.append(item)
    out.sort(key=lambda d: (d.line is not None, *d.sort_key()))
    return out


__all__ = ["Analysis", "analyse", "validate"]
