"""The next experiments that would teach the gap model most (``interlayer suggest``).

**Pool.** Every (metal, carbon, architecture) of the study's space at the thicknesses of its best grid design
(:mod:`screen.search.grid`), crossed with the conditions a lab can set: fabrication (lamination) pressure, current
density and temperature from the study's ``[suggest]`` lists (stack pressure and areal capacity from ``[cell]``).
``exclude_tested`` drops pairs that ``datasets/literature_outcomes.csv`` already holds; a cost budget (USD per cell of
``area_cm2``) keeps only cells whose interlayer (material, plus deposition where the study gives a cost) costs no more.

**Criterion: BALD** (Houlsby et al. 2011, arXiv:1112.5745): the mutual information between the outcome a cell would
show (Li under or above the carbon) and the model's parameters, estimated over the posterior draws,
``I = H(mean_m p_m) − mean_m H(p_m)`` (nats), with ``p_m`` member m's P(Li under carbon) and ``H`` the binary entropy.
It is high where the members disagree confidently: cells whose result would move the parameters, not cells that are
merely uncertain for every member (``lapse``) or that the data already settle.

**Goal ``ranking``** (``score_pool(..., goal="ranking")``): the expected information about which of the study's
designs are in its top ``k`` instead (:func:`screen.analysis.decision.ranking_information`); each cell then says which
two designs its result would move into and out of the top ``k`` (``decides``).

**Diverse batches.** Cells are chosen greedily by information; after each choice the information of every remaining
cell is multiplied by ``1 − ρ²``, ρ the correlation across members between its predictions and the chosen cell's (a
cell that the same parameter draws decide teaches little more), and by ``same_metal_factor`` when it shares the metal
and ``same_pair_factor`` when it shares the (metal, carbon) pair (defaults 0.5 and 0.2), so five suggestions are not
five near-copies.

**Why each cell.** The predicted P(under carbon) with its 90 % interval across members; the expected information;
the parameter whose posterior draws correlate most with the members' predictions for that cell (Spearman; the
parameter the result would move most), flagged prior-set when the model's identifiability says the data have not
reached it yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.analysis.decision import bald, binary_entropy  # noqa: F401  (part of this module's interface)


def candidate_pool(spec: Any, evaluator: Any, best: pd.DataFrame) -> pd.DataFrame:
    """Cells to choose from: the best grid design of each pair crossed with the study's condition lists."""
    sg = spec.suggest
    if best.empty:
        raise InputError("suggest: the study's space has no feasible design to suggest")
    designs = best[["metal", "carbon", "architecture", "metal_nm", "carbon_nm"]].reset_index(drop=True)
    if sg.exclude_tested:
        from descriptors.data.curated import load_table

        tested = load_table("literature_outcomes.csv")[["metal", "carbon", "architecture"]].astype(str)
        seen = set(tested.itertuples(index=False, name=None))
        designs = designs[[t not in seen for t in designs[["metal", "carbon", "architecture"]].itertuples(index=False, name=None)]]
        if designs.empty:
            raise InputError("suggest: every pair of the space is already in literature_outcomes.csv (exclude_tested)")
    fab, cur, temp = (np.asarray(v, dtype=float) for v in (sg.fab_mpa, sg.current_ma_cm2, sg.temperature_c))
    f, c, t = (a.ravel() for a in np.meshgrid(fab, cur, temp, indexing="ij"))
    pool = designs.loc[designs.index.repeat(f.size)].reset_index(drop=True)
    pool["fab_mpa"] = np.tile(f, len(designs))
    pool["current_ma_cm2"] = np.tile(c, len(designs))
    pool["temperature_c"] = np.tile(t, len(designs))
    values = evaluator.evaluate_table(pool)
    pool["cost_usd_m2"] = values["cost_usd_m2"]
    pool["cell_cost_usd"] = values["cost_usd_m2"] * sg.area_cm2 * 1e-4
    if sg.budget_usd is not None:
        cheapest = float(pool["cell_cost_usd"].min())
        pool = pool[pool["cell_cost_usd"] <= sg.budget_usd].reset_index(drop=True)
        if pool.empty:
            raise InputError(f"suggest: budget {sg.budget_usd:g} USD is below the cheapest cell's interlayer "
                             f"({cheapest:.3g} USD for {sg.area_cm2:g} cm2)")
    return pool


