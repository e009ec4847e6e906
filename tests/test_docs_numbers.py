"""The figures the docs quote from runs are the runs' own figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from render_docs import Renderer  # noqa: E402


def test_every_generated_figure_matches_the_results():
    """Every block and value in README.md, docs/*.md and studies/README.md is what ``benchmarks/render_docs.py`` writes
    from ``benchmarks/results/*.json`` (or computes from the package): a re-run benchmark whose figures the docs no
    longer quote fails here until ``python benchmarks/render_docs.py`` rewrites them."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "render_docs.py"), "--check"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_figure_typed_over_is_named_and_restored():
    """A hand edit of a quoted figure (the headline log-loss, inside a sentence) is reported by name, and rendering
    puts the run's figure back."""
    path = ROOT / "docs" / "model.md"
    text = path.read_text(encoding="utf-8")
    marker = "<!-- v: loso.gap -->"
    start = text.index(marker) + len(marker)
    true = text[start:text.index("<!-- /v -->", start)]
    edited = text[:start] + "0.01" + text[start + len(true):]
    restored, changed = Renderer().render(edited, path)
    assert any("value 'loso.gap'" in line for line in changed), changed
    assert restored == text
