"""Li–M mutual solubility descriptors, computed for any metal.

Two families of numbers, both from element data only:

1. **Miedema energetics** (``descriptors.solubility.miedema``): the chemical heats of
   solution of Li in M and of M in Li at infinite dilution, and the elastic
   (size-mismatch) enthalpy of each dilute solute (kJ/mol of solute).
2. **Hume-Rothery factors** from pymatgen/ase element data: atomic-size
   mismatch ``|r_M - r_Li| / r_Li`` (metallic radii, CN 12), Pauling
   electronegativity difference, valence difference and whether M has a
   simple metallic ground-state structure (bcc/fcc/hcp, like bcc Li).

**Solubility score** (dimensionless, in [0, 1]; one per direction)::

    score = f_size * f_chem * f_struct
    f_size   = exp(-(delta / 0.15)^2)                  Hume-Rothery 15 % size rule
    f_chem   = exp(-max(dH_chem + dH_el, 0) / (R T))     Boltzmann factor of an endothermic solution
    f_struct = 1 if M is bcc/fcc/hcp else structure_penalty

**Electron-concentration limit** of M dissolved in bcc Li (mole fraction)::

    ec_limit_M_in_Li = min(1, (e/a_max - 1) / |v_M - v_Li|),   e/a_max = 1.5

Hume-Rothery's electron-concentration rule: a bcc solid solution becomes
unstable near 3/2 valence electrons per atom (the beta-brass composition;
Jones' Fermi-surface argument). A monovalent solvent (Li) therefore dissolves
at most ~0.5/dv of a solute whose valence exceeds its own by dv: 50 at.% for
Mg or Zn, 25 at.% for Al, 17 at.% for Sn; no limit from this rule for Ag, Au,
Cu. It is an upper bound from electron counting only (size and chemistry are
in the score below), used by the gap model to tell Al and Sn from Zn and Mg.

**Computed heats instead of Miedema's.** With ``heat_source`` set to an object
with ``heats_of_solution(metal) -> (dH_Li_in_M, dH_M_in_Li)`` in kJ/mol (the
CHGNet source, ``descriptors.phases.chgnet_source``: relaxed dilute supercells), those
heats replace Miedema's chemical heats; relaxation already contains the size
mismatch, so the elastic columns are 0 and ``heat_source`` names the source.

``structure_penalty`` (default 0.5) is a heuristic stand-in for Hume-Rothery's
crystal-structure rule, not a fitted value; with 1.0 (rule off) the Spearman
correlation against the curated record drops from 0.73 to 0.69, and the score
temperature (300–900 K) changes it by less than 0.005.

An exothermic heat of solution does not raise the score above the size and
structure limits: in Li–M systems a negative heat of solution usually means
that intermediate phases compete with the terminal solution, which this score
does not model (see ``descriptors.phases.featurizer``). The score ranks metals; it is not
an at.% prediction. ``interlayer validate-descriptors`` prints how it ranks
against the assessed solubilities in ``datasets/li_binaries.csv``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from descriptors.contract.citations import cite
from descriptors.contract.featurizer import Featurizer
from descriptors.data.elements import SIMPLE_METALLIC, check_metal, element_data
from descriptors.errors import InputError
from descriptors.solubility import miedema

#: Hume-Rothery's size-factor limit (fractional radius difference).
SIZE_RULE = 0.15

#: Valence electrons per atom at which a bcc solid solution gives way (Hume-Rothery 3/2 rule).
EA_BCC_MAX = 1.5


def ec_limit(valence_difference: float) -> float:
    """Electron-concentration limit of a solute in bcc Li (mole fraction, capped at 1).

    Args:
        valence_difference: ``|v_M - v_Li|`` (electrons per atom).
    """
    if valence_difference <= 0:
        return 1.0
    return min(1.0, (EA_BCC_MAX - 1.0) / float(valence_difference))


class LiSolubilityFeaturizer(Featurizer):
    """Li–M solubility descriptors (Miedema + Hume-Rothery) for a metal symbol.

    Args:
        temperature_K: temperature of the Boltzmann factor in the score (K).
            Default 600 K, the range in which assessed terminal solubilities
            of Li systems are typically at their maximum.
        structure_penalty: factor applied when M's ground state is not a
            simple metallic (bcc/fcc/hcp) structure; 0.5 by default.
        heat_source: where the dilute heats of solution come from: ``None`` (Miedema) or an
            object with ``name`` and ``heats_of_solution(metal)`` (kJ/mol of solute), such as
            ``descriptors.phases.chgnet_source.ChgnetSource``.
    """

    entry_name = "metal"

    def __init__(self, temperature_K: float = 600.0, structure_penalty: float = 0.5, heat_source: Any = None) -> None:
        self.temperature_K = temperature_K
        self.structure_penalty = structure_penalty
        self.heat_source = heat_source

    def _validate_entry(self, x: Any) -> str:
        return check_metal(x)

    def feature_labels(self) -> list[str]:
        return [
            "dH_sol_Li_in_M_kJ_mol",
            "dH_sol_M_in_Li_kJ_mol",
            "dH_elastic_Li_in_M_kJ_mol",
            "dH_elastic_M_in_Li_kJ_mol",
            "size_mismatch",
            "radius_source",
            "delta_electronegativity",
            "valence_difference",
            "m_structure",
            "structure_match",
            "solubility_score_Li_in_M",
            "solubility_score_M_in_Li",
            "solubility_score_mutual",
            "ec_limit_M_in_Li",
            "heat_source",
        ]

    def units(self) -> list[str]:
        return ["kJ/mol Li", "kJ/mol M", "kJ/mol Li", "kJ/mol M", "", "", "", "", "", "", "", "", "", "mole fraction M", ""]

    def citations(self) -> list[str]:
        extra = self.heat_source.citations() if self.heat_source is not None else []
        own = cite("miedema_book", "miedema_1980", "niessen_1983", "friedel_elastic", "hume_rothery", "jones_1937", "pymatgen", "ase")
        return own + extra

    def _heats(self, metal: str) -> tuple[float, float, float, float, str]:
        """Chemical and elastic heats of solution (kJ/mol of solute): Li in M, M in Li, and their source."""
        if self.heat_source is not None:
            li_in_m, m_in_li = self.heat_source.heats_of_solution(metal)
            return float(li_in_m), float(m_in_li), 0.0, 0.0, f"{self.heat_source.name} (relaxed dilute supercells)"
        return (miedema.heat_of_solution("Li", metal), miedema.heat_of_solution(metal, "Li"),
                miedema.elastic_heat_of_solution("Li", metal), miedema.elastic_heat_of_solution(metal, "Li"), "miedema")

    def _score(self, dh_chem: float, dh_el: float, size: float, simple: bool) -> float:
        if self.temperature_K <= 0:
            raise InputError(f"temperature_K must be positive, got {self.temperature_K}")
        f_size = math.exp(-((size / SIZE_RULE) ** 2))
        f_chem = math.exp(-max(dh_chem + dh_el, 0.0) / (miedema.R_KJ * self.temperature_K))
        f_struct = 1.0 if simple else float(self.structure_penalty)
        return f_size * f_chem * f_struct

    def mutual_score_shifted(self, x: Any, shift_kJ_mol: Any) -> np.ndarray:
        """Mutual solubility score with every heat of solution shifted by ``shift_kJ_mol``.

        A sensitivity probe for the error of Miedema's model: the same shift (kJ/mol of solute,
        an array) is added to the chemical heat of solution in both directions; size and
        structure factors stay. ``shift = 0`` reproduces ``solubility_score_mutual``.
        """
        metal = self._validate_entry(x)
        if self.temperature_K <= 0:
            raise InputError(f"temperature_K must be positive, got {self.temperature_K}")
        li, m = element_data("Li"), element_data(metal)
        size = abs(m.radius_A - li.radius_A) / li.radius_A
        prefactor = math.exp(-((size / SIZE_RULE) ** 2)) * (1.0 if m.structure in SIMPLE_METALLIC else float(self.structure_penalty))
        shift = np.asarray(shift_kJ_mol, dtype=float)
        rt = miedema.R_KJ * self.temperature_K
        h1, h2, e1, e2, _ = self._heats(metal)
        scores = [prefactor * np.exp(-np.maximum(h + e + shift, 0.0) / rt) for h, e in ((h1, e1), (h2, e2))]
        return np.maximum(*scores)

    def featurize(self, x: Any) -> list[Any]:
        metal = self._validate_entry(x)
        li, m = element_data("Li"), element_data(metal)
        h_li_m, h_m_li, e_li_m, e_m_li, heat_source = self._heats(metal)
        size = abs(m.radius_A - li.radius_A) / li.radius_A
        simple = m.structure in SIMPLE_METALLIC
        s1 = self._score(h_li_m, e_li_m, size, simple)
        s2 = self._score(h_m_li, e_m_li, size, simple)
        dv = abs(m.valence - li.valence)
        return [
            h_li_m, h_m_li, e_li_m, e_m_li, size, m.radius_kind,
            abs(m.electronegativity - li.electronegativity), dv,
            m.structure, m.structure == li.structure, s1, s2, max(s1, s2), ec_limit(dv), heat_source,
        ]
