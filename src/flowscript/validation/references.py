"""Resolve what every site reads: nodes, variables, bindings and ``$`` names (SPEC §4.2–§4.6).

For each site the facts of its expression (``facts.py``) are checked against the index:
a bare name is a site binding, a variable, a node id or a phase-qualified node, else it
is unresolved (FS-REF-001 in a plain-path ``input``, FS-REF-005 elsewhere); a node must
be visible from the site (FS-REF-006); ``$`` names must exist (FS-REF-007), be available
there (FS-REF-008) and name declared secrets, config keys and environment variables
(FS-REF-003/004/017). What each node reads is kept for the dependency graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import DiagnosticSink, did_you_mean
from ..elements import RESERVED_VARIABLES
from .facts import DollarUse, Facts, NameUse
from .index import ALL_DOLLARS, GLOBAL_DOLLARS, NodeEntry, WorkflowIndex
from .sites import Site, SourceLocator

#: ``$`` names bound only in nodes run as handlers (§4.6, §7.6).
_HANDLER_DOLLARS = {"$primaryError": ("fallback", "on-timeout"),
                    "$primaryInput": ("fallback", "on-timeout"),
                    "$goto": ("goto", "on-open")}


#: A name as written, hyphens included (§1.6).
_HYPHENATED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+")


@dataclass(frozen=True, slots=True)
class NodeRead:
    """A node reference in a site: ``target`` is the node id as resolved."""

    target: str
    line: int
    column: int
    site: Site
    #: the literal member path after the reference (``("output", "score")``)
    path: tuple[str | int, ...] = ()


@dataclass(slots=True)
class Reads:
    """What one node's sites read (the node alone, not the nodes nested in it)."""

    nodes: list[NodeRead] = field(default_factory=list)
    #: variable names read (bare or ``$context.x``)
    variables: set[str] = field(default_factory=set)
    #: reads ``$context`` as a whole (or with a computed member): every variable
    all_variables: bool = False
    #: node ids referenced by the ``input`` attribute
    input_nodes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Resolver:
    """Checks the facts of sites against the index and records what nodes read."""

    index: WorkflowIndex
    sink: DiagnosticSink
    locator: SourceLocator
    strict: bool = False
    reads: dict[int, Reads] = field(default_factory=dict)  # entry order → reads
    used_secrets: set[str] = field(default_factory=set)
    #: handler label → target ids (from the index's transfers)
    handler_targets: dict[str, set[str]] = field(default_factory=dict)
    _covered: int = -1

    def __post_init__(self) -> None:
        for transfer in self.index.transfers:
            label = "goto" if transfer.label == "on-open" else transfer.label
            self.handler_targets.setdefault(label, set()).add(transfer.target.value.strip())

    def reads_of(self, entry: NodeEntry) -> Reads:
        return self.reads.setdefault(entry.order, Reads())

    def check(self, site: Site, facts: Facts) -> None:
        reads = self.reads_of(site.owner) if site.owner is not None else Reads()
        self._covered = -1
        for use in facts.names:
            if use.offset < self._covered:
                continue  # the rest of a hyphenated name already reported
            self._name(site, use, reads, facts.plain_path)
        for dollar in facts.dollars:
            self._dollar(site, dollar, reads)

    # -- bare names -------------------------------------------------------------------

    def _name(self, site: Site, use: NameUse, reads: Reads, plain: bool) -> None:
        name = use.name
        if name in site.names:
            return
        if name in self.index.variables:
            reads.variables.add(name)
            return
        target = self.index.referable(name)
        if target is not None:
            self._node(site, target, use, reads)
            return
        if name in self.index.phases:
            self._phase(site, use, reads, plain)
            return
        self._unresolved(site, use, plain, self._candidates())

    def _phase(self, site: Site, use: NameUse, reads: Reads, plain: bool) -> None:
        members = self.index.phases[use.name]
        if use.path and use.path[0] in members:
            target = self.index.referable(use.path[0])
            if target is not None:
                inner = NameUse(str(use.path[0]), use.offset, use.path[1:])
                self._node(site, target, inner, reads)
                return
        line, column = self.locator.position(site.text, use.offset)
        detail = f'phase "{use.name}" has no node "{use.path[0]}"' if use.path \
            else f'"{use.name}" is a phase; name one of its nodes ("{use.name}.<id>")'
        hints = did_you_mean(use.path[0], members) if use.path else []
        if site.is_input and plain:
            self.sink.error("FS-REF-001", f"input references {detail}", line, column,
                            hints=hints)
        else:
            self._warn_unresolved(detail, line, column, hints)

    def _node(self, site: Site, target: NodeEntry, use: NameUse, reads: Reads) -> None:
        line, column = self.locator.position(site.text, use.offset)
        if not visible(site.owner, target):
            where = _hidden_reason(target)
            self.sink.error("FS-REF-006", f'node "{target.id}" is not visible here: {where}',
                            line, column, end_line=line, end_column=column + len(use.name))
            return
        reads.nodes.append(NodeRead(target.id, line, column, site, use.path))
        if site.is_input:
            reads.input_nodes.append(target.id)

    def _unresolved(self, site: Site, use: NameUse, plain: bool,
                    candidates: set[str]) -> None:
        written = _HYPHENATED.match(site.text.value, use.offset)
        if written is not None and written.group() != use.name:
            # "fetch-dta" was read as "fetch - dta": report the name as written, once
            use = NameUse(written.group(), use.offset, use.path)
            self._covered = written.end()
        line, column = self.locator.position(site.text, use.offset)
        hints = did_you_mean(use.name, candidates)
        if site.is_input and plain:
            self.sink.error("FS-REF-001", f'input references unknown node "{use.name}"',
                            line, column, end_line=line, end_column=column + len(use.name),
                            hints=hints)
            return
        self._warn_unresolved(f'unknown name "{use.name}"', line, column, hints,
                              width=len(use.name))

    def _warn_unresolved(self, detail: str, line: int, column: int, hints: list[str],
                         width: int = 0) -> None:
        severity = "error" if self.strict else "warning"
        self.sink.add("FS-REF-005", severity,
                      f"{detail}: it resolves to no node, variable or binding", line,
                      column, end_line=line if width else None,
                      end_column=column + width if width else None, hints=hints)

    def _candidates(self) -> set[str]:
        names = {e.id for e in self.index.entries if not e.node.auto_id}
        names.update(self.index.variables)
        names.update(self.index.phases)
        return names

    # -- $ names ------------------------------------------------------------------------

    def _dollar(self, site: Site, use: DollarUse, reads: Reads) -> None:
        line, column = self.locator.position(site.text, use.offset)
        name = use.name
        if name in RESERVED_VARIABLES or name not in ALL_DOLLARS:
            reason = "is reserved and not part of this version" \
                if name in RESERVED_VARIABLES else "is not a $ name of the language"
            self.sink.error("FS-REF-007", f"{name} {reason}", line, column,
                            hints=did_you_mean(name, ALL_DOLLARS))
            return
        if not self._available(site, name):
            self.sink.warning("FS-REF-008", f"{name} is never bound here; it reads null",
                              line, column)
        member = use.path[0] if use.path else None
        if name == "$context":
            if member is None:
                reads.all_variables = True
            else:
                reads.variables.add(member)
        elif name == "$nodes" and member is not None:
            self._nodes_member(site, use, member, reads)
        elif name in ("$secrets", "$config", "$env") and member is not None:
            self._declared(name, member, line, column + len(name) + 1)

    def _nodes_member(self, site: Site, use: DollarUse, member: str, reads: Reads) -> None:
        target = self.index.referable(member)
        as_name = NameUse(member, use.offset, ())  # a result view, not the output
        if target is None:
            self._unresolved(site, as_name, False, self._candidates())
        else:
            self._node(site, target, as_name, reads)

    def _declared(self, name: str, member: str, line: int, column: int) -> None:
        front = self.index.workflow.frontmatter
        if name == "$secrets":
            self.used_secrets.add(member)
            known, code, what = front.secrets, "FS-REF-003", "secret"
            where = "secrets:"
        elif name == "$config":
            known, code, what, where = tuple(front.config), "FS-REF-004", "config key", \
                "config:"
        else:
            known, code, what, where = front.env, "FS-REF-017", "environment variable", \
                "env:"
        if member not in known:
            self.sink.error(code, f'{what} "{member}" is not declared under {where}',
                            line, column, end_line=line, end_column=column + len(member),
                            hints=did_you_mean(member, known))

    def _available(self, site: Site, name: str) -> bool:
        if name in GLOBAL_DOLLARS or name in site.dollars:
            return True
        labels = _HANDLER_DOLLARS.get(name)
        if labels is None or site.owner is None or site.owner.top is None:
            return False
        return any(site.owner.top in self.handler_targets.get(label, ())
                   for label in labels)


def visible(viewer: NodeEntry | None, target: NodeEntry) -> bool:
    """§4.2: foreach bodies are private to their iteration, a lane cannot see another
    lane of the same parallel, ``<on-workflow-error>`` nodes only see each other."""
    scopes = viewer.position.scopes if viewer is not None else ()
    for scope in target.position.scopes:
        if scope.startswith("lane:"):
            parallel = scope.rsplit(":", 1)[0] + ":"
            if any(s.startswith(parallel) and s != scope for s in scopes):
                return False
        elif scope not in scopes:
            return False
    return True


def _hidden_reason(target: NodeEntry) -> str:
    for scope in reversed(target.position.scopes):
        if scope.startswith("foreach:"):
            return f'it is inside the body of foreach "{scope[8:]}", visible only from ' \
                   "the same iteration"
        if scope.startswith("lane:"):
            return "it belongs to another lane of the same parallel"
    return "it is inside <on-workflow-error>"


__all__ = ["NodeRead", "Reads", "Resolver", "visible"]
