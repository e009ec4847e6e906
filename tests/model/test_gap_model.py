"""The nucleation-overpotential-gap model: the literature it must reproduce, its physics, its estimator contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score, log_loss

from screen.model.cells import CellFeaturizer, validate_candidates
from screen.model.gap_model import PARAM_NAMES, NucleationGapModel
from screen.model.parameters import PRIOR_ONLY
from screen.model.training import cross_validate, make_pipeline, training_set


def predict(pipe, **cols):
    """Terms for one candidate (defaults: the source paper's cell)."""
    cand, _ = validate_candidates(pd.DataFrame([{k: str(v) for k, v in cols.items()}]))
    return pipe.named_steps["gap"].predict_terms(pipe.named_steps["cells"].transform(cand)).iloc[0]


@pytest.fixture(scope="module")
def held_out():
    """Leave-one-study-out predictions: each study's cells predicted by the posterior of a model fitted without that
    study (a new lab; the sampler profile of the session)."""
    return cross_validate(training_set(), "loso", n_draws=64).predictions.set_index("record_id")


#: Known out-of-sample misses, each with what the data say and why the model gets it wrong.
GRAPHITE_HELD_OUT = ("held out, the only other graphite cell is Suzuki 2021's Ag-graphite with Li on top (known only "
                     "through the source paper, conditions unknown), so the fit keeps graphite's relief of the carbon "
                     "overpotential and calls Li on top")
KNOWN_MISSES = {
    "SJ23-a": f"Spencer-Jolly 2023: Li metal at the collector under Ag-graphite (0.03 mA/cm2); {GRAPHITE_HELD_OUT}",
    "SJ23-b": f"Spencer-Jolly 2023: Li metal at the collector under Ag-graphite at 2 mA/cm2, 60 C; {GRAPHITE_HELD_OUT}",
    "SJ23-d": f"Spencer-Jolly 2023: Li under a graphite-only layer; {GRAPHITE_HELD_OUT}",
    "SU21-b": ("Suzuki 2021 (via the source paper): Li on top of Ag-graphite; held out, Spencer-Jolly's three graphite cells "
               "with Li underneath set graphite's relief low. The two graphite studies disagree, and Suzuki's conditions "
               "were not read"),
}
#: Held out, Liao 2025's carbon-black cells laminated at 100-300 MPa (Li on top) are called at P ~ 0.5: without the one
#: study that measures the toughness of its own layers, the toughness law follows its prior (centre 5 J/m2, not Liao's
#: measured 9) and the model cannot say on which side of the threshold these cells fall (model v3, nested
#: leave-one-study-out, full sampler: P = 0.52, 0.52, 0.55). They are tested as undecided, not as hits or misses.
#: Jun 2025's Al-carbon black (Li on top), held out: P = 0.49 with the full sampler's nested fold and 0.54 with the
#: tests' quick sampler, a call the model cannot make at this threshold either way.
UNDECIDED = ("LI25-a", "LI25-h", "LI25-j", "JU25-c")


def _location_records() -> list:
    ts = training_set()
    keep = ts.location_mask & np.isin(ts.y, ["under_carbon", "above_carbon"])
    ids = [r for r in ts.X.loc[keep, "record_id"].tolist() if r not in UNDECIDED]
    return [pytest.param(r, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[r])) if r in KNOWN_MISSES else r for r in ids]


def test_held_out_liao_cells_without_liao_are_undecided(held_out):
    p = held_out.loc[list(UNDECIDED), "p_gap_model"]
    assert (abs(p - 0.5) < 0.1).all(), p


@pytest.mark.parametrize("record", _location_records())
def test_held_out_study_plating_location(held_out, record):
    """Every labelled cell, predicted by a model that never saw its study (misses are strict xfails)."""
    row = held_out.loc[record]
    predicted = "under_carbon" if row["p_gap_model"] >= 0.5 else "above_carbon"
    assert predicted == row["observed"], row["p_gap_model"]


