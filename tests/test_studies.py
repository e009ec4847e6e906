"""Studies: the shipped study files, sensitivity analysis, the seed-paper comparison, trade-offs and explanations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from descriptors.errors import InputError
from descriptors.phases import IntermediatePhaseFeaturizer
from descriptors.solubility import LiSolubilityFeaturizer
from screen.cli import main
from screen.compare import run_compare
from screen.ranks import kendall_tau_b, ranking_shift, ranks_of
from screen.sensitivity import run_sensitivity
from screen.study_spec import literature_metals, load_study
from screen.tradeoff import pareto_2d, run_tradeoff

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ROOT / "studies"
SHIPPED = ("default", "seed_mg_c", "low_cost_metals", "pressure_and_rate", "thickness_tradeoff", "propose_new")

SENS = """
[study]
name = "sens"
seed = {seed}
n_trials = 100
population_size = 20

[space]
metals = ["Mg", "Ag", "Zn", "Sn", "Al", "Cu"]
carbons = ["c60_film", "carbon_black", "hard_carbon"]
carbon_nm = [100.0, 10000.0]

[sensitivity]
pool = 12
n_base = 64
bootstrap = 50
morris_trajectories = 6
oat_points = 5
rank_samples = 200
"""


# --------------------------------------------------------------------------- study files

@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_study_files_validate(name):
    spec = load_study(STUDIES / f"{name}.toml")
    assert spec.study.name == name
    assert spec.output_dir() == Path("runs") / name


def test_low_cost_study_keeps_only_cheap_metals_and_mg():
    from screen.materials import element_prices

    spec = load_study(STUDIES / "low_cost_metals.toml")
    prices = element_prices()
    metals = [m for m in spec.metal_choices if m != "none"]
    assert "Mg" in metals and "Ag" not in metals and "Au" not in metals
    assert all(prices[m][0] <= 10.0 for m in metals)


def test_propose_new_excludes_every_metal_with_a_curated_experiment():
    spec = load_study(STUDIES / "propose_new.toml")
    tested = literature_metals()
    assert {"Mg", "Ag", "Zn", "Sn", "Al"} <= tested
    assert not tested & set(spec.metal_choices)
    assert len(spec.metal_choices) > 20


def test_pressure_and_rate_spans_the_requested_conditions():
    spec = load_study(STUDIES / "pressure_and_rate.toml")
    r = spec.sensitivity.ranges
    assert r["fab_mpa"] == (0.0, 600.0) and r["stack_mpa"] == (1.0, 50.0)
    assert r["current_ma_cm2"] == (0.1, 4.0) and r["temperature_c"] == (25.0, 60.0)


def test_wrong_kind_names_the_right_command(tmp_path, registry, capsys):
    code = main(["screen", "--study", str(STUDIES / "seed_mg_c.toml"), "--output", str(tmp_path / "x"),
                 "--model-dir", str(registry.root)])
    err = capsys.readouterr().err
    assert code == 2 and "interlayer compare --study" in err and not (tmp_path / "x").exists()


def test_bad_sensitivity_settings_are_one_line_errors(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(SENS.format(seed=0).replace("n_base = 64", "n_base = 100"))
    with pytest.raises(InputError, match="power of 2"):
        load_study(p)
    p.write_text(SENS.format(seed=0) + '\n[sensitivity.ranges]\nstack_mpa = [50.0, 1.0]\n')
    spec = load_study(p)
    from screen.sensitivity import build_factors

    class _M:
        z_ = np.zeros(14)
        ensemble_z_ = np.zeros((0, 14))

    with pytest.raises(InputError, match="sensitivity.ranges.stack_mpa"):
        build_factors(spec, _M())


# --------------------------------------------------------------------------- descriptor-error probes

def test_miedema_shift_zero_reproduces_the_score_and_endothermic_shift_lowers_it():
    f = LiSolubilityFeaturizer()
    for metal in ("Mg", "Ag", "Ni", "Cu"):
        base = dict(zip(f.feature_labels(), f.featurize(metal)))["solubility_score_mutual"]
        s = f.mutual_score_shifted(metal, np.array([-10.0, 0.0, 10.0]))
        assert s[1] == pytest.approx(base)
        assert s[0] >= s[1] >= s[2]


def test_phase_stability_margin_sign_matches_the_phase_call():
    from descriptors.energy_sources import make_source

    f = IntermediatePhaseFeaturizer(source=make_source("oqmd_legacy"))
    for metal in ("Sn", "Al", "Zn", "Cu", "Ni", "Mg"):
        has = f.featurize(metal)[0]
        assert (f.phase_stability_margin(metal) > 0) == has, metal
    # Li-Sn compounds are deep: a 0.1 eV/atom error cannot remove them
    assert f.phase_stability_margin("Sn") > 0.1


def test_kendall_tau_b_matches_scipy():
    rng = np.random.default_rng(1)
    ref = rng.random(10)
    smp = rng.random((5, 10))
    smp[0, :3] = smp[0, 3]  # ties
    ours = kendall_tau_b(ref, smp)
    for i in range(5):
        assert ours[i] == pytest.approx(kendalltau(ref, smp[i]).statistic)
    assert ranks_of(np.array([[0.1, 0.9, 0.5]]))[0].tolist() == [3, 1, 2]


# --------------------------------------------------------------------------- sensitivity

@pytest.fixture(scope="module")
def sens_run(tmp_path_factory, registry):
    tmp = tmp_path_factory.mktemp("sens")
    study = tmp / "sens.toml"
    study.write_text(SENS.format(seed=3))
    rec = run_sensitivity(study, output=tmp / "out", model_dir=registry.root, progress=False)
    return rec, tmp / "out", study


def test_sobol_indices_lie_in_unit_interval_and_first_order_sums_at_most_one(sens_run):
    rec, out, _ = sens_run
    sobol = pd.read_csv(out / "sensitivity" / "sobol.csv")
    live = sobol[~sobol["constant_output"]]
    assert len(live)
    assert (live["S1"] >= -live["S1_conf"] - 0.05).all() and (live["S1"] <= 1 + live["S1_conf"] + 0.05).all()
    assert (live["ST"] >= -live["ST_conf"] - 0.05).all() and (live["ST"] <= 1 + live["ST_conf"] + 0.05).all()
    sums = live.groupby("output")["S1"].sum()
    assert (sums <= 1.15).all()
    # an index whose interval includes zero is reported as zero
    inc = live[live["S1"].abs() <= live["S1_conf"]]
    assert (inc["S1_eff"] == 0).all()


def test_the_margin_ignores_metal_thickness_and_depends_on_pressure(sens_run):
    _, out, _ = sens_run
    sobol = pd.read_csv(out / "sensitivity" / "sobol.csv")
    margin = sobol[sobol["output"].str.startswith("margin_mV") & ~sobol["constant_output"]]
    st = margin.groupby("factor")["ST"].max()
    # metal thickness enters no term of the margin; fabrication pressure sets the adhesion barrier
    assert st["metal_nm_factor"] < 1e-6
    assert st["fab_mpa"] > 0.1


def test_oat_sweeps_follow_the_physics(sens_run):
    _, out, _ = sens_run
    oat = pd.read_csv(out / "sensitivity" / "oat.csv", keep_default_na=False, na_values=[""])
    one = oat[(oat["nominal_rank"] == 1)]
    for factor, sign in (("carbon_nm_factor", -1), ("current_ma_cm2", -1), ("fab_mpa", +1), ("graphitization_error", -1)):
        s = one[one["factor"] == factor].sort_values("value")["margin_mV"].to_numpy()
        assert np.all(sign * np.diff(s) >= -1e-9), factor
    # thicker carbon: a strictly larger barrier at some current, so the margin falls over the range
    s = one[one["factor"] == "carbon_nm_factor"].sort_values("value")["margin_mV"].to_numpy()
    assert s[0] > s[-1]


def test_rank_stability_and_outputs(sens_run):
    rec, out, _ = sens_run
    folder = out / "sensitivity"
    for name in ("factors.csv", "sobol.csv", "sobol.json", "morris.csv", "oat.csv", "oat_top.csv", "rank_stability.csv",
                 "sobol.png", "morris.png", "oat_margin.png", "oat_rank.png", "rank_stability.png", "sensitivity.json"):
        assert (folder / name).is_file(), name
    stab = pd.read_csv(folder / "rank_stability.csv")
    assert stab["top10_frequency_all"].between(0, 1).all()
    assert set(rec["rank_stability"]) == {"all", "parameters", "inputs"}
    for v in rec["rank_stability"].values():
        assert -1 <= v["kendall_tau_p05"] <= v["kendall_tau_mean"] <= v["kendall_tau_p95"] <= 1
    report = (out / "report.html").read_text()
    assert report.count("<!-- sensitivity:start -->") == 1 and "Sensitivity analysis" in report
    morris = pd.read_csv(folder / "morris.csv")
    assert (morris["mu_star"] >= 0).all()


def test_sensitivity_is_reproducible_and_reruns_replace_the_section(sens_run, registry):
    rec, out, study = sens_run
    first = pd.read_csv(out / "sensitivity" / "sobol.csv")
    rec2 = run_sensitivity(study, output=out, model_dir=registry.root, progress=False)
    second = pd.read_csv(out / "sensitivity" / "sobol.csv")
    pd.testing.assert_frame_equal(first, second)
    assert rec2["rank_stability"] == rec["rank_stability"]
    assert (out / "report.html").read_text().count("<!-- sensitivity:start -->") == 1


def test_sensitivity_refuses_a_folder_of_another_study(sens_run, tmp_path, registry):
    _, out, _ = sens_run
    other = tmp_path / "other.toml"
    other.write_text(SENS.format(seed=4))
    before = (out / "run.json").read_bytes()
    with pytest.raises(InputError, match="different study file"):
        run_sensitivity(other, output=out, model_dir=registry.root, progress=False)
    assert (out / "run.json").read_bytes() == before


# --------------------------------------------------------------------------- seed paper comparison

@pytest.fixture(scope="module")
def seed_run(tmp_path_factory, registry):
    out = tmp_path_factory.mktemp("seed") / "out"
    return run_compare(STUDIES / "seed_mg_c.toml", output=out, model_dir=registry.root, progress=False), out


def test_seed_study_predicts_the_papers_plating_locations_and_dips(seed_run):
    (table, findings), out = seed_run
    t = table.set_index("label")
    assert t.at["Mg/C bilayer (500/100 nm)", "predicted_site"] == "under_carbon"
    assert t.at["SS (no interlayer)", "predicted_site"] == "on_collector"
    assert t.at["Mg only (500 nm)", "predicted_site"] == "on_metal"
    # measured: dip on SS and C only, none on Mg and Mg/C
    for label, dip in (("SS (no interlayer)", "yes"), ("C only (1 um)", "yes"), ("Mg only (500 nm)", "no"),
                       ("Mg/C bilayer (500/100 nm)", "no")):
        assert t.at[label, "predicted_dip"] == dip == t.at[label, "measured_nucleation_dip"]
    assert t.at["Mg/C bilayer (500/100 nm)", "margin_mV_lo"] > 0


def test_seed_study_sets_predictions_beside_the_measured_values(seed_run):
    (table, findings), out = seed_run
    t = table.set_index("label")
    assert t["measured_initial_ce_pct"].dropna().astype(float).tolist() == [90.9, 92.7, 94.2, 96.1]
    assert float(t.at["Mg/C bilayer (500/100 nm)", "measured_ccd_mA_cm2"]) == 1.1
    assert float(t.at["SS (no interlayer)", "measured_ccd_mA_cm2"]) == 0.3
    assert (t["source"].dropna() == "doi:10.1021/acsami.6c01094").all()
    # Li taken up: none on inert collectors, more with Mg, most with Mg + C
    assert t.at["SS (no interlayer)", "li_uptake_pct"] == 0
    assert 0 < t.at["Mg only (500 nm)", "li_uptake_pct"] < t.at["Mg/C bilayer (500/100 nm)", "li_uptake_pct"]
    trends = {f["trend"]: f for f in findings}
    assert trends["plating location (cells with a carbon layer and an observed location)"]["reproduced"] is True
    assert trends["nucleation dip on first plating"]["reproduced"] is True
    assert "cannot separate" in trends["initial Coulombic efficiency order vs predicted nucleation overpotential"]["detail"]
    for name in ("comparison.csv", "comparison.json", "comparison.png", "report.html", "run.json"):
        assert (out / name).is_file()


# --------------------------------------------------------------------------- trade-off, explanations, rank diff

def test_pareto_2d():
    x = np.array([1.0, 2.0, 3.0, 1.5, 2.0])
    y = np.array([1.0, 3.0, 2.0, 0.5, 3.0])
    assert pareto_2d(x, y).tolist() == [True, True, False, False, False]


def test_tradeoff_fronts_are_non_dominated(tmp_path, registry):
    study = tmp_path / "t.toml"
    study.write_text((STUDIES / "thickness_tradeoff.toml").read_text()
                     .replace("metals = 5", "metals = 3").replace("metal_nm_points = 25", "metal_nm_points = 4")
                     .replace("carbon_nm_points = 40", "carbon_nm_points = 6"))
    summ, front = run_tradeoff(study, output=tmp_path / "out", model_dir=registry.root, progress=False)
    assert len(summ) == 3 and summ["metal"].iloc[0] in ("Ag", "Mg")
    for _, g in front.groupby("metal"):
        x, y = g["li_loss_pct"].to_numpy(), g["margin_mV_lo"].to_numpy()
        for i in range(len(g)):
            assert not np.any((x <= x[i]) & (y >= y[i]) & ((x < x[i]) | (y > y[i])))
    # thicker carbon costs margin (transport barrier) at 1 mA/cm2
    assert (summ["margin_lo_drop_thinnest_to_thickest_carbon_mV"] > 0).all()


def test_screen_explanations_and_reference(tmp_path, registry, capsys):
    study = tmp_path / "e.toml"
    study.write_text(SENS.format(seed=0) + '\n[report]\nreference_metal = "Mg"\nexplain_top = 3\n')
    code = main(["screen", "--study", str(study), "--output", str(tmp_path / "out"), "--model-dir", str(registry.root), "--no-progress"])
    text = capsys.readouterr().out
    assert code == 0 and "Why the top metals rank high" in text
    ex = pd.read_csv(tmp_path / "out" / "explanations.csv")
    # Shapley contributions sum to the margin over an inert metal
    for _, g in ex.groupby(["metal", "carbon"]):
        assert g["contribution_mV"].sum() == pytest.approx(g["margin_mV"].iloc[0] - g["inert_margin_mV"].iloc[0], abs=1e-6)
        assert (g["contribution_mV_lo"] <= g["contribution_mV"]).all() and (g["contribution_mV"] <= g["contribution_mV_hi"]).all()
    mg = ex[ex["metal"] == "Mg"].set_index("descriptor")
    assert mg.at["solubility_score_mutual", "contribution_mV"] > 0 and mg.at["has_intermediate_phases", "contribution_mV"] == 0
    vs = pd.read_csv(tmp_path / "out" / "vs_reference.csv")
    d_cols = [c for c in vs.columns if c.startswith("d_")]
    assert np.allclose(vs[d_cols].sum(axis=1), vs["score_minus_reference"], atol=1e-9)


def test_rank_diff_and_retraining_example_file(tmp_path):
    from descriptors.data import OutcomeRow, read_validated_csv

    fresh = read_validated_csv(STUDIES / "examples" / "fresh_results.csv", OutcomeRow)
    assert len(fresh) == 2 and (fresh["source"] == "doi:10.1002/adma.202502114").all()
    curated = pd.read_csv(ROOT / "datasets" / "literature_outcomes.csv")
    assert not set(fresh["record_id"]) & set(curated["record_id"])
    a = pd.DataFrame({"rank": [1, 2, 3], "metal": ["Mg", "Ag", "Zn"], "carbon": "c", "architecture": "bilayer", "score": [3, 2, 1.0]})
    b = a.assign(rank=[2, 1, 3], score=[2, 3, 1.0])
    summ, moved = ranking_shift(a, b, top=2)
    assert summ["kendall_tau_b"] == pytest.approx(1 / 3) and summ["top2_overlap"] == 2 and not summ["same_first"]
    assert moved.set_index("metal").at["Ag", "moved"] == 1


def test_sensitivity_cli_json(sens_run, capsys, registry):
    _, out, study = sens_run
    copy = out.parent / "copy"
    shutil.copytree(out, copy)
    code = main(["sensitivity", "--study", str(study), "--output", str(copy), "--model-dir", str(registry.root),
                 "--no-progress", "--no-plots", "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["sobol"] and "all" in payload["rank_stability"]
