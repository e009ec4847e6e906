"""The nucleation-overpotential-gap model: the literature it must reproduce, its physics, its estimator contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from screen.model.cells import CellFeaturizer, validate_candidates
from screen.model.gap_model import PARAM_NAMES, NucleationGapModel
from screen.model.training import cross_validate, make_pipeline, training_set


def predict(pipe, **cols):
    """Terms for one candidate (defaults: the source paper's cell)."""
    cand, _ = validate_candidates(pd.DataFrame([{k: str(v) for k, v in cols.items()}]))
    return pipe.named_steps["gap"].predict_terms(pipe.named_steps["cells"].transform(cand)).iloc[0]


@pytest.fixture(scope="module")
def held_out():
    """Leave-one-study-out predictions: each study's cells predicted by a model fitted without that study."""
    return cross_validate(training_set(), "loso").predictions.set_index("record_id")


#: Known out-of-sample misses, each with what the data say and why the model gets it wrong.
LIAO_ONLY = ("fitted without Liao 2025, no other study shows a weakly bonded carbon with Li on top, so the adhesion barrier "
             "rests on its prior and the cell is called under: Liao's lamination series is the only low-toughness evidence")
GRAPHITE = "the model, like the source paper, says graphite lets Li plate on top"
KNOWN_MISSES = {
    "SJ23-a": f"Spencer-Jolly 2023: Li metal at the collector under an Ag-graphite layer (0.03 mA/cm2, room temperature); {GRAPHITE}",
    "SJ23-b": f"Spencer-Jolly 2023: more Li metal at the collector under Ag-graphite at 2 mA/cm2, 60 C; {GRAPHITE}",
    "SJ23-d": f"Spencer-Jolly 2023: Li under a graphite-only layer; {GRAPHITE}",
    "LI25-a": f"unlaminated carbon black (5 MPa contact), Li on top; {LIAO_ONLY}",
    "LI25-h": f"3 um hard carbon laminated at 200 MPa (3 J/m2), Li on top; {LIAO_ONLY}",
    "LI25-j": f"3 um hard carbon laminated at 400 MPa (11 J/m2), Li on top; {LIAO_ONLY}",
}


def _location_records() -> list:
    ts = training_set()
    keep = ts.location_mask & np.isin(ts.y, ["under_carbon", "above_carbon"])
    ids = ts.X.loc[keep, "record_id"].tolist()
    return [pytest.param(r, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[r])) if r in KNOWN_MISSES else r for r in ids]


@pytest.mark.parametrize("record", _location_records())
def test_held_out_study_plating_location(held_out, record):
    """Every labelled cell, predicted by a model that never saw its study (misses are strict xfails)."""
    row = held_out.loc[record]
    predicted = "under_carbon" if row["p_gap_model"] >= 0.5 else "above_carbon"
    assert predicted == row["observed"], row["p_gap_model"]


def test_held_out_zn_and_ag_beat_al_and_sn_in_carbon_black(held_out):
    """Fitted without the Zn/Sn/Al-carbon-black study (Jun 2025, via the source paper), the descriptors alone still put
    Zn and Ag (Suzuki 2021) above Sn and Al."""
    p = held_out["p_gap_model"]
    assert min(p["SU21-a"], p["JU25-a"]) > max(p["JU25-b"], p["JU25-c"])


@pytest.mark.xfail(strict=True, reason="model v0 loses to the training-fold prevalence on LOSO log-loss: its "
                   "confident misses on graphite (Spencer-Jolly) and on Liao's weakly bonded carbons cost more than its hits gain")
def test_held_out_log_loss_beats_the_base_rate(held_out):
    y = (held_out["observed"] == "under_carbon").to_numpy(int)
    studies = held_out["study_id"].to_numpy()
    base = np.array([np.mean(y[studies != s]) for s in studies])  # prevalence of "under" in the training folds
    gap = np.clip(held_out["p_gap_model"].to_numpy(float), 1e-6, 1 - 1e-6)
    assert log_loss(y, gap, labels=[0, 1]) < log_loss(y, np.clip(base, 1e-6, 1 - 1e-6), labels=[0, 1])


def test_eta_ordering_of_lithiated_metals(gap_pipeline):
    """Mg ~ Ag ~ Zn ~ Au < Sn, Al < Cu, stainless steel (bare collector)."""
    eta = {m: predict(gap_pipeline, metal=m, carbon="none")["eta_metal_mV"] for m in ("Mg", "Ag", "Zn", "Au", "Sn", "Al", "Cu")}
    eta["SS"] = predict(gap_pipeline, metal="none", carbon="none")["eta_metal_mV"]
    good, middle, inert = ("Mg", "Ag", "Zn", "Au"), ("Sn", "Al"), ("Cu", "SS")
    assert max(eta[m] for m in good) < min(eta[m] for m in middle)
    assert max(eta[m] for m in middle) < min(eta[m] for m in inert)
    assert max(eta[m] for m in good) - min(eta[m] for m in good) < 0.5 * (eta["SS"] - min(eta[m] for m in good))


