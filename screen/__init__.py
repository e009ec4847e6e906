"""The gap model, the cell and its objectives, the search, the analyses, the reports and the CLI of interlayer-screen.

Rooms, lowest first (a module imports only from :mod:`descriptors`, its own room, or rooms above it in this list)::

    model/       cells -> descriptors, the nucleation-overpotential-gap classifier, training, model registry
    cell/        layer materials, what makes a layer too thin, the reference cell stack, objectives and constraints
    search/      study files, the optuna loop, the exhaustive grid, ranking
    analysis/    explanations, rank statistics, sensitivity, seed-paper comparison, trade-off fronts
    report/      HTML, figures and the report of each kind of run
    workflows/   one end-to-end run per command: study file -> model -> search/analysis -> run folder
    cli/         the ``interlayer`` command, a thin layer over the rooms above

``screen.run_study`` is the Python face of ``interlayer screen`` (imported lazily, so ``import screen`` stays cheap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {"run_study": "workflows.study"}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .workflows.study import run_study as run_study
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
