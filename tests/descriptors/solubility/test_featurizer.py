"""Solubility descriptors: Hume-Rothery factors, score, and agreement with assessed diagrams."""

from __future__ import annotations

import pytest
from sklearn.base import clone

from descriptors.data.validation import solubility_class, solubility_rank_validation
from descriptors.errors import InputError
from descriptors.solubility.featurizer import LiSolubilityFeaturizer


@pytest.fixture(scope="module")
def feats(binaries):
    return LiSolubilityFeaturizer().featurize_many(binaries["metal"]).set_index("metal")


def test_contract():
    f = LiSolubilityFeaturizer()
    assert len(f.feature_labels()) == len(f.units()) == len(f.featurize("Mg"))
    assert any("10.1016/j.commatsci" in c for c in f.citations())
    assert clone(f).get_params() == f.get_params()


def test_rank_correlation_with_assessed_solubility(binaries, feats):
    # With n ~ 30 metal-direction pairs, |rho| > 0.45 is significant at p < 0.01; the bound 0.5 leaves a margin
    # below the measured 0.73 for parameter-table updates while still failing a score that does not rank.
    v = solubility_rank_validation(feats.reset_index(), binaries)
    assert v.n >= 25
    assert v.rho >= 0.5 and v.p_value < 0.01


def test_soluble_metals_outrank_immiscible_ones(feats):
    s = feats["solubility_score_mutual"]
    for good in ("Mg", "Ag", "Au", "Cd", "Al"):
        for bad in ("Ti", "Fe", "Nb", "Cr", "Cu", "Ni"):
            assert s[good] > s[bad], (good, bad)


def test_hume_rothery_factors(feats):
    assert feats.loc["Ca", "size_mismatch"] > 0.25  # Ca 1.97 A vs Li 1.52 A
    assert feats.loc["Mg", "size_mismatch"] < 0.06
    assert feats.loc["Sn", "radius_source"] == "atomic"  # pymatgen has no metallic radius for Sn
    assert feats.loc["Si", "m_structure"] == "diamond"


def test_colder_means_less_soluble_for_endothermic_solutes():
    hot = LiSolubilityFeaturizer(temperature_K=1200).featurize("Co")
    cold = LiSolubilityFeaturizer(temperature_K=300).featurize("Co")
    i = LiSolubilityFeaturizer().feature_labels().index("solubility_score_Li_in_M")
    assert cold[i] < hot[i]


def test_solubility_class_mapping():
    assert solubility_class(70.0, "") == 3
    assert solubility_class(1.5, "") == 2
    assert solubility_class(None, "extensive") == 3
    assert solubility_class(None, "nil (assumed)") == 0
    assert solubility_class(None, "limited") is None


@pytest.mark.parametrize("bad", ["Xx", "C", "O", "Li", ""])
def test_bad_symbols(bad):
    with pytest.raises(InputError):
        LiSolubilityFeaturizer().featurize(bad)


def test_ignore_errors_keeps_good_rows():
    df = LiSolubilityFeaturizer().featurize_many(["Mg", "Xx"], ignore_errors=True)
    assert df.loc[0, "error"] == "" and "unknown element" in df.loc[1, "error"]


def test_featurizers_compose_in_a_pipeline():
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer

    ct = ColumnTransformer([("sol", LiSolubilityFeaturizer(), ["metal"]), ("ph", IntermediatePhaseFeaturizer(), ["metal"])])
    ct.set_output(transform="pandas")
    out = Pipeline([("features", ct)]).fit_transform(pd.DataFrame({"metal": ["Mg", "Sn"]}))
    assert out.shape[0] == 2
    assert list(out["ph__has_intermediate_phases"]) == [False, True]


def test_electron_concentration_limit():
    """Hume-Rothery 3/2 rule: no limit for monovalent Ag/Au/Cu, 50 at.% for divalent Mg/Zn, 25 for Al, 1/6 for Sn."""
    f = LiSolubilityFeaturizer()
    i = f.feature_labels().index("ec_limit_M_in_Li")
    got = {m: f.featurize(m)[i] for m in ("Ag", "Au", "Cu", "Mg", "Zn", "Al", "Sn")}
    assert got["Ag"] == got["Au"] == got["Cu"] == 1.0
    assert got["Mg"] == got["Zn"] == pytest.approx(0.5)
    assert got["Al"] == pytest.approx(0.25) and got["Sn"] == pytest.approx(1 / 6)
