"""Analyses of a model and a ranking, computed without writing anything: explanations (:mod:`.explain`), rank
statistics (:mod:`.ranks`), global sensitivity (:mod:`.sensitivity`), the seed-paper comparison (:mod:`.compare`)
Li-loss vs margin fronts (:mod:`.tradeoff`) and what sets each optimum's thicknesses (:mod:`.optimum`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .compare import assess as assess, compare_table as compare_table, regulation_current as regulation_current
    from .explain import (
        explain_top as explain_top,
        margin_contributions as margin_contributions,
        versus_reference as versus_reference,
    )
    from .optimum import optimum_reasons as optimum_reasons
    from .ranks import kendall_tau_b as kendall_tau_b, ranking_shift as ranking_shift, read_ranking as read_ranking
    from .sensitivity import SensitivityAnalysis as SensitivityAnalysis, build_factors as build_factors
    from .suggest import bald as bald
    from .tradeoff import fronts as fronts, pareto_2d as pareto_2d, tradeoff_table as tradeoff_table
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
