"""Curated datasets: provenance, schemas, hashes and the physical facts they must hold."""

from __future__ import annotations

import shutil

import pytest

from descriptors import data
from descriptors.data import SCHEMAS, LiBinaryRow, OutcomeRow, load_table, read_validated_csv
from descriptors.errors import DataIntegrityError, InputError


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_row_has_source_and_origin(name):
    df = load_table(name)
    assert len(df) > 0
    assert df["source"].str.contains(r"doi:10\.|https?://|ISBN", regex=True).all()
    assert df["value_origin"].isin(data.VALUE_ORIGINS).all()


def test_metadata_lists_every_csv_with_hash():
    meta = data.load_metadata()["files"]
    root = data.datasets_dir()
    shipped = {p.relative_to(root).as_posix() for p in root.rglob("*.csv")}
    assert shipped == set(meta)
    for name in meta:
        assert data.verify_hash(name) == meta[name]["sha256"]
        assert meta[name]["columns"], f"{name} has no column documentation"


def test_tampered_file_is_detected(tmp_path, monkeypatch):
    copy = tmp_path / "ds"
    shutil.copytree(data.datasets_dir(), copy)
    target = copy / "li_binaries.csv"
    target.write_text(target.read_text().replace("Mg,", "Mg,1", 1))
    monkeypatch.setenv(data.DATASETS_ENV, str(copy))
    data._load_cached.cache_clear()
    try:
        with pytest.raises(DataIntegrityError, match="sha256"):
            load_table("li_binaries.csv")
    finally:
        monkeypatch.delenv(data.DATASETS_ENV)
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


def test_outcomes_hold_the_seed_paper(outcomes):
    assert len(outcomes) >= 20
    o = outcomes.set_index("record_id")
    mgc = o.loc["WU26-a"]
    assert (mgc["metal"], mgc["carbon"], mgc["architecture"], mgc["li_location"]) == ("Mg", "c60_film", "bilayer", "under_carbon")
    assert mgc["initial_ce_pct"] == pytest.approx(96.1)
    assert o.loc["WU26-d", "initial_ce_pct"] == pytest.approx(90.9)
    assert o.loc["WU26-a", "ccd_mA_cm2"] > o.loc["WU26-d", "ccd_mA_cm2"]


def test_outcome_carbons_are_presets(outcomes):
    presets = set(data.carbon_presets())
    assert set(outcomes["carbon"]) - {"none"} <= presets


def test_liao_lamination_series_is_monotone(outcomes):
    li = outcomes[outcomes["study_id"] == "LI25"].sort_values("fab_pressure_MPa")
    order = {"above_carbon": 0, "mixed": 1, "under_carbon": 2}
    ranks = [order[v] for v in li["li_location"]]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2


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
