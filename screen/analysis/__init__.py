"""Analyses of a model and a ranking, computed without writing anything: explanations (:mod:`.explain`), rank
statistics (:mod:`.ranks`), global sensitivity (:mod:`.sensitivity`), the seed-paper comparison (:mod:`.compare`)
Li-loss vs margin fronts (:mod:`.tradeoff`) and what sets each optimum's thicknesses (:mod:`.optimum`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "assess": "compare",
    "compare_table": "compare",
    "regulation_current": "compare",
    "explain_top": "explain",
    "margin_contributions": "explain",
    "versus_reference": "explain",
    "optimum_reasons": "optimum",
    "kendall_tau_b": "ranks",
    "ranking_shift": "ranks",
    "read_ranking": "ranks",
    "SensitivityAnalysis": "sensitivity",
    "bald": "suggest",
    "build_factors": "sensitivity",
    "fronts": "tradeoff",
    "pareto_2d": "tradeoff",
    "tradeoff_table": "tradeoff",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
