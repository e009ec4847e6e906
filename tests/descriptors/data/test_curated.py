"""Curated datasets: provenance, schemas, hashes and the physical facts they must hold."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from descriptors.data import curated as data, files
from descriptors.data.curated import SCHEMAS, LiBinaryRow, OutcomeRow, load_table, read_validated_csv
from descriptors.errors import DataIntegrityError, InputError


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_row_has_source_and_origin(name):
    df = load_table(name)
    assert len(df) > 0
    assert df["source"].str.contains(r"doi:10\.|https?://|ISBN", regex=True).all()
    assert df["value_origin"].isin(data.VALUE_ORIGINS).all()


def test_metadata_lists_every_csv_with_hash():
    meta = files.load_metadata()["files"]
    root = files.datasets_dir()
    shipped = {p.relative_to(root).as_posix() for p in root.rglob("*.csv")}
    assert shipped == set(meta)
    for name in meta:
        assert files.verify_hash(name) == meta[name]["sha256"]
        assert meta[name]["columns"], f"{name} has no column documentation"


def test_tampered_file_is_detected(tmp_path, monkeypatch):
    copy = tmp_path / "ds"
    shutil.copytree(files.datasets_dir(), copy)
    target = copy / "li_binaries.csv"
    target.write_text(target.read_text().replace("Mg,", "Mg,1", 1))
    monkeypatch.setenv(files.DATASETS_ENV, str(copy))
    data._load_cached.cache_clear()
    try:
        with pytest.raises(DataIntegrityError, match="sha256"):
            load_table("li_binaries.csv")
    finally:
        monkeypatch.delenv(files.DATASETS_ENV)
        data._load_cached.cache_clear()


def test_li_binaries_covers_35_metals(binaries):
    assert binaries["metal"].is_unique
    assert len(binaries) >= 35


def test_no_compound_no_solubility_for_cu_and_ni(binaries):
    b = binaries.set_index("metal")
    for m in ("Cu", "Ni"):
        assert b.loc[m, "has_intermediate_phases"] == False  # noqa: E712
        assert not b.loc[m, "intermediate_phases"]
    assert b.loc["Ni", "li_in_m_max_at_pct"] < 5  # a few at.% even at 1200 C
    assert "nil" in b.loc["Cu", "m_in_li_text"]


def test_compound_formers(binaries):
    b = binaries.set_index("metal")
    for m in ("Sn", "Al", "Si", "Zn", "Ag"):
        assert bool(b.loc[m, "has_intermediate_phases"]), m
    assert len(b.loc["Sn", "intermediate_phases"].split(";")) >= 5  # Li-Sn: several compounds
    assert "LiAg" in b.loc["Ag", "intermediate_phases"]  # contrary to the seed paper's remark


def test_li_mg_wide_bcc_solid_solution_no_compound(binaries):
    mg = binaries.set_index("metal").loc["Mg"]
    assert mg["has_intermediate_phases"] == False  # noqa: E712
    assert mg["wide_solid_solution"] == True  # noqa: E712
    assert mg["m_in_li_max_at_pct"] >= 50


def test_outcome_rows_are_physically_consistent(outcomes):
    """Each row's conditions must describe a cell that can exist; a bad hand entry fails here."""
    bad = []
    for r in outcomes.to_dict("records"):
        rid, metal, carbon, arch = r["record_id"], r["metal"], r["carbon"], r["architecture"]
        fab, stack = r["fab_pressure_MPa"], r["stack_pressure_MPa"]
        if pd.notna(fab) and pd.notna(stack) and fab < stack:
            bad.append(f"{rid}: fabrication pressure {fab} below stack pressure {stack}")
        if arch in ("bilayer", "nanocomposite", "carbon_under_metal") and "none" in (metal, carbon):
            bad.append(f"{rid}: {arch} needs a metal and a carbon")
        if arch == "single_layer" and (metal == "none") == (carbon == "none"):
            bad.append(f"{rid}: single_layer needs exactly one of metal and carbon")
        if r["li_location"] in ("under_carbon", "above_carbon", "mixed") and carbon == "none":
            bad.append(f"{rid}: a location relative to the carbon needs a carbon")
        for col in ("ccd_mA_cm2", "ccd_upper_mA_cm2"):
            if pd.notna(r[col]) and pd.notna(r["current_density_mA_cm2"]) and r[col] < r["current_density_mA_cm2"]:
                bad.append(f"{rid}: cycled at {r['current_density_mA_cm2']} mA/cm2, above the current it shorted at ({r[col]})")
    assert bad == []


