"""The nucleation-overpotential-gap model: the literature it must reproduce, its physics, its estimator contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from screen.cells import CellFeaturizer, validate_candidates
from screen.gap_model import PARAM_NAMES, NucleationGapModel
from screen.training import in_sample, make_pipeline, training_set


def predict(pipe, **cols):
    """Terms for one candidate (defaults: the source paper's cell)."""
    cand, _ = validate_candidates(pd.DataFrame([{k: str(v) for k, v in cols.items()}]))
    return pipe.named_steps["gap"].predict_terms(pipe.named_steps["cells"].transform(cand)).iloc[0]


@pytest.fixture(scope="module")
def records(gap_pipeline):
    return in_sample(gap_pipeline, training_set()).set_index("record_id")


# --------------------------------------------------------------------------- the literature

@pytest.mark.parametrize("record", ["WU26-a", "L20-a", "SU21-a", "WU23-a", "HI25", "SU21-c", "LI25-c", "LI25-d", "L20-c"])
def test_reproduces_li_under_carbon(records, record):
    """Mg/C bilayer (seed paper), Ag-carbon black (Lee 2020, Suzuki, Wu 2023, Hiraoka), Zn-CB, laminated CB (Liao)."""
    assert records.loc[record, "predicted"] == "under_carbon", records.loc[record, "p_under_carbon"]


@pytest.mark.parametrize("record", ["SU21-b", "SU21-d", "SU21-e", "LI25-a"])
def test_reproduces_li_above_carbon(records, record):
    """Ag-graphite, Sn-CB, Al-CB (Suzuki 2021), and carbon black not laminated (Liao 2025)."""
    assert records.loc[record, "predicted"] == "above_carbon", records.loc[record, "p_under_carbon"]


def test_zn_and_ag_beat_al_and_sn_in_carbon_black(records):
    p = records["p_under_carbon"]
    assert min(p["SU21-a"], p["SU21-c"]) > max(p["SU21-d"], p["SU21-e"])


def test_liao_lamination_series_is_monotone(records):
    p = records.loc[["LI25-a", "LI25-b", "LI25-c", "LI25-d"], "p_under_carbon"].to_numpy()
    assert np.all(np.diff(p) > 0)
    assert p[0] < 0.5 < p[2]


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

def test_barrier_monotone_in_conditions(gap_pipeline):
    base = predict(gap_pipeline, metal="Mg", carbon="carbon_black")["barrier_mV"]
    assert predict(gap_pipeline, metal="Mg", carbon="carbon_black", carbon_nm=5000)["barrier_mV"] > base
    assert predict(gap_pipeline, metal="Mg", carbon="carbon_black", current_ma_cm2=2)["barrier_mV"] > base
    assert predict(gap_pipeline, metal="Mg", carbon="carbon_black", temperature_c=60)["barrier_mV"] < base
    assert predict(gap_pipeline, metal="Mg", carbon="carbon_black", fab_mpa=500)["barrier_mV"] < base
    assert predict(gap_pipeline, metal="Mg", carbon="carbon_black", carbon_particle_nm=300)["barrier_mV"] > base


def test_graphite_lowers_eta_on_carbon(gap_pipeline):
    g = predict(gap_pipeline, metal="Mg", carbon="graphite")
    cb = predict(gap_pipeline, metal="Mg", carbon="carbon_black")
    assert g["eta_carbon_mV"] < cb["eta_carbon_mV"]
    assert g["p_under_carbon"] < 0.5 < cb["p_under_carbon"]


def test_weak_adhesion_puts_li_on_top_whatever_the_chemistry(gap_pipeline):
    for metal, carbon, arch in (("Mg", "c60_film", "bilayer"), ("Ag", "carbon_black", "nanocomposite"), ("none", "carbon_black", "")):
        t = predict(gap_pipeline, metal=metal, carbon=carbon, architecture=arch, fab_mpa=2, stack_mpa=2)
        assert t["p_under_carbon"] < 0.5, (metal, carbon)


def test_carbon_under_metal_plates_on_the_metal(gap_pipeline):
    assert predict(gap_pipeline, metal="Mg", carbon="c60_film", architecture="carbon_under_metal")["p_under_carbon"] < 0.5


def test_cells_without_carbon_have_defined_outputs(gap_pipeline):
    t = predict(gap_pipeline, metal="Mg", carbon="none")
    assert np.isnan(t["p_under_carbon"]) and np.isnan(t["margin_mV"]) and t["plating_site"] == "on_metal"
    bare = predict(gap_pipeline, metal="none", carbon="none")
    assert bare["plating_site"] == "on_collector" and bare["eta_metal_mV"] > t["eta_metal_mV"]
    only_c = predict(gap_pipeline, metal="none", carbon="carbon_black")
    assert np.isfinite(only_c["p_under_carbon"])


def test_intervals_bracket_point_values(gap_pipeline):
    t = predict(gap_pipeline, metal="Zn", carbon="carbon_black", architecture="nanocomposite")
    for k in ("eta_metal_mV", "eta_carbon_mV", "barrier_mV", "margin_mV", "p_under_carbon"):
        assert t[f"{k}_lo"] <= t[k] <= t[f"{k}_hi"]
    assert t["margin_mV_hi"] - t["margin_mV_lo"] > 0


def test_toughness_law_matches_liao(gap_pipeline):
    """Liao 2025: 9 J/m2 after 100 MPa, 41 J/m2 after 400 MPa (carbon black, d = 30 nm)."""
    g100 = predict(gap_pipeline, metal="none", carbon="carbon_black", fab_mpa=100, stack_mpa=5)["toughness_J_m2"]
    g400 = predict(gap_pipeline, metal="none", carbon="carbon_black", fab_mpa=400, stack_mpa=5)["toughness_J_m2"]
    assert 6 < g100 < 13 and 30 < g400 < 55


# --------------------------------------------------------------------------- validation

def test_cross_validated_accuracy_beats_both_baselines(registry):
    m = registry.metadata(0)["metrics"]
    for scheme in ("loo", "loso"):
        gap = m[scheme]["gap_model"]["balanced_accuracy"]
        assert gap > m[scheme]["logistic_baseline"]["balanced_accuracy"]
        assert gap > m[scheme]["majority_baseline"]["balanced_accuracy"]
        assert m[scheme]["gap_model"]["brier"] < m[scheme]["majority_baseline"]["brier"]


def test_eta_mae_is_computed_when_numeric_overpotentials_exist():
    from screen.training import cross_validate

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
    assert len(scores) == X["study_id"].nunique() and np.all((scores >= 0) & (scores <= 1))


def test_joblib_roundtrip_and_registry_state(location_data, tmp_path, gap_pipeline):
    import joblib

    from screen.registry import pipeline_from_state, pipeline_state

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
