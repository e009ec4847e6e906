"""Corpus v3: what the second, independent reading of literature_outcomes.csv found, held against regression.

Each test states what a source says (the sentence is in datasets/README.md, CHANGES, and in
docs/literature/reading/second_reading/); the curated file must keep saying it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from descriptors.data.curated import OutcomeRow, load_table, read_validated_csv
from descriptors.data.files import datasets_dir
from descriptors.errors import InputError


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return load_table("literature_outcomes.csv").set_index("record_id")


def test_every_row_was_read_a_second_time(rows):
    assert rows["check"].isin(["confirmed", "corrected", "unverifiable"]).all()
    assert (rows["checked_from"].str.len() > 0).all()


def test_changes_table_lists_every_corrected_row(rows):
    """datasets/README.md's CHANGES table names each corrected row, and only rows that exist."""
    text = (datasets_dir() / "README.md").read_text(encoding="utf-8")
    section = text.split("### CHANGES", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| ([A-Z0-9]+(?:-[a-z0-9]+)?) \|", section, flags=re.MULTILINE))
    corrected = set(rows.index[rows["check"] == "corrected"])
    assert corrected == listed


def test_avvaru_carbon_is_a_sputtered_film(rows):
    """Avvaru 2025's abstract: Sn and C both deposited by DC magnetron sputtering; not a carbon black."""
    assert set(rows.loc[["AV25-a", "AV25-b"], "carbon"]) == {"amorphous_sputtered"}


def test_spencer_jolly_critical_current_is_an_interval_at_60c(rows):
    """Spencer-Jolly 2023 (Fig. 5): stable at 2.0, shorted at 2.5 mA/cm2, charging to 2.0 mAh/cm2 at 60 C, for
    Ag-graphite and graphite alone; no point value is entered for either."""
    for rid in ("SJ23-d", "SJ23-e"):
        r = rows.loc[rid]
        assert (r["ccd_lower_mA_cm2"], r["ccd_upper_mA_cm2"]) == (2.0, 2.5) and pd.isna(r["ccd_mA_cm2"]), rid
    assert rows.loc["SJ23-e", "temperature_C"] == 60 and rows.loc["SJ23-e", "areal_capacity_mAh_cm2"] == 2.0
    assert "temperature_C" not in rows.loc["SJ23-e", "estimated_fields"]


def test_spencer_jolly_4_ma_cell_is_a_short_not_a_critical_current(rows):
    """The 4 mA/cm2 Ag-graphite cell shorted: it bounds the critical current from above, and Li sat on both sides."""
    r = rows.loc["SJ23-c"]
    assert pd.isna(r["ccd_mA_cm2"]) and pd.isna(r["ccd_lower_mA_cm2"]) and r["ccd_upper_mA_cm2"] == 4.0
    assert r["li_location"] == "mixed" and "Fig. S3" in r["location_statement"]


def test_spencer_jolly_operando_xrd_cell_has_a_copper_collector(rows):
    assert rows.loc["SJ23-a", "current_collector"] == "Cu"


def test_wang_2024_layer_is_a_li7n2i_cnt_composite_in_a_symmetric_cell(rows):
    r = rows.loc["WA24-a"]
    assert "Li7N2I" in r["carbon_grade"] and r["cell_type"] == "li_metal_anode" and "symmetric" in r["notes"]


def test_labels_are_no_stronger_than_their_sentences(rows):
    """A presupposed or merely hoped-for location is not a label (Suzuki 2021 via the source paper, Wu 2023's abstract)."""
    assert rows.loc["SU21-a", "li_location"] == "" and rows.loc["WU23-a", "li_location"] == ""


def test_lower_bounds_are_not_points(rows):
    """'exceeding 50 mA/cm2' (Xu 2025) is a lower bound."""
    r = rows.loc["XU25-a"]
    assert pd.isna(r["ccd_mA_cm2"]) and r["ccd_lower_mA_cm2"] == 50


# --------------------------------------------------------------------------- the interval schema

HEAD = ("record_id,study_id,citation,metal,carbon,architecture,temperature_C,ccd_mA_cm2,ccd_lower_mA_cm2,ccd_upper_mA_cm2,"
        "source,value_origin\n")


def _csv(tmp_path, body: str):
    p = tmp_path / "cells.csv"
    p.write_text(HEAD + body, encoding="utf-8")
    return p


def test_interval_critical_current_round_trips_into_a_censored_observation(tmp_path):
    """A lab's 'stable at 1.0, shorted at 1.5' and a 'survived 3.0' reach the fit as (lower, upper) intervals."""
    from screen.model.likelihood import encode_targets
    from screen.model.training import observations_from_outcomes

    p = _csv(tmp_path, "LAB-1,LAB,In-house,Mg,c60_film,bilayer,25,,1.0,1.5,https://example.org/eln/1,text\n"
                       "LAB-2,LAB,In-house,Mg,c60_film,bilayer,25,,3.0,,https://example.org/eln/2,text\n")
    cells = read_validated_csv(p, OutcomeRow)
    X, y = observations_from_outcomes(cells)
    assert list(X["observable"]) == ["ccd_mA_cm2", "ccd_mA_cm2"]
    assert list(y) == [(1.0, 1.5), (3.0, None)]
    enc = encode_targets(X["observable"].to_numpy(), y)
    assert enc[0].tolist() == [1.0, 1.5] and enc[1, 0] == 3.0 and math.isinf(enc[1, 1])


def test_censored_likelihood_stays_accurate_where_the_plain_difference_underflows():
    """The interval probability agrees with scipy's plain CDF difference where that is accurate, and stays finite far in
    either tail, where Phi(b) - Phi(a) rounds to 0 (a fold whose prediction lies far from a measured interval)."""
    from scipy.stats import norm

    from screen.model.likelihood import SIGMA_LOG_CCD, log_interval_probability

    lo, hi = np.array([1.0, 3.0, 1.0]), np.array([1.5, np.inf, 1.5])
    mu = np.log(np.array([1.2, 1.0, 0.8]))
    plain = np.log(norm.cdf((np.log(hi) - mu) / SIGMA_LOG_CCD) - norm.cdf((np.log(lo) - mu) / SIGMA_LOG_CCD))
    np.testing.assert_allclose(log_interval_probability(mu, lo, hi, SIGMA_LOG_CCD), plain, rtol=1e-10)
    far = log_interval_probability(np.log(np.array([1e-12, 1e12])), np.full(2, 2.0), np.full(2, 2.5), SIGMA_LOG_CCD)
    with np.errstate(divide="ignore"):
        naive = np.log(norm.cdf((np.log(2.5) - np.log([1e-12, 1e12])) / SIGMA_LOG_CCD)
                       - norm.cdf((np.log(2.0) - np.log([1e-12, 1e12])) / SIGMA_LOG_CCD))
    assert np.all(np.isfinite(far)) and not np.all(np.isfinite(naive))


@pytest.mark.parametrize("cells, match", [
    ("2.0,2.0,2.5", "either as one stated value"),
    (",2.5,2.0", "must be below ccd_upper_mA_cm2"),
    (",-1,", "below the allowed minimum"),
])
def test_bad_critical_current_intervals_are_refused(tmp_path, cells, match):
    p = _csv(tmp_path, f"LAB-1,LAB,In-house,Mg,c60_film,bilayer,25,{cells},https://example.org/eln/1,text\n")
    with pytest.raises(InputError, match=match):
        read_validated_csv(p, OutcomeRow)


@pytest.mark.parametrize("cells, match", [
    ("current_density_mA_cm2=0", "must be positive"),
    ("stack_pressure_MPa=1e9", "above the allowed maximum"),
    ("areal_capacity_mAh_cm2=0", "must be positive"),
    ("nucleation_overpotential_mV=1e7", "above the allowed maximum"),
])
def test_physically_impossible_fresh_values_are_refused(tmp_path, cells, match):
    col, value = cells.split("=")
    p = tmp_path / "cells.csv"
    p.write_text(f"record_id,study_id,citation,metal,carbon,architecture,{col},source,value_origin\n"
                 f"LAB-1,LAB,In-house,Mg,c60_film,bilayer,{value},https://example.org/eln/1,text\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"line 2, column '{col}'.*{match}"):
        read_validated_csv(p, OutcomeRow)


def test_a_csv_saved_by_excel_with_a_byte_order_mark_reads(tmp_path):
    p = tmp_path / "cells.csv"
    p.write_bytes("\ufeff".encode() + (HEAD + "LAB-1,LAB,In-house,Mg,c60_film,bilayer,25,,1.0,1.5,https://example.org/eln/1,text\n").encode())
    assert read_validated_csv(p, OutcomeRow)["record_id"].tolist() == ["LAB-1"]
