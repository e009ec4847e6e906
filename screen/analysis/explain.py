"""Why a design ranks where it does: descriptor contributions to the margin, and differences to a reference metal.

**Descriptor contributions** (:func:`margin_contributions`). The margin of a design minus the
margin of the same carbon on an inert, non-alloying metal (a bare collector: solubility 0,
electron-concentration limit 0, no intermediate phase) is split exactly among the metal's
three descriptors with Shapley values (all 2^3 orderings of swapping a descriptor from the
inert baseline to the metal's value; the gap model is not additive because the alloying
activity multiplies solubility and the e/a term). The same split is repeated for every
posterior draw of the model, giving a 90 % interval per contribution. A contribution is in
mV of margin: how much of the metal's advantage over an inert substrate that descriptor buys.

**Versus a reference** (:func:`versus_reference`). Each ranked metal's best design is set beside
the reference metal's best: the score difference and the weighted desirability difference per
objective (which sum to the score difference), so "beats Mg" comes with "because of cost" or
"despite robustness".
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np
import pandas as pd

from screen.cell.objectives import desirabilities

METAL_DESCRIPTORS = ("solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases")
_INERT = {"solubility_score_mutual": 0.0, "ec_limit_M_in_Li": 0.0, "has_intermediate_phases": 0.0}


def _margins(model: Any, feats: pd.DataFrame) -> np.ndarray:
    """Margin (mV) of each row for the point parameters and every posterior draw: shape (1 + draws, n).

    The lab offset is left out: it shifts every design's margin alike and cancels in a descriptor's contribution."""
    from screen.model.physics import terms

    d = model.design(feats)
    point = terms(model.params_, d)["margin_mV"][None, :]
    if not len(model.draws_z_):
        return point
    return np.vstack([point, np.broadcast_to(terms(model.draw_theta(), d)["margin_mV"], (len(model.draws_z_), d.n))])


def margin_contributions(pipeline: Any, designs: pd.DataFrame, spec: Any, interval: float = 0.9) -> pd.DataFrame:
    """Shapley contributions (mV) of the metal descriptors to each design's margin over an inert metal.

    Args:
        pipeline: the gap-model pipeline.
        designs: rows with ``metal``, ``carbon``, ``architecture``, ``metal_nm``, ``carbon_nm``.
        spec: the study (cell conditions).
        interval: central probability of the reported intervals over the posterior draws.

    Returns:
        One row per design and descriptor: ``value`` (the metal's descriptor), ``contribution_mV``
        (point fit) with ``_lo``/``_hi``, plus the design's ``margin_mV`` and ``inert_margin_mV``.
    """
    from screen.cell.objectives import design_frame

    cands = design_frame(spec, designs[["metal", "carbon", "architecture", "metal_nm", "carbon_nm"]])
    feats = pipeline.named_steps["cells"].transform(cands).reset_index(drop=True)
    model = pipeline.named_steps["gap"]
    names = list(METAL_DESCRIPTORS)
    # margins for every subset of descriptors taken from the metal (the rest inert), cached per subset
    cache: dict[frozenset[str], np.ndarray] = {}

    def margin_of(subset: frozenset[str]) -> np.ndarray:
        if subset not in cache:
            f = feats.copy()
            for n in names:
                if n not in subset:
                    f[n] = _INERT[n]
            cache[subset] = _margins(model, f)
        return cache[subset]

    orders = list(permutations(names))
    contrib = {n: np.zeros_like(margin_of(frozenset())) for n in names}
    for order in orders:
        taken: frozenset[str] = frozenset()
        for n in order:
            contrib[n] += (margin_of(taken | {n}) - margin_of(taken)) / len(orders)
            taken = taken | {n}
    q = ((1 - interval) / 2, (1 + interval) / 2)
    full, inert = margin_of(frozenset(names)), margin_of(frozenset())
    rows = []
    for i in range(len(feats)):
        for n in names:
            c = contrib[n][:, i]
            lo, hi = (np.quantile(c[1:], q) if len(c) > 1 else (c[0], c[0]))
            rows.append({"metal": cands.at[i, "metal"], "carbon": cands.at[i, "carbon"], "architecture": cands.at[i, "architecture"],
                         "descriptor": n, "value": float(feats.at[i, n]), "contribution_mV": float(c[0]),
                         "contribution_mV_lo": float(min(lo, c[0])), "contribution_mV_hi": float(max(hi, c[0])),
                         "margin_mV": float(full[0, i]), "inert_margin_mV": float(inert[0, i])})
    return pd.DataFrame(rows)


def versus_reference(spec: Any, ranked: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each metal's best design against the reference metal's best: score and weighted desirability differences.

    Returns one row per metal (best design of that metal in ``ranked``), sorted by score, with
    ``beats_reference`` and ``d_<objective>`` = weight × (desirability − reference's) / Σ weights.
    Empty when the reference metal has no feasible design in the ranking.
    """
    best = ranked.sort_values("rank").drop_duplicates("metal").reset_index(drop=True)
    if reference not in set(best["metal"]):
        return pd.DataFrame()
    d = desirabilities(spec, best)
    w = spec.scalarisation.weights.model_dump()
    total = sum(w.values())
    ref = int(np.flatnonzero(best["metal"].to_numpy() == reference)[0])
    out = best[["rank", "metal", "carbon", "architecture", "metal_nm", "carbon_nm", "score", "robustness", "li_loss_pct",
                "cost_usd_m2", "metal_growth_nm", "wh_l_loss_pct"]].copy()
    out.insert(7, "score_minus_reference", out["score"] - out["score"].loc[ref])
    out.insert(8, "beats_reference", out["score"] > out["score"].loc[ref])
    for k in w:
        out[f"d_{k}"] = w[k] * (d[k] - d.at[ref, k]) / total
    out["main_advantage"] = [_extreme(r, w, max) for _, r in out.iterrows()]
    out["main_drawback"] = [_extreme(r, w, min) for _, r in out.iterrows()]
    return out


def _extreme(row: pd.Series, weights: dict[str, float], pick: Any) -> str:
    vals = {k: float(row[f"d_{k}"]) for k in weights}
    k = pick(vals, key=vals.get)
    v = vals[k]
    return "" if (pick is max and v <= 1e-6) or (pick is min and v >= -1e-6) else k


def explain_top(spec: Any, pipeline: Any, ranked: pd.DataFrame, n: int) -> pd.DataFrame:
    """Descriptor contributions for the best design of each of the top ``n`` metals (carbon-only skipped)."""
    best = ranked[ranked["metal"] != "none"].sort_values("rank").drop_duplicates("metal").head(n)
    if best.empty:
        return pd.DataFrame()
    table = margin_contributions(pipeline, best, spec)
    rank = dict(zip(zip(best["metal"], best["carbon"]), best["rank"]))
    table.insert(0, "rank", [rank[(m, c)] for m, c in zip(table["metal"], table["carbon"])])
    cols = ["p_under_carbon", "p_under_carbon_lo", "p_under_carbon_hi", "margin_mV_lo", "margin_mV_hi", "li_richest_phase"]
    info = best.set_index(["metal", "carbon"])[[c for c in cols if c in best.columns]]
    return table.join(info, on=["metal", "carbon"])
