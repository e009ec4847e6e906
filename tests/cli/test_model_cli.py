"""calibrate / predict / retrain / models: outputs for scripting, registry versions, one-line errors, nothing written on failure."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from descriptors.data.files import datasets_dir, file_sha256
from screen.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_source_cell_json(capsys, model_env):
    code, out, _ = run(capsys, "predict", "--metal", "Mg", "--carbon", "c60_film", "--architecture", "bilayer", "--metal-nm", "500",
                       "--carbon-nm", "100", "--current-ma-cm2", "0.1", "--stack-mpa", "15", "--fab-mpa", "250",
                       "--temperature-c", "25", "--cycles", "1", "--capacity-mah-cm2", "2", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert all(len(d[f"{k}_interval"]) == 2 for k in ("eta_metal_mV", "eta_carbon_mV", "barrier_mV", "margin_mV", "p_under_carbon"))
    assert d["p_under_carbon"] > 0.5 and d["plating_site"] == "under_carbon"
    assert d["defaults_used"] == [] and d["model_version"] == 0
    assert d["descriptors"]["metal"]["has_intermediate_phases"] is False


def test_predict_says_when_the_metal_consumes_the_electrolyte(capsys, model_env, tmp_path):
    """Ca takes S from the reduced argyrodite (CaS); Sr takes S too but leaves LLZO's Li2O alone; Mg takes nothing.
    The batch output carries the same columns; an unknown electrolyte is one line."""
    d = json.loads(run(capsys, "predict", "--metal", "Ca", "--carbon", "c60_film", "--format", "json")[1])
    assert d["electrolyte_reactivity"]["reacts_with_electrolyte"] and d["electrolyte_reactivity"]["reaction_products"] == "CaS"
    d = json.loads(run(capsys, "predict", "--metal", "Sr", "--carbon", "c60_film", "--electrolyte", "LLZO", "--format", "json")[1])
    assert d["electrolyte_reactivity"]["reacts_with_electrolyte"] is False
    src = tmp_path / "cands.csv"
    pd.DataFrame({"metal": ["Mg", "Sr"], "carbon": ["c60_film", "c60_film"]}).to_csv(src, index=False)
    code, out, _ = run(capsys, "predict", "--input", str(src), "--format", "csv")
    res = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(res["reacts_with_electrolyte"]) == [False, True] and "SrS" in res.loc[1, "reaction_products"]
    code, _, err = run(capsys, "predict", "--metal", "Mg", "--carbon", "c60_film", "--electrolyte", "Li9XY")
    assert code == 2 and "unknown electrolyte 'Li9XY'" in err and len(err.strip().splitlines()) == 1


def test_predict_for_a_fitted_lab_uses_its_own_offset(capsys, model_env):
    """The source paper's lab (WU26, in the fit) gets its own fitted offset: a narrower margin interval than a new
    lab's, whose offset is drawn from the whole lab-to-lab spread; an unknown study id is a one-line error."""
    args = ("predict", "--metal", "Mg", "--carbon", "c60_film", "--format", "json")
    code, out, _ = run(capsys, *args)
    new = json.loads(out)
    code_own, out_own, _ = run(capsys, *args, "--study-id", "WU26")
    own = json.loads(out_own)
    assert code == code_own == 0 and own["lab"] == "WU26" and new["lab"].startswith("new")
    width = {k: d["margin_mV_interval"][1] - d["margin_mV_interval"][0] for k, d in (("new", new), ("own", own))}
    assert width["own"] < width["new"], width
    code, _, err = run(capsys, *args, "--study-id", "NOPE")
    assert code == 2 and "no fitted lab effect" in err and len(err.strip().splitlines()) == 1


