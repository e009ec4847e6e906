"""Miedema enthalpies: regression against an independent implementation and physical signs."""

from __future__ import annotations

import pytest

from descriptors.solubility import miedema

# Equiatomic ordered-compound enthalpies (eV/atom) from qmpy 1.4.0's independent
# Miedema code (H_form_ord, rounded to 0.01 eV; P = 14.2 for TM pairs), as listed in
# shared/reference/li_binaries_and_carbon.md, table A2, column "qmpy ordered".
QMPY_ORDERED = {"Mg": 0.00, "Ag": -0.25, "Zn": -0.11, "Sn": -0.25, "Al": -0.06, "Au": -0.55, "In": -0.19,
                "Cu": -0.07, "Ni": 0.02, "Ti": 0.52, "Pd": -0.60, "Fe": 0.40, "Ca": 0.00, "Nb": 0.77}


@pytest.mark.parametrize("metal,expected", sorted(QMPY_ORDERED.items()))
def test_ordered_enthalpy_matches_qmpy(metal, expected):
    h = float(miedema.ordered_enthalpy(0.5, "Li", metal)) / miedema.KJ_PER_EV
    assert h == pytest.approx(expected, abs=0.015)


def test_immiscible_transition_metals_are_endothermic():
    for m in ("Ti", "Fe", "Nb", "Cr", "W", "Mo"):
        assert miedema.heat_of_solution("Li", m) > 20, m


def test_compound_formers_are_exothermic():
    for m in ("Ag", "Au", "Sn", "Zn", "Pd", "Pt"):
        assert miedema.heat_of_solution("Li", m) < -15, m


def test_elastic_term_grows_with_size_mismatch():
    # Ba (r = 2.22 A) misfits Li (1.52 A) far more than Ag (1.44 A)
    assert miedema.elastic_heat_of_solution("Ba", "Li") > 10 * miedema.elastic_heat_of_solution("Ag", "Li")
