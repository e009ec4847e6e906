"""How much of a metal M the plated lithium can dissolve: the terminal solubility of M in Li at the lithium potential.

Computed from the same two sources as the other descriptors, as a dilute-solution solvus::

    x_sat = min(ec_limit, exp((mu_M - dH_M_in_Li) / (k_B T)))

- ``mu_M`` (eV per M atom): M's chemical potential in equilibrium with Li metal (mu_Li = 0). With a stable Li–M
  compound it is the Li-richest compound's formation energy per M atom (``E_f / (1 - x_Li)`` for ``Li_x M_(1-x)``,
  E_f per atom from the hull of :mod:`descriptors.phases.featurizer`); with none, pure M (0).
- ``dH_M_in_Li`` (eV per M atom): the heat of dissolving M in Li at infinite dilution, Miedema's chemical plus
  elastic term (:mod:`descriptors.solubility.featurizer`).
- ``ec_limit``: Hume-Rothery's electron-concentration bound of M in bcc Li (the same featurizer).

The ideal-dilute form leaves out excess entropy and the curvature of the solution's free energy, so it is an
order-of-magnitude estimate: ``interlayer validate-descriptors``-style checks against the assessed solvus values in
``datasets/li_binaries.csv`` are in ``tests/descriptors/phases/test_solvus.py`` (Zn within a factor of 2 at 161 C,
Si and Sr negligible; Au, 0.7 at.% assessed, is a known miss: the estimate saturates at the bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from descriptors.data.elements import check_metal
from descriptors.phases.energy_sources import DEFAULT_ENERGY_SOURCE, EnergySource, make_source
from descriptors.phases.featurizer import stable_compounds
from descriptors.solubility.featurizer import LiSolubilityFeaturizer

K_B_EV = 8.617333262e-5  # eV/K
KJ_MOL_PER_EV = 96.485


@dataclass(frozen=True)
class Solvus:
    """The terminal solubility of M in Li (mole fraction of M) and what set it."""

    metal: str
    temperature_K: float
    x_sat: float
    mu_M_eV: float  # M's chemical potential with Li metal present (eV per M atom; 0: pure M)
    heat_of_solution_eV: float  # dH of M in Li at infinite dilution (eV per M atom)
    limiting_phase: str  # the Li-richest compound in equilibrium with Li, or the metal itself
    capped_by_ec_limit: bool
    energy_source: str


def m_in_li_solubility(metal: str, temperature_K: float = 298.15,
                       energy_source: str | EnergySource = DEFAULT_ENERGY_SOURCE) -> Solvus:
    """Terminal solubility of ``metal`` in lithium at ``temperature_K`` (mole fraction), with lithium present; the
    hull's formation energies from ``energy_source`` (a name of :func:`make_source` or an energy source)."""
    metal = check_metal(metal)
    src = make_source(energy_source, temperature_K) if isinstance(energy_source, str) else energy_source
    entries = src.entries(metal)
    compounds = [e for e, _, _ in stable_compounds(entries, metal)] if entries else []
    if compounds:
        richest = max(compounds, key=lambda e: e.x_li)
        mu, phase = richest.formation_energy_eV_atom / (1.0 - richest.x_li), richest.formula
    else:
        mu, phase = 0.0, metal
    sol = LiSolubilityFeaturizer()
    f = dict(zip(sol.feature_labels(), sol.featurize(metal)))
    dh = (f["dH_sol_M_in_Li_kJ_mol"] + f["dH_elastic_M_in_Li_kJ_mol"]) / KJ_MOL_PER_EV
    exponent = (mu - dh) / (K_B_EV * float(temperature_K))
    bound = float(f["ec_limit_M_in_Li"])
    x = math.exp(min(exponent, 0.0)) if exponent < 700 else 1.0
    return Solvus(metal, float(temperature_K), min(x, bound), float(mu), float(dh), phase, x >= bound, src.name)
