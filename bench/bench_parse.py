"""Parse + validate cost of generated workflows of 100, 1,000 and 10,000 nodes.

Run ``python bench/bench_parse.py``. The workflows are chains of template and filter
nodes reading their predecessor, so the parser, the expression analysis and the
dependency graph all work. The table shows the time per node at each size and the
ratio against the 1,000-node file: linear growth keeps the per-node figure flat.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import flowscript  # noqa: E402

SIZES = (100, 1_000, 10_000)
ROUNDS = 3


def generate(nodes: int) -> str:
    """A valid workflow: ``nodes`` nodes, each reading the one before it."""
    parts = ["---\nname: generated\nversion: 1.0.0\nconfig:\n  limit: 10\n---\n\n<workflow>\n",
             '  <transform id="n0" type="template">\n'
             "    <template>{{ range(5) }}</template>\n  </transform>\n"]
    for i in range(1, nodes):
        if i % 2:
            parts.append(f'  <transform id="n{i}" type="filter" input="n{i - 1}">\n'
                         f"    <condition>item < $config.limit && item != {i}</condition>\n"
                         "  </transform>\n")
        else:
            parts.append(f'  <transform id="n{i}" type="template">\n'
                         f"    <template>{{{{ n{i - 1} | length }}}} items</template>\n"
                         "  </transform>\n")
    parts.append("</workflow>\n")
    return "".join(parts)


def measure(text: str) -> tuple[float, float]:
    """Best parse and parse+validate seconds over ROUNDS."""
    parse_best = total_best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        workflow = flowscript.parse(text, "generated.flow.md")
        parsed = time.perf_counter()
        diagnostics = flowscript.validate(workflow)
        done = time.perf_counter()
        assert not [d for d in diagnostics if d.is_error], diagnostics[:3]
        parse_best = min(parse_best, parsed - start)
        total_best = min(total_best, done - start)
    return parse_best, total_best


def main() -> None:
    rows = [(n, *measure(generate(n))) for n in SIZES]
    reference = next(total / n for n, _, total in rows if n == 1_000)
    print("parse + validate (best of 3)")
    print(f"{'nodes':>7} {'parse ms':>10} {'total ms':>10} {'µs/node':>9} {'vs 1,000':>9}")
    for nodes, parse_s, total_s in rows:
        per_node = total_s / nodes
        print(f"{nodes:>7} {parse_s * 1e3:>10.1f} {total_s * 1e3:>10.1f} "
              f"{per_node * 1e6:>9.1f} {per_node / reference:>8.2f}x")


if __name__ == "__main__":
    main()
