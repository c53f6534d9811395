"""The benchmark suite in one command: ``python bench/run.py``.

Runs each benchmark in its own process (so one's warm caches and heap don't flatter the
next) and prints its table. Every figure is a ratio against a reference measured in the
same run: plain asyncio, a tree-walking interpreter, Jinja2's sandbox, Dask and LangGraph
when installed (``pip install -e '.[bench]'``). Timings are never asserted in tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE = [
    ("parse + validate: linear growth", "bench_parse.py"),
    ("expressions and templates", "bench_expr.py"),
    ("engine overhead per node", "bench_engine.py"),
    ("persistence", "bench_persistence.py"),
]


def main() -> int:
    failed = 0
    for title, script in SUITE:
        print(f"\n== {title} ({script})", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script)], check=False)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
