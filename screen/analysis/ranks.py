"""Rank comparisons: Kendall's tau-b (vectorised over many rankings), top-k membership, ranking diffs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.search.ranking import PAIR


def kendall_tau_b(reference: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Kendall's tau-b between one reference score vector (K,) and each row of ``samples`` (S, K).

    Same definition as :func:`scipy.stats.kendalltau` (tau-b, ties counted in neither
    concordant nor discordant pairs); NaN where either side is constant.
    """
    ref = np.asarray(reference, dtype=float)
    smp = np.atleast_2d(np.asarray(samples, dtype=float))
    i, j = np.triu_indices(ref.size, k=1)
    a = np.sign(ref[i] - ref[j])
    b = np.sign(smp[:, i] - smp[:, j])
    num = (b * a).sum(axis=1)
    den = np.sqrt(np.sum(a * a) * np.sum(b * b, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def ranks_of(keys: np.ndarray) -> np.ndarray:
    """Rank (1 = best = largest key) of every column in each row of ``keys`` (S, K); ties by column order."""
    keys = np.atleast_2d(np.asarray(keys, dtype=float))
    order = np.argsort(-keys, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, keys.shape[1] + 1)[None, :].repeat(keys.shape[0], 0), axis=1)
    return ranks


def read_ranking(folder: str | Path) -> pd.DataFrame:
    """``ranking.csv`` of a finished screening run (a folder with ``run.json``)."""
    folder = Path(folder)
    path = folder / "ranking.csv"
    if not (folder / "run.json").is_file() or not path.is_file():
        raise InputError(f"{folder}: not a finished screening run (no run.json / ranking.csv)")
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in ("rank", "score", *PAIR) if c not in table.columns]
    if missing:
        raise InputError(f"{path}: column '{missing[0]}' missing")
    table["architecture"] = table["architecture"].fillna("")
    return table


def ranking_shift(before: pd.DataFrame, after: pd.DataFrame, top: int = 10) -> tuple[dict[str, float | int], pd.DataFrame]:
    """How a ranking moved: Kendall tau-b over the pairs both rank, top-``top`` overlap, and per-pair rank changes.

    Returns a summary and one row per pair in either top-``top`` (``rank_before``, ``rank_after``,
    ``moved`` = before − after, positive = climbed), sorted by the new rank.
    """
    b = before.set_index(PAIR)
    a = after.set_index(PAIR)
    common = b.index.intersection(a.index)
    tau = float(kendall_tau_b(-b.loc[common, "rank"].to_numpy(float), -a.loc[common, "rank"].to_numpy(float)[None, :])[0]) \
        if len(common) > 1 else float("nan")
    top_b = set(b.index[b["rank"] <= top])
    top_a = set(a.index[a["rank"] <= top])
    rows = []
    for pair in sorted(top_b | top_a, key=lambda p: (a["rank"].get(p, np.inf), b["rank"].get(p, np.inf))):
        rb, ra = b["rank"].get(pair), a["rank"].get(pair)
        rows.append({"metal": pair[0], "carbon": pair[1], "architecture": pair[2],
                     "rank_before": None if rb is None else int(rb), "rank_after": None if ra is None else int(ra),
                     "moved": None if rb is None or ra is None else int(rb - ra),
                     "score_before": None if rb is None else float(b.loc[pair, "score"]),
                     "score_after": None if ra is None else float(a.loc[pair, "score"])})
    summary = {"pairs_before": int(len(b)), "pairs_after": int(len(a)), "pairs_common": int(len(common)),
               "kendall_tau_b": tau, f"top{top}_overlap": len(top_b & top_a),
               "same_first": bool(len(b) and len(a) and b["rank"].idxmin() == a["rank"].idxmin())}
    return summary, pd.DataFrame(rows)


#: A design is "clearly below" the leader of its tie group when the leader scores higher by more than
#: :data:`SCORE_RESOLUTION` in at least this fraction of the posterior draws; otherwise they are tied.
CLEARLY_BELOW = 0.9
#: Score differences smaller than this (on the 0-1 score) are below what a study's weights and limits, given to one or
#: two digits, can mean: two designs that differ only by 0.0001 of Li loss are the same choice.
SCORE_RESOLUTION = 0.005


