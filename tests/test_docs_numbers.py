"""The tables the docs quote from benchmark runs are the runs' own figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_generated_tables_match_the_benchmark_results():
    """``studies/README.md``'s tables of the simulated campaigns and the worked round are written by
    ``benchmarks/render_docs.py`` from ``benchmarks/results/*.json``: a benchmark re-run whose figures the README no
    longer quotes fails here until ``python benchmarks/render_docs.py`` rewrites them."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "render_docs.py"), "--check"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
