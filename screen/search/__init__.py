"""The search: the study file (:mod:`.spec`), layer materials and their costs (:mod:`.materials`), what makes a layer
too thin (:mod:`.integrity`), the reference cell stack (:mod:`.cell_stack`), objectives and constraints evaluated on
the model (:mod:`.objectives`; typed and fast for generated designs: :mod:`.evaluator`), the exhaustive grid
(:mod:`.grid`), the optuna loop (:mod:`.optimize`, with its batched journal :mod:`.journal`) and the ranking of what was
evaluated (:mod:`.ranking`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "OBJECTIVES": "objectives",
    "OBJECTIVE_NAMES": "objectives",
    "evaluate": "objectives",
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
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