def test_predict_reports_defaults_and_accepts_none(capsys, model_env):
    code, out, _ = run(capsys, "predict", "--metal", "none", "--carbon", "carbon_black", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["inputs"]["architecture"] == "single_layer"
    assert {"architecture", "carbon_nm", "fab_mpa", "temperature_c"} <= set(d["defaults_used"])
    code, out, _ = run(capsys, "predict", "--metal", "Ag", "--carbon", "none", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["p_under_carbon"] is None and d["plating_site"] == "on_metal"


def test_batch_predict_csv(capsys, model_env, tmp_path):
    src = tmp_path / "cands.csv"
    pd.DataFrame({"metal": ["Mg", "Sn", "none"], "carbon": ["c60_film", "carbon_black", "none"],
                  "architecture": ["", "nanocomposite", ""], "fab_mpa": ["", "400", ""]}).to_csv(src, index=False)
    out_csv = tmp_path / "pred.csv"
    code, _, _ = run(capsys, "predict", "--input", str(src), "--format", "csv", "--output", str(out_csv))
    assert code == 0
    res = pd.read_csv(out_csv)
    assert list(res["plating_site"]) == ["under_carbon", "above_carbon", "on_collector"]
    assert res.loc[1, "fab_mpa"] == 400 and res.loc[0, "fab_mpa"] == 250


@pytest.mark.parametrize("text, message", [
    ("metal,carbon,carbon_mn\nMg,graphite,5\n", "unknown column 'carbon_mn'"),
    ("metal,carbn\nMg,graphite\n", "unknown column 'carbn'"),
    ("metal,fab_mpa\nMg,5\n", "missing required column 'carbon'"),
    ("metal,carbon,carbon_nm\nMg,graphite,-5\n", "line 2, column 'carbon_nm'"),
    ("metal,carbon,carbon_nm\nMg,graphite,nan\n", "not a finite number"),
    ("metal,carbon\nMg,graphite\nUnobtainium,graphite\n", "line 3, column 'metal'"),
    ("metal,carbon\nMg,diamond\n", "unknown carbon preset 'diamond'"),
    ("metal,carbon,architecture\nMg,none,bilayer\n", "needs both a metal and a carbon"),
])
def test_batch_bad_input_one_line_nothing_written(capsys, model_env, tmp_path, text, message):
    src = tmp_path / "bad.csv"
    src.write_text(text)
    out_csv = tmp_path / "out.csv"
    code, out, err = run(capsys, "predict", "--input", str(src), "--output", str(out_csv))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not out_csv.exists()


def test_predict_bad_options(capsys, model_env):
    assert run(capsys, "predict", "--metal", "Xx", "--carbon", "graphite")[0] == 2
    with pytest.raises(SystemExit) as e:
        main(["predict", "--metal", "Mg", "--carbon", "graphite", "--carbon-nm", "-1"])
    assert e.value.code == 2
    assert run(capsys, "predict", "--metal", "Mg", "--carbon", "graphite", "--model", "99")[0] == 2


def test_calibrate_json_and_plot(capsys, model_env, tmp_path):
    png, rel = tmp_path / "margins.png", tmp_path / "reliability.png"
    code, out, _ = run(capsys, "calibrate", "--format", "json", "--plot", str(png), "--reliability-plot", str(rel))
    assert code == 0 and png.stat().st_size > 10_000 and rel.stat().st_size > 10_000
    d = json.loads(out)
    predictors = {"gap_model", "constant", "base_rate", "logistic", "flexible", "majority"}
    assert set(d["validation"]) == {"loso", "loso_without_LI25"}
    assert {r["predictor"] for r in d["validation"]["loso"]} == predictors
    assert {r["predictor"] for r in d["validation"]["loso_without_LI25"]} == predictors
    held_studies = {r["study_id"] for r in d["held_out"]["loso"]}
    assert {r["study_id"] for r in d["per_study"]} == held_studies and "LI25" in held_studies
    assert set(d["diagnostics"]) >= {"r_hat_max", "ess_bulk_min", "ess_tail_min", "divergences", "bfmi_min", "passed"}
    rows = {r["parameter"]: r for r in d["identifiability"]}
    # the toughness law is what Liao's peel tests pin, the interface resistance what the measured critical currents
    # narrow; how much a dissolving metal network relieves transport no datum reaches
    assert rows["toughness_100MPa_J_m2"]["posterior_over_prior_width"] < 0.5
    assert rows["interface_ohm_cm2"]["posterior_over_prior_width"] < 0.8
    assert rows["composite_relief"]["status"] == "prior-set"
    assert all(r["prior"] for r in d["identifiability"])  # every prior states its reasoning or source
    ccd = {r["record_id"]: r for r in d["critical_currents"]}
    # an interval-censored critical current reaches the report as its two ends (Spencer-Jolly 2023: stable at 2.0,
    # shorted at 2.5 mA/cm2), a one-sided one with an open end
    assert (ccd["SJ23-e"]["measured_lower_mA_cm2"], ccd["SJ23-e"]["measured_upper_mA_cm2"]) == (2.0, 2.5)
    assert ccd["SJ23-c"]["measured_lower_mA_cm2"] == 0 and ccd["SJ23-c"]["measured_upper_mA_cm2"] == 4.0


HEADER = (datasets_dir() / "literature_outcomes.csv").read_text(encoding="utf-8").splitlines()[0]
_FRESH_ROW = {
    "record_id": "LAB-1", "study_id": "LAB", "citation": "In-house", "current_collector": "SS", "metal": "Zn", "carbon": "carbon_black",
    "architecture": "bilayer", "metal_thickness_nm": "200", "carbon_thickness_nm": "1000", "electrolyte": "Li6PS5Cl",
    "counter_electrode": "Li", "fab_pressure_MPa": "350", "stack_pressure_MPa": "10", "temperature_C": "25",
    "current_density_mA_cm2": "0.2", "areal_capacity_mAh_cm2": "1", "li_location": "{loc}", "nucleation_dip": "no",
    "nucleation_overpotential_mV": "4", "source": "https://example.org/notebook/LAB-1", "value_origin": "text", "confidence": "A",
    "notes": "test row",
}
FRESH = HEADER + "\n" + ",".join(_FRESH_ROW.get(c, "") for c in HEADER.split(",")) + "\n"


@pytest.fixture
def private_registry(registry, tmp_path):
    root = tmp_path / "models"
    shutil.copytree(registry.root, root)
    return root


def test_retrain_dry_run_then_save(capsys, private_registry, tmp_path):
    curated = datasets_dir() / "literature_outcomes.csv"
    before_hash = file_sha256(curated)
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(FRESH.format(loc="above_carbon"))
    code, out, _ = run(capsys, "retrain", str(fresh), "--dry-run", "--model-dir", str(private_registry), "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["saved_version"] is None
    assert d["metrics_after"]["loso"]["gap_model"]["n"] == d["metrics_before"]["loso"]["gap_model"]["n"] + 1
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]
    code, out, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry))
    assert code == 0 and "saved as model version 1" in out and "the default stays version 0" in out
    assert file_sha256(curated) == before_hash
    code, out, _ = run(capsys, "models", "list", "--model-dir", str(private_registry), "--format", "json")
    rows = json.loads(out)
    assert [r["version"] for r in rows] == [0, 1] and rows[1]["parent"] == "0" and [r["default"] for r in rows] == [True, False]

    def used(*extra):
        code, out, err = run(capsys, "predict", "--metal", "Zn", "--carbon", "carbon_black", "--model-dir", str(private_registry),
                             "--format", "json", *extra)
        assert code == 0
        return json.loads(out)["model_version"], err

    version, err = used()
    assert version == 0 and "model v0 (data " in err  # retrain does not move the default, and every command says which
    assert used("--model", "1")[0] == 1
    assert run(capsys, "models", "default", "1", "--model-dir", str(private_registry))[0] == 0
    assert used()[0] == 1 and run(capsys, "models", "default", "--model-dir", str(private_registry))[1].strip() == "1"
    code, _, err = run(capsys, "models", "delete", "1", "--model-dir", str(private_registry))
    assert code == 2 and "is the default" in err
    assert run(capsys, "models", "delete", "0", "--model-dir", str(private_registry))[0] == 2
    assert run(capsys, "models", "default", "0", "--model-dir", str(private_registry))[0] == 0
    assert run(capsys, "models", "delete", "1", "--model-dir", str(private_registry))[0] == 0
    assert sorted(p.name for p in private_registry.iterdir() if p.name.startswith("v")) == ["v0"]
    assert run(capsys, "models", "default", "1", "--model-dir", str(private_registry))[0] == 2  # gone


