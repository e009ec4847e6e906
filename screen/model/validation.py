"""Honest validation of the gap model (the engine of ``interlayer calibrate``).

Leave-one-study-out is the headline: every study's cells are predicted by the posterior of a model fitted without
that study (a new lab: its offset drawn from the fold's fitted spread), against a constant prevalence fixed in advance,
the training folds' prevalence of "under" (base rate), logistic regression and gradient-boosted trees on the same
descriptors and conditions. The model's structure and priors were fixed in writing before the first run
(``docs/model.md``, "Specification of model v3"); the only data-dependent choices (the marginalization grids of
unreported conditions) are made inside each training fold. Intervals come from resampling *studies* (the unit that was
held out), so one lucky or unlucky paper cannot make them look tight. :func:`per_study` shows where the skill comes
from; :func:`without_study` the headline without one study. :func:`alternatives` shows how other settings would score
(MAP folds); it is a display of sensitivity, never a selection.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from screen.model.training import PREDICTORS, TrainingSet, cross_validate

__all__ = ["ALTERNATIVES", "alternatives", "critical_currents", "metric_intervals", "per_study", "reliability", "validate",
           "without_study"]

#: Modelling choices shown side by side (each a set of :class:`~screen.model.gap_model.NucleationGapModel` parameters).
ALTERNATIVES: dict[str, dict[str, Any]] = {
    "default: unreported conditions over the training studies' values": {},
    "v0: unreported fabrication pressure 50-500 MPa, carbon 0.1-10 um (fixed)": {"impute": "fixed"},
    "without the electron-concentration limit": {"use_ec_limit": False},
    "priors three times wider": {"prior_scale": 3.0},
    "no lab effects": {"lab_effects": False},
}


def _scores(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    """(log-loss, Brier, balanced accuracy) of probabilities ``p`` for binary ``y`` (1 = under the carbon)."""
    pc = np.clip(p, 1e-6, 1 - 1e-6)
    ll = float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    brier = float(np.mean((pc - y) ** 2))
    hit = (pc >= 0.5).astype(int) == y
    recalls = [np.mean(hit[y == c]) for c in (0, 1) if np.any(y == c)]
    return ll, brier, float(np.mean(recalls))


def metric_intervals(preds: pd.DataFrame, n_resamples: int = 2000, seed: int = 0, level: float = 0.9) -> pd.DataFrame:
    """Log-loss, Brier and balanced accuracy per predictor, with intervals from resampling studies.

    Also the gap model's log-loss minus each baseline's on the same resamples (negative = the gap model is better);
    an interval that excludes zero is a difference the data support.
    """
    y = (preds["observed"] == "under_carbon").to_numpy(int)
    studies = preds["study_id"].to_numpy()
    uniq = np.unique(studies)
    idx = {s: np.flatnonzero(studies == s) for s in uniq}
    rng = np.random.default_rng(seed)
    names = [n for n in PREDICTORS if f"p_{n}" in preds]
    ps = {n: preds[f"p_{n}"].to_numpy(float) for n in names}
    draws: dict[str, list[tuple[float, float, float]]] = {n: [] for n in names}
    for _ in range(n_resamples):
        rows = np.concatenate([idx[s] for s in rng.choice(uniq, uniq.size)])
        if len(set(y[rows])) < 2:
            continue
        for n in names:
            draws[n].append(_scores(y[rows], ps[n][rows]))
    q = ((1 - level) / 2, (1 + level) / 2)
    out = []
    gap_ll = np.array([d[0] for d in draws["gap_model"]])
    for n in names:
        point = _scores(y, ps[n])
        arr = np.array(draws[n])
        row = {"predictor": n, "n_cells": int(y.size), "n_studies": int(uniq.size)}
        for k, name in enumerate(("log_loss", "brier", "balanced_accuracy")):
            lo, hi = np.quantile(arr[:, k], q)
            row |= {name: point[k], f"{name}_lo": float(lo), f"{name}_hi": float(hi)}
        if n != "gap_model":
            diff = gap_ll - arr[:, 0]
            row |= {"gap_minus_this_log_loss": _scores(y, ps["gap_model"])[0] - point[0],
                    "diff_lo": float(np.quantile(diff, q[0])), "diff_hi": float(np.quantile(diff, q[1]))}
        out.append(row)
    return pd.DataFrame(out)


def reliability(preds: pd.DataFrame, predictor: str = "gap_model", bins: int = 5) -> pd.DataFrame:
    """Reliability table: mean predicted P(under) vs observed fraction under, per probability bin."""
    p = preds[f"p_{predictor}"].to_numpy(float)
    y = (preds["observed"] == "under_carbon").to_numpy(int)
    edges = np.linspace(0, 1, bins + 1)
    k = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = [{"bin_lo": edges[b], "bin_hi": edges[b + 1], "n": int(np.sum(k == b)),
             "mean_predicted": float(np.mean(p[k == b])) if np.any(k == b) else np.nan,
             "observed_fraction": float(np.mean(y[k == b])) if np.any(k == b) else np.nan} for b in range(bins)]
    return pd.DataFrame(rows)


def per_study(preds: pd.DataFrame) -> pd.DataFrame:
    """Summed held-out log-loss of every predictor per study (lower is better) and the cells each study contributes:
    which studies the skill over the baselines comes from."""
    y = (preds["observed"] == "under_carbon").to_numpy(int)
    names = [n for n in PREDICTORS if f"p_{n}" in preds]
    rows = []
    for s in pd.unique(preds["study_id"]):
        m = (preds["study_id"] == s).to_numpy()
        row: dict[str, Any] = {"study_id": s, "n_cells": int(m.sum()), "n_under": int(y[m].sum())}
        for n in names:
            pc = np.clip(preds.loc[m, f"p_{n}"].to_numpy(float), 1e-6, 1 - 1e-6)
            row[f"{n}_summed_log_loss"] = float(-np.sum(y[m] * np.log(pc) + (1 - y[m]) * np.log(1 - pc)))
        rows.append(row)
    return pd.DataFrame(rows)


def without_study(preds: pd.DataFrame, study: str, n_resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """:func:`metric_intervals` of the held-out predictions without one study's cells (e.g. ``LI25``)."""
    return metric_intervals(preds[preds["study_id"] != study], n_resamples, seed)


