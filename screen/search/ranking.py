"""Ranking of evaluated designs: best design per (metal, carbon, architecture), the Pareto set, and the
exhaustive-grid check of an optuna ranking (top-10 recall)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from screen.cell.objectives import OBJECTIVE_NAMES, OBJECTIVES
from screen.search.grid import run_exhaustive

__all__ = ["PAIR", "RANKING_COLUMNS", "exhaustive_check", "pareto_mask", "rank_designs", "top_pairs"]

#: The columns that name a design's pair: a ranking keeps one design (its best) per pair.
PAIR = ["metal", "carbon", "architecture"]
#: Columns of ``ranking.csv``, in order (those a run has; ``*_lo``/``*_hi`` bound its 90 % interval).
RANKING_COLUMNS = (
    "rank", "rank_lo", "rank_hi", "tie_group", "metal", "carbon", "architecture", "metal_nm", "carbon_nm", "posterior_score",
    "score_lo", "score_hi", "score", "objective_rank", *OBJECTIVE_NAMES, "optimum", "found_by",
    "sealed_fraction", "carbon_closure", "metal_coverage", "closure_basis", "coverage_basis",
    "total_nm", "wh_kg_loss_pct", "wh_l_total_loss_pct", "li_loss_cathode_pct",
    "p_under_carbon", "p_under_carbon_lo", "p_under_carbon_hi", "margin_mV", "margin_mV_lo", "margin_mV_hi",
    "eta_metal_mV", "eta_carbon_mV", "barrier_mV", "plating_site",
    "li_loss_mAh_cm2", "li_metal_mAh_cm2", "li_carbon_mAh_cm2", "li_richest_phase", "li_uptake_per_M", "uptake_basis",
    "metal_expansion_ratio", "carbon_capacity_basis", "price_doubtful", "carbon_nm_calibrated",
    "solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases", "graphitization_index", "trial",
)


def rank_designs(table: pd.DataFrame) -> pd.DataFrame:
    """Best feasible design per (metal, carbon, architecture), ranked by score (ties: trial number)."""
    feas = table[table["feasible"]].sort_values(["score", "trial"], ascending=[False, True], kind="mergesort")
    best = feas.drop_duplicates(PAIR, keep="first").reset_index(drop=True)
    best.insert(0, "rank", np.arange(1, len(best) + 1))
    return best


def pareto_mask(table: pd.DataFrame) -> np.ndarray:
    """Non-dominated rows among the feasible ones (objective directions from :data:`OBJECTIVES`)."""
    vals = np.column_stack([table[n].to_numpy(float) * (-1.0 if d == "maximize" else 1.0) for n, d in OBJECTIVES])
    vals = np.nan_to_num(vals, nan=np.inf)
    feas = table["feasible"].to_numpy(bool)
    mask = np.zeros(len(table), dtype=bool)
    idx = np.flatnonzero(feas)
    sub = vals[idx]
    for k, i in enumerate(idx):
        dominated = np.any(np.all(sub <= sub[k], axis=1) & np.any(sub < sub[k], axis=1))
        mask[i] = not dominated
    return mask


def top_pairs(ranked: pd.DataFrame, k: int = 10) -> list[tuple[str, str, str]]:
    """(metal, carbon, architecture) of the first ``k`` rows of a ranked table, in rank order."""
    return [tuple(r) for r in ranked[PAIR].head(k).itertuples(index=False, name=None)]


def tie_aware_hits(reference: list[tuple[str, str, str]], ranked: pd.DataFrame, k: int = 10) -> list[bool]:
    """For each reference pair: in ``ranked``'s top ``k``, or tied with it (a tie group no later than the k-th
    design's; without tie groups, the top ``k`` only)."""
    top = set(top_pairs(ranked, k))
    if "tie_group" not in ranked.columns or len(ranked) < k:
        return [p in top for p in reference]
    last = int(ranked["tie_group"].iloc[k - 1])
    group = dict(zip(ranked[PAIR].itertuples(index=False, name=None), ranked["tie_group"]))
    return [p in top or (p in group and int(group[p]) <= last) for p in reference]


def exhaustive_check(spec: Any, pipeline: Any, trials: pd.DataFrame, ranked: pd.DataFrame,
                     order: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """Compare the study's ranking, and optuna's trials alone, with the dense grid: top-10 recall (ties count as hits)
    and the score gap between the grid's best design and theirs.

    ``order`` puts a table of best designs per pair in the order ``ranked`` is in (the posterior median score's, for
    a study ranked by :func:`screen.analysis.ranks.posterior_ranking`), so the grid's top 10 and the ranking's are the
    same kind of list; without it both follow the objective ``score``.
    """
    order = order or (lambda table: table)
    grid, seconds = run_exhaustive(spec, pipeline)
    grid["trial"] = np.arange(len(grid))
    g_rank = rank_designs(grid)
    ordered = order(g_rank)
    ex_top = top_pairs(ordered)
    if "found_by" not in trials.columns:
        trials = trials.assign(found_by="optuna")
    by_optuna = trials[trials["found_by"] == "optuna"]
    optuna_only = rank_designs(by_optuna)
    optuna_ordered = order(optuna_only) if len(optuna_only) else optuna_only
    hits = tie_aware_hits(ex_top, ranked)
    optuna_hits = [p in set(top_pairs(optuna_ordered)) for p in ex_top]
    first_seen = by_optuna.groupby(PAIR)["trial"].min().to_dict()
    final_rank = dict(zip(ranked[PAIR].itertuples(index=False, name=None), ranked["rank"]))
    rows = []
    for i, pair in enumerate(ex_top, start=1):
        r = ordered.iloc[i - 1]
        rows.append({"exhaustive_rank": i, "metal": pair[0], "carbon": pair[1], "architecture": pair[2],
                     "exhaustive_score": float(r["score"]), "posterior_score": float(r.get("posterior_score", r["score"])),
                     "metal_nm": r["metal_nm"], "carbon_nm": r["carbon_nm"],
                     "in_top10_or_tied": hits[i - 1], "in_optuna_only_top10": optuna_hits[i - 1],
                     "rank": int(final_rank[pair]) if pair in final_rank else None,
                     "first_optuna_trial": int(first_seen[pair]) if pair in first_seen else None})
    best_grid = float(g_rank["score"].iloc[0]) if len(g_rank) else None
    best_final = float(ranked["score"].max()) if len(ranked) else None
    best_optuna = float(optuna_only["score"].iloc[0]) if len(optuna_only) else None
    summary = {"grid_evaluations": int(len(grid)), "grid_seconds": round(seconds, 3),
               "candidates_per_second": round(len(grid) / seconds, 1) if seconds > 0 else None,
               "optuna_evaluations": int(len(by_optuna)),
               "top10_recall": sum(hits) / max(1, len(hits)), "top10_recall_optuna_only": sum(optuna_hits) / max(1, len(hits)),
               "best_exhaustive_score": best_grid, "best_score": best_final, "best_optuna_only_score": best_optuna,
               "score_gap_grid_minus_final": None if best_grid is None or best_final is None else best_grid - best_final,
               "score_gap_grid_minus_optuna_only": None if best_grid is None or best_optuna is None else best_grid - best_optuna,
               "grid": {"metal_nm_points": spec.exhaustive.metal_nm_points, "carbon_nm_points": spec.exhaustive.carbon_nm_points}}
    return summary, pd.DataFrame(rows)
