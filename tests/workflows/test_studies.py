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
from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
from descriptors.solubility.featurizer import LiSolubilityFeaturizer
from screen.analysis.compare import assess, compare_table
from screen.analysis.ranks import kendall_tau_b, ranking_shift, ranks_of
from screen.analysis.tradeoff import pareto_2d
from screen.cli import main
from screen.model.parameters import PARAMETERS
from screen.model.training import make_pipeline, training_set
from screen.search.spec import literature_metals, load_study
from screen.workflows.compare import run_compare
from screen.workflows.sensitivity import run_sensitivity
from screen.workflows.tradeoff import run_tradeoff

ROOT = Path(__file__).resolve().parents[2]
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
def test_shipped_study_files_validate_against_the_current_schema(name):
    """A schema change that breaks a shipped study file fails here, not in a user's hands."""
    load_study(STUDIES / f"{name}.toml")  # raises InputError naming the bad key


def test_low_cost_study_keeps_only_cheap_metals_and_mg():
    from screen.cell.materials import element_prices

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
    from screen.analysis.sensitivity import build_factors

    class _M:
        z_ = np.zeros(len(PARAMETERS))
        draws_z_ = np.zeros((0, len(PARAMETERS)))

    with pytest.raises(InputError, match="sensitivity.ranges.stack_mpa"):
        build_factors(spec, _M())


# --------------------------------------------------------------------------- descriptor-error probes

def test_miedema_error_probe_at_zero_shift_agrees_with_the_featurizer():
    """The sensitivity probe re-evaluates the score on its own code path; with no shift it must give the featurizer's."""
    f = LiSolubilityFeaturizer()
    for metal in ("Mg", "Ag", "Ni", "Cu"):
        base = dict(zip(f.feature_labels(), f.featurize(metal)))["solubility_score_mutual"]
        assert f.mutual_score_shifted(metal, np.array([0.0]))[0] == pytest.approx(base)


def test_phase_stability_margin_sign_matches_the_phase_call():
    from descriptors.phases.energy_sources import make_source

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
    study.write_text(SENS.format(seed=0))  # the default seed: SALib treats seed 0 as "no seed" unless mapped
    rec = run_sensitivity(study, output=tmp / "out", model_dir=registry.root, progress=False)
    return rec, tmp / "out", study


def test_fabrication_pressure_drives_the_margin(sens_run):
    """Over the study's ranges the calibrated adhesion term (Liao 2025's lamination series) dominates the margin."""
    _, out, _ = sens_run
    sobol = pd.read_csv(out / "sensitivity" / "sobol.csv")
    margin = sobol[sobol["output"].str.startswith("margin_mV") & ~sobol["constant_output"]]
    st = margin.groupby("factor")["ST"].max()
    assert st["fab_mpa"] > 0.1


def test_rank_stability_and_outputs(sens_run):
    rec, out, _ = sens_run
    folder = out / "sensitivity"
    for name in ("factors.csv", "sobol.csv", "sobol.json", "morris.csv", "oat.csv", "oat_top.csv", "rank_stability.csv",
                 "sobol.png", "morris.png", "oat_margin.png", "oat_rank.png", "rank_stability.png", "sensitivity.json"):
        assert (folder / name).is_file(), name
    assert set(rec["rank_stability"]) == {"all", "parameters", "inputs"}
    report = (out / "report.html").read_text()
    assert report.count("<!-- sensitivity:start -->") == 1 and "Sensitivity analysis" in report


def test_sensitivity_is_reproducible_and_reruns_replace_the_section(sens_run, registry):
    """A second run with the same seed (0, the default) gives the same Sobol indices and the same bootstrap intervals."""
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
def seed_held_out():
    """The seed-paper cells predicted by a model fitted without the seed paper's records."""
    ts = training_set()
    keep = (ts.X["study_id"] != "WU26").to_numpy()
    pipe = make_pipeline(n_draws=32, random_state=0).fit(ts.X[keep], ts.y[keep])
    table = compare_table(load_study(STUDIES / "seed_mg_c.toml"), pipe)
    return table.set_index("label"), {f["trend"]: f for f in assess(table)}


def test_held_out_seed_paper_bilayer_plates_li_under_the_carbon(seed_held_out):
    t, _ = seed_held_out
    assert t.at["Mg/C bilayer (500/100 nm)", "predicted_site"] == "under_carbon"


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "held out, the source paper is a new lab: its offset on the margin is drawn from the fitted lab-to-lab spread "
    "(tau ~ 9 mV), so the 90 % margin interval of its Mg/C bilayer reaches below zero although P(under) > 0.5"))