GOALS: tuple[str, ...] = ("parameters", "ranking")


def score_pool(evaluator: Any, pool: pd.DataFrame, gap: Any, goal: str = "parameters", designs: pd.DataFrame | None = None,
               top: int = 10) -> tuple[pd.DataFrame, np.ndarray]:
    """Predicted P with its interval, the expected information and the most informed parameter of every pool cell;
    and the members' predictions (members × cells).

    ``goal="parameters"``: BALD, information about the parameters. ``goal="ranking"``: information about which of
    ``designs`` (the study's best design per pair) are in the top ``top`` by P(under)
    (:func:`screen.analysis.decision.ranking_information`), and a ``decides`` column naming the designs a cell's result
    would move most."""
    if goal not in GOALS:
        raise InputError(f"suggest: unknown goal '{goal}' (known: {', '.join(GOALS)})")
    from screen.model.parameters import PARAM_NAMES
    from screen.model.physics import terms

    if not len(evaluator.members):
        raise InputError("suggest: the model has no posterior draws (n_draws = 0); retrain it with draws")
    mi, ci, arch, _, carbon_nm = evaluator.codes(pool)
    d = evaluator.model_design(mi, ci, arch, carbon_nm, pool["current_ma_cm2"].to_numpy(float),
                               pool["temperature_c"].to_numpy(float), pool["fab_mpa"].to_numpy(float))
    members = np.asarray(terms(evaluator.members, d, evaluator.lab_offset)["p_under_carbon"], dtype=float)
    out = pool.copy()
    out["p_under_carbon"] = members.mean(axis=0)  # the predictive P, as the model's predict_terms
    out["p_lo"], out["p_hi"] = np.quantile(members, [0.05, 0.95], axis=0)
    out["information_nats"] = bald(members)
    out["decides"] = ""
    if goal == "ranking":
        if designs is None or designs.empty:
            raise InputError("suggest: the ranking goal needs the study's designs")
        from screen.analysis.decision import decision_text, member_predictions, ranking_information, top_k  # noqa: I001

        design_p = member_predictions(evaluator, designs.reset_index(drop=True), evaluator.members, evaluator.lab_offset[:, 0])
        in_top = top_k(design_p, min(top, len(designs)))
        out["information_nats"] = ranking_information(members, in_top)
        labels = [f"{r.carbon} {r.carbon_nm:.0f} nm alone" if r.metal == "none" else
                  f"{r.metal} {r.metal_nm:.0f} nm/{r.carbon} {r.carbon_nm:.0f} nm" for r in designs.itertuples()]
        out["decides"] = [decision_text(members, in_top, labels, i, min(top, len(designs))) for i in range(len(out))]
    z = np.asarray(gap.draws_z_, dtype=float)
    zr = np.argsort(np.argsort(z, axis=0), axis=0).astype(float)
    pr = np.argsort(np.argsort(members, axis=0), axis=0).astype(float)
    zr, pr = zr - zr.mean(axis=0), pr - pr.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (zr.T @ pr) / np.sqrt((zr**2).sum(axis=0)[:, None] * (pr**2).sum(axis=0)[None, :])
    corr = np.nan_to_num(corr)
    strongest = np.abs(corr).argmax(axis=0)
    status = {r["parameter"]: r["status"] for r in gap.identifiability_}
    out["informs_parameter"] = [PARAM_NAMES[k] for k in strongest]
    out["parameter_correlation"] = corr[strongest, np.arange(corr.shape[1])]
    out["parameter_status"] = [status.get(PARAM_NAMES[k], "") for k in strongest]
    return out, members


