"""Prototype structures: stoichiometry, symmetry and sane starting geometry."""

from __future__ import annotations

import pytest
from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from descriptors.errors import InputError
from descriptors.mlip.prototypes import (
    BCC_SUPERSTRUCTURES,
    PROTOTYPES,
    atomic_volume_A3,
    element_structures,
    li_reference_tasks,
    metal_tasks,
    min_distance_ratio,
    reference_structure_name,
)

EXPECTED_SPACEGROUP = {"B2": "Pm-3m", "B32": "Fd-3m", "L1_0": "P4/mmm", "D0_3": "Fm-3m", "L1_2": "Pm-3m",
                       "A15": "Pm-3n", "D0_19": "P6_3/mmc", "C15": "Fd-3m", "C14": "P6_3/mmc", "D1a": "I4/m"}


def _structures(metal, role):
    return {t.key: (t, Structure.from_dict(t.structure)) for t in metal_tasks(metal) if t.role == role}


def test_every_prototype_has_its_space_group_and_both_stoichiometries():
    comps = _structures("Al", "compound")
    assert {t.prototype for t, _ in comps.values()} == {p.name for p in PROTOTYPES}
    for key, (t, s) in comps.items():
        assert SpacegroupAnalyzer(s, symprec=0.05).get_space_group_symbol() == EXPECTED_SPACEGROUP[t.prototype], key
    formulas = {k.split(":")[1] for k in comps}
    for li_rich, m_rich in (("Li3Al", "LiAl3"), ("Li2Al", "LiAl2"), ("Li4Al", "LiAl4")):
        assert li_rich in formulas and m_rich in formulas
    assert "LiAl" in formulas


def test_starting_cells_follow_vegard_and_keep_atoms_apart():
    v_li, v_sn = atomic_volume_A3("Li"), atomic_volume_A3("Sn")
    for key, (_t, s) in _structures("Sn", "compound").items():
        x = s.composition.get_atomic_fraction("Li")
        assert s.volume / len(s) == pytest.approx(x * v_li + (1 - x) * v_sn, rel=1e-6), key
        assert min_distance_ratio(s) > 0.75, key  # no overlapping atoms in any starting cell


def test_bcc_superstructures_are_the_bcc_parent_prototypes():
    assert BCC_SUPERSTRUCTURES == {"B2", "B32", "D0_3"}


def test_elemental_references_include_the_ground_state_structure():
    assert set(element_structures("Sn")) == {"bcc", "fcc", "hcp", "bct"}  # beta-Sn
    assert set(element_structures("Ga")) >= {"A11"}
    ga = element_structures("Ga")["A11"]
    assert len(ga) == 8 and SpacegroupAnalyzer(ga, symprec=0.05).get_space_group_symbol() == "Cmce"
    assert reference_structure_name("Bi") == "rhombohedral" and reference_structure_name("Mg") == "hcp"
    assert [t.key for t in li_reference_tasks()] == ["ref:Li:bcc", "ref:Li:fcc", "ref:Li:hcp"]


def test_solution_cells_are_dilute_and_random():
    sols = {t.key: Structure.from_dict(t.structure) for t in metal_tasks("Mg") if t.role in ("dilute", "random")}
    dil = sols["dilute:Mg_in_Li:bcc"]
    assert dil.composition["Mg"] == 1 and len(dil) == 54
    li_in = sols["dilute:Li_in_Mg:hcp"]
    assert li_in.composition["Li"] == 1 and len(li_in) >= 30
    xs = sorted(round(s.composition.get_atomic_fraction("Li"), 2) for k, s in sols.items() if k.startswith("random"))
    assert xs == [0.26, 0.5, 0.74]
    # seeded: the same metal gives the same random cell
    again = {t.key: t.structure for t in metal_tasks("Mg") if t.role == "random"}
    assert all(Structure.from_dict(again[k]) == sols[k] for k in again)


def test_bad_metal_or_prototype_is_a_clear_error():
    with pytest.raises(InputError, match="unknown element"):
        metal_tasks("Xx")
    with pytest.raises(InputError, match="unknown prototype"):
        metal_tasks("Mg", prototypes=["B2", "Q7"])
    subset = metal_tasks("Mg", prototypes=["B2"], solutions=False)
    assert [t.role for t in subset].count("compound") == 1 and not [t for t in subset if t.role in ("dilute", "random")]
