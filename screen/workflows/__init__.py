"""End-to-end runs, one per CLI command that writes a run folder: load the study file, take the model from the
registry, search or analyse, and write the folder atomically with ``run.json`` last. The CLI is a thin layer over
these functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "run_compare": "compare",
    "run_sensitivity": "sensitivity",
    "run_study": "study",
    "run_suggest": "suggest",
    "run_tradeoff": "tradeoff",
}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .compare import run_compare as run_compare
    from .sensitivity import run_sensitivity as run_sensitivity
    from .study import run_study as run_study
    from .suggest import run_suggest as run_suggest
    from .tradeoff import run_tradeoff as run_tradeoff
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
