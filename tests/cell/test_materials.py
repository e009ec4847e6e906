"""Layer bookkeeping: Li inventory, swelling and cost follow from stoichiometry and element data."""

from __future__ import annotations

import pandas as pd
import pytest

from descriptors.errors import InputError
from screen.cell.materials import FARADAY_MAH_MOL, carbon_layer, element_prices, layer_objectives, metal_layer


def _cands(metal: str, carbon: str = "c60_film", metal_nm: float = 500.0, carbon_nm: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame({"metal": [metal], "carbon": [carbon], "metal_nm": [metal_nm], "carbon_nm": [carbon_nm]})


def test_li_cu_takes_up_no_li_and_does_not_swell():
    m = metal_layer("Cu")
    assert m.li_uptake_per_M == 0.0 and m.li_richest_phase == ""
    row = layer_objectives(_cands("Cu"), 2.0).iloc[0]
    assert row["li_metal_mAh_cm2"] == 0.0 and row["metal_growth_nm"] == 0.0


def test_mg_lithiates_to_the_bcc_edge_and_nearly_doubles_its_volume():
    m = metal_layer("Mg")
    assert m.uptake_basis.startswith("solid solution") and m.li_uptake_per_M == pytest.approx(1.0)
    row = layer_objectives(_cands("Mg"), 2.0).iloc[0]
    # Zen's law with Miedema volumes: 1 + 13.0/14.0; the source paper saw 500 nm grow to ~2 um after plating (below 0 V too)
    assert row["metal_expansion_ratio"] == pytest.approx(1 + 13.0 / 14.0)
    assert 400 < row["metal_growth_nm"] < 1500
    # 500 nm Mg: 500e-7 cm * 1.738 g/cm3 / 24.305 g/mol * 1 Li * F
    assert row["li_metal_mAh_cm2"] == pytest.approx(500e-7 * 1.738 / 24.305 * FARADAY_MAH_MOL, rel=1e-6)


def test_the_source_papers_bilayer_takes_up_what_the_model_chapter_says():
    """500 nm Mg (lithiated to the bcc edge at 50 % Mg) under 100 nm C60 takes up 0.096 + 0.002 mAh/cm², 4.9 % of
    the 2 mAh/cm² plated (docs/model.md, initial CE): the figure the chapter argues with follows from the data."""
    row = layer_objectives(_cands("Mg", "c60_film", 500.0, 100.0), 2.0).iloc[0]
    assert round(row["li_metal_mAh_cm2"], 3) == 0.096 and round(row["li_carbon_mAh_cm2"], 3) == 0.002
    assert round(row["li_loss_pct"], 1) == 4.9


def test_sn_alloys_further_than_zn():
    sn, zn = metal_layer("Sn"), metal_layer("Zn")
    assert sn.li_uptake_per_M > 3 > 1 >= zn.li_uptake_per_M > 0
    both = layer_objectives(pd.concat([_cands("Sn"), _cands("Zn")], ignore_index=True), 2.0)
    assert both["metal_expansion_ratio"].iloc[0] > both["metal_expansion_ratio"].iloc[1]


def test_curated_override_uses_the_assessed_li_richest_phase():
    computed, curated = metal_layer("Ag"), metal_layer("Ag", li_uptake="curated")
    assert computed.li_richest_phase == "LiAg"  # the OQMD legacy set lists only LiAg
    assert curated.li_uptake_per_M > computed.li_uptake_per_M  # Li10Ag3 / Li9Ag4 in the assessed diagram


def test_graphite_stores_more_li_per_volume_than_carbon_black():
    g, cb = carbon_layer("graphite"), carbon_layer("carbon_black")
    assert g.capacity_mAh_cm3 > 3 * cb.capacity_mAh_cm3
    assert g.capacity_basis.startswith("estimated")


def test_gold_costs_orders_of_magnitude_more_than_magnesium():
    t = layer_objectives(pd.concat([_cands("Au"), _cands("Mg")], ignore_index=True), 2.0)
    assert t["cost_usd_m2"].iloc[0] > 1e4 * t["cost_usd_m2"].iloc[1]
    assert element_prices()["Fe"][1] is True  # the ore-like iron price is flagged doubtful


def test_bad_inputs():
    with pytest.raises(InputError, match="no price"):
        metal_layer("Po")
    with pytest.raises(InputError, match="unknown carbon preset"):
        carbon_layer("diamond")
    with pytest.raises(InputError, match="areal capacity"):
        layer_objectives(_cands("Mg"), 0.0)
