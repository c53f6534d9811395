"""Expression and template evaluation speed, side by side with references (DESIGN.md).

Run ``python bench/bench_expr.py``. It prints one table: compiled FlowScript expressions
against a tree-walking interpreter of the same AST, and compiled templates against Jinja2's
``SandboxedEnvironment``. Figures are the best of several rounds; compare the ratios, which
are measured in the same run on the same machine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from flowscript.expr import compile_expression, compile_template
from flowscript.expr.interpreter import interpret
from flowscript.expr.parser import parse_expression

EXPRESSION = "item.score > 0.5 && length(item.tags) > 0"
TEMPLATE = "Hello {{user.name}}, you have {{length(items)}} items"
JINJA_TEMPLATE = "Hello {{ user.name }}, you have {{ items|length }} items"
ROUNDS = 5


def rate(run: Callable[[], Any], count: int) -> float:
    """Calls per second of ``run``, the best of ROUNDS rounds of ``count`` calls."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(count):
            run()
        best = min(best, time.perf_counter() - start)
    return count / best


def expression_rows() -> list[tuple[str, float]]:
    variables = {"item": {"score": 0.7, "tags": ["a", "b"], "name": "x"}}
    compiled = compile_expression(EXPRESSION)
    tree = parse_expression(EXPRESSION)
    assert compiled.evaluate(variables) is True and interpret(tree, variables) is True
    return [("expression, compiled closures", rate(lambda: compiled.evaluate(variables),
                                                   200_000)),
            ("expression, tree-walking interpreter", rate(lambda: interpret(tree, variables),
                                                          50_000))]


def template_rows() -> list[tuple[str, float]]:
    variables = {"user": {"name": "Ada"}, "items": [1, 2, 3]}
    template = compile_template(TEMPLATE)
    expected = "Hello Ada, you have 3 items"
    assert template.render(variables) == expected
    rows = [("template, compiled closures", rate(lambda: template.render(variables),
                                                 200_000))]
    try:
        from jinja2.sandbox import SandboxedEnvironment
    except ImportError:
        return rows
    jinja = SandboxedEnvironment().from_string(JINJA_TEMPLATE)
    assert jinja.render(**variables) == expected
    rows.append(("template, Jinja2 SandboxedEnvironment",
                 rate(lambda: jinja.render(**variables), 50_000)))
    return rows


def main() -> None:
    expressions, templates = expression_rows(), template_rows()
    print(f"{'benchmark':<42}{'per second':>14}")
    for name, per_second in [*expressions, *templates]:
        print(f"{name:<42}{per_second:>14,.0f}")
    print()
    print(f"compiled / tree-walking expression: {expressions[0][1] / expressions[1][1]:.1f}x"
          "  (goal >= 3x; goal >= 1,000,000 evaluations/s)")
    if len(templates) == 2:
        print(f"compiled template / Jinja2 sandbox: {templates[0][1] / templates[1][1]:.1f}x"
              "  (goal >= 1x)")
    else:
        print("Jinja2 is not installed (pip install -e '.[bench]'): no template reference")


if __name__ == "__main__":
    main()