def test_retrain_the_lab_template_records_its_study_and_flags_repeats(capsys, private_registry):
    """The shipped template (one example row per observable) retrains from a clean registry; the new version records
    the lab's study_id, and rows that repeat a curated observation are named (they would count twice)."""
    template = Path(__file__).resolve().parents[2] / "studies" / "examples" / "lab_cells_template.csv"
    curated = datasets_dir() / "literature_outcomes.csv"
    before_hash = file_sha256(curated)
    code, out, err = run(capsys, "retrain", str(template), "--model-dir", str(private_registry), "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["saved_version"] == 1 and d["fresh_study_ids"] == ["EXAMPLE"]
    meta = json.loads((private_registry / "v1" / "metadata.json").read_text())
    assert meta["fresh_results"]["study_ids"] == ["EXAMPLE"] and "EXAMPLE" in meta["study_ids"]
    assert {r[0] for r in d["repeats_of_curated"]} == {"EX-DIP-1", "EX-CCD-1", "EX-TOUGH-1"} and "EX-CCD-1" in err
    assert file_sha256(curated) == before_hash


@pytest.mark.parametrize("loc, message", [("beneath", "li_location"), ("above_carbon,extra", "")])
def test_retrain_bad_rows_exit_2_nothing_saved(capsys, private_registry, tmp_path, loc, message):
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(FRESH.format(loc=loc))
    code, _, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]


