"""The search: the study file (:mod:`.spec`), the exhaustive grid (:mod:`.grid`), the optuna loop (:mod:`.optimize`,
with its batched journal :mod:`.journal` and what optuna-dashboard reads from a study, :mod:`.dashboard`), the typed,
fast evaluator of the designs they generate (:mod:`.evaluator`) and the ranking of what was evaluated
(:mod:`.ranking`). What a layer and a cell are, and the objectives of a design, are the room below:
:mod:`screen.cell`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "optimize": "optimize",
    "run_exhaustive": "grid",
    "exhaustive_grid": "grid",
    "DesignEvaluator": "evaluator",
    "PAIR": "ranking",
    "RANKING_COLUMNS": "ranking",
    "exhaustive_check": "ranking",
    "pareto_mask": "ranking",
    "rank_designs": "ranking",
    "top_pairs": "ranking",
    "StudySpec": "spec",
    "default_study_path": "spec",
    "load_study": "spec",
}
# names that moved to screen.cell with their modules: still importable from here, documented there
_MOVED_TO_CELL = ("OBJECTIVES", "OBJECTIVE_NAMES", "evaluate")
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .evaluator import DesignEvaluator as DesignEvaluator
    from .grid import exhaustive_grid as exhaustive_grid, run_exhaustive as run_exhaustive
    from .optimize import optimize as optimize
    from .ranking import (
        PAIR as PAIR,
        RANKING_COLUMNS as RANKING_COLUMNS,
        exhaustive_check as exhaustive_check,
        pareto_mask as pareto_mask,
        rank_designs as rank_designs,
        top_pairs as top_pairs,
    )
    from .spec import StudySpec as StudySpec, default_study_path as default_study_path, load_study as load_study
_search_getattr, __dir__ = lazy_exports(__name__, _EXPORTS)


def __getattr__(name: str) -> Any:
    """A name of the search's own modules, or one that moved to :mod:`screen.cell` (``OBJECTIVES``, ``OBJECTIVE_NAMES``,
    ``evaluate``)."""
    if name in _MOVED_TO_CELL:
        import screen.cell

        return getattr(screen.cell, name)
    return _search_getattr(name)