def choose(scored: pd.DataFrame, members: np.ndarray, n: int, same_metal_factor: float = 0.5,
           same_pair_factor: float = 0.2) -> pd.DataFrame:
    """Greedy diverse batch of ``n`` cells by information (see the module docstring)."""
    if n < 1:
        raise InputError(f"suggest: --n must be at least 1, got {n}")
    gain = scored["information_nats"].to_numpy(float).copy()
    centred = members - members.mean(axis=0)
    norm = np.sqrt((centred**2).sum(axis=0))
    metal = scored["metal"].to_numpy(object)
    pair = (scored["metal"] + "/" + scored["carbon"]).to_numpy(object)
    picked: list[int] = []
    for _ in range(min(n, len(scored))):
        i = int(np.argmax(gain))
        if not np.isfinite(gain[i]) or gain[i] < 0:
            break
        picked.append(i)
        gain[i] = -np.inf
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.nan_to_num((centred[:, i] @ centred) / (norm[i] * norm))
        with np.errstate(invalid="ignore"):
            gain = np.where(np.isfinite(gain), gain * (1.0 - rho**2), gain)
        gain = np.where(metal == metal[i], gain * same_metal_factor, gain)
        gain = np.where(pair == pair[i], gain * same_pair_factor, gain)
    out = scored.iloc[picked].reset_index(drop=True)
    out.insert(0, "suggestion", np.arange(1, len(out) + 1))
    out["why"] = [_why(r) for r in out.itertuples()]
    return out


def _why(r: Any) -> str:
    flag = " (prior-set so far)" if r.parameter_status == "prior-set" else ""
    decides = f"{r.decides}; " if getattr(r, "decides", "") else ""
    return (f"members disagree: P(under) {r.p_under_carbon:.2f} [{r.p_lo:.2f}, {r.p_hi:.2f}]; {decides}its result would "
            f"move {r.informs_parameter}{flag} most (rank correlation {r.parameter_correlation:+.2f}); "
            f"expected information {r.information_nats:.3f} nats")


def as_retrain_rows(chosen: pd.DataFrame, spec: Any) -> pd.DataFrame:
    """The suggested cells as ``literature_outcomes.csv`` rows (the format ``interlayer retrain`` reads), outcomes
    empty. ``source`` is empty too: the lab fills in its own record (a DOI or URL) with the result."""
    from descriptors.data.curated import OutcomeRow

    rows = []
    for r in cast("Iterable[Any]", chosen.itertuples()):  # itertuples: pandas-stubs types every field as any scalar
        rows.append({"record_id": f"SUG-{spec.study.name}-{r.suggestion}", "study_id": f"SUGGESTED-{spec.study.name}",
                     "citation": "suggested by interlayer suggest; replace with your own record",
                     "metal": r.metal, "carbon": r.carbon, "architecture": r.architecture if r.metal != "none" else "single_layer",
                     "metal_thickness_nm": None if r.metal == "none" else round(float(r.metal_nm), 1),
                     "carbon_thickness_nm": round(float(r.carbon_nm), 1), "electrolyte": spec.cell.electrolyte,
                     "electrolyte_class": "sulfide" if spec.cell.electrolyte.startswith("Li6PS5") else "",
                     "cell_type": "anode_free", "fab_pressure_MPa": float(r.fab_mpa), "stack_pressure_MPa": spec.cell.stack_mpa,
                     "temperature_C": float(r.temperature_c), "current_density_mA_cm2": float(r.current_ma_cm2),
                     "areal_capacity_mAh_cm2": spec.cell.areal_capacity_mah_cm2, "value_origin": "text",
                     "notes": f"suggestion {r.suggestion}: {r.why}"})
    return pd.DataFrame(rows, columns=list(OutcomeRow.model_fields))
