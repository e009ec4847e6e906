"""Graphitization index: Mering-Maire, Raman fits, structures and presets."""

from __future__ import annotations

import pytest

from descriptors.errors import InputError
from descriptors.graphitization.featurizer import (
    GraphitizationFeaturizer,
    cancado_la_nm,
    la_index,
    mering_maire,
    sp2_fraction_from_structure,
)
from descriptors.graphitization.raman import fit_d_g, fit_file


@pytest.mark.parametrize("bad", [-0.33, 0.0, float("nan"), 3.354])
def test_mering_maire_rejects_bad_d(bad):
    with pytest.raises(InputError):
        mering_maire(bad)


def test_cancado_la_matches_the_published_calibration():
    # Cancado et al. 2006 (doi:10.1063/1.2196057): L_a = 16.8 nm at I_D/I_G = 1 with a 514.5 nm laser
    assert cancado_la_nm(1.0, 514.5) == pytest.approx(16.8, rel=0.01)
    assert la_index(50) < la_index(200)


def test_presets_graphite_above_disordered_carbons():
    df = GraphitizationFeaturizer().featurize_many(["graphite", "hard_carbon", "carbon_black", "soft_carbon"]).set_index("carbon")
    g = df["graphitization_index"]
    assert g["graphite"] > 0.95
    assert g["graphite"] > g["hard_carbon"] and g["graphite"] > g["carbon_black"]
    assert df.loc["graphite", "graphitization_method"] == "xrd_d002"
    assert "10.1154/1.1536926" in df.loc["graphite", "carbon_sources"]


def test_unknown_preset():
    with pytest.raises(InputError, match="unknown carbon preset 'charcoal'"):
        GraphitizationFeaturizer().featurize("charcoal")


def test_synthetic_raman_ratio_recovered_within_5_percent(synthetic_spectrum):
    x, y, area_ratio, height_ratio = synthetic_spectrum
    fit = fit_d_g(x, y)
    assert fit.id_ig_area == pytest.approx(area_ratio, rel=0.05)
    assert fit.id_ig_height == pytest.approx(height_ratio, rel=0.05)
    assert fit.r_squared > 0.99
    assert abs(fit.d_center_cm1 - 1350) < 5 and abs(fit.g_center_cm1 - 1590) < 5


def test_spectrum_file_round_trip_and_errors(tmp_path, synthetic_spectrum):
    x, y, area_ratio, _ = synthetic_spectrum
    p = tmp_path / "s.csv"
    p.write_text("shift,intensity\n" + "\n".join(f"{a},{b}" for a, b in zip(x, y)))
    assert fit_file(p).id_ig_area == pytest.approx(area_ratio, rel=0.05)
    bad = tmp_path / "bad.txt"
    bad.write_text("shift intensity\n1000 1\n1001 abc\n")
    with pytest.raises(InputError, match="line 3"):
        fit_file(bad)
    short = tmp_path / "short.txt"
    short.write_text("\n".join(f"{1300 + i} {i}" for i in range(5)))
    with pytest.raises(InputError, match="at least 20"):
        fit_file(short)
    narrow = tmp_path / "narrow.txt"
    narrow.write_text("\n".join(f"{1000 + i} 1.0" for i in range(100)))
    with pytest.raises(InputError, match="1300-1620"):
        fit_file(narrow)


def test_structures_graphite_vs_diamond():
    from ase.build import bulk
    from ase.lattice.hexagonal import Graphite

    sp2, sp3, n = sp2_fraction_from_structure(Graphite(symbol="C", latticeconstant={"a": 2.46, "c": 6.70}).repeat((3, 3, 2)))
    assert sp2 == 1.0 and sp3 == 0.0 and n == 72
    sp2, sp3, _ = sp2_fraction_from_structure(bulk("C", "diamond", a=3.567).repeat(2))
    assert sp2 == 0.0 and sp3 == 1.0
    f = GraphitizationFeaturizer()
    assert f.featurize({"sp2_fraction": sp3})[0] > f.featurize({"sp2_fraction": sp2})[0]


def test_measurement_dict_precedence():
    f = GraphitizationFeaturizer()
    g, method, _ = f.index({"d002_nm": 0.3360, "id_ig_ratio": 1.0, "laser_nm": 532})
    assert method == "xrd_d002" and g == pytest.approx(0.93, abs=0.01)
    g, method, la = f.index({"id_ig_ratio": 0.5, "laser_nm": 532})
    assert method == "raman_La" and la == pytest.approx(2 * cancado_la_nm(1.0, 532))
    with pytest.raises(InputError, match="laser_nm"):
        f.index({"id_ig_ratio": 0.5})