def test_outcome_carbons_are_presets(outcomes):
    presets = set(data.carbon_presets())
    assert set(outcomes["carbon"]) - {"none"} <= presets


def _write(tmp_path, text):
    p = tmp_path / "x.csv"
    p.write_text(text)
    return p


HEADER = "metal,has_intermediate_phases,source,value_origin\n"


def test_schema_rejects_unknown_element(tmp_path):
    p = _write(tmp_path, HEADER + "Xx,true,doi:10.1/x,text\n")
    with pytest.raises(InputError, match=r"line 2, column 'metal': unknown element symbol 'Xx'"):
        read_validated_csv(p, LiBinaryRow)


def test_schema_rejects_nan_and_missing_source(tmp_path):
    p = _write(tmp_path, "metal,li_in_m_max_at_pct,source,value_origin\nMg,nan,doi:10.1/x,text\n")
    with pytest.raises(InputError, match=r"line 2, column 'li_in_m_max_at_pct'.*leave the cell empty"):
        read_validated_csv(p, LiBinaryRow)
    p = _write(tmp_path, HEADER + "Mg,false,my notebook,text\n")
    with pytest.raises(InputError, match=r"column 'source'"):
        read_validated_csv(p, LiBinaryRow)


def test_schema_rejects_bad_columns_and_labels(tmp_path):
    p = _write(tmp_path, "metal,sourse,value_origin\nMg,doi:10.1/x,text\n")
    with pytest.raises(InputError, match="missing column"):
        read_validated_csv(p, LiBinaryRow)
    p = _write(tmp_path, "record_id,study_id,citation,metal,carbon,architecture,li_location,source,value_origin\n"
                         "r1,s1,c,Mg,graphite,bilayer,on_top,doi:10.1/x,text\n")
    with pytest.raises(InputError, match=r"line 2, column 'li_location'"):
        read_validated_csv(p, OutcomeRow)
    p = _write(tmp_path, "record_id,study_id,citation,metal,carbon,architecture,carbon_thickness_nm,source,value_origin\n"
                         "r1,s1,c,Mg,graphite,bilayer,-100,doi:10.1/x,text\n")
    with pytest.raises(InputError, match=r"column 'carbon_thickness_nm'.*below the allowed minimum"):
        read_validated_csv(p, OutcomeRow)


@pytest.mark.parametrize("extra_header, extra_cells, match", [
    ("toughness_bound", "lower", "toughness_bound needs the bound's value"),
    ("metric", "capacity retention %", "metric and metric_value go together"),
    ("read_from", "hearsay", "read_from"),
    ("electrolyte_class", "garnet", "electrolyte_class"),
])
def test_outcome_schema_rejects_half_stated_outcomes(tmp_path, extra_header, extra_cells, match):
    p = _write(tmp_path, f"record_id,study_id,citation,metal,carbon,architecture,source,value_origin,{extra_header}\n"
                         f"r1,s1,c,Mg,graphite,bilayer,doi:10.1/x,text,{extra_cells}\n")
    with pytest.raises(InputError, match=match):
        read_validated_csv(p, OutcomeRow)


def test_only_sulfide_cells_and_toughness_values_reach_the_model(outcomes):
    """Liao 2025's liquid-electrolyte control and its toughness bounds are kept in the data but never fitted."""
    from screen.model.training import training_set

    ts = training_set()
    liquid = set(outcomes.loc[outcomes["electrolyte_class"] == "liquid", "record_id"])
    bounds = set(outcomes.loc[outcomes["toughness_bound"].fillna("") != "", "record_id"])
    assert liquid and bounds
    assert not liquid & set(ts.X["record_id"])
    fitted_toughness = set(ts.X.loc[ts.X["observable"] == "toughness_J_m2", "record_id"])
    assert not bounds & fitted_toughness and len(fitted_toughness) >= 8