def alternatives(ts: TrainingSet, random_state: int = 0, progress: bool = False) -> pd.DataFrame:
    """Leave-one-study-out metrics (MAP folds) of the gap model under each setting in :data:`ALTERNATIVES`: a display
    of how much the headline depends on them, not a selection (the specification fixed the settings)."""
    rows = []
    for label, params in ALTERNATIVES.items():
        m = cross_validate(ts, "loso", random_state=random_state, progress=progress, model_params=params).metrics["gap_model"]
        rows.append({"choice": label, "loso_log_loss": m["log_loss"], "loso_brier": m["brier"],
                     "loso_balanced_accuracy": m["balanced_accuracy"]})
    return pd.DataFrame(rows)


#: The study whose cells carried most of v2.1's skill (issue 24); the headline is also reported without it.
INFLUENTIAL_STUDY = "LI25"


def validate(ts: TrainingSet, random_state: int = 0, n_resamples: int = 2000, progress: bool = False,
             n_draws: int = 128, sampler: str | None = None, model_params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything ``interlayer calibrate`` reports: the nested leave-one-study-out metrics with intervals (every fold
    the full posterior with the ``sampler`` profile), the held-out predictions, the per-study table, the headline
    without :data:`INFLUENTIAL_STUDY` and the reliability table. ``model_params`` are gap-model settings (e.g.
    ``{"graphitization_form": "select"}``: the form chosen by PSIS-LOO inside every training fold, reported per fold
    under ``selections``)."""
    cv = cross_validate(ts, "loso", n_draws=n_draws, random_state=random_state, progress=progress, sampler=sampler,
                        model_params=model_params)
    preds = cv.predictions
    return {"metrics": {"loso": metric_intervals(preds, n_resamples, random_state)},
            "predictions": {"loso": preds}, "per_study": per_study(preds),
            "without": {INFLUENTIAL_STUDY: without_study(preds, INFLUENTIAL_STUDY, n_resamples, random_state)},
            "reliability": reliability(preds), "selections": cv.selections}


def _measured_interval(v: Any) -> tuple[float, float]:
    """(lower, upper) of a measured critical current: equal ends for a stated value, 0 / inf for an open end."""
    if isinstance(v, tuple | list):
        lo, hi = v
        return (0.0 if lo is None or pd.isna(lo) else float(lo)), (np.inf if hi is None or pd.isna(hi) else float(hi))
    return float(v), float(v)


def critical_currents(ts: TrainingSet, pipeline: Any, random_state: int = 0) -> pd.DataFrame:
    """Every measured critical current of a cell with carbon against the model's: fitted to all records (in sample,
    with its interval) and fitted without the cell's whole study (every observable of it held out, so that a plating
    location of the same cells cannot leak into the prediction). Currents in mA/cm2.

    A measured current known only as an interval ("stable at lower, shorted at upper") is shown as its two ends;
    ``*_factor`` is how far the prediction lies outside the measured interval, as a factor (1: inside it).
    """
    from sklearn.base import clone

    ccd = (ts.X["observable"] == "ccd_mA_cm2").to_numpy()
    rows = []
    for study in pd.unique(ts.X.loc[ccd, "study_id"]):
        in_study = (ts.X["study_id"] == study).to_numpy()
        test = ccd & in_study
        held = clone(pipeline).set_params(gap__random_state=random_state).fit(ts.X[~in_study], ts.y[~in_study])
        t_held = held.named_steps["gap"].predict_terms(held.named_steps["cells"].transform(ts.X[test]))
        t_all = pipeline.named_steps["gap"].predict_terms(pipeline.named_steps["cells"].transform(ts.X[test]))
        for i, (idx, r) in enumerate(ts.X[test].iterrows()):
            lo, hi = _measured_interval(ts.y[idx])
            rows.append({"record_id": r["record_id"], "study_id": study, "metal": r["metal"], "carbon": r["carbon"],
                         "carbon_nm": r["carbon_nm"], "temperature_c": r["temperature_c"],
                         "measured_lower_mA_cm2": lo, "measured_upper_mA_cm2": hi,
                         "in_sample_mA_cm2": float(t_all["critical_current_mA_cm2"].iloc[i]),
                         "in_sample_lo": float(t_all["critical_current_mA_cm2_lo"].iloc[i]),
                         "in_sample_hi": float(t_all["critical_current_mA_cm2_hi"].iloc[i]),
                         "held_out_mA_cm2": float(t_held["critical_current_mA_cm2"].iloc[i])})
    out = pd.DataFrame(rows)
    if len(out):
        for col in ("in_sample_mA_cm2", "held_out_mA_cm2"):
            pred = out[col].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                lower = out["measured_lower_mA_cm2"].to_numpy(float)
                below = np.where(lower > 0, np.log(lower / pred), -np.inf)
                above = np.log(pred / out["measured_upper_mA_cm2"].to_numpy(float))
            out[col.replace("_mA_cm2", "_factor")] = np.exp(np.maximum(np.maximum(below, above), 0.0))
    return out