def test_ag_is_explained_by_descriptors_not_by_a_no_compound_claim(gap_pipeline):
    """Li-Ag forms intermediate phases (LiAg, Li9Ag4, Li10Ag3); Ag must still come out good through its solubility."""
    feats = gap_pipeline.named_steps["cells"].transform(validate_candidates(pd.DataFrame([{"metal": "Ag", "carbon": "none"}]))[0])
    assert feats["has_intermediate_phases"].iloc[0] == 1.0
    assert feats["solubility_score_mutual"].iloc[0] > 0.8
    eta_ag = predict(gap_pipeline, metal="Ag", carbon="none")["eta_metal_mV"]
    assert eta_ag < predict(gap_pipeline, metal="Sn", carbon="none")["eta_metal_mV"]


# --------------------------------------------------------------------------- physics and limits

def test_carbon_under_metal_plates_on_the_metal(gap_pipeline):
    assert predict(gap_pipeline, metal="Mg", carbon="c60_film", architecture="carbon_under_metal")["p_under_carbon"] < 0.5


def test_toughness_law_extrapolates_to_liaos_600_mpa_lower_bound(gap_pipeline):
    """Fitted to Liao 2025's 9 and 41 J/m2 (100, 400 MPa); at 600 MPa Liao measured at least 65 J/m2 (the tape failed
    first), a value the fit never saw."""
    g600 = predict(gap_pipeline, metal="none", carbon="carbon_black", fab_mpa=600, stack_mpa=5)["toughness_J_m2"]
    assert g600 >= 65 * 0.8  # within the 20 % log-normal error the fit assumes for toughness


# --------------------------------------------------------------------------- validation

def test_cross_validated_accuracy_beats_both_baselines(registry):
    m = registry.metadata(0)["metrics"]
    for scheme in ("loo", "loso"):
        gap = m[scheme]["gap_model"]["balanced_accuracy"]
        assert gap > m[scheme]["logistic_baseline"]["balanced_accuracy"]
        assert gap > m[scheme]["majority_baseline"]["balanced_accuracy"]
        assert m[scheme]["gap_model"]["brier"] < m[scheme]["majority_baseline"]["brier"]


def test_eta_mae_is_computed_when_numeric_overpotentials_exist():
    ts = training_set()
    extra = ts.X[ts.X["record_id"] == "WU26-b"].head(1).copy()
    extra["observable"], extra["record_id"], extra["study_id"] = "eta_mV", "SYN-1", "SYN"
    ts.X = pd.concat([ts.X, extra], ignore_index=True)
    ts.y = np.append(ts.y, 3.0)
    m = cross_validate(ts, "loso").metrics["gap_model"]
    assert m["n_eta"] == 1 and 0 <= m["eta_mae_mV"] < 20


# --------------------------------------------------------------------------- estimator contract

@pytest.fixture(scope="module")
def location_data():
    ts = training_set()
    loc = ts.location_mask & np.isin(ts.y, ["under_carbon", "above_carbon"])
    return ts.X[loc].reset_index(drop=True), ts.y[loc].astype(str)


def test_sklearn_clone_and_cross_val_score(location_data):
    from sklearn.base import clone
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_score

    X, y = location_data
    pipe = make_pipeline(n_bootstrap=0)
    assert clone(pipe).get_params()["gap__n_bootstrap"] == 0
    scores = cross_val_score(pipe, X, y, groups=X["study_id"], cv=LeaveOneGroupOut())
    assert len(scores) == X["study_id"].nunique()


def test_joblib_roundtrip_and_registry_state(location_data, tmp_path, gap_pipeline):
    import joblib

    from screen.model.registry import pipeline_from_state, pipeline_state

    X, y = location_data
    joblib.dump(gap_pipeline, tmp_path / "m.joblib")
    again = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_allclose(again.predict_proba(X), gap_pipeline.predict_proba(X))
    np.testing.assert_allclose(pipeline_from_state(pipeline_state(gap_pipeline)).predict_proba(X), gap_pipeline.predict_proba(X))


def test_fit_is_reproducible(location_data):
    X, y = location_data
    a = make_pipeline(n_bootstrap=3, random_state=7).fit(X, y).named_steps["gap"]
    b = make_pipeline(n_bootstrap=3, random_state=7).fit(X, y).named_steps["gap"]
    np.testing.assert_array_equal(a.ensemble_z_, b.ensemble_z_)
    assert set(a.params_) == set(PARAM_NAMES)


def test_batch_equals_single_rows(gap_pipeline):
    rows = pd.DataFrame({"metal": ["Mg", "Sn", "none", "Ag"] * 250, "carbon": ["c60_film", "carbon_black", "graphite", "none"] * 250,
                         "carbon_nm": [100, 2000, 500, ""] * 250})
    cand, _ = validate_candidates(rows.astype(str))
    batch = gap_pipeline.named_steps["gap"].predict_terms(CellFeaturizer().transform(cand))
    one = predict(gap_pipeline, metal="Sn", carbon="carbon_black", carbon_nm=2000)
    assert batch.iloc[1]["margin_mV"] == pytest.approx(one["margin_mV"])
    assert len(batch) == 1000 and batch["p_under_carbon"].iloc[3::4].isna().all()


def test_bad_targets_are_rejected(location_data):
    from descriptors.errors import InputError

    X, y = location_data
    with pytest.raises(InputError, match="li_location"):
        NucleationGapModel(n_bootstrap=0).fit(CellFeaturizer().transform(X), np.where(y == "under_carbon", "beneath", y))
