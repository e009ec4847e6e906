"""The search: the study file (:mod:`.spec`), layer materials and their costs (:mod:`.materials`), objectives and
constraints evaluated on the model (:mod:`.objectives`), the optuna loop and the exhaustive grid (:mod:`.optimize`)
and the ranking of what was evaluated (:mod:`.ranking`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "OBJECTIVES": "objectives",
    "OBJECTIVE_NAMES": "objectives",
    "evaluate": "objectives",
    "optimize": "optimize",
    "run_exhaustive": "optimize",
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
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
