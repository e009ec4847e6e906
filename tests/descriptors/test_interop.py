"""pymatgen and ASE objects are accepted where a symbol or preset is: the same numbers either way."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from descriptors.errors import InputError


def test_metal_featurizers_take_pymatgen_elements_and_one_element_compositions():
    from pymatgen.core import Composition, Element

    from descriptors.solubility import LiSolubilityFeaturizer

    f = LiSolubilityFeaturizer()
    by_symbol = f.featurize_many(["Mg", "Ag"])
    by_object = f.featurize_many([Composition("Mg"), Element("Ag")])
    pd.testing.assert_frame_equal(by_symbol, by_object)
    with pytest.raises(InputError, match="MgO has 2 elements"):
        f.featurize(Composition("MgO"))


def test_featurize_dataframe_adds_columns_like_matminer_and_overwrites_nothing():
    from pymatgen.core import Element

    from descriptors.phases import IntermediatePhaseFeaturizer

    df = pd.DataFrame({"m": [Element("Sn"), "Mg"], "note": ["a", "b"]})
    out = IntermediatePhaseFeaturizer().featurize_dataframe(df, "m")
    # Li-Sn forms several compounds; Li-Mg none (assessed phase diagrams, datasets/li_binaries.csv)
    assert out.loc[0, "has_intermediate_phases"] and not out.loc[1, "has_intermediate_phases"]
    assert list(out.columns[:2]) == ["m", "note"] and len(out) == 2
    with pytest.raises(InputError, match="already exist"):
        IntermediatePhaseFeaturizer().featurize_dataframe(out, "m")


def test_graphene_sheet_from_ase_is_fully_sp2_and_diamond_from_pymatgen_is_not():
    """A graphene sheet (ase) is all three-coordinated carbon; diamond (pymatgen Structure) has none."""
    from ase.build import bulk, graphene
    from pymatgen.io.ase import AseAtomsAdaptor

    from descriptors.graphitization import GraphitizationFeaturizer

    sheet = graphene(size=(3, 3, 1))
    sheet.pbc = True
    sheet.center(vacuum=5, axis=2)
    diamond = AseAtomsAdaptor.get_structure(bulk("C", "diamond", a=3.567))
    out = GraphitizationFeaturizer().featurize_many([sheet, diamond]).set_index("carbon")
    assert out.loc["C18", "sp2_fraction"] == 1.0 and out.loc["C", "sp2_fraction"] == 0.0


def test_li_sn_phase_diagram_comes_back_as_pymatgen_object(capsys):
    """The Li-Sn hull as a pymatgen PhaseDiagram (API) and as its as_dict (CLI JSON): Li-Sn has stable compounds."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    from descriptors.phases import li_m_phase_diagram
    from screen.cli import main

    pd_api = li_m_phase_diagram("Sn", "oqmd_legacy")
    compounds = [e for e in pd_api.stable_entries if len(e.composition.elements) == 2]
    assert len(compounds) >= 3
    assert main(["hull", "Sn", "--source", "oqmd_legacy", "--format", "json"]) == 0
    back = PhaseDiagram.from_dict(json.loads(capsys.readouterr().out)["phase_diagram"])
    assert sorted(e.name for e in back.stable_entries) == sorted(e.name for e in pd_api.stable_entries)