def member_scores(spec: Any, pipeline: Any, ranked: pd.DataFrame) -> np.ndarray:
    """Score of every ranked design under each posterior draw of the gap model: shape (draws, designs).

    Only the robustness objective depends on the model; Li loss, cost, swelling, energy density and the sealed area are exact. For the
    ``*_lo`` robustness choices each member contributes its point value (the interval is what the members span).
    """
    from screen.cell.objectives import design_frame, desirability_arrays, sealed_robustness, weighted_score
    from screen.model.physics import terms

    gap = pipeline.named_steps["gap"]
    if not len(gap.draws_z_) or ranked.empty:
        return np.empty((0, len(ranked)))
    feats = pipeline.named_steps["cells"].transform(design_frame(spec, ranked[PAIR + ["metal_nm", "carbon_nm"]]))
    d = gap.design(feats)
    offset = gap.lab_offsets([spec.cell.study_id], 1)
    t = terms(gap.draw_theta(), d, offset)
    robust = t["margin_mV"] if spec.objectives.robustness == "margin_lo" else t["p_under_carbon"]
    robust = sealed_robustness(robust, ranked["sealed_fraction"].to_numpy(float)[None, :])
    d = desirability_arrays(spec, robust, *(ranked[c].to_numpy(float)[None, :] for c in
                                            ("li_loss_pct", "cost_usd_m2", "metal_growth_nm", "wh_l_loss_pct")))
    return np.asarray(weighted_score(spec, d), dtype=float)


def posterior_ranking(spec: Any, pipeline: Any, ranked: pd.DataFrame, level: float = 0.9) -> pd.DataFrame:
    """The ranking by the posterior: designs ordered by the median of their score over the model's posterior draws
    (``posterior_score``), with the score's and the rank's central ``level`` interval over the draws and tie groups.

    ``ranked`` is the best design per (metal, carbon, architecture) by the study's objective (``score``, which a
    risk-averse robustness such as the margin's lower end makes pessimistic): the search picks each pair's thicknesses
    by it; the order shown is the posterior's, so that a design's rank, its score and their intervals describe the same
    thing and every parameter's uncertainty (a prior-set one with its whole prior) reaches the ranking. Walking down
    this order, a design joins the tie group of the group's leader unless the leader scores higher by more than
    :data:`SCORE_RESOLUTION` in at least :data:`CLEARLY_BELOW` of the draws. ``objective_rank`` keeps the order by
    ``score``. Without draws (a MAP model) the order is the objective's and every interval is a point.
    """
    scores = member_scores(spec, pipeline, ranked)
    out = ranked.copy()
    out["objective_rank"] = np.arange(1, len(out) + 1)
    if not scores.size:
        out["posterior_score"], out["score_lo"], out["score_hi"] = out["score"], out["score"], out["score"]
        out["rank_lo"] = out["rank_hi"] = out["rank"]
        out["tie_group"] = np.arange(1, len(out) + 1)
        return out
    median = np.median(scores, axis=0)
    order = np.lexsort((out["objective_rank"].to_numpy(), -median))  # ties keep the objective's order
    scores, out = scores[:, order], out.iloc[order].reset_index(drop=True)
    n = len(out)
    q = ((1 - level) / 2, (1 + level) / 2)
    draw_ranks = ranks_of(scores)
    rank_lo, rank_hi = np.quantile(draw_ranks, q, axis=0)
    score_lo, score_hi = np.quantile(scores, q, axis=0)
    group = np.empty(n, dtype=int)
    leader, g = 0, 1
    for i in range(n):
        if i and np.mean(scores[:, leader] - scores[:, i] > SCORE_RESOLUTION) >= CLEARLY_BELOW:
            leader, g = i, g + 1
        group[i] = g
    out["rank"] = np.arange(1, n + 1)
    out["posterior_score"], out["score_lo"], out["score_hi"] = median[order], score_lo, score_hi
    out["rank_lo"] = np.minimum(np.floor(rank_lo).astype(int), out["rank"])
    out["rank_hi"] = np.maximum(np.ceil(rank_hi).astype(int), out["rank"])
    out["tie_group"] = group
    return out
