"""Intermediate phases from convex hulls, per energy source."""

from __future__ import annotations

import json

import pytest

from descriptors.data.validation import phase_presence_validation
from descriptors.errors import InputError
from descriptors.phases.energy_sources import MiedemaSource, TabulatedSource, make_source
from descriptors.phases.featurizer import IntermediatePhaseFeaturizer


@pytest.fixture(scope="module")
def miedema_df(binaries):
    return IntermediatePhaseFeaturizer(source=MiedemaSource()).featurize_many(binaries["metal"]).set_index("metal")


@pytest.fixture(scope="module")
def oqmd_df(binaries):
    return IntermediatePhaseFeaturizer(source=TabulatedSource()).featurize_many(binaries["metal"]).set_index("metal")


def test_mg_has_no_compound_because_the_solution_wins(miedema_df):
    assert not miedema_df.loc["Mg", "has_intermediate_phases"]
    assert miedema_df.loc["Mg", "hull_depth_eV_atom"] == 0


def test_compound_formers_by_miedema(miedema_df):
    for m in ("Sn", "Al", "Zn", "Ag", "Au", "Si"):
        assert miedema_df.loc[m, "has_intermediate_phases"], m
        assert miedema_df.loc[m, "hull_depth_eV_atom"] < 0


def test_miedema_gets_cu_wrong_and_says_so(miedema_df):
    # Known failure of Miedema's model: an ordered Li-Cu compound that does not exist.
    assert miedema_df.loc["Cu", "has_intermediate_phases"]
    assert miedema_df.loc["Cu", "call_source"] == "miedema"
    assert not miedema_df.loc["Ni", "has_intermediate_phases"]


def test_curated_record_overrides_on_request():
    f = IntermediatePhaseFeaturizer(prefer_curated=True)
    row = dict(zip(f.feature_labels(), f.featurize("Cu")))
    assert row["has_intermediate_phases"] is False and row["call_source"] == "curated (li_binaries.csv)"
    sn = dict(zip(f.feature_labels(), f.featurize("Sn")))
    assert sn["li_richest_phase"] == "Li17Sn4" and sn["li_uptake_per_M"] == pytest.approx(4.25)


def test_oqmd_counts_several_li_sn_phases_and_none_for_cu_ni(oqmd_df):
    assert oqmd_df.loc["Sn", "n_stable_intermediates"] >= 3
    assert oqmd_df.loc["Al", "n_stable_intermediates"] >= 2
    for m in ("Cu", "Ni", "Mg"):
        assert not oqmd_df.loc[m, "has_intermediate_phases"], m


@pytest.mark.parametrize("source", ["miedema", "oqmd_legacy"])
def test_confusion_matrix_accuracy(binaries, source):
    df = IntermediatePhaseFeaturizer(source=make_source(source)).featurize_many(binaries["metal"])
    v = phase_presence_validation(df, binaries)
    assert v.n >= 30
    assert v.accuracy >= 0.9
    assert int(v.matrix.values.sum()) == v.n


def test_user_json_energy_file(tmp_path):
    p = tmp_path / "e.json"
    p.write_text(json.dumps([{"formula": "LiAg", "formation_energy_eV_atom": -0.2},
                             {"formula": "Li3Ag", "formation_energy_eV_atom": -0.05}]))
    f = IntermediatePhaseFeaturizer(source=make_source(str(p)))
    row = dict(zip(f.feature_labels(), f.featurize("Ag")))
    assert row["stable_phases"] == "LiAg"  # Li3Ag lies above the LiAg-Li tie line
    assert row["hull_depth_eV_atom"] == pytest.approx(-0.2)


def test_pymatgen_entries_json(tmp_path):
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    entries = [PDEntry(Composition("Li"), -1.9), PDEntry(Composition("Sn"), -3.8),
               PDEntry(Composition("LiSn"), -1.9 - 3.8 - 2 * 0.33)]
    p = tmp_path / "mp.json"
    p.write_text(json.dumps([e.as_dict() for e in entries]))
    f = IntermediatePhaseFeaturizer(source=make_source(str(p)))
    row = dict(zip(f.feature_labels(), f.featurize("Sn")))
    assert row["stable_phases"] == "LiSn" and row["hull_depth_eV_atom"] == pytest.approx(-0.33)


def test_bad_energy_inputs(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        make_source(str(bad))
    wrong = tmp_path / "w.json"
    wrong.write_text(json.dumps([{"formula": "LiO2", "formation_energy_eV_atom": -1.0}, {"formula": "Li2S"}]))
    with pytest.raises(InputError):
        make_source(str(wrong))
    with pytest.raises(InputError, match="unknown energy source"):
        make_source("mace")


def test_pymatgen_entry_json_gives_the_li_sn_compounds_and_never_imports_what_it_names(tmp_path):
    """Entries exported from pymatgen (ComputedEntry dicts) are read as plain data; Li-Sn has several compounds on
    the hull built from them. A file naming another class (here a module function) is refused with one line."""
    import json
    import sys

    from pymatgen.entries.computed_entries import ComputedEntry

    from descriptors.phases.energy_sources import TabulatedSource
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer

    energies = {"Li": -1.9, "Sn": -3.8, "Li2Sn5": -3.75 * 7 - 0.25 * 7, "LiSn": -2.85 * 2 - 0.35 * 2,
                "Li7Sn2": -2.3 * 9 - 0.3 * 9}  # eV per formula unit: compounds below the elements' tie line
    entries = [ComputedEntry(f, e).as_dict() for f, e in energies.items()]
    good = tmp_path / "entries.json"
    good.write_text(json.dumps(entries))
    feat = IntermediatePhaseFeaturizer(source=TabulatedSource(good))
    row = dict(zip(feat.feature_labels(), feat.featurize("Sn")))
    assert row["has_intermediate_phases"] and row["n_stable_intermediates"] >= 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"@module": "antigravity", "@class": "fly", "composition": {"Li": 1}, "energy": -1.0}]))
    sys.modules.pop("antigravity", None)
    with pytest.raises(InputError, match="'@class' 'fly' is not one of"):
        TabulatedSource(bad)
    assert "antigravity" not in sys.modules
