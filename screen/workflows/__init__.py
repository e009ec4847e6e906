"""End-to-end runs, one per CLI command that writes a run folder: load the study file, take the model from the
registry, search or analyse, and write the folder atomically with ``run.json`` last. The CLI is a thin layer over
these functions."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "run_compare": "compare",
    "run_sensitivity": "sensitivity",
    "run_study": "study",
    "run_suggest": "suggest",
    "run_tradeoff": "tradeoff",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