def test_held_out_zn_and_ag_beat_al_and_sn_in_carbon_black(held_out):
    """Fitted without the Zn/Sn/Al-carbon-black study (Jun 2025, via the source paper), the descriptors alone still put
    Zn and Ag-carbon black (Lee 2020, fitted without Lee 2020) above Sn and Al."""
    p = held_out["p_gap_model"]
    assert min(p["L20-a"], p["JU25-a"]) > max(p["JU25-b"], p["JU25-c"])


def _held_out_scores(held_out, metric):
    y = (held_out["observed"] == "under_carbon").to_numpy(int)
    names = ("gap_model", "base_rate", "logistic", "flexible", "majority")
    p = {n: np.clip(held_out[f"p_{n}"].to_numpy(float), 1e-6, 1 - 1e-6) for n in names}
    if metric == "log_loss":
        return {n: log_loss(y, v, labels=[0, 1]) for n, v in p.items()}
    return {n: balanced_accuracy_score(y, (v >= 0.5).astype(int)) for n, v in p.items()}


def test_held_out_log_loss_beats_every_baseline(held_out):
    """Leave-one-study-out: a lower log-loss than the training folds' prevalence of "under" (base rate), logistic
    regression, gradient-boosted trees and the majority class."""
    ll = _held_out_scores(held_out, "log_loss")
    assert all(ll["gap_model"] < ll[n] for n in ll if n != "gap_model"), ll


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "at the 0.5 threshold the held-out calls of four cells at P ~ 0.5 (three of Liao 2025's, Jun 2025's Al) decide the "
    "balanced accuracy: 0.54 with the full sampler's nested folds, 0.46 with the tests' quick sampler, against 0.50 "
    "for the constant predictors; the model's skill is in its probabilities (log-loss), not in hard calls"))
def test_held_out_balanced_accuracy_beats_every_baseline(held_out):
    ba = _held_out_scores(held_out, "balanced_accuracy")
    assert all(ba["gap_model"] > ba[n] for n in ba if n != "gap_model"), ba


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "model v3's headline: nested leave-one-study-out log-loss 0.56 [0.37, 0.77] against 0.64 [0.47, 0.78] for the "
    "constant prevalence 0.70 fixed in advance; the difference, -0.08 [-0.29, +0.23] over resampled studies, does not "
    "exclude zero, and without Liao 2025's cells the constant scores better (0.57 against 0.59)"))
def test_held_out_log_loss_beats_the_constant_fixed_in_advance(held_out):
    from screen.model.validation import metric_intervals

    table = metric_intervals(held_out.reset_index(), n_resamples=1000, seed=0).set_index("predictor")
    assert table.at["constant", "diff_hi"] < 0, table.loc["constant", ["gap_minus_this_log_loss", "diff_lo", "diff_hi"]]


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


@pytest.fixture(scope="module")
def toughness_without_liao_200_300():
    ts = training_set()
    keep = ~ts.X["record_id"].isin(["LI25-e", "LI25-f"]).to_numpy()
    return make_pipeline(n_draws=0).fit(ts.X[keep], ts.y[keep])


@pytest.mark.parametrize("fab, measured", [(200, 15.0), (300, 26.0)])
def test_toughness_law_predicts_liao_values_it_did_not_see(toughness_without_liao_200_300, fab, measured):
    """Fitted without Liao's 200 and 300 MPa carbon-black peel tests, the law gets them within the scatter of a peel test
    (a factor of 1.5)."""
    g = predict(toughness_without_liao_200_300, metal="none", carbon="carbon_black", fab_mpa=fab, stack_mpa=5,
                carbon_particle_nm=30)["toughness_J_m2"]
    assert measured / 1.5 < g < measured * 1.5, g


@pytest.fixture(scope="module")
def without_source_paper():
    ts = training_set()
    keep = (ts.X["study_id"] != "WU26").to_numpy()
    return make_pipeline(n_draws=0).fit(ts.X[keep], ts.y[keep])