def test_held_out_seed_paper_bilayer_margin_interval_stays_positive(seed_held_out):
    t, _ = seed_held_out
    assert t.at["Mg/C bilayer (500/100 nm)", "margin_mV_lo"] > 0


BILAYER_DIP_MISS = ("held out, the bilayer's first nucleation site is a mixture weighted by P(under) (at most ~0.9 "
                    "under v3's lapse and lab spread) of the lithiated Mg (~1 mV) and the carbon film (~45 mV): its "
                    "overpotential lands just above the 5 mV detection threshold, a dip the source paper did not see")


@pytest.mark.parametrize("label", ["SS (no interlayer)", "C only (1 um)", "Mg only (500 nm)",
                                   pytest.param("Mg/C bilayer (500/100 nm)",
                                                marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=BILAYER_DIP_MISS))])
def test_held_out_seed_paper_nucleation_dips(seed_held_out, label):
    """Measured: a dip on bare steel and on carbon only, none on Mg and on Mg/C (Wu 2026, Fig. 2). Held out, the
    dip-free metal record that remains is Zhang 2026's Na collector (corpus v3)."""
    t, _ = seed_held_out
    assert t.at[label, "predicted_dip"] == t.at[label, "measured_nucleation_dip"]


def test_held_out_seed_paper_location_trend(seed_held_out):
    _, trends = seed_held_out
    assert trends["plating location (cells with a carbon layer and an observed location)"]["reproduced"] is True


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=BILAYER_DIP_MISS)
def test_held_out_seed_paper_dip_trend(seed_held_out):
    _, trends = seed_held_out
    assert trends["nucleation dip on first plating"]["reproduced"] is True


def test_compare_run_writes_its_folder(tmp_path, registry):
    out = tmp_path / "out"
    table, findings = run_compare(STUDIES / "seed_mg_c.toml", output=out, model_dir=registry.root, progress=False)
    for name in ("comparison.csv", "comparison.json", "comparison.png", "report.html", "run.json"):
        assert (out / name).is_file()
    assert json.loads((out / "run.json").read_text())["findings"] == json.loads(json.dumps(findings))


# --------------------------------------------------------------------------- trade-off, explanations, rank diff

def test_pareto_2d():
    x = np.array([1.0, 2.0, 3.0, 1.5, 2.0])
    y = np.array([1.0, 3.0, 2.0, 0.5, 3.0])
    assert pareto_2d(x, y).tolist() == [True, True, False, False, False]


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "model v3: with the inert-metal excess informed only to ~5 mV and the phase relief prior-set, robustness no longer "
    "separates Li-soluble from inert metals and a cheap inert metal (Fe) heads the exhaustive grid; no cell in the corpus "
    "tests Fe under carbon"))
def test_tradeoff_picks_the_li_soluble_metals_first(tmp_path, registry):
    study = tmp_path / "t.toml"
    study.write_text((STUDIES / "thickness_tradeoff.toml").read_text()
                     .replace("metals = 5", "metals = 3").replace("metal_nm_points = 25", "metal_nm_points = 4")
                     .replace("carbon_nm_points = 40", "carbon_nm_points = 6"))
    summ, _ = run_tradeoff(study, output=tmp_path / "out", model_dir=registry.root, progress=False)
    assert summ["metal"].iloc[0] in ("Ag", "Mg")


def test_screen_explanations_and_reference(tmp_path, registry, capsys):
    study = tmp_path / "e.toml"
    study.write_text(SENS.format(seed=0) + '\n[report]\nreference_metal = "Mg"\nexplain_top = 3\n')
    code = main(["screen", "--study", str(study), "--output", str(tmp_path / "out"), "--model-dir", str(registry.root), "--no-progress"])
    text = capsys.readouterr().out
    assert code == 0 and "Why the top metals rank high" in text
    ex = pd.read_csv(tmp_path / "out" / "explanations.csv")
    # Mg gains its margin from its solubility, and nothing from intermediate phases: Li-Mg forms none (a computed hull
    # call, not an input), so that descriptor cannot contribute
    mg = ex[ex["metal"] == "Mg"].set_index("descriptor")
    assert mg.at["solubility_score_mutual", "contribution_mV"] > 0 and mg.at["has_intermediate_phases", "contribution_mV"] == 0
    assert (tmp_path / "out" / "vs_reference.csv").is_file()


def test_rank_diff_and_retraining_example_file(tmp_path):
    from descriptors.data.curated import OutcomeRow, read_validated_csv

    fresh = read_validated_csv(STUDIES / "examples" / "lab_cells_template.csv", OutcomeRow)
    curated = pd.read_csv(ROOT / "datasets" / "literature_outcomes.csv")
    assert not set(fresh["record_id"]) & set(curated["record_id"]) and set(fresh["study_id"]) == {"EXAMPLE"}
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