def test_retrain_names_the_fresh_files_line_for_an_absurd_thickness(capsys, private_registry, tmp_path):
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(FRESH.format(loc="above_carbon").replace(",200,", ",1e308,"))
    code, _, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry))
    assert code == 2 and "fresh.csv: line 2, column 'metal_thickness_nm'" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]


def test_retrain_rejects_repeated_record_ids(capsys, private_registry, tmp_path):
    fresh = tmp_path / "fresh.csv"
    text = FRESH.format(loc="above_carbon")
    fresh.write_text(text + text.splitlines()[1] + "\n")
    code, _, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry))
    assert code == 2 and "repeat record_id 'LAB-1'" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]


def test_predict_output_naming_a_folder_is_refused(capsys, model_env, tmp_path):
    code, out, err = run(capsys, "predict", "--metal", "Mg", "--carbon", "c60_film", "--output", str(tmp_path))
    assert code == 2 and "names a folder" in err and out == ""


def test_retrain_rejects_misspelled_column(capsys, private_registry, tmp_path):
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(FRESH.format(loc="above_carbon").replace("li_location", "li_locaton"))
    code, _, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry))
    assert code == 2 and "li_loc" in err
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]


@pytest.mark.parametrize("damage", ["truncate", "empty", "bytes", "missing"])
def test_corrupted_registry_is_one_line_naming_file_and_version(capsys, private_registry, damage):
    target = private_registry / "v0" / ("metadata.json" if damage == "bytes" else "model.json")
    before = {p.name: p.read_bytes() for p in (private_registry / "v0").iterdir() if p != target}
    if damage == "truncate":
        target.write_text(target.read_text()[:200])
    elif damage == "empty":
        target.write_text("")
    elif damage == "bytes":
        target.write_bytes(bytes(range(256)))
    else:
        target.unlink()
    code, out, err = run(capsys, "predict", "--metal", "Mg", "--carbon", "c60_film", "--model", "0",
                         "--model-dir", str(private_registry))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert target.name in err and "version 0" in err
    code, out, err = run(capsys, "models", "list", "--model-dir", str(private_registry), "--format", "json")
    listed = json.loads(out)[0]  # listed, never as healthy, with the damaged file named
    assert code == 0 and listed["status"] != "ok" and target.name in listed["status"]
    assert {p.name: p.read_bytes() for p in (private_registry / "v0").iterdir() if p != target} == before


def test_registry_write_is_atomic(private_registry, monkeypatch, gap_pipeline):
    import screen.model.registry as registry_mod

    reg = registry_mod.ModelRegistry(private_registry)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(registry_mod, "pipeline_state", boom)
    with pytest.raises(OSError):
        reg.save(gap_pipeline, {"note": "should not land"})
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]
    assert reg.versions() == [0]


def test_retrain_refuses_a_file_too_large_to_cross_validate_in_reasonable_time(capsys, private_registry, tmp_path):
    header, row = FRESH.format(loc="above_carbon").splitlines()[:2]
    rows = [row.replace("LAB-1", f"LAB-{i}", 1) for i in range(1, 302)]
    fresh = tmp_path / "big.csv"
    fresh.write_text("\n".join([header, *rows]) + "\n")
    code, _, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry))
    assert code == 2 and "301 rows" in err and "split the file" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in private_registry.iterdir() if not p.name.startswith(".")) == ["v0"]


def test_retrain_warns_about_the_same_cell_reported_both_ways(capsys, private_registry, tmp_path):
    header, row = FRESH.format(loc="above_carbon").splitlines()[:2]
    cols = header.split(",")
    other = row.split(",")
    other[cols.index("record_id")] = "LAB-2"
    other[cols.index("li_location")] = "under_carbon"
    fresh = tmp_path / "both.csv"
    fresh.write_text("\n".join([header, row, ",".join(other)]) + "\n")
    code, out, err = run(capsys, "retrain", str(fresh), "--model-dir", str(private_registry), "--dry-run", "--format", "json")
    assert code == 0 and "records LAB-2 and LAB-1 describe the same cell with opposite Li locations" in err
    assert json.loads(out)["contradictions"] == [["LAB-2", "LAB-1"]]