def test_source_paper_bilayer_critical_current_held_out_within_a_factor_3(without_source_paper):
    """Fitted without the source paper, the Mg/C bilayer's critical current (measured 1.1 mA/cm2, 25 C)."""
    j = predict(without_source_paper, metal="Mg", carbon="c60_film", architecture="bilayer", metal_nm=500, carbon_nm=100,
                current_ma_cm2=0.1, stack_mpa=15, fab_mpa=250, temperature_c=25)["critical_current_mA_cm2"]
    assert 1.1 / 3 < j < 1.1 * 3, j


@pytest.fixture(scope="module")
def without_spencer_jolly():
    ts = training_set()
    keep = (ts.X["study_id"] != "SJ23").to_numpy()
    return make_pipeline(n_draws=0).fit(ts.X[keep], ts.y[keep])


@pytest.mark.xfail(strict=True, reason=(
    "with the whole Spencer-Jolly 2023 study held out (its plating locations too), the only critical current left is "
    "the source paper's 100 nm C60 film at 25 C; the fitted adhesion barrier then exceeds the gap of a 5 um "
    "Ag-graphite layer and the predicted critical current is 0 mA/cm2 (measured: stable at 2.0, shorted at 2.5)"))
def test_held_out_ag_graphite_critical_current_within_a_factor_3_of_its_interval(without_spencer_jolly):
    """Fitted without Spencer-Jolly 2023, its Ag-graphite layer's critical current at 60 C (stable 2.0, shorted 2.5)."""
    j = predict(without_spencer_jolly, metal="Ag", carbon="graphite", architecture="nanocomposite", carbon_nm=5000,
                current_ma_cm2=2.0, stack_mpa=2, fab_mpa=400, temperature_c=60)["critical_current_mA_cm2"]
    assert 2.0 / 3 < j < 2.5 * 3, j


def test_held_out_critical_current_of_the_source_paper_is_above_its_bare_steel(without_source_paper):
    """Fitted without the source paper, its Mg/C bilayer still sustains more current than its bare steel's measured CCD
    (0.3 mA/cm2), as measured (1.1)."""
    j = predict(without_source_paper, metal="Mg", carbon="c60_film", architecture="bilayer", metal_nm=500, carbon_nm=100,
                current_ma_cm2=0.1, stack_mpa=15, fab_mpa=250, temperature_c=25)["critical_current_mA_cm2"]
    assert j > 0.3, j


# --------------------------------------------------------------------------- validation

def test_cross_validated_accuracy_beats_both_baselines(registry):
    """The registered model's own leave-one-study-out record (written when it was built)."""
    m = registry.metadata(0)["metrics"]["loso"]
    gap = m["gap_model"]["balanced_accuracy"]
    assert gap > m["logistic_baseline"]["balanced_accuracy"] and gap > m["majority_baseline"]["balanced_accuracy"]
    assert m["gap_model"]["brier"] < m["majority_baseline"]["brier"]


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


# leave-one-study-out folds hold one study each, and most studies report only one side (all under or all above), so
# scikit-learn's balanced accuracy warns about single-label folds: expected here, where only the API contract is tested
@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning", "ignore:y_pred contains classes not in y_true:UserWarning")
def test_sklearn_clone_and_cross_val_score(location_data):
    from sklearn.base import clone
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_score

    X, y = location_data
    pipe = make_pipeline(n_draws=0)
    assert clone(pipe).get_params()["gap__n_draws"] == 0
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
    a = make_pipeline(n_draws=16, random_state=7, num_warmup=30, num_samples=30).fit(X, y).named_steps["gap"]
    b = make_pipeline(n_draws=16, random_state=7, num_warmup=30, num_samples=30).fit(X, y).named_steps["gap"]
    np.testing.assert_array_equal(a.draws_z_, b.draws_z_)
    np.testing.assert_array_equal(a.lab_offset_mV_, b.lab_offset_mV_)
    assert set(a.params_) == set(PARAM_NAMES) | {p.name for p in PRIOR_ONLY}


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
        NucleationGapModel(n_draws=0).fit(CellFeaturizer().transform(X), np.where(y == "under_carbon", "beneath", y))
