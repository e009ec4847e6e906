"""Miedema's semi-empirical model for binary alloy enthalpies, in numpy.

Pure functions of the tabulated element parameters in
``datasets/miedema_parameters.csv`` (de Boer et al., *Cohesion in Metals*,
1988). All enthalpies are in kJ/mol (of solute for heats of solution, of
atoms for formation enthalpies); divide by :data:`KJ_PER_EV` for eV/atom.

Model (de Boer et al. 1988, ch. 2):

* interface term ``eta_AB = 2 / (n_A^-1/3 + n_B^-1/3) * [-P (dphi)^2 + Q (dn^1/3)^2 - R]``,
  with ``Q/P = 9.4``; ``P = 14.1`` (both transition metals), ``10.7`` (neither),
  ``12.35`` (mixed); ``R/P = (r/p)_A (r/p)_B`` for a transition/non-transition pair.
* charge-transfer volume correction ``V_A^2/3 (alloy) = V_A^2/3 [1 + a_A f_B^A (phi_A - phi_B)]``.
* surface concentrations ``c_A^s = x_A V_A^2/3 / sum x_i V_i^2/3`` and
  ``f_B^A = c_B^s [1 + gamma (c_A^s c_B^s)^2]`` with ``gamma = 8`` for ordered
  compounds and ``0`` for random solid solutions.
* chemical enthalpy ``dH_chem = x_A f_B^A V_A^2/3 eta_AB + sum x_i H_trans,i``.
* elastic size-mismatch enthalpy of a dilute solute (Eshelby–Friedel)
  ``dH_el(A in B) = 2 K_A G_B (W_A - W_B)^2 / (3 K_A W_B + 4 G_B W_A)`` (GPa·cm³/mol = kJ/mol),
  and ``dH_el(x) = x_A x_B (x_B dH_el(A in B) + x_A dH_el(B in A))`` for a solution.

The lattice-stability ("structural") term of solid solutions is not included:
it is an empirical interpolation over valence-electron counts that Miedema's
authors themselves flag as qualitative, and it is the term most sensitive to
the host lattice assumed.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from descriptors.errors import InputError

#: kJ/mol per eV/atom.
KJ_PER_EV = 96.4853
#: Gas constant, kJ/(mol K).
R_KJ = 8.314462618e-3

P_BOTH_TM, P_MIXED, P_NONE_TM = 14.1, 12.35, 10.7
Q_OVER_P = 9.4
GAMMA_ORDERED, GAMMA_SOLUTION = 8.0, 0.0


@lru_cache(maxsize=1)
def parameter_table() -> pd.DataFrame:
    """Miedema parameters indexed by element symbol (from the curated dataset)."""
    from descriptors.data.curated import load_table

    return load_table("miedema_parameters.csv").set_index("element")


def _params(symbol: str) -> pd.Series:
    table = parameter_table()
    if symbol not in table.index:
        raise InputError(f"no Miedema parameters for '{symbol}' in datasets/miedema_parameters.csv")
    row = table.loc[symbol]
    if row["transition_metal"] is None or pd.isna(row["transition_metal"]):
        raise InputError(f"Miedema transition-metal flag missing for '{symbol}'")
    return row


def _interface_term(a: pd.Series, b: pd.Series) -> float:
    """Miedema interface term eta_AB; ``V^2/3 [cm^2] * eta_AB`` is in kJ/mol."""
    tm_a, tm_b = bool(a["transition_metal"]), bool(b["transition_metal"])
    if tm_a and tm_b:
        p, r = P_BOTH_TM, 0.0
    elif not tm_a and not tm_b:
        p, r = P_NONE_TM, 0.0
    else:
        p = P_MIXED
        r = a["r_over_p"] * b["r_over_p"] * p
    nA, nB = a["n_ws_du"] ** (1 / 3), b["n_ws_du"] ** (1 / 3)
    dphi = a["phi_star_V"] - b["phi_star_V"]
    bracket = -p * dphi**2 + Q_OVER_P * p * (nA - nB) ** 2 - r
    eta = 2.0 * bracket / (1.0 / nA + 1.0 / nB)
    return float(eta)


def chemical_enthalpy(x_a: np.ndarray | float, a_sym: str, b_sym: str, gamma: float) -> np.ndarray:
    """Chemical formation enthalpy of ``A_x B_(1-x)`` in kJ/mol of atoms.

    Args:
        x_a: atomic fraction of A, in [0, 1] (array or scalar).
        a_sym, b_sym: element symbols.
        gamma: 8 for ordered compounds, 0 for random solutions.
    """
    a, b = _params(a_sym), _params(b_sym)
    x = np.clip(np.asarray(x_a, dtype=float), 0.0, 1.0)
    xb = 1.0 - x
    eta = _interface_term(a, b)
    va0, vb0 = a["molar_volume_cm3_mol"] ** (2 / 3), b["molar_volume_cm3_mol"] ** (2 / 3)

    def surface_fraction(va: np.ndarray | float, vb: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        denom = x * va + xb * vb
        with np.errstate(invalid="ignore", divide="ignore"):
            cas = np.where(denom > 0, x * va / denom, 0.0)
        cbs = 1.0 - cas
        return cbs * (1.0 + gamma * (cas * cbs) ** 2), cas

    f_ba, cas = surface_fraction(va0, vb0)
    f_ab = cas * (1.0 + gamma * (cas * (1.0 - cas)) ** 2)
    dphi = a["phi_star_V"] - b["phi_star_V"]
    va = va0 * (1.0 + a["a_const"] * f_ba * dphi)
    vb = vb0 * (1.0 - b["a_const"] * f_ab * dphi)
    f_ba, _ = surface_fraction(va, vb)
    h = x * f_ba * va * eta + x * a["h_trans_kJ_mol"] + xb * b["h_trans_kJ_mol"]
    return np.asarray(h, dtype=float)


def heat_of_solution(solute: str, host: str) -> float:
    """Chemical heat of solution of ``solute`` in ``host`` at infinite dilution, kJ/mol of solute."""
    a, b = _params(solute), _params(host)
    eta = _interface_term(a, b)
    va = a["molar_volume_cm3_mol"] ** (2 / 3) * (1.0 + a["a_const"] * (a["phi_star_V"] - b["phi_star_V"]))
    return float(va * eta + a["h_trans_kJ_mol"])


def elastic_heat_of_solution(solute: str, host: str) -> float:
    """Elastic size-mismatch enthalpy of a dilute ``solute`` in ``host``, kJ/mol of solute (>= 0)."""
    a, b = _params(solute), _params(host)
    w_a = (a["molar_volume_cm3_mol"] ** (2 / 3) * (1.0 + a["a_const"] * (a["phi_star_V"] - b["phi_star_V"]))) ** 1.5
    w_b = b["molar_volume_cm3_mol"]
    k_a, g_b = a["bulk_modulus_GPa"], b["shear_modulus_GPa"]
    denom = 3.0 * k_a * w_b + 4.0 * g_b * w_a
    if denom <= 0:
        return 0.0
    return float(2.0 * k_a * g_b * (w_a - w_b) ** 2 / denom)


def solution_enthalpy(x_a: np.ndarray | float, a_sym: str, b_sym: str) -> np.ndarray:
    """Random solid-solution enthalpy (chemical + elastic), kJ/mol of atoms."""
    x = np.clip(np.asarray(x_a, dtype=float), 0.0, 1.0)
    el = x * (1.0 - x) * ((1.0 - x) * elastic_heat_of_solution(a_sym, b_sym) + x * elastic_heat_of_solution(b_sym, a_sym))
    return chemical_enthalpy(x, a_sym, b_sym, GAMMA_SOLUTION) + el


def ordered_enthalpy(x_a: np.ndarray | float, a_sym: str, b_sym: str) -> np.ndarray:
    """Ordered-compound formation enthalpy, kJ/mol of atoms (Miedema, gamma = 8)."""
    return chemical_enthalpy(x_a, a_sym, b_sym, GAMMA_ORDERED)


def ideal_mixing_entropy(x: np.ndarray | float) -> np.ndarray:
    """Ideal configurational entropy of mixing, kJ/(mol K)."""
    x = np.clip(np.asarray(x, dtype=float), 1e-12, 1 - 1e-12)
    return -R_KJ * (x * np.log(x) + (1 - x) * np.log(1 - x))
